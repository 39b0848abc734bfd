// Caps on what a config may make the loader do. A config comes from pull requests: without them a
// few lines of YAML aliases expand to billions of values (minutes of CPU, gigabytes of memory).

export interface InputLimits {
  /** Bytes per config or variable file. */
  maxFileBytes: number;
  /** Bytes of all config files together. */
  maxTotalBytes: number;
  /** Alias nodes (`*name`) per file. */
  maxAliases: number;
  /** Values produced by expanding aliases, per file. */
  maxAliasValues: number;
  /** Nesting depth of mappings and lists. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: InputLimits = {
  maxFileBytes: 4 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
  maxAliases: 100,
  maxAliasValues: 10_000,
  maxDepth: 32,
};

/** `4 MiB`, `512 KiB`, `100 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
