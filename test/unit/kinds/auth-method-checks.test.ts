// The checks the Kubernetes and GitHub auth kinds run after schema validation: each names the
// config path and says what Vault would refuse or change.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/core/model.js';
import type { Reporter } from '../../../src/kinds/auth-method-objects.js';
import { githubAuthConfigKind } from '../../../src/kinds/github-auth-config.js';
import { githubTeamMapKind, githubUserMapKind } from '../../../src/kinds/github-map.js';
import { kubernetesAuthConfigKind } from '../../../src/kinds/kubernetes-auth-config.js';
import { kubernetesAuthRoleKind } from '../../../src/kinds/kubernetes-auth-role.js';

type Found = { severity: 'error' | 'warning'; path: string; message: string; hint?: string };

function run(check: (ctx: Reporter) => void, auth: Record<string, unknown>): Found[] {
  const found: Found[] = [];
  const config = { policies: {}, auth, secrets: {}, prune: [], sources: {} } as unknown as Config;
  check({
    config,
    error: (path, message, hint) => found.push({ severity: 'error', path: path.join('.'), message, hint }),
    warn: (path, message, hint) => found.push({ severity: 'warning', path: path.join('.'), message, hint }),
  });
  return found;
}

describe('kubernetes auth checks', () => {
  it('a config without a CA certificate is a warning naming the pod fallback', () => {
    const found = run(kubernetesAuthConfigKind.check, { k8s: { type: 'kubernetes', config: { kubernetes_host: 'https://k' } } });
    expect(found).toEqual([expect.objectContaining({ severity: 'warning', path: 'auth.k8s.config', message: expect.stringContaining('kubernetes_ca_cert is not set') })]);
    expect(run(kubernetesAuthConfigKind.check, { k8s: { type: 'kubernetes', config: { kubernetes_host: 'https://k', kubernetes_ca_cert: 'PEM' } } })).toEqual([]);
  });

  it('roles: capitals, `*` mixed with names, no namespace, a selector that is not a mapping', () => {
    const found = run(kubernetesAuthRoleKind.check, {
      k8s: {
        type: 'kubernetes',
        roles: {
          Web: { bound_service_account_names: ['web'], bound_service_account_namespaces: ['apps'] },
          mixed: { bound_service_account_names: 'web, *', bound_service_account_namespaces: ['apps'] },
          nowhere: { bound_service_account_names: ['web'] },
          bad: { bound_service_account_names: ['web'], bound_service_account_namespace_selector: '- just a list' },
          good: { bound_service_account_names: ['web'], bound_service_account_namespace_selector: { matchLabels: { a: 'b' } } },
        },
      },
      // Other mount types' `roles` are not these kinds' business.
      approle: { type: 'approle', roles: { Mixed: {} } },
    });
    expect(found.map((f) => `${f.severity} ${f.path}: ${f.message}`)).toEqual([
      'error auth.k8s.roles.Web: role `Web`: Vault stores Kubernetes role names lower-cased, so it would read back as `web`',
      'error auth.k8s.roles.mixed.bound_service_account_names: `*` (any) cannot be mixed with other values',
      'error auth.k8s.roles.nowhere: role `nowhere` binds no namespace: Vault needs bound_service_account_namespaces or bound_service_account_namespace_selector',
      'error auth.k8s.roles.bad.bound_service_account_namespace_selector: is not a label selector: Vault takes a JSON or YAML object with matchLabels and/or matchExpressions',
    ]);
  });
});

describe('github auth checks', () => {
  it('a config without organization_id is a warning with where to find it', () => {
    const found = run(githubAuthConfigKind.check, { gh: { type: 'github', config: { organization: 'acme' } } });
    expect(found).toEqual([expect.objectContaining({ severity: 'warning', path: 'auth.gh.config', hint: expect.stringContaining('https://api.github.com/orgs/acme') })]);
    expect(run(githubAuthConfigKind.check, { gh: { type: 'github', config: { organization: 'acme', organization_id: 7 } } })).toEqual([]);
  });

  it('map names Vault would change or refuse are errors; userpass `users` are not GitHub maps', () => {
    const auth = { gh: { type: 'github', teams: { Eng: { policies: ['a'] }, ok: {} }, users: { 'a.b': {} } }, up: { type: 'userpass', users: { Alice: {} } } };
    expect(run(githubTeamMapKind.check, auth).map((f) => f.path)).toEqual(['auth.gh.teams.Eng']);
    expect(run(githubUserMapKind.check, auth).map((f) => f.path)).toEqual(['auth.gh.users.a.b']);
  });
});
