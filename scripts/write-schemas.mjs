// `npm run schemas`: writes schemas/*.json from the kinds in src/kinds/registry.ts (built into dist/).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS } from '../dist/src/kinds/registry.js';
import { schemaFiles } from '../dist/src/kinds/schema-files.js';

const dir = join(import.meta.dirname, '..', 'schemas');
const files = schemaFiles(KINDS, (name) => readFileSync(join(dir, name), 'utf8'));
for (const [name, text] of Object.entries(files)) {
  const before = readFileSync(join(dir, name), 'utf8');
  if (before === text) continue;
  writeFileSync(join(dir, name), text);
  console.log(`wrote schemas/${name}`);
}
