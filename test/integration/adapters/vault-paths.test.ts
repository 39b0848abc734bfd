// The Vault adapter never sends a path with a `.` or `..` segment: the URL would resolve it, and the
// request would land on another object (`sys/audit/../../sys/policies/acl/x` is `sys/policies/acl/x`).
import { afterAll, describe, expect, it } from 'vitest';
import { uniq } from '../helpers/cli.js';
import { vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';

const vault = vaultClient();
afterAll(() => vault.close());

describe('paths that a URL would resolve elsewhere', () => {
  it('are refused before anything is sent, also written with %2e; the object they point at is not touched', async () => {
    const name = uniq('dots');
    const policy = { policy: 'path "a/*" { capabilities = ["read"] }' };
    for (const path of [`sys/audit/../../sys/policies/acl/${name}`, `sys/auth/%2e%2e/policies/acl/${name}`, `sys/policies/acl/./${name}`]) {
      await expect(vault.write(path, policy)).rejects.toThrow(`refused to send POST ${path}: a \`.\` or \`..\` segment would address another path`);
      await expect(vault.delete(path)).rejects.toThrow('refused to send DELETE');
    }
    expect((await vaultRequest('GET', `sys/policies/acl/${name}`)).status).toBe(404);
    // The same request the adapter refuses does reach the policy when sent as is.
    expect((await vaultRequest('POST', `sys/audit/../../sys/policies/acl/${name}`, policy)).status).toBe(204);
    expect((await vaultRequest('GET', `sys/policies/acl/${name}`)).status).toBe(200);
    await vaultRequest('DELETE', `sys/policies/acl/${name}`);
  });

  it('a name with dots inside a segment passes', async () => {
    const name = `${uniq('dots')}.a.b`;
    await vault.write(`sys/policies/acl/${name}`, { policy: 'path "a/*" { capabilities = ["read"] }' });
    expect((await vaultRequest('GET', `sys/policies/acl/${name}`)).status).toBe(200);
    await vault.delete(`sys/policies/acl/${name}`);
  });
});
