import { Type } from 'typebox';
import type { VaultPort } from '../../core/ports.js';
import { UsageError, VaultApiError, errorMessage } from '../../core/errors.js';
import type { Config, DesiredObject, Settings } from '../../core/model.js';
import { REQUIRED_AUDIT_OPTION, auditFileProblems, auditOptionsBody, exportAudit, normaliseAudit, unsafeAuditOptions } from './audit-options.js';
import { duration, object } from '../shared/fields.js';
import { isOpenBao } from '../shared/server-fields.js';
import { isFullScope } from '../shared/full-scope.js';
import type { Kind } from '../kind.js';
import { sameValue } from '../shared/normalise.js';
import { compact, liveObject, placedEntries, placedObject, rule, trimSlash } from '../shared/support.js';

const KIND = 'audit-device';
export const AUDIT_COLLECTION = 'audit';

type Json = Record<string, unknown>;

const schema = object(
  {
    type: Type.String({ enum: ['file', 'socket', 'syslog'], description: 'The audit device type.' }),
    description: Type.String(),
    local: Type.Boolean({ description: 'Not replicated (Vault Enterprise replication); fixed once enabled.' }),
    options: Type.Unsafe<Record<string, string | number | boolean>>({
      type: 'object',
      // The one option Vault parses as a duration is typed as one, so it is checked as every duration is.
      properties: { write_timeout: duration('socket: how long a write may take (default 2s).') },
      additionalProperties: { type: ['string', 'number', 'boolean'] },
      description: 'Device options as Vault names them (file_path, mode, format, prefix, elide_list_responses; address, socket_type, write_timeout; facility, tag). log_raw: true and hmac_accessor: false are refused.',
    }),
  },
  { required: ['type'], description: 'An audit device (sys/audit/<path>). Vault only: OpenBao takes audit devices from its server configuration file.' },
);

const names = Type.String({ pattern: '^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$', 'x-error': 'must be an audit device path: letters, digits, `_`, `.`, `-`, segments separated by `/`' });


function inScope(config: Config): boolean {
  return config.tree.audit !== undefined || config.prune.includes(AUDIT_COLLECTION) || isFullScope(config);
}

function declaredAuditDevices(config: Config): Record<string, Settings> {
  return Object.fromEntries(placedEntries(config, auditDeviceKind).map((e) => [e.name, e.value]));
}

const devicePath = (path: string): string => `sys/audit/${path.split('/').map(encodeURIComponent).join('/')}`;

/** `sys/audit`: path (no trailing slash) → Vault's entry. Needs sudo. */
export async function readAuditTable(vault: VaultPort): Promise<Record<string, Json>> {
  const body = (await vault.read('sys/audit')) ?? {};
  const table = (body.data && typeof body.data === 'object' ? body.data : body) as Json;
  const out: Record<string, Json> = {};
  for (const [path, entry] of Object.entries(table)) {
    if (path.endsWith('/') && entry && typeof entry === 'object') out[trimSlash(path)] = entry as Json;
  }
  return out;
}

function refuseUnsafe(obj: DesiredObject): void {
  const unsafe = unsafeAuditOptions(obj.settings.options);
  if (unsafe.length > 0) throw new UsageError(`audit device ${obj.name}: ${unsafe.map((u) => u.why).join('; ')}`, `remove ${unsafe.map((u) => u.option).join(' and ')} from its options`);
}

async function enable(vault: VaultPort, path: string, settings: Settings): Promise<void> {
  const body = compact({ type: settings.type, description: settings.description, local: settings.local, options: auditOptionsBody(settings.options) });
  await vault.writeOnce(devicePath(path), body, async () => (await readAuditTable(vault))[path]?.type === settings.type);
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
  // Enabling an audit device fails Vault's requests in flight with 500 (Vault 1.21.2, measured).
  writesAlone: true,
  sensitiveFields: [],
  // Every change to an audit device is security-relevant (the record of who did what).
  securityFields: ['type', 'options', 'local', 'description'],
  trust: { subject: 'audit device', fields: ['type', 'options'], object: true },
  deletable: true,
  // OpenBao 2.4 answers sys/audit in a namespace with 400 "operation unavailable in namespaces".
  rootOnly: true,

  placement: { in: 'root', key: ['audit'], shape: 'map', schema, names, description: 'Audit devices by path (Vault only).' },
  docs: {
    summary:
      'An audit device: where Vault records every request and response. Changing one disables and re-enables it (Vault cannot change a device in place). Vault only: OpenBao takes audit devices from its server configuration file, and a plan that would change one on OpenBao fails.',
    api: ['sys/audit/NAME'],
    example: `audit:
  file:
    type: file
    options:
      file_path: /var/log/vault/audit.log
`,
    guide: 'kinds/identity-audit-kv.md',
  },

  desired(config) {
    return placedEntries(config, auditDeviceKind).map((e) => placedObject(config, auditDeviceKind, e, { settings: normaliseAudit(e.value), dependsOn: [] }));
  },

  check(ctx) {
    for (const e of placedEntries(ctx.config, auditDeviceKind)) {
      if (ctx.broken(e.path)) continue;
      for (const u of unsafeAuditOptions(e.value.options)) {
        ctx.error([...e.path, 'options', u.option], `refused: ${u.why}`, `remove ${u.option} (set it by hand in Vault if you really need it)`);
      }
      for (const p of auditFileProblems(e.value.type, e.value.options)) ctx.error([...e.path, 'options', p.option], p.message, p.hint);
      const required = REQUIRED_AUDIT_OPTION[String(e.value.type)];
      const options = (e.value.options ?? {}) as Json;
      if (required !== undefined && options[required] === undefined) {
        ctx.error(e.value.options === undefined ? e.path : [...e.path, 'options'], `a ${String(e.value.type)} audit device needs options.${required}`, `add options: { ${required}: ... }`);
      }
    }
  },

  export(obj) {
    return exportAudit(obj.settings);
  },

  destroyNote(obj) {
    return `disables audit device ${obj.name}: requests are no longer recorded there`;
  },

  async readLive(vault, scope) {
    // Audit devices are the root namespace's only (inside one, Vault answers sys/audit with 400).
    if (!inScope(scope.config) || (vault.namespace && isFullScope(scope.config))) return [];
    const table = await readAuditTable(vault).catch((err: unknown) => {
      // A full-scope read with a token that may not read sys/audit (sudo) leaves audit devices out.
      if (isFullScope(scope.config) && err instanceof VaultApiError && err.status === 403) return {};
      throw err;
    });
    const live = Object.fromEntries(Object.entries(table).map(([path, e]) => [path, normaliseAudit(e)]));
    // Asked on every read in scope, so a snapshot holds the answer for an offline plan.
    const openBao = await isOpenBao(vault);
    const changes = openBaoChanges(scope.config, scope.desired, live);
    if (changes.length > 0 && openBao) {
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
    if (!inScope(config)) return { plan: [], apply: [] };
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
