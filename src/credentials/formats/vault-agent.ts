// `vault-agent`: a directory with one plain file per value (`role_id`, `secret_id`), as Vault
// Agent's AppRole auto-auth reads them (`role_id_file_path`, `secret_id_file_path`), plus the marker
// file. The sink replaces the directory's contents as a whole (see adapters/swap-directory.ts).
import type { CredentialMeta, CredentialValues } from '../../core/ports.js';
import type { KindName } from '../../core/model.js';
import { marker, orderValues, ownedParse, parseObject, readMarker, VALUE_KEYS, type FormatTarget, type Parsed } from './common.js';

export const AGENT_META_FILE = '.vault-gitops.json';

export function agentFileNames(kind: KindName): string[] {
  return [...(VALUE_KEYS[kind] ?? [])];
}

export function agentDirectory(target: FormatTarget, values: CredentialValues, meta: CredentialMeta): Record<string, string> {
  // Values without a trailing newline: the file's bytes are the credential.
  return { ...values, [AGENT_META_FILE]: JSON.stringify(marker(target, meta, 'vault-agent'), null, 2) + '\n' };
}

/** `complete` is false when a value file is missing (e.g. Vault Agent removed secret_id after reading). */
export function parseAgentDirectory(target: FormatTarget, files: Record<string, string | undefined>): Parsed & { complete: boolean } {
  const raw = files[AGENT_META_FILE] === undefined ? undefined : parseObject(files[AGENT_META_FILE]);
  const meta = readMarker(raw);
  const names = agentFileNames(target.kind);
  const complete = names.every((n) => files[n] !== undefined);
  if (!meta) return { owned: false, complete };
  const found = Object.fromEntries(names.filter((n) => files[n] !== undefined).map((n) => [n, files[n]]));
  return { ...ownedParse(raw, meta, 'vault-agent', orderValues(target.kind, found)), complete };
}
