import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_TOKEN_FILE, normaliseMount, readCredential, redact, resolveLogin, revokeOnSignal } from '../../../src/adapters/login.js';
import { UsageError } from '../../../src/core/errors.js';

const usage = (fn: () => unknown, message: RegExp) => {
  expect(fn).toThrow(UsageError);
  expect(fn).toThrow(message);
};

describe('resolveLogin', () => {
  it('defaults to the token the user supplies (VAULT_TOKEN, ~/.vault-token)', () => {
    expect(resolveLogin({}, {})).toEqual({ method: 'token' });
    expect(resolveLogin({}, { VAULT_GITOPS_AUTH_METHOD: 'token', VAULT_GITOPS_AUTH_ROLE_ID: 'x' })).toEqual({ method: 'token' });
  });

  it('takes the method from --auth, then VAULT_GITOPS_AUTH_METHOD; an unknown one is a usage error', () => {
    const env = { VAULT_GITOPS_AUTH_METHOD: 'approle', VAULT_GITOPS_AUTH_ROLE_ID: 'r' };
    expect(resolveLogin({}, env).method).toBe('approle');
    expect(resolveLogin({ auth: 'token' }, env).method).toBe('token');
    expect(resolveLogin({ auth: 'AppRole' }, env).method).toBe('approle');
    usage(() => resolveLogin({ auth: 'ldap' }, {}), /--auth "ldap" is not a login method/);
    usage(() => resolveLogin({}, { VAULT_GITOPS_AUTH_METHOD: 'oidc' }), /VAULT_GITOPS_AUTH_METHOD "oidc"/);
  });

  it('mounts at the method name unless --auth-mount or VAULT_GITOPS_AUTH_MOUNT says otherwise', () => {
    const env = { VAULT_GITOPS_AUTH_ROLE_ID: 'r' };
    expect(resolveLogin({ auth: 'approle' }, env)).toMatchObject({ mount: 'approle' });
    expect(resolveLogin({ auth: 'approle' }, { ...env, VAULT_GITOPS_AUTH_MOUNT: 'ci/approle' })).toMatchObject({ mount: 'ci/approle' });
    expect(resolveLogin({ auth: 'approle', authMount: '/auth/ar/' }, { ...env, VAULT_GITOPS_AUTH_MOUNT: 'x' })).toMatchObject({ mount: 'ar' });
    expect(normaliseMount('auth/gitlab/')).toBe('gitlab');
    usage(() => normaliseMount('a//b'), /not a mount path/);
    usage(() => normaliseMount('/'), /not a mount path/);
  });

  it('approle: role_id and secret_id each from a variable or a file, never both', () => {
    expect(resolveLogin({ auth: 'approle' }, { VAULT_GITOPS_AUTH_ROLE_ID: 'r', VAULT_GITOPS_AUTH_SECRET_ID_FILE: '/run/sid' })).toEqual({
      method: 'approle',
      mount: 'approle',
      roleId: { from: 'env', name: 'VAULT_GITOPS_AUTH_ROLE_ID' },
      secretId: { from: 'file', path: '/run/sid', setBy: 'VAULT_GITOPS_AUTH_SECRET_ID_FILE' },
    });
    // bind_secret_id=false roles log in with the role_id alone.
    expect(resolveLogin({ auth: 'approle' }, { VAULT_GITOPS_AUTH_ROLE_ID_FILE: '/run/rid' })).toEqual({
      method: 'approle',
      mount: 'approle',
      roleId: { from: 'file', path: '/run/rid', setBy: 'VAULT_GITOPS_AUTH_ROLE_ID_FILE' },
    });
    usage(() => resolveLogin({ auth: 'approle' }, {}), /needs a role_id/);
    usage(() => resolveLogin({ auth: 'approle' }, { VAULT_GITOPS_AUTH_ROLE_ID: ' ' }), /needs a role_id/);
    usage(
      () => resolveLogin({ auth: 'approle' }, { VAULT_GITOPS_AUTH_ROLE_ID: 'r', VAULT_GITOPS_AUTH_SECRET_ID: 's', VAULT_GITOPS_AUTH_SECRET_ID_FILE: '/f' }),
      /both VAULT_GITOPS_AUTH_SECRET_ID and VAULT_GITOPS_AUTH_SECRET_ID_FILE/,
    );
  });

  it('kubernetes: needs a role; reads the pod service-account token unless another JWT is given', () => {
    expect(resolveLogin({ auth: 'kubernetes', authRole: 'drift' }, {})).toEqual({
      method: 'kubernetes',
      mount: 'kubernetes',
      role: 'drift',
      jwt: { from: 'file', path: KUBERNETES_TOKEN_FILE, setBy: 'the Kubernetes service account' },
    });
    expect(resolveLogin({}, { VAULT_GITOPS_AUTH_METHOD: 'kubernetes', VAULT_GITOPS_AUTH_ROLE: 'r', VAULT_GITOPS_AUTH_JWT_FILE: '/tok' })).toMatchObject({
      role: 'r',
      jwt: { from: 'file', path: '/tok' },
    });
    usage(() => resolveLogin({ auth: 'kubernetes' }, {}), /needs the Vault role/);
  });

  it('jwt: VAULT_GITOPS_AUTH_JWT[_FILE], then a GitLab id_tokens variable, then GitHub Actions', () => {
    expect(resolveLogin({ auth: 'jwt', authRole: 'ci' }, { VAULT_GITOPS_AUTH_JWT: 'x' })).toEqual({
      method: 'jwt',
      mount: 'jwt',
      role: 'ci',
      jwt: { from: 'env', name: 'VAULT_GITOPS_AUTH_JWT' },
    });
    // The role is optional: the mount's default_role applies.
    expect(resolveLogin({ auth: 'jwt' }, { VAULT_GITOPS_AUTH_JWT_ENV: 'VAULT_ID_TOKEN', ACTIONS_ID_TOKEN_REQUEST_URL: 'http://x' })).toEqual({
      method: 'jwt',
      mount: 'jwt',
      jwt: { from: 'env', name: 'VAULT_ID_TOKEN' },
    });
    const gh = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://gh/token', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't', VAULT_GITOPS_AUTH_AUDIENCE: 'vault' };
    expect(resolveLogin({ auth: 'jwt' }, gh)).toMatchObject({ jwt: { from: 'github', audience: 'vault' } });
    expect(resolveLogin({ auth: 'jwt', authAudience: 'other' }, gh)).toMatchObject({ jwt: { from: 'github', audience: 'other' } });
    usage(() => resolveLogin({ auth: 'jwt' }, {}), /--auth jwt needs a JWT/);
    usage(() => resolveLogin({ auth: 'jwt' }, { VAULT_GITOPS_AUTH_JWT_ENV: '$VAULT_ID_TOKEN' }), /must name an environment variable/);
  });
});

describe('readCredential', () => {
  const dir = mkdtempSync(join(tmpdir(), 'login-test-'));

  it('reads variables and files (trimmed), and collects what it read for redaction', async () => {
    const file = join(dir, 'sid');
    writeFileSync(file, 'file-secret\n');
    const secrets = new Set<string>();
    expect(await readCredential({ from: 'env', name: 'X' }, 'role_id', { env: { X: ' env-value ' }, secrets })).toBe('env-value');
    expect(await readCredential({ from: 'file', path: file, setBy: 'F' }, 'secret_id', { secrets })).toBe('file-secret');
    expect([...secrets]).toEqual(['env-value', 'file-secret']);
  });

  it('says which source is missing or empty, never a value', async () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '  \n');
    await expect(readCredential({ from: 'env', name: 'VAULT_ID_TOKEN' }, 'JWT', { env: {} })).rejects.toThrow('the JWT variable $VAULT_ID_TOKEN is not set or empty');
    await expect(readCredential({ from: 'file', path: empty, setBy: 'F' }, 'JWT')).rejects.toThrow(`the JWT file ${empty} (F) is empty`);
    await expect(readCredential({ from: 'file', path: join(dir, 'nope'), setBy: 'F' }, 'secret_id')).rejects.toThrow(/cannot read the secret_id from .*nope \(F\): ENOENT/);
  });

  it('fetches the GitHub Actions OIDC token with the bearer and the audience, and explains a refusal', async () => {
    const seen: Array<{ url?: string; auth?: string }> = [];
    const server = createServer((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      if (req.headers.authorization !== 'bearer request-token') {
        res.writeHead(403).end('{"message":"nope request-token"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: 'the.jwt.value' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const a = server.address();
      const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/token?api-version=2.0`;
      const env = { ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token' };
      const secrets = new Set<string>();
      expect(await readCredential({ from: 'github', audience: 'https://vault.example.com' }, 'JWT', { env, secrets })).toBe('the.jwt.value');
      expect(seen[0]).toEqual({ url: '/token?api-version=2.0&audience=https%3A%2F%2Fvault.example.com', auth: 'bearer request-token' });
      expect(secrets).toEqual(new Set(['request-token', 'the.jwt.value']));

      const refused: unknown = await readCredential({ from: 'github' }, 'JWT', { env: { ...env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong-token' } }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UsageError);
      expect((refused as UsageError).message).toBe('cannot get the GitHub Actions OIDC token: HTTP 403');
      expect((refused as UsageError).hint).toContain('id-token: write');
      await expect(readCredential({ from: 'github' }, 'JWT', { env: { ACTIONS_ID_TOKEN_REQUEST_URL: url } })).rejects.toThrow(/ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set/);
    } finally {
      server.close();
    }
  });
});

describe('redact', () => {
  it('removes every occurrence of each secret', () => {
    expect(redact('bad secret abcd1234 and abcd1234 again', ['abcd1234'])).toBe('bad secret (redacted) and (redacted) again');
    expect(redact('nothing here', ['zzzz'])).toBe('nothing here');
  });
});

describe('revokeOnSignal', () => {
  /** Runs `fn` with only the listeners it adds for SIGINT/SIGTERM (the test runner has its own). */
  async function isolated(fn: () => Promise<void>) {
    const saved = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
    try {
      await fn();
    } finally {
      process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
      for (const l of saved.SIGINT) process.on('SIGINT', l);
      for (const l of saved.SIGTERM) process.on('SIGTERM', l);
    }
  }

  it('revokes, then exits 128 + the signal number', async () => {
    await isolated(async () => {
      const events: string[] = [];
      revokeOnSignal(async () => void events.push('revoke'), (l) => events.push(l), (c) => events.push(`exit ${c}`));
      process.emit('SIGTERM', 'SIGTERM');
      await new Promise((r) => setTimeout(r, 10));
      expect(events).toEqual(['SIGTERM: stopping; revoking the login token', 'revoke', 'exit 143']);
    });
  });

  it("leaves the signal to the command's own handler, and does nothing once stopped", async () => {
    await isolated(async () => {
      const events: string[] = [];
      const stop = revokeOnSignal(async () => void events.push('revoke'), (l) => events.push(l), (c) => events.push(`exit ${c}`));
      process.once('SIGINT', () => events.push('command handler'));
      process.emit('SIGINT', 'SIGINT');
      stop();
      expect(process.listenerCount('SIGTERM')).toBe(0);
      await new Promise((r) => setTimeout(r, 10));
      expect(events).toEqual(['command handler']);
    });
  });
});
