// Whether a changed login binding lets in logins it did not before. The fields are those the auth
// kinds declare as bindings (Principal.bindings); a field not named here is shown as changed, never
// as widened. Narrowing (a claim added, a CIDR list shortened) is not flagged.

/** A list, or a comma-separated string, as its items; absent or empty → []. */
function items(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (v === undefined || v === null || v === '') return [];
  return [JSON.stringify(v)];
}

const quoted = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(', ');
const added = (before: unknown, after: unknown) => items(after).filter((x) => !items(before).includes(x));

/** A list binding: emptied (no check any more), a `*` added, or more values admitted. */
function listWidening(before: unknown, after: unknown, what: string, any: string): string | undefined {
  if (items(before).length > 0 && items(after).length === 0) return `${what} removed: ${any}`;
  if (items(after).includes('*') && !items(before).includes('*')) return `* admits ${any}`;
  const more = added(before, after);
  return items(before).length > 0 && more.length > 0 ? `admits ${quoted(more)}` : undefined;
}

function claimsWidening(before: unknown, after: unknown): string | undefined {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const reasons: string[] = [];
  for (const claim of Object.keys(b).sort()) {
    if (!(claim in a)) reasons.push(`claim ${JSON.stringify(claim)} no longer checked`);
    else {
      const more = added(b[claim], a[claim]);
      if (more.length > 0) reasons.push(`claim ${JSON.stringify(claim)} admits ${quoted(more)}`);
    }
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

const CIDRS = /cidr/;

/** Why the change of `field` lets in more logins, or undefined. */
export function widening(field: string, before: unknown, after: unknown): string | undefined {
  if (CIDRS.test(field)) {
    if (items(before).length > 0 && items(after).length === 0) return 'CIDR binding removed: logins from any address';
    const more = added(before, after);
    return items(before).length > 0 && more.length > 0 ? `admits ${quoted(more)}` : undefined;
  }
  switch (field) {
    case 'bound_claims':
      return claimsWidening(before, after);
    case 'bound_claims_type':
      return after === 'glob' && before !== 'glob' ? 'bound claims compared as globs' : undefined;
    case 'bound_audiences':
    case 'audience':
      return listWidening(before, after, 'audience binding', 'any audience');
    case 'bound_subject':
      return items(before).length > 0 ? (items(after).length === 0 ? 'subject binding removed: any subject' : `subject ${JSON.stringify(after)} instead`) : undefined;
    case 'bound_service_account_names':
      return listWidening(before, after, 'ServiceAccount binding', 'any ServiceAccount');
    case 'bound_service_account_namespaces':
      return listWidening(before, after, 'namespace binding', 'any namespace');
    case 'bound_service_account_namespace_selector':
      return items(after).length > 0 ? 'namespaces matching the selector are admitted too' : undefined;
    case 'bind_secret_id':
      return before !== false && after === false ? 'no secret_id needed: the role_id alone logs in' : undefined;
    case 'organization':
    case 'organization_id':
    case 'base_url':
      return before !== undefined ? `another ${field === 'base_url' ? 'GitHub server' : 'organization'}: ${JSON.stringify(after ?? null)}` : undefined;
    case 'alias': {
      const mount = (v: unknown) => (v && typeof v === 'object' ? (v as { mount?: unknown }).mount : undefined);
      if (mount(before) !== undefined && mount(after) !== undefined && mount(before) !== mount(after)) return `group alias moved to another mount: ${JSON.stringify(mount(after))}`;
      return before !== undefined && after !== undefined ? 'logins with another group alias join' : undefined;
    }
    case 'member_groups': {
      const more = added(before, after);
      return more.length > 0 ? `members of ${quoted(more)} join` : undefined;
    }
    default:
      return undefined;
  }
}
