// `vault-sidekick`: the auth file its `-auth` flag reads (JSON: `method`, the credentials, `login_path`).
// vault-sidekick ignores keys it does not know, so the marker rides along under `vault_gitops`.
import type { CredentialMeta, CredentialValues } from '../../core/ports.js';
import { jsonWithMarker, parseJsonWithMarker, VALUE_KEYS, type FormatTarget, type Parsed } from './common.js';

/**
 * The auth document itself (no marker): also the `login.json` key of Kubernetes Secrets.
 * `login_path` honours the mount for AppRole; vault-sidekick's userpass method always logs in at
 * `auth/userpass`, so for users it is informative only.
 */
export function sidekickAuth(target: FormatTarget, values: CredentialValues): Record<string, string> {
  if (target.kind === 'approle-role') {
    return { method: 'approle', role_id: values.role_id ?? '', secret_id: values.secret_id ?? '', login_path: `/v1/auth/${target.mount}/login` };
  }
  if (target.kind === 'userpass-user') {
    const username = values.username ?? '';
    return { method: 'userpass', username, password: values.password ?? '', login_path: `/v1/auth/${target.mount}/login/${username}` };
  }
  throw new Error(`${target.address}: vault-sidekick has no login for ${target.kind}`);
}

export function sidekickFile(target: FormatTarget, values: CredentialValues, meta: CredentialMeta): string {
  return jsonWithMarker(sidekickAuth(target, values), target, meta, 'vault-sidekick');
}

export function parseSidekickFile(target: FormatTarget, text: string): Parsed {
  const keys = VALUE_KEYS[target.kind] ?? [];
  return parseJsonWithMarker(target, text, 'vault-sidekick', (k) => keys.includes(k));
}
