import { describe, expect, it } from 'vitest';
import type { Change, DesiredObject, LiveObject } from '../../../../src/core/model.js';
import { accessFindings, caBundleTrust, planAccessChanges, TARGETED_NOTE } from '../../../../src/core/plan/access-changes.js';
import type { PublishEntry } from '../../../../src/core/plan/ca-bundles.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { desired, live, plan } from '../../fixtures/objects.js';

const rule = (path: string, ...caps: string[]) => `path "${path}" {\n  capabilities = [${caps.map((c) => `"${c}"`).join(', ')}]\n}\n`;
const role = (name: string, policies: string[]) => ({ token_policies: policies, token_no_default_policy: true, token_ttl: 3600 });

/** The planner's changes, then the access section over the same data. */
function access(d: DesiredObject[], l: LiveObject[], targeted = false) {
  const { changes } = plan({ desired: d, live: l });
  return planAccessChanges({ desired: d, live: l, changes, kinds: KINDS, targeted });
}

describe('the plan access section', () => {
  it('sudo added to a shared policy: every principal carrying it, the unmanaged one too, privileged', () => {
    const before = rule('secret/data/app/*', 'read') + rule('sys/audit/*', 'read');
    const after = rule('secret/data/app/*', 'read') + rule('sys/audit/*', 'read', 'sudo');
    const roles = ['a', 'b'].map((n) => desired('approle-role', `auth/approle/roles/${n}`, role(n, ['shared'])));
    const a = access(
      [desired('policy', 'policies/shared', { policy: after }), ...roles],
      [
        live('policy', 'policies/shared', { policy: before }),
        ...['a', 'b', 'by-hand'].map((n) => live('approle-role', `auth/approle/roles/${n}`, role(n, ['shared']))),
      ],
    );
    const sudo = { pattern: 'sys/audit/*', before: ['read'], after: ['read', 'sudo'], gained: ['sudo'], lost: [], privileged: ['sudo', 'sys/'] };
    expect(a).toEqual({
      summary: { principals: 3, privileged: 3, widened: 0, trust: 0 },
      principals: ['a', 'b', 'by-hand'].map((n) => ({ address: `auth/approle/roles/${n}`, status: 'changed', privileged: ['sudo', 'sys/'], capabilities: [sudo] })),
      trust: [],
    });
    expect(accessFindings(a, 'privileged')).toBe(3);
  });

  it('a principal gaining write on sys/policies/acl/*: privilege escalation', () => {
    const p = (text: string) => ({ policy: text });
    const a = access(
      [desired('policy', 'policies/ops', p(rule('secret/*', 'read') + rule('sys/policies/acl/*', 'create', 'update'))), desired('approle-role', 'auth/approle/roles/ci', role('ci', ['ops']))],
      [live('policy', 'policies/ops', p(rule('secret/*', 'read'))), live('approle-role', 'auth/approle/roles/ci', role('ci', ['ops']))],
    );
    expect(a?.principals).toEqual([
      {
        address: 'auth/approle/roles/ci',
        status: 'changed',
        privileged: ['sys/', 'write access to ACL policies (privilege escalation)'],
        capabilities: [{ pattern: 'sys/policies/acl/*', before: [], after: ['create', 'update'], gained: ['create', 'update'], lost: [], privileged: ['write access to ACL policies (privilege escalation)', 'sys/'] }],
      },
    ]);
  });

  it('a widened bound_claims on a JWT role: the binding, flagged widened, no capability change', () => {
    const jwt = (sub: string) => ({ role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault'], bound_claims: { sub }, bound_claims_type: 'glob', token_policies: ['deploy'] });
    const pol = { policy: rule('secret/data/deploy/*', 'read') };
    const a = access(
      [desired('policy', 'policies/deploy', pol), desired('jwt-role', 'auth/jwt/roles/deploy', jwt('repo:org/*'))],
      [live('policy', 'policies/deploy', pol), live('jwt-role', 'auth/jwt/roles/deploy', jwt('repo:org/app:ref:refs/heads/main'))],
    );
    expect(a?.summary).toEqual({ principals: 1, privileged: 0, widened: 1, trust: 0 });
    expect(a?.principals[0]).toEqual({
      address: 'auth/jwt/roles/deploy',
      status: 'changed',
      privileged: [],
      capabilities: [],
      bindings: [{ field: 'bound_claims', before: { sub: 'repo:org/app:ref:refs/heads/main' }, after: { sub: 'repo:org/*' }, widened: 'claim "sub" admits "repo:org/*"' }],
    });
    expect(accessFindings(a, 'privileged')).toBe(0);
    expect(accessFindings(a, 'access')).toBe(1);
  });

  it('a new OIDC discovery host: a trust change of the JWT config', () => {
    const cfg = (url: string) => ({ oidc_discovery_url: url, bound_issuer: url });
    const a = access([desired('jwt-config', 'auth/jwt/config', cfg('https://evil.example'))], [live('jwt-config', 'auth/jwt/config', cfg('https://token.actions.githubusercontent.com'))]);
    expect(a).toEqual({
      summary: { principals: 0, privileged: 0, widened: 0, trust: 1 },
      principals: [],
      trust: [
        {
          address: 'auth/jwt/config',
          kind: 'jwt-config',
          subject: 'JWT/OIDC key source',
          what: 'JWT/OIDC key source: oidc_discovery_url changed, bound_issuer changed',
          fields: [
            { name: 'oidc_discovery_url', before: 'https://token.actions.githubusercontent.com', after: 'https://evil.example' },
            { name: 'bound_issuer', before: 'https://token.actions.githubusercontent.com', after: 'https://evil.example' },
          ],
        },
      ],
    });
  });

  it('a CA newly published to every namespace: how many, which, and the rule', () => {
    const entry = { address: 'secrets/pki/publish/root', mount: 'pki', entry: 'root', namespaces: { all: true, exclude: ['kube-system'] } } as unknown as PublishEntry;
    const copies = ['b', 'a', 'c'].map((ns) => ({ address: entry.address, namespace: ns, object: 'configmap/root', action: 'create' as const, reason: 'not there' }));
    expect(caBundleTrust([entry], [...copies, { ...copies[0]!, namespace: 'd', action: 'update' }])).toEqual([
      { address: entry.address, kind: 'ca-bundle', subject: 'CA bundle', what: 'the CA of pki published to 3 more namespaces (every namespace except kube-system)', namespaces: ['a', 'b', 'c'] },
    ]);
  });

  it('the Kubernetes API that reviews ServiceAccount tokens moved elsewhere: a trust change', () => {
    const cfg = (host: string) => ({ kubernetes_host: host });
    const a = access([desired('kubernetes-auth-config', 'auth/kubernetes/config', cfg('https://evil.example:6443'))], [live('kubernetes-auth-config', 'auth/kubernetes/config', cfg('https://10.0.0.1:443'))]);
    expect(a?.trust.map((t) => t.what)).toEqual(['Kubernetes token reviewer: kubernetes_host changed']);
  });

  it('an audit device added or removed is a trust change; a description change is not', () => {
    const file = { type: 'file', options: { file_path: '/var/log/a.log' } };
    expect(access([desired('audit-device', 'audit/a', file)], [])?.trust.map((t) => t.what)).toEqual(['audit device added']);
    expect(access([desired('audit-device', 'audit/a', { ...file, description: 'x' })], [live('audit-device', 'audit/a', file)])).toBeUndefined();
  });

  it('no section when nothing changes, or rules only moved between policies', () => {
    const r = desired('approle-role', 'auth/approle/roles/a', role('a', ['p', 'q']));
    const l = live('approle-role', 'auth/approle/roles/a', role('a', ['p', 'q']));
    const same = [desired('policy', 'policies/p', { policy: rule('x', 'read') }), desired('policy', 'policies/q', { policy: rule('y', 'read') }), r];
    expect(access(same, [...same.filter((d) => d.kind === 'policy').map((d) => live('policy', d.address, d.settings)), l])).toBeUndefined();
    const moved = [desired('policy', 'policies/p', { policy: rule('x', 'read') + rule('y', 'read') }), desired('policy', 'policies/q', { policy: '' }), r];
    const a = access(moved, [live('policy', 'policies/p', { policy: rule('x', 'read') }), live('policy', 'policies/q', { policy: rule('y', 'read') }), l]);
    expect(a).toBeUndefined();
  });

  it('a new principal: its whole access, without the default policy rules, which it is said to carry', () => {
    const a = access([desired('policy', 'policies/p', { policy: rule('secret/x/*', 'read') }), desired('approle-role', 'auth/approle/roles/n', { token_policies: ['p'] })], [live('policy', 'policies/p', { policy: rule('secret/x/*', 'read') })]);
    expect(a?.principals).toEqual([
      { address: 'auth/approle/roles/n', status: 'added', privileged: [], default_policy: true, capabilities: [{ pattern: 'secret/x/*', before: [], after: ['read'], gained: ['read'], lost: [], privileged: [] }] },
    ]);
  });

  it("says what it could not compare: a targeted plan, a policy whose text the plan did not read", () => {
    const d = [desired('policy', 'policies/p', { policy: rule('a', 'read') })];
    const t = access(d, [live('policy', 'policies/p', { policy: rule('b', 'read') })], true);
    expect(t?.not_compared).toEqual([TARGETED_NOTE]);
    expect(accessFindings(t, 'privileged')).toBe(1);
    // The role's policy `legacy` exists in Vault but is not declared: listed, not read.
    const u = access(
      [...d, desired('approle-role', 'auth/approle/roles/r', role('r', ['p']))],
      [live('policy', 'policies/p', { policy: rule('a', 'read') }), { ...live('policy', 'policies/legacy', {}), settings: {} }, live('approle-role', 'auth/approle/roles/r', role('r', ['legacy']))],
    );
    expect(u?.principals[0]).toMatchObject({ address: 'auth/approle/roles/r', unread_policies: ['legacy'], capabilities: [{ pattern: 'a', gained: ['read'] }] });
  });
});

describe('the access section in the plan a Change list gives', () => {
  it('counts a change of nothing relevant as no section', () => {
    const changes: Change[] = [{ address: 'secrets/kv', kind: 'secrets-mount', action: 'update', reason: 'x', fields: [], security: false }];
    expect(planAccessChanges({ desired: [], live: [], changes, kinds: KINDS })).toBeUndefined();
  });
});

describe('who a policy reaches through groups', () => {
  it('a policy of a parent group reaches its member group and the JWT logins that join it', () => {
    const p = (caps: string[]) => ({ policy: rule('sys/mounts/*', ...caps) });
    const groups = [
      ['identity-group', 'identity/groups/ops', { type: 'external', alias: { mount: 'oidc', name: 'ops' }, policies: [] }],
      ['identity-group', 'identity/groups/parent', { type: 'internal', member_groups: ['ops'], policies: ['p'] }],
      ['jwt-role', 'auth/oidc/roles/dev', { role_type: 'jwt', user_claim: 'sub', groups_claim: 'groups', token_policies: [], token_no_default_policy: true }],
      ['approle-role', 'auth/approle/roles/other', role('other', [])],
    ] as const;
    const d = [desired('policy', 'policies/p', p(['read', 'update'])), ...groups.map(([k, a, s]) => desired(k, a, s))];
    const l = [live('policy', 'policies/p', p(['read'])), ...groups.map(([k, a, s]) => live(k, a, s))];
    const a = access(d, l);
    expect(a?.principals.map((x) => `${x.address}: ${x.capabilities.map((c) => `${c.pattern} +${c.gained.join()}`).join()} [${x.privileged.join(', ')}]`)).toEqual([
      'auth/oidc/roles/dev: sys/mounts/* +update [sys/]',
      'identity/groups/ops: sys/mounts/* +update [sys/]',
      'identity/groups/parent: sys/mounts/* +update [sys/]',
    ]);
  });
});
