// What a delivered credential looks like to its consumer. Pure: values + metadata → bytes, and back.
// The sinks only choose a format and write what it returns; nothing here does I/O.
import type { CredentialsSpec, KindName } from '../core/model.js';
import { envFile, parseEnvFile } from './formats/env.js';
import { jsonFile, parseJsonFile } from './formats/json.js';
import { parseSidekickFile, sidekickFile } from './formats/vault-sidekick.js';
import { agentDirectory, AGENT_META_FILE, agentFileNames, parseAgentDirectory } from './formats/vault-agent.js';
import type { CredentialMeta, CredentialTarget, CredentialValues } from '../core/ports.js';
import type { FormatTarget, Parsed } from './formats/common.js';
export type { FormatTarget, Parsed } from './formats/common.js';

export type CredentialFormat = NonNullable<NonNullable<CredentialsSpec['file']>['format']>;
export const CREDENTIAL_FORMATS: readonly CredentialFormat[] = ['json', 'vault-sidekick', 'vault-agent', 'env'];

/** One file's text, or a directory of files (name → text) that is replaced as a whole. */
export type Rendered = { shape: 'file'; text: string } | { shape: 'directory'; files: Record<string, string> };

export { MARKER_KEY, VALUE_KEYS, marker, orderValues, readMarker, type Marker } from './formats/common.js';

export function render(format: CredentialFormat, target: FormatTarget, values: CredentialValues, meta: CredentialMeta): Rendered {
  switch (format) {
    case 'json':
      return { shape: 'file', text: jsonFile(target, values, meta) };
    case 'vault-sidekick':
      return { shape: 'file', text: sidekickFile(target, values, meta) };
    case 'env':
      return { shape: 'file', text: envFile(target, values, meta) };
    case 'vault-agent':
      return { shape: 'directory', files: agentDirectory(target, values, meta) };
  }
}

/** Reads back one file's text in a file-shaped format. */
export function parseFile(format: FileFormat, target: FormatTarget, text: string): Parsed {
  switch (format) {
    case 'json':
      return parseJsonFile(target, text);
    case 'vault-sidekick':
      return parseSidekickFile(target, text);
    case 'env':
      return parseEnvFile(target, text);
  }
}

/** The formats whose output is one file's text (a file sink's file, an S3 object). */
export type FileFormat = Exclude<CredentialFormat, 'vault-agent'>;
export const FILE_FORMATS: readonly FileFormat[] = ['json', 'vault-sidekick', 'env'];

/**
 * Reads back one file's text, trying the expected format first, then the other file formats: ours
 * in another format (the config's `format:` changed) is owned, without values, so it is re-issued.
 * Undefined when no format finds our marker.
 */
export function parseOwnedFile(format: FileFormat, target: FormatTarget, text: string): Parsed | undefined {
  return [format, ...FILE_FORMATS.filter((f) => f !== format)].map((f) => parseFile(f, target, text)).find((p) => p.owned);
}

/** The facts a format needs about the target (`envNames` from the sink's `env_names`). */
export function formatTargetOf(target: CredentialTarget, envNames: Record<string, string> | undefined): FormatTarget {
  return { address: target.address, kind: target.kind, mount: target.mount, ...(envNames ? { envNames } : {}), ...(target.vaultNamespace ? { namespace: target.vaultNamespace } : {}) };
}

/** The files a directory-shaped format reads back (values first, then the marker). */
export function directoryFileNames(kind: KindName): string[] {
  return [...agentFileNames(kind), AGENT_META_FILE];
}

/** Reads back a directory-shaped format from its files (a missing file is undefined). */
export function parseDirectory(target: FormatTarget, files: Record<string, string | undefined>): Parsed & { complete: boolean } {
  return parseAgentDirectory(target, files);
}
