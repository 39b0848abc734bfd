import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { ReplayVault } from '../../../../src/adapters/snapshot-vault.js';
import { UsageError } from '../../../../src/core/errors.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { fullScopeConfig, SNAPSHOT_FORMAT_VERSION } from '../../../../src/core/export/snapshot.js';

const schema = JSON.parse(readFileSync(new URL('../../../../schemas/snapshot.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020.default({ strict: true }).compile(schema);

describe('snapshots', () => {
  it('full scope declares every live mount of a supported type, so one read covers everything', () => {
    const c = fullScopeConfig({ token: { type: 'token' }, up: { type: 'userpass' }, ar: { type: 'approle' }, k8s: { type: 'kubernetes' } }, { sys: { type: 'system' }, pki: { type: 'pki' }, secret: { type: 'kv' } }, KINDS);
    expect(Object.keys(c.auth).sort()).toEqual(['ar', 'k8s', 'up']);
    expect(c.tree.auth).toMatchObject({ up: { type: 'userpass', users: {} }, ar: { type: 'approle', roles: {} }, k8s: { type: 'kubernetes' } });
    expect(Object.keys(c.secrets).sort()).toEqual(['pki', 'secret']);
    // Every key kinds place in a pki mount, so the CA is read though no config declares it.
    expect(c.tree.secrets).toMatchObject({ pki: { type: 'pki', root_ca: {}, urls: {}, roles: {} }, secret: { type: 'kv' } });
  });

  it('replays recorded reads, 404s as absent, and refuses writes and unknown paths', async () => {
    const responses = { 'sys/policies/acl?list=true': { data: { keys: ['a'] } }, 'sys/policies/acl/a': { data: { policy: 'x' } }, 'sys/policies/acl/gone': null };
    expect(validate({ format_version: SNAPSHOT_FORMAT_VERSION, created_at: 'now', vault_addr: 'http://v', responses })).toBe(true);
    const v = new ReplayVault(responses, 'http://vault.invalid:8200');
    expect(await v.list('sys/policies/acl')).toEqual(['a']);
    expect(await v.read('sys/policies/acl/a')).toEqual({ data: { policy: 'x' } });
    expect(await v.read('sys/policies/acl/gone')).toBeUndefined();
    await expect(v.read('sys/mounts')).rejects.toThrow(UsageError);
    await expect(v.write('sys/policies/acl/a', {})).rejects.toThrow(/offline plan cannot POST/);
    expect(v.stats.total).toBe(0);
    v.close();
  });

  it("a namespace's snapshot (snapshot --tenants) names it; replayed, its reads are the namespace's own paths and the plan names the namespace", async () => {
    const responses = { 'sys/policies/acl/a': { data: { policy: 'x' } } };
    expect(validate({ format_version: SNAPSHOT_FORMAT_VERSION, created_at: 'now', vault_addr: 'http://v', vault_namespace: 'team-a/apps', responses })).toBe(true);
    const v = new ReplayVault(responses, 'http://vault.invalid:8200', 'team-a/apps');
    expect(v.namespace).toBe('team-a/apps');
    expect(await v.read('sys/policies/acl/a')).toEqual({ data: { policy: 'x' } });
    v.close();
  });
});
