// Validation of the merged config, by job: JSON Schema diagnostics (schema-diagnostics.ts) → the
// mount sections (config-mounts.ts) → policies (config-policies.ts) → prune (config-prune.ts) → the
// root-namespace-only kinds in a tenant's config (config-root-only.ts) → every placed object's CIDRs
// and credentials (checker.ts, config-credentials.ts; one object per destination,
// credential-destinations.ts) → each kind's own check(). The result is the `Config` the kinds read.
// Every problem is a Diagnostic with a file:line:col; nothing here throws on bad input.
import { Checker, checkContext } from './checker.js';
import { readCredentials } from './config-credentials.js';
import { DestinationClaims } from './credential-destinations.js';
import { readMounts } from './config-mounts.js';
import { readPolicies } from './config-policies.js';
import { readPrune } from './config-prune.js';
import { checkRootOnly } from './config-root-only.js';
import { checkSecretVariables } from './config-secret-vars.js';
import type { Kind } from '../kind.js';
import type { Layer } from '../config/layering.js';
import type { Config, Diagnostic, PasswordPolicy, SourcePos } from '../model.js';
import { hasCollapsingSegment } from '../common/names.js';
import { placedEntries } from '../config/placed.js';
import { fieldsOfType } from './config-schema.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import { dotted, type Json, type SourceFile } from '../config/yaml-tree.js';

export { configSchema } from './config-schema.js';
export { describeAt, schemaDiagnostics } from './schema-diagnostics.js';

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Checked {
  config: Config;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** Checks the merged layer and builds the Config (also when there are errors, as far as it can). */
export function checkConfig(
  layer: Layer,
  sources: Map<string, SourceFile>,
  kinds: readonly Kind[],
  reported: Diagnostic[] = [],
  paths: { sinkRoot?: string; s3Allow?: string } = {},
): Checked {
  const known = new Set(reported.map((d) => d.path).filter((p): p is string => p !== undefined));
  const schema = schemaDiagnostics(layer, known);
  const c = new Checker(layer, sources, new Set([...schema.failed, ...known]));
  if (paths.sinkRoot !== undefined) c.sinkRoot = paths.sinkRoot;
  c.s3Allow = paths.s3Allow;
  const tree = layer.tree;
  const policies = readPolicies(c, tree);
  const placedIn = (section: 'auth' | 'secrets') => new Set(kinds.flatMap((k) => (k.placement?.in === section ? [k.placement.key[0]!] : [])));
  const auth = readMounts(c, tree, 'auth', placedIn('auth'));
  const secrets = readMounts(c, tree, 'secrets', placedIn('secrets'));
  // Policy files are read in: the policy kind finds its text where it finds inline HCL.
  const placed = isObj(tree.policies) ? { ...tree, policies: policies as Json } : tree;
  // A Map: a config of thousands of objects has tens of thousands of positions (an object's dictionary mode is several times slower to fill).
  const positions = new Map<string, SourcePos>();
  for (const [k, e] of layer.index) positions.set(k, e.key ?? e.pos);
  const roots = new Map([...sources].flatMap(([file, src]) => (src.root === undefined ? [] : [[file, src.root] as const])));
  const config: Config = { policies, auth, secrets, prune: [], tree: placed, sources: positions, roots };
  config.prune = readPrune(c, tree, config, kinds);
  if (isObj(tree.password)) config.password = tree.password as Partial<PasswordPolicy>;
  checkRootOnly(c, config, kinds);
  checkKinds(c, config, kinds);
  checkSecretVariables(c, config, kinds);
  return { config, errors: [...schema.errors, ...c.errors], warnings: c.warnings };
}

/** What every placed object gets (CIDRs are CIDRs; durations are the schema's), then each kind's own check. */
function checkKinds(c: Checker, config: Config, kinds: readonly Kind[]): void {
  const ctx = checkContext(c, config);
  const destinations = new DestinationClaims();
  for (const kind of kinds) {
    const cidrs = kind.placement ? fieldsOfType(kind.placement.schema, 'cidrs') : new Set<string>();
    for (const e of placedEntries(config, kind)) {
      c.checkCidrs(e.value, e.path, cidrs);
      // Credential sinks are read into their checked form (modes, confined paths) where the kind finds them.
      if (kind.credentials && e.value.credentials !== undefined) {
        const creds = readCredentials(c, e.value.credentials, [...e.path, 'credentials']);
        if (creds) e.value.credentials = creds;
        else delete e.value.credentials;
        if (creds) destinations.add(c, e.address, creds, [...e.path, 'credentials']);
      }
    }
    kind.check?.(ctx);
    // Names go into API paths: one that a URL resolves away would address another object. Most
    // kinds report their names with Vault's own rule; this catches the rest, once.
    for (const e of placedEntries(config, kind)) {
      const at = dotted(e.path);
      if (kind.placement?.shape === 'map' && hasCollapsingSegment(e.name) && !c.errors.some((d) => d.path === at)) {
        c.error(e.path, c.keyPos(e.path), `name \`${e.name}\` has an empty, \`.\` or \`..\` segment: in the API path a URL would resolve it to another object`, 'rename it');
      }
    }
  }
  destinations.report(c);
}
