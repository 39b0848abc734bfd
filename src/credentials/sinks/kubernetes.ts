import { createHash } from 'node:crypto';
import {
  KubernetesClient,
  KubernetesConfigError,
  KubernetesRequestError,
  type KubernetesClientOptions,
  type V1Secret,
} from '../../adapters/kubernetes.js';
import { adoptHint } from '../../core/common/adopt.js';
import { orderValues, VALUE_KEYS } from '../format.js';
import { sidekickAuth } from '../formats/vault-sidekick.js';
import type { CredentialMeta, CredentialSink, CredentialTarget, CredentialValues, DeliveredState } from '../../core/ports.js';
import { valuesHash } from '../../core/plan/credential-status.js';
import { KubernetesError, redactValues } from './errors.js';
import { foreignState } from './foreign.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../core/plan/ca-bundles.js';

/** One ownership mark for everything vault-gitops writes to Kubernetes (credential Secrets, CA-bundle copies). */
export { MANAGED_BY, MANAGED_BY_LABEL };
const ANNOTATION_PREFIX = 'vault-gitops.io/';
export const ANNOTATIONS = {
  object: `${ANNOTATION_PREFIX}object`,
  issuedAt: `${ANNOTATION_PREFIX}issued-at`,
  accessor: `${ANNOTATION_PREFIX}secret-id-accessor`,
  hash: `${ANNOTATION_PREFIX}data-hash`,
  pending: `${ANNOTATION_PREFIX}pending`,
  wrapExpiresAt: `${ANNOTATION_PREFIX}wrap-expires-at`,
} as const;

/** Keys the sink derives from the values and the target; not part of `values`. */
const DERIVED_KEYS = ['vault_addr', 'vault_namespace', 'mount', 'login.json'];
const KEY_PATTERN = /^[-._a-zA-Z0-9]+$/;
const MAX_ATTEMPTS = 5;

export interface KubernetesSinkOptions extends KubernetesClientOptions {
  /** For tests: an already built client. */
  client?: KubernetesClient;
}

/** What this sink last saw of a Secret: a write only replaces what it has seen. */
interface Seen {
  exists: boolean;
  digest?: string;
}

/** Loads the Kubernetes client and returns the sink (called by the sink resolver on first need). */
export async function createKubernetesSink(opts: KubernetesSinkOptions = {}): Promise<KubernetesSink> {
  try {
    return new KubernetesSink(opts.client ?? (await KubernetesClient.create(opts)));
  } catch (err) {
    if (err instanceof KubernetesConfigError) throw new KubernetesError('config', '', err.message);
    throw err;
  }
}

/**
 * Delivers credentials as an Opaque Secret carrying `app.kubernetes.io/managed-by: vault-gitops`
 * and `vault-gitops.io/*` annotations (object, issue time, secret_id accessor, data hash, pending).
 *
 * Writes are conflict-safe: a replace is a PUT with the resourceVersion just read, retried on 409
 * while only metadata changed; if the Secret's data changed since this sink last read it (inspect, or
 * the first read of the write), the write stops with a `conflict` error instead of overwriting a
 * credential someone else delivered. Labels and annotations added by others are kept.
 */
export class KubernetesSink implements CredentialSink {
  readonly type = 'kubernetes' as const;
  private readonly seen = new Map<string, Seen>();
  /** Whether each namespace exists (undefined: the API server would not say), asked once per run. */
  private readonly namespaces = new Map<string, Promise<boolean | undefined>>();

  constructor(private readonly client: KubernetesClient) {}

  describe(target: CredentialTarget): string {
    return `secret ${ref(target)}`;
  }

  async inspect(target: CredentialTarget): Promise<DeliveredState> {
    const { namespace, name } = spec(target);
    const secret = await this.call(target, 'read', () => this.client.getSecret(namespace, name));
    this.seen.set(ref(target), snapshot(secret));
    if (!secret) return { exists: false, owned: false };
    if (!isOwned(secret)) return foreignState(spec(target).adopt);
    const a = secret.metadata?.annotations ?? {};
    const issuedAt = a[ANNOTATIONS.issuedAt];
    const meta: CredentialMeta | undefined = issuedAt
      ? {
          issuedAt,
          ...(a[ANNOTATIONS.accessor] ? { accessor: a[ANNOTATIONS.accessor] } : {}),
          ...(a[ANNOTATIONS.pending] === 'true' ? { pending: true } : {}),
          ...(a[ANNOTATIONS.hash] ? { hash: a[ANNOTATIONS.hash] } : {}),
          ...(a[ANNOTATIONS.wrapExpiresAt] ? { wrapExpiresAt: a[ANNOTATIONS.wrapExpiresAt] } : {}),
        }
      : undefined;
    return { exists: true, owned: true, ...(meta ? { meta } : {}), values: decodeValues(target, secret) };
  }

  /**
   * A GET of a Secret answers 404 alike in a namespace that does not exist: only the namespace's own
   * GET tells, once per namespace. Without `get` on namespaces (403) it cannot be known here.
   */
  async checkCreatable(target: CredentialTarget): Promise<void> {
    const { namespace } = spec(target);
    let exists = this.namespaces.get(namespace);
    if (!exists) this.namespaces.set(namespace, (exists = this.client.namespaceExists(namespace)));
    if ((await exists) === false) {
      throw new KubernetesError('api', ref(target), `namespace ${namespace} does not exist`, 404, `create namespace ${namespace} first (vault-gitops never creates namespaces), or choose another`);
    }
  }

  async write(target: CredentialTarget, values: CredentialValues, meta: CredentialMeta): Promise<void> {
    const { namespace, name } = spec(target);
    const key = ref(target);
    const data = buildData(target, values);
    const secretValues = [...Object.values(values), ...Object.values(data)];
    const labels = { ...(spec(target).labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY };
    const annotations = ourAnnotations(target, values, meta);

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.call(target, 'read', () => this.client.getSecret(namespace, name), secretValues);
      const seen = this.seen.get(key) ?? snapshot(current);
      this.seen.set(key, seen);

      if (!current) {
        const body: V1Secret = {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'Opaque',
          metadata: { name, namespace, labels, annotations: { ...(spec(target).annotations ?? {}), ...annotations } },
          data,
        };
        try {
          const created = await this.call(target, 'create', () => this.client.createSecret(namespace, body), secretValues);
          this.seen.set(key, snapshot(created));
          return;
        } catch (err) {
          if (err instanceof KubernetesError && err.status === 409) continue; // created meanwhile: look again
          throw err;
        }
      }

      if (!isOwned(current) && spec(target).adopt !== true) {
        throw new KubernetesError(
          'not-owned',
          key,
          `exists and is not managed by vault-gitops (no label ${MANAGED_BY_LABEL}=${MANAGED_BY}); refusing to overwrite it`,
          undefined,
          adoptHint('kubernetes'),
        );
      }
      if (!seen.exists || seen.digest !== digest(current)) {
        throw new KubernetesError(
          'conflict',
          key,
          `was ${seen.exists ? 'changed' : 'created'} by someone else since vault-gitops read it; nothing written`,
          409,
          're-run to converge',
        );
      }
      if (current.immutable) {
        throw new KubernetesError('api', key, 'is immutable; vault-gitops cannot replace its data', 422, 'delete it and re-run');
      }

      const metadata = { ...(current.metadata ?? {}) };
      delete metadata.managedFields;
      const kept = Object.fromEntries(
        Object.entries(metadata.annotations ?? {}).filter(([k]) => !k.startsWith(ANNOTATION_PREFIX)),
      );
      const body: V1Secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        type: current.type ?? 'Opaque',
        metadata: {
          ...metadata,
          labels: { ...(metadata.labels ?? {}), ...labels },
          annotations: { ...kept, ...(spec(target).annotations ?? {}), ...annotations },
        },
        data,
      };
      try {
        const replaced = await this.call(target, 'update', () => this.client.replaceSecret(namespace, name, body), secretValues);
        this.seen.set(key, snapshot(replaced));
        return;
      } catch (err) {
        // 409: changed between our read and our write. Look again; if only metadata changed, retry.
        if (err instanceof KubernetesError && err.status === 409) continue;
        throw err;
      }
    }
    throw new KubernetesError('conflict', key, `kept changing while vault-gitops wrote it (${MAX_ATTEMPTS} attempts); nothing written`, 409, 're-run to converge');
  }

  /** Runs one request and turns its failure into a one-line KubernetesError naming the Secret. */
  private async call<T>(target: CredentialTarget, verb: string, fn: () => Promise<T>, redact: string[] = []): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof KubernetesRequestError)) throw err;
      const key = ref(target);
      const detail = redactValues(err.message, redact);
      if (err.status === undefined) {
        return fail(new KubernetesError('unreachable', key, `${verb} failed: ${detail}`, undefined, 'check KUBECONFIG / --kube-context and that the API server is up'));
      }
      if (err.status === 401) {
        return fail(new KubernetesError('unauthorized', key, `${verb} failed: the API server rejected the credentials (401)`, 401, 'the kubeconfig token or certificate is invalid or expired'));
      }
      if (err.status === 403) {
        return fail(
          new KubernetesError('forbidden', key, `${verb} forbidden (403): ${detail}`, 403, `grant get, create and update on secrets in namespace ${spec(target).namespace} (see docs/kubernetes.md, "Kubernetes Secrets", for the RBAC)`),
        );
      }
      const status = `${err.status}${err.reason ? ` ${err.reason}` : ''}`;
      const hint = verb === 'create' && err.status === 404 ? `create namespace ${spec(target).namespace} first` : undefined;
      return fail(new KubernetesError(err.status === 409 ? 'conflict' : 'api', key, `${verb} failed (${status}): ${detail}`, err.status, hint));
    }
  }
}

function fail(err: KubernetesError): never {
  throw err;
}

function spec(target: CredentialTarget): NonNullable<CredentialTarget['spec']['kubernetes']> {
  const k = target.spec.kubernetes;
  if (!k) throw new Error(`${target.address}: no kubernetes credentials target`);
  return k;
}

function ref(target: CredentialTarget): string {
  const k = spec(target);
  return `${k.namespace}/${k.name}`;
}

function isOwned(secret: V1Secret): boolean {
  return secret.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

function digest(secret: V1Secret | undefined): string {
  const data = secret?.data ?? {};
  const canon = Object.keys(data)
    .sort()
    .map((k) => [k, data[k]]);
  return createHash('sha256').update(JSON.stringify(canon)).digest('hex');
}

function snapshot(secret: V1Secret | undefined): Seen {
  return secret ? { exists: true, digest: digest(secret) } : { exists: false };
}

/** Our key → the Secret's key (spec.kubernetes.keys overrides). */
function keyName(target: CredentialTarget, ours: string): string {
  return spec(target).keys?.[ours] ?? ours;
}

/**
 * Every key the Secret carries, ours → value: the values (each mountable as a file, e.g. for Vault
 * Agent), mount, vault_addr (AppRole), vault_namespace (an object in a namespace), and login.json,
 * vault-sidekick's auth file.
 */
function deliveredValues(target: CredentialTarget, values: CredentialValues): Record<string, string> {
  const out: Record<string, string> = { ...values, mount: target.mount };
  if (target.kind === 'approle-role') out.vault_addr = target.vaultAddr;
  if (target.vaultNamespace) out.vault_namespace = target.vaultNamespace;
  if (VALUE_KEYS[target.kind]) out['login.json'] = JSON.stringify(sidekickAuth(target, values));
  return out;
}

function buildData(target: CredentialTarget, values: CredentialValues): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [ours, value] of Object.entries(deliveredValues(target, values))) {
    const k = keyName(target, ours);
    if (!KEY_PATTERN.test(k)) {
      throw new KubernetesError('config', ref(target), `key "${k}" (for ${ours}) is not a valid Secret key`, undefined, 'use letters, digits, "-", "_" and "."');
    }
    if (k in data) {
      throw new KubernetesError('config', ref(target), `two values map to the same key "${k}"`, undefined, 'fix credentials.kubernetes.keys');
    }
    data[k] = Buffer.from(value, 'utf8').toString('base64');
  }
  return data;
}

/** The values in our key names and the engine's order (the derived keys are left out). */
function decodeValues(target: CredentialTarget, secret: V1Secret): CredentialValues {
  const data = secret.data ?? {};
  const reverse = new Map<string, string>();
  for (const [ours, theirs] of Object.entries(spec(target).keys ?? {})) reverse.set(theirs, ours);
  const decoded: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    const ours = reverse.get(k) ?? (spec(target).keys?.[k] !== undefined ? undefined : k);
    if (ours === undefined || DERIVED_KEYS.includes(ours)) continue;
    decoded[ours] = Buffer.from(v, 'base64').toString('utf8');
  }
  return orderValues(target.kind, decoded);
}

function ourAnnotations(target: CredentialTarget, values: CredentialValues, meta: CredentialMeta): Record<string, string> {
  const a: Record<string, string> = {
    [ANNOTATIONS.object]: target.address,
    [ANNOTATIONS.issuedAt]: meta.issuedAt,
    [ANNOTATIONS.hash]: meta.hash ?? valuesHash(values),
  };
  if (meta.accessor) a[ANNOTATIONS.accessor] = meta.accessor;
  if (meta.pending) a[ANNOTATIONS.pending] = 'true';
  if (meta.wrapExpiresAt) a[ANNOTATIONS.wrapExpiresAt] = meta.wrapExpiresAt;
  return a;
}
