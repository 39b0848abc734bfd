// `npm run docs`: writes docs/reference/ (a page per kind and an index) from the kinds in
// src/kinds/registry.ts (built into dist/); removes the page of a kind no longer registered.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS } from '../dist/src/kinds/registry.js';
import { referencePages } from '../dist/src/kinds/reference.js';

const dir = join(import.meta.dirname, '..', 'docs', 'reference');
mkdirSync(dir, { recursive: true });
const pages = referencePages(KINDS);
for (const [name, text] of Object.entries(pages)) {
  let before;
  try {
    before = readFileSync(join(dir, name), 'utf8');
  } catch {
    before = undefined;
  }
  if (before === text) continue;
  writeFileSync(join(dir, name), text);
  console.log(`wrote docs/reference/${name}`);
}
for (const name of readdirSync(dir)) {
  if (name.endsWith('.md') && !(name in pages)) {
    rmSync(join(dir, name));
    console.log(`removed docs/reference/${name}`);
  }
}
