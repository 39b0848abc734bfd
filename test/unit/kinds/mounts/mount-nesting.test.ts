import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../core/load-files.js';

describe('mounts inside mounts, in the config alone', () => {
  it('is an error at the inner mount of each section; siblings with a common prefix pass', () => {
    const yaml = [
      'auth:',
      '  ci: { type: approle }',
      '  ci/deep/x: { type: approle }',
      '  cicd: { type: approle }',
      'secrets:',
      '  kv: { type: kv }',
      '  kv2: { type: kv }',
      '  team/a: { type: kv }',
      '  team/a/b: { type: kv }',
      '  team/b: { type: kv }',
    ].join('\n');
    const r = loadFiles({ 'c.yaml': yaml });
    expect(r.errors.map((e) => `${e.pos?.line}:${e.pos?.col} ${e.path}: ${e.message} (${e.hint})`)).toEqual([
      '3:3 auth.ci/deep/x: auth/ci/deep/x is inside auth/ci, and Vault refuses a mount inside another (mount it beside ci, not under it)',
      '9:3 secrets.team/a/b: secrets/team/a/b is inside secrets/team/a, and Vault refuses a mount inside another (mount it beside team/a, not under it)',
    ]);
  });
});
