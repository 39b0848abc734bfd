// Templated policy paths (`secret/data/{{identity.entity.name}}/*`) rendered as Vault renders them
// for a token of an entity (sdk/helper/identitytpl, ACL mode), from what a config knows: the entity's
// name and metadata, the names and metadata of its groups. Ids, aliases (keyed by mount accessor)
// and the time are the server's own: a path naming one is left out, as Vault leaves out a path it
// cannot render (a token without an entity, a metadata key the entity lacks, a group it is not in).

export interface TemplateIdentity {
  entity?: { name: string; metadata: Readonly<Record<string, string>> };
  /** Every group the entity is a member of, directly or through member_groups. */
  groups: ReadonlyArray<{ name: string; metadata: Readonly<Record<string, string>> }>;
}

const ENTITY = 'identity.entity.';
const GROUP_BY_NAME = 'identity.groups.names.';

function metadataValue(metadata: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(metadata, key) ? metadata[key] : undefined;
}

function directive(d: string, identity: TemplateIdentity | undefined): string | undefined {
  if (d.startsWith(ENTITY)) {
    const entity = identity?.entity;
    const field = d.slice(ENTITY.length);
    if (!entity) return undefined;
    if (field === 'name') return entity.name === '' ? undefined : entity.name;
    return field.startsWith('metadata.') ? metadataValue(entity.metadata, field.slice('metadata.'.length)) : undefined;
  }
  if (d.startsWith(GROUP_BY_NAME)) {
    const rest = d.slice(GROUP_BY_NAME.length);
    const dot = rest.indexOf('.');
    const group = dot < 0 ? undefined : identity?.groups.find((g) => g.name === rest.slice(0, dot));
    if (!group) return undefined;
    const field = rest.slice(dot + 1);
    if (field === 'name') return group.name === '' ? undefined : group.name;
    return field.startsWith('metadata.') ? metadataValue(group.metadata, field.slice('metadata.'.length)) : undefined;
  }
  return undefined;
}

/** The path a templated rule names for `identity`, or undefined when Vault would leave the rule out. */
export function renderTemplatedPath(path: string, identity: TemplateIdentity | undefined): string | undefined {
  const [head, ...pieces] = path.split('{{');
  if (head!.includes('}}')) return undefined;
  let out = head!;
  for (const piece of pieces) {
    const parts = piece.split('}}');
    if (parts.length !== 2) return undefined;
    const value = directive(parts[0]!.trim(), identity);
    // A value with a glob would widen the rule: Vault refuses it.
    if (value === undefined || /[*+]/.test(value)) return undefined;
    out += value + parts[1]!;
  }
  return out;
}
