import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { reissues, statusReason, type CredentialStatus, type Kind } from '../kind.js';
import {
  PLAN_FORMAT_VERSION,
  SENSITIVE_MASK,
  type Address,
  type Change,
  type DesiredObject,
  type FieldChange,
  type KindName,
  type LiveObject,
  type Plan,
  type UnmanagedObject,
} from '../model.js';
import { findDestroys } from './destroys.js';
import { isPruned } from './prune.js';
import { sameValue } from '../common/same-value.js';
import { secretMatches } from '../common/secret-hash.js';

export interface PlanInput {
  desired: DesiredObject[];
  live: LiveObject[];
  /** Delivered-credential status of desired objects that exist live and declare a sink. */
  credentials: Record<Address, CredentialStatus>;
  /** Where each credential goes, for plan lines: address → `file out/a.json`. */
  sinkLabels: Record<Address, string>;
  prune: string[];
  /**
   * Addresses vault-gitops created earlier (from its state record in Vault). Such an object that
   * the config no longer declares is deleted ("removed from config"); other undeclared objects stay
   * unmanaged unless their collection is pruned.
   */
  managed?: readonly Address[];
  /**
   * The live identity recorded for managed objects (mount accessor, role_id, …). A managed object
   * of a kind that has identities is deleted only when its live identity is the recorded one.
   */
  identities?: Readonly<Record<Address, string>>;
  /** Salted hashes of the write-only values last written (the state record): a declared value that no longer matches is a change. */
  secretHashes?: Readonly<Record<Address, Readonly<Record<string, string>>>>;
  /** A declared write-only value with no recorded hash is written (once: the write records its hash). */
  rewriteSecrets?: boolean;
  kinds: readonly Kind[];
  toolVersion: string;
  createdAt: string;
  vaultAddr?: string;
  vaultNamespace?: string;
}

/** The desired objects without their sensitive fields: for anything hashed or recorded (plan files, the state record). */
export function withoutSensitive(desired: readonly DesiredObject[], kinds: readonly Kind[]): DesiredObject[] {
  const sensitive = new Map(kinds.map((k) => [k.name, k.sensitiveFields]));
  return desired.map((d) => ({ ...d, settings: Object.fromEntries(Object.entries(d.settings).filter(([name]) => !sensitive.get(d.kind)?.includes(name))) }));
}

/**
 * sha256 of the normalised desired objects. Sensitive fields (write-only secrets) are left out: a
 * plan file must not carry even a hash of a client secret, which a weak secret could be guessed from.
 */
export function configFingerprint(desired: readonly DesiredObject[], kinds: readonly Kind[]): string {
  const canon = withoutSensitive(desired, kinds)
    .sort((a, b) => a.address.localeCompare(b.address))
    .map((d) => [d.address, d.settings, d.credentials ?? null]);
  return 'sha256:' + createHash('sha256').update(JSON.stringify(canon)).digest('hex');
}

// The diff library is loaded at the first policy that differs: most plans show none, and loading it
// is a noticeable part of every start.
const require = createRequire(import.meta.url);
let diffLibrary: typeof import('diff') | undefined;
function twoFilesPatch(name: string, before: string, after: string): string {
  diffLibrary ??= require('diff') as typeof import('diff');
  return diffLibrary.createTwoFilesPatch(name, name, before, after, 'live', 'config', { context: 3 });
}

function show(kind: Kind, name: string, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return kind.sensitiveFields.includes(name) ? SENSITIVE_MASK : value;
}

function fieldChange(kind: Kind, name: string, before: unknown, after: unknown): FieldChange {
  const sensitive = kind.sensitiveFields.includes(name);
  const change: FieldChange = { name, before: show(kind, name, before), after: show(kind, name, after), sensitive };
  if (!sensitive && typeof after === 'string' && (typeof before === 'string' || before == null) && name === 'policy') {
    change.diff = twoFilesPatch(name, typeof before === 'string' ? before : '', after)
      .split('\n')
      .slice(2)
      .join('\n');
  }
  return change;
}

/** Only the fields the config declares are compared; Vault's defaults for the rest are not drift. */
function diffFields(kind: Kind, desired: Record<string, unknown>, live: Record<string, unknown>): FieldChange[] {
  const out: FieldChange[] = [];
  for (const [name, after] of Object.entries(desired)) {
    if (after === undefined || kind.sensitiveFields.includes(name)) continue;
    const before = live[name] ?? null;
    if (!sameValue(after, before)) out.push(fieldChange(kind, name, before, after));
  }
  return out;
}

/**
 * Write-only fields whose declared value differs from the one last written (its recorded hash no
 * longer matches). Without a recorded hash (an adopted object) nothing can be known: no change,
 * unless `rewrite` (--rewrite-secrets) asks to write it once.
 */
function changedSecrets(kind: Kind, d: DesiredObject, hashes: Readonly<Record<string, string>> | undefined, rewrite: boolean): FieldChange[] {
  return kind.sensitiveFields.flatMap((name) => {
    const value = d.settings[name];
    const hash = hashes?.[name];
    if (typeof value !== 'string' || value === '' || kind.secretApplies?.(d.settings, name) === false) return [];
    const changed = hash === undefined ? rewrite : secretMatches(value, hash) === false;
    return changed ? [{ name, before: SENSITIVE_MASK, after: SENSITIVE_MASK, sensitive: true }] : [];
  });
}

function credentialLine(kind: Kind, sink: string | undefined, status: CredentialStatus | undefined, issuing: boolean): string[] | undefined {
  if (!kind.credentials || !sink) return undefined;
  const what = kind.credentials.label;
  if (issuing) return [`${what} → ${sink}`];
  if (!status || status.state === 'ok') return undefined;
  return [`${sink}: ${statusReason(status)}`];
}

/** The planner: a pure function of (desired, live, options). */
export function planChanges(input: PlanInput): Plan {
  const kinds = new Map<KindName, Kind>(input.kinds.map((k) => [k.name, k]));
  const liveByAddr = new Map(input.live.map((l) => [l.address, l]));
  const desiredAddrs = new Set(input.desired.map((d) => d.address));
  const managed = new Set(input.managed ?? []);
  const changes: Change[] = [];
  const unmanaged: UnmanagedObject[] = [];

  for (const d of input.desired) {
    const kind = kinds.get(d.kind)!;
    const want = kind.normalise(d.settings);
    const live = liveByAddr.get(d.address);
    const sink = input.sinkLabels[d.address];
    if (!live) {
      const fields = Object.entries(want)
        .filter(([, v]) => v !== undefined)
        .map(([n, v]) => fieldChange(kind, n, null, v));
      changes.push({
        address: d.address,
        kind: d.kind,
        action: 'create',
        reason: 'not in Vault',
        fields,
        security: fields.some((f) => kind.securityFields.includes(f.name)),
        credentials: credentialLine(kind, sink, undefined, true),
      });
      continue;
    }
    const fields = [...diffFields(kind, want, live.settings), ...changedSecrets(kind, d, input.secretHashes?.[d.address], input.rewriteSecrets === true)];
    const status = input.credentials[d.address];
    const reissue = reissues(status);
    const blocked = status !== undefined && !reissue && status.state !== 'ok';
    const reasons: string[] = [];
    if (fields.length > 0) reasons.push('differs from config');
    if (status && status.state !== 'ok') reasons.push(`${sink}: ${statusReason(status)}`);
    const action = fields.length > 0 || reissue || blocked ? 'update' : 'noop';
    // An in-sync credential state worth knowing (a one-time secret_id used up) rides on the noop.
    const note = action === 'noop' && status?.state === 'ok' && status.note ? [`${sink}: ${status.note}`] : undefined;
    changes.push({
      address: d.address,
      kind: d.kind,
      action,
      reason: reasons.length > 0 ? reasons.join('; ') : 'matches config',
      fields,
      security: fields.some((f) => kind.securityFields.includes(f.name)) || (status !== undefined && 'security' in status && status.security === true),
      credentials: reissue && status ? [`${kind.credentials?.label ?? 'credentials'} → ${sink} (${statusReason(status)})`] : (note ?? credentialLine(kind, sink, status, false)),
    });
  }

  for (const l of input.live) {
    if (desiredAddrs.has(l.address)) continue;
    const kind = kinds.get(l.kind)!;
    if (kind.builtIn?.(l)) continue;
    const pruned = isPruned(l.collection, input.prune);
    const notOurs = managed.has(l.address) ? identityMismatch(kind, l, input.identities?.[l.address]) : undefined;
    const removed = managed.has(l.address) && notOurs === undefined;
    if (kind.deletable && (removed || pruned)) {
      changes.push({
        address: l.address,
        kind: l.kind,
        action: 'delete',
        reason: removed ? 'removed from config' : `not in config; collection ${l.collection} is pruned`,
        fields: [],
        security: true,
      });
    } else {
      unmanaged.push(notOurs ? { address: l.address, kind: l.kind, note: notOurs } : { address: l.address, kind: l.kind });
    }
  }

  // Reading order: deletes first (children before parents), then the rest parents first. The apply
  // engine runs the deletes last (src/core/apply/apply.ts).
  const phase = (c: Change) => kinds.get(c.kind)!.phase;
  changes.sort((a, b) => {
    const da = a.action === 'delete' ? 0 : 1;
    const db = b.action === 'delete' ? 0 : 1;
    if (da !== db) return da - db;
    const pa = da === 0 ? -phase(a) : phase(a);
    const pb = db === 0 ? -phase(b) : phase(b);
    return pa - pb || a.address.localeCompare(b.address);
  });
  unmanaged.sort((a, b) => a.address.localeCompare(b.address));

  const summary = { create: 0, update: 0, delete: 0, noop: 0 };
  for (const c of changes) summary[c.action]++;
  return {
    format_version: PLAN_FORMAT_VERSION,
    tool_version: input.toolVersion,
    created_at: input.createdAt,
    config_fingerprint: configFingerprint(input.desired, input.kinds),
    vault_addr: input.vaultAddr,
    ...(input.vaultNamespace ? { vault_namespace: input.vaultNamespace } : {}),
    changes,
    destroys: findDestroys(changes, liveByAddr, kinds),
    unmanaged,
    summary,
  };
}

/**
 * Why a managed object removed from the config is not the one vault-gitops recorded, or undefined
 * when it is (or its kind has no identity to check: policies, users and PKI roles are known by name).
 */
function identityMismatch(kind: Kind, live: LiveObject, recorded: string | undefined): string | undefined {
  if (!kind.identify) return undefined;
  if (recorded === undefined) {
    return 'the state record holds no identity for it (an older record, or an entry added by hand); left alone: delete it by hand if it should go';
  }
  if (live.identity === undefined) return 'its identity could not be read from Vault; left alone';
  if (live.identity !== recorded) return 'not the object vault-gitops created (its identity in Vault differs from the state record); left alone';
  return undefined;
}
