import { UsageError, VaultApiError } from '../core/errors.js';
import type { Json, RecordingVaultPort, Responses } from '../core/ports.js';
import { Vault } from './vault.js';
import type { VaultOptions } from './vault-options.js';

const strip = (body: Json | undefined): Json | null => {
  if (!body) return null;
  const { request_id: _r, lease_id: _l, lease_duration: _d, renewable: _n, wrap_info: _w, warnings: _x, auth: _a, ...rest } = body;
  return rest;
};

/**
 * A read Vault refused with another 4xx than 404 (a pki mount without a CA answers 400 "no default
 * issuer"): kept in the snapshot under this key, so an offline run gets the same refusal.
 */
const REFUSED = 'vault_gitops_refused';

/** Records every GET it makes (including 404s and other refusals), for `snapshot`. Only reads are recorded. */
export class RecordingVault extends Vault implements RecordingVaultPort {
  readonly responses: Responses = {};

  /** The same client in a namespace below, recording that namespace's reads apart (a snapshot of its own). */
  override inNamespace(namespace: string): RecordingVault {
    const view = super.inNamespace(namespace) as RecordingVault;
    Object.defineProperty(view, 'responses', { value: {} });
    return view;
  }

  override async call(method: string, path: string, data?: Json, essential = false): Promise<Json | undefined> {
    try {
      const body = await super.call(method, path, data, essential);
      if (method === 'GET') this.responses[path] = strip(body);
      return body;
    } catch (err) {
      if (method === 'GET' && err instanceof VaultApiError && err.status === 404) this.responses[path] = null;
      else if (method === 'GET' && err instanceof VaultApiError && err.status >= 400 && err.status < 500) {
        this.responses[path] = { [REFUSED]: { status: err.status, message: err.vaultMessage } };
      }
      throw err;
    }
  }
}

/** Answers reads from a snapshot; never touches the network. Anything else is refused. */
export class ReplayVault extends Vault {
  /** `namespace`: the one the snapshot was taken in, named by the plan (no request is sent anywhere). */
  constructor(
    private readonly responses: Responses,
    addr: string,
    namespace?: string,
  ) {
    const options: VaultOptions = { addr, namespace, token: 'offline', skipVerify: false, maxRetries: 0, retryBudgetMs: 0, timeoutMs: 1000, connectTimeoutMs: 1000, maxResponseBytes: 1, concurrency: 1 };
    super(options);
  }

  override async call(method: string, path: string): Promise<Json | undefined> {
    if (method !== 'GET') throw new UsageError(`an offline plan cannot ${method} ${path}`);
    if (!(path in this.responses)) {
      throw new UsageError(`the snapshot has no answer for GET ${path.replace(/\?.*$/, '')}`, 'take a new snapshot with this version of vault-gitops (`vault-gitops snapshot --out FILE`)');
    }
    const body = this.responses[path];
    if (body === null || body === undefined) throw new VaultApiError(404, 'not found (in the snapshot)', method, path);
    const refused = body[REFUSED] as { status?: unknown; message?: unknown } | undefined;
    if (refused) throw new VaultApiError(Number(refused.status), `${String(refused.message)} (in the snapshot)`, method, path);
    return body;
  }
}
