// CA bundles published to Kubernetes namespaces (`secrets.<pki mount>.publish.<name>`): the
// declared shape, its checks, which namespaces match, and what one copy needs. Pure: the Vault and
// Kubernetes reads and writes are in src/publish/.
import type { AccessRule } from '../least-privilege.js';
import type { CaBundleChange, Config, CopyAction, SourcePos } from '../model.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'vault-gitops';
/** The publish entry a copy belongs to (its address), on every copy we create. */
export const OBJECT_ANNOTATION = 'vault-gitops.io/object';
/** On an object we took over (`adopt: true`): removing it gives it back instead of deleting it. */
export const ADOPTED_ANNOTATION = 'vault-gitops.io/adopted';
const RESERVED_PREFIX = 'vault-gitops.io/';

export type CopyTarget = 'configmap' | 'secret';

export interface NamespaceRule {
  names?: string[];
  /** Labels a namespace must carry (matchLabels). */
  selector?: Record<string, string>;
  all?: boolean;
  exclude: string[];
}

/** One `publish` entry as declared (defaults filled in). */
export interface CaBundlePublish {
  target: CopyTarget;
  /** The ConfigMap's or Secret's name (default: the entry's name). */
  name: string;
  /** The data key holding the PEM bundle (default `ca.crt`). */
  key: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  namespaces: NamespaceRule;
  /** Other pki mounts whose CAs are appended to this mount's (a rotation across mounts). */
  sources: string[];
  /** Take over an existing object of that name we did not create. */
  adopt: boolean;
}

/** A publish entry with where it came from. */
export interface PublishEntry extends CaBundlePublish {
  /** `secrets/MOUNT/publish/NAME`: the copies' owner annotation. */
  address: string;
  mount: string;
  entry: string;
  source?: SourcePos;
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
  /** Being deleted: nothing is created in it. */
  terminating?: boolean;
}

/** What is in a namespace under the entry's name, as far as deciding goes. */
export interface LiveCopy {
  namespace: string;
  name: string;
  /** The managed-by label says vault-gitops. */
  managed: boolean;
  /** The owner annotation (the publish entry's address), when present. */
  owner?: string;
  /** The value at the entry's key (decoded for Secrets). */
  value?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Secrets only: the Secret's type. */
  type?: string;
  immutable?: boolean;
}

export type { CaBundleChange, CopyAction } from '../model.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

type Json = Record<string, unknown>;
type Report = (path: string[], message: string, hint?: string) => void;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const stringMap = (v: unknown): Record<string, string> =>
  isObj(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};

export function isNamespaceName(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

/** A label or annotation key: optional DNS-subdomain prefix, `/`, a name of at most 63 characters. */
function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : [undefined, key];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/**
 * Turns one mount's `publish:` block (already shape-checked by the schema) into entries, reporting
 * what the schema cannot see. `pkiMounts`: every pki mount the config declares (for `sources`).
 */
export function checkPublish(raw: Json, path: string[], mount: string, pkiMounts: ReadonlySet<string>, report: Report): Record<string, CaBundlePublish> {
  const out: Record<string, CaBundlePublish> = {};
  for (const [entry, value] of Object.entries(raw)) {
    const p = [...path, entry];
    if (!isObj(value)) continue;
    const name = typeof value.name === 'string' ? value.name : entry;
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
      report(typeof value.name === 'string' ? [...p, 'name'] : p, `"${name}" is not a valid Kubernetes object name`, 'use lower-case letters, digits, "-" and "." (at most 253 characters)');
    }
    // kube-root-ca.crt and friends belong to Kubernetes' controllers: never a copy's name, adopt or not.
    if (name.startsWith('kube-')) report(typeof value.name === 'string' ? [...p, 'name'] : p, `"${name}" starts with "kube-", which Kubernetes reserves for its own objects`, 'choose another name');
    const key = typeof value.key === 'string' ? value.key : 'ca.crt';
    if (!DATA_KEY.test(key) || key.length > 253) report([...p, 'key'], `"${key}" is not a valid ConfigMap/Secret key`, 'use letters, digits, "-", "_" and "."');
    const labels = stringMap(value.labels);
    const annotations = stringMap(value.annotations);
    for (const [k, v] of Object.entries(labels)) {
      if (!isQualifiedName(k)) report([...p, 'labels', k], `"${k}" is not a valid label name`);
      if (v.length > 63 || !LABEL_VALUE.test(v)) report([...p, 'labels', k], `label value "${v}" is not valid`, 'at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
    }
    for (const k of Object.keys(annotations)) if (!isQualifiedName(k)) report([...p, 'annotations', k], `"${k}" is not a valid annotation name`);
    for (const [what, map] of [['labels', labels], ['annotations', annotations]] as const) {
      for (const k of Object.keys(map)) {
        if (k === MANAGED_BY_LABEL || k.startsWith(RESERVED_PREFIX)) {
          report([...p, what, k], `"${k}" is set by vault-gitops itself (it marks the copies it owns)`, 'remove it');
        }
      }
    }
    const namespaces = checkNamespaces(value.namespaces, [...p, 'namespaces'], report);
    const sources = strings(value.sources);
    sources.forEach((s, i) => {
      if (s === mount) report([...p, 'sources', String(i)], `"${s}" is this mount itself; its CA is always in the bundle`, 'remove it');
      else if (!pkiMounts.has(s)) report([...p, 'sources', String(i)], `"${s}" is not a pki mount of this config`, `declare it under secrets: with type: pki, or remove it (known: ${[...pkiMounts].join(', ')})`);
    });
    out[entry] = {
      target: value.target === 'secret' ? 'secret' : 'configmap',
      name,
      key,
      labels,
      annotations,
      namespaces,
      sources: [...new Set(sources)],
      adopt: value.adopt === true,
    };
  }
  return out;
}

function checkNamespaces(raw: unknown, path: string[], report: Report): NamespaceRule {
  const rule: NamespaceRule = { exclude: [] };
  if (!isObj(raw)) return rule;
  const chosen = (['names', 'selector', 'all'] as const).filter((k) => raw[k] !== undefined && raw[k] !== false);
  if (chosen.length !== 1) {
    report(path, chosen.length === 0 ? 'no namespaces chosen' : `choose namespaces one way, not by ${chosen.join(' and ')}`, 'set exactly one of names: [..], selector: {label: value} or all: true (plus exclude: [..] if needed)');
  }
  const checkNames = (list: string[], key: string) =>
    list.forEach((n, i) => {
      if (!isNamespaceName(n)) report([...path, key, String(i)], `"${n}" is not a valid namespace name`);
    });
  if (raw.names !== undefined) {
    rule.names = [...new Set(strings(raw.names))];
    checkNames(rule.names, 'names');
  }
  if (raw.selector !== undefined) {
    rule.selector = stringMap(raw.selector);
    for (const [k, v] of Object.entries(rule.selector)) {
      if (!isQualifiedName(k) || v.length > 63 || !LABEL_VALUE.test(v)) report([...path, 'selector', k], `"${k}: ${v}" is not a valid label selector term`);
    }
  }
  if (raw.all === true) rule.all = true;
  rule.exclude = [...new Set(strings(raw.exclude))];
  checkNames(rule.exclude, 'exclude');
  return rule;
}

/** Every publish entry of the config, in config order (read from the tree; the loader checked it). */
export function publishEntries(config: Pick<Config, 'secrets' | 'tree' | 'sources'>): PublishEntry[] {
  const out: PublishEntry[] = [];
  const pki = new Set(Object.entries(config.secrets).filter(([, m]) => m.type === 'pki').map(([path]) => path));
  const tree = isObj(config.tree.secrets) ? config.tree.secrets : {};
  for (const mount of pki) {
    const raw = isObj(tree[mount]) ? tree[mount].publish : undefined;
    if (!isObj(raw)) continue;
    const parsed = checkPublish(raw, ['secrets', mount, 'publish'], mount, pki, () => {});
    for (const [entry, spec] of Object.entries(parsed)) {
      out.push({ ...spec, mount, entry, address: `secrets/${mount}/publish/${entry}`, source: config.sources.get(`secrets.${mount}.publish.${entry}`) });
    }
  }
  return out;
}

/** What reading an entry's bundle needs in Vault (policy-for; the watch Deployment's policy). */
export function bundleAccess(entry: Pick<PublishEntry, 'mount' | 'sources'>): AccessRule[] {
  return [entry.mount, ...entry.sources].flatMap((m): AccessRule[] => [
    { path: `${m}/cert/ca`, capabilities: ['read'] },
    { path: `${m}/issuers`, capabilities: ['list'] },
    { path: `${m}/issuer/*`, capabilities: ['read'] },
  ]);
}

export function namespaceMatches(rule: NamespaceRule, ns: NamespaceInfo): boolean {
  if (rule.exclude.includes(ns.name)) return false;
  if (rule.all) return true;
  if (rule.names) return rule.names.includes(ns.name);
  if (rule.selector) return Object.entries(rule.selector).every(([k, v]) => ns.labels[k] === v);
  return false;
}

export function copyRef(entry: Pick<PublishEntry, 'target' | 'name'>): string {
  return `${entry.target}/${entry.name}`;
}

/** Whose a live copy is: ours (this entry's), another vault-gitops object's, or nobody we know. */
export function ownership(entry: Pick<PublishEntry, 'address'>, copy: LiveCopy): 'ours' | 'other-entry' | 'foreign' {
  if (copy.managed && copy.owner === entry.address) return 'ours';
  if (copy.managed) return 'other-entry';
  return 'foreign';
}

/**
 * What one namespace needs for one entry. `bundle` undefined: the CA does not exist yet (a plan
 * before the apply that creates it) — copies are planned, not compared. `copy`: what is there.
 */
export function decideCopy(entry: PublishEntry, ns: NamespaceInfo | undefined, bundle: string | undefined, copy: LiveCopy | undefined): CaBundleChange | undefined {
  const namespace = ns?.name ?? copy?.namespace ?? '';
  const change = (action: CopyAction, reason: string): CaBundleChange => ({ address: entry.address, namespace, object: copyRef(entry), action, reason });
  const wanted = ns !== undefined && !ns.terminating && namespaceMatches(entry.namespaces, ns);
  const owner = copy ? ownership(entry, copy) : undefined;

  if (!wanted) {
    // A namespace that stops matching (or goes away) loses only a copy we own.
    if (!copy || owner !== 'ours' || ns?.terminating === true) return undefined;
    const why = ns ? 'the namespace no longer matches' : 'the namespace is gone';
    return change('delete', copy.annotations[ADOPTED_ANNOTATION] === 'true' ? `${why} (adopted: only our key and marks are removed, the object stays)` : why);
  }
  if (!copy) return change('create', bundle === undefined ? 'publish once the CA exists' : 'missing');
  if (owner === 'other-entry') return change('refused', `exists and belongs to ${copy.owner ?? 'another vault-gitops object'}; left alone`);
  if (owner === 'foreign' && !entry.adopt) {
    return change('refused', `exists and is not managed by vault-gitops (no label ${MANAGED_BY_LABEL}=${MANAGED_BY}); left alone (set adopt: true to take it over)`);
  }
  if (copy.type !== undefined && copy.type !== 'Opaque') return change('refused', `is a Secret of type ${copy.type}, not Opaque; left alone`);
  if (copy.immutable) return change('refused', 'is immutable; left alone (delete it to have it re-published)');
  if (owner === 'foreign') return change('update', 'adopt: taken over');
  if (bundle !== undefined && copy.value !== bundle) return change('update', copy.value === undefined ? `key ${entry.key} is missing` : 'the CA bundle changed');
  const labelsOff = Object.entries(entry.labels).some(([k, v]) => copy.labels[k] !== v);
  const annotationsOff = Object.entries(entry.annotations).some(([k, v]) => copy.annotations[k] !== v);
  if (labelsOff || annotationsOff) return change('update', `${labelsOff ? 'labels' : 'annotations'} changed`);
  return undefined;
}

/** Plans every copy of one entry: `copies` are the live objects under its name in any namespace. */
export function planCopies(entry: PublishEntry, bundle: string | undefined, namespaces: readonly NamespaceInfo[], copies: readonly LiveCopy[]): CaBundleChange[] {
  const byNs = new Map(copies.filter((c) => c.name === entry.name).map((c) => [c.namespace, c]));
  const known = new Map(namespaces.map((n) => [n.name, n]));
  const names = [...new Set([...known.keys(), ...byNs.keys()])].sort();
  return names.map((n) => decideCopy(entry, known.get(n), bundle, byNs.get(n))).filter((c): c is CaBundleChange => c !== undefined);
}

export function countCopyChanges(changes: readonly CaBundleChange[] = []): Record<CopyAction, number> {
  const out: Record<CopyAction, number> = { create: 0, update: 0, delete: 0, refused: 0 };
  for (const c of changes) out[c.action]++;
  return out;
}

/** True when applying would write or delete a copy. */
export function hasCopyChanges(changes: readonly CaBundleChange[] = []): boolean {
  const c = countCopyChanges(changes);
  return c.create + c.update + c.delete > 0;
}
