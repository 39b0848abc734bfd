// Loads config files written into a fresh temporary directory: `loadFiles({ 'c.yaml': text })`.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { Kind } from '../../../src/core/kind.js';
import type { Config, DesiredObject } from '../../../src/core/model.js';
import { loadConfig, type LoadOptions } from '../../../src/core/check/load.js';
import { KINDS } from '../../../src/kinds/registry.js';

let root: string | undefined;
let n = 0;

export function loadFiles(files: Record<string, string>, opts: LoadOptions = {}, kinds: readonly Kind[] = KINDS) {
  if (root === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'vault-gitops-load-'));
    root = dir;
    // Registered in the describe of the first call: a later describe of the file starts a new root.
    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
      root = undefined;
    });
  }
  const dir = join(root, String(n++));
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { ...loadConfig([dir], kinds, { env: {}, ...opts }), dir };
}

/** The objects of one kind the config declares (in one mount), by name: their settings and credentials. */
export function objectsOf(config: Config, kind: string, mount?: string): Record<string, Pick<DesiredObject, 'settings' | 'credentials'>> {
  const ofKind = KINDS.find((k) => k.name === kind)!.desired(config).filter((d) => mount === undefined || d.mount === mount);
  return Object.fromEntries(ofKind.map((d) => [d.name, { settings: d.settings, ...(d.credentials ? { credentials: d.credentials } : {}) }]));
}
