// The one way the tool talks to Kubernetes: Secrets, ConfigMaps and namespaces, through
// @kubernetes/client-node, which is
// loaded on first use (`await import`) so that `validate` and Vault-only runs never pay for it.
// Cluster access is kubectl's: KUBECONFIG / ~/.kube/config (optionally another context), or the
// in-cluster service account. Request bodies are never logged or put in errors.
import type { KubeConfig, KubernetesObject, V1ConfigMap, V1Namespace, V1Secret } from '@kubernetes/client-node';

export interface KubernetesClientOptions {
  /** kubeconfig context to use instead of the current one (like `kubectl --context`). */
  context?: string;
  /** A kubeconfig file instead of KUBECONFIG / ~/.kube/config / in-cluster. */
  kubeconfig?: string;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
}

/**
 * A failed request. `status` is set when the API server answered (with its Status `reason`, e.g.
 * `Conflict`, `AlreadyExists`, `Forbidden`); unset when it could not be reached at all.
 */
export class KubernetesRequestError extends Error {
  constructor(
    message: string,
    public readonly status?: number,
    public readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubernetesRequestError';
  }
}

/** Could not build a client: no kubeconfig, unknown context, unreadable file. */
export class KubernetesConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubernetesConfigError';
  }
}

type ClientModule = typeof import('@kubernetes/client-node');
type CoreApi = InstanceType<ClientModule['CoreV1Api']>;
type RequestOptions = Parameters<CoreApi['readNamespacedSecret']>[1];

export type { V1ConfigMap, V1Namespace, V1Secret };

/** The two kinds a CA bundle is published as. */
export type DataObjectKind = 'configmap' | 'secret';
export type DataObject = V1ConfigMap | V1Secret;

/** A started list+watch: `on` events after the initial list; restarted after errors by its owner. */
export interface ObjectWatch<T> {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: T) => void): void;
  on(verb: 'error', cb: (err: unknown) => void): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The cached object (as of the last event). */
  get(name: string, namespace?: string): T | undefined;
}

export class KubernetesClient {
  private constructor(
    private readonly k8s: ClientModule,
    private readonly core: CoreApi,
    /** The API server URL (for messages). */
    readonly server: string,
    private readonly timeoutMs: number,
    private readonly kc: KubeConfig,
  ) {}

  static async create(opts: KubernetesClientOptions = {}): Promise<KubernetesClient> {
    const k8s = await import('@kubernetes/client-node');
    const kc: KubeConfig = new k8s.KubeConfig();
    try {
      if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
      else kc.loadFromDefault();
    } catch (err) {
      throw new KubernetesConfigError(`cannot load kubeconfig: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (opts.context) {
      if (!kc.getContextObject(opts.context)) {
        const known = kc.getContexts().map((c) => c.name);
        throw new KubernetesConfigError(
          `kubeconfig has no context "${opts.context}"${known.length ? ` (known: ${known.join(', ')})` : ''}`,
        );
      }
      kc.setCurrentContext(opts.context);
    }
    const cluster = kc.getCurrentCluster();
    // With no KUBECONFIG, no ~/.kube/config and no service account, the library falls back to an
    // unauthenticated http://localhost:8080; say what is missing instead.
    const fallback = !opts.kubeconfig && kc.getCurrentContext() === 'loaded-context' && cluster?.server === 'http://localhost:8080';
    if (!cluster || fallback) {
      throw new KubernetesConfigError(
        'no Kubernetes cluster configured: set KUBECONFIG, pass --kube-context, or run in a pod with a service account',
      );
    }
    return new KubernetesClient(k8s, kc.makeApiClient(k8s.CoreV1Api), cluster.server, opts.timeoutMs ?? 30_000, kc);
  }

  /** The Secret, or undefined when it does not exist. */
  async getSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({ namespace, name }, this.options());
    } catch (err) {
      const e = this.convert(err);
      // A GET in a namespace that does not exist is a plain 404 too; create then says why.
      if (e.status === 404) return undefined;
      throw e;
    }
  }

  async createSecret(namespace: string, body: V1Secret): Promise<V1Secret> {
    try {
      return await this.core.createNamespacedSecret({ namespace, body, fieldManager: 'vault-gitops' }, this.options());
    } catch (err) {
      throw this.convert(err);
    }
  }

  /** PUT with `body.metadata.resourceVersion`: a concurrent change answers 409 Conflict. */
  async replaceSecret(namespace: string, name: string, body: V1Secret): Promise<V1Secret> {
    try {
      return await this.core.replaceNamespacedSecret(
        { namespace, name, body, fieldManager: 'vault-gitops' },
        this.options(),
      );
    } catch (err) {
      throw this.convert(err);
    }
  }

  /** Whether the namespace exists; undefined when the API server will not say (403: no `get` on namespaces, or another error). */
  async namespaceExists(name: string): Promise<boolean | undefined> {
    try {
      await this.core.readNamespace({ name }, this.options());
      return true;
    } catch (err) {
      const status = this.convert(err).status;
      return status === 404 ? false : undefined;
    }
  }

  async listNamespaces(): Promise<V1Namespace[]> {
    return this.attempt(async () => (await this.core.listNamespace({}, this.options())).items);
  }

  /** Every ConfigMap or Secret named `name`, in all namespaces (one LIST with a field selector). */
  async listNamed(kind: DataObjectKind, name: string): Promise<DataObject[]> {
    const fieldSelector = `metadata.name=${name}`;
    return this.attempt(async () =>
      kind === 'configmap'
        ? (await this.core.listConfigMapForAllNamespaces({ fieldSelector }, this.options())).items
        : (await this.core.listSecretForAllNamespaces({ fieldSelector }, this.options())).items,
    );
  }

  /** The object, or undefined when it (or its namespace) does not exist. */
  async getObject(kind: DataObjectKind, namespace: string, name: string): Promise<DataObject | undefined> {
    try {
      return kind === 'configmap'
        ? await this.core.readNamespacedConfigMap({ namespace, name }, this.options())
        : await this.core.readNamespacedSecret({ namespace, name }, this.options());
    } catch (err) {
      const e = this.convert(err);
      if (e.status === 404) return undefined;
      throw e;
    }
  }

  async createObject(kind: DataObjectKind, namespace: string, body: DataObject): Promise<DataObject> {
    return this.attempt(() =>
      kind === 'configmap'
        ? this.core.createNamespacedConfigMap({ namespace, body, fieldManager: 'vault-gitops' }, this.options())
        : this.core.createNamespacedSecret({ namespace, body: body as V1Secret, fieldManager: 'vault-gitops' }, this.options()),
    );
  }

  /** PUT with `body.metadata.resourceVersion`: a concurrent change answers 409 Conflict. */
  async replaceObject(kind: DataObjectKind, namespace: string, name: string, body: DataObject): Promise<DataObject> {
    return this.attempt(() =>
      kind === 'configmap'
        ? this.core.replaceNamespacedConfigMap({ namespace, name, body, fieldManager: 'vault-gitops' }, this.options())
        : this.core.replaceNamespacedSecret({ namespace, name, body: body as V1Secret, fieldManager: 'vault-gitops' }, this.options()),
    );
  }

  /** DELETE only the version we read (uid and resourceVersion preconditions: 409 otherwise). */
  async deleteObject(kind: DataObjectKind, namespace: string, name: string, uid: string, resourceVersion: string): Promise<void> {
    const body = { preconditions: { uid, resourceVersion } };
    await this.attempt(() =>
      kind === 'configmap'
        ? this.core.deleteNamespacedConfigMap({ namespace, name, body }, this.options())
        : this.core.deleteNamespacedSecret({ namespace, name, body }, this.options()),
    );
  }

  /** Watches namespaces. */
  watchNamespaces(): ObjectWatch<V1Namespace> {
    return this.listWatch('/api/v1/namespaces', async () => this.core.listNamespace({}, this.options()));
  }

  /** Watches the ConfigMaps or Secrets named `name` in all namespaces. */
  watchNamed(kind: DataObjectKind, name: string): ObjectWatch<DataObject> {
    const fieldSelector = `metadata.name=${name}`;
    return kind === 'configmap'
      ? this.listWatch('/api/v1/configmaps', async () => this.core.listConfigMapForAllNamespaces({ fieldSelector }, this.options()), fieldSelector)
      : this.listWatch('/api/v1/secrets', async () => this.core.listSecretForAllNamespaces({ fieldSelector }, this.options()), fieldSelector);
  }

  private listWatch<T extends KubernetesObject>(path: string, list: () => Promise<{ items: T[] }>, fieldSelector?: string): ObjectWatch<T> {
    const lw = new this.k8s.ListWatch<T>(path, new this.k8s.Watch(this.kc), async () => {
      try {
        return (await list()) as never;
      } catch (err) {
        throw this.convert(err);
      }
    }, false, undefined, fieldSelector);
    return lw as unknown as ObjectWatch<T>;
  }

  private async attempt<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.convert(err);
    }
  }

  /** A timeout on every request, so an API server that accepts but never answers cannot hang a run. */
  private options(): RequestOptions {
    const timeoutMs = this.timeoutMs;
    // Per-request options take the generated client's observable-style middleware: `pre` returns
    // something with toPromise() (its rxjs stub); the package does not export that class.
    const resolved = <T>(value: T) => ({ toPromise: async () => value, pipe: undefined });
    const middleware = {
      pre: (ctx: { setSignal(signal: AbortSignal): void }) => {
        ctx.setSignal(AbortSignal.timeout(timeoutMs));
        return resolved(ctx);
      },
      post: <T>(ctx: T) => resolved(ctx),
    };
    return { middleware: [middleware], middlewareMergeStrategy: 'append' } as unknown as RequestOptions;
  }

  private convert(err: unknown): KubernetesRequestError {
    if (err instanceof this.k8s.ApiException) {
      const status = (err as { code: number }).code;
      let body: unknown = (err as { body?: unknown }).body;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          // plain text
        }
      }
      const s = (typeof body === 'object' && body !== null ? body : {}) as { reason?: string; message?: string };
      const text = s.message ?? (typeof body === 'string' && body ? body : httpText(status));
      return new KubernetesRequestError(oneLine(text), status, s.reason ?? httpText(status));
    }
    const e = err as { name?: string; code?: string; message?: string; type?: string };
    if (e?.name === 'AbortError' || e?.type === 'aborted') {
      return new KubernetesRequestError(`no answer from the Kubernetes API at ${this.server} within ${this.timeoutMs / 1000}s`);
    }
    const why = e?.code ?? (e?.message ? oneLine(e.message) : String(err));
    return new KubernetesRequestError(`cannot reach the Kubernetes API at ${this.server} (${why})`);
  }
}

function httpText(status: number): string {
  return status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : `HTTP ${status}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
