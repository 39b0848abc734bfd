import { readFile } from 'node:fs/promises';
import type { RecordingVaultPort, Responses, VaultPort } from './ports.js';
import type { Kind } from './kind.js';
import { UsageError } from './errors.js';
import type { Config, LiveObject } from './model.js';
import { readMountTable } from './mount-table.js';
import { readLive } from './read.js';
import type { StateStore } from './state.js';

export const SNAPSHOT_FORMAT_VERSION = '1';

/** The live state as Vault answered the reads: replayed by `plan --against`, so offline = online. */
export interface Snapshot {
  format_version: string;
  created_at: string;
  vault_addr: string;
  responses: Responses;
}

/** A config that declares every live mount of a supported type, so a read covers everything. */
export function fullScopeConfig(auth: Record<string, { type?: unknown }>, secrets: Record<string, { type?: unknown }>): Config {
  const config: Config = { policies: {}, auth: {}, secrets: {}, prune: [], tree: {}, sources: {} };
  for (const [path, info] of Object.entries(auth)) {
    const type = String(info.type);
    if (type === 'userpass') config.auth[path] = { type, settings: {}, users: {} };
    else if (type === 'approle') config.auth[path] = { type, settings: {}, roles: {} };
    else if (type !== 'token') config.auth[path] = { type, settings: {} };
  }
  for (const [path, info] of Object.entries(secrets)) {
    const type = String(info.type);
    if (['sys', 'cubbyhole', 'identity'].includes(path)) continue;
    config.secrets[path] = type === 'pki' ? { type, settings: {}, root_ca: {}, urls: {}, roles: {} } : { type, settings: {} };
  }
  return config;
}

/** Reads everything the supported kinds can see; returns the live objects and the full-scope config. */
export async function readEverything(vault: VaultPort, kinds: readonly Kind[]): Promise<{ config: Config; live: LiveObject[] }> {
  const [auth, secrets] = await Promise.all([readMountTable(vault, 'sys/auth'), readMountTable(vault, 'sys/mounts')]);
  const config = fullScopeConfig(auth, secrets);
  const live = await readLive(vault, config, [], kinds);
  return { config, live };
}

export async function takeSnapshot(vault: RecordingVaultPort, kinds: readonly Kind[], stores: StateStore[]): Promise<Snapshot> {
  await readEverything(vault, kinds);
  for (const store of stores) await store.read().catch(() => undefined);
  return { format_version: SNAPSHOT_FORMAT_VERSION, created_at: new Date().toISOString(), vault_addr: vault.addr, responses: vault.responses };
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
