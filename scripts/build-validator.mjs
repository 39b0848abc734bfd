// Build step (npm run build): compiles schemas/config.schema.json, the committed file, into the
// validator src/core/check/schema-validator.ts loads, so the CLI does not compile the schema at every start.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { standaloneSource, PRECOMPILED_FILE } = await import(join(root, 'dist/src/core/check/schema-validator.js'));
const schema = JSON.parse(readFileSync(join(root, 'schemas/config.schema.json'), 'utf8'));
const out = join(root, 'dist/src/core/check', PRECOMPILED_FILE);
writeFileSync(`${out}.tmp`, standaloneSource(schema));
renameSync(`${out}.tmp`, out);
