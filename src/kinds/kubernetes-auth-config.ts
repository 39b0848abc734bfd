// `auth/MOUNT/config` of a kubernetes auth mount: where the Kubernetes API is and how Vault calls its
// TokenReview. Vault's write replaces the whole config, so a write keeps the live values of fields
// the config leaves out — except token_reviewer_jwt, which Vault never returns: Vault reads back
// only `token_reviewer_jwt_set`, and that is what the plan compares (an undeclared JWT means "none",
// so a plan shows when an apply would clear one set by hand).
import { ConfigError } from '../core/errors.js';
import type { KindName, Settings } from '../core/model.js';
import { authConfigKind, mountEntries, sourcePath, type Reporter } from './auth-method-objects.js';
import { normaliseSettings } from './normalise.js';

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
  kubernetes_ca_cert: '',
  pem_keys: [],
  issuer: '',
  disable_iss_validation: true,
  disable_local_ca_jwt: false,
  use_annotations_as_alias_metadata: false,
};

const ANNOTATIONS = 'use_annotations_as_alias_metadata';

const pemText = (v: unknown): unknown => (typeof v === 'string' ? v.trim() : v);

function normalise(settings: Settings): Settings {
  const { token_reviewer_jwt: jwt, ...rest } = settings;
  const out = normaliseSettings(rest);
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

const kind = authConfigKind({
  kind: 'kubernetes-auth-config' as string as KindName,
  title: 'Kubernetes auth configuration',
  authType: 'kubernetes',
  key: 'config',
  sensitiveFields: ['token_reviewer_jwt'],
  securityFields: ['kubernetes_host', 'kubernetes_ca_cert', 'pem_keys', 'disable_local_ca_jwt', 'token_reviewer_jwt_set'],
  defaults: DEFAULTS,
  exported: KUBERNETES_CONFIG_FIELDS,
  keep: KUBERNETES_CONFIG_FIELDS,
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
    throw new ConfigError([unsupportedAnnotations(path, config.sources[path])], undefined, true);
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
function check(ctx: Reporter): void {
  for (const e of mountEntries(ctx.config, 'kubernetes', 'config', 'single')) {
    if (typeof e.value.kubernetes_ca_cert === 'string' && e.value.kubernetes_ca_cert.trim() !== '') continue;
    ctx.warn(
      e.path,
      'kubernetes_ca_cert is not set: Vault then uses the CA of the pod it runs in (/var/run/secrets/kubernetes.io/serviceaccount/ca.crt), and the write fails when Vault runs outside Kubernetes; OpenBao refuses disable_local_ca_jwt: true without it',
      "set kubernetes_ca_cert to the cluster's CA certificate (PEM), unless Vault runs in that cluster",
      'key',
    );
  }
}

export const kubernetesAuthConfigKind = { ...kind, check };
