// The config JSON Schema (schemas/config.schema.json), read and compiled once: validate.ts checks
// configs with it, mount-types.ts and export.ts read the lists it carries.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { compileConfigSchema } from './schema-validator.js';
import type { Json } from '../config/yaml-tree.js';

/** Finds schemas/config.schema.json from src/core (tests) or dist/src/core (the built CLI). */
function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'schemas', 'config.schema.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('schemas/config.schema.json not found next to vault-gitops');
}

let compiled: { validate: ValidateFunction; schema: Json } | undefined;

/** The config JSON Schema, parsed. */
export function configSchema(): Json {
  return compiledSchema().schema;
}

export function compiledSchema(): { validate: ValidateFunction; schema: Json } {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as Json;
    compiled = { validate: compileConfigSchema(schema), schema };
  }
  return compiled;
}

/**
 * The fields of an object schema whose node (or the definition it refers to) carries `x-type: type`:
 * a check that follows a field's type in the schema, whatever the field is called.
 */
export function fieldsOfType(schema: object, type: string): ReadonlySet<string> {
  const definitions = (configSchema().definitions ?? {}) as Record<string, Json>;
  const props = ((schema as { properties?: Record<string, Json> }).properties ?? {}) as Record<string, Json>;
  const typed = (node: Json) => {
    const ref = typeof node.$ref === 'string' ? /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1] : undefined;
    return (node['x-type'] ?? (ref !== undefined ? definitions[ref]?.['x-type'] : undefined)) === type;
  };
  return new Set(Object.keys(props).filter((k) => typed(props[k]!)));
}
