import { readFile } from 'node:fs/promises';
import type { RecordingVaultPort, Responses, VaultPort } from '../ports.js';
import type { Kind } from '../kind.js';
import { UsageError } from '../errors.js';
import type { Config, LiveObject } from '../model.js';
import { readMountTable } from '../common/mount-table.js';
import { readLive } from '../plan/read.js';
import type { StateStore } from '../state/state.js';

export const SNAPSHOT_FORMAT_VERSION = '1';

/** The live state as Vault answered the reads: replayed by `plan --against`, so offline = online. */
export interface Snapshot {
  format_version: string;
  created_at: string;
  vault_addr: string;
  /** The namespace the reads were made in (`team-a`); absent for the root namespace. */
  vault_namespace?: string;
  responses: Responses;
}

/**
 * A config that declares every live mount (but Vault's own), with every key the kinds place in a
 * mount of its type present and empty, so a read covers everything.
 */
export function fullScopeConfig(auth: Record<string, { type?: unknown }>, secrets: Record<string, { type?: unknown }>, kinds: readonly Kind[]): Config {
  const config: Config = { policies: {}, auth: {}, secrets: {}, prune: [], tree: { auth: {}, secrets: {} }, sources: new Map() };
  const system = { auth: ['token'], secrets: ['sys', 'cubbyhole', 'identity'] };
  for (const [section, table] of [['auth', auth], ['secrets', secrets]] as const) {
    for (const [path, info] of Object.entries(table)) {
      const type = String(info.type);
      if (system[section].includes(section === 'auth' ? type : path)) continue;
      config[section][path] = { type, settings: {} };
      const placed: Record<string, unknown> = { type };
      for (const k of kinds) {
        const p = k.placement;
        if (p?.in === section && (p.mountTypes === undefined || p.mountTypes.includes(type))) placed[p.key[0]!] = {};
      }
      (config.tree[section] as Record<string, unknown>)[path] = placed;
    }
  }
  return config;
}

/** Reads everything the supported kinds can see; returns the live objects and the full-scope config. */
export async function readEverything(vault: VaultPort, kinds: readonly Kind[]): Promise<{ config: Config; live: LiveObject[] }> {
  const [auth, secrets] = await Promise.all([readMountTable(vault, 'sys/auth'), readMountTable(vault, 'sys/mounts')]);
  const config = fullScopeConfig(auth, secrets, kinds);
  const live = await readLive(vault, config, [], kinds);
  return { config, live };
}

/** The snapshot, and the live objects read for it. */
export async function takeSnapshot(vault: RecordingVaultPort, kinds: readonly Kind[], stores: StateStore[]): Promise<{ snapshot: Snapshot; live: LiveObject[] }> {
  const { live } = await readEverything(vault, kinds);
  for (const store of stores) await store.read().catch(() => undefined);
  const namespace = vault.namespace ? { vault_namespace: vault.namespace } : {};
  return { snapshot: { format_version: SNAPSHOT_FORMAT_VERSION, created_at: new Date().toISOString(), vault_addr: vault.addr, ...namespace, responses: vault.responses }, live };
}

/** The snapshot as a file's text (the CLI writes it with the atomic writer). */
export function snapshotText(snapshot: Snapshot): string {
  return JSON.stringify(snapshot, null, 2) + '\n';
}

export async function readSnapshot(file: string): Promise<Snapshot> {
  let parsed: Partial<Snapshot>;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<Snapshot>;
  } catch (err) {
    throw new UsageError(`cannot read the snapshot ${file}: ${(err as Error).message}`, 'make one with `vault-gitops snapshot --out FILE`');
  }
  if (parsed.format_version !== SNAPSHOT_FORMAT_VERSION) {
    throw new UsageError(`the snapshot ${file} has format_version ${JSON.stringify(parsed.format_version)}, which this vault-gitops does not know`);
  }
  if (!parsed.responses || typeof parsed.vault_addr !== 'string') throw new UsageError(`${file} is not a vault-gitops snapshot`);
  return parsed as Snapshot;
}
