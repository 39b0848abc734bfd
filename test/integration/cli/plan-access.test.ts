// The reviewer's scenarios through the built CLI against the real server: a config is applied, then
// each scenario changes one thing and plans it. The access changes must name exactly the principals
// and capabilities affected, at the top of the text, markdown and JSON plans, and --fail-on must fail
// the check with exit 3. (A CA newly published to namespaces: test/integration/kubernetes/ca-bundles-access.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessChanges, Plan } from '../../../src/core/model.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';

const id = uniq('pa');
const ar = `ar-${id}`;
const jwt = `jwt-${id}`;
const shared = `${id}-shared`;
const ops = `${id}-ops`;
const deploy = `${id}-deploy`;
const MAIN = 'repo:org/app:ref:refs/heads/main';
let idp: OidcProvider;

interface Scenario {
  sudo?: boolean;
  aclWrite?: boolean;
  claims?: string;
  discovery?: string;
}

const rule = (path: string, ...caps: string[]) => `      path "${path}" { capabilities = [${caps.map((c) => `"${c}"`).join(', ')}] }`;

function yaml(s: Scenario = {}): string {
  return [
    'policies:',
    `  ${shared}:`,
    '    policy: |',
    rule('secret/data/app/*', 'read'),
    rule('sys/audit/*', ...(s.sudo ? ['read', 'sudo'] : ['read'])),
    `  ${ops}:`,
    '    policy: |',
    rule('secret/data/ops/*', 'read', 'list'),
    ...(s.aclWrite ? [rule('sys/policies/acl/*', 'create', 'update')] : []),
    `  ${deploy}:`,
    '    policy: |',
    rule('secret/data/deploy/*', 'read'),
    'auth:',
    `  ${ar}:`,
    '    type: approle',
    '    roles:',
    `      web: { token_policies: [${shared}], token_no_default_policy: true }`,
    `      worker: { token_policies: [${shared}], token_no_default_policy: true }`,
    `      ci: { token_policies: [${ops}], token_no_default_policy: true }`,
    `  ${jwt}:`,
    '    type: jwt',
    '    config:',
    `      oidc_discovery_url: ${s.discovery ?? idp.issuer}`,
    `      bound_issuer: ${idp.issuer}`,
    '    roles:',
    '      deploy:',
    '        role_type: jwt',
    '        user_claim: sub',
    '        bound_audiences: [vault]',
    '        bound_claims_type: glob',
    `        bound_claims: { sub: "${s.claims ?? MAIN}" }`,
    `        token_policies: [${deploy}]`,
    '        token_no_default_policy: true',
    '',
  ].join('\n');
}

/** The plan of the scenario as text (with --fail-on privileged), markdown (with --fail-on access) and JSON. */
async function planned(s: Scenario) {
  const dir = await configDir({ 'vault.yaml': yaml(s) });
  const text = await cli(['plan', '-c', dir, '--fail-on', 'privileged'], { cwd: dir });
  const markdown = await cli(['plan', '-c', dir, '-o', 'markdown', '--fail-on', 'access'], { cwd: dir });
  const json = await cli(['plan', '-c', dir, '-o', 'json'], { cwd: dir });
  expect(json.code, json.stderr).toBe(0);
  return { text, markdown, access: (JSON.parse(json.stdout) as Plan).access_changes };
}

beforeAll(async () => {
  idp = await startOidcProvider();
  const dir = await configDir({ 'vault.yaml': yaml() });
  const applied = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
  expect(applied.code, applied.stdout + applied.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await idp?.close();
});

const web = `auth/${ar}/roles/web`;
const worker = `auth/${ar}/roles/worker`;

describe('access changes in the plan, through the CLI', () => {
  it('a plan with no change has no access section, and --fail-on access passes', async () => {
    const dir = await configDir({ 'vault.yaml': yaml() });
    const r = await cli(['plan', '-c', dir, '--fail-on', 'access', '--detailed-exitcode'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Access changes');
    const json = await cli(['plan', '-c', dir, '-o', 'json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).not.toHaveProperty('access_changes');
  });

  it('sudo added to a shared policy: both roles holding it gain sudo on sys/audit/*, privileged, exit 3', async () => {
    const { text, markdown, access } = await planned({ sudo: true });
    const gained = { pattern: 'sys/audit/*', before: ['read'], after: ['read', 'sudo'], gained: ['sudo'], lost: [], privileged: ['sudo', 'sys/'] };
    expect(access).toEqual<AccessChanges>({
      summary: { principals: 2, privileged: 2, widened: 0, trust: 0 },
      principals: [web, worker].map((address) => ({ address, status: 'changed', privileged: ['sudo', 'sys/'], capabilities: [gained] })),
      trust: [],
    });
    expect(text.code, text.stderr).toBe(3);
    expect(text.stderr).toContain('error: the plan has 2 privileged access findings (--fail-on privileged)');
    expect(text.stdout.split('\n').slice(0, 3)).toEqual([
      '!! PRIVILEGED ACCESS CHANGES: a second reviewer should approve them (plan --fail-on privileged exits 3)',
      `  ! ${web} gains sudo on sys/audit/*: sudo, sys/`,
      `  ! ${worker} gains sudo on sys/audit/*: sudo, sys/`,
    ]);
    expect(text.stdout.indexOf('Access changes:')).toBeLessThan(text.stdout.indexOf('vault-gitops will perform'));
    expect(markdown.code).toBe(3);
    expect(markdown.stdout).toContain(`> - ${web} gains sudo on sys/audit/\\*: sudo, sys/`);
    expect(markdown.stdout).toContain(`| ~ ${web} | sys/audit/\\* | read | read, sudo | ⚠️ privileged: sudo, sys/ |`);
    expect(markdown.stdout.indexOf('#### Access changes')).toBeLessThan(markdown.stdout.indexOf('| | Action | Address | Reason |'));
  });

  it('a principal gaining write on sys/policies/acl/*: privilege escalation, exit 3', async () => {
    const { text, markdown, access } = await planned({ aclWrite: true });
    const escalation = ['sys/', 'write access to ACL policies (privilege escalation)'];
    expect(access?.principals).toEqual([
      {
        address: `auth/${ar}/roles/ci`,
        status: 'changed',
        privileged: escalation,
        capabilities: [{ pattern: 'sys/policies/acl/*', before: [], after: ['create', 'update'], gained: ['create', 'update'], lost: [], privileged: [escalation[1], escalation[0]] }],
      },
    ]);
    expect(text.code).toBe(3);
    expect(text.stdout.split('\n')[1]).toBe(`  ! auth/${ar}/roles/ci gains create, update on sys/policies/acl/*: write access to ACL policies (privilege escalation), sys/`);
    expect(markdown.code).toBe(3);
    expect(markdown.stdout).toContain(`| ~ auth/${ar}/roles/ci | sys/policies/acl/\\* | (none) | create, update | ⚠️ privileged: write access to ACL policies (privilege escalation), sys/ |`);
  });

  it('bound_claims widened on a JWT role: the binding, flagged widened; --fail-on access exits 3, privileged passes', async () => {
    const { text, markdown, access } = await planned({ claims: 'repo:org/*' });
    expect(access).toEqual<AccessChanges>({
      summary: { principals: 1, privileged: 0, widened: 1, trust: 0 },
      principals: [
        {
          address: `auth/${jwt}/roles/deploy`,
          status: 'changed',
          privileged: [],
          capabilities: [],
          bindings: [{ field: 'bound_claims', before: { sub: MAIN }, after: { sub: 'repo:org/*' }, widened: 'claim "sub" admits "repo:org/*"' }],
        },
      ],
      trust: [],
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n').slice(0, 3)).toEqual([
      'Access changes:',
      `  ~ auth/${jwt}/roles/deploy`,
      `      bound_claims: {"sub":"${MAIN}"} → {"sub":"repo:org/*"}  [widened: claim "sub" admits "repo:org/*"]`,
    ]);
    expect(markdown.code).toBe(3);
    expect(markdown.stderr).toContain('error: the plan has 1 access finding (--fail-on access)');
    expect(markdown.stdout).toContain(`| ~ auth/${jwt}/roles/deploy | bound\\_claims (binding) | {"sub":"${MAIN}"} | {"sub":"repo:org/\\*"} | widened: claim "sub" admits "repo:org/\\*" |`);
  });

  it('a new OIDC discovery host: a trust change at the top; --fail-on access exits 3', async () => {
    const evil = 'https://idp.attacker.example';
    const { text, markdown, access } = await planned({ discovery: evil });
    expect(access).toEqual<AccessChanges>({
      summary: { principals: 0, privileged: 0, widened: 0, trust: 1 },
      principals: [],
      trust: [
        {
          address: `auth/${jwt}/config`,
          kind: 'jwt-config',
          subject: 'JWT/OIDC key source',
          what: 'JWT/OIDC key source: oidc_discovery_url changed',
          fields: [{ name: 'oidc_discovery_url', before: idp.issuer, after: evil }],
        },
      ],
    });
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').slice(0, 3)).toEqual([
      'Access changes:',
      `  ~ auth/${jwt}/config: JWT/OIDC key source: oidc_discovery_url changed  [trust]`,
      `      oidc_discovery_url: "${idp.issuer}" → "${evil}"`,
    ]);
    expect(markdown.code).toBe(3);
    expect(markdown.stdout).toContain(`- 🔑 auth/${jwt}/config: JWT/OIDC key source: oidc\\_discovery\\_url changed`);
  });

  it('a targeted plan says what it did not compare, and --fail-on counts it', async () => {
    const dir = await configDir({ 'vault.yaml': yaml({ sudo: true }) });
    const r = await cli(['plan', '-c', dir, '--target', `policy/${shared}`, '--fail-on', 'privileged'], { cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain('? not compared: a targeted plan reads only its targets');
  });
});
