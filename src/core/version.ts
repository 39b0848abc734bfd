import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package's version, from src/core, dist/src/core or the bundle in dist/bin. */
function findVersion(): string {
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = require(rel) as { name?: string; version?: string };
      if (pkg.name === 'vault-gitops' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next layout
    }
  }
  return '0.0.0';
}

export const TOOL_VERSION = findVersion();
