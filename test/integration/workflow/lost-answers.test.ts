// A write Vault carried out whose answer never reached the tool (a proxy's 502/504 on a slow write,
// Vault's own 500 when it cannot audit a response it already acted on). The retry then finds the
// path "already in use": for a mount or audit device it made itself, the apply must still succeed,
// and the next plan must have nothing to do.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenProxy } from '../helpers/broken-proxy.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('la');
const openbao = serverEnv().server === 'openbao';
const logs = mkdtempSync(join(tmpdir(), 'vg-lost-answer-'));
const statePath = `vault-gitops/lost-${id}`;

const config = `secrets:
  kv-${id}:
    type: kv
    options: { version: 2 }
  pki-${id}:
    type: pki
    root_ca: { common_name: ${id}.example.com, ttl: 8760h }
auth:
  ap-${id}:
    type: approle
identity:
  groups:
    ext-${id}: { type: external, alias: { name: org-${id}, mount: ap-${id} } }
${openbao ? '' : `audit:\n  f-${id}:\n    type: file\n    options: { file_path: ${logs}/audit.log, mode: 0600 }\n`}`;

afterAll(async () => {
  if (!openbao) await vaultRequest('DELETE', `sys/audit/f-${id}`);
});

describe('a create whose answer was lost on the way', () => {
  it('makes each object once (one mount, one root CA, one group alias, one state write), and the next plan is empty', async () => {
    const dir = await configDir({ 'c.yaml': config });
    const creates = `sys/(mounts|auth|audit)/[a-z]+-${id}|pki-${id}/root/generate/internal|identity/group-alias|${statePath.replace('/', '/data/')}`;
    const proxy = await brokenProxy({ fail: new RegExp(`^/v1/(${creates})$`), status: 500, lostAnswer: true });
    try {
      const applied = await cli(['apply', '-c', dir, '--auto-approve', '--state-path', statePath], { env: { VAULT_ADDR: proxy.addr } });
      expect(applied.code, applied.stderr + applied.stdout).toBe(0);
      // kv, pki, approle mounts, the audit device, root CA, group alias, and the state record's first write.
      expect(proxy.failed).toBe(openbao ? 6 : 7);
      expect(applied.stdout + applied.stderr).not.toContain('already in use');
    } finally {
      await proxy.close();
    }
    const mounts = (await vaultRequest('GET', 'sys/mounts')).json.data;
    expect(mounts[`kv-${id}/`]?.type).toBe('kv');
    expect((await vaultRequest('GET', 'sys/auth')).json.data[`ap-${id}/`]?.type).toBe('approle');
    if (!openbao) expect((await vaultRequest('GET', 'sys/audit')).json.data[`f-${id}/`]?.type).toBe('file');
    // Sent twice, the root generation would have made a second issuer, and the alias a second alias.
    expect((await vaultRequest('GET', `pki-${id}/issuers?list=true`)).json.data.keys).toHaveLength(1);
    const group = (await vaultRequest('GET', `identity/group/name/ext-${id}`)).json.data;
    expect(group.alias.name).toBe(`org-${id}`);
    const again = await cli(['plan', '-c', dir, '--detailed-exitcode', '--state-path', statePath]);
    expect(again.code, again.stderr + again.stdout).toBe(0);
  });
});
