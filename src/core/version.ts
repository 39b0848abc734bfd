import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function findVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      return (require(rel) as { version: string }).version;
    } catch {
      // try the next layout (src/ vs dist/src/)
    }
  }
  return '0.0.0';
}

export const TOOL_VERSION = findVersion();
