// The config side of credential formats: `format:` and `env_names:` on a file sink.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/core/check/load.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { objectsOf } from '../load-files.js';

const root = mkdtempSync(join(tmpdir(), 'vault-gitops-format-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function errors(section: 'roles' | 'users', file: string): string[] {
  const dir = mkdtempSync(join(root, `${n++}-`));
  const type = section === 'roles' ? 'approle' : 'userpass';
  writeFileSync(join(dir, 'c.yaml'), `auth:\n  m:\n    type: ${type}\n    ${section}:\n      x:\n        credentials:\n          file: ${file}\n`);
  return loadConfig([dir], KINDS, { env: {} }).errors.map((e) => `${e.pos?.line}:${e.pos?.col} ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
}

describe('file sink format config', () => {
  it('accepts every format for AppRoles and passes format and env_names through', () => {
    for (const format of ['json', 'vault-sidekick', 'vault-agent', 'env']) expect(errors('roles', `{ path: out/x, format: ${format} }`)).toEqual([]);
    const dir = mkdtempSync(join(root, 'ok-'));
    writeFileSync(join(dir, 'c.yaml'), 'auth:\n  m:\n    type: approle\n    roles:\n      x: { credentials: { file: { path: x.env, format: env, env_names: { secret_id: APP_SID } } } }\n');
    expect(objectsOf(loadConfig([dir], KINDS, { env: {} }).value!, 'approle-role', 'm').x?.credentials?.file).toEqual({ path: 'x.env', format: 'env', env_names: { secret_id: 'APP_SID' } });
  });

  it('refuses vault-agent for users (Vault Agent has no userpass login) and unknown formats', () => {
    expect(errors('users', '{ path: out/x, format: vault-agent }')).toEqual(['7:40 must be one of "json", "vault-sidekick", "env", got the string "vault-agent"']);
    expect(errors('roles', '{ path: out/x, format: yaml }')[0]).toContain('must be one of "json", "vault-sidekick", "vault-agent", "env"');
  });

  it('refuses env_names without format env, unknown credential names, bad variable names and clashes', () => {
    expect(errors('roles', '{ path: x, env_names: { role_id: A } }')).toEqual(['7:28 `env_names` is only used with `format: env` (add `format: env` or remove `env_names`)']);
    expect(errors('users', '{ path: x, format: env, env_names: { role_id: A } }')[0]).toContain('must be one of "username", "password", "mount"');
    expect(errors('roles', '{ path: x, format: env, env_names: { role_id: 1BAD } }')[0]).toContain('must be an environment variable name');
    expect(errors('roles', '{ path: x, format: env, env_names: { role_id: VAULT_SECRET_ID } }')).toEqual([
      '7:52 two credentials are named `VAULT_SECRET_ID` (give each its own variable name)',
    ]);
  });

  it('wrap_ttl: AppRoles only, read in seconds; 0 delivers the secret_id itself', () => {
    const spec = (wrap: string) => {
      const dir = mkdtempSync(join(root, 'wrap-'));
      writeFileSync(join(dir, 'c.yaml'), `auth:\n  m:\n    type: approle\n    roles:\n      x: { credentials: { file: { path: x.json }, wrap_ttl: ${wrap} } }\n`);
      return objectsOf(loadConfig([dir], KINDS, { env: {} }).value!, 'approle-role', 'm').x?.credentials;
    };
    expect(spec('5m')?.wrap_ttl).toBe(300);
    expect(spec('0')?.wrap_ttl).toBeUndefined();
    const dir = mkdtempSync(join(root, 'wrap-user-'));
    writeFileSync(join(dir, 'c.yaml'), 'auth:\n  m:\n    type: userpass\n    users:\n      x: { credentials: { file: { path: x.json }, wrap_ttl: 5m } }\n');
    expect(loadConfig([dir], KINDS, { env: {} }).errors.map((e) => e.message)).toEqual(['`wrap_ttl`: unknown field']);
  });
});

