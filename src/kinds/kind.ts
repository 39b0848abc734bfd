import type { Vault } from '../adapters/vault.js';
import type { Config, DesiredObject, KindName, LiveObject, Settings } from '../core/model.js';

/** What a kind's readLive is asked to look at. */
export interface ReadScope {
  config: Config;
  /** The desired objects of this kind (to know which mounts to list). */
  desired: DesiredObject[];
  /** Live mounts of the server, read first: path (no trailing slash) → type. */
  mounts: { auth: Record<string, string>; secrets: Record<string, string> };
}

/** Secrets a create/update generated, handed to the credential sinks (never logged). */
export type IssuedCredentials = Record<string, string>;

export interface ApplyContext {
  vault: Vault;
  /** Generates a password following the object's/config's policy. */
  generatePassword(obj: DesiredObject): string;
}

/**
 * One Vault object kind. The engine never special-cases a kind: it asks these questions.
 * Adding a kind = copy one file, answer these, register it in registry.ts.
 */
export interface Kind {
  readonly name: KindName;
  /** Heading for the text plan: "ACL policies". */
  readonly title: string;
  /** Apply order: lower first (mounts 0, policies 1, roles 2, ...); deletes run in reverse. */
  readonly phase: number;
  /** Fields whose values are never shown (masked) and never compared by value. */
  readonly sensitiveFields: readonly string[];
  /** Fields whose change is security-relevant (shown first in plans). */
  readonly securityFields: readonly string[];
  /** True when the object can be deleted by prune / state (mount-internal singletons can't). */
  readonly deletable: boolean;

  /** The objects of this kind the config declares. */
  desired(config: Config): DesiredObject[];
  /** LIST + GET the live objects of this kind in the scope (only mounts the config or prune touch). */
  readLive(vault: Vault, scope: ReadScope): Promise<LiveObject[]>;
  /** Brings declared settings into the comparable shape (TTLs → seconds, sets sorted, ...). */
  normalise(settings: Settings): Settings;
  /** Creates the object; returns credentials it generated (for the sinks). */
  create(ctx: ApplyContext, obj: DesiredObject): Promise<IssuedCredentials | void>;
  /** Makes the live object match; `fields` are the names that differ. */
  update(ctx: ApplyContext, obj: DesiredObject, fields: string[]): Promise<IssuedCredentials | void>;
  delete(ctx: ApplyContext, obj: LiveObject): Promise<void>;
}
