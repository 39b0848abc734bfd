import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CredentialsSpec } from '../../../../src/core/model.js';
import type { CredentialTarget } from '../../../../src/core/ports.js';
import { FileSink } from '../../../../src/credentials/sinks/file.js';

const target = (file: NonNullable<CredentialsSpec['file']>): CredentialTarget => ({
  address: 'auth/userpass/users/bot',
  kind: 'userpass-user',
  mount: 'userpass',
  name: 'bot',
  spec: { file },
  vaultAddr: 'http://127.0.0.1:8200',
});
const meta = { issuedAt: '2026-01-01T00:00:00.000Z' };
const fresh = () => mkdtempSync(join(tmpdir(), 'vg-sink-'));

describe('FileSink (checks again at run time, whatever validation saw)', () => {
  it('writes inside the sink root with mode 0600 and marks the file as ours', async () => {
    const root = fresh();
    const sink = new FileSink(root);
    await sink.write(target({ path: 'out/bot.json' }), { password: 'p' }, meta);
    const file = join(root, 'out/bot.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ password: 'p', vault_gitops: { object: 'auth/userpass/users/bot' } });
    expect(await sink.inspect(target({ path: 'out/bot.json' }))).toMatchObject({ exists: true, owned: true });
  });

  it('refuses to overwrite a file it did not write unless adopt is set', async () => {
    const root = fresh();
    writeFileSync(join(root, 'bot.json'), '{"password":"mine"}');
    const sink = new FileSink(root);
    expect(await sink.inspect(target({ path: 'bot.json' }))).toMatchObject({ exists: true, owned: false });
    await expect(sink.write(target({ path: 'bot.json' }), { password: 'p' }, meta)).rejects.toThrow(/file bot\.json: exists and was not written by vault-gitops/);
    expect(readFileSync(join(root, 'bot.json'), 'utf8')).toBe('{"password":"mine"}');
    // Adopted: to be taken over, its contents never read back as a delivered credential.
    expect(await sink.inspect(target({ path: 'bot.json', adopt: true }))).toEqual({ exists: true, owned: false, adopting: true });
    await sink.write(target({ path: 'bot.json', adopt: true }), { password: 'p' }, meta);
    expect(JSON.parse(readFileSync(join(root, 'bot.json'), 'utf8')).password).toBe('p');
    expect(await sink.inspect(target({ path: 'bot.json', adopt: true }))).toMatchObject({ exists: true, owned: true, values: { password: 'p' } });
  });

  it('refuses a mode looser than 0640, a symbolic link made after validation, and a path leaving the root', async () => {
    const root = fresh();
    const outside = fresh();
    const sink = new FileSink(root);
    await expect(sink.write(target({ path: 'a.json', mode: 0o644 }), { password: 'p' }, meta)).rejects.toThrow(/looser than 0640/);
    writeFileSync(join(outside, 'victim'), 'precious');
    symlinkSync(join(outside, 'victim'), join(root, 'b.json'));
    await expect(sink.write(target({ path: 'b.json' }), { password: 'p' }, meta)).rejects.toThrow(/is a symbolic link/);
    await expect(sink.inspect(target({ path: 'b.json' }))).rejects.toThrow(/is a symbolic link/);
    mkdirSync(join(root, 'sub'));
    symlinkSync(outside, join(root, 'sub', 'out'));
    await expect(sink.write(target({ path: 'sub/out/c.json' }), { password: 'p' }, meta)).rejects.toThrow(/outside the sink root/);
    await expect(sink.write(target({ path: '../c.json' }), { password: 'p' }, meta)).rejects.toThrow(/leaves the sink root/);
    expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('precious');
    expect(readdirSync(outside)).toEqual(['victim']);
  });
});
