// docs/reference/ is what the registry generates (`npm run docs` rewrites it), every kind has its
// page and a documented example, and every example passes the loader `vault-gitops validate` runs.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/check/load.js';
import { placedEntries } from '../../../src/core/config/placed.js';
import { KINDS } from '../../../src/kinds/registry.js';
import { kindPage, referencePages } from '../../../src/kinds/reference.js';
import { fieldRows, typeLabel } from '../../../src/kinds/reference-fields.js';
import { object, stringSet } from '../../../src/kinds/shared/fields.js';
import { Type } from 'typebox';

const dir = new URL('../../../docs/reference/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');

describe('generated reference (docs/reference/)', () => {
  const pages = referencePages(KINDS);

  it('the committed pages are current: run `npm run docs` after changing a kind', () => {
    for (const [name, text] of Object.entries(pages)) {
      expect(existsSync(new URL(name, dir)), `docs/reference/${name} is missing: run npm run docs`).toBe(true);
      expect(read(name), `docs/reference/${name} is stale: run npm run docs`).toBe(text);
    }
    const extra = readdirSync(dir).filter((f) => f.endsWith('.md') && !(f in pages));
    expect(extra, 'pages of kinds no longer registered: run npm run docs').toEqual([]);
  });

  it('every registered kind has docs (summary, Vault API paths, example), a page and a line in the index', () => {
    const index = pages['README.md']!;
    for (const k of KINDS) {
      expect(k.docs, `${k.name}: give the kind \`docs\` (src/core/kind.ts KindDocs), then run npm run docs`).toBeDefined();
      expect(k.docs!.summary.trim(), k.name).not.toBe('');
      expect(k.docs!.api.length, `${k.name}: docs.api`).toBeGreaterThan(0);
      expect(pages[`${k.name}.md`], k.name).toBeDefined();
      expect(index).toContain(`(${k.name}.md)`);
      if (k.docs!.guide) expect(existsSync(new URL(`../${k.docs!.guide}`, dir)), `${k.name}: docs.guide ${k.docs!.guide}`).toBe(true);
    }
  });

  it('the generator names no kind: it reads the registry only', () => {
    for (const file of ['reference.ts', 'reference-fields.ts']) {
      const text = readFileSync(new URL(`../../../src/kinds/${file}`, import.meta.url), 'utf8');
      for (const k of KINDS) expect(text, `${file} names ${k.name}`).not.toMatch(new RegExp(`['"\`]${k.name}['"\`]`));
    }
  });

  it('output is deterministic: the same registry gives the same pages', () => {
    expect(referencePages([...KINDS].reverse())).toEqual(pages);
  });

  describe("every page's example passes `validate` (the same loader, the registry's kinds)", () => {
    const root = mkdtempSync(join(tmpdir(), 'vault-gitops-reference-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it.each(KINDS.map((k) => [k.name, k] as const))('%s', (name, kind) => {
      const file = join(root, `${name}.yaml`);
      writeFileSync(file, kind.docs!.example);
      const r = loadConfig([file], KINDS, { env: {}, sinkRoot: root });
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]);
      // It declares an object of this kind (placed where the placement says, or the mount itself).
      const declared = kind.placement ? placedEntries(r.value!, kind).length : kind.desired(r.value!).length;
      expect(declared, `${name}: the example declares none`).toBeGreaterThan(0);
      // The page shows it as it is.
      expect(kindPage(kind)).toContain(kind.docs!.example.trimEnd());
    });
  });
});

describe('reference field table', () => {
  const schema = object(
    {
      a: Type.Integer({ minimum: 0, description: 'An int.' }),
      b: stringSet(),
      c: object({ d: Type.String({ enum: ['x', ''] }) }, { required: ['d'] }),
      e: Type.String({ writeOnly: true }),
      f: Type.Unsafe({ not: {}, 'x-error': 'never here' }),
    },
    { required: ['a'] },
  );

  it('rows sorted, nested objects dotted, marks from the kind and the schema, defaults from the kind', () => {
    const rows = fieldRows(schema, { security: ['b'], sensitive: [], defaults: { 'c.d': 'x' } });
    expect(rows.map((r) => [r.path, r.type, r.marks.join(','), r.default])).toEqual([
      ['a', 'integer ≥ 0', 'required', undefined],
      ['b', 'set of strings', 'security', undefined],
      ['c', 'object', '', undefined],
      ['c.d', 'one of `x`, `""`', 'required', 'x'],
      ['e', 'string', 'write-only', undefined],
      ['f', 'not allowed', 'refused', undefined],
    ]);
    // A shared definition's description is the page's legend, not the field's.
    expect(rows[1]!.description).toBe('');
    expect(rows[5]!.description).toBe('never here');
  });

  it('types of maps and unions read as English', () => {
    expect(typeLabel({ type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } })).toBe('map of strings, numbers or booleans');
    expect(typeLabel({ type: 'array', items: { type: 'string' } })).toBe('list of strings');
    expect(typeLabel({ type: ['string', 'integer'] })).toBe('string or integer');
  });
});
