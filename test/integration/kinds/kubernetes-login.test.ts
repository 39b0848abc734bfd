// The login proof of the Kubernetes auth kinds: a config and a role written by the kind modules
// let a ServiceAccount token from the real kube-apiserver log in, checked by Vault through the
// apiserver's TokenReview API with a reviewer ServiceAccount bound to system:auth-delegator. A
// ServiceAccount of a namespace the role does not bind is refused, and a reviewer without the right to review makes every login fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesAuthConfigKind } from '../../../src/kinds/auth/kubernetes/kubernetes-auth-config.js';
import { kubernetesAuthRoleKind } from '../../../src/kinds/auth/kubernetes/kubernetes-auth-role.js';
import { startKube, type KubeServer } from '../../servers/kube.js';
import { freshMountPath, vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { applyKind, authConfig, planKind } from './kind-harness.js';
import { disableReviewerJwtMounts } from '../helpers/reviewer-jwt-cleanup.js';

// A reviewer JWT cannot be exported: leave none for later files' whole-server export tests.
afterAll(disableReviewerJwtMounts);

const vault = vaultClient();
let kube: KubeServer;
const AUDIENCE = 'https://kubernetes.default.svc.cluster.local'; // the test apiserver's --api-audiences

beforeAll(async () => {
  kube = await startKube();
}, 600_000);

afterAll(async () => {
  vault.close();
  await kube?.stop();
});

async function reviewerToken(): Promise<string> {
  const reviewer = await kube.serviceAccount('vault-auth', 'vault-reviewer', []);
  const binding = await kube.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    metadata: { name: 'vault-reviewer-auth-delegator' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
    subjects: [{ kind: 'ServiceAccount', name: 'vault-reviewer', namespace: 'vault-auth' }],
  });
  expect(binding.status, JSON.stringify(binding.body)).toBe(201);
  return reviewer.token;
}

describe('Kubernetes login through the real kube-apiserver TokenReview', () => {
  it('a bound ServiceAccount logs in with the role policies; one in an unbound namespace is refused', async () => {
    const mount = freshMountPath('k8s');
    const policy = `${mount}-app`;
    expect((await vaultRequest('POST', `sys/auth/${mount}`, { type: 'kubernetes' })).status).toBe(204);
    expect((await vaultRequest('PUT', `sys/policies/acl/${policy}`, { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' })).status).toBe(204);

    const config = authConfig({
      [mount]: {
        type: 'kubernetes',
        config: {
          kubernetes_host: kube.server,
          kubernetes_ca_cert: Buffer.from(kube.caData, 'base64').toString('utf8'),
          disable_local_ca_jwt: true,
          token_reviewer_jwt: await reviewerToken(),
        },
        roles: {
          web: { bound_service_account_names: ['web'], bound_service_account_namespaces: ['apps'], audience: AUDIENCE, token_policies: [policy], token_ttl: '10m' },
        },
      },
    });
    await applyKind(vault, kubernetesAuthConfigKind, config);
    await applyKind(vault, kubernetesAuthRoleKind, config);
    expect(await planKind(vault, kubernetesAuthConfigKind, config)).toEqual([]);
    expect(await planKind(vault, kubernetesAuthRoleKind, config)).toEqual([]);

    const app = await kube.serviceAccount('apps', 'web', []);
    const login = await vaultRequest('POST', `auth/${mount}/login`, { role: 'web', jwt: app.token }, { token: null });
    expect(login.status, JSON.stringify(login.json)).toBe(200);
    expect(login.json.auth.policies).toEqual(['default', policy]);
    expect(login.json.auth.metadata).toMatchObject({ role: 'web', service_account_name: 'web', service_account_namespace: 'apps' });
    expect(login.json.auth.lease_duration).toBe(600);

    const stranger = await kube.serviceAccount('other', 'web', []);
    const refused = await vaultRequest('POST', `auth/${mount}/login`, { role: 'web', jwt: stranger.token }, { token: null });
    expect(refused.status).toBe(403);
    expect(refused.json.auth ?? null).toBeNull();
    expect(JSON.stringify(refused.json)).toContain('namespace not authorized');

    // Vault holds no signing key here: the apiserver's TokenReview decides. With a reviewer that may
    // not create TokenReviews, the same good token is refused.
    const blind = freshMountPath('k8s');
    expect((await vaultRequest('POST', `sys/auth/${blind}`, { type: 'kubernetes' })).status).toBe(204);
    const declared = config.auth[mount] as unknown as { config: Record<string, unknown>; roles: Record<string, unknown> };
    await applyKind(vault, kubernetesAuthConfigKind, authConfig({ [blind]: { type: 'kubernetes', config: { ...declared.config, token_reviewer_jwt: stranger.token } } }));
    await applyKind(vault, kubernetesAuthRoleKind, authConfig({ [blind]: { type: 'kubernetes', roles: declared.roles } }));
    const unreviewed = await vaultRequest('POST', `auth/${blind}/login`, { role: 'web', jwt: app.token }, { token: null });
    expect(unreviewed.status).toBe(403);
    expect(unreviewed.json.auth ?? null).toBeNull();
  });
});
