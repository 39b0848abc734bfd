/**
 * The estate's Kubernetes and GitHub parts: Kubernetes auth for the agent injector (one role per
 * namespace), and GitHub auth for engineers (team and user maps). GitHub is not reachable from
 * here: organization_id is given, so Vault does not look it up.
 */
import { randomBytes } from 'node:crypto';
import { mountSettings, wholeData, type Api, type EstatePart, type Json } from './part.js';

/** A real CA certificate (Vault parses kubernetes_ca_cert), from a pki mount removed right after. */
async function someCaPem(api: Api): Promise<string> {
  const tmp = `tmp-ca-${randomBytes(3).toString('hex')}`;
  await api('POST', `sys/mounts/${tmp}`, { type: 'pki' });
  try {
    return (await api('POST', `${tmp}/root/generate/internal`, { common_name: 'kubernetes', ttl: '24h' })).data.certificate as string;
  } finally {
    await api('DELETE', `sys/mounts/${tmp}`);
  }
}

export const kubernetesAuth: EstatePart = {
  name: 'kubernetes mount, config and roles',
  async make(api) {
    const reviewerJwt = `eyJ${randomBytes(24).toString('base64url')}.e30.${randomBytes(16).toString('base64url')}`;
    await api('POST', 'sys/auth/kubernetes', { type: 'kubernetes', description: 'agent injector' });
    await api('POST', 'auth/kubernetes/config', {
      kubernetes_host: 'https://kubernetes.default.svc:443',
      kubernetes_ca_cert: await someCaPem(api),
      issuer: 'https://kubernetes.default.svc.cluster.local',
      token_reviewer_jwt: reviewerJwt,
      disable_local_ca_jwt: true,
    });
    const namespaces = ['payments', 'orders'];
    for (const ns of namespaces) {
      await api('POST', `auth/kubernetes/role/${ns}`, {
        bound_service_account_names: [ns, `${ns}-worker`],
        bound_service_account_namespaces: [ns],
        audience: 'vault',
        alias_name_source: 'serviceaccount_name',
        token_policies: ['app-read'],
        token_ttl: '1h',
      });
    }
    return {
      // token_reviewer_jwt is write-only: Vault never returns it (only token_reviewer_jwt_set), so
      // the user adds it to the export.
      secrets: [reviewerJwt],
      addToExport: [{ kind: 'kubernetes-auth-config', path: ['auth', 'kubernetes', 'config', 'token_reviewer_jwt'], variable: 'kubernetes_reviewer_jwt', value: reviewerJwt }],
      objects: [
        { kind: 'auth-mount', label: 'auth/kubernetes', read: 'sys/auth', compare: (b: Json) => mountSettings(b, 'kubernetes') },
        { kind: 'kubernetes-auth-config', label: 'auth/kubernetes/config', read: 'auth/kubernetes/config', compare: wholeData },
        ...namespaces.map((ns) => ({ kind: 'kubernetes-auth-role', label: `auth/kubernetes/roles/${ns}`, read: `auth/kubernetes/role/${ns}`, compare: wholeData })),
      ],
    };
  },
};

/** A map entry's policies, as a set: Vault keeps the comma-separated text as written. */
const mapPolicies = (b: Json): unknown => (b?.data ? { key: b.data.key, value: String(b.data.value).split(',').map((p) => p.trim()).sort() } : undefined);

export const githubAuth: EstatePart = {
  name: 'github mount, config, team and user maps',
  unsupported: { openbao: 'OpenBao has no github auth method (its plugin catalog answers "plugin not found in the catalog: github")' },
  async make(api) {
    await api('POST', 'sys/auth/github', { type: 'github', description: 'engineers' });
    await api('POST', 'auth/github/config', { organization: 'seeds', organization_id: 4242, token_policies: ['default'], token_ttl: '8h', token_max_ttl: '24h' });
    await api('POST', 'auth/github/map/teams/platform', { value: 'team/ops,app-read' });
    await api('POST', 'auth/github/map/teams/developers', { value: 'app-read' });
    await api('POST', 'auth/github/map/users/octocat', { value: 'team/ops' });
    return {
      objects: [
        { kind: 'auth-mount', label: 'auth/github', read: 'sys/auth', compare: (b: Json) => mountSettings(b, 'github') },
        { kind: 'github-auth-config', label: 'auth/github/config', read: 'auth/github/config', compare: wholeData },
        ...['platform', 'developers'].map((t) => ({ kind: 'github-team-map', label: `auth/github/teams/${t}`, read: `auth/github/map/teams/${t}`, compare: mapPolicies })),
        { kind: 'github-user-map', label: 'auth/github/users/octocat', read: 'auth/github/map/users/octocat', compare: mapPolicies },
      ],
    };
  },
};
