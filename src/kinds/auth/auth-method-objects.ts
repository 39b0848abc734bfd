// Shared by the auth-method kinds that live inside one auth mount type: its config (one object at
// `auth/MOUNT/config`) and its named objects (`auth/MOUNT/KEY/NAME`: Kubernetes roles, GitHub team
// and user maps). Each kind module states its Vault shapes and schema; this file holds the plumbing.
import type { TSchema } from 'typebox';
import type { KindAccess } from '../../core/least-privilege.js';
import type { Config, DesiredObject, KindName, LiveObject, Settings } from '../../core/model.js';
import type { PrincipalSource } from '../../core/principal.js';
import { exportableFields, exportedSettings } from '../shared/export.js';
import { TOKEN_DEFAULTS } from '../shared/fields.js';
import type { ApplyContext, CheckContext, ExportOutput, Kind, KindDocs, Placement } from '../kind.js';
import { checkServerOnlyFields } from '../shared/server-fields.js';
import { loginPrincipal, nameList, type LoginStatement } from './login-principal.js';
import { checkPolicyRefs, compact, listAndRead, liveMountsOfType, liveObject, placedEntries, placedObject, rule, type PlacedEntry } from '../shared/support.js';

type Json = Record<string, unknown>;

/** The declared setting's source position key (`auth.k8s.config.use_annotations_as_alias_metadata`). */
export const sourcePath = (path: readonly string[], field?: string): string => [...path, ...(field ? [field] : [])].join('.');

interface Shapes {
  kind: KindName;
  title: string;
  authType: string;
  /** Config key and address segment: `config`, `roles`, `teams`. */
  key: string;
  /** One object's schema, the rule for map names, and the key's description (the Placement). */
  schema: TSchema;
  names?: TSchema;
  description: string;
  /** The field naming policies the config must declare (`token_policies`, `policies`). */
  policyField: string;
  /** Checks beyond the schema for one placed entry (its path is not broken). */
  checkEntry?(ctx: CheckContext, entry: PlacedEntry): void;
  /** Brings settings (declared or read) into the comparable shape. */
  normalise(settings: Settings): Settings;
  /** Vault's answer → live settings (before normalise). */
  fromVault(data: Json): Settings;
  /** Declared settings → the body Vault takes. */
  toVault(settings: Settings): Json;
  /** Vault's defaults beyond the token fields': equal values are left out of the export. */
  defaults: Settings;
  /** What an export should say about one object beyond its settings (a secret it cannot carry). */
  exportNote?(obj: LiveObject): string | undefined;
  sensitiveFields?: string[];
  securityFields: string[];
  /** The reference page's summary, API paths and example (its defaults are the export's). */
  docs: Omit<KindDocs, 'defaults'>;
  /** Its objects are principals: logins get the policies of `policyField` (and what the statement adds). */
  login?: Omit<LoginStatement, 'policyFields'>;
  trust?: Kind['trust'];
}

/** The object's config value: the schema's fields without Vault's defaults or write-only secrets; policies that do not exist live are left out. */
function exportOf(s: Shapes, obj: LiveObject, all: readonly LiveObject[], out: ExportOutput): Settings {
  const settings = exportedSettings(obj.settings, exportableFields(s.schema, s.sensitiveFields ?? []), { ...TOKEN_DEFAULTS, ...s.defaults });
  const live = new Set(all.filter((l) => l.kind === 'policy').map((l) => l.name));
  const missing = nameList(settings[s.policyField]).filter((p) => p !== 'default' && !live.has(p));
  if (missing.length > 0) {
    delete settings[s.policyField];
    out.warnings.push(`${obj.address}: ${s.policyField} left out: it names ${missing.join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist in Vault`);
  }
  const note = s.exportNote?.(obj);
  if (note) out.warnings.push(`${obj.address}: ${note}`);
  return settings;
}

export { nameList };

function placementOf(s: Shapes, shape: 'single' | 'map'): Placement {
  return { in: 'auth', key: [s.key], mountTypes: [s.authType], shape, schema: s.schema, ...(s.names ? { names: s.names, allowEmpty: true } : {}), description: s.description };
}

/** What both shapes answer the same way from the kind's statement. */
function common(s: Shapes & { api?: string }, shape: 'single' | 'map') {
  const placement = placementOf(s, shape);
  const self = { name: s.kind, placement };
  const entries = (config: Config) => placedEntries(config, self);
  return {
    entries,
    kind: {
      name: s.kind,
      title: s.title,
      sensitiveFields: s.sensitiveFields ?? [],
      securityFields: s.securityFields,
      placement,
      docs: { ...s.docs, defaults: { ...TOKEN_DEFAULTS, ...s.defaults } },
      desired: (config: Config): DesiredObject[] =>
        entries(config).map((e) => {
          const policies = nameList(e.value[s.policyField]).filter((p) => p !== 'default' && config.policies[p]);
          return placedObject(config, self as Kind, e, { settings: e.value, dependsOn: [`auth/${e.mount}`, ...policies.map((p) => `policies/${p}`)] });
        }),
      normalise: s.normalise,
      ...(s.login ? { principal: (obj: PrincipalSource) => loginPrincipal(obj, { ...s.login!, policyFields: [s.policyField], ...(shape === 'map' ? { api: s.api } : {}) }) } : {}),
      ...(s.trust ? { trust: s.trust } : {}),
      export: (obj: LiveObject, all: readonly LiveObject[], out: ExportOutput) => exportOf(s, obj, all, out),
      check(ctx: CheckContext) {
        for (const e of entries(ctx.config)) {
          if (ctx.broken(e.path)) continue;
          checkPolicyRefs(ctx, e.value[s.policyField], [...e.path, s.policyField]);
          s.checkEntry?.(ctx, e);
        }
      },
    },
  };
}

/** The settings object at `auth/MOUNT/config`: exists once written, never deleted (Vault has no DELETE for it). */
export function authConfigKind(s: Shapes & {
  /** Fields a write keeps from the live config when the config does not declare them (Vault's write replaces the whole config). */
  keep?: readonly string[];
  /** Checks what Vault kept after a write (a field this server does not know is dropped silently). */
  verify?(obj: DesiredObject, stored: Json): void;
  /** Checks the live config against the declared one at plan time (throws a ConfigError). */
  checkLive?(declared: DesiredObject | undefined, stored: Json, config: Config): void;
}): Kind {
  const path = (mount: string | undefined) => `auth/${mount}/config`;
  const write = async (ctx: ApplyContext, obj: DesiredObject) => {
    const current = s.keep ? (((await ctx.vault.read(path(obj.mount)))?.data ?? {}) as Json) : {};
    const kept = Object.fromEntries((s.keep ?? []).filter((f) => obj.settings[f] === undefined && current[f] !== undefined).map((f) => [f, current[f]]));
    await ctx.vault.write(path(obj.mount), { ...kept, ...s.toVault(compact(obj.settings)) });
    if (s.verify) s.verify(obj, ((await ctx.vault.read(path(obj.mount)))?.data ?? {}) as Json);
  };
  const { kind, entries } = common(s, 'single');
  const mounts = (config: Config) => Object.entries(config.auth).filter(([, m]) => m.type === s.authType).map(([mount]) => mount);
  return {
    ...kind,
    phase: 1,
    deletable: false,
    async readLive(vault, scope) {
      const found = await Promise.all(
        liveMountsOfType(scope.config.auth, scope.mounts.auth, s.authType).map(async (mount) => {
          const data = (await vault.read(path(mount)))?.data as Json | null | undefined;
          if (!data) return undefined;
          s.checkLive?.(scope.desired.find((d) => d.mount === mount), data, scope.config);
          return liveObject(s.kind, `auth/${mount}/${s.key}`, s.normalise(s.fromVault(data)), mount);
        }),
      );
      return found.filter((l): l is LiveObject => l !== undefined);
    },
    create: (ctx, obj) => write(ctx, obj),
    update: (ctx, obj) => write(ctx, obj),
    async delete() {
      // Part of the mount: removing it from the config leaves Vault's config as it is.
    },
    access(config): KindAccess {
      const declared = new Set(entries(config).map((e) => e.mount));
      return {
        plan: mounts(config).map((m) => rule(path(m), 'read')),
        apply: mounts(config).filter((m) => declared.has(m)).map((m) => rule(path(m), 'create', 'update')),
      };
    },
  };
}

/** Named objects at `auth/MOUNT/API/NAME`, addressed `auth/MOUNT/KEY/NAME`, listed by LIST `auth/MOUNT/API`. */
export function authMapKind(s: Shapes & { api: string }): Kind {
  const itemPath = (mount: string | undefined, name: string) => `auth/${mount}/${s.api}/${encodeURIComponent(name)}`;
  const write = (ctx: ApplyContext, obj: DesiredObject) => ctx.vault.write(itemPath(obj.mount, obj.name), s.toVault(compact(obj.settings)));
  const { kind, entries } = common(s, 'map');
  const mounts = (config: Config) => [...new Set(entries(config).map((e) => e.mount))];
  return {
    ...kind,
    phase: 2,
    deletable: true,
    async readLive(vault, scope) {
      const keys = new Map<string, Set<string>>();
      const perMount = await Promise.all(
        liveMountsOfType(scope.config.auth, scope.mounts.auth, s.authType).map(async (mount) => {
          const items = await listAndRead(vault, `auth/${mount}/${s.api}`, (n) => itemPath(mount, n));
          return items.map((i) => {
            const address = `auth/${mount}/${s.key}/${i.name}`;
            keys.set(address, new Set(Object.keys(i.data)));
            return liveObject(s.kind, address, s.normalise(s.fromVault(i.data)), mount);
          });
        }),
      );
      await checkServerOnlyFields(vault, scope.config, scope.desired, keys, (d) => `auth.${d.mount ?? ''}.${s.key}.${d.name}`);
      return perMount.flat();
    },
    create: async (ctx, obj) => {
      await write(ctx, obj);
    },
    update: async (ctx, obj) => {
      await write(ctx, obj);
    },
    async delete(ctx, obj) {
      await ctx.vault.delete(itemPath(obj.mount, obj.name));
    },
    access(config): KindAccess {
      const out: KindAccess = { plan: [], apply: [] };
      for (const mount of mounts(config)) {
        out.plan.push(rule(`auth/${mount}/${s.api}/*`, 'read', 'list'));
        out.apply.push(rule(`auth/${mount}/${s.api}/*`, 'create', 'update', 'delete'));
      }
      return out;
    },
  };
}
