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


describe('S3 sink config', () => {
  function s3Errors(s3: string, allow: string | undefined): string[] {
    const dir = mkdtempSync(join(root, `${n++}-`));
    writeFileSync(join(dir, 'c.yaml'), `auth:\n  m:\n    type: approle\n    roles:\n      x:\n        credentials:\n          s3: ${s3}\n`);
    return loadConfig([dir], KINDS, { env: {}, ...(allow !== undefined ? { s3Allow: allow } : {}) }).errors.map((e) => `${e.pos?.line}:${e.pos?.col} ${e.message}`);
  }

  it('accepts an allowed destination in the file formats and passes every field through', () => {
    const dir = mkdtempSync(join(root, 'ok-'));
    writeFileSync(join(dir, 'c.yaml'), 'auth:\n  m:\n    type: approle\n    roles:\n      x: { credentials: { s3: { bucket: creds, key: a/x.env, region: eu-west-1, sse: "aws:kms", kms_key_id: k1, format: env, env_names: { secret_id: SID } } } }\n');
    const loaded = loadConfig([dir], KINDS, { env: {}, s3Allow: 'creds' });
    expect(loaded.errors).toEqual([]);
    expect(objectsOf(loaded.value!, 'approle-role', 'm').x?.credentials?.s3).toEqual({ bucket: 'creds', key: 'a/x.env', region: 'eu-west-1', sse: 'aws:kms', kms_key_id: 'k1', format: 'env', env_names: { secret_id: 'SID' } });
  });

  it('refuses a destination the environment does not allow, at the bucket', () => {
    expect(s3Errors('{ bucket: creds, key: a.json }', undefined)).toEqual(['7:25 credentials go to s3://creds/a.json, but no S3 destination is allowed (VAULT_GITOPS_S3_ALLOW is not set)']);
    expect(s3Errors('{ bucket: creds, key: a.json, endpoint: "https://evil.example" }', 'creds')[0]).toContain('which VAULT_GITOPS_S3_ALLOW does not allow');
  });

  it('refuses vault-agent (a directory), kms_key_id without sse aws:kms, env_names without env, and bad names', () => {
    expect(s3Errors('{ bucket: creds, key: a, format: vault-agent }', 'creds')[0]).toContain('must be one of "json", "vault-sidekick", "env"');
    expect(s3Errors('{ bucket: creds, key: a, kms_key_id: k }', 'creds')[0]).toContain('`kms_key_id` is only used with `sse: aws:kms`');
    expect(s3Errors('{ bucket: creds, key: a, env_names: { secret_id: S } }', 'creds')[0]).toContain('`env_names` is only used with `format: env`');
    expect(s3Errors('{ bucket: Creds_1, key: a }', 'creds')[0]).toContain('must be an S3 bucket name');
    expect(s3Errors('{ bucket: creds, key: /abs }', 'creds')[0]).toContain('must be an object key');
    expect(s3Errors('{ bucket: creds, key: a, endpoint: "https://h/path" }', 'creds')[0]).toContain('must be an http(s) URL of a host');
  });
});
