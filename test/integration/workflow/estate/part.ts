/**
 * The hand-made estate of the round-trip test (estate-roundtrip.test.ts), one part per kind group.
 * A part makes its objects through the server's HTTP API (never through our code) and says, for
 * each object, where to read it back and which of its fields must come back equal after
 * export → apply on an empty server. Parts are listed in ./parts.ts; dropping a kind is deleting
 * its line there.
 */
import { apiRequest, type DevServerInfo, type ServerName } from '../../../servers/dev-server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** Raw HTTP on one server; throws with the answer on a status >= 400 (a part's set-up must not fail silently). */
export type Api = (method: string, path: string, body?: unknown) => Promise<Json>;

export function apiFor(server: Pick<DevServerInfo, 'addr' | 'caCert' | 'token'>): Api {
  return async (method, path, body) => {
    const res = await apiRequest(server, method, path, { body, timeoutMs: 30_000 });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
}

export interface EstateObject {
  /** Our kind name (src/kinds), for the report. */
  kind: string;
  /** Where it sits, e.g. auth/people/users/dana. */
  label: string;
  /** The GET path that reads it back. */
  read: string;
  /**
   * The part of the answer that must be equal on both servers (ids, accessors, keys excluded);
   * `api` reads that same server, to turn ids into names.
   */
  compare(body: Json, api: Api): unknown;
  /**
   * A difference known today, and why: the test asserts it still differs, so whoever fixes it
   * removes this line.
   */
  knownGap?: string;
}

export interface EstatePart {
  /** e.g. 'userpass users'. */
  name: string;
  /** Why this server cannot hold the part (it is then skipped, and the test says so). */
  unsupported?: Partial<Record<ServerName, string>>;
  /** Makes the objects on the source server; returns them, plus the secrets that must never be exported. */
  make(api: Api, server: ServerName): Promise<Made>;
}

export interface Made {
  objects: EstateObject[];
  /** Secrets given to the source server: never in an export or any output. */
  secrets?: string[];
  /**
   * What a user adds to the export before using it: write-only fields Vault never returns (an
   * OIDC client secret, a reviewer JWT), as `${var.NAME}` references, and the values of those
   * variables (given to plan and apply through a var file).
   */
  addToExport?: Array<{ kind: string; path: string[]; variable: string; value: string }>;
  /** Stops what the part started (a local endpoint the servers call), after the test. */
  cleanup?: () => Promise<void>;
}

/** A mount's settings from sys/auth or sys/mounts: everything but its accessor, uuid and plugin build. */
export function mountSettings(table: Json, path: string): unknown {
  const m = (table.data ?? table)[`${path}/`];
  if (!m) return undefined;
  return { type: m.type, description: m.description, local: m.local, seal_wrap: m.seal_wrap, external_entropy_access: m.external_entropy_access, options: m.options ?? null, config: m.config };
}

/**
 * The whole data of an answer (the read of a role, user, or config returns no secrets), its lists
 * sorted, also inside maps (bound_claims values): in these objects they are sets (policies, CIDRs,
 * domains, URLs, allowed claim values), whatever order Vault keeps them in.
 */
export function wholeData(body: Json): unknown {
  const data = body?.data as Record<string, unknown> | undefined;
  return data ? setsSorted(data) : undefined;
}

function setsSorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(setsSorted).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, setsSorted(x)]));
  return v;
}
