// `<mount>/config` of a KV version 2 mount: how many versions it keeps, whether writes need
// check-and-set, when versions are deleted. Secret values are out of scope: never read, never written.
import { Type } from 'typebox';
import type { VaultPort } from '../../core/ports.js';
import { UsageError } from '../../core/errors.js';
import { whileKvUpgrading } from '../../core/common/kv-upgrade.js';
import type { Config, DesiredObject, MountConfig, Settings } from '../../core/model.js';
import { parseTtl } from '../../core/common/ttl.js';
import { duration, object } from '../shared/fields.js';
import { isFullScope } from '../shared/full-scope.js';
import type { Kind } from '../kind.js';
import { readMountTable } from '../mounts/mount.js';
import { liveObject, placedEntries, placedObject, rule } from '../shared/support.js';

const KIND = 'kv-config';

const schema = object(
  {
    max_versions: Type.Integer({ minimum: 0, description: 'Versions kept per key; 0 = Vault default (10).' }),
    cas_required: Type.Boolean({ description: 'Every write must carry check-and-set.' }),
    delete_version_after: duration('Versions are deleted this long after they are written; 0 = never.'),
  },
  { description: 'kv version 2: <mount>/config (version settings; secret values are never managed).' },
);
export const KV_CONFIG_FIELDS = ['max_versions', 'cas_required', 'delete_version_after'] as const;

type Json = Record<string, unknown>;

/** A declared mount is KV version 2: `kv-v2`, or `kv` with `options.version` 2. */
export function isKvV2Declared(m: Pick<MountConfig, 'type' | 'settings'>): boolean {
  if (m.type === 'kv-v2') return true;
  const version = (m.settings.options as Json | undefined)?.version;
  return m.type === 'kv' && String(version) === '2';
}

/** Vault lists every KV mount as type `kv`; version 2 is in its options. */
function isKvV2Live(info: Json | undefined): boolean {
  return info?.type === 'kv' && String((info.options as Json | undefined)?.version) === '2';
}

function declaredConfigs(config: Config): Array<[string, Settings]> {
  return placedEntries(config, kvConfigKind).map((e) => [e.mount ?? '', e.value]);
}


export function normaliseKvConfig(settings: Settings): Settings {
  const out: Settings = {};
  const { max_versions: max, cas_required: cas, delete_version_after: after } = settings;
  if (max !== undefined && max !== null) out.max_versions = typeof max === 'string' && /^\d+$/.test(max) ? Number(max) : max;
  if (cas !== undefined && cas !== null) out.cas_required = cas === 'true' ? true : cas === 'false' ? false : cas;
  if (after !== undefined && after !== null) out.delete_version_after = typeof after === 'string' || typeof after === 'number' ? (parseTtl(after) ?? after) : after;
  return out;
}

/** A live config as `export` writes it: Vault's defaults (0, false, 0s) dropped; nothing left → not exported. */
export function exportKvConfig(settings: Settings): Settings | undefined {
  const out: Settings = {};
  if (typeof settings.max_versions === 'number' && settings.max_versions !== 0) out.max_versions = settings.max_versions;
  if (settings.cas_required === true) out.cas_required = true;
  if (typeof settings.delete_version_after === 'number' && settings.delete_version_after !== 0) out.delete_version_after = `${settings.delete_version_after}s`;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Writing `<mount>/config` into a KV version 1 mount would store a secret named "config": refused. */
async function write(vault: VaultPort, obj: DesiredObject): Promise<void> {
  const mount = obj.mount ?? '';
  const info = (await readMountTable(vault, 'sys/mounts'))[mount];
  if (!isKvV2Live(info)) {
    throw new UsageError(`${mount} is not a KV version 2 mount in Vault, so it has no version settings (${obj.address})`, 'mount it as kv-v2 (type kv-v2, or kv with options.version 2)');
  }
  const s = obj.settings;
  const body: Json = {};
  if (s.max_versions !== undefined) body.max_versions = s.max_versions;
  if (s.cas_required !== undefined) body.cas_required = s.cas_required;
  if (s.delete_version_after !== undefined) body.delete_version_after = typeof s.delete_version_after === 'number' ? `${s.delete_version_after}s` : s.delete_version_after;
  await whileKvUpgrading(() => vault.write(`${mount}/config`, body));
}

export const kvConfigKind: Kind = {
  name: KIND,
  title: 'KV v2 mount settings',
  phase: 1,
  sensitiveFields: [],
  securityFields: [],
  deletable: false,

  placement: { in: 'secrets', key: ['config'], mountTypes: ['kv', 'kv-v2'], shape: 'single', schema, description: 'kv version 2: version settings (<mount>/config).' },
  docs: {
    summary:
      "A KV version 2 mount's version settings: how many versions it keeps, whether writes need check-and-set, when versions are deleted. Part of the mount: it is never deleted. Secret values are out of scope: never read, never written.",
    api: ['MOUNT/config'],
    example: `secrets:
  secret:
    type: kv-v2
    config:
      max_versions: 10
      cas_required: true
`,
    defaults: { max_versions: 0, cas_required: false, delete_version_after: 0 },
    guide: 'kinds/identity-audit-kv.md',
  },

  desired(config) {
    return placedEntries(config, kvConfigKind).map((e) =>
      placedObject(config, kvConfigKind, e, { settings: normaliseKvConfig(e.value), dependsOn: [`secrets/${e.mount}`] }),
    );
  },

  check(ctx) {
    for (const e of placedEntries(ctx.config, kvConfigKind)) {
      const mount = ctx.config.secrets[e.mount ?? ''];
      if (mount && !ctx.broken(e.path) && !isKvV2Declared(mount)) {
        ctx.error(e.path, `secrets.${e.mount} is KV version 1, which has no version settings (its \`config\` would be a secret named config)`, 'make the mount kv-v2 (type: kv-v2, or options: { version: 2 }), or remove config', 'key');
      }
    }
  },

  export(obj) {
    return exportKvConfig(obj.settings);
  },

  /** The declared settings' mounts that are KV v2 live; every live KV v2 mount for a full-scope read. */
  async readLive(vault, scope) {
    const wanted = isFullScope(scope.config)
      ? Object.entries(scope.config.secrets).filter(([, m]) => m.type === 'kv' || m.type === 'kv-v2').map(([path]) => path)
      : declaredConfigs(scope.config).map(([path]) => path);
    const kvMounts = wanted.filter((path) => scope.mounts.secrets[path] === 'kv');
    if (kvMounts.length === 0) return [];
    const table = await readMountTable(vault, 'sys/mounts');
    const v2 = kvMounts.filter((path) => isKvV2Live(table[path]));
    return Promise.all(
      v2.map(async (mount) => {
        const data = ((await whileKvUpgrading(() => vault.read(`${mount}/config`)))?.data ?? {}) as Json;
        const settings = normaliseKvConfig(Object.fromEntries(KV_CONFIG_FIELDS.map((f) => [f, data[f]])));
        return liveObject(KIND, `secrets/${mount}/config`, settings, mount);
      }),
    );
  },

  normalise: normaliseKvConfig,

  async create(ctx, obj) {
    await write(ctx.vault, obj);
  },

  async update(ctx, obj) {
    await write(ctx.vault, obj);
  },

  async delete() {
    // A mount's version settings are part of the mount; removing them from the config leaves them alone.
  },

  access(config) {
    const kv = declaredConfigs(config);
    return {
      plan: [...(kv.length > 0 ? [rule('sys/mounts', 'read')] : []), ...kv.map(([mount]) => rule(`${mount}/config`, 'read'))],
      apply: declaredConfigs(config).map(([mount]) => rule(`${mount}/config`, 'create', 'update')),
    };
  },
};
