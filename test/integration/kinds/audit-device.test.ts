import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditDeviceKind as kind } from '../../../src/kinds/sys/audit-device.js';
import { uniq } from '../helpers/cli.js';
import { serverEnv, vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { config, converge, pending, readLive } from './drive-kind.js';

const id = uniq('au');
const vault = vaultClient();
const dir = mkdtempSync(join(tmpdir(), 'vg-audit-'));
const path = `file-${id}`;
const openbao = serverEnv().server === 'openbao';
const device = (extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}) =>
  config({ audit: { [path]: { type: 'file', description: 'all requests', ...extra, options: { file_path: join(dir, 'audit.log'), mode: 640, hmac_accessor: true, ...options } } } });
const liveDevice = async () => (await vaultRequest('GET', 'sys/audit')).json.data[`${path}/`];

afterAll(async () => {
  if (!openbao) await vaultRequest('DELETE', `sys/audit/${path}`);
  vault.close();
});

describe.skipIf(openbao)('audit devices on Vault, driven through the kind module', () => {
  it('enables a file device; Vault answers options as strings and it still reads back equal', async () => {
    const cfg = device();
    expect(await converge(vault, kind, cfg)).toEqual([`create audit/${path}`]);
    expect((await liveDevice()).options).toEqual({ file_path: join(dir, 'audit.log'), mode: '0640' });
    expect(await pending(vault, kind, cfg)).toEqual([]);
    // Made by hand with Vault's string forms of the same values and defaults spelt out: no difference.
    const hand = `hand-${id}`;
    const options = { file_path: join(dir, 'hand.log'), mode: '640', hmac_accessor: '1', format: 'json', log_raw: 'false' };
    expect((await vaultRequest('POST', `sys/audit/${hand}`, { type: 'file', options })).status).toBe(204);
    const declared = config({ audit: { [hand]: { type: 'file', local: false, options: { file_path: join(dir, 'hand.log'), mode: 640, hmac_accessor: true } } } });
    expect(await pending(vault, kind, declared)).toEqual([]);
    await vaultRequest('DELETE', `sys/audit/${hand}`);
    expect((await readLive(vault, kind, cfg)).get(`audit/${path}`)?.settings).toEqual({ type: 'file', description: 'all requests', local: false, options: { file_path: join(dir, 'audit.log'), mode: '0640' } });
    await vaultRequest('GET', 'sys/mounts');
    expect(readFileSync(join(dir, 'audit.log'), 'utf8')).toContain('"path":"sys/mounts"');
  });

  it('a change disables and re-enables the device at the same path; a refused change puts the old one back', async () => {
    const changed = device({ description: 'changed' }, { format: 'jsonx', elide_list_responses: 'true' });
    expect(await converge(vault, kind, changed)).toEqual([`update audit/${path} options,description`]);
    expect(await pending(vault, kind, changed)).toEqual([]);
    expect((await liveDevice()).options).toMatchObject({ format: 'jsonx', elide_list_responses: 'true' });

    // A socket nobody listens on: Vault refuses it (its test message fails) after the old device is disabled.
    const refused = config({ audit: { [path]: { type: 'socket', options: { address: '127.0.0.1:1', socket_type: 'tcp' } } } });
    await expect(converge(vault, kind, refused)).rejects.toThrow(/audit backend failed test message|connection refused/);
    expect(await liveDevice()).toMatchObject({ type: 'file', description: 'changed', options: expect.objectContaining({ format: 'jsonx' }) });
  });

  it('refuses log_raw and hmac_accessor: false before writing anything', async () => {
    for (const [option, value] of [['log_raw', true], ['log_raw', 'TRUE'], ['hmac_accessor', false]] as const) {
      const raw = config({ audit: { [`raw-${id}`]: { type: 'file', options: { file_path: join(dir, 'raw.log'), [option]: value } } } });
      await expect(converge(vault, kind, raw)).rejects.toThrow(option === 'log_raw' ? 'log_raw: true writes every request and response unhashed' : 'hmac_accessor: false writes token accessors in clear');
      expect((await vaultRequest('GET', 'sys/audit')).json.data[`raw-${id}/`]).toBeUndefined();
    }
  });

  it('deletes (disables) the device', async () => {
    const live = (await readLive(vault, kind, device())).get(`audit/${path}`)!;
    await kind.delete({ vault }, live);
    expect(await liveDevice()).toBeUndefined();
  });
});

describe.skipIf(!openbao)('audit devices on OpenBao', () => {
  it('a declared device that would need an API change fails the read (the plan), naming OpenBao and the config file', async () => {
    await expect(readLive(vault, kind, device())).rejects.toThrow(`OpenBao does not allow enabling or disabling audit devices through its API, so audit device ${path} cannot be applied`);
    expect((await vaultRequest('GET', 'sys/audit')).json.data).toEqual({});
  });

  it('with nothing to change there is nothing to refuse', async () => {
    expect([...(await readLive(vault, kind, config({ audit: {} }))).keys()]).toEqual([]);
  });
});
