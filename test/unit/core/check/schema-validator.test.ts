import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileConfigSchema, schemaHash, standaloneSource } from '../../../../src/core/check/schema-validator.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const schema = JSON.parse(readFileSync(join(root, 'schemas/config.schema.json'), 'utf8')) as object;
const fixtures = join(root, 'test/unit/core/fixtures');
// Inside the package, so the generated code's require('ajv/dist/runtime/…') resolves as in dist/.
const work = mkdtempSync(join(root, 'node_modules/.validator-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every YAML file of the loader's fixtures (valid and broken configs), parsed as plain data. */
function samples(dir: string): Array<{ file: string; data: unknown }> {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return samples(p);
    if (!/\.ya?ml$/.test(name)) return [];
    try {
      return [{ file: p, data: parse(readFileSync(p, 'utf8')) as unknown }];
    } catch {
      return [];
    }
  });
}

/** What validate.ts reads from an error. */
const seen = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => ({ at: e.instancePath, keyword: e.keyword, params: e.params, xError: (e.parentSchema as Record<string, unknown> | undefined)?.['x-error'] }));

function buildPrecompiled(s: object): ValidateFunction & { schemaHash?: string } {
  const file = join(work, `v-${Math.random()}.cjs`);
  writeFileSync(file, standaloneSource(s));
  return createRequire(join(root, 'package.json'))(file) as ValidateFunction & { schemaHash?: string };
}

describe('the precompiled config validator', () => {
  const built = buildPrecompiled(schema);
  const runtime = compileConfigSchema(schema, () => undefined);

  it('is used when it was generated from the same schema', () => {
    expect(built.schemaHash).toBe(schemaHash(schema));
    expect(compileConfigSchema(schema, () => built)).toBe(built);
  });

  it('gives the same verdicts and errors as ajv compiling the schema at run time', () => {
    const all = samples(fixtures);
    expect(all.length).toBeGreaterThan(20);
    let invalid = 0;
    for (const { file, data } of all) {
      const ok = built(data);
      expect(runtime(data), file).toBe(ok);
      expect(seen(built.errors), file).toEqual(seen(runtime.errors));
      if (!ok) invalid++;
    }
    expect(invalid).toBeGreaterThan(5);
  });

  it('is not used for another schema (a schema edited after the build): that one is compiled', () => {
    const edited = { ...schema, description: 'edited' };
    const v = compileConfigSchema(edited, () => built);
    expect(v).not.toBe(built);
    expect(v({ policies: { p: { policy: 'path "x" { capabilities = ["read"] }' } } })).toBe(true);
    expect(v({ nonsense: 1 })).toBe(false);
  });
});
