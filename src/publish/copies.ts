// The Kubernetes side of CA bundles: reading the copies of an entry and converging one copy with
// the ownership rules of credential Secrets. A copy is ours when it carries
// `app.kubernetes.io/managed-by: vault-gitops` and our entry's address in `vault-gitops.io/object`;
// anything else under that name is left alone and reported, unless the entry says `adopt: true`.
// Every replace is a PUT with the resourceVersion just read, every delete carries uid and
// resourceVersion preconditions; a 409 means someone changed it meanwhile: read again, decide again.
import {
  KubernetesRequestError,
  type DataObject,
  type KubernetesClient,
  type V1Namespace,
  type V1Secret,
} from '../adapters/kubernetes.js';
import {
  ADOPTED_ANNOTATION,
  decideCopy,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  OBJECT_ANNOTATION,
  planCopies,
  type CaBundleChange,
  type LiveCopy,
  type NamespaceInfo,
  type PublishEntry,
} from '../core/plan/ca-bundles.js';

const MAX_ATTEMPTS = 5;

/** A failed Kubernetes request about one copy, in one line (no request body, no token). */
export class PublishError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

export function namespaceInfo(ns: V1Namespace): NamespaceInfo {
  return {
    name: ns.metadata?.name ?? '',
    labels: ns.metadata?.labels ?? {},
    ...(ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating' ? { terminating: true } : {}),
  };
}

function isSecret(entry: PublishEntry, _obj: DataObject): _obj is V1Secret {
  return entry.target === 'secret';
}

/** The value at the entry's key, decoded for a Secret. */
function valueAt(entry: PublishEntry, obj: DataObject): string | undefined {
  const raw = obj.data?.[entry.key];
  if (raw === undefined) return undefined;
  return isSecret(entry, obj) ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

export function liveCopy(entry: PublishEntry, obj: DataObject): LiveCopy {
  const labels = obj.metadata?.labels ?? {};
  const annotations = obj.metadata?.annotations ?? {};
  const secretType = isSecret(entry, obj) ? { type: obj.type ?? 'Opaque' } : {};
  return {
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    managed: labels[MANAGED_BY_LABEL] === MANAGED_BY,
    ...(annotations[OBJECT_ANNOTATION] !== undefined ? { owner: annotations[OBJECT_ANNOTATION] } : {}),
    ...(valueAt(entry, obj) !== undefined ? { value: valueAt(entry, obj) } : {}),
    labels,
    annotations,
    ...secretType,
    ...(obj.immutable ? { immutable: true } : {}),
  };
}

/** The object to write: what is there (other keys, labels and annotations kept) plus ours. */
function desiredBody(entry: PublishEntry, namespace: string, bundle: string, current?: DataObject): DataObject {
  const metadata = { ...(current?.metadata ?? { name: entry.name, namespace }) };
  delete metadata.managedFields;
  const adopting = current !== undefined && metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY;
  metadata.labels = { ...(metadata.labels ?? {}), ...entry.labels, [MANAGED_BY_LABEL]: MANAGED_BY };
  metadata.annotations = { ...(metadata.annotations ?? {}), ...entry.annotations, [OBJECT_ANNOTATION]: entry.address, ...(adopting ? { [ADOPTED_ANNOTATION]: 'true' } : {}) };
  if (entry.target === 'secret') {
    const data = { ...((current as V1Secret | undefined)?.data ?? {}), [entry.key]: Buffer.from(bundle, 'utf8').toString('base64') };
    return { apiVersion: 'v1', kind: 'Secret', type: (current as V1Secret | undefined)?.type ?? 'Opaque', metadata, data } satisfies V1Secret;
  }
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { ...(current?.data ?? {}), [entry.key]: bundle } };
}

/** An adopted object given back: without our key, our label and our annotations. */
function releasedBody(entry: PublishEntry, current: DataObject): DataObject {
  const metadata = { ...(current.metadata ?? {}) };
  delete metadata.managedFields;
  const labels = { ...(metadata.labels ?? {}) };
  delete labels[MANAGED_BY_LABEL];
  metadata.labels = labels;
  metadata.annotations = Object.fromEntries(Object.entries(metadata.annotations ?? {}).filter(([k]) => !k.startsWith('vault-gitops.io/')));
  const data = { ...(current.data ?? {}) };
  delete data[entry.key];
  return { ...current, metadata, data };
}

/** Reads and writes the copies of CA bundles through one Kubernetes client. */
export class CopyStore {
  constructor(private readonly client: KubernetesClient) {}

  async namespaces(): Promise<NamespaceInfo[]> {
    return (await this.call('list namespaces', () => this.client.listNamespaces())).map(namespaceInfo);
  }

  /** Every object under the entry's name, in every namespace. */
  async copies(entry: PublishEntry): Promise<LiveCopy[]> {
    const objs = await this.call(`list ${entry.target}s named ${entry.name}`, () => this.client.listNamed(entry.target, entry.name));
    return objs.map((o) => liveCopy(entry, o));
  }

  /** What apply would do for this entry (nothing written). */
  async plan(entry: PublishEntry, bundle: string | undefined, namespaces?: NamespaceInfo[]): Promise<CaBundleChange[]> {
    return planCopies(entry, bundle, namespaces ?? (await this.namespaces()), await this.copies(entry));
  }

  /**
   * Makes the copy in one namespace what the entry wants (created, updated, or removed when the
   * namespace does not match and the copy is ours), reading it first; returns what was done
   * (`refused`: left alone), undefined when it was already right. `ns` undefined: the namespace is gone.
   */
  async converge(entry: PublishEntry, namespace: string, ns: NamespaceInfo | undefined, bundle: string): Promise<CaBundleChange | undefined> {
    const where = `${entry.target} ${namespace}/${entry.name}`;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.call(`read ${where}`, () => this.client.getObject(entry.target, namespace, entry.name));
      const change = decideCopy(entry, ns, bundle, current ? liveCopy(entry, current) : undefined);
      if (!change || change.action === 'refused') return change;
      try {
        if (change.action === 'create') {
          await this.call(`create ${where}`, () => this.client.createObject(entry.target, namespace, desiredBody(entry, namespace, bundle)));
        } else if (change.action === 'update' && current) {
          await this.call(`update ${where}`, () => this.client.replaceObject(entry.target, namespace, entry.name, desiredBody(entry, namespace, bundle, current)));
        } else if (change.action === 'delete' && current?.metadata?.annotations?.[ADOPTED_ANNOTATION] === 'true') {
          await this.call(`release ${where}`, () => this.client.replaceObject(entry.target, namespace, entry.name, releasedBody(entry, current)));
        } else if (change.action === 'delete' && current) {
          const { uid = '', resourceVersion = '' } = current.metadata ?? {};
          await this.call(`delete ${where}`, () => this.client.deleteObject(entry.target, namespace, entry.name, uid, resourceVersion));
        }
        return change;
      } catch (err) {
        // 409: created, changed or deleted meanwhile; 404 on delete: already gone. Look again.
        if (err instanceof PublishError && (err.status === 409 || (change.action === 'delete' && err.status === 404))) continue;
        throw err;
      }
    }
    throw new PublishError(`${where}: kept changing while vault-gitops wrote it (${MAX_ATTEMPTS} attempts); re-run to converge`, 409);
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof KubernetesRequestError)) throw err;
      const status = err.status === undefined ? '' : ` (${err.status}${err.reason ? ` ${err.reason}` : ''})`;
      const hint = err.status === 403 ? '; grant it in the ClusterRole (see config-examples/kubernetes/)' : '';
      throw new PublishError(`${what} failed${status}: ${err.message}${hint}`, err.status);
    }
  }
}
