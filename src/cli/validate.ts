import { formatDiagnostic } from '../core/check/diagnostics-format.js';
import { loadDesired } from '../core/plan/engine.js';
import { EXIT_OK } from '../core/errors.js';
import { KINDS } from '../kinds/registry.js';
import { configDirs, loadOptions, type CommonFlags } from './options.js';
import type { Output } from './output.js';

/** Offline: YAML, schema, variables, references, policy HCL. Never contacts Vault. */
export function validateCommand(flags: CommonFlags, io: Output): number {
  const loaded = loadDesired(configDirs(flags), loadOptions(flags), KINDS);
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  io.out(`Configuration is valid: ${loaded.desired.length} objects in ${configDirs(flags).join(', ')}.`);
  return EXIT_OK;
}
