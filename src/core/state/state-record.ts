// The state record is untrusted input: anyone with write access to its KV secret can change it, and
// a hand edit can be wrong. It is checked field by field when read; a record that does not pass is an
// error with how to repair it, never silently reset (a reset would forget what vault-gitops created).

import { UsageError } from '../errors.js';
import { isSecretHash } from '../common/secret-hash.js';
import type { Address, KindName } from '../model.js';

export interface ManagedEntry {
  kind: KindName;
  /** sha256 of the normalised declared settings last applied; null while a create is in flight. */
  hash: string | null;
  applied_at: string;
  /** vault-gitops created it (then removing it from the config deletes it); false = it existed before. */
  created: boolean;
  /**
   * Its live identity when last applied (mount accessor, AppRole role_id, CA serial): a removed object
   * is deleted only while Vault shows the same one. Absent for kinds without one, and in old records.
   */
  identity?: string;
  /**
   * A salted scrypt hash (core/common/secret-hash.ts) of each write-only value last written, by
   * field: a plan tells a changed secret from the same one without knowing either. Never the value.
   */
  secrets?: Record<string, string>;
}

export interface LockInfo {
  /** The run ID; `force-unlock ID` names it. */
  id: string;
  /** `user@host pid N`. */
  owner: string;
  acquired_at: string;
  /** Renewed while the run is alive; an expired lock is taken over. */
  expires_at: string;
  /** When the holder last renewed the lock: recent means its run is alive (force-unlock needs --force). */
  heartbeat_at?: string;
}

export interface StateRecord {
  format_version: string;
  /** The id of the config that owns the record (src/core/state/state-owner.ts); absent until its first apply. */
  owner?: string;
  objects: Record<Address, ManagedEntry>;
  last_apply?: {
    at: string;
    run_id: string;
    by: string;
    tool_version: string;
    git_commit?: string;
    result: 'running' | 'ok' | 'failed';
  };
  lock?: LockInfo;
}

/** 2 added `owner` and per-object `identity`; a version 1 record is read and upgraded by the next apply. */
export const STATE_FORMAT_VERSION = '2';
const READABLE_VERSIONS = ['1', STATE_FORMAT_VERSION];

const HASH = /^sha256:[0-9a-f]{64}$/;
// eslint-disable-next-line no-control-regex -- addresses must not carry control characters
const ADDRESS = /^[a-z][a-z0-9_-]*\/[^\u0000-\u001f\u007f]+$/;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** Collects what is wrong, each with its path inside the record. */
class Problems {
  readonly list: string[] = [];
  add(path: string, what: string): void {
    if (this.list.length < 10) this.list.push(`${path}: ${what}`);
  }
  keys(obj: Json, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) this.add(`${path}.${k}`, 'unknown key');
  }
  text(obj: Json, key: string, path: string, optional = false): void {
    if (optional && obj[key] === undefined) return;
    if (!isText(obj[key])) this.add(`${path}.${key}`, 'must be a non-empty string');
  }
}

function checkEntry(entry: unknown, path: string, p: Problems, kinds: ReadonlySet<string>): entry is ManagedEntry {
  if (!isObj(entry)) {
    p.add(path, 'must be an object');
    return false;
  }
  p.keys(entry, path, ['kind', 'hash', 'applied_at', 'created', 'identity', 'secrets']);
  if (typeof entry.kind !== 'string' || !kinds.has(entry.kind)) p.add(`${path}.kind`, `must be one of ${[...kinds].join(', ')}`);
  if (entry.hash !== null && !(typeof entry.hash === 'string' && HASH.test(entry.hash))) p.add(`${path}.hash`, 'must be sha256:<64 hex digits> or null');
  p.text(entry, 'applied_at', path);
  if (typeof entry.created !== 'boolean') p.add(`${path}.created`, 'must be true or false');
  p.text(entry, 'identity', path, true);
  if (entry.secrets !== undefined) {
    if (!isObj(entry.secrets)) p.add(`${path}.secrets`, 'must be an object of field → scrypt hash');
    else for (const [f, h] of Object.entries(entry.secrets)) if (typeof h !== 'string' || !isSecretHash(h)) p.add(`${path}.secrets.${f}`, 'must be scrypt$N$r$p$salt$hash');
  }
  return true;
}

function checkLock(lock: Json, p: Problems): lock is Json & LockInfo {
  p.keys(lock, 'lock', ['id', 'owner', 'acquired_at', 'expires_at', 'heartbeat_at']);
  for (const k of ['id', 'owner', 'acquired_at', 'expires_at']) p.text(lock, k, 'lock');
  p.text(lock, 'heartbeat_at', 'lock', true);
  return true;
}

function checkLastApply(last: Json, p: Problems): void {
  p.keys(last, 'last_apply', ['at', 'run_id', 'by', 'tool_version', 'git_commit', 'result']);
  for (const k of ['at', 'run_id', 'by', 'tool_version']) p.text(last, k, 'last_apply');
  p.text(last, 'git_commit', 'last_apply', true);
  if (!['running', 'ok', 'failed'].includes(String(last.result))) p.add('last_apply.result', 'must be running, ok or failed');
}

/**
 * The record read from Vault, checked. `label` names it in messages; `repair` says how to fix it.
 * An unknown (newer) format_version asks for an upgrade instead.
 */
/** `kindNames`: the kinds this vault-gitops knows (the registry's names); an entry of another kind is refused. */
export function parseStateRecord(data: unknown, label: string, repair: string, kindNames: readonly string[]): StateRecord {
  const p = new Problems();
  const kinds = new Set(kindNames);
  if (!isObj(data)) throw new UsageError(`the state record ${label} is not an object`, repair);
  if (typeof data.format_version === 'string' && !READABLE_VERSIONS.includes(data.format_version)) {
    throw new UsageError(`the state record ${label} has format_version ${JSON.stringify(data.format_version)}, which this vault-gitops does not know`, 'upgrade vault-gitops');
  }
  p.keys(data, '(record)', ['format_version', 'owner', 'objects', 'last_apply', 'lock']);
  if (typeof data.format_version !== 'string') p.add('format_version', `must be one of ${READABLE_VERSIONS.map((v) => JSON.stringify(v)).join(', ')}`);
  p.text(data, 'owner', '(record)', true);
  if (!isObj(data.objects)) {
    p.add('objects', 'must be an object of address → entry');
  } else {
    for (const [address, entry] of Object.entries(data.objects)) {
      const path = `objects[${JSON.stringify(address)}]`;
      if (!ADDRESS.test(address)) p.add(path, 'is not an address (policies/NAME, auth/MOUNT…, secrets/MOUNT…)');
      checkEntry(entry, path, p, kinds);
    }
  }
  if (data.last_apply !== undefined) {
    if (isObj(data.last_apply)) checkLastApply(data.last_apply, p);
    else p.add('last_apply', 'must be an object');
  }
  if (data.lock !== undefined) {
    if (isObj(data.lock)) checkLock(data.lock, p);
    else p.add('lock', 'must be an object');
  }
  if (p.list.length > 0) {
    throw new UsageError(`the state record ${label} is not valid (${p.list.length} problem${p.list.length > 1 ? 's' : ''}): ${p.list.join('; ')}`, repair);
  }
  return data as unknown as StateRecord;
}
