// No half-applied run for a mistake that could be known (docs/preflight.md): per class of mistake,
// the CLI reports it at file:line:col (offline where no server is needed, else at plan time) and
// `apply --auto-approve` exits 1 with the server's policies, mounts, auth methods, audit devices and
// identity groups exactly as before.
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { serverEnv } from '../helpers/server.js';

const id = uniq('pf');
const NO_TRACE = /internal error|\n\s+at .+:\d+:\d+/;

/** What the server holds that a half-applied run would have changed. */
async function serverState(): Promise<Record<string, unknown>> {
  const keys = async (path: string): Promise<string[]> => {
    const r = await vaultRequest('GET', `${path}?list=true`);
    return r.status === 404 ? [] : ((r.json?.data?.keys ?? []) as string[]).sort();
  };
  const table = async (path: string): Promise<Record<string, unknown>> => {
    const data = ((await vaultRequest('GET', path)).json?.data ?? {}) as Record<string, { type?: unknown; accessor?: unknown }>;
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, [v.type, v.accessor]]));
  };
  const groups = await keys('identity/group/name');
  const detail = await Promise.all(
    groups.map(async (g) => {
      const d = (await vaultRequest('GET', `identity/group/name/${g}`)).json.data;
      return [g, { policies: d.policies, members: d.member_group_ids, alias: d.alias?.name ?? null }] as const;
    }),
  );
  return {
    policies: await keys('sys/policies/acl'),
    mounts: await table('sys/mounts'),
    auth: await table('sys/auth'),
    audit: await table('sys/audit'),
    groups: Object.fromEntries(detail),
    groupAliases: await keys('identity/group-alias/id'),
    entities: await keys('identity/entity/name'),
    entityAliases: await keys('identity/entity-alias/id'),
  };
}

/** Runs `validate`, `plan` and `apply --auto-approve`; apply must fail and leave the server as it was. */
async function refusedEverywhere(dir: string, opts: { offline: boolean }) {
  const validate = await cli(['validate', '-c', dir]);
  const plan = await cli(['plan', '-c', dir]);
  const before = await serverState();
  const apply = await cli(['apply', '-c', dir, '--auto-approve']);
  expect(apply.code, apply.stdout + apply.stderr).toBe(1);
  expect(await serverState()).toEqual(before);
  for (const r of [validate, plan, apply]) expect(r.stderr).not.toMatch(NO_TRACE);
  expect(plan.code, plan.stdout + plan.stderr).toBe(1);
  expect(validate.code, validate.stdout + validate.stderr).toBe(opts.offline ? 1 : 0);
  const closing = opts.offline ? 'nothing was sent to Vault.' : 'nothing was written to Vault.';
  expect(apply.stderr).toContain(closing);
  return { validate, plan, apply };
}

const policy = (name: string) => `  ${name}: { policy: 'path "a/*" { capabilities = ["read"] }' }`;
/** A jwt auth mount (offline keys URL) with one role `r`, as config lines. */
const jwtMount = (name: string, role: string[]) => [`  ${name}:`, '    type: jwt', '    config: { jwks_url: https://issuer.invalid/jwks }', '    roles:', ...role];

beforeAll(async () => {
  // The first apply of this file enables the state record's mount: done here, so the runs below can be compared whole.
  const dir = await configDir({ 'c.yaml': `policies:\n${policy(`warm-${id}`)}\n` });
  const r = await cli(['apply', '-c', dir, '--auto-approve']);
  expect(r.code, r.stderr).toBe(0);
});

describe('class 1: values Vault parses that we did not, and rules across entries', () => {
  it('a duration not named like one, two claims mapped to one metadata key, a metadata key Vault refuses: offline errors at file:line:col; apply changes nothing', async () => {
    const dir = await configDir({
      'c.yaml': [
        'policies:',
        policy(`p1-${id}`),
        'secrets:',
        `  kv-${id}:`,
        '    type: kv',
        '    options: { version: 2 }',
        '    config: { delete_version_after: 90 days }',
        'auth:',
        ...jwtMount(`jwt-${id}`, ['      r:', '        role_type: jwt', '        user_claim: sub', '        bound_subject: x', '        claim_mappings: { email: mail, upn: mail }']),
        'identity:',
        '  groups:',
        `    g1-${id}: { policies: [p1-${id}], metadata: { team.name: platform } }`,
        '',
      ].join('\n'),
    });
    const { validate, apply } = await refusedEverywhere(dir, { offline: true });
    for (const r of [validate, apply]) {
      expect(r.stderr).toContain(`${dir}/c.yaml:7:37: error: secrets.kv-${id}.config.delete_version_after: invalid duration "90 days"`);
      expect(r.stderr).toMatch(new RegExp(`${dir}/c\\.yaml:17:\\d+: error: auth\\.jwt-${id}\\.roles\\.r\\.claim_mappings\\.upn: claims email and upn are both mapped to the metadata key mail`));
      expect(r.stderr).toMatch(new RegExp(`${dir}/c\\.yaml:20:\\d+: error: identity\\.groups\\.g1-${id}\\.metadata\\.team\\.name: metadata key \`team\\.name\` has characters Vault refuses`));
    }
  });
});

describe("class 1b: a capability only the other server has", () => {
  const openbao = serverEnv().server === 'openbao';
  const foreign = openbao ? 'recover' : 'scan';
  const own = openbao ? 'scan' : 'recover';
  const yaml = (cap: string, name: string) =>
    ['policies:', `  ${name}:`, '    policy: |', '      path "a/*" {', `        capabilities = ["read", "${cap}"]`, '      }', 'secrets:', `  kv-${name}: { type: kv }`, ''].join('\n');

  it(`"${foreign}" passes validate (either server takes it), fails the plan at its file:line:col; apply changes nothing`, async () => {
    const dir = await configDir({ 'c.yaml': yaml(foreign, `cap1-${id}`) });
    const { plan, apply } = await refusedEverywhere(dir, { offline: false });
    for (const r of [plan, apply]) {
      expect(r.stderr).toContain(`${dir}/c.yaml:5:33: error: policies.cap1-${id}: policy cap1-${id}: capability "${foreign}" is ${openbao ? 'Vault' : 'OpenBao'}'s; this ${openbao ? 'OpenBao' : 'Vault'} server refuses the whole policy`);
    }
  });

  it(`"${own}" is applied, and the next plan is empty`, async () => {
    const dir = await configDir({ 'c.yaml': yaml(own, `cap2-${id}`) });
    const apply = await cli(['apply', '-c', dir, '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const plan = await cli(['plan', '-c', dir, '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });
});

describe('class 2: references only the live server can answer', () => {
  const yaml = (member: string, mount: string) =>
    [
      'policies:',
      policy(`p2-${id}`),
      'auth:',
      `  up-${id}:`,
      '    type: userpass',
      'identity:',
      '  groups:',
      `    team-${id}:`,
      `      policies: [p2-${id}]`,
      `      member_groups: [${member}]`,
      `    ext-${id}:`,
      '      type: external',
      `      policies: [p2-${id}]`,
      `      alias: { name: devs, mount: ${mount} }`,
      '',
    ].join('\n');

  it('a member group and an alias mount in neither the config nor Vault: warnings offline, plan errors at their place; apply changes nothing', async () => {
    const dir = await configDir({ 'c.yaml': yaml(`ghost-${id}`, `gone-${id}`) });
    const { validate, plan, apply } = await refusedEverywhere(dir, { offline: false });
    expect(validate.stderr).toContain(`member group ghost-${id} is not declared under identity.groups`);
    for (const r of [plan, apply]) {
      expect(r.stderr).toContain(`${dir}/c.yaml:10:23: error: identity.groups.team-${id}.member_groups.0: member group ghost-${id} is neither declared in the config nor in Vault`);
      expect(r.stderr).toContain(`${dir}/c.yaml:14:28: error: identity.groups.ext-${id}.alias.mount: auth mount gone-${id} (of the group's alias) is neither declared in the config nor in Vault`);
    }
  });

  it("an entity's alias on an auth mount in neither the config nor Vault: a warning offline, a plan error at its place; apply changes nothing", async () => {
    const dir = await configDir({
      'c.yaml': ['policies:', policy(`p2e-${id}`), 'identity:', '  entities:', `    alice-${id}:`, `      policies: [p2e-${id}]`, `      aliases: [{ name: alice, mount: nowhere-${id} }]`, ''].join('\n'),
    });
    const { validate, plan, apply } = await refusedEverywhere(dir, { offline: false });
    expect(validate.stderr).toContain(`auth mount nowhere-${id} is not declared under auth`);
    for (const r of [plan, apply]) {
      expect(r.stderr).toMatch(new RegExp(`c\\.yaml:7:\\d+: error: identity\\.entities\\.alice-${id}\\.aliases\\.0\\.mount: auth mount nowhere-${id} \\(of the entity's alias\\) is neither declared in the config nor in Vault`));
    }
  });

  it('what exists live resolves them (and a saved plan whose reference has gone since writes nothing)', async () => {
    const ghost = `live-${id}`;
    expect((await vaultRequest('POST', `identity/group/name/${ghost}`, { type: 'internal' })).status).toBeLessThan(300);
    const dir = await configDir({ 'c.yaml': yaml(ghost, `up-${id}`) });
    const planFile = `${dir}/plan.json`;
    const planned = await cli(['plan', '-c', dir, '--out', planFile]);
    expect(planned.code, planned.stderr).toBe(0);
    expect((await vaultRequest('DELETE', `identity/group/name/${ghost}`)).status).toBeLessThan(300);
    const before = await serverState();
    const apply = await cli(['apply', planFile, '-c', dir, '--auto-approve']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(apply.stderr).toContain(`${dir}/c.yaml:10:23: error: identity.groups.team-${id}.member_groups.0: member group ${ghost} is neither declared in the config nor in Vault`);
    expect(await serverState()).toEqual(before);
  });
});

describe('class 3: write-only secrets written as literals', () => {
  it('a literal token_reviewer_jwt: an offline error at file:line:col without the value; apply changes nothing', async () => {
    const secret = `eyJliteral-${id}`;
    const dir = await configDir({
      'c.yaml': ['policies:', policy(`p3-${id}`), 'auth:', `  k8s-${id}:`, '    type: kubernetes', '    config:', '      kubernetes_host: https://kubernetes.invalid:6443', `      token_reviewer_jwt: ${secret}`, ''].join('\n'),
    });
    const { validate, apply } = await refusedEverywhere(dir, { offline: true });
    for (const r of [validate, apply]) {
      expect(r.stderr).toContain(`${dir}/c.yaml:8:27: error: auth.k8s-${id}.config.token_reviewer_jwt: the write-only secret \`token_reviewer_jwt\` is written here as a literal`);
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
  });
});

describe('class 4: messages and hints that point the right way', () => {
  it('a bound claim given as a mapping says what a claim takes; apply changes nothing', async () => {
    const dir = await configDir({
      'c.yaml': [
        'policies:',
        policy(`p4-${id}`),
        'auth:',
        ...jwtMount(`jwt4-${id}`, ['      r: { role_type: jwt, user_claim: sub, bound_claims: { repo: { name: x } } }']),
        '',
      ].join('\n'),
    });
    const { validate } = await refusedEverywhere(dir, { offline: true });
    expect(validate.stderr).toMatch(new RegExp(`${dir}/c\\.yaml:8:\\d+: error: auth\\.jwt4-${id}\\.roles\\.r\\.bound_claims\\.repo: must be a string or a list of strings per claim, got a mapping`));
  });

  it('outside git, a moved config is refused with a --state-id hint that, followed, works', async () => {
    const statePath = `vault-gitops/pf-${id}`;
    const text = `policies:\n${policy(`p5-${id}`)}\n`;
    // Derive the owner id from the directory, as a user without --state-id gets it.
    const run = (dir: string, extra: string[] = []) => cli(['apply', '-c', dir, '--auto-approve', '--state-path', statePath, ...extra], { env: { VAULT_GITOPS_STATE_ID: '' } });
    const first = await configDir({ 'c.yaml': text });
    expect((await run(first)).code).toBe(0);
    const moved = await configDir({ 'c.yaml': text });
    const refused = await run(moved);
    expect(refused.code, refused.stderr).toBe(1);
    const hinted = /--state-id '([^']*)'/.exec(refused.stderr)?.[1];
    expect(hinted, refused.stderr).toBe(first);
    expect(hinted!.startsWith('/')).toBe(true);
    const followed = await run(moved, ['--state-id', hinted!]);
    expect(followed.code, followed.stderr).toBe(0);
  });
});
