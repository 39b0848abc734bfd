import type { CredentialMeta, VaultPort } from './ports.js';
import type { KindAccess } from './least-privilege.js';
import type { Principal, PrincipalSource } from './principal.js';
import type { TSchema } from 'typebox';
import type { Address, Config, DesiredObject, FieldChange, KindName, LiveObject, Settings, SourcePos } from './model.js';

/** What a kind's readLive is asked to look at. */
export interface ReadScope {
  config: Config;
  /** The desired objects of this kind (to know which mounts to list). */
  desired: DesiredObject[];
  /** Live mounts of the server, read first: path (no trailing slash) → type. */
  mounts: { auth: Record<string, string>; secrets: Record<string, string> };
  /**
   * A plan needs the settings of declared objects only: an undeclared one is listed (unmanaged, or
   * deleted by name), so a kind may return it unread, with empty settings. Export and snapshots read all.
   */
  declaredOnly?: boolean;
}

export interface ApplyContext {
  vault: VaultPort;
}

/**
 * Where a kind's objects sit in the config, and the JSON Schema of one object. The loader stores the
 * values found there (schema-valid, variables substituted) and `placedEntries` (kinds/shared/support.ts)
 * hands them to the kind; `npm run schemas` writes them into schemas/config.schema.json.
 */
export interface Placement {
  /** root: a top-level section; auth / secrets: a key inside a mount of that section. */
  readonly in: 'root' | 'auth' | 'secrets';
  /** root: `['policies']`, `['identity', 'groups']`; in a mount: `['roles']`, `['config']`. */
  readonly key: readonly string[];
  /** auth / secrets: the mount types that have this key (`['jwt', 'oidc']`); absent = every type. */
  readonly mountTypes?: readonly string[];
  /** map: name → object (addresses `.../KEY/NAME`); single: one object at the key (address `.../KEY`). */
  readonly shape: 'map' | 'single';
  /** One object's schema, built from the shared field groups (kinds/shared/fields.ts). */
  readonly schema: TSchema;
  /** map: the rule for names (the schema's propertyNames, for editors; the kind's check reports bad names). */
  readonly names?: TSchema;
  /** map: `name:` with nothing under it declares the object with Vault's defaults. */
  readonly allowEmpty?: boolean;
  /** A later `-c` layer replaces the object whole instead of field by field (a policy: `file` or `policy`). */
  readonly atomic?: boolean;
  /** One line, for editors (the schema's description of the key). */
  readonly description: string;
}

/**
 * What the generated reference (`npm run docs` → docs/reference/<kind>.md) says of a kind beyond
 * its placement, its schema and the rest of the contract. Declarative: the generator names no kind.
 */
export interface KindDocs {
  /** What one object is, a sentence or two (Markdown). */
  readonly summary: string;
  /** The Vault API paths of one object, `MOUNT` and `NAME` for its mount and name: `auth/MOUNT/role/NAME`. */
  readonly api: readonly string[];
  /** A minimal config (one YAML file) declaring one object of this kind; a unit test runs it through `validate`. */
  readonly example: string;
  /** Vault's value of a field nobody sets, where the schema states none (dotted for nested fields: `tune.listing_visibility`). */
  readonly defaults?: Readonly<Settings>;
  /** Settings of sample objects whose destroyNote differs (a secrets mount's type); default: one sample without settings. */
  readonly destroySamples?: readonly Settings[];
  /** Kinds without a placement (the mounts): the section whose entries they are, and one entry's schema. */
  readonly section?: { readonly in: 'auth' | 'secrets'; readonly schema: TSchema; readonly description: string };
  /** A hand-written page for the walk-through and the why, relative to docs/ (`kinds/jwt-oidc.md`). */
  readonly guide?: string;
}

/** What an export writes besides the config values. */
export interface ExportOutput {
  /** Extra files by path relative to the export directory (confined to it when written). */
  files: Record<string, string>;
  /** One line each, shown on stderr. */
  warnings: string[];
}

/** What a kind's `check` gets: its placed entries and a way to report problems at their source. */
export interface CheckContext {
  readonly config: Config;
  /** The YAML position of a config path: the key (`at: 'key'`) or its value (default). */
  pos(path: readonly string[], at?: 'key' | 'value'): SourcePos | undefined;
  /** The YAML position of line:col (1-based) inside the text of a string value (an embedded HCL document). */
  posIn(path: readonly string[], line: number, col: number): SourcePos | undefined;
  /** True when the schema already reported something at or under the path (skip it). */
  broken(path: readonly string[]): boolean;
  /** A value for a message: a value that came from a variable is named by its reference, never shown. */
  shown(path: readonly string[], value: unknown, format?: (v: unknown) => string): string;
  /** Reports at the path's value (default), its key, or a position of its own (an item of a list). */
  error(path: readonly string[], message: string, hint?: string, at?: 'key' | 'value' | SourcePos): void;
  warn(path: readonly string[], message: string, hint?: string, at?: 'key' | 'value' | SourcePos): void;
}

/**
 * An object a change needs to exist when it is written, which Vault refuses the write without (a
 * member group, the auth mount of a group alias). Plan resolves every one against the config and the
 * live read before the first write (src/core/plan/preflight.ts); a declared one is also a dependency.
 */
export interface Reference {
  /** The address of the object whose write needs it. */
  readonly from: Address;
  /** The address and kind of what it names. */
  readonly to: Address;
  readonly kind: KindName;
  /** Where the config names it: the error's position. */
  readonly path: readonly string[];
  /** What it names, for messages: `member group ops`, `auth mount github`. */
  readonly what: string;
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
  /**
   * Its changes run one at a time with no other change in flight: creates and updates before all
   * others, deletes after all others. For a table whose change fails Vault's requests in flight
   * (enabling an audit device does). Such objects may not depend on others.
   */
  readonly writesAlone?: boolean;
  /**
   * Its objects exist only in the root namespace: the server refuses them inside one (OpenBao answers
   * its paths there with 400 "operation unavailable in namespaces"). A config whose `namespace:` names
   * one may not declare or prune them: `validate` says so at the object (core/check/config-root-only.ts).
   */
  readonly rootOnly?: boolean;
  /** Fields whose values are never shown (masked) and never compared by value. */
  readonly sensitiveFields: readonly string[];
  /**
   * Whether a changed value of a write-only field (seen through its recorded hash) is a change to
   * apply; default yes. No when the live value no longer is the declared one by design (a database
   * root password Vault rotated).
   */
  secretApplies?(settings: Settings, field: string): boolean;
  /** Fields whose change is security-relevant (shown first in plans). */
  readonly securityFields: readonly string[];
  /** True when the object can be deleted by prune / state (mount-internal singletons can't). */
  readonly deletable: boolean;
  /** Where its objects are declared; absent only for the mount kinds (the auth / secrets sections themselves). */
  readonly placement?: Placement;
  /** `destroys[].code` of a destructive delete (see destroyNote); default the kind's name. */
  readonly destroyCode?: string;
  /** For the generated reference (docs/reference/); every registered kind has it (a unit test checks). */
  readonly docs?: KindDocs;

  /** The objects of this kind the config declares. */
  desired(config: Config): DesiredObject[];
  /** LIST + GET the live objects of this kind in the scope (only mounts the config or prune touch). */
  readLive(vault: VaultPort, scope: ReadScope): Promise<LiveObject[]>;
  /** Brings declared settings into the comparable shape (TTLs → seconds, sets sorted, ...). */
  normalise(settings: Settings): Settings;
  /** Vault's own objects of this kind (the root and default policies): never unmanaged, never deleted. */
  builtIn?(obj: LiveObject): boolean;
  /**
   * Creates the object. `password` is set for password-mode credential kinds. Resolves to the new
   * object's identity when the create itself fixed it (an AppRole role_id sent in the request), so
   * apply records it without reading it back; otherwise `identify` reads it after apply.
   */
  create(ctx: ApplyContext, obj: DesiredObject, password?: string): Promise<string | void>;
  /** Makes the live object match; `fields` are the names that differ. */
  update(ctx: ApplyContext, obj: DesiredObject, fields: string[]): Promise<void>;
  delete(ctx: ApplyContext, obj: LiveObject): Promise<void>;
  /**
   * The Vault API paths this kind reads (plan) and writes (apply) for the config, for
   * `policy-for`. Must list every path readLive, create/update/delete and credentials touch.
   */
  access(config: Config): KindAccess;
  /**
   * The live identity of one object (a mount's accessor, an AppRole's role_id, a CA's serial), or
   * undefined when it is not in Vault. The state record keeps it, and a removed object is deleted only
   * while Vault still shows the same identity. Kinds without one (policies, users) leave this out.
   */
  identify?(vault: VaultPort, obj: Pick<LiveObject, 'address' | 'mount' | 'name'>): Promise<string | undefined>;
  /**
   * Live → the object's value in an exported config (Vault's defaults and secrets left out), or
   * undefined when it is not exported. `all` is every live object read (to check references);
   * `out` takes extra files (a policy's HCL) and warnings. Core places the value where the
   * placement says (kinds without a placement, the mounts, at `section.MOUNT`).
   */
  export?(obj: LiveObject, all: readonly LiveObject[], out: ExportOutput): Settings | undefined;
  /** Cross-reference and semantic checks after schema validation; report through ctx (file:line:col). */
  check?(ctx: CheckContext): void;
  /** What its objects' writes need to exist (see Reference): checked at plan time against the live server. */
  references?(config: Config): Reference[];
  /**
   * When deleting this live object is destructive (data, keys or tokens are lost), what is lost, one
   * line; the plan lists it under destroys and apply needs --allow-destroy. Undefined: an ordinary delete.
   */
  destroyNote?(obj: LiveObject): string | undefined;
  /**
   * When its objects carry policies (a role, a user, a team map, an identity group): the object as a
   * principal, for `access` and the plan's access changes. Undefined for an object that binds none.
   */
  principal?(obj: PrincipalSource): Principal | undefined;
  /**
   * Trust outside policies that its objects decide (a JWT key source, an audit device's destination):
   * a change of one of `fields` is listed in the plan's access changes; with `object`, so are its
   * objects' creation and deletion.
   */
  readonly trust?: { readonly subject: string; readonly fields: readonly string[]; readonly object?: boolean };
  /**
   * When an update is as dangerous as a destroy, what it loses or exposes, one line: it replaces what
   * cannot be had back (a re-signed intermediate CA's key), or sends a secret Vault holds to a place
   * the change names (a database connection moved to another host). The plan lists it under destroys
   * (code destroyCode) and apply needs --allow-destroy. `fields`: the update's field changes.
   */
  updateDestroyNote?(obj: LiveObject, fields: readonly FieldChange[]): string | undefined;
  /** Present on kinds that generate credentials (userpass users, AppRoles). */
  readonly credentials?: CredentialCapability;
}

/** A credential delivered to a sink, as the planner sees it (no values). */
export type CredentialStatus =
  /** `note`: an in-sync state worth telling apart (a one-time credential waiting, or used up). */
  | { state: 'ok'; note?: string }
  /** `security`: the state may mean someone else took the credential (shown with the security changes). */
  /** `adopt`: a destination without our mark that the sink says to take over (`adopt: true`). */
  | { state: 'missing' | 'stale' | 'pending' | 'rotate' | 'adopt' | 'not-owned' | 'unreachable'; reason: string; security?: boolean }
  /** The delivered credential is fine, but other credentials this tool issued are live and held by nobody. */
  | { state: 'orphaned'; reason: string; accessors: string[] };

/**
 * Kinds whose objects carry generated credentials.
 * - `password`: we generate it; the sink gets it first (marked pending), then Vault, then the mark is cleared.
 * - `secret-id`: Vault issues it; the sink gets it, and only then is the previous one destroyed.
 */
export interface CredentialCapability {
  readonly mode: 'password' | 'secret-id';
  /** Names of the values delivered, for plan lines: `password`, `role_id + secret_id`. */
  readonly label: string;
  /** password mode: sets the password of an existing object. */
  setPassword?(ctx: ApplyContext, obj: DesiredObject, password: string): Promise<void>;
  /** secret-id mode: issues new values; `identity` is the one `create` just returned, if any (saves reading it). */
  issue?(ctx: ApplyContext, obj: DesiredObject, identity?: string): Promise<{ values: Record<string, string>; accessor?: string; wrapExpiresAt?: string }>;
  /**
   * secret-id mode: destroys a previous secret_id by accessor. Only a definite not-found counts as
   * already gone; any other failure throws (the next run retries).
   */
  revoke?(ctx: ApplyContext, obj: DesiredObject, accessor: string): Promise<void>;
  /**
   * secret-id mode: accessors of the live credentials this tool issued for the object (found by the
   * mark it puts on what it issues) other than `keepAccessor`: held by nobody once `keepAccessor` is
   * the delivered one.
   */
  orphans?(vault: VaultPort, obj: DesiredObject, keepAccessor: string): Promise<string[]>;
  /**
   * secret-id mode: accessors of the live credentials of the object this tool did not issue (made
   * by hand, or by another tool). Never destroyed: reported when a destination is adopted, since the
   * foreign copy that held one is overwritten.
   */
  unissued?(vault: VaultPort, obj: DesiredObject): Promise<string[]>;
  /**
   * Checks delivered values (and the metadata recorded beside them) against Vault: secret_id still
   * valid, role_id unchanged; `accessor` is the delivered secret_id's. `note` names an in-sync state
   * worth showing (a one-time secret_id used up); `security` marks an invalid one that may be stolen.
   */
  verify?(vault: VaultPort, obj: DesiredObject, values: Record<string, string>, meta?: CredentialMeta): Promise<CredentialVerdict>;
}

export interface CredentialVerdict {
  valid: boolean;
  reason?: string;
  expiresAt?: string;
  accessor?: string;
  note?: string;
  security?: boolean;
}

const REISSUE_STATES: ReadonlySet<CredentialStatus['state']> = new Set(['missing', 'stale', 'pending', 'rotate', 'adopt']);

/** Whether apply issues new credentials for an existing object in this state. */
export function reissues(s: CredentialStatus | undefined): boolean {
  return s !== undefined && REISSUE_STATES.has(s.state);
}

export function statusReason(s: CredentialStatus): string {
  return s.state === 'ok' ? (s.note ?? 'delivered') : s.reason;
}
