import { formatDiagnostic } from '../core/diagnostics-format.js';
import { loadDesired, makePlan } from '../core/engine.js';
import { EXIT_CHANGES, EXIT_OK } from '../core/errors.js';
import { hasChanges } from '../render/common.js';
import type { Plan } from '../core/model.js';
import { renderJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderText } from '../render/text.js';
import { configDirs, loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { openSession } from './session.js';

export function renderPlan(plan: Plan, format: string, io: Output): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, { color: io.color });
}

export async function planCommand(flags: VaultCommandFlags, io: Output): Promise<number> {
  const loaded = loadDesired(configDirs(flags), loadOptions(flags));
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  const session = openSession(flags, io);
  try {
    const { plan } = await makePlan(loaded, session.vault, session.sinks);
    io.out(renderPlan(plan, flags.output ?? 'text', io));
    return flags.detailedExitcode && hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  } finally {
    session.close();
  }
}
