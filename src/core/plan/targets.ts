// `plan --target KIND/NAME`: plan a few objects of a large estate, reading only their collections
// and only the members whose names can match.
import type { VaultPort } from '../ports.js';
import { portWith } from '../port-view.js';
import { UsageError } from '../errors.js';

type Targetable = { kind: string; name: string; address: string };

/** `*` matches any characters (slashes too), `?` one; everything else literally. */
function glob(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

interface Pattern {
  text: string;
  address: RegExp;
  /** KIND/NAME: the object's kind and name match. */
  byName: boolean;
  /** The kinds it can be an object of, and its name part: what is read. Undefined: read every kind whole. */
  kinds?: (kind: string) => boolean;
  name?: RegExp;
}

export class Targets {
  private readonly patterns: Pattern[];

  /**
   * `kindNames`: the registry's kinds, to tell KIND/NAME from an address; `declared`: the config's
   * objects, to tell which kind an address (auth/approle/roles/web) is of.
   */
  constructor(texts: readonly string[], kindNames: readonly string[], declared: ReadonlyArray<Targetable & { collection: string }> = []) {
    this.patterns = texts.map((text) => {
      const slash = text.indexOf('/');
      if (slash <= 0 || slash === text.length - 1) {
        throw new UsageError(`--target ${text}: expected KIND/NAME or an address`, `e.g. --target policy/payments-*, --target approle-role/web, --target auth/approle/roles/web; kinds: ${kindNames.join(', ')}`);
      }
      const kind = glob(text.slice(0, slash));
      if (kindNames.some((k) => kind.test(k))) return { text, address: glob(text), byName: true, kinds: (k: string) => kind.test(k), name: glob(text.slice(slash + 1)) };
      const last = text.lastIndexOf('/');
      const collection = glob(text.slice(0, last));
      const kinds = new Set(declared.filter((d) => collection.test(d.collection)).map((d) => d.kind));
      return kinds.size > 0
        ? { text, address: glob(text), byName: false, kinds: (k: string) => kinds.has(k), name: glob(text.slice(last + 1)) }
        : { text, address: glob(text), byName: false };
    });
  }

  /** The object is one of the targets: by KIND/NAME or by its address. */
  matches(o: Targetable): boolean {
    return this.patterns.some((p) => matchesPattern(p, o));
  }

  /** Whether this kind's objects can be targets (otherwise its collections are not read at all). */
  reads(kind: string): boolean {
    return this.patterns.some((p) => p.kinds === undefined || p.kinds(kind));
  }

  /** Names of this kind that can be targets; undefined when any can. */
  names(kind: string): ((name: string) => boolean) | undefined {
    const relevant = this.patterns.filter((p) => p.kinds === undefined || p.kinds(kind));
    if (relevant.some((p) => p.name === undefined)) return undefined;
    return (name) => relevant.some((p) => p.name!.test(name));
  }

  /** The patterns that matched none of `objects`, for a warning. */
  unmatched(objects: readonly Targetable[]): string[] {
    return this.patterns.filter((p) => !objects.some((o) => matchesPattern(p, o))).map((p) => p.text);
  }
}

function matchesPattern(p: Pattern, o: Targetable): boolean {
  return p.address.test(o.address) || (p.byName && p.kinds!(o.kind) && p.name!.test(o.name));
}

/**
 * The client a kind reads with: its LISTs keep only the names that can be targets, so only those
 * are read. Everything else goes to `vault` unchanged.
 */
export function listingOnly(vault: VaultPort, keep: (name: string) => boolean): VaultPort {
  return portWith(vault, { list: async (path) => (await vault.list(path)).filter(keep) });
}
