import type { Address, FieldChange, KindName, Plan } from '../model.js';

export const DRIFT_FORMAT_VERSION = '1';

/**
 * - changed: the object exists in Vault with fields that differ from the config
 * - missing: declared in the config, not in Vault
 * - unmanaged: an extra object in a managed collection (pruned, or created by vault-gitops and
 *   since removed from the config): apply would delete it
 * - credentials: delivered credentials missing, stale, half-rotated, due for rotation, or not ours
 * - orphaned: credentials this tool issued that are live in Vault and held by no delivered copy
 *   (left by a run that was killed, or whose destroy failed): apply destroys them
 * - ca-bundles: copies of a published CA bundle missing, stale, left in a namespace that no longer
 *   matches, or blocked by an object vault-gitops does not own
 */
export type DriftClass = 'changed' | 'missing' | 'unmanaged' | 'credentials' | 'orphaned' | 'ca-bundles';

export interface DriftFinding {
  class: DriftClass;
  address: Address;
  /** A Vault kind, or `ca-bundle` for a copy in Kubernetes. */
  kind: KindName | 'ca-bundle';
  detail: string;
  /** For `changed`: before (Vault) → after (config), masked where sensitive. */
  fields?: FieldChange[];
}

export interface DriftReport {
  format_version: string;
  created_at: string;
  vault_addr?: string;
  config_fingerprint: string;
  in_sync: boolean;
  summary: Record<DriftClass, number>;
  findings: DriftFinding[];
  /** Undeclared objects in collections nobody claimed: listed for information, not drift. */
  unmanaged_elsewhere: Address[];
  /** Delivered credentials in a state worth knowing that is not drift (a one-time secret_id used up). */
  notes: DriftNote[];
}

export interface DriftNote {
  address: Address;
  kind: KindName;
  detail: string;
}

/**
 * Classifies what a plan would change as drift findings. Pure. `orphaned`: addresses whose only
 * credential finding is orphaned credentials (the credential check's state), found as `orphaned`.
 */
export function driftReport(plan: Plan, orphaned: readonly Address[] = []): DriftReport {
  const findings: DriftFinding[] = [];
  const orphans = new Set(orphaned);
  const notes: DriftNote[] = [];
  for (const c of plan.changes) {
    if (c.action === 'noop') for (const line of c.credentials ?? []) notes.push({ address: c.address, kind: c.kind, detail: line });
    if (c.action === 'create') findings.push({ class: 'missing', address: c.address, kind: c.kind, detail: c.reason });
    if (c.action === 'delete') findings.push({ class: 'unmanaged', address: c.address, kind: c.kind, detail: c.reason });
    if (c.action !== 'update') continue;
    if (c.fields.length > 0) {
      findings.push({ class: 'changed', address: c.address, kind: c.kind, detail: `${c.fields.map((f) => f.name).join(', ')} changed in Vault`, fields: c.fields });
    }
    const cls: DriftClass = orphans.has(c.address) ? 'orphaned' : 'credentials';
    for (const line of c.credentials ?? []) findings.push({ class: cls, address: c.address, kind: c.kind, detail: line });
    if (c.fields.length === 0 && !c.credentials?.length) findings.push({ class: 'credentials', address: c.address, kind: c.kind, detail: c.reason });
  }
  for (const c of plan.ca_bundles ?? []) {
    findings.push({ class: 'ca-bundles', address: `${c.address}/${c.namespace}`, kind: 'ca-bundle', detail: `${c.action} ${c.namespace}/${c.object}: ${c.reason}` });
  }
  const summary: Record<DriftClass, number> = { changed: 0, missing: 0, unmanaged: 0, credentials: 0, orphaned: 0, 'ca-bundles': 0 };
  for (const f of findings) summary[f.class]++;
  return {
    format_version: DRIFT_FORMAT_VERSION,
    created_at: plan.created_at,
    vault_addr: plan.vault_addr,
    config_fingerprint: plan.config_fingerprint,
    in_sync: findings.length === 0,
    summary,
    findings,
    unmanaged_elsewhere: plan.unmanaged.map((u) => u.address),
    notes,
  };
}
