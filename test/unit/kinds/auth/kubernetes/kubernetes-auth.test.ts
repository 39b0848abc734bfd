import { describe, expect, it } from 'vitest';
import { kubernetesAuthConfigKind } from '../../../../../src/kinds/auth/kubernetes/kubernetes-auth-config.js';
import { kubernetesAuthRoleKind } from '../../../../../src/kinds/auth/kubernetes/kubernetes-auth-role.js';
import { liveObject } from '../../../../../src/kinds/shared/support.js';

describe('kubernetes auth config normalisation', () => {
  it('compares whether a reviewer JWT is set, never the JWT; none declared means none', () => {
    expect(kubernetesAuthConfigKind.normalise({ kubernetes_host: 'https://k', token_reviewer_jwt: 'eyJ' })).toMatchObject({ token_reviewer_jwt_set: true });
    expect(kubernetesAuthConfigKind.normalise({ kubernetes_host: 'https://k' })).toMatchObject({ token_reviewer_jwt_set: false });
    expect(kubernetesAuthConfigKind.normalise({ token_reviewer_jwt: '' })).toMatchObject({ token_reviewer_jwt_set: false });
    // Vault's answer carries the flag itself: it is kept as read.
    expect(kubernetesAuthConfigKind.normalise({ token_reviewer_jwt_set: true })).toEqual({ token_reviewer_jwt_set: true });
    expect(kubernetesAuthConfigKind.sensitiveFields).toContain('token_reviewer_jwt');
  });

  it('PEM text compares without surrounding whitespace; pem_keys as a set', () => {
    const n = kubernetesAuthConfigKind.normalise({ kubernetes_ca_cert: '-----BEGIN X-----\nA\n-----END X-----\n', pem_keys: ['b\n', 'a', 'b'] });
    expect(n.kubernetes_ca_cert).toBe('-----BEGIN X-----\nA\n-----END X-----');
    expect(n.pem_keys).toEqual(['a', 'b']);
  });

  it('export leaves out Vault defaults and the derived flag', () => {
    const live = liveObject('kubernetes-auth-config', 'auth/k/config', {
      kubernetes_host: 'https://k',
      kubernetes_ca_cert: '',
      pem_keys: [],
      issuer: '',
      disable_iss_validation: true,
      disable_local_ca_jwt: true,
      use_annotations_as_alias_metadata: false,
      token_reviewer_jwt_set: true,
    }, 'k');
    const out = { files: {}, warnings: [] as string[] };
    expect(kubernetesAuthConfigKind.export!(live, [live], out)).toEqual({ kubernetes_host: 'https://k', disable_local_ca_jwt: true });
    // The JWT Vault holds cannot be exported: the export says so.
    expect(out.warnings).toEqual([expect.stringContaining('auth/k/config: token_reviewer_jwt is set in Vault and cannot be exported')]);
  });
});

describe('kubernetes auth role normalisation', () => {
  it('service account names and namespaces are sets; a comma string is a list', () => {
    expect(kubernetesAuthRoleKind.normalise({ bound_service_account_names: 'web, api,web', bound_service_account_namespaces: ['b', 'a'] })).toEqual({
      bound_service_account_names: ['api', 'web'],
      bound_service_account_namespaces: ['a', 'b'],
    });
  });

  it('the namespace selector compares as the object its JSON or YAML text describes', () => {
    const object = kubernetesAuthRoleKind.normalise({ bound_service_account_namespace_selector: { matchLabels: { a: '1', b: '2' } } });
    const json = kubernetesAuthRoleKind.normalise({ bound_service_account_namespace_selector: '{"matchLabels":{"b":"2","a":"1"}}' });
    const yaml = kubernetesAuthRoleKind.normalise({ bound_service_account_namespace_selector: 'matchLabels:\n  a: "1"\n  b: "2"\n' });
    expect(json).toEqual(object);
    expect(yaml).toEqual(object);
    expect(kubernetesAuthRoleKind.normalise({ bound_service_account_namespace_selector: '' }).bound_service_account_namespace_selector).toBeNull();
  });

  it('token fields normalise as every role’s do (durations in seconds, policies sorted)', () => {
    expect(kubernetesAuthRoleKind.normalise({ token_ttl: '1h', token_policies: 'b,a' })).toEqual({ token_ttl: 3600, token_policies: ['a', 'b'] });
  });
});
