// A config of more than 10,000 objects on a stock dev server: the state record is kept in parts
// (src/core/state/state-parts.ts) so no JSON object Vault receives passes its default 10,000-entry limit.
// The server is this file's own: left on the run's shared one, its 10,500 policies made every later
// whole-server `export` and re-plan (mount-types, identity-audit-kv-cli, …) take most of a test's 60 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevServer, apiRequest } from '../../servers/dev-server.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';

const id = uniq('big');
const statePath = `vault-gitops/state-${id}`;
const N = 10500;
let server: DevServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await DevServer.start(serverEnv().server, { tls: serverEnv().VAULT_CACERT !== undefined });
  env = { VAULT_ADDR: server.info.addr, VAULT_TOKEN: server.info.token, VAULT_CACERT: server.info.caCert ?? '' };
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describe('state record of more than 10,000 objects', () => {
  it('applies 10,500 policies, keeps the record in parts, and re-plans with no changes', async () => {
    const lines = ['policies:'];
    for (let i = 0; i < N; i++) lines.push(`  p${i}-${id}:\n    policy: 'path "secret/data/p${i}/*" { capabilities = ["read"] }'`);
    const dir = await configDir({ 'vault.yaml': lines.join('\n') + '\n' });
    const applied = await cli(['apply', '-c', dir, '--auto-approve', '--state-path', statePath], { cwd: dir, env });
    expect(applied.code, applied.stderr.slice(0, 2000)).toBe(0);
    const read = await apiRequest(server.info, 'GET', `vault-gitops/data/state-${id}`);
    expect(read.status).toBe(200);
    const head = (read.body as { data: { data: { format_version: string; parts: string[]; objects?: unknown } } }).data;
    expect(head.data.format_version).toBe('3');
    expect(head.data.objects).toBeUndefined();
    expect(head.data.parts.length).toBeGreaterThanOrEqual(6);
    const plan = await cli(['plan', '-c', dir, '-o', 'json', '--state-path', statePath], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    const changes = (JSON.parse(plan.stdout) as { changes: Array<{ action: string }> }).changes;
    expect(changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(changes.length).toBeGreaterThanOrEqual(N);
  }, 300_000);
});
