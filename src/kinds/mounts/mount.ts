import type { Capability } from '../../core/least-privilege.js';
import { readMountTable } from '../../core/common/mount-table.js';
import type { Config, KindName, MountConfig, Settings } from '../../core/model.js';
import type { Kind, KindDocs } from '../kind.js';
import { exportableFields, isDefault } from '../shared/export.js';
import { checkNewMountTypes } from './mount-catalog.js';
import { checkNestedMounts, checkNewMountPlaces } from './mount-nesting.js';
import { canonicalMountType } from './mount-kv-type.js';
import { MOUNT_DESCRIPTION, mountSchema, TUNE } from './mount-schema.js';
import { normaliseSettings } from '../shared/normalise.js';
import { compact, desiredObject, liveObject, rule } from '../shared/support.js';

type Json = Record<string, unknown>;

export { readMountTable };

/** Fields that only `enable` takes; Vault cannot change them on a live mount. */
const ENABLE_ONLY = ['type', 'local', 'seal_wrap', 'external_entropy_access'];

interface MountFlavor {
  kind: KindName;
  title: string;
  /** `auth` or `secrets`: the config section and the address prefix. */
  section: 'auth' | 'secrets';
  /** `sys/auth` or `sys/mounts`. */
  api: string;
  /** Mounts Vault itself owns; never listed, never touched. */
  system: Set<string>;
  /** Vault requires `sudo` to enable, tune or disable auth methods. */
  sudo: boolean;
  /** What deleting the mount loses (Kind.destroyNote), given its path and type. */
  loss(path: string, type: string): string;
  /** The reference page's summary, API paths, example and destroy samples (the section, schema and defaults are the mount's). */
  docs: Pick<KindDocs, 'summary' | 'api' | 'example' | 'destroySamples'>;
}

/** A mount's comparable shape: enable fields flat, tune fields as `tune.<name>`. */
export function flattenMount(m: MountConfig): Settings {
  const out: Settings = { type: m.type, ...m.settings };
  if (m.description !== undefined) out.description = m.description;
  for (const [k, v] of Object.entries(m.tune ?? {})) out[`tune.${k}`] = v;
  return out;
}

function liveMountSettings(info: Json): Settings {
  const out: Settings = {};
  for (const [k, v] of Object.entries(info)) {
    if (k === 'config' && v && typeof v === 'object') {
      for (const [ck, cv] of Object.entries(v as Json)) out[`tune.${ck}`] = cv;
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** A mount's identity: its accessor, new each time a mount is enabled. */
function accessorOf(info: Json | undefined): string | undefined {
  return typeof info?.accessor === 'string' && info.accessor !== '' ? info.accessor : undefined;
}

function unstructure(obj: Settings): { enable: Json; tune: Json } {
  const enable: Json = {};
  const tune: Json = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('tune.')) tune[k.slice(5)] = v;
    else enable[k] = v;
  }
  return { enable, tune };
}

/** What Vault answers for tune fields nobody set (left out of an export). */
const TUNE_DEFAULTS: Settings = { listing_visibility: 'hidden', token_type: 'default-service' };

export function mountKind(f: MountFlavor): Kind {
  const tuneFields = exportableFields(TUNE[f.section]);
  const mounts = (config: Config): Record<string, MountConfig> => config[f.section];
  return {
    name: f.kind,
    title: f.title,
    phase: 0,
    sensitiveFields: [],
    securityFields: ['type'],
    deletable: true,
    destroyNote: (obj) => f.loss(obj.mount ?? obj.address.split('/').slice(1).join('/'), String(obj.settings.type ?? '')),
    docs: {
      ...f.docs,
      section: { in: f.section, schema: mountSchema(f.section), description: MOUNT_DESCRIPTION[f.section] },
      defaults: { local: false, seal_wrap: false, external_entropy_access: false, ...Object.fromEntries(Object.entries(TUNE_DEFAULTS).map(([k, v]) => [`tune.${k}`, v])) },
    },

    desired(config) {
      return Object.entries(mounts(config)).map(([path, m]) =>
        desiredObject(config, f.kind, `${f.section}/${path}`, `${f.section}.${path}`, {
          settings: flattenMount(m),
          mount: path,
          dependsOn: [],
        }),
      );
    },

    check(ctx) {
      checkNestedMounts(ctx, f.section, Object.keys(mounts(ctx.config)));
    },

    async readLive(vault, scope) {
      const table = await readMountTable(vault, f.api);
      const declared = new Set(Object.keys(mounts(scope.config)));
      const fresh = scope.desired.flatMap((d) => (d.mount !== undefined && !(d.mount in table) ? [d.mount] : []));
      checkNewMountPlaces(scope.config, f.section, fresh, Object.keys(table).filter((p) => !declared.has(p)));
      await checkNewMountTypes(vault, f.section, scope.desired, table, scope.config);
      return Object.entries(table)
        .filter(([path]) => !f.system.has(path))
        .map(([path, info]) => ({ ...liveObject(f.kind, `${f.section}/${path}`, normaliseSettings(canonicalMountType(liveMountSettings(info))), path), identity: accessorOf(info) }));
    },

    async identify(vault, obj) {
      return accessorOf((await readMountTable(vault, f.api))[obj.mount ?? obj.name]);
    },

    normalise: (settings) => normaliseSettings(canonicalMountType(settings)),

    export(obj) {
      const s = obj.settings;
      const out: Settings = { type: s.type };
      if (!isDefault('description', s.description)) out.description = s.description;
      for (const k of ['local', 'seal_wrap', 'external_entropy_access']) if (s[k] === true) out[k] = true;
      if (!isDefault('options', s.options)) out.options = s.options;
      const tune: Settings = {};
      for (const [k, v] of Object.entries(s)) {
        const name = k.slice(5);
        if (k.startsWith('tune.') && tuneFields.has(name) && !isDefault(name, v, TUNE_DEFAULTS)) tune[name] = v;
      }
      if (Object.keys(tune).length > 0) out.tune = tune;
      return out;
    },

    async create(ctx, obj) {
      const { enable, tune } = unstructure(obj.settings);
      const path = obj.mount ?? obj.name;
      const body = compact({ ...enable, config: Object.keys(tune).length > 0 ? tune : undefined });
      await ctx.vault.writeOnce(`${f.api}/${path}`, body, async () => (await readMountTable(ctx.vault, f.api))[path]?.type === enable.type);
    },

    async update(ctx, obj, fields) {
      const fixed = fields.filter((n) => ENABLE_ONLY.includes(n));
      if (fixed.length > 0) {
        throw new Error(
          `${fixed.join(', ')} of a live mount cannot be changed: Vault would have to disable the mount, destroying its data; ` +
            `do it by hand or mount at a new path`,
        );
      }
      const { enable, tune } = unstructure(obj.settings);
      const body = compact({ ...tune, description: enable.description, options: enable.options });
      await ctx.vault.write(`${f.api}/${obj.mount}/tune`, body);
    },

    async delete(ctx, obj) {
      await ctx.vault.delete(`${f.api}/${obj.mount}`);
    },

    access(config) {
      const sudo: Capability[] = f.sudo ? ['sudo'] : [];
      return {
        plan: [rule(f.api, 'read')],
        apply: [
          ...Object.keys(mounts(config)).flatMap((path) => [rule(`${f.api}/${path}`, 'create', 'update', ...sudo), rule(`${f.api}/${path}/tune`, 'create', 'update', ...sudo)]),
          // A mount removed from the config (or pruned) is disabled, whatever its path.
          rule(`${f.api}/*`, 'delete', ...sudo),
        ],
      };
    },
  };
}
