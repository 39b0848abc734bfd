// Which config owns a state record. Two configs that share a state path would otherwise delete each
// other's objects ("removed from config"), so a record names its owner and apply/plan refuse a record
// owned by another config. The id is --state-id / $VAULT_GITOPS_STATE_ID when given, else derived
// from where the config lives: the git repository (its origin URL, credentials stripped, so a local
// clone and a CI checkout agree) and each -c directory's path inside it; outside git, the absolute paths.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * An id: any text without control characters that does not start like a flag or with white space.
 * Wide on purpose: every id this module derives (an absolute path, a repository URL and directory)
 * must be one --state-id takes, so the hint naming a record's owner can be followed.
 */
const ID = /^(?![-\s])[^\p{Cc}]{1,1000}$/u;

export const isOwnerId = (id: string): boolean => ID.test(id);

/** `id` quoted for a POSIX shell (a path may hold spaces, `$`, quotes). */
export function shellQuoted(id: string): string {
  return `'${id.replace(/'/g, `'\\''`)}'`;
}

function git(dir: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: dir, timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return undefined;
  }
}

/** `git@github.com:acme/cfg.git`, `https://user:token@github.com/acme/cfg` → `github.com/acme/cfg`. */
export function normaliseRemote(url: string): string {
  let s = url.trim();
  const scp = /^[^/@:]+@([^/:]+):(.*)$/.exec(s);
  if (scp) s = `${scp[1]}/${scp[2]}`;
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^/@]*@/, '');
  s = s.replace(/\/+$/, '').replace(/\.git$/, '');
  const slash = s.indexOf('/');
  return slash === -1 ? s.toLowerCase() : s.slice(0, slash).toLowerCase() + s.slice(slash);
}

function dirId(dir: string): string {
  const abs = resolve(dir);
  const prefix = git(abs, ['rev-parse', '--show-prefix']);
  if (prefix === undefined) return abs;
  const remote = git(abs, ['remote', 'get-url', 'origin']);
  const repo = remote ? normaliseRemote(remote) : (git(abs, ['rev-parse', '--show-toplevel']) ?? abs);
  return `${repo}//${prefix.replace(/\/+$/, '')}`;
}

/** The owner id of the config in `dirs` (layered dirs give one id together). */
export function configOwnerId(dirs: readonly string[], explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const given = explicit ?? (env.VAULT_GITOPS_STATE_ID || undefined);
  if (given !== undefined) {
    if (!isOwnerId(given)) {
      throw new UsageError(`--state-id ${JSON.stringify(given)} is not a valid id`, 'use text without control characters that does not start with `-` or white space (up to 1000 characters), for example payments-prod');
    }
    return given;
  }
  return dirs.map(dirId).join(' + ');
}
