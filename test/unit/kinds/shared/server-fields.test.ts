import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/core/errors.js';
import type { Config, DesiredObject } from '../../../../src/core/model.js';
import type { VaultPort } from '../../../../src/core/ports.js';
import { checkServerOnlyFields } from '../../../../src/kinds/shared/server-fields.js';

/** Answers sys/health as Vault (with `enterprise`), as OpenBao (without), or not at all (an offline snapshot without it). */
function server(kind: 'vault' | 'openbao' | 'unknown') {
  const asked: string[] = [];
  const vault = {
    async read(path: string) {
      asked.push(path);
      if (kind === 'unknown') throw new Error('the snapshot has no answer for GET sys/health');
      return kind === 'vault' ? { initialized: true, enterprise: false } : { initialized: true };
    },
  } as unknown as VaultPort;
  return { vault, asked };
}
const config = { auth: { up: { type: 'userpass' } }, sources: new Map([['auth.up.users.alice.token_strictly_bind_ip', { file: 'c.yaml', line: 7, col: 37 }]]) } as unknown as Config;
const alice = (settings: Record<string, unknown>) => ({ kind: 'userpass-user', address: 'auth/up/users/alice', mount: 'up', name: 'alice', settings }) as unknown as DesiredObject;
const at = (d: DesiredObject) => `auth.${d.mount}.users.${d.name}`;
const failure = (p: Promise<void>) => p.then(() => undefined, (err: unknown) => (err instanceof ConfigError ? err.diagnostics.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.message}`) : err));

describe('fields only the other server has, on kinds with the shared token fields', () => {
  it('on a new mount, asks which server this is: Vault refuses token_strictly_bind_ip at its place, OpenBao takes it', async () => {
    const v = server('vault');
    expect(await failure(checkServerOnlyFields(v.vault, config, [alice({ token_strictly_bind_ip: true })], new Map(), at))).toEqual([
      "7:37 auth/up/users/alice: this server's userpass auth method has no `token_strictly_bind_ip` (only OpenBao has it)",
    ]);
    const o = server('openbao');
    expect(await failure(checkServerOnlyFields(o.vault, config, [alice({ token_strictly_bind_ip: true })], new Map(), at))).toBeUndefined();
  });

  it('beside a live object, goes by what the server read back, without asking', async () => {
    const v = server('openbao');
    const keys = new Map([['auth/up/users/bob', new Set(['token_policies', 'token_ttl'])]]);
    expect(await failure(checkServerOnlyFields(v.vault, config, [alice({ token_strictly_bind_ip: false })], keys, at))).toHaveLength(1);
    expect(v.asked).toEqual([]);
  });

  it('asks nothing when no such field is declared, and lets it pass when the server cannot be told', async () => {
    const v = server('vault');
    await checkServerOnlyFields(v.vault, config, [alice({ token_ttl: 60 })], new Map(), at);
    expect(v.asked).toEqual([]);
    expect(await failure(checkServerOnlyFields(server('unknown').vault, config, [alice({ token_strictly_bind_ip: true })], new Map(), at))).toBeUndefined();
  });
});
