// The generated files under schemas/: the config schema from the kinds, and the kind names (and
// their destroy codes) in the plan schema. `npm run schemas` writes them; a unit test fails when
// the committed files differ.
import { buildConfigSchema } from './config-schema.js';
import type { Kind } from './kind.js';

/** Destroy codes a plan may carry: `bulk`, and each kind's that can destroy data. */
export function destroyCodes(kinds: readonly Kind[]): string[] {
  return [...new Set(kinds.filter((k) => k.destroyNote || k.updateDestroyNote).map((k) => k.destroyCode ?? k.name)), 'bulk'];
}

const inline = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;

/** The plan schema with its kind and destroy-code enums set from the kinds (the rest is hand-written). */
export function planSchemaText(current: string, kinds: readonly Kind[]): string {
  return current
    .replace(/("kind": \{\s*"enum": )\[[^\]]*\]/, (_, head: string) => head + inline(kinds.map((k) => k.name)))
    .replace(/("code": \{\s*"description": "[^"]*",\s*"enum": )\[[^\]]*\]/, (_, head: string) => head + inline(destroyCodes(kinds)));
}

/** File name under schemas/ → its generated text; `current` reads a committed file. */
export function schemaFiles(kinds: readonly Kind[], current: (name: string) => string): Record<string, string> {
  return {
    'config.schema.json': JSON.stringify(buildConfigSchema(kinds), null, 2) + '\n',
    'plan.schema.json': planSchemaText(current('plan.schema.json'), kinds),
  };
}
