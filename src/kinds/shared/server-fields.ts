import { ConfigError } from '../../core/errors.js';
import type { Config, DesiredObject, Diagnostic } from '../../core/model.js';
import type { VaultPort } from '../../core/ports.js';

/** Fields only one of the two servers has (Vault 1.21, OpenBao 2.4): the JWT/OIDC plugins', and a shared token field. */
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
      errors.push(lacking(config, d, `${configPath(d)}.${field}`, field));
    }
  }
  if (errors.length > 0) throw new ConfigError(errors, undefined, true);
}

/**
 * The fields of ONLY_IN a desired object declares, for kinds that read back more than their declared
 * fields (token fields on users and roles): by the object's or a sibling's read-back keys, and where
 * nothing is read yet (a new mount) by which server this is. An offline plan whose snapshot cannot
 * tell lets them pass.
 */
export async function checkServerOnlyFields(
  vault: VaultPort,
  config: Config,
  desired: readonly DesiredObject[],
  liveKeys: ReadonlyMap<string, ReadonlySet<string>>,
  configPath: (d: DesiredObject) => string,
): Promise<void> {
  const declared = desired.flatMap((d) => Object.keys(d.settings).flatMap((field) => (ONLY_IN[field] ? [{ d, field }] : [])));
  if (declared.length === 0) return;
  const sibling = liveKeys.values().next().value;
  let server: Promise<string | undefined> | undefined;
  const errors: Diagnostic[] = [];
  for (const { d, field } of declared) {
    const keys = liveKeys.get(d.address) ?? sibling;
    let has = keys?.has(field);
    if (has === undefined) {
      server ??= isOpenBao(vault).then((b) => (b ? 'OpenBao' : 'Vault'), () => undefined);
      const name = await server;
      has = name === undefined || name === ONLY_IN[field];
    }
    if (!has) errors.push(lacking(config, d, `${configPath(d)}.${field}`, field));
  }
  if (errors.length > 0) throw new ConfigError(errors, undefined, true);
}

function lacking(config: Config, d: DesiredObject, path: string, field: string): Diagnostic {
  const owner = ONLY_IN[field];
  return {
    severity: 'error',
    pos: config.sources.get(path),
    path,
    message: `${d.address}: this server's ${d.mount === undefined ? '' : `${config.auth[d.mount]?.type ?? 'jwt'} `}auth method has no \`${field}\`${owner ? ` (only ${owner} has it)` : ''}`,
    hint: 'remove the field: the server would ignore it and every plan would show it as a change',
  };
}

/** OpenBao answers sys/health without Vault's `enterprise` field. */
export async function isOpenBao(vault: VaultPort): Promise<boolean> {
  return (await serverName(vault)) === 'OpenBao';
}

/** Which server this is; undefined when it cannot tell (a snapshot without sys/health). */
export async function serverName(vault: VaultPort): Promise<'Vault' | 'OpenBao' | undefined> {
  const health = await vault.read('sys/health?standbyok=true&perfstandbyok=true');
  if (health === undefined) return undefined;
  return 'enterprise' in health ? 'Vault' : 'OpenBao';
}
