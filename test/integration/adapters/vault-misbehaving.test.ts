// A captive proxy, a wrong VAULT_ADDR, a hung or endless server: every one is an error naming the URL
// (never the body), exit 1 without a stack trace, and nothing is written — above all no credential
// file for a Vault that does not exist.
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { startMisbehaving, type Misbehaviour } from './misbehaving-server.js';

const id = uniq('mb');
const files = {
  'vault.yaml': `
auth:
  up${id}:
    type: userpass
    users:
      bot: { token_ttl: 1h, credentials: { file: { path: out/bot.json } } }
`,
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const cases: Array<[Misbehaviour, RegExp]> = [
  ['html-200', /\(HTTP 200, text\/html\) is not JSON, so it is not from Vault/],
  ['garbage-200', /\(HTTP 200, application\/json\) is not JSON, so it is not from Vault/],
  ['wrong-json-200', /\(HTTP 200\) has no request_id, so it is not from Vault/],
  ['html-404', /\(HTTP 404, text\/html\) is not JSON/],
  ['endless-body', /is larger than 32 MiB; refused/],
  ['huge-length', /is larger than 32 MiB; refused/],
  ['accept-and-hang', /no complete answer from Vault to GET http:\/\/127\.0\.0\.1:\d+\/v1\/auth\/token\/lookup-self within 2s/],
  ['slowloris-headers', /no complete answer from Vault to GET .* within 2s/],
];

describe('a server that is not (a working) Vault', () => {
  it.each(cases)('%s: exit 1, a clear message naming the URL, nothing written', async (mode, message) => {
    const server = await startMisbehaving(mode);
    close = server.close;
    const dir = await configDir(files);
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--timeout', '2', '--connect-timeout', '2'], {
      cwd: dir,
      env: { VAULT_ADDR: server.addr, VAULT_TOKEN: 'not-a-real-token-1234' },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(server.addr);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).not.toMatch(/sign in|garbag|xxxx/); // never the body
    expect(r.stdout + r.stderr).not.toContain('not-a-real-token-1234');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('an HA standby that redirects elsewhere', () => {
  it('is named, and the token never goes to the redirect target', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
    const target = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}`;
    const standby = createServer((req, res) => {
      res.writeHead(307, { Location: `${target}${req.url ?? '/'}` }).end();
    });
    await new Promise<void>((r) => standby.listen(0, '127.0.0.1', r));
    const addr = `http://127.0.0.1:${(standby.address() as { port: number }).port}`;
    close = async () => {
      await new Promise((r) => standby.close(r));
      await new Promise((r) => elsewhere.close(r));
    };
    const dir = await configDir(files);
    // Retried like an election in progress (the budget kept short here), never followed.
    const r = await cli(['plan', '-c', dir, '--retry-budget', '2s'], { cwd: dir, env: { VAULT_ADDR: addr, VAULT_TOKEN: 'standby-token-5678' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`Vault at ${addr} redirected GET auth/token/lookup-self to ${target}`);
    expect(r.stderr).toContain('the token is not sent to another address');
    expect(seen).toEqual([]);
  });
});
