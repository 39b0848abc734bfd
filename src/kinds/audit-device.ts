import type { Vault } from '../adapters/vault.js';
import { UsageError, errorMessage } from '../core/errors.js';
import type { Config, DesiredObject, KindName, Settings } from '../core/model.js';
import { auditOptionsBody, normaliseAudit, unsafeAuditOptions } from './audit-options.js';
import type { Kind } from './kind.js';
import { sameValue } from './normalise.js';
import { compact, desiredObject, liveObject, rule, trimSlash } from './support.js';

const KIND = 'audit-device' as KindName;
export const AUDIT_COLLECTION = 'audit';

type Json = Record<string, unknown>;

export function declaredAuditDevices(config: Config): Record<string, Settings> {
  return (config as unknown as { audit?: Record<string, Settings> }).audit ?? {};
}

function inScope(config: Config): boolean {
  return (config as unknown as { audit?: unknown }).audit !== undefined || config.prune.includes(AUDIT_COLLECTION);
}

const devicePath = (path: string): string => `sys/audit/${path.split('/').map(encodeURIComponent).join('/')}`;

/** `sys/audit`: path (no trailing slash) → Vault's entry. Needs sudo. */
export async function readAuditTable(vault: Vault): Promise<Record<string, Json>> {
  const body = (await vault.read('sys/audit')) ?? {};
  const table = (body.data && typeof body.data === 'object' ? body.data : body) as Json;
  const out: Record<string, Json> = {};
  for (const [path, entry] of Object.entries(table)) {
    if (path.endsWith('/') && entry && typeof entry === 'object') out[trimSlash(path)] = entry as Json;
  }
  return out;
}

/**
 * OpenBao answers sys/health without Vault's `enterprise` field. Asked only when an audit change
 * would be needed, so a plan fails there (with the way out) instead of the apply failing midway.
 */
async function isOpenBao(vault: Vault): Promise<boolean> {
  const health = await vault.read('sys/health?standbyok=true&perfstandbyok=true');
  return health !== undefined && !('enterprise' in health);
}

function refuseUnsafe(obj: DesiredObject): void {
  const unsafe = unsafeAuditOptions(obj.settings.options);
  if (unsafe.length > 0) throw new UsageError(`audit device ${obj.name}: ${unsafe.map((u) => u.why).join('; ')}`, `remove ${unsafe.map((u) => u.option).join(' and ')} from its options`);
}

async function enable(vault: Vault, path: string, settings: Settings): Promise<void> {
  await vault.write(devicePath(path), compact({ type: settings.type, description: settings.description, local: settings.local, options: auditOptionsBody(settings.options) }));
}

/** What would change on OpenBao, which cannot enable or disable audit devices through its API. */
function openBaoChanges(config: Config, desired: readonly DesiredObject[], live: Record<string, Settings>): string[] {
  const changed = desired.filter((d) => {
    const have = live[d.name];
    const want = normaliseAudit(d.settings);
    return have === undefined || Object.entries(want).some(([k, v]) => !sameValue(v, have[k] ?? null));
  });
  const declared = new Set(desired.map((d) => d.name));
  const pruned = config.prune.includes(AUDIT_COLLECTION) ? Object.keys(live).filter((p) => !declared.has(p)) : [];
  return [...changed.map((d) => d.name), ...pruned];
}

export const auditDeviceKind: Kind = {
  name: KIND,
  title: 'Audit devices',
  phase: 0,
  sensitiveFields: [],
  securityFields: ['type', 'options', 'local'],
  deletable: true,

  desired(config) {
    return Object.entries(declaredAuditDevices(config)).map(([path, s]) =>
      desiredObject(config, KIND, `${AUDIT_COLLECTION}/${path}`, `audit.${path}`, { settings: normaliseAudit(s), dependsOn: [] }, AUDIT_COLLECTION),
    );
  },

  async readLive(vault, scope) {
    if (!inScope(scope.config)) return [];
    const table = await readAuditTable(vault);
    const live = Object.fromEntries(Object.entries(table).map(([path, e]) => [path, normaliseAudit(e)]));
    const changes = openBaoChanges(scope.config, scope.desired, live);
    if (changes.length > 0 && (await isOpenBao(vault))) {
      throw new UsageError(
        `OpenBao does not allow enabling or disabling audit devices through its API, so audit device${changes.length > 1 ? 's' : ''} ${changes.join(', ')} cannot be applied`,
        'declare them in the OpenBao server configuration file (`audit "file" { ... }` blocks) and remove them from the vault-gitops config (or make it match what the server has)',
      );
    }
    return Object.entries(live).map(([path, s]) => liveObject(KIND, `${AUDIT_COLLECTION}/${path}`, s, undefined, AUDIT_COLLECTION));
  },

  normalise: normaliseAudit,

  async create(ctx, obj) {
    refuseUnsafe(obj);
    await enable(ctx.vault, obj.name, obj.settings);
  },

  /**
   * Vault cannot change an audit device in place: it is disabled and enabled again with the new
   * settings. If the new settings are refused, the old device is put back before the error is raised.
   */
  async update(ctx, obj) {
    refuseUnsafe(obj);
    const before = (await readAuditTable(ctx.vault))[obj.name];
    await ctx.vault.delete(devicePath(obj.name));
    try {
      await enable(ctx.vault, obj.name, obj.settings);
    } catch (err) {
      if (before) {
        await enable(ctx.vault, obj.name, before).catch((restore: unknown) => {
          throw new Error(`audit device ${obj.name}: the new settings were refused (${errorMessage(err)}) and the old device could not be restored: ${errorMessage(restore)}`);
        });
      }
      throw err;
    }
  },

  async delete(ctx, obj) {
    await ctx.vault.delete(devicePath(obj.name));
  },

  access(config) {
    return {
      // sys/health (the OpenBao check) needs no token.
      plan: [rule('sys/audit', 'read', 'sudo')],
      apply: [
        ...Object.keys(declaredAuditDevices(config)).map((path) => rule(devicePath(path), 'create', 'update', 'delete', 'sudo')),
        // A device removed from the config (or pruned) is disabled, whatever its path.
        rule('sys/audit/*', 'delete', 'sudo'),
      ],
    };
  },
};
