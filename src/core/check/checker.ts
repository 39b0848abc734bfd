// The Checker: where a config path is in the YAML, what the schema already reported, and the
// diagnostics found after it; plus the value check every placed object gets (CIDRs; durations are
// the schema's, by their type).
// Kinds see it through a CheckContext (core/kind.ts).
import { parseCidr } from '../common/cidr.js';
import type { CheckContext } from '../kind.js';
import type { Layer } from '../config/layering.js';
import type { Config, Diagnostic, SourcePos } from '../model.js';
import { describeAt } from './schema-diagnostics.js';
import { dotted, posInScalar, type Json, type SourceEntry, type SourceFile } from '../config/yaml-tree.js';

export class Checker {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  /** Every failed path and each of its ancestors. */
  private readonly failedOrAbove = new Set<string>();
  /** Where credential file paths resolve (--sink-root). */
  sinkRoot = process.cwd();
  /** The S3 destinations the environment allows (VAULT_GITOPS_S3_ALLOW; core/common/s3-destinations.ts). */
  s3Allow: string | undefined;

  constructor(
    readonly layer: Layer,
    readonly sources: Map<string, SourceFile>,
    failed: Set<string>,
  ) {
    for (const f of failed) {
      this.failedOrAbove.add(f);
      for (let i = f.indexOf('.'); i >= 0; i = f.indexOf('.', i + 1)) this.failedOrAbove.add(f.slice(0, i));
    }
  }

  entry(path: string[]): SourceEntry | undefined {
    return this.layer.index.get(dotted(path));
  }
  keyPos(path: string[]): SourcePos | undefined {
    const e = this.entry(path);
    return e?.key ?? e?.pos;
  }
  valuePos(path: string[]): SourcePos | undefined {
    return this.entry(path)?.pos ?? this.keyPos(path);
  }
  error(path: string[], pos: SourcePos | undefined, message: string, hint?: string): void {
    this.errors.push({ severity: 'error', pos, path: dotted(path), message, ...(hint ? { hint } : {}) });
  }
  warn(path: string[], pos: SourcePos | undefined, message: string, hint?: string): void {
    this.warnings.push({ severity: 'warning', pos, path: dotted(path), message, ...(hint ? { hint } : {}) });
  }
  /** A value for a message (never a variable's value: see describeAt). */
  shown(path: string[], v: unknown, format: (v: unknown) => string = (x) => JSON.stringify(x)): string {
    return this.entry(path)?.refs ? describeAt(this.layer, path, v) : format(v);
  }
  /** True when the schema already reported something at or under this path. */
  broken(path: string[]): boolean {
    return this.failedOrAbove.has(dotted(path));
  }

  /** Every field of `fields` (those the schema types as CIDRs): IPv4/IPv6 addresses or CIDR blocks, as Vault parses bound CIDRs (cidr.ts). */
  checkCidrs(settings: Json, path: string[], fields: ReadonlySet<string>): void {
    for (const [k, v] of Object.entries(settings)) {
      if (!fields.has(k) || this.broken([...path, k])) continue;
      const items: Array<{ text: string; at: string[] }> = [];
      if (typeof v === 'string') for (const t of v.split(',')) items.push({ text: t, at: [...path, k] });
      else if (Array.isArray(v)) v.forEach((t, i) => typeof t === 'string' && items.push({ text: t, at: [...path, k, String(i)] }));
      for (const { text, at } of items) {
        if (typeof v === 'string' && text.trim() === '') continue;
        const r = parseCidr(text);
        if (r.ok && !r.hostBits) continue;
        const shown = this.entry(at)?.refs ? describeAt(this.layer, at, text) : `\`${text.trim()}\``;
        if (!r.ok) this.error(at, this.valuePos(at), `CIDR ${shown} ${r.problem}`, 'write an address (10.0.0.1, 2001:db8::1) or a CIDR block (10.0.0.0/8, 2001:db8::/32)');
        else if (r.hostBits) this.warn(at, this.valuePos(at), `CIDR ${shown} has host bits set: Vault matches it as ${r.network}`, `write ${r.network}`);
      }
    }
  }
}

/** The Checker as a kind sees it. */
export function checkContext(c: Checker, config: Config): CheckContext {
  const pos = (path: readonly string[], at: 'key' | 'value' = 'value') => (at === 'key' ? c.keyPos([...path]) : c.valuePos([...path]));
  const where = (path: readonly string[], at: 'key' | 'value' | SourcePos | undefined) => (typeof at === 'object' ? at : pos(path, at));
  return {
    config,
    pos,
    posIn: (path, line, col) => {
      const entry = c.entry([...path]);
      const src = entry ? c.sources.get(entry.pos.file) : undefined;
      return entry && src ? posInScalar(src, entry, line, col) : c.valuePos([...path]);
    },
    broken: (path) => c.broken([...path]),
    shown: (path, v, format) => c.shown([...path], v, format),
    error: (path, message, hint, at) => c.error([...path], where(path, at), message, hint),
    warn: (path, message, hint, at) => c.warn([...path], where(path, at), message, hint),
  };
}
