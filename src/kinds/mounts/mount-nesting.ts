// Vault keeps mounts apart: it refuses a mount at a path inside another mount, or around one
// ("path is already in use at team/"). Found before anything is written, at the mount's key.
import { ConfigError } from '../../core/errors.js';
import type { Config, Diagnostic } from '../../core/model.js';
import type { CheckContext } from '../kind.js';

/** `a/b/c` → `a`, `a/b` (the paths a mount there would be inside). */
function ancestors(path: string): string[] {
  const segs = path.split('/');
  return segs.slice(1).map((_, i) => segs.slice(0, i + 1).join('/'));
}

/** The mount among `paths` that `path` is inside of. */
const outerOf = (path: string, paths: ReadonlySet<string>) => ancestors(path).find((a) => paths.has(a));

/** Two declared mounts of one section, one inside the other: reported at the inner one. */
export function checkNestedMounts(ctx: CheckContext, section: 'auth' | 'secrets', declared: readonly string[]): void {
  const paths = new Set(declared);
  for (const path of declared) {
    const outer = outerOf(path, paths);
    if (outer === undefined) continue;
    ctx.error([section, path], `${section}/${path} is inside ${section}/${outer}, and Vault refuses a mount inside another`, `mount it beside ${outer}, not under it`, 'key');
  }
}

/**
 * A new mount at a path inside or around a live mount the config does not declare (one made by hand,
 * or one this plan deletes: deletes run after creates, so the create would fail every run).
 */
export function checkNewMountPlaces(config: Config, section: 'auth' | 'secrets', fresh: readonly string[], live: readonly string[]): void {
  const paths = new Set(live);
  // Paths with a live mount below them (to find a new mount around one without a scan per path).
  const under = new Set(live.flatMap(ancestors));
  const errors: Diagnostic[] = [];
  for (const path of fresh) {
    const outer = outerOf(path, paths);
    const inner = outer === undefined && under.has(path) ? live.find((p) => p.startsWith(`${path}/`)) : undefined;
    const found = outer !== undefined ? { other: outer, inside: true } : inner !== undefined ? { other: inner, inside: false } : undefined;
    if (!found) continue;
    const where = `${section}.${path}`;
    errors.push({
      severity: 'error',
      pos: config.sources.get(where),
      path: where,
      message: `${section}/${path} cannot be mounted: ${found.other}/ is a live mount ${found.inside ? 'around it' : 'inside it'}, not in the config, and Vault refuses a mount inside another`,
      hint: `if this plan removes ${section}/${found.other}, apply that on its own first, then add ${section}/${path}; otherwise mount it elsewhere`,
    });
  }
  if (errors.length > 0) throw new ConfigError(errors, undefined, true);
}
