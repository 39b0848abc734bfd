// Vault calls for identity groups: names ↔ ids of groups, paths ↔ accessors of auth mounts, and
// the group alias of an external group. Ids and accessors are looked up at plan/apply time; the
// config only ever holds names and paths.
import type { VaultPort } from '../../core/ports.js';
import { UsageError } from '../../core/errors.js';
import type { DesiredObject } from '../../core/model.js';
import type { AuthAlias } from './identity-group-shape.js';
import { readMountTable } from '../mounts/mount.js';

type Json = Record<string, unknown>;

export const groupPath = (name: string): string => `identity/group/name/${encodeURIComponent(name)}`;

/** Every live group by name (LIST + GET each). */
export async function readAllGroups(vault: VaultPort): Promise<Map<string, Json>> {
  const names = await vault.list('identity/group/name');
  const found = await Promise.all(names.map(async (name) => [name, (await vault.read(groupPath(name)))?.data as Json | undefined] as const));
  return new Map(found.filter((e): e is readonly [string, Json] => e[1] !== undefined));
}

/** accessor → auth mount path (no slashes). */
export async function authPathsByAccessor(vault: VaultPort): Promise<Map<string, string>> {
  const table = await readMountTable(vault, 'sys/auth');
  return new Map(Object.entries(table).flatMap(([path, info]) => (typeof info.accessor === 'string' ? [[info.accessor, path] as const] : [])));
}

async function groupData(vault: VaultPort, name: string): Promise<Json | undefined> {
  return (await vault.read(groupPath(name)))?.data as Json | undefined;
}

export async function groupId(vault: VaultPort, name: string): Promise<string | undefined> {
  const id = (await groupData(vault, name))?.id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Member group names → Vault ids; every one must exist (they are created first: dependsOn). */
export async function memberIds(vault: VaultPort, obj: DesiredObject, names: readonly string[]): Promise<string[]> {
  return Promise.all(
    names.map(async (name) => {
      const id = await groupId(vault, name);
      if (id === undefined) throw new UsageError(`member group ${name} of ${obj.address} does not exist in Vault`, `declare it under identity.groups or create it first`);
      return id;
    }),
  );
}

export async function accessorOf(vault: VaultPort, obj: DesiredObject, mount: string): Promise<string> {
  const info = (await readMountTable(vault, 'sys/auth'))[mount];
  if (typeof info?.accessor !== 'string') {
    throw new UsageError(`the alias of ${obj.address} names auth mount ${mount}, which is not enabled`, `declare auth.${mount} or fix alias.mount`);
  }
  return info.accessor;
}

/** Makes the external group's alias match `want` (null: none). */
export async function syncAlias(vault: VaultPort, obj: DesiredObject, want: AuthAlias | null): Promise<void> {
  const data = await groupData(vault, obj.name);
  const canonical = typeof data?.id === 'string' ? data.id : undefined;
  if (canonical === undefined) throw new Error(`${obj.address} is not in Vault after writing it`);
  const live = data?.alias && typeof data.alias === 'object' ? (data.alias as Json) : {};
  const liveId = typeof live.id === 'string' && live.id !== '' ? live.id : undefined;
  if (want === null) {
    if (liveId !== undefined) await vault.delete(`identity/group-alias/id/${encodeURIComponent(liveId)}`);
    return;
  }
  const body = { name: want.name, mount_accessor: await accessorOf(vault, obj, want.mount), canonical_id: canonical };
  if (liveId !== undefined) await vault.write(`identity/group-alias/id/${encodeURIComponent(liveId)}`, body);
  else await vault.writeOnce('identity/group-alias', body, async () => ((await groupData(vault, obj.name))?.alias as Json | undefined)?.name === want.name);
}
