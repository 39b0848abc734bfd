// The preflight: before the first write, every object a change needs (Kind.references) must be
// live on the server or written by the same plan, and not deleted by it. One that is not is
// a plan error where the config names it, so apply (of a saved plan too) writes nothing, instead of
// writing what comes first and failing on the object that needed the missing one.
import type { Kind, Reference } from '../kind.js';
import type { Address, Config, DesiredObject, Diagnostic, LiveObject, Plan } from '../model.js';
import { dotted } from '../config/yaml-tree.js';

export function allReferences(kinds: readonly Kind[], config: Config): Reference[] {
  return kinds.flatMap((k) => k.references?.(config) ?? []);
}

/** A declared object a reference names is a dependency too: apply skips the object when it fails. */
export function dependOnReferences(desired: readonly DesiredObject[], refs: readonly Reference[]): void {
  const byAddress = new Map(desired.map((d) => [d.address, d]));
  for (const r of refs) {
    const from = byAddress.get(r.from);
    if (from && r.to !== r.from && byAddress.has(r.to) && !from.dependsOn.includes(r.to)) from.dependsOn.push(r.to);
  }
}

export interface PreflightInput {
  kinds: readonly Kind[];
  config: Config;
  /** Every address the config declares (targeted or not). */
  declared: ReadonlySet<Address>;
  /** Everything read from the server. */
  live: readonly LiveObject[];
  plan: Plan;
  /** False for a kind the plan did not read (with targets): references to it are not judged. */
  read?: (kind: string) => boolean;
}

/** The references the plan's creates and updates need that the server will not have: errors at their place. */
export function preflight(input: PreflightInput): Diagnostic[] {
  const writes = new Set(input.plan.changes.filter((c) => c.action === 'create' || c.action === 'update').map((c) => c.address));
  const deletes = new Map(input.plan.changes.filter((c) => c.action === 'delete').map((c) => [c.address, c]));
  const live = new Set(input.live.map((l) => l.address));
  const out: Diagnostic[] = [];
  for (const r of allReferences(input.kinds, input.config)) {
    if (!writes.has(r.from) || !(input.read?.(r.kind) ?? true)) continue;
    const at = dotted(r.path);
    const report = (message: string, hint: string) => out.push({ severity: 'error', pos: input.config.sources.get(at), path: at, message, hint });
    const deleted = deletes.get(r.to);
    if (deleted) {
      report(`${r.what} is deleted by this plan (${deleted.reason}), and ${r.from} needs it`, 'declare it in the config to keep it, or remove the reference');
    } else if (live.has(r.to) || writes.has(r.to)) {
      continue;
    } else if (input.declared.has(r.to)) {
      report(`${r.what} is not in Vault, and this plan (its --target) does not create it: ${r.from} cannot be written without it`, `add it to the targets (--target ${r.to})`);
    } else {
      report(`${r.what} is neither declared in the config nor in Vault, and ${r.from} cannot be written without it`, 'declare it, create it in Vault first, or remove the reference');
    }
  }
  return out;
}
