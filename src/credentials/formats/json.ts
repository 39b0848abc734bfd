// `json` (the default): the values as top-level keys, the marker under `vault_gitops`.
import type { CredentialMeta, CredentialValues } from '../../core/ports.js';
import { jsonWithMarker, parseJsonWithMarker, type FormatTarget, type Parsed } from './common.js';

export function jsonFile(target: FormatTarget, values: CredentialValues, meta: CredentialMeta): string {
  return jsonWithMarker(values, target, meta, 'json');
}

export function parseJsonFile(target: FormatTarget, text: string): Parsed {
  return parseJsonWithMarker(target, text, 'json', () => true);
}
