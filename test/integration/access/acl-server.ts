// The server side of the ACL oracle tests: policies written under names of one test file, and
// tokens holding the first k of them. Tokens never leave this module's callers' memory (never printed).
import { vaultRequest } from '../helpers/vault-http.js';
import { policyHcl, type CasePolicy } from './acl-cases.js';

export async function ok<T>(p: Promise<{ status: number; json: T }>, what: string): Promise<T> {
  const res = await p;
  if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.json)}`);
  return res.json;
}

export class PolicySlots {
  private readonly tokens: string[] = [];

  constructor(
    private readonly run: string,
    readonly size: number,
  ) {}

  name(i: number): string {
    return `${this.run}-p${i}`;
  }

  /** Writes the policies into slots 0..n-1 (`prefix` puts every pattern under a path). */
  async write(policies: readonly CasePolicy[], prefix = ''): Promise<void> {
    for (const [i, rules] of policies.entries()) await ok(vaultRequest('PUT', `sys/policies/acl/${this.name(i)}`, { policy: policyHcl(rules, prefix) }), `write policy ${i}`);
  }

  /** A token holding slots 0..k-1 (and `default` too when asked). */
  async token(k: number, withDefault = false): Promise<string> {
    const policies = [...Array.from({ length: k }, (_, i) => this.name(i)), ...(withDefault ? ['default'] : [])];
    const json = await ok<{ auth: { client_token: string } }>(vaultRequest('POST', 'auth/token/create', { policies, no_default_policy: !withDefault, ttl: '1h' }), 'create a token');
    this.tokens.push(json.auth.client_token);
    return json.auth.client_token;
  }

  async cleanup(): Promise<void> {
    for (const token of this.tokens) await vaultRequest('POST', 'auth/token/revoke', { token });
    for (let i = 0; i < this.size; i++) await vaultRequest('DELETE', `sys/policies/acl/${this.name(i)}`);
  }
}
