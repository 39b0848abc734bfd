// Vault calls for identity entities: by name, with their aliases kept in step. An alias is keyed in
// Vault by (auth mount accessor, name) and belongs to one entity; creating one that another entity
// holds would move it there silently, so its holder is looked up first.
import type { VaultPort } from '../../core/ports.js';
import { UsageError } from '../../core/errors.js';
import type { DesiredObject } from '../../core/model.js';
import { readMountTable } from '../mounts/mount.js';
import { AUTO_NAMED } from './identity-entity-shape.js';
import type { AuthAlias } from './identity-group-shape.js';

type Json = Record<string, unknown>;

export const entityPath = (name: string): string => `identity/entity/name/${encodeURIComponent(name)}`;

export async function entityData(vault: VaultPort, name: string): Promise<Json | undefined> {
  return (await vault.read(entityPath(name)))?.data as Json | undefined;
}

export async function entityId(vault: VaultPort, name: string): Promise<string | undefined> {
  const id = (await entityData(vault, name))?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** id → name of every live entity (one LIST). */
export async function entityNamesById(vault: VaultPort): Promise<Map<string, string>> {
  const answer = await vault.read('identity/entity/id?list=true');
  const info = (answer?.data as { key_info?: Record<string, { name?: unknown }> } | undefined)?.key_info ?? {};
  return new Map(Object.entries(info).flatMap(([id, e]) => (typeof e.name === 'string' ? [[id, e.name] as const] : [])));
}

/** Member entity names → Vault ids; every one must exist (declared ones are created first: dependsOn). */
export async function memberEntityIds(vault: VaultPort, obj: DesiredObject, names: readonly string[]): Promise<string[]> {
  return Promise.all(
    names.map(async (name) => {
      const id = await entityId(vault, name);
      if (id === undefined) throw new UsageError(`member entity ${name} of ${obj.address} does not exist in Vault`, 'declare it under identity.entities or create it first');
      return id;
    }),
  );
}

/** The entity holding the alias, or undefined. */
async function holderOf(vault: VaultPort, name: string, accessor: string): Promise<{ id: string; name: string } | undefined> {
  const data = (await vault.write('identity/lookup/entity', { alias_name: name, alias_mount_accessor: accessor }))?.data as Json | undefined;
  return typeof data?.id === 'string' ? { id: data.id, name: String(data.name) } : undefined;
}

/**
 * Makes the entity's aliases exactly `want`. An alias already held by an entity Vault created at a
 * login (`entity_xxxxxxxx`) is adopted: that entity is merged into this one (its group
 * memberships follow). One held by any other entity is refused: moving it is not this entity's call.
 */
export async function syncAliases(vault: VaultPort, obj: DesiredObject, want: readonly AuthAlias[]): Promise<void> {
  const data = await entityData(vault, obj.name);
  const canonical = typeof data?.id === 'string' ? data.id : undefined;
  if (canonical === undefined) throw new Error(`${obj.address} is not in Vault after writing it`);
  const auth = await readMountTable(vault, 'sys/auth');
  const wanted = want.map((a) => {
    const accessor = auth[a.mount]?.accessor;
    if (typeof accessor !== 'string') throw new UsageError(`an alias of ${obj.address} names auth mount ${a.mount}, which is not enabled`, `declare auth.${a.mount} or fix the alias's mount`);
    return { ...a, accessor };
  });
  const live = (Array.isArray(data?.aliases) ? (data.aliases as Json[]) : []).map((a) => ({ id: String(a.id), name: String(a.name), accessor: String(a.mount_accessor) }));
  const same = (a: { name: string; accessor: string }, b: { name: string; accessor: string }) => a.name === b.name && a.accessor === b.accessor;
  // Removals first: Vault allows one alias per auth mount on an entity, so a renamed alias frees its mount.
  for (const l of live.filter((l) => !wanted.some((w) => same(w, l)))) await vault.delete(`identity/entity-alias/id/${encodeURIComponent(l.id)}`);
  for (const w of wanted.filter((w) => !live.some((l) => same(w, l)))) {
    const holder = await holderOf(vault, w.name, w.accessor);
    if (holder === undefined) {
      const has = async () => ((await entityData(vault, obj.name))?.aliases as Json[] | undefined)?.some((a) => a.name === w.name && a.mount_accessor === w.accessor) ?? false;
      await vault.writeOnce('identity/entity-alias', { name: w.name, mount_accessor: w.accessor, canonical_id: canonical }, has);
    } else if (AUTO_NAMED.test(holder.name)) {
      await vault.write('identity/entity/merge', { from_entity_ids: [holder.id], to_entity_id: canonical });
    } else if (holder.id !== canonical) {
      throw new UsageError(
        `alias ${w.name} on auth mount ${w.mount} belongs to entity ${holder.name}, so ${obj.address} cannot take it`,
        `remove it from entity ${holder.name} first (in the config, or by hand), then apply again`,
      );
    }
  }
}
