import { describe, expect, it } from 'vitest';
import { CREDENTIAL_FORMATS, parseDirectory, parseFile, render, type FormatTarget } from '../../../src/credentials/format.js';
import { sidekickAuth } from '../../../src/credentials/formats/vault-sidekick.js';
import type { CredentialMeta } from '../../../src/core/ports.js';

const role: FormatTarget = { address: 'auth/team/approle/roles/web', kind: 'approle-role', mount: 'team/approle' };
const user: FormatTarget = { address: 'auth/userpass/users/alice', kind: 'userpass-user', mount: 'userpass' };
const roleValues = { role_id: 'r-1111', secret_id: 's-2222' };
const userValues = { username: 'alice', password: 'pa$$ "w0rd`;#' };
const meta: CredentialMeta = { issuedAt: '2026-12-01T00:00:00.000Z', accessor: 'acc-1', hash: 'sha256:abc' };

function roundTrip(format: (typeof CREDENTIAL_FORMATS)[number], target: FormatTarget, values: Record<string, string>) {
  const out = render(format, target, values, meta);
  return out.shape === 'directory' ? parseDirectory(target, out.files) : parseFile(format as 'json', target, out.text);
}

describe('credential formats', () => {
  it.each(CREDENTIAL_FORMATS)('%s reads back its values (in the engine order), metadata and ownership for an AppRole', (format) => {
    const back = roundTrip(format, role, roleValues);
    expect(back.owned).toBe(true);
    expect(back.meta).toEqual(meta);
    expect(JSON.stringify(back.values)).toBe(JSON.stringify(roleValues));
  });

  it.each(['json', 'vault-sidekick', 'env'] as const)('%s reads back a userpass password with shell and systemd metacharacters', (format) => {
    const back = roundTrip(format, user, userValues);
    expect(back).toMatchObject({ owned: true, meta });
    expect(JSON.stringify(back.values)).toBe(JSON.stringify(userValues));
  });

  it('vault-sidekick: method, credentials and a login_path honouring the mount; the marker holds no secret', () => {
    const out = render('vault-sidekick', role, roleValues, meta);
    const doc = JSON.parse(out.shape === 'file' ? out.text : '') as Record<string, unknown>;
    expect(doc).toMatchObject({ method: 'approle', role_id: 'r-1111', secret_id: 's-2222', login_path: '/v1/auth/team/approle/login' });
    expect(JSON.stringify(doc.vault_gitops)).not.toContain('s-2222');
    expect(sidekickAuth(user, userValues)).toEqual({ method: 'userpass', username: 'alice', password: userValues.password, login_path: '/v1/auth/userpass/login/alice' });
  });

  it('env: default and overridden names, single quotes where needed, the marker as a comment line', () => {
    const out = render('env', { ...role, envNames: { secret_id: 'APP_SECRET' } }, roleValues, meta);
    const text = out.shape === 'file' ? out.text : '';
    const lines = text.trimEnd().split('\n');
    expect(lines.filter((l) => !l.startsWith('#'))).toEqual(['VAULT_AUTH_MOUNT=team/approle', 'VAULT_ROLE_ID=r-1111', 'APP_SECRET=s-2222']);
    expect(lines.filter((l) => l.startsWith('#')).join('\n')).not.toContain('s-2222');
    const userText = render('env', user, userValues, meta);
    expect(userText.shape === 'file' && userText.text).toContain(`VAULT_PASSWORD='${userValues.password}'`);
  });

  it('env: an object in a namespace also gets VAULT_NAMESPACE, and reads back the same', () => {
    const inNamespace = { ...role, namespace: 'team-a/apps' };
    const out = render('env', inNamespace, roleValues, meta);
    const text = out.shape === 'file' ? out.text : '';
    expect(text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))).toEqual(['VAULT_AUTH_MOUNT=team/approle', 'VAULT_NAMESPACE=team-a/apps', 'VAULT_ROLE_ID=r-1111', 'VAULT_SECRET_ID=s-2222']);
    expect(parseFile('env', inNamespace, text)).toMatchObject({ owned: true, meta, values: roleValues });
    const root = render('env', role, roleValues, meta);
    expect(root.shape === 'file' && root.text).not.toContain('VAULT_NAMESPACE');
  });

  it('env refuses a value it cannot quote, without printing it', () => {
    const bad = { username: 'alice', password: "it's-secret" };
    expect(() => render('env', user, bad, meta)).toThrow(/password contains a quote, backslash or control character/);
    try {
      render('env', user, bad, meta);
    } catch (err) {
      expect((err as Error).message).not.toContain("it's-secret");
    }
  });

  it('vault-agent: one plain file per value without a newline, plus the marker file', () => {
    const out = render('vault-agent', role, roleValues, meta);
    expect(out).toEqual({ shape: 'directory', files: { role_id: 'r-1111', secret_id: 's-2222', '.vault-gitops.json': expect.any(String) as string } });
    const partial = parseDirectory(role, { role_id: 'r-1111', '.vault-gitops.json': out.shape === 'directory' ? out.files['.vault-gitops.json'] : '' });
    expect(partial).toMatchObject({ owned: true, complete: false });
  });

  it.each(['json', 'vault-sidekick', 'env'] as const)('%s: a file without our marker (or not parseable) is not ours', (format) => {
    for (const text of ['{"role_id":"x","secret_id":"y"}', 'VAULT_ROLE_ID=x\n', 'garbage', '[]', '{"vault_gitops":{"hash":"no issuedAt"}}']) {
      expect(parseFile(format, role, text).owned).toBe(false);
    }
  });

  it('a marker written in another format (or before formats existed) reads back without values, so it is re-issued', () => {
    const legacy = JSON.stringify({ ...roleValues, vault_gitops: { ...meta, object: role.address } });
    expect(parseFile('json', role, legacy)).toMatchObject({ owned: true, values: roleValues });
    expect(parseFile('vault-sidekick', role, legacy)).toEqual({ owned: true, meta, values: {} });
    const sidekick = render('vault-sidekick', role, roleValues, meta);
    expect(parseFile('json', role, sidekick.shape === 'file' ? sidekick.text : '')).toEqual({ owned: true, meta, values: {} });
  });
});
