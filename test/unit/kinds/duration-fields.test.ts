// Every duration field of every kind's schema (found by the schema's `x-type: duration`, never by its
// name or a hand-kept list) takes and refuses the same values, with the same message at its place.
import { describe, expect, it } from 'vitest';
import type { TSchema } from 'typebox';
import { DEFINITIONS } from '../../../src/kinds/shared/fields.js';
import { mountFields, TUNE, type MountSection } from '../../../src/kinds/mounts/mount-schema.js';
import { object } from '../../../src/kinds/shared/fields.js';
import { KINDS } from '../../../src/kinds/registry.js';
import { loadFiles } from '../core/load-files.js';

type Node = Record<string, unknown>;

/** The schema nodes marked as durations under `schema`, by their field path inside the object. */
function durationFields(schema: TSchema | Node, at: string[] = []): Array<{ path: string[]; node: Node }> {
  const node = schema as Node;
  const ref = typeof node.$ref === 'string' ? /^#\/definitions\/(\w+)$/.exec(node.$ref)?.[1] : undefined;
  const resolved = ref && ref in DEFINITIONS ? { ...(DEFINITIONS[ref as keyof typeof DEFINITIONS] as Node), ...node } : node;
  if (resolved['x-type'] === 'duration') return [{ path: at, node: resolved }];
  const out: Array<{ path: string[]; node: Node }> = [];
  const props = resolved.properties as Record<string, Node> | undefined;
  for (const [k, v] of Object.entries(props ?? {})) out.push(...durationFields(v, [...at, k]));
  if (resolved.items && typeof resolved.items === 'object') out.push(...durationFields(resolved.items as Node, [...at, '0']));
  return out;
}

/** A config (JSON is YAML) that sets `value` at `field` of one object placed as `where` says. */
function placeAt(where: string[], field: string[], value: unknown): Node {
  let leaf: unknown = value;
  for (const seg of [...field].reverse()) leaf = seg === '0' ? [leaf] : { [seg]: leaf };
  let tree = leaf as Node;
  for (const seg of [...where].reverse()) tree = { [seg]: tree };
  return tree;
}

interface Case {
  label: string;
  /** The config path of the object, then of the mount (when in one) whose type must be set. */
  where: string[];
  mount?: { section: MountSection; name: string; type: string };
  field: string[];
  node: Node;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const kind of KINDS) {
    const p = kind.placement;
    if (!p) continue;
    const inMount = p.in !== 'root';
    const mount = inMount ? { section: p.in as MountSection, name: 'm', type: p.mountTypes?.[0] ?? (p.in === 'auth' ? 'approle' : 'kv') } : undefined;
    const where = [...(mount ? [mount.section, mount.name] : []), ...p.key, ...(p.shape === 'map' ? ['o'] : [])];
    for (const f of durationFields(p.schema)) out.push({ label: `${kind.name}: ${f.path.join('.')}`, where, mount, field: f.path, node: f.node });
  }
  for (const section of ['auth', 'secrets'] as const) {
    const type = section === 'auth' ? 'approle' : 'kv';
    const mount = { section, name: 'm', type };
    for (const f of durationFields(object(mountFields(section)))) out.push({ label: `${section} mount: ${f.path.join('.')}`, where: [section, 'm'], mount, field: f.path, node: f.node });
    for (const f of durationFields(TUNE[section])) out.push({ label: `${section} mount: tune.${f.path.join('.')}`, where: [section, 'm', 'tune'], mount, field: f.path, node: f.node });
  }
  return out;
}

const ACCEPTED = [0, 3600, '', '0', '3600', '90m', '1h30m', '720h', '1.5h', '500ms', '10d'];
const REFUSED = ['90 days', '1d12h', '1.5d', '-1h', '1hour', 'h', '1 h', '10 d', 'forever', -5];

function errorsAt(c: Case, value: unknown) {
  const tree = placeAt(c.where, c.field, value);
  if (c.mount) ((tree[c.mount.section] as Node)[c.mount.name] as Node).type = c.mount.type;
  const r = loadFiles({ 'c.yaml': JSON.stringify(tree, null, 1) });
  const at = [...c.where, ...c.field].join('.');
  return r.errors.filter((e) => e.path === at);
}

describe('duration fields, by their type in the schema', () => {
  const all = cases();

  it('are found in every kind that has them, whatever they are called', () => {
    const labels = all.map((c) => c.label);
    for (const expected of ['kv-config: delete_version_after', 'jwt-role: clock_skew_leeway', 'approle-role: token_ttl', 'secrets mount: tune.max_lease_ttl', 'auth mount: tune.user_lockout_config.lockout_duration']) {
      expect(labels).toContain(expected);
    }
    expect(all.length).toBeGreaterThan(30);
  });

  it.each(all.map((c) => [c.label, c] as const))('%s takes what Vault parses and refuses the rest at its place', (_, c) => {
    // What the field's place says whatever its value (a rule across fields, such as rotation_window
    // without rotation_schedule), seen with a valid duration: the same for every value below.
    const context = new Set(errorsAt(c, 3600).map((e) => e.message));
    const valueErrors = (v: unknown) => errorsAt(c, v).filter((e) => !context.has(e.message));
    for (const v of ACCEPTED) expect(valueErrors(v), JSON.stringify(v)).toEqual([]);
    for (const v of REFUSED) {
      const errors = valueErrors(v);
      expect(errors.map((e) => e.message), JSON.stringify(v)).toEqual([`invalid duration ${JSON.stringify(v)}`]);
      expect(errors[0]!.pos?.line, JSON.stringify(v)).toBeGreaterThan(1);
      expect(errors[0]!.hint).toMatch(/^use seconds \(3600\), a Go duration/);
    }
  });
});

describe('duration fields, compared as seconds', () => {
  // A top-level duration of each kind: "1h" in the config and 3600 from Vault must compare equal, or
  // the plan would show a change on every run. Nested ones (tune, credentials) have their own shapes.
  const topLevel = KINDS.flatMap((kind) =>
    kind.placement ? durationFields(kind.placement.schema).filter((f) => f.path.length === 1).map((f) => [`${kind.name}: ${f.path[0]}`, kind, f.path[0]!] as const) : [],
  );

  it('are found beyond the names that say so', () => {
    expect(topLevel.map(([label]) => label)).toContain('database-connection: max_connection_lifetime');
  });

  it.each(topLevel)('%s', (_, kind, field) => {
    const seen = (v: unknown) => kind.normalise({ [field]: v })[field];
    expect(seen('1h')).toEqual(seen(3600));
    expect(seen('60m')).toEqual(seen('3600'));
  });
});
