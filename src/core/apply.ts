import type { Vault } from '../adapters/vault.js';
import { generatePassword } from '../credentials/generate.js';
import type { CredentialCheck } from '../credentials/status.js';
import { valuesHash, type Sinks } from '../credentials/sinks.js';
import type { CredentialValues } from '../credentials/sink.js';
import { statusReason, type ApplyContext, type Kind } from '../kinds/kind.js';
import { errorMessage } from './errors.js';
import type { Action, Address, Change, DesiredObject, KindName, LiveObject, PasswordPolicy, Plan } from './model.js';

/** The outcome of one object's change during apply. */
export interface ApplyResult {
  address: string;
  kind: KindName;
  action: Action;
  ok: boolean;
  /** Why it failed: the HTTP status and Vault's own error text (never a secret). */
  error?: string;
  /** Credentials delivered (never values): `password → file out/alice.json`. */
  credentials?: string[];
}

export interface ApplyDeps {
  vault: Vault;
  sinks: Sinks;
  kinds: readonly Kind[];
  desired: DesiredObject[];
  live: LiveObject[];
  credentialChecks: Record<Address, CredentialCheck>;
  passwordDefaults?: Partial<PasswordPolicy>;
  now?: () => Date;
  onResult?: (r: ApplyResult) => void;
}

const REISSUE = new Set(['missing', 'stale', 'pending', 'rotate']);

/**
 * Carries out a plan: creates and updates first, each object as soon as what it depends on is done,
 * all bounded by the Vault client's concurrency; a failing object fails alone (and what depends on
 * it is skipped). Deletes run last, children before parents, and only when every write succeeded:
 * a run that could not build the new state never tears the old one down (the deletes are reported
 * as skipped, and the next run retries them).
 */
export async function applyPlan(plan: Plan, deps: ApplyDeps): Promise<ApplyResult[]> {
  const kinds = new Map(deps.kinds.map((k) => [k.name, k]));
  const ctx: ApplyContext = { vault: deps.vault };
  const results: ApplyResult[] = [];
  const record = (change: Change, error?: unknown): boolean => {
    const r: ApplyResult = { address: change.address, kind: change.kind, action: change.action, ok: error === undefined, credentials: change.credentials };
    if (error !== undefined) r.error = errorMessage(error);
    results.push(r);
    deps.onResult?.(r);
    return r.ok;
  };

  await applyWrites(plan.changes.filter((c) => c.action === 'create' || c.action === 'update'), kinds, ctx, deps, record);
  const deletes = plan.changes.filter((c) => c.action === 'delete');
  const failedWrites = results.filter((r) => !r.ok).length;
  if (failedWrites > 0) {
    for (const c of deletes) record(c, new Error(`skipped: not deleted because ${failedWrites} create/update${failedWrites > 1 ? 's' : ''} failed; the next apply retries`));
    return results;
  }
  await applyDeletes(deletes, kinds, ctx, deps, record);
  return results;
}

type RecordResult = (change: Change, error?: unknown) => boolean;

async function applyWrites(writes: Change[], kinds: Map<KindName, Kind>, ctx: ApplyContext, deps: ApplyDeps, record: RecordResult): Promise<void> {
  const desired = new Map(deps.desired.map((d) => [d.address, d]));
  const pending = new Map<Address, Promise<boolean>>();
  const run = async (c: Change): Promise<boolean> => {
    const obj = desired.get(c.address);
    if (!obj) return record(c, new Error('not in the loaded config (plan and config disagree)'));
    for (const dep of obj.dependsOn) {
      const done = pending.get(dep);
      if (done && !(await done)) return record(c, new Error(`skipped: ${dep} failed`));
    }
    try {
      await applyOne(c, obj, kinds.get(c.kind)!, ctx, deps);
      return record(c);
    } catch (err) {
      return record(c, err);
    }
  };
  // Register every promise before any runs, so dependents always find their dependencies.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  for (const c of writes) pending.set(c.address, gate.then(() => run(c)));
  release();
  await Promise.all(pending.values());
}

/** Phase by phase in reverse (roles before their mount); a parent whose child failed is kept. */
async function applyDeletes(deletes: Change[], kinds: Map<KindName, Kind>, ctx: ApplyContext, deps: ApplyDeps, record: RecordResult): Promise<void> {
  const live = new Map(deps.live.map((l) => [l.address, l]));
  const failed: Address[] = [];
  const phases = [...new Set(deletes.map((c) => kinds.get(c.kind)!.phase))].sort((a, b) => b - a);
  for (const phase of phases) {
    await Promise.all(
      deletes
        .filter((c) => kinds.get(c.kind)!.phase === phase)
        .map(async (c) => {
          const child = failed.find((a) => a.startsWith(`${c.address}/`));
          if (child) {
            failed.push(c.address);
            return record(c, new Error(`skipped: ${child} inside it was not deleted`));
          }
          const obj = live.get(c.address);
          try {
            if (!obj) throw new Error('no longer in Vault');
            await kinds.get(c.kind)!.delete(ctx, obj);
            return record(c);
          } catch (err) {
            failed.push(c.address);
            return record(c, err);
          }
        }),
    );
  }
}

async function applyOne(change: Change, obj: DesiredObject, kind: Kind, ctx: ApplyContext, deps: ApplyDeps): Promise<void> {
  const target = deps.sinks.target(obj);
  const check = deps.credentialChecks[obj.address];
  if (check && check.status.state !== 'ok' && !REISSUE.has(check.status.state)) {
    throw new Error(`credentials not delivered: ${statusReason(check.status)}`);
  }
  const issue = kind.credentials && target && (change.action === 'create' || (check !== undefined && REISSUE.has(check.status.state)));

  if (change.action === 'update' && change.fields.length > 0) {
    await kind.update(ctx, obj, change.fields.map((f) => f.name));
  }
  if (!issue || !kind.credentials || !target) {
    if (change.action === 'create') {
      const password = kind.credentials?.mode === 'password' ? generatePassword(deps.passwordDefaults, obj.credentials?.password) : undefined;
      await kind.create(ctx, obj, password);
    }
    return;
  }

  const sinks = await deps.sinks.for(target.spec);
  const issuedAt = (deps.now?.() ?? new Date()).toISOString();
  const deliver = async (values: CredentialValues, extra: { accessor?: string; pending?: boolean }) => {
    const meta = { issuedAt, hash: valuesHash(values), ...extra };
    for (const s of sinks) await s.write(target, values, meta);
  };

  if (kind.credentials.mode === 'password') {
    // Deliver first, marked pending: if Vault then fails, the next run sees the mark and re-issues.
    const password = generatePassword(deps.passwordDefaults, obj.credentials?.password);
    const values = { username: obj.name, password };
    await deliver(values, { pending: true });
    if (change.action === 'create') await kind.create(ctx, obj, password);
    else await kind.credentials.setPassword!(ctx, obj, password);
    await deliver(values, {});
    return;
  }

  // secret-id: Vault issues it; deliver it, and only then destroy the previous one.
  if (change.action === 'create') await kind.create(ctx, obj);
  const issued = await kind.credentials.issue!(ctx, obj);
  try {
    await deliver(issued.values, { accessor: issued.accessor });
  } catch (err) {
    if (issued.accessor) await kind.credentials.revoke!(ctx, obj, issued.accessor).catch(() => undefined);
    throw err;
  }
  const previous = new Set((check?.delivered ?? []).map((d) => d.meta?.accessor).filter((a): a is string => !!a && a !== issued.accessor));
  for (const accessor of previous) await kind.credentials.revoke!(ctx, obj, accessor);
  if (issued.accessor) await kind.credentials.revokeOthers?.(ctx, obj, issued.accessor);
}
