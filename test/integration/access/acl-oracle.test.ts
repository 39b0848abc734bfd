// Vault is the oracle of the ACL evaluator (src/core/access): random policy sets are written to the
// real server, a token holds them, and `sys/capabilities` for that token must answer exactly what
// the evaluator answers, on every request path. Tokens are reused: one per number of policies, the
// policies' texts rewritten for each set. A mismatch is shrunk to its smallest policy set and
// printed (policies, path, both answers; never a token).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAcl, capabilitiesAt } from '../../../src/core/access/acl.js';
import { defaultPolicy, SHIPPED_DEFAULT_POLICY } from '../../../src/core/access/default-policy.js';
import { parsePolicy, type ParsedPolicy } from '../../../src/core/access/policy-rules.js';
import { uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { CaseGenerator, policyHcl, random, shrink, type CasePolicy } from './acl-cases.js';
import { ok, PolicySlots } from './acl-server.js';

const SEED = Number(process.env.VAULT_GITOPS_ACL_SEED ?? 20261206);
const MIN_CASES = 2000;
const PATHS_PER_SET = 22;
const MAX_POLICIES = 4;
const DEFAULT_PATHS = ['cubbyhole/x', 'cubbyhole/', 'auth/token/lookup-self', 'sys/tools/hash/sha2-256', 'identity/oidc/provider/p/authorize', 'sys/control-group/request'];

const slots = new PolicySlots(uniq('aclo'), MAX_POLICIES);
const policyName = (i: number) => slots.name(i);
/** tokens[k]: holds policies p0..p(k-1) (and `default` in withDefault[k]). Never printed. */
const tokens: string[] = [];
const withDefault: string[] = [];
let serverDefault = '';

const writePolicies = (policies: CasePolicy[]) => slots.write(policies);

async function serverCapabilities(token: string, paths: string[]): Promise<Record<string, string[]>> {
  const json = await ok<{ data: Record<string, string[]> }>(vaultRequest('POST', 'sys/capabilities', { token, paths }), 'sys/capabilities');
  return Object.fromEntries(paths.map((p) => [p, [...(json.data[p] ?? ['<missing>'])].sort()]));
}

function parsed(policies: CasePolicy[], useDefault: boolean): ParsedPolicy[] {
  const out = policies.map((rules, i) => {
    const { policy, problems } = parsePolicy(policyName(i), policyHcl(rules));
    if (problems.length > 0) throw new Error(`generated policy refused: ${JSON.stringify(problems)}`);
    return policy;
  });
  return useDefault ? [...out, defaultPolicy(serverDefault)] : out;
}

const ours = (policies: CasePolicy[], useDefault: boolean, path: string) => capabilitiesAt(buildAcl(parsed(policies, useDefault)), path).capabilities;
const same = (a: string[], b: string[]) => a.join(',') === b.join(',');

interface Mismatch {
  policies: CasePolicy[];
  useDefault: boolean;
  path: string;
}

/** The case, shrunk while the server and the evaluator still disagree on its path, as readable text. */
async function smallest(m: Mismatch): Promise<string> {
  const token = (p: CasePolicy[]) => (m.useDefault ? withDefault : tokens)[p.length]!;
  const fails = async (p: CasePolicy[]) => {
    await writePolicies(p);
    const server = (await serverCapabilities(token(p), [m.path]))[m.path]!;
    return !same(server, ours(p, m.useDefault, m.path));
  };
  const small = await shrink(m.policies, fails);
  await writePolicies(small);
  const server = (await serverCapabilities(token(small), [m.path]))[m.path]!;
  const texts = small.map((rules, i) => `# policy ${policyName(i)}\n${policyHcl(rules)}`).join('');
  return `${texts}${m.useDefault ? '# + the default policy\n' : ''}request path: ${JSON.stringify(m.path)}\nserver:    ${server.join(', ')}\nevaluator: ${ours(small, m.useDefault, m.path).join(', ')}`;
}

beforeAll(async () => {
  const json = await ok<{ data: { policy: string } }>(vaultRequest('GET', 'sys/policies/acl/default'), 'read the default policy');
  serverDefault = json.data.policy;
  for (let k = 1; k <= MAX_POLICIES; k++) {
    tokens[k] = await slots.token(k);
    withDefault[k] = await slots.token(k, true);
  }
});

afterAll(() => slots.cleanup());

describe(`ACL evaluator against ${serverEnv().server} ${serverEnv().version} (sys/capabilities)`, () => {
  it(`agrees on at least ${MIN_CASES} random cases (seed ${SEED})`, { timeout: 240_000 }, async () => {
    const gen = new CaseGenerator(random(SEED));
    const mismatches: Mismatch[] = [];
    let cases = 0;
    for (let set = 0; cases < MIN_CASES; set++) {
      const policies = gen.policySet();
      const useDefault = set % 4 === 3;
      const paths = gen.requestPaths(policies, PATHS_PER_SET);
      if (useDefault) paths.push(...DEFAULT_PATHS);
      await writePolicies(policies);
      const server = await serverCapabilities((useDefault ? withDefault : tokens)[policies.length]!, paths);
      const acl = buildAcl(parsed(policies, useDefault));
      for (const path of paths) {
        cases++;
        if (!same(server[path]!, capabilitiesAt(acl, path).capabilities)) mismatches.push({ policies, useDefault, path });
      }
    }
    const shown = mismatches.length > 0 ? await smallest(mismatches[0]!) : '';
    expect(mismatches.length, `${mismatches.length} of ${cases} cases disagree; the first, shrunk:\n${shown}`).toBe(0);
    expect(cases).toBeGreaterThanOrEqual(MIN_CASES);
  });

  it('a token with the root policy: root everywhere, on both sides', async () => {
    const token = (await ok<{ auth: { client_token: string } }>(vaultRequest('POST', 'auth/token/create', { policies: ['root'], ttl: '1h' }), 'create a root token')).auth.client_token;
    try {
      const paths = ['sys/policies/acl/x', 'secret/data/a', 'a/'];
      const server = await serverCapabilities(token, paths);
      const acl = buildAcl([{ name: 'root', rules: [] }]);
      for (const p of paths) expect(server[p], p).toEqual(capabilitiesAt(acl, p).capabilities);
    } finally {
      await vaultRequest('POST', 'auth/token/revoke', { token });
    }
  });

  it("the shipped default policy has the server's rules (OpenBao: less the Enterprise control-group path)", () => {
    const rules = (text: string) => parsePolicy('default', text).policy.rules.map((r) => `${r.path} ${r.capabilities.join(',')}`);
    const shipped = rules(SHIPPED_DEFAULT_POLICY);
    const expected = serverEnv().server === 'openbao' ? shipped.filter((r) => !r.startsWith('sys/control-group/')) : shipped;
    expect(rules(serverDefault)).toEqual(expected);
  });
});
