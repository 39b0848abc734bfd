// The committed schemas/ files are what the registry generates (`npm run schemas` rewrites them).
import { readFileSync } from 'node:fs';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { compileConfigSchema } from '../../../src/core/check/schema-validator.js';
import { buildConfigSchema, pruneCollections } from '../../../src/kinds/config-schema.js';
import { object } from '../../../src/kinds/shared/fields.js';
import type { Kind } from '../../../src/kinds/kind.js';
import { KINDS } from '../../../src/kinds/registry.js';
import { schemaFiles } from '../../../src/kinds/schema-files.js';

const dir = new URL('../../../schemas/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');

/** A kind that only places itself (the schema generator reads nothing else). */
const placedKind = (name: string, placement: NonNullable<Kind['placement']>): Kind => ({ ...KINDS.find((k) => k.name === 'policy')!, name: name as Kind['name'], placement });

/** The CLI's own validator of the schema these kinds generate (compiled now, never the build's). */
function validator(kinds: readonly Kind[]) {
  return compileConfigSchema(buildConfigSchema(kinds), () => undefined);
}

describe('generated schemas', () => {
  it('the committed files are current: run `npm run schemas` after changing a kind', () => {
    for (const [name, text] of Object.entries(schemaFiles(KINDS, read))) expect(read(name), `schemas/${name} is stale: run npm run schemas`).toBe(text);
  });

  it('a key placed in a mount is valid only on its mount types, with a message naming them', () => {
    const jwtRole = placedKind('jwt-role', {
      in: 'auth',
      key: ['roles'],
      mountTypes: ['jwt', 'oidc'],
      shape: 'map',
      schema: object({ user_claim: Type.String() }, { required: ['user_claim'] }),
      description: 'jwt roles by name.',
    });
    const validate = validator([...KINDS, jwtRole]);
    expect(validate({ auth: { j: { type: 'jwt', roles: { r: { user_claim: 'sub' } } } } })).toBe(true);
    expect(validate({ auth: { j: { type: 'oidc', roles: { r: {} } } } })).toBe(false);
    expect(validate.errors?.map((e) => e.params)).toContainEqual({ missingProperty: 'user_claim' });
    // The AppRole schema still applies to approle mounts, and neither to a userpass mount.
    expect(validate({ auth: { a: { type: 'approle', roles: { r: { user_claim: 'sub' } } } } })).toBe(false);
    expect(validate({ auth: { u: { type: 'userpass', roles: {} } } })).toBe(false);
    expect(validate.errors?.find((e) => e.keyword === 'not')?.parentSchema).toMatchObject({ 'x-error': expect.stringMatching(/^only approle, ([a-z]+, )*jwt, oidc(, [a-z]+)* mounts have `roles`$/) });
  });

  it('`config` on a mount stays an error pointing to tune, except on types a kind places it on', () => {
    const ghConfig = placedKind('github-config', {
      in: 'auth',
      key: ['config'],
      mountTypes: ['github'],
      shape: 'single',
      schema: object({ organization: Type.String() }),
      description: 'github: the auth method configuration.',
    });
    const validate = validator([...KINDS, ghConfig]);
    expect(validate({ auth: { gh: { type: 'github', config: { organization: 'acme' } } } })).toBe(true);
    expect(validate({ auth: { a: { type: 'approle', config: {} } } })).toBe(false);
    expect(validate.errors?.find((e) => e.keyword === 'not')?.parentSchema).toMatchObject({ 'x-error': expect.stringContaining('under `tune:`') });
  });

  it('root placements nest under their keys, and prune collections follow placements', () => {
    const groups = placedKind('identity-group', {
      in: 'root',
      key: ['identity', 'groups'],
      shape: 'map',
      schema: object({ policies: Type.Array(Type.String()) }),
      description: 'Identity groups by name.',
    });
    const validate = validator([...KINDS, groups]);
    expect(validate({ identity: { groups: { ops: { policies: ['a'] } } } })).toBe(true);
    expect(validate({ identity: { users: {} } })).toBe(false);
    expect(pruneCollections([...KINDS, groups])).toEqual(expect.arrayContaining(['audit', 'policies', 'identity/groups', 'auth', 'secrets', 'auth/<mount>/users', 'auth/<mount>/roles', 'secrets/<mount>/roles', 'secrets/<mount>/publish', 'auth/<mount>/teams']));
  });
});
