// Confinement of every path a config names. The config is hostile input (it arrives in pull
// requests), so a path it names may only reach files inside the directory it is allowed to use:
// inputs (policy `file:`) inside the `-c` directory of the YAML file that names them, credential
// files inside the sink root. Checked after resolving symbolic links, so a link committed to the
// repository cannot point outside either. Future path fields call `confinePath` too.
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** `read`: the file must exist. `write`: it may not exist yet, and must not be a symbolic link. */
/** `write-dir`: an output that is a directory of files (the vault-agent format), not one file. */
export type PathUse = 'read' | 'write' | 'write-dir';

export interface ConfineRequest {
  /** The path exactly as the config wrote it. */
  path: string;
  /** The directory a relative path is resolved against. */
  from: string;
  /** The directory the result must stay inside. */
  root: string;
  /** How errors name the root, e.g. `the config directory config/base`. */
  rootLabel: string;
  use: PathUse;
}

/** `missing`: the path stays inside but names no file (for `read`). */
export type Confined = { ok: true; path: string } | { ok: false; problem: string; hint: string; missing?: boolean };

const inside = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

function refuse(problem: string, hint: string): Confined {
  return { ok: false, problem, hint };
}

/**
 * Resolves `req.path` against `req.from` and checks that it stays inside `req.root`, symbolic links
 * resolved (for a file that does not exist yet: its nearest existing parent). Returns the real path
 * to use. Never opens or reads the file, so nothing of a file outside the root can reach an output.
 */
export function confinePath(req: ConfineRequest): Confined {
  const { path, use, rootLabel } = req;
  const stayInside = `use a relative path that stays inside ${rootLabel}`;
  if (path.includes('\0')) return refuse('contains a NUL character', stayInside);
  if (isAbsolute(path)) return refuse('is an absolute path', stayInside);
  let root: string;
  try {
    root = realpathSync(req.root);
  } catch {
    return refuse(`cannot be checked: ${rootLabel} does not exist`, 'create it, or point the option at an existing directory');
  }
  const lexical = resolve(req.from, path);
  if (!inside(resolve(req.root), lexical) && !inside(root, lexical)) return refuse(`leaves ${rootLabel}`, stayInside);
  if (use !== 'read' && relative(resolve(req.root), lexical).split(sep).includes('.git')) {
    return refuse('points into a .git directory', 'write credential files outside version control');
  }
  return use === 'read' ? confineExisting(lexical, root, rootLabel, stayInside) : confineNew(lexical, root, rootLabel, stayInside, use === 'write-dir');
}

function confineExisting(lexical: string, root: string, rootLabel: string, stayInside: string): Confined {
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch (err) {
    const c = code(err);
    if (c === 'ENOENT') return { ok: false, problem: 'does not exist', hint: 'the path is relative to the YAML file that names it', missing: true };
    return refuse(`cannot be resolved (${c ?? 'error'})`, 'the path is relative to the YAML file that names it');
  }
  if (!inside(root, real)) return refuse(`resolves (through a symbolic link) to a file outside ${rootLabel}`, stayInside);
  return { ok: true, path: real };
}

function confineNew(lexical: string, root: string, rootLabel: string, stayInside: string, directory: boolean): Confined {
  try {
    const st = lstatSync(lexical);
    if (st.isSymbolicLink()) return refuse('is a symbolic link', 'replace the link with a regular file, or choose another path');
    if (st.isDirectory() && !directory) return refuse('is a directory', 'name a file');
    if (!st.isDirectory() && directory) return refuse('is not a directory', 'format vault-agent writes a directory: name one that does not exist yet, or one vault-gitops wrote');
  } catch (err) {
    if (code(err) !== 'ENOENT' && code(err) !== 'ENOTDIR') return refuse(`cannot be checked (${code(err) ?? 'error'})`, stayInside);
  }
  // The nearest existing parent, symbolic links resolved, plus the parts that do not exist yet.
  let existing = dirname(lexical);
  const rest = [lexical.slice(existing.length + 1)];
  for (;;) {
    try {
      const real = realpathSync(existing);
      if (!inside(root, real)) return refuse(`resolves (through a symbolic link) to a place outside ${rootLabel}`, stayInside);
      return { ok: true, path: join(real, ...rest) };
    } catch (err) {
      if (code(err) !== 'ENOENT' || dirname(existing) === existing) return refuse(`cannot be checked (${code(err) ?? 'error'})`, stayInside);
      if (isDanglingLink(existing)) return refuse('goes through a symbolic link that points nowhere', stayInside);
      rest.unshift(existing.slice(dirname(existing).length + 1));
      existing = dirname(existing);
    }
  }
}

function isDanglingLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Credential files may be readable by the owner and at most its group, never by others nor executable. */
export const LOOSEST_CREDENTIAL_MODE = 0o640;

export function credentialModeProblem(mode: number): string | undefined {
  if ((mode & ~LOOSEST_CREDENTIAL_MODE) === 0) return undefined;
  return `mode ${mode.toString(8).padStart(4, '0')} is looser than 0640: a credential file must not be readable by others, writable by the group or executable`;
}

/** The sink root as errors name it. */
export const sinkRootLabel = (root: string): string => `the sink root ${root} (--sink-root)`;

export interface PathProblem {
  field: 'path' | 'mode';
  message: string;
  hint: string;
}

/** What is wrong with a file sink's `path` (relative to and confined in the sink root) and `mode`. */
/** A credential file's path, or a directory for the vault-agent format. */
export function credentialPathUse(file: { format?: string }): PathUse {
  return file.format === 'vault-agent' ? 'write-dir' : 'write';
}

export function credentialFileProblems(file: { path: string; mode?: number; format?: string }, sinkRoot: string): PathProblem[] {
  const out: PathProblem[] = [];
  const c = confinePath({ path: file.path, from: sinkRoot, root: sinkRoot, rootLabel: sinkRootLabel(sinkRoot), use: credentialPathUse(file) });
  if (!c.ok) out.push({ field: 'path', message: `credential file ${file.path} ${c.problem}`, hint: c.hint });
  const loose = file.mode === undefined ? undefined : credentialModeProblem(file.mode);
  if (loose) out.push({ field: 'mode', message: loose, hint: 'use mode 0600 (or 0640 for a group that must read it)' });
  return out;
}
