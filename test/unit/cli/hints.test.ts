// Every hint that names a value names one the tool accepts: each refusal's hint is read, and the
// values it offers are fed back to the same parser. (The state record owner's hint, whose value is
// derived from where the config lives, is tested in test/unit/core/state/state-owner.test.ts.)
import { describe, expect, it } from 'vitest';
import { resolveVaultOptions } from '../../../src/adapters/vault-options.js';
import { UsageError } from '../../../src/core/errors.js';
import { Targets } from '../../../src/core/plan/targets.js';
import { configOwnerId } from '../../../src/core/state/state-owner.js';
import { parseStatePath } from '../../../src/core/state-location.js';
import { KINDS } from '../../../src/kinds/registry.js';
import { loadFiles } from '../core/load-files.js';

/** The hint of the UsageError `run` throws. */
function hintOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).hint ?? '';
  }
  throw new Error('not refused');
}

const kindNames = KINDS.map((k) => k.name);

describe('hints name values the tool accepts', () => {
  it('--state-path: the examples are MOUNT/PATH', () => {
    const hint = hintOf(() => parseStatePath('nope'));
    const examples = /for example (\S+) or (\S+)$/.exec(hint)!.slice(1);
    expect(examples).toHaveLength(2);
    for (const e of examples) expect(() => parseStatePath(e), e).not.toThrow();
  });

  it('--target: the examples parse', () => {
    const hint = hintOf(() => new Targets(['policy'], kindNames));
    const examples = [...hint.matchAll(/--target (\S+?)[,;]/g)].map((m) => m[1]!);
    expect(examples).toHaveLength(3);
    expect(() => new Targets(examples, kindNames)).not.toThrow();
  });

  it('--state-id: the example is a valid id', () => {
    const example = /for example (\S+)$/.exec(hintOf(() => configOwnerId(['x'], '-x', {})))![1]!;
    expect(configOwnerId(['x'], example, {})).toBe(example);
  });

  it('--retry-budget: the examples are durations', () => {
    const hint = hintOf(() => resolveVaultOptions({ vaultAddr: 'http://v:8200', retryBudget: 'soon' }, {}));
    const examples = /for example (\S+), (\S+) or (\S+) /.exec(hint)!.slice(1);
    for (const e of examples) expect(() => resolveVaultOptions({ vaultAddr: 'http://v:8200', retryBudget: e }, {}), e).not.toThrow();
  });

  it('an environment variable the config may not read: the prefixed name the hint offers is read', () => {
    const yaml = 'auth:\n  up:\n    type: userpass\n    description: "${env.TEAM_NAME}"\n';
    const refused = loadFiles({ 'c.yaml': yaml }, { env: { TEAM_NAME: 'platform' } });
    const renamed = /or name it (\w+)$/.exec(refused.errors[0]?.hint ?? '')?.[1];
    expect(renamed).toBe('VAULT_GITOPS_VAR_TEAM_NAME');
    const followed = loadFiles({ 'c.yaml': yaml.replace('TEAM_NAME', renamed!) }, { env: { [renamed!]: 'platform' } });
    expect(followed.errors).toEqual([]);
  });

  it('a policy named with upper case: the lower-case name the hint offers is taken', () => {
    const yaml = (ref: string) => `policies:\n  payments: { policy: 'path "a" { capabilities = ["read"] }' }\nauth:\n  ar:\n    type: approle\n    roles:\n      web: { token_policies: [${ref}] }\n`;
    const refused = loadFiles({ 'c.yaml': yaml('Payments') });
    const offered = /^write `([^`]+)`$/.exec(refused.errors[0]?.hint ?? '')?.[1];
    expect(offered).toBe('payments');
    expect(loadFiles({ 'c.yaml': yaml(offered!) }).errors).toEqual([]);
  });
});
