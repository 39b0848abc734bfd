/**
 * An in-memory VaultPort for unit tests of the engine, the lock and rotation. It answers the paths
 * those use the way Vault 1.21's HTTP API does (the integration tests check the real thing):
 * - sys/policies/acl: root and default exist and cannot be deleted; root cannot be written;
 * - sys/auth, sys/mounts: tables keyed `path/`, each mount with a new accessor; disabling a mount
 *   removes everything under it; enabling a path in use is a 400;
 * - approle (role with an optional role_id, role-id, secret-id issue/list/lookup, accessor lookup/destroy) and userpass
 *   (users, password) under mounts of those types; anything else is 404 "no handler for route";
 * - KV v2 (`data/`, `metadata/`) with check-and-set: a write whose cas is not the current version is a 400.
 * Faults are injected per method and path; every request is logged as `METHOD path`.
 */
import { randomUUID } from 'node:crypto';
import { VaultApiError } from '../../../src/core/errors.js';
import type { Json, VaultPort } from '../../../src/core/ports.js';

interface Mount {
  type: string;
  description: string;
  accessor: string;
  config: Json;
  options: Json | null;
}

interface SecretId {
  secretId: string;
  metadata: Record<string, string>;
}

interface KvSecret {
  versions: Array<{ data: Json; created_time: string }>;
}

interface Fault {
  method: string;
  path: string;
  status: number;
  message: string;
  times: number;
}

const SYSTEM_SECRETS: Record<string, string> = { cubbyhole: 'cubbyhole', identity: 'identity', sys: 'system' };

export class MemoryVault implements VaultPort {
  readonly addr = 'http://vault.memory:8200';
  readonly concurrency = 4;
  readonly log: string[] = [];
  readonly policies = new Map<string, string>([
    ['root', ''],
    ['default', '# Vault default policy\n'],
  ]);
  readonly auth = new Map<string, Mount>([['token', this.mount('token', 'token based credentials')]]);
  readonly secrets = new Map<string, Mount>(Object.entries(SYSTEM_SECRETS).map(([p, t]) => [p, this.mount(t, '')]));
  /** Objects inside auth mounts: `auth/MOUNT/role/NAME` → fields. */
  readonly objects = new Map<string, Json>();
  readonly roleIds = new Map<string, string>();
  readonly passwords = new Map<string, string>();
  /** Per role path: accessor → secret_id entry. */
  readonly secretIds = new Map<string, Map<string, SecretId>>();
  readonly kv = new Map<string, KvSecret>();
  private readonly faults: Fault[] = [];

  /** The next `times` requests `METHOD path` answer `status` with Vault's error text. */
  fail(method: string, path: string, status = 500, message = 'internal error', times = Number.POSITIVE_INFINITY): void {
    this.faults.push({ method, path, status, message, times });
  }

  heal(): void {
    this.faults.length = 0;
  }

  essential<T>(task: (vault: VaultPort) => Promise<T>): Promise<T> {
    return task(this);
  }

  async read(path: string): Promise<Json | undefined> {
    try {
      return await this.request('GET', path);
    } catch (err) {
      if (err instanceof VaultApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(path: string): Promise<string[]> {
    try {
      const body = await this.request('LIST', path);
      return ((body?.data as { keys?: string[] } | undefined)?.keys ?? []).slice();
    } catch (err) {
      if (err instanceof VaultApiError && err.status === 404) return [];
      throw err;
    }
  }

  async write(path: string, data: Json = {}): Promise<Json | undefined> {
    return this.request('POST', path, structuredClone(data));
  }

  /** Never retries (its failures are injected, not lost answers), so `done` is not asked. */
  async writeOnce(path: string, data: Json): Promise<Json | undefined> {
    return this.write(path, data);
  }

  async patch(path: string, data: Json): Promise<Json | undefined> {
    return this.request('PATCH', path, structuredClone(data));
  }

  async delete(path: string): Promise<void> {
    await this.request('DELETE', path);
  }

  private mount(type: string, description: string, config: Json = {}, options: Json | null = null): Mount {
    return { type, description, accessor: `${type}_${randomUUID().slice(0, 8)}`, config: { default_lease_ttl: 0, max_lease_ttl: 0, ...config }, options };
  }

  private async request(method: string, path: string, data?: Json): Promise<Json | undefined> {
    this.log.push(`${method} ${path}`);
    await Promise.resolve(); // answers arrive later, as over HTTP
    const fault = this.faults.find((f) => f.method === method && f.path === path && f.times > 0);
    if (fault) {
      fault.times--;
      throw new VaultApiError(fault.status, fault.message, method, path);
    }
    const body = this.route(method, path, data ?? {});
    return body === undefined ? undefined : structuredClone(body);
  }

  private error(status: number, message: string, method: string, path: string): never {
    throw new VaultApiError(status, message, method, path);
  }

  private route(method: string, path: string, data: Json): Json | undefined {
    const noRoute = () => this.error(404, `no handler for route "${path}". route entry not found.`, method, path);
    let m: RegExpExecArray | null;
    if (method === 'LIST' && path === 'sys/policies/acl') return { data: { keys: [...this.policies.keys()].sort() } };
    if ((m = /^sys\/policies\/acl\/(.+)$/.exec(path))) return this.policy(method, decodeURIComponent(m[1]!), data, path);
    if (path === 'sys/auth' && method === 'GET') return { data: this.table(this.auth) };
    if (path === 'sys/mounts' && method === 'GET') return { data: this.table(this.secrets) };
    if ((m = /^sys\/(auth|mounts)\/(.+?)(\/tune)?$/.exec(path))) return this.mountOp(method, m[1] === 'auth' ? 'auth' : 'secrets', m[2]!, m[3] !== undefined, data, path);
    if (method === 'LIST' && (m = /^sys\/plugins\/catalog\/(auth|secret)$/.exec(path))) {
      return { data: { keys: m[1] === 'auth' ? ['approle', 'jwt', 'kubernetes', 'userpass'] : ['kv', 'pki', 'transit'] } };
    }
    if ((m = /^auth\/(.+?)\/(role|users)(?:\/([^/]+)(\/.+)?)?$/.exec(path))) {
      const [, mount, api, name, rest] = m;
      const type = this.auth.get(mount!)?.type;
      if ((api === 'role' && type === 'approle') || (api === 'users' && type === 'userpass')) {
        return this.authObject(method, `auth/${mount}/${api}`, name === undefined ? undefined : decodeURIComponent(name), rest, data, path);
      }
      return noRoute();
    }
    if ((m = /^([^/]+)\/(data|metadata)\/(.+)$/.exec(path))) {
      const kvMount = this.secrets.get(m[1]!);
      if (kvMount?.type === 'kv' && String(kvMount.options?.version) === '2') return this.kvOp(method, `${m[1]}/${m[3]}`, m[2] === 'data', data, path);
    }
    return noRoute();
  }

  private policy(method: string, name: string, data: Json, path: string): Json | undefined {
    if (method === 'GET') {
      const text = this.policies.get(name);
      return text === undefined ? this.error(404, 'policy not found', method, path) : { data: { name, policy: text } };
    }
    if (method === 'POST') {
      if (name === 'root') this.error(400, 'cannot update "root" policy', method, path);
      if (typeof data.policy !== 'string') this.error(400, "'policy' parameter not supplied or empty", method, path);
      this.policies.set(name, data.policy);
      return undefined;
    }
    if (method === 'DELETE') {
      if (name === 'root' || name === 'default') this.error(400, `cannot delete "${name}" policy`, method, path);
      this.policies.delete(name);
      return undefined;
    }
    return this.error(405, 'unsupported operation', method, path);
  }

  private table(mounts: Map<string, Mount>): Json {
    return Object.fromEntries([...mounts].map(([p, info]) => [`${p}/`, { ...info, local: false, seal_wrap: false }]));
  }

  private mountOp(method: string, section: 'auth' | 'secrets', mountPath: string, tune: boolean, data: Json, path: string): Json | undefined {
    const mounts = section === 'auth' ? this.auth : this.secrets;
    const existing = mounts.get(mountPath);
    if (tune) {
      if (!existing) return this.error(400, `cannot fetch sysview for path "${mountPath}/"`, method, path);
      if (method === 'GET') return { data: existing.config };
      const { description, options, ...config } = data;
      if (typeof description === 'string') existing.description = description;
      if (options && typeof options === 'object') existing.options = { ...existing.options, ...(options as Json) };
      Object.assign(existing.config, config);
      return undefined;
    }
    if (method === 'POST') {
      if (existing) return this.error(400, `path is already in use at ${mountPath}/`, method, path);
      const type = String(data.type);
      mounts.set(mountPath, this.mount(type, String(data.description ?? ''), (data.config ?? {}) as Json, (data.options ?? null) as Json | null));
      return undefined;
    }
    if (method === 'DELETE') {
      // Disabling a mount that is not there succeeds; disabling one removes everything in it.
      mounts.delete(mountPath);
      const prefix = section === 'auth' ? `auth/${mountPath}/` : `${mountPath}/`;
      for (const store of [this.objects, this.roleIds, this.passwords, this.secretIds, this.kv] as Map<string, unknown>[]) {
        for (const key of [...store.keys()]) if (key.startsWith(prefix)) store.delete(key);
      }
      return undefined;
    }
    return this.error(405, 'unsupported operation', method, path);
  }

  private authObject(method: string, collection: string, name: string | undefined, rest: string | undefined, data: Json, path: string): Json | undefined {
    if (name === undefined) {
      if (method !== 'LIST') return this.error(405, 'unsupported operation', method, path);
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(`${collection}/`)).map((k) => k.slice(collection.length + 1));
      return keys.length > 0 ? { data: { keys: keys.sort() } } : this.error(404, '', method, path);
    }
    const key = `${collection}/${name}`;
    const obj = this.objects.get(key);
    if (rest === undefined) {
      if (method === 'GET') return obj ? { data: obj } : this.error(404, '', method, path);
      if (method === 'DELETE') {
        for (const store of [this.objects, this.roleIds, this.passwords, this.secretIds] as Map<string, unknown>[]) store.delete(key);
        return undefined;
      }
      if (method !== 'POST') return this.error(405, 'unsupported operation', method, path);
      const isRole = collection.endsWith('/role');
      // A role's role_id is taken from the write when sent (else made on create), never read back with the role.
      const { password, role_id: roleId, ...fields } = data;
      if (collection.endsWith('/users') && !obj && typeof password !== 'string') return this.error(400, 'missing password', method, path);
      if (typeof roleId === 'string' && [...this.roleIds].some(([k, id]) => id === roleId && k !== key)) return this.error(500, 'role_id already in use', method, path);
      if (typeof password === 'string') this.passwords.set(key, password);
      // A role or user update merges into what is there (fields not sent keep their values).
      this.objects.set(key, { ...(obj ?? {}), ...fields });
      if (isRole && typeof roleId === 'string') this.roleIds.set(key, roleId);
      else if (isRole && !this.roleIds.has(key)) this.roleIds.set(key, randomUUID());
      return undefined;
    }
    if (!obj) return this.error(collection.endsWith('/role') ? 400 : 404, `role "${name}" does not exist`, method, path);
    const ids = this.secretIds.get(key) ?? new Map<string, SecretId>();
    this.secretIds.set(key, ids);
    const byAccessor = (a: unknown) => (typeof a === 'string' ? ids.get(a) : undefined);
    const entry = (accessor: string, s: SecretId) => ({ data: { secret_id_accessor: accessor, metadata: s.metadata, expiration_time: '0001-01-01T00:00:00Z' } });
    switch (`${method} ${rest}`) {
      case 'POST /password':
        if (typeof data.password !== 'string' || data.password === '') return this.error(400, 'missing password', method, path);
        this.passwords.set(key, data.password);
        return undefined;
      case 'GET /role-id':
        return { data: { role_id: this.roleIds.get(key) } };
      case 'POST /role-id':
        this.roleIds.set(key, String(data.role_id));
        return undefined;
      case 'POST /secret-id': {
        const accessor = randomUUID();
        const secretId = randomUUID();
        const metadata = typeof data.metadata === 'string' && data.metadata !== '' ? (JSON.parse(data.metadata) as Record<string, string>) : {};
        ids.set(accessor, { secretId, metadata });
        return { data: { secret_id: secretId, secret_id_accessor: accessor, secret_id_ttl: 0, secret_id_num_uses: 0 } };
      }
      case 'LIST /secret-id':
        return ids.size > 0 ? { data: { keys: [...ids.keys()].sort() } } : this.error(404, '', method, path);
      case 'POST /secret-id/lookup': {
        const found = [...ids].find(([, s]) => s.secretId === data.secret_id);
        return found ? entry(...found) : undefined;
      }
      case 'POST /secret-id-accessor/lookup': {
        const s = byAccessor(data.secret_id_accessor);
        return s ? entry(String(data.secret_id_accessor), s) : this.error(404, `failed to find accessor entry for secret_id_accessor: "${String(data.secret_id_accessor)}"`, method, path);
      }
      case 'POST /secret-id-accessor/destroy':
        if (!byAccessor(data.secret_id_accessor)) return this.error(500, `unable to find accessor entry for secret ID accessor "${String(data.secret_id_accessor)}"`, method, path);
        ids.delete(String(data.secret_id_accessor));
        return undefined;
      default:
        return this.error(404, `no handler for route "${path}". route entry not found.`, method, path);
    }
  }

  private kvOp(method: string, key: string, dataPath: boolean, data: Json, path: string): Json | undefined {
    const secret = this.kv.get(key);
    const current = secret?.versions.length ?? 0;
    const metadata = (s: KvSecret, v: number) => ({ version: v, created_time: s.versions[v - 1]!.created_time, deletion_time: '', destroyed: false });
    if (!dataPath) {
      if (method === 'DELETE') {
        this.kv.delete(key);
        return undefined;
      }
      if (method !== 'GET') return this.error(405, 'unsupported operation', method, path);
      if (!secret) return this.error(404, '', method, path);
      return { data: { current_version: current, versions: Object.fromEntries(secret.versions.map((_, i) => [String(i + 1), metadata(secret, i + 1)])) } };
    }
    if (method === 'GET') return secret ? { data: { data: secret.versions[current - 1]!.data, metadata: metadata(secret, current) } } : this.error(404, '', method, path);
    if (method !== 'POST') return this.error(405, 'unsupported operation', method, path);
    const cas = (data.options as { cas?: unknown } | undefined)?.cas;
    if (cas !== undefined && cas !== current) return this.error(400, 'check-and-set parameter did not match the current version', method, path);
    const next = secret ?? { versions: [] };
    next.versions.push({ data: (data.data ?? {}) as Json, created_time: new Date().toISOString() });
    this.kv.set(key, next);
    return { data: metadata(next, next.versions.length) };
  }
}
