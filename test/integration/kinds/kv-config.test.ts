import { afterAll, describe, expect, it } from 'vitest';
import { kvConfigKind as kind } from '../../../src/kinds/kv/kv-config.js';
import { freshMountPath, vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { config, converge, pending, readLive } from './drive-kind.js';

const vault = vaultClient();
const v2 = freshMountPath('kv2');
const v1 = freshMountPath('kv1');
const upgraded = freshMountPath('kvup');
const kv = (settings: Record<string, unknown>) => config({ secrets: { [v2]: { type: 'kv-v2', settings: {}, config: settings } } });

afterAll(() => vault.close());

describe('KV v2 mount settings, driven through the kind module', () => {
  it('writes max_versions, cas_required and delete_version_after right after the mount is enabled; Go durations read back equal', async () => {
    expect((await vaultRequest('POST', `sys/mounts/${v2}`, { type: 'kv-v2' })).status).toBe(204);
    const cfg = kv({ max_versions: 5, cas_required: true, delete_version_after: '3h30m' });
    expect(await converge(vault, kind, cfg)).toEqual([`update secrets/${v2}/config max_versions,cas_required,delete_version_after`]);
    expect((await vaultRequest('GET', `${v2}/config`)).json.data).toMatchObject({ max_versions: 5, cas_required: true, delete_version_after: '3h30m0s' });
    expect(await pending(vault, kind, cfg)).toEqual([]);
    expect((await readLive(vault, kind, cfg)).get(`secrets/${v2}/config`)?.settings).toEqual({ max_versions: 5, cas_required: true, delete_version_after: 12600 });
  });

  it('changes one field and back to Vault defaults (0s)', async () => {
    const days = kv({ delete_version_after: '10d' });
    expect(await converge(vault, kind, days)).toEqual([`update secrets/${v2}/config delete_version_after`]);
    expect((await vaultRequest('GET', `${v2}/config`)).json.data.delete_version_after).toBe('240h0m0s');
    const defaults = kv({ max_versions: 0, cas_required: false, delete_version_after: 0 });
    await converge(vault, kind, defaults);
    expect(await pending(vault, kind, defaults)).toEqual([]);
    expect((await vaultRequest('GET', `${v2}/config`)).json.data).toMatchObject({ max_versions: 0, cas_required: false, delete_version_after: '0s' });
  });

  it('never reads or writes `config` of a KV version 1 mount (it would be a secret named config)', async () => {
    expect((await vaultRequest('POST', `sys/mounts/${v1}`, { type: 'kv' })).status).toBe(204);
    await vaultRequest('POST', `${v1}/config`, { max_versions: 'a secret value' });
    const cfg = config({ secrets: { [v1]: { type: 'kv', settings: { options: { version: '2' } }, config: { max_versions: 3 } } } });
    expect([...(await readLive(vault, kind, cfg)).keys()]).toEqual([]);
    const [obj] = kind.desired(cfg);
    await expect(kind.create({ vault }, obj!)).rejects.toThrow(`${v1} is not a KV version 2 mount in Vault`);
    expect((await vaultRequest('GET', `${v1}/config`)).json.data).toEqual({ max_versions: 'a secret value' });
  });

  it('waits out the "upgrading" window of a mount that just became KV v2 (a v1 mount holding secrets, tuned to version 2)', async () => {
    // Vault closes the window of a brand-new mount within milliseconds; converting a v1 mount that
    // holds secrets keeps it open long enough (about 0.1 s on Vault, more on OpenBao) to hit every time.
    expect((await vaultRequest('POST', `sys/mounts/${upgraded}`, { type: 'kv', options: { version: '1' } })).status).toBe(204);
    for (let i = 0; i < 2000; i += 100) {
      const written = await Promise.all(Array.from({ length: 100 }, (_, k) => vaultRequest('POST', `${upgraded}/s${i + k}`, { v: 1 })));
      expect(written.every((w) => w.status === 204)).toBe(true);
    }
    expect((await vaultRequest('POST', `sys/mounts/${upgraded}/tune`, { options: { version: '2' } })).status).toBeLessThan(300);
    const probe = await vaultRequest('GET', `${upgraded}/config`);
    expect([probe.status, String(probe.json?.errors)], 'the window was already closed: the test proves nothing').toEqual([400, expect.stringMatching(/upgrading/i)]);
    const [obj] = kind.desired(config({ secrets: { [upgraded]: { type: 'kv-v2', settings: {}, config: { max_versions: 6 } } } }));
    await kind.create({ vault }, obj!);
    expect((await vaultRequest('GET', `${upgraded}/config`)).json.data.max_versions).toBe(6);
    expect((await vaultRequest('GET', `${upgraded}/data/s1999`)).json.data.data).toEqual({ v: 1 });
  });
});
