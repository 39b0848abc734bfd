// One destination, one object. Two objects delivering to the same file, Kubernetes Secret or S3
// object would replace each other's credentials at every apply: one consumer would always hold a
// credential that is no longer live, and every plan would show a change. The second declaration is
// an error naming the first. Destinations are compared by name only (validate is offline): file
// paths normalised relative to the sink root, never resolved on the filesystem.
import { posix } from 'node:path';
import type { Checker } from './checker.js';
import { comparePositions } from './diagnostics-format.js';
import type { CredentialsSpec, SourcePos } from '../model.js';
import { s3ObjectId } from '../common/s3-destinations.js';

interface Claim {
  address: string;
  pos: SourcePos | undefined;
  /** A file destination's normalised path. */
  path?: string;
}

/** One destination as declared: its identity, how messages name it, and the config field naming it. */
interface Destination {
  id: string;
  label: string;
  /** What it is to its object: `path`, `Secret`, `object`. */
  noun: string;
  field: string[];
  hint: string;
  /** A file destination's normalised path. */
  path?: string;
}

/** Every object's destinations, checked once all are known: the later declaration is the error. */
export class DestinationClaims {
  private readonly declared: Array<{ address: string; destination: Destination; at: string[]; pos: SourcePos | undefined }> = [];
  private readonly claims = new Map<string, Claim>();
  /** Every directory above a claimed file path (`file out`) → the first claim below it. */
  private readonly above = new Map<string, Claim>();

  /** Records the destinations of `creds`, declared at config `path` by the object at `address`. */
  add(c: Checker, address: string, creds: CredentialsSpec, path: string[]): void {
    for (const destination of destinations(creds)) {
      const at = [...path, ...destination.field];
      if (!c.broken(at)) this.declared.push({ address, destination, at, pos: c.valuePos(at) });
    }
  }

  /** Reports each destination declared again, at the later declaration (in file and line order). */
  report(c: Checker): void {
    for (const { address, destination: d, at, pos } of [...this.declared].sort((a, b) => comparePositions(a.pos, b.pos))) {
      const clash = this.clash(d);
      if (clash) {
        c.error(at, pos, clash, `${d.hint}: two objects delivering to one place replace each other's credentials at every apply`);
        continue;
      }
      const claim = { address, pos, ...(d.path !== undefined ? { path: d.path } : {}) };
      this.claims.set(d.id, claim);
      for (const dir of directoriesAbove(d.path)) if (!this.above.has(dir)) this.above.set(dir, claim);
    }
  }

  /** Why `d` is already taken, or undefined when it is free. */
  private clash(d: Destination): string | undefined {
    const same = this.claims.get(d.id);
    if (same) return `${d.label} is already the credentials ${d.noun} of ${owner(same)}`;
    for (const dir of directoriesAbove(d.path)) {
      const outer = this.claims.get(dir);
      if (outer) return `${d.label} is inside ${outer.path}, the credentials path of ${owner(outer)}`;
    }
    const inner = this.above.get(d.id);
    return inner ? `${d.label} is a parent directory of ${inner.path}, the credentials path of ${owner(inner)}` : undefined;
  }
}

function owner(claim: Claim): string {
  return `${claim.address}${claim.pos ? ` (${claim.pos.file}:${claim.pos.line}:${claim.pos.col})` : ''}`;
}

/** `file a`, `file a/b` for `a/b/c`: the directories a file path goes through. */
function directoriesAbove(path: string | undefined): string[] {
  const segments = path?.split('/') ?? [];
  return segments.slice(0, -1).map((_, i) => `file ${segments.slice(0, i + 1).join('/')}`);
}

function destinations(creds: CredentialsSpec): Destination[] {
  const out: Destination[] = [];
  const normal = creds.file ? normalisedPath(creds.file.path) : undefined;
  // A path that leaves the sink root is an error of its own.
  if (creds.file && normal !== undefined) {
    const label = `credential file ${creds.file.path}${normal === creds.file.path ? '' : ` (${normal})`}`;
    out.push({ id: `file ${normal}`, label, noun: 'path', field: ['file', 'path'], hint: 'give each object its own path', path: normal });
  }
  if (creds.kubernetes) {
    const { namespace, name } = creds.kubernetes;
    out.push({ id: `secret ${namespace}/${name}`, label: `Secret ${namespace}/${name}`, noun: 'Secret', field: ['kubernetes', 'name'], hint: 'give each object its own Secret name' });
  }
  if (creds.s3) {
    out.push({ id: s3ObjectId(creds.s3), label: `s3://${creds.s3.bucket}/${creds.s3.key}`, noun: 'object', field: ['s3', 'key'], hint: 'give each object its own key' });
  }
  return out;
}

/** `./out//x/../app.json/` → `out/app.json`; undefined for a path that is absolute or leaves the root. */
function normalisedPath(path: string): string | undefined {
  const normal = posix.normalize(path).replace(/\/+$/, '');
  if (normal === '' || normal === '.' || normal === '..' || normal.startsWith('../') || posix.isAbsolute(normal)) return undefined;
  return normal;
}
