// What the credential sinks hold, checked against Vault and the rotate rules: the planner's input
// for credentials (missing, stale, due for rotation, orphaned). Sinks and Vault are reached through
// their ports only.

import { createHash } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { CredentialStatus, Kind } from '../kind.js';
import type { CredentialsSpec, DesiredObject, LiveObject } from '../model.js';
import type { CredentialValues, DeliveredState, SinksPort, VaultPort } from '../ports.js';
import { parseTtl } from '../common/ttl.js';

export interface CredentialCheck {
  status: CredentialStatus;
  /** What each sink holds now (for apply: the previous accessor to destroy). */
  delivered: DeliveredState[];
}

/** sha256 of the values (key order aside): recorded beside a delivered credential to notice edits. */
export function valuesHash(values: CredentialValues): string {
  const canon = Object.keys(values).sort().map((k) => [k, values[k]]);
  return 'sha256:' + createHash('sha256').update(JSON.stringify(canon)).digest('hex');
}

/** Where the credentials go, without values: `file out/a.json, secret ns/name`. Pure, no I/O. */
export function describeSinks(spec: CredentialsSpec): string {
  const parts: string[] = [];
  if (spec.file) parts.push(`file ${spec.file.path}`);
  if (spec.kubernetes) parts.push(`secret ${spec.kubernetes.namespace}/${spec.kubernetes.name}`);
  if (spec.s3) parts.push(`s3://${spec.s3.bucket}/${spec.s3.key}${spec.s3.endpoint ? ` at ${spec.s3.endpoint}` : ''}`);
  return parts.join(', ');
}

function seconds(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'string' ? parseTtl(v) : undefined;
}

/**
 * Checks what the sinks hold for one existing object against Vault and the rotate rules.
 * `now` is passed in so the decision is reproducible.
 */
export async function checkCredentials(vault: VaultPort, sinks: SinksPort, kind: Kind, obj: DesiredObject, now: number): Promise<CredentialCheck | undefined> {
  const target = sinks.target(obj);
  if (!target || !kind.credentials) return undefined;
  let delivered: DeliveredState[];
  let labels: string[];
  try {
    const list = await sinks.for(target.spec);
    labels = list.map((s) => s.describe(target));
    delivered = await Promise.all(list.map((s) => s.inspect(target)));
  } catch (err) {
    return { status: { state: 'unreachable', reason: `cannot check delivered credentials: ${errorMessage(err)}` }, delivered: [] };
  }
  const check = (status: CredentialStatus): CredentialCheck => ({ status, delivered });
  if (delivered.some((d) => d.exists && !d.owned && !d.adopting)) {
    return check({ state: 'not-owned', reason: 'exists and is not managed by vault-gitops; set adopt: true to take it over' });
  }
  const adopted = labels.filter((_, i) => delivered[i]?.adopting);
  if (adopted.length > 0) {
    // Only named when the object has other destinations too: the plan line already names them all.
    const which = adopted.length < labels.length ? ` ${adopted.join(', ')}` : '';
    const kept = await unissuedNote(vault, kind, obj);
    return check({ state: 'adopt', reason: `adopting${which} (not written by vault-gitops) → will issue new credentials${kept}` });
  }
  if (delivered.some((d) => !d.exists)) return check({ state: 'missing', reason: 'missing → will issue new credentials' });
  if (delivered.some((d) => d.meta?.pending)) return check({ state: 'pending', reason: 'a rotation was left half-done → will issue new credentials' });
  if (delivered.some((d) => d.values && d.meta?.hash && d.meta.hash !== valuesHash(d.values))) {
    return check({ state: 'stale', reason: 'edited by hand since it was delivered → will issue new credentials' });
  }
  const first = delivered[0];
  if (delivered.some((d) => JSON.stringify(d.values) !== JSON.stringify(first?.values))) {
    return check({ state: 'stale', reason: 'copies differ → will issue new credentials' });
  }
  let expiresAt: string | undefined;
  let accessor: string | undefined;
  let note: string | undefined;
  if (kind.credentials.verify && first?.values) {
    const v = await kind.credentials.verify(vault, obj, first.values, first.meta);
    if (!v.valid) return check({ state: 'stale', reason: `${v.reason ?? 'no longer valid'} → will issue new credentials`, ...(v.security ? { security: true } : {}) });
    expiresAt = v.expiresAt;
    accessor = v.accessor;
    note = v.note;
  }
  const rotate = target.spec.rotate;
  const issuedAt = first?.meta?.issuedAt ? Date.parse(first.meta.issuedAt) : undefined;
  const maxAge = seconds(rotate?.max_age);
  if (maxAge !== undefined && issuedAt !== undefined && now - issuedAt >= maxAge * 1000) {
    return check({ state: 'rotate', reason: `older than max_age → will rotate` });
  }
  const before = seconds(rotate?.before_expiry);
  if (before !== undefined && expiresAt !== undefined && Date.parse(expiresAt) - now <= before * 1000) {
    return check({ state: 'rotate', reason: `expires within before_expiry → will rotate` });
  }
  // Left by a run that died (or failed to destroy) between issuing and cleaning up: live, held by nobody.
  const orphans = accessor && kind.credentials.orphans ? await kind.credentials.orphans(vault, obj, accessor) : [];
  if (orphans.length > 0) {
    const n = orphans.length;
    return check({ state: 'orphaned', reason: `${n} orphaned credential${n === 1 ? '' : 's'} (live in Vault, held by no delivered copy) → will destroy`, accessors: orphans });
  }
  return check(note ? { state: 'ok', note } : { state: 'ok' });
}

/**
 * Live credentials of the object that vault-gitops did not issue (an adopted copy may have held
 * one): never destroyed, since a consumer may hold a copy of it elsewhere, but said.
 */
async function unissuedNote(vault: VaultPort, kind: Kind, obj: DesiredObject): Promise<string> {
  const n = (await kind.credentials?.unissued?.(vault, obj))?.length ?? 0;
  if (n === 0) return '';
  const one = n === 1;
  const it = one ? 'it' : 'them';
  return `; ${n} other live credential${one ? '' : 's'}, not issued by vault-gitops, ${one ? 'stays' : 'stay'} valid (left alone: destroy ${it} once no consumer holds ${it})`;
}

/** Checks every desired object that exists live and declares a sink. */
export async function checkAllCredentials(
  vault: VaultPort,
  sinks: SinksPort,
  kinds: Map<string, Kind>,
  desired: DesiredObject[],
  live: LiveObject[],
  now: number,
): Promise<Record<string, CredentialCheck>> {
  const liveAddrs = new Set(live.map((l) => l.address));
  const out: Record<string, CredentialCheck> = {};
  await Promise.all(
    desired
      .filter((d) => d.credentials && liveAddrs.has(d.address))
      .map(async (d) => {
        const c = await checkCredentials(vault, sinks, kinds.get(d.kind)!, d, now);
        if (c) out[d.address] = c;
      }),
  );
  return out;
}
