// Vault is the oracle of the evaluator's per-operation answer (evaluate): random policies under
// `cubbyhole/` (every token has its own cubbyhole, so the requests touch nothing shared) and real
// requests with a token holding them: read (GET), list (GET ?list=true: Vault adds the trailing `/`),
// create and update (a write of {"v": "1"} to a key that does not / does exist), delete. A request is
// allowed unless Vault answers 403; the evaluator, given the request's parameters, must agree on
// every case: capabilities and the rule's constraints (parameters, wrapping). A read or list mismatch is
// shrunk to its smallest policy set; tokens are never printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAcl, evaluate } from '../../../src/core/access/acl.js';
import { parsePolicy } from '../../../src/core/access/policy-rules.js';
import { uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { CaseGenerator, policyHcl, random, shrink, type CasePolicy } from './acl-cases.js';
import { PolicySlots } from './acl-server.js';

const SEED = Number(process.env.VAULT_GITOPS_ACL_SEED ?? 20261207);
const MIN_CASES = 1000;
const PATHS_PER_SET = 10;
const MAX_POLICIES = 4;
const PREFIX = 'cubbyhole/';
type Action = 'read' | 'list' | 'write' | 'delete';
const ACTIONS: Action[] = ['read', 'list', 'write', 'delete'];

const slots = new PolicySlots(uniq('aclop'), MAX_POLICIES);
const tokens: string[] = [];
/** The keys present in each token's cubbyhole: a write there is an update, elsewhere a create. */
const present: Array<Set<string>> = [];

beforeAll(async () => {
  for (let k = 1; k <= MAX_POLICIES; k++) {
    tokens[k] = await slots.token(k);
    present[k] = new Set();
  }
});

afterAll(() => slots.cleanup());

/** The request as Vault's HTTP API takes it; its status. */
async function perform(token: string, path: string, action: Action): Promise<number> {
  const full = `${PREFIX}${path}`;
  switch (action) {
    case 'read':
      return (await vaultRequest('GET', full, undefined, { token })).status;
    case 'list':
      return (await vaultRequest('GET', `${full}?list=true`, undefined, { token })).status;
    case 'write':
      return (await vaultRequest('POST', full, { v: '1' }, { token })).status;
    case 'delete':
      return (await vaultRequest('DELETE', full, undefined, { token })).status;
  }
}

/** What `perform` sends besides path and operation (the constraints are checked against it). */
const details = (action: Action) => ({ data: action === 'write' ? { v: '1' } : {} });

const ours = (policies: CasePolicy[], path: string, operation: string) =>
  evaluate(buildAcl(policies.map((rules, i) => parsePolicy(slots.name(i), policyHcl(rules, PREFIX)).policy)), `${PREFIX}${path}`, operation, details(operation === 'read' || operation === 'list' || operation === 'delete' ? operation : 'write')).allowed;

interface Mismatch {
  policies: CasePolicy[];
  path: string;
  operation: string;
  server: boolean;
}

async function describeMismatch(m: Mismatch): Promise<string> {
  let small = m.policies;
  if (m.operation === 'read' || m.operation === 'list') {
    const fails = async (p: CasePolicy[]) => {
      await slots.write(p, PREFIX);
      return ((await perform(tokens[p.length]!, m.path, m.operation as Action)) !== 403) !== ours(p, m.path, m.operation);
    };
    small = await shrink(m.policies, fails);
  }
  const texts = small.map((rules, i) => `# policy ${slots.name(i)}\n${policyHcl(rules, PREFIX)}`).join('');
  return `${texts}request: ${m.operation} ${PREFIX}${m.path}\nserver allows: ${m.server}\nevaluator allows: ${ours(small, m.path, m.operation)}`;
}

describe(`ACL evaluator per operation against ${serverEnv().server} ${serverEnv().version} (real requests)`, () => {
  it(`agrees on at least ${MIN_CASES} read, list, create, update and delete requests (seed ${SEED})`, { timeout: 240_000 }, async () => {
    const rnd = random(SEED);
    const gen = new CaseGenerator(rnd);
    const mismatches: Mismatch[] = [];
    const seen = new Set<string>();
    let cases = 0;
    let refusals = 0;
    while (cases < MIN_CASES) {
      const policies = gen.policySet();
      const k = policies.length;
      await slots.write(policies, PREFIX);
      const acl = buildAcl(policies.map((rules, i) => parsePolicy(slots.name(i), policyHcl(rules, PREFIX)).policy));
      // HTTP paths: no empty segment (a `//` is redirected) and no leading `/`.
      const paths = gen.requestPaths(policies, PATHS_PER_SET).map((p) => p.replace(/^\/+/, '').replace(/\/{2,}/g, '/'));
      for (const path of paths) {
        const first = ACTIONS[Math.floor(rnd() * ACTIONS.length)]!;
        if (first === 'write' && path.endsWith('/')) continue;
        // A write is sometimes repeated: the second one is an update of what the first created.
        for (const action of first === 'write' && rnd() < 0.5 ? [first, first] : [first]) {
          const operation = action === 'write' ? (present[k]!.has(path) ? 'update' : 'create') : action;
          const allowed = (await perform(tokens[k]!, path, action)) !== 403;
          if (allowed && action === 'write') present[k]!.add(path);
          if (allowed && action === 'delete') present[k]!.delete(path);
          cases++;
          seen.add(operation);
          const answer = evaluate(acl, `${PREFIX}${path}`, operation, details(action));
          if (answer.refused !== undefined) refusals++;
          if (allowed !== answer.allowed) mismatches.push({ policies, path, operation, server: allowed });
        }
      }
    }
    const shown = mismatches.length > 0 ? await describeMismatch(mismatches[0]!) : '';
    expect(mismatches.length, `${mismatches.length} of ${cases} requests disagree; the first:\n${shown}`).toBe(0);
    expect([...seen].sort()).toEqual(['create', 'delete', 'list', 'read', 'update']);
    // Some granted requests were refused by a constraint: that logic was exercised too.
    expect(refusals).toBeGreaterThan(0);
  });
});
