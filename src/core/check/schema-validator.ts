// The config schema's validator. Compiling the schema with ajv costs about 0.2 s at every start, so
// `npm run build` writes the compiled code once (ajv standalone, scripts/build-validator.mjs) next to
// this module; it is used while it was generated from the same schema (a hash of it), and ajv
// compiles at run time otherwise (tests run from src/, or a schema edited after the build).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Ajv, Options, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

/** The generated module's name, next to this one in dist/. */
export const PRECOMPILED_FILE = 'config-validator.generated.cjs';

const OPTIONS: Options = { allErrors: true, strict: true, allowUnionTypes: true, verbose: true };

function newAjv(extra: Options = {}): Ajv {
  const { Ajv: AjvClass } = require('ajv') as typeof import('ajv');
  const ajv = new AjvClass({ ...OPTIONS, ...extra });
  // Our annotations: the message (and hint) to show when the schema node they sit on fails, and the
  // value type a node holds beyond JSON's (`duration`), which tests and tools find fields by.
  for (const keyword of ['x-error', 'x-hint', 'x-type']) ajv.addKeyword({ keyword, schemaType: 'string' });
  return ajv;
}

export function schemaHash(schema: object): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

/** The CommonJS source of the compiled validator, for the build. */
export function standaloneSource(schema: object): string {
  const { default: standalone } = require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js');
  const ajv = newAjv({ code: { source: true } });
  const code = standalone(ajv, ajv.compile(schema));
  return `${code}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(schema))};\n`;
}

interface Precompiled {
  (data: unknown): boolean;
  schemaHash?: string;
}

function precompiled(): Precompiled | undefined {
  try {
    return require(`./${PRECOMPILED_FILE}`) as Precompiled;
  } catch {
    return undefined;
  }
}

/** A validator of `schema`: the build's precompiled one when it was made from this schema, else compiled now. */
export function compileConfigSchema(schema: object, load: () => Precompiled | undefined = precompiled): ValidateFunction {
  const built = load();
  if (built && built.schemaHash === schemaHash(schema)) return built as ValidateFunction;
  return newAjv().compile(schema);
}
