import { valuesHash, type CredentialCheck } from '../plan/credential-status.js';
import { reissues, statusReason, type ApplyContext, type CredentialCapability, type Kind } from '../kind.js';
import { errorMessage } from '../errors.js';
import { Limiter } from '../common/limit.js';
import type { Action, Address, Change, DesiredObject, KindName, LiveObject, PasswordPolicy, Plan } from '../model.js';
import type { CredentialSink, CredentialTarget, CredentialValues, PasswordGenerator, SinksPort, VaultPort } from '../ports.js';

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
  /** The identity its create fixed (Kind.create), for the state record; never shown. */
  identity?: string;
}

export interface ApplyDeps {
  vault: VaultPort;
  sinks: SinksPort;
  /** Makes generated passwords (src/credentials/generate.ts). */
  generatePassword: PasswordGenerator;
  /** Has Vault generate a password by the named password policy (credentials `password_policy`). */
  policyPassword?: (policy: string) => Promise<string>;
  kinds: readonly Kind[];
  desired: DesiredObject[];
  live: LiveObject[];
  credentialChecks: Record<Address, CredentialCheck>;
  passwordDefaults?: Partial<PasswordPolicy>;
  now?: () => Date;
  onResult?: (r: ApplyResult) => void;
  /** Once aborted (SIGINT/SIGTERM), no new object is started; one in flight finishes its credential step. */
  signal?: AbortSignal;
}

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
  const record = (change: Change, error?: unknown, identity?: string): boolean => {
    const r: ApplyResult = { address: change.address, kind: change.kind, action: change.action, ok: error === undefined, credentials: change.credentials };
    if (error !== undefined) r.error = errorMessage(error);
    if (identity !== undefined) r.identity = identity;
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

type RecordResult = (change: Change, error?: unknown, identity?: string) => boolean;

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
      return record(c, undefined, await applyOne(c, obj, kinds.get(c.kind)!, ctx, deps));
    } catch (err) {
      return record(c, err);
    }
  };
  // Register every promise before any runs, so dependents always find their dependencies. Changes
  // of a kind that writes alone go first, one after another; the others start when they are done.
  let release!: () => void;
  let alone: Promise<unknown> = new Promise<void>((r) => (release = r));
  for (const c of writes.filter((w) => kinds.get(w.kind)!.writesAlone)) {
    const done = alone.then(() => run(c));
    pending.set(c.address, done);
    alone = done;
  }
  for (const c of writes) if (!pending.has(c.address)) pending.set(c.address, alone.then(() => run(c)));
  release();
  await Promise.all(pending.values());
}

/**
 * Phase by phase in reverse (roles before their mount), then a kind that writes alone one by one.
 * Within a phase, an object nested in another (a namespace in its parent: `namespaces/a/b` in
 * `namespaces/a`) is deleted first; a parent whose child failed is kept.
 */
async function applyDeletes(deletes: Change[], kinds: Map<KindName, Kind>, ctx: ApplyContext, deps: ApplyDeps, record: RecordResult): Promise<void> {
  const live = new Map(deps.live.map((l) => [l.address, l]));
  const failed: Address[] = [];
  const alone = (c: Change) => kinds.get(c.kind)!.writesAlone === true;
  const phases = [...new Set(deletes.filter((c) => !alone(c)).map((c) => kinds.get(c.kind)!.phase))].sort((a, b) => b - a);
  const rounds = [...phases.map((phase) => deletes.filter((c) => !alone(c) && kinds.get(c.kind)!.phase === phase)), ...deletes.filter(alone).map((c) => [c])];
  const deleteOne = async (c: Change): Promise<boolean> => {
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
  };
  for (const round of rounds) {
    const inside = nestedIn(round);
    const done = new Map<Address, Promise<boolean>>();
    // Registered before any runs (each starts a microtask later), so a parent finds its children's.
    for (const c of round) done.set(c.address, Promise.resolve().then(async () => {
      await Promise.all((inside.get(c.address) ?? []).map((a) => done.get(a)));
      return deleteOne(c);
    }));
    await Promise.all(done.values());
  }
}

/** Address → the addresses of the round nested in it, at any depth (found through each one's ancestors). */
function nestedIn(round: readonly Change[]): Map<Address, Address[]> {
  const addresses = new Set(round.map((c) => c.address));
  const out = new Map<Address, Address[]>();
  for (const { address } of round) {
    for (let cut = address.lastIndexOf('/'); cut > 0; cut = address.lastIndexOf('/', cut - 1)) {
      const up = address.slice(0, cut);
      if (!addresses.has(up)) continue;
      const list = out.get(up);
      if (list) list.push(address);
      else out.set(up, [address]);
    }
  }
  return out;
}

/**
 * Objects in flight at once. Bounded here (not only by the Vault client) so that after a stop
 * request the objects still waiting are skipped instead of all starting together.
 */
const inFlight = new WeakMap<ApplyDeps, Limiter>();
function slots(deps: ApplyDeps): Limiter {
  let l = inFlight.get(deps);
  if (!l) inFlight.set(deps, (l = new Limiter(Math.max(1, deps.vault.concurrency * 2))));
  return l;
}

/** Resolves to the identity the object's create fixed, if any. */
function applyOne(change: Change, obj: DesiredObject, kind: Kind, ctx: ApplyContext, deps: ApplyDeps): Promise<string | undefined> {
  return slots(deps).run(async () => {
    if (deps.signal?.aborted) throw new Error('interrupted: not started (the next run does it)');
    return applyObject(change, obj, kind, ctx, deps);
  });
}

async function applyObject(change: Change, obj: DesiredObject, kind: Kind, ctx: ApplyContext, deps: ApplyDeps): Promise<string | undefined> {
  const target = deps.sinks.target(obj);
  const check = deps.credentialChecks[obj.address];
  const state = check?.status.state;
  if (check && state !== 'ok' && state !== 'orphaned' && !reissues(check.status)) {
    throw new Error(`credentials not delivered: ${statusReason(check.status)}`);
  }
  const issue = kind.credentials && target && (change.action === 'create' || reissues(check?.status));

  if (change.action === 'update' && change.fields.length > 0) {
    await kind.update(ctx, obj, change.fields.map((f) => f.name));
  }
  let identity: string | undefined;
  if (!issue || !kind.credentials || !target) {
    if (change.action === 'create') {
      const password = kind.credentials?.mode === 'password' ? await newPassword(obj, deps) : undefined;
      identity = (await kind.create(ctx, obj, password)) ?? undefined;
    }
    if (check?.status.state === 'orphaned' && kind.credentials) await destroyOrphans(ctx, obj, kind.credentials, check);
    return identity;
  }

  const sinks = await deps.sinks.for(target.spec);
  const issuedAt = (deps.now?.() ?? new Date()).toISOString();
  const deliver = async (values: CredentialValues, extra: { accessor?: string; pending?: boolean; wrapExpiresAt?: string }) => {
    const meta = { issuedAt, hash: valuesHash(values), ...extra };
    for (const s of sinks) await s.write(target, values, meta);
  };

  if (kind.credentials.mode === 'password') {
    // Deliver first, marked pending: if the run dies before Vault has it, the next run sees the mark and re-issues.
    const password = await newPassword(obj, deps);
    const values = { username: obj.name, password };
    await deliver(values, { pending: true });
    try {
      if (change.action === 'create') identity = (await kind.create(ctx, obj, password)) ?? undefined;
      else await kind.credentials.setPassword!(ctx, obj, password);
    } catch (err) {
      await rollBack(sinks, target, check, err);
      throw err;
    }
    await deliver(values, {});
    return identity;
  }

  // secret-id: Vault issues it; deliver it, and only then destroy the previous one.
  if (change.action === 'create') identity = (await kind.create(ctx, obj)) ?? undefined;
  const issued = await kind.credentials.issue!(ctx, obj, identity);
  try {
    await deliver(issued.values, { accessor: issued.accessor, ...(issued.wrapExpiresAt ? { wrapExpiresAt: issued.wrapExpiresAt } : {}) });
  } catch (err) {
    // Undelivered: destroy it now; if even that fails, the next plan lists it as orphaned.
    if (issued.accessor) await kind.credentials.revoke!(ctx, obj, issued.accessor).catch(() => undefined);
    throw err;
  }
  const previous = new Set((check?.delivered ?? []).map((d) => d.meta?.accessor).filter((a): a is string => !!a && a !== issued.accessor));
  // A role created just now holds only the secret_id just issued: nothing to look for.
  if (issued.accessor && change.action !== 'create') for (const a of await kind.credentials.orphans?.(ctx.vault, obj, issued.accessor) ?? []) previous.add(a);
  await destroyAll(ctx, obj, kind.credentials, [...previous]);
  return identity;
}

/** A new password: Vault's, by the password policy the credentials name, or else generated here. */
async function newPassword(obj: DesiredObject, deps: ApplyDeps): Promise<string> {
  const policy = obj.credentials?.password_policy;
  if (policy === undefined) return deps.generatePassword(deps.passwordDefaults, obj.credentials?.password);
  if (!deps.policyPassword) throw new Error(`password policy ${policy}: this run cannot ask Vault for a password`);
  return deps.policyPassword(policy);
}

/** Destroys every accessor, then reports the failures together (each one is retried by the next run). */
async function destroyAll(ctx: ApplyContext, obj: DesiredObject, cap: CredentialCapability, accessors: string[]): Promise<void> {
  const failures: unknown[] = [];
  for (const a of accessors) await cap.revoke!(ctx, obj, a).catch((err: unknown) => failures.push(err));
  if (failures.length > 0) {
    const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
    throw new Error(`${errorMessage(failures[0])}${more}; the next run retries`);
  }
}

/** Destroys credentials nobody holds, once the delivered one is confirmed to exist in Vault. */
async function destroyOrphans(ctx: ApplyContext, obj: DesiredObject, cap: CredentialCapability, check: CredentialCheck): Promise<void> {
  const values = check.delivered[0]?.values;
  const confirmed = values && cap.verify ? await cap.verify(ctx.vault, obj, values, check.delivered[0]?.meta) : undefined;
  if (!confirmed?.valid || !confirmed.accessor) {
    throw new Error(`orphaned credentials left in place: the delivered one could not be confirmed in Vault (${confirmed?.reason ?? 'not checked'})`);
  }
  const orphans = (await cap.orphans?.(ctx.vault, obj, confirmed.accessor)) ?? [];
  await destroyAll(ctx, obj, cap, orphans);
}

/**
 * Vault refused the new password: put back what each sink held before (marked pending, so the
 * next run re-issues), so the consumer keeps the password that still logs in.
 */
async function rollBack(sinks: CredentialSink[], target: CredentialTarget, check: CredentialCheck | undefined, cause: unknown): Promise<void> {
  const before = check?.delivered ?? [];
  for (const [i, s] of sinks.entries()) {
    const prev = before[i];
    if (!prev?.exists || !prev.values) continue;
    const meta = prev.meta ?? { issuedAt: new Date().toISOString(), hash: valuesHash(prev.values) };
    try {
      await s.write(target, prev.values, { ...meta, pending: true });
    } catch (err) {
      throw new Error(`${errorMessage(cause)}; and putting back the previous password in ${s.describe(target)} failed: ${errorMessage(err)}`);
    }
  }
}
