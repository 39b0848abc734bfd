// schemas/config.schema.json, generated from the kinds' placements (`npm run schemas`): a kind's
// schema goes where its placement says, a key placed in a mount only for the mount types that have it.
import type { TSchema } from 'typebox';
import { NAMESPACE_PATH } from '../core/common/namespaces.js';
import { DEFINITIONS, ENV_VAR_NAME, forbidden, object, passwordPolicy } from './shared/fields.js';
import type { Kind, Placement } from './kind.js';
import { MOUNT_DESCRIPTION, mountFields, TUNE, type MountSection } from './mounts/mount-schema.js';

type Json = Record<string, unknown>;
type Placed = { kind: Kind; placement: Placement };

/** A TypeBox schema as plain JSON (TypeBox's own markers are not enumerable). */
const plain = (s: TSchema | object): Json => JSON.parse(JSON.stringify(s)) as Json;

/** `pki-role` → `pkiRole`: the kind's name in `definitions`. */
export function definitionName(kind: string): string {
  return kind.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function placedOf(kinds: readonly Kind[], where: Placement['in']): Placed[] {
  return kinds.flatMap((kind) => (kind.placement?.in === where ? [{ kind, placement: kind.placement }] : []));
}

/** The schema node at a placement's key: one object, or a map of them by name. */
function placedNode({ kind, placement: p }: Placed): Json {
  const ref = { $ref: `#/definitions/${definitionName(kind.name)}` };
  if (p.shape === 'single') return ref;
  return {
    type: ['object', 'null'],
    additionalProperties: p.allowEmpty ? { anyOf: [ref, { type: 'null' }] } : ref,
    ...(p.names ? { propertyNames: plain(p.names) } : {}),
    description: p.description,
  };
}

/** Top-level sections placed by kinds (`policies`, `identity.groups`), nested as their keys say. */
function rootProperties(placed: readonly Placed[]): Json {
  const props: Json = {};
  for (const pl of placed) {
    const key = pl.placement.key;
    let at = props;
    for (const seg of key.slice(0, -1)) {
      const node = (at[seg] ??= { type: 'object', additionalProperties: false, properties: {} }) as { properties: Json };
      at = node.properties;
    }
    const last = key.at(-1)!;
    at[last] = pl.placement.shape === 'single' ? { ...placedNode(pl), description: pl.placement.description } : placedNode(pl);
  }
  return props;
}

const typeIs = (types: readonly string[]): Json => ({ properties: { type: types.length === 1 ? { const: types[0] } : { enum: types } } });

/** A mount's definition: its own fields, then each placed key, valid only on the mount types that have it. */
function mountDefinition(section: MountSection, placed: readonly Placed[]): Json {
  const props = plain(object(mountFields(section))).properties as Json;
  const allOf: Json[] = [];
  const keys = [...new Set(placed.map((p) => keyOf(p.placement)))];
  for (const key of keys) {
    const here = placed.filter((p) => keyOf(p.placement) === key);
    const base = props[key] as Json | undefined;
    props[key] = { description: here.map((p) => p.placement.description).join(' ') };
    const everywhere = here.find((p) => p.placement.mountTypes === undefined);
    if (everywhere) {
      props[key] = { ...placedNode(everywhere), description: everywhere.placement.description };
      continue;
    }
    const types = [...new Set(here.flatMap((p) => p.placement.mountTypes ?? []))];
    const refused = base?.['x-error'] !== undefined ? base : plain(forbidden(`only ${types.join(', ')} mounts have \`${key}\`${section === 'secrets' ? ' in vault-gitops' : ''}`));
    const only = here.length === 1 ? here[0] : undefined;
    for (const p of here) {
      allOf.push({
        if: typeIs(p.placement.mountTypes ?? []),
        then: { properties: { [key]: placedNode(p) } },
        ...(p === only ? { else: { properties: { [key]: refused } } } : {}),
      });
    }
    if (!only) allOf.push({ if: typeIs(types), else: { properties: { [key]: refused } } });
  }
  return {
    type: 'object',
    additionalProperties: false,
    properties: props,
    required: ['type'],
    description: MOUNT_DESCRIPTION[section],
    ...(allOf.length > 0 ? { allOf } : {}),
  };
}

function keyOf(p: Placement): string {
  if (p.key.length !== 1) throw new Error(`a key placed in a mount is one segment, not ${p.key.join('.')}`);
  return p.key[0]!;
}

/** The collections `prune:` may name, for its description: `policies`, `auth`, `auth/<mount>/roles`, ... */
export function pruneCollections(kinds: readonly Kind[]): string[] {
  const root = placedOf(kinds, 'root').filter((p) => p.placement.shape === 'map').map((p) => p.placement.key.join('/'));
  const inMounts = (['auth', 'secrets'] as const).flatMap((s) =>
    placedOf(kinds, s)
      .filter((p) => p.placement.shape === 'map')
      .map((p) => `${s}/<mount>/${p.placement.key.join('/')}`),
  );
  return [...new Set([...root, 'auth', 'secrets', ...inMounts])];
}

/** The whole config schema for these kinds. */
export function buildConfigSchema(kinds: readonly Kind[]): Json {
  const definitions: Json = {};
  for (const [name, s] of Object.entries(DEFINITIONS)) definitions[name] = plain(s);
  for (const k of kinds) {
    if (!k.placement) continue;
    // A kind named like a shared definition (password-policy → passwordPolicy) would replace it silently.
    if (definitionName(k.name) in DEFINITIONS) throw new Error(`kind ${k.name}: its schema definition ${definitionName(k.name)} is already taken`);
    definitions[definitionName(k.name)] = plain(k.placement.schema);
  }
  definitions.authTune = plain(TUNE.auth);
  definitions.secretsTune = plain(TUNE.secrets);
  definitions.authMount = mountDefinition('auth', placedOf(kinds, 'auth'));
  definitions.secretsMount = mountDefinition('secrets', placedOf(kinds, 'secrets'));
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'vault-gitops configuration',
    description: "One YAML file of a vault-gitops config directory. Settings use Vault's own API parameter names.",
    type: 'object',
    additionalProperties: false,
    properties: {
      ...rootProperties(placedOf(kinds, 'root')),
      auth: { type: ['object', 'null'], additionalProperties: { $ref: '#/definitions/authMount' }, description: 'Auth method mounts by path.' },
      secrets: { type: ['object', 'null'], additionalProperties: { $ref: '#/definitions/secretsMount' }, description: 'Secrets engine mounts by path.' },
      prune: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        description: `Collections whose undeclared objects are deleted: ${pruneCollections(kinds).join(', ')} (\`*\` matches any mount).`,
      },
      password: plain(passwordPolicy()),
      namespace: {
        type: 'string',
        pattern: NAMESPACE_PATH.source,
        'x-error': 'must be a namespace path: names of letters, digits, `_` and `-` joined by `/` (`team-a`, `team-a/apps`)',
        description:
          'The Vault / OpenBao namespace this config manages (`team-a`, `team-a/apps`); default: the one the token logs in to (VAULT_NAMESPACE). Everything the config declares, and its ownership state, sits in it.',
      },
      variables: {
        type: 'object',
        additionalProperties: false,
        properties: {
          env: {
            type: 'array',
            items: ENV_VAR_NAME,
            description:
              'Environment variables `${env.NAME}` may read. Names that look like credentials (VAULT_*, *TOKEN*, *SECRET*, *PASSWORD*, *_KEY, AWS_*, ...) are refused. VAULT_GITOPS_VAR_* names need no declaration; `--allow-env NAME` allows more.',
          },
        },
        description: 'Variables the config may use. `${var.NAME}` comes from --var / --var-file; `${env.NAME}` only for names allowed here.',
      },
    },
    definitions,
  };
}
