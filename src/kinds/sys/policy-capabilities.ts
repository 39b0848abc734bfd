// Offline, a policy may grant any capability either server knows; the server a plan reads refuses
// the whole policy for one it lacks (`scan` on Vault, `subscribe`/`recover` on OpenBao). The plan
// says so where the capability is written, before anything is written.
import { capabilityUses, SERVER_ONLY_CAPABILITIES } from '../../core/check/hcl.js';
import { ConfigError } from '../../core/errors.js';
import type { Config, Diagnostic, SourcePos } from '../../core/model.js';
import type { VaultPort } from '../../core/ports.js';
import { serverName } from '../shared/server-fields.js';

/** Where line/col of a policy's text are: its file, or (inline) the YAML lines of its block scalar. */
function placeOf(config: Config, name: string, line: number, col: number): SourcePos | undefined {
  const p = config.policies[name];
  if (p?.file) return { file: p.file, line, col };
  if (p?.at) return { file: p.at.file, line: p.at.line + line - 1, col: p.at.col + col - 1 };
  return config.sources.get(`policies.${name}`);
}

/** Reads which server this is only when a declared policy uses a one-server capability. */
export async function checkServerCapabilities(vault: VaultPort, config: Config, names: readonly string[]): Promise<void> {
  const uses = names.flatMap((name) => capabilityUses(config.policies[name]?.policy ?? '').filter((u) => SERVER_ONLY_CAPABILITIES[u.capability]).map((u) => ({ name, ...u })));
  if (uses.length === 0) return;
  const server = await serverName(vault);
  if (server === undefined) return;
  const errors: Diagnostic[] = uses
    .filter((u) => SERVER_ONLY_CAPABILITIES[u.capability] !== server)
    .map((u) => ({
      severity: 'error',
      pos: placeOf(config, u.name, u.line, u.col),
      path: `policies.${u.name}`,
      message: `policy ${u.name}: capability "${u.capability}" is ${SERVER_ONLY_CAPABILITIES[u.capability]}'s; this ${server} server refuses the whole policy`,
      hint: `remove "${u.capability}" (or keep this policy in a config for ${SERVER_ONLY_CAPABILITIES[u.capability]} servers only)`,
    }));
  if (errors.length > 0) throw new ConfigError(errors, undefined, true);
}
