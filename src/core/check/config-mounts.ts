// The mount sections (auth, secrets): paths Vault accepts, known types, tune, and each mount's own
// settings (the keys kinds place in a mount are theirs, see core/config/placed.ts).
import type { Checker } from './checker.js';
import { builtinMountTypes, SYSTEM_MOUNT_TYPES } from './mount-types.js';
import type { MountConfig, Settings } from '../model.js';
import { hasCollapsingSegment } from '../common/names.js';
import { describeAt } from './schema-diagnostics.js';
import { suggest } from '../common/suggest.js';
import type { Json } from '../config/yaml-tree.js';

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const RESERVED_MOUNTS: Record<'auth' | 'secrets', string[]> = {
  auth: ['token'],
  secrets: ['sys', 'cubbyhole', 'identity', 'auth'],
};

function checkMountPath(c: Checker, section: 'auth' | 'secrets', path: string): void {
  const p = [section, path];
  const problem =
    path.trim() === ''
      ? 'is empty'
      : /\s/.test(path)
        ? 'contains white space'
        : /^\/|\/$/.test(path)
          ? 'starts or ends with `/` (Vault strips it, so the plan would never match)'
          : hasCollapsingSegment(path)
            ? 'contains an empty, `.` or `..` segment (a URL would send it to another path)'
            : RESERVED_MOUNTS[section].includes(path.toLowerCase())
              ? 'is reserved by Vault'
              : undefined;
  if (problem) c.error(p, c.keyPos(p), `mount path \`${path}\` ${problem}`);
}

/**
 * A type no server has built in is either a typo (close to a built-in: an error with the
 * suggestion) or a custom plugin, which plan checks against the server's plugin catalog.
 */
function checkMountType(c: Checker, section: 'auth' | 'secrets', mount: string, type: string): void {
  const p = [section, mount, 'type'];
  if (c.broken(p) || builtinMountTypes(section).includes(type)) return;
  const shown = c.entry(p)?.refs ? describeAt(c.layer, p, type) : `\`${type}\``;
  const what = section === 'auth' ? 'auth method' : 'secrets engine';
  if (SYSTEM_MOUNT_TYPES[section].includes(type)) {
    c.error(p, c.valuePos(p), `mount type ${shown} is Vault's own and cannot be mounted`);
    return;
  }
  const close = c.entry(p)?.refs ? undefined : suggest(type, builtinMountTypes(section));
  if (close !== undefined) {
    c.error(p, c.valuePos(p), `unknown ${what} type ${shown}, did you mean \`${close}\`?`, `built-in types: ${builtinMountTypes(section).join(', ')}`);
  } else {
    c.warn(p, c.valuePos(p), `${shown} is not a built-in ${what} type of Vault or OpenBao`, "plan checks it against the server's plugin catalog (a custom plugin must be registered there)");
  }
}

function readTune(raw: unknown): Settings | undefined {
  return isObj(raw) ? (raw as Settings) : undefined;
}

/** A mount section: each mount's own settings (the keys kinds place in it are theirs, not the mount's). */
export function readMounts(c: Checker, tree: Json, section: 'auth' | 'secrets', placed: ReadonlySet<string>): Record<string, MountConfig> {
  const out: Record<string, MountConfig> = {};
  const raw = tree[section];
  if (!isObj(raw)) return out;
  for (const [mount, m] of Object.entries(raw)) {
    checkMountPath(c, section, mount);
    if (!isObj(m) || typeof m.type !== 'string') continue;
    const { type, description, tune, ...rest } = m;
    const settings = Object.fromEntries(Object.entries(rest).filter(([k]) => !placed.has(k)));
    checkMountType(c, section, mount, type);
    const cfg: MountConfig = { type, settings };
    if (typeof description === 'string') cfg.description = description;
    const t = readTune(tune);
    if (t) cfg.tune = t;
    out[mount] = cfg;
  }
  return out;
}
