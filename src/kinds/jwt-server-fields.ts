import { ConfigError } from '../core/errors.js';
import type { Config, DesiredObject, Diagnostic } from '../core/model.js';

/** Fields only one of the two servers' JWT/OIDC plugins has (Vault 1.21, OpenBao 2.4). */
const ONLY_IN: Record<string, string> = {
  jwks_pairs: 'Vault',
  unsupported_critical_cert_extensions: 'Vault',
  override_allowed_server_names: 'OpenBao',
  skip_jwks_validation: 'OpenBao',
  callback_mode: 'OpenBao',
  poll_interval: 'OpenBao',
  oauth2_metadata: 'OpenBao',
  token_policies_template_claims: 'OpenBao',
  token_strictly_bind_ip: 'OpenBao',
};

/**
 * The plugin reads back every field it stores (write-only ones aside), so a declared field missing
 * from a read of the object, or of a sibling when the object is new, is one this server does not
 * have: the plan says so before anything is written, instead of a perpetual diff after apply.
 * `liveKeys`: the fields each live object came back with, by address.
 */
export function checkServerFields(
  config: Config,
  desired: readonly DesiredObject[],
  liveKeys: ReadonlyMap<string, ReadonlySet<string>>,
  notReadBack: readonly string[],
  configPath: (d: DesiredObject) => string,
): void {
  const sibling = liveKeys.values().next().value;
  const errors: Diagnostic[] = [];
  for (const d of desired) {
    const keys = liveKeys.get(d.address) ?? sibling;
    if (!keys) continue;
    for (const field of Object.keys(d.settings)) {
      if (keys.has(field) || notReadBack.includes(field)) continue;
      const path = `${configPath(d)}.${field}`;
      const owner = ONLY_IN[field];
      errors.push({
        severity: 'error',
        pos: config.sources.get(path),
        path,
        message: `${d.address}: this server's ${d.mount === undefined ? '' : `${config.auth[d.mount]?.type ?? 'jwt'} `}auth method has no \`${field}\`${owner ? ` (only ${owner} has it)` : ''}`,
        hint: 'remove the field: the server would ignore it and every plan would show it as a change',
      });
    }
  }
  if (errors.length > 0) throw new ConfigError(errors, undefined, true);
}
