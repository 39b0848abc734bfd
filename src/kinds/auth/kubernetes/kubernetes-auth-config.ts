// `auth/MOUNT/config` of a kubernetes auth mount: where the Kubernetes API is and how Vault calls its
// TokenReview. Vault's write replaces the whole config, so a write keeps the live values of fields
// the config leaves out — except token_reviewer_jwt, which Vault never returns: Vault reads back
// only `token_reviewer_jwt_set`, and that is what the plan compares (an undeclared JWT means "none",
// so a plan shows when an apply would clear one set by hand).
import { Type } from 'typebox';
import { ConfigError } from '../../../core/errors.js';
import type { Settings } from '../../../core/model.js';
import { authConfigKind, sourcePath } from '../auth-method-objects.js';
import { object } from '../../shared/fields.js';
import type { CheckContext } from '../../kind.js';
import { checkSecretTransport, type PlacedEntry } from '../../shared/support.js';
import { normaliserFor } from '../../shared/normalise.js';

export const KUBERNETES_CONFIG_FIELDS = [
  'kubernetes_host',
  'kubernetes_ca_cert',
  'pem_keys',
  'issuer',
  'disable_iss_validation',
  'disable_local_ca_jwt',
  'use_annotations_as_alias_metadata',
] as const;

/** Vault's own defaults for an undeclared field (its config write applies them). */
const DEFAULTS: Settings = {
  disable_iss_validation: true,
  disable_local_ca_jwt: false,
  use_annotations_as_alias_metadata: false,
};

const ANNOTATIONS = 'use_annotations_as_alias_metadata';

const pemText = (v: unknown): unknown => (typeof v === 'string' ? v.trim() : v);

function normalise(settings: Settings): Settings {
  const { token_reviewer_jwt: jwt, ...rest } = settings;
  const out = normaliseFields(rest);
  if (out.kubernetes_ca_cert !== undefined) out.kubernetes_ca_cert = pemText(out.kubernetes_ca_cert);
  if (out.pem_keys !== undefined && out.pem_keys !== null) {
    const keys = Array.isArray(out.pem_keys) ? out.pem_keys : [out.pem_keys];
    out.pem_keys = [...new Set(keys.map(pemText).filter((k) => k !== ''))].sort();
  }
  if (jwt !== undefined) out.token_reviewer_jwt = jwt;
  // Declared settings: Vault shows only whether a reviewer JWT is set; no JWT declared means none.
  if (!('token_reviewer_jwt_set' in settings)) out.token_reviewer_jwt_set = typeof jwt === 'string' && jwt !== '';
  return out;
}

const schema = object(
  {
    kubernetes_host: Type.String({ minLength: 1, description: 'The Kubernetes API server: host, host:port or URL (https://kubernetes.example.com:6443).' }),
    kubernetes_ca_cert: Type.String({ description: "PEM CA certificate(s) the API server's certificate is checked against. Without it Vault uses its pod's CA (in the cluster only)." }),
    pem_keys: Type.Array(Type.String(), { description: 'PEM public keys or certificates that verify ServiceAccount JWT signatures (optional).' }),
    issuer: Type.String({ description: 'Deprecated by Vault: the JWT issuer expected when disable_iss_validation is false.' }),
    disable_iss_validation: Type.Boolean({ description: 'Deprecated by Vault: skip the issuer check (default true).' }),
    disable_local_ca_jwt: Type.Boolean({ description: "Do not fall back to the pod's CA certificate and ServiceAccount token (default false)." }),
    use_annotations_as_alias_metadata: Type.Boolean({ description: "Vault only (not OpenBao 2.4): the ServiceAccount's vault.hashicorp.com/alias-metadata-* annotations become alias metadata (default false)." }),
    token_reviewer_jwt: Type.String({
      writeOnly: true,
      description: 'Write-only: the JWT Vault calls TokenReview with (a ServiceAccount bound to system:auth-delegator). Never shown; give it with ${var.token_reviewer_jwt} (a variable named like a secret). Not declared: none.',
    }),
  },
  { required: ['kubernetes_host'], description: 'kubernetes: auth/<mount>/config parameters.' },
);
const normaliseFields = normaliserFor(schema);

export const kubernetesAuthConfigKind = authConfigKind({
  kind: 'kubernetes-auth-config',
  title: 'Kubernetes auth configuration',
  authType: 'kubernetes',
  key: 'config',
  schema,
  description: 'kubernetes: where the Kubernetes API is and how Vault reviews ServiceAccount tokens (auth/<mount>/config).',
  policyField: 'token_policies',
  checkEntry,
  sensitiveFields: ['token_reviewer_jwt'],
  securityFields: ['kubernetes_host', 'kubernetes_ca_cert', 'pem_keys', 'disable_local_ca_jwt', 'token_reviewer_jwt_set'],
  // Whoever answers the TokenReview (or holds a key of pem_keys) decides which ServiceAccounts log in.
  trust: { subject: 'Kubernetes token reviewer', fields: ['kubernetes_host', 'kubernetes_ca_cert', 'pem_keys', 'disable_local_ca_jwt'] },
  defaults: DEFAULTS,
  exportNote: (obj) =>
    obj.settings.token_reviewer_jwt_set === true
      ? 'token_reviewer_jwt is set in Vault and cannot be exported (Vault never returns it): add `token_reviewer_jwt: ${var.token_reviewer_jwt}` to the config, or plans show token_reviewer_jwt_set true → false and an apply clears it'
      : undefined,
  keep: KUBERNETES_CONFIG_FIELDS,
  docs: {
    summary:
      "The configuration of a kubernetes auth mount: where the Kubernetes API is, the CA its certificate is checked against, and the reviewer JWT Vault calls TokenReview with. Part of the mount: it is never deleted. Vault's write replaces the whole config, so vault-gitops writes back the live values of the fields the config leaves out.",
    api: ['auth/MOUNT/config'],
    example: `auth:
  kubernetes:
    type: kubernetes
    config:
      kubernetes_host: https://kubernetes.example.com:6443
      kubernetes_ca_cert: |
        -----BEGIN CERTIFICATE-----
        MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwprdWJlcm5l
        -----END CERTIFICATE-----
      disable_local_ca_jwt: true
`,
    guide: 'kinds/kubernetes-github.md',
  },
  normalise,
  fromVault: (data) => ({ ...data }),
  toVault: (settings) => {
    const body: Record<string, unknown> = { ...settings };
    if (Array.isArray(body.pem_keys)) body.pem_keys = body.pem_keys.map(String);
    return body;
  },
  // OpenBao 2.4's kubernetes auth has no use_annotations_as_alias_metadata: it ignores the field.
  checkLive(declared, stored, config) {
    if (declared?.settings[ANNOTATIONS] !== true || ANNOTATIONS in stored) return;
    const path = sourcePath(['auth', String(declared.mount), 'config'], ANNOTATIONS);
    throw new ConfigError([unsupportedAnnotations(path, config.sources.get(path))], undefined, true);
  },
  verify(obj, stored) {
    if (obj.settings[ANNOTATIONS] === true && !(ANNOTATIONS in stored)) {
      throw new ConfigError([unsupportedAnnotations(sourcePath(['auth', String(obj.mount), 'config'], ANNOTATIONS), obj.source)], undefined, true);
    }
  },
});

function unsupportedAnnotations(path: string, pos: ConfigError['diagnostics'][number]['pos']): ConfigError['diagnostics'][number] {
  return {
    severity: 'error',
    pos,
    path,
    message: `${ANNOTATIONS}: this server's kubernetes auth method does not support it (OpenBao 2.4 has no such field; Vault has it since 1.16)`,
    hint: `remove ${ANNOTATIONS} from the config for this server`,
  };
}

/** Outside a pod, Vault has no CA to fall back on (and OpenBao refuses disable_local_ca_jwt without one). */
function checkEntry(ctx: CheckContext, e: PlacedEntry): void {
  if (e.value.token_reviewer_jwt !== undefined) checkSecretTransport(ctx, [...e.path, 'kubernetes_host'], e.value.kubernetes_host, 'the reviewer JWT Vault sends with every TokenReview');
  if (typeof e.value.kubernetes_ca_cert === 'string' && e.value.kubernetes_ca_cert.trim() !== '') return;
  ctx.warn(
    e.path,
    'kubernetes_ca_cert is not set: Vault then uses the CA of the pod it runs in (/var/run/secrets/kubernetes.io/serviceaccount/ca.crt), and the write fails when Vault runs outside Kubernetes; OpenBao refuses disable_local_ca_jwt: true without it',
    "set kubernetes_ca_cert to the cluster's CA certificate (PEM), unless Vault runs in that cluster",
    'key',
  );
}
