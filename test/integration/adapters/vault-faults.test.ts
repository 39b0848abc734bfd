// Faults that need a server of their own (a rate-limit quota or a seal would disturb the shared one):
// an apply of a few hundred objects under a 40 req/s quota converges and records its result; a sealed
// Vault is named as such at once.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import { apiRequest, DevServer } from '../../servers/dev-server.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';

const STATE = 'vault-gitops/faults';
let server: DevServer;
let env: NodeJS.ProcessEnv;
const api = (method: string, path: string, body?: unknown) => apiRequest(server.info, method, path, { body });

beforeAll(async () => {
  server = await DevServer.start(serverEnv().server, { tls: false });
  env = { VAULT_ADDR: server.info.addr, VAULT_TOKEN: server.info.token, VAULT_CACERT: '', VAULT_GITOPS_STATE_PATH: STATE };
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

function manyObjects(id: string, policies: number, users: number): string {
  const lines = ['policies:'];
  for (let i = 0; i < policies; i++) lines.push(`  p${id}-${i}:`, '    policy: |', `      path "secret/data/${id}/${i}/*" { capabilities = ["read"] }`);
  lines.push('auth:', `  up${id}:`, '    type: userpass', '    users:');
  for (let i = 0; i < users; i++) lines.push(`      u${i}: { token_ttl: 1h, credentials: { file: { path: out/u${i}.json } } }`);
  return `${lines.join('\n')}\n`;
}

describe('under a Vault rate-limit quota', () => {
  it('an apply of a few hundred objects succeeds, re-plans empty, and records its result (not "running")', async () => {
    expect((await api('POST', 'sys/quotas/config', { enable_rate_limit_response_headers: true })).status).toBeLessThan(300);
    expect((await api('POST', 'sys/quotas/rate-limit/global', { rate: 40 })).status).toBeLessThan(300);
    const dir = await configDir({ 'vault.yaml': manyObjects(uniq('q'), 250, 30) });

    const applied = await cli(['apply', '-c', dir, '--auto-approve', '--debug'], { cwd: dir, env });
    expect(applied.code, applied.stderr.slice(-3000)).toBe(0);
    // The quota did bite, and the run slowed down rather than failed.
    expect(applied.stderr).toMatch(/→ 429/);
    expect(applied.stderr).toMatch(/retry \d+ of \S+ \S+ in \d+ms \(throttled/);
    // ...and lowered its concurrency below --concurrency's 16 (AIMD).
    expect(applied.stderr).toMatch(/\(throttled; ([1-9]|1[0-5]) in flight at most\)/);

    const replan = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env });
    expect(replan.code, replan.stdout + replan.stderr).toBe(0);
    await api('DELETE', 'sys/quotas/rate-limit/global');
    const state = await api('GET', `vault-gitops/data/faults`);
    const record = (state.body as { data: { data: { last_apply: { result: string }; lock?: unknown } } }).data.data;
    expect(record.last_apply.result).toBe('ok');
    expect(record.lock).toBeUndefined();
  }, 300_000);
});

describe('a sealed Vault', () => {
  it('is named as sealed, without retries, and nothing is written', async () => {
    expect((await api('POST', 'sys/seal')).status).toBe(204);
    const dir = await configDir({ 'vault.yaml': manyObjects(uniq('s'), 1, 1) });
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: Vault at ${server.info.addr} is sealed (it answered 503 to GET auth/token/lookup-self)`);
    expect(r.stderr).toContain('hint: unseal it');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const debug = await cli(['plan', '-c', dir, '--debug'], { cwd: dir, env });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/debug: GET auth\/token\/lookup-self → 503/);
    expect(debug.stderr).not.toMatch(/retry \d+ of/);
  });
});
