// Namespaces (`sys/namespaces/NAME`, OpenBao ≥ 2.3 and Vault Enterprise): a tenant's own policies,
// mounts, identities and tokens. A nested one (`team-a/apps`) is created inside its parent, through
// the path prefix both servers take (`team-a/sys/namespaces/apps`). What sits inside a namespace is
// another config (its top-level `namespace:`), planned and applied in it: see docs/namespaces.md.
import { Type } from 'typebox';
import { ConfigError, VaultApiError } from '../../core/errors.js';
import { NAMESPACE_PATH } from '../../core/common/namespaces.js';
import { sleep } from '../../core/common/sleep.js';
import type { Config, LiveObject, Settings } from '../../core/model.js';
import type { VaultPort } from '../../core/ports.js';
import { object, stringMap } from '../shared/fields.js';
import { isFullScope } from '../shared/full-scope.js';
import type { Kind } from '../kind.js';
import { liveObject, placedEntries, placedObject, rule } from '../shared/support.js';

const COLLECTION = 'namespaces';

const schema = object(
  { custom_metadata: stringMap({ type: 'string' }, { description: 'Free key/value pairs Vault keeps with the namespace (an owner, a cost centre).' }) },
  { description: 'A namespace (sys/namespaces/<name>); a nested one is named by its path, `team-a/apps`.' },
);

const names = Type.String({
  pattern: NAMESPACE_PATH.source,
  description: 'Namespace paths: names of letters, digits, `_`, `-` and inner `.`, joined by `/` for a nested namespace (`team-a/apps`).',
});

/** `team-a/apps` → `team-a/sys/namespaces/apps`: a namespace is written in its parent. */
export function apiPath(name: string): string {
  const cut = name.lastIndexOf('/');
  return cut < 0 ? `sys/namespaces/${name}` : `${name.slice(0, cut)}/sys/namespaces/${name.slice(cut + 1)}`;
}

const parentOf = (name: string): string | undefined => (name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : undefined);

function normalise(settings: Settings): Settings {
  const meta = (settings.custom_metadata ?? {}) as Record<string, unknown>;
  const keys = Object.keys(meta).sort();
  return { custom_metadata: Object.fromEntries(keys.map((k) => [k, String(meta[k])])) };
}

function inScope(config: Config): boolean {
  return config.tree[COLLECTION] !== undefined || config.prune.includes(COLLECTION) || isFullScope(config);
}

interface Listed {
  name: string;
  id?: string;
  custom_metadata?: unknown;
}

/** LIST with `key_info`: one request gives every child namespace with its id and metadata. */
async function children(vault: VaultPort, parent: string | undefined): Promise<Listed[]> {
  const body = await vault.read(`${parent === undefined ? '' : `${parent}/`}sys/namespaces?list=true`);
  const info = ((body?.data as { key_info?: Record<string, Record<string, unknown>> } | undefined)?.key_info ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(info).map(([key, v]) => ({
    name: `${parent === undefined ? '' : `${parent}/`}${key.replace(/\/$/, '')}`,
    id: typeof v.id === 'string' ? v.id : undefined,
    custom_metadata: v.custom_metadata,
  }));
}

/** Every namespace has these mounts of its own (OpenBao types them `ns_*`): they are not what it holds. */
const BUILT_IN_MOUNT = /^(ns_)?(system|cubbyhole|identity|token)$/;

/**
 * What a namespace holds, for the banner of its delete: its secrets engines, auth methods and child
 * namespaces. Undefined when the token may not look.
 */
async function holdings(vault: VaultPort, name: string, children: readonly string[]): Promise<string | undefined> {
  const mounts = async (path: string) => {
    const table = (await vault.read(`${name}/${path}`))?.data as Record<string, { type?: unknown }> | undefined;
    return Object.entries(table ?? {})
      .filter(([, m]) => typeof m.type === 'string' && !BUILT_IN_MOUNT.test(m.type))
      .map(([p]) => p)
      .sort();
  };
  try {
    const [secrets, auth] = await Promise.all([mounts('sys/mounts'), mounts('sys/auth')]);
    const parts = [
      secrets.length > 0 ? `secrets engines ${secrets.join(', ')}` : '',
      auth.length > 0 ? `auth methods ${auth.join(', ')}` : '',
      children.length > 0 ? `namespaces ${children.join(', ')}` : '',
    ].filter((p) => p !== '');
    return parts.length > 0 ? parts.join('; ') : 'no mounts';
  } catch (err) {
    if (err instanceof VaultApiError && err.status === 403) return undefined;
    throw err;
  }
}

/** How long a delete waits for the server to finish it. */
const DELETE_WAIT_MS = 120_000;

/**
 * Waits until the namespace is gone. The server answers DELETE with `"status": "in-progress"` and
 * clears the namespace in the background (OpenBao 2.4); until then its parent cannot be deleted ("cannot
 * delete namespace containing child namespaces") and a plan would still list it. Bounded: a namespace
 * still there after DELETE_WAIT_MS fails its delete (its parent is kept), and the next apply waits again.
 */
async function deleted(vault: VaultPort, name: string): Promise<void> {
  const started = Date.now();
  for (let wait = 50; (await vault.read(apiPath(name))) !== undefined; wait = Math.min(wait * 2, 2000)) {
    if (Date.now() - started > DELETE_WAIT_MS) {
      throw new Error(`namespace ${name} is still being deleted by the server after ${DELETE_WAIT_MS / 1000}s; the next apply waits for it again`);
    }
    await sleep(wait);
  }
}

function unsupported(config: Config, err: VaultApiError): ConfigError {
  const message = `this server has no namespaces (it answered ${err.method} ${err.path} with ${err.status}: ${err.vaultMessage})`;
  return new ConfigError(
    [{ severity: 'error', pos: config.sources.get(COLLECTION), path: COLLECTION, message, hint: 'namespaces need OpenBao 2.3 or later or Vault Enterprise: point VAULT_ADDR at such a server, or remove `namespaces:`' }],
    message,
    true,
  );
}

/**
 * `path` in the root and in the namespaces at each depth down to the deepest declared one
 * (`sys/namespaces`, `+/sys/namespaces`, ...): the plan lists the children of undeclared namespaces,
 * and a removed one is deleted (and read until it is gone) in its parent.
 */
function atEachDepth(declared: readonly string[], path: string): string[] {
  const depth = declared.reduce((d, n) => Math.max(d, n.split('/').length), 0);
  return Array.from({ length: depth + 1 }, (_, i) => `${'+/'.repeat(i)}${path}`);
}

export const namespaceKind: Kind = {
  name: 'namespace',
  title: 'Namespaces',
  phase: 0,
  sensitiveFields: [],
  securityFields: [],
  deletable: true,
  placement: { in: 'root', key: [COLLECTION], shape: 'map', schema, names, allowEmpty: true, description: 'Namespaces by path (sys/namespaces/<name>; `team-a/apps` is nested in `team-a`).' },
  docs: {
    summary:
      "A namespace: a tenant's own policies, auth methods, secrets engines, identities and tokens (OpenBao 2.3 or later, Vault Enterprise). Declared in the platform's config; what it holds is the tenant's own config, whose top-level `namespace:` names it (see the guide). Deleting one deletes everything in it: only a namespace vault-gitops created is deleted, and only with `--allow-destroy`. On Vault open source a config declaring one fails at plan time, before any write.",
    api: ['sys/namespaces/NAME', 'PARENT/sys/namespaces/NAME'],
    example: `namespaces:
  team-a:
    custom_metadata:
      owner: team-a@example.com
  team-a/apps: {}
`,
    guide: 'namespaces.md',
  },

  desired(config) {
    const declared = new Set(placedEntries(config, namespaceKind).map((e) => e.name));
    return placedEntries(config, namespaceKind).map((e) => {
      const parent = parentOf(e.name);
      return placedObject(config, namespaceKind, e, { settings: normalise(e.value), dependsOn: parent !== undefined && declared.has(parent) ? [`${COLLECTION}/${parent}`] : [] });
    });
  },

  check(ctx) {
    // Pruning would delete namespaces someone else made, with all they hold: only the record's are deleted.
    const at = ctx.config.prune.indexOf(COLLECTION);
    if (at >= 0) ctx.error(['prune', String(at)], '`namespaces` cannot be pruned: deleting a namespace deletes everything in it', 'remove it from prune: a namespace vault-gitops created is deleted when it leaves the config (with --allow-destroy)');
  },

  async readLive(vault, scope) {
    if (!inScope(scope.config)) return [];
    const full = isFullScope(scope.config);
    const declared = new Set(placedEntries(scope.config, namespaceKind).map((e) => e.name));
    const out: LiveObject[] = [];
    // Every namespace beneath, the undeclared ones too: one this tool created and the config dropped is
    // deleted with the children it has, children first. An undeclared one may hide its children (a
    // tenant's, from the platform's token): then they are not listed.
    const walk = async (parent: string | undefined): Promise<void> => {
      const found = await children(vault, parent).catch((err: unknown) => {
        if (parent !== undefined && !declared.has(parent) && err instanceof VaultApiError && err.status === 403) return [];
        throw err;
      });
      for (const n of found) {
        const live = liveObject('namespace', `${COLLECTION}/${n.name}`, normalise({ custom_metadata: n.custom_metadata }), undefined, COLLECTION);
        out.push(n.id !== undefined ? { ...live, identity: n.id } : live);
      }
      await Promise.all(found.map((n) => walk(n.name)));
    };
    try {
      await walk(undefined);
    } catch (err) {
      if (!(err instanceof VaultApiError && err.status === 404)) throw err;
      if (full) return [];
      throw unsupported(scope.config, err);
    }
    if (full) return out;
    // An undeclared namespace may be deleted by this plan: its banner names what goes with it.
    return Promise.all(
      out.map(async (l) => {
        if (declared.has(l.name)) return l;
        const kids = out.filter((o) => o.name.startsWith(`${l.name}/`)).map((o) => o.name);
        const holds = await holdings(vault, l.name, kids);
        return holds === undefined ? l : { ...l, settings: { ...l.settings, holds } };
      }),
    );
  },

  normalise,

  async identify(vault, obj) {
    const body = await vault.read(apiPath(obj.name));
    const id = (body?.data as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' ? id : undefined;
  },

  export: (obj) => {
    const meta = obj.settings.custom_metadata as Record<string, string> | undefined;
    return meta && Object.keys(meta).length > 0 ? { custom_metadata: meta } : {};
  },

  async create(ctx, obj) {
    const body = await ctx.vault.write(apiPath(obj.name), { custom_metadata: obj.settings.custom_metadata ?? {} });
    const id = (body?.data as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' ? id : undefined;
  },

  // A PATCH (a POST to an existing namespace is no update on Vault Enterprise): a merge patch keeps
  // what it leaves out, so each key the namespace has and the config does not is sent as null.
  async update(ctx, obj) {
    const live = (await ctx.vault.read(apiPath(obj.name)))?.data as { custom_metadata?: unknown } | undefined;
    const had = normalise({ custom_metadata: live?.custom_metadata }).custom_metadata as Record<string, string>;
    const want = (obj.settings.custom_metadata ?? {}) as Record<string, string>;
    const removed = Object.keys(had).filter((k) => !Object.hasOwn(want, k));
    await ctx.vault.patch(apiPath(obj.name), { custom_metadata: { ...Object.fromEntries(removed.map((k) => [k, null])), ...want } });
  },

  async delete(ctx, obj) {
    await ctx.vault.delete(apiPath(obj.name));
    await deleted(ctx.vault, obj.name);
  },

  destroyNote: (obj) =>
    `deletes namespace ${obj.name} with everything in it${typeof obj.settings.holds === 'string' ? ` (${obj.settings.holds})` : ''}: its policies, auth methods, secrets engines and their data, identities and tokens`,

  access(config) {
    const entries = placedEntries(config, namespaceKind);
    const names = entries.map((e) => e.name);
    return {
      plan: inScope(config) ? atEachDepth(names, 'sys/namespaces').map((p) => rule(p, 'list')) : [],
      apply: [
        ...entries.map((e) => rule(apiPath(e.name), 'create', 'update', 'patch', 'read')),
        ...(entries.length > 0 ? atEachDepth(names, 'sys/namespaces/*').map((p) => rule(p, 'read', 'delete')) : []),
      ],
    };
  },
};
