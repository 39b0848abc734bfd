// The layer rule (.dependency-cruiser.mjs, run by `npm run lint`) must fail on what it forbids.
// It runs here, exactly as lint runs it, on small trees written to a temporary directory: one with a
// violation of each kind, one that keeps every rule.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = join(root, '.dependency-cruiser.mjs');
const dirs: string[] = [];
// The cruiser starts a Node process and parses TypeScript: seconds on a busy machine, never a minute.

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Writes `files` (path → source) under a fresh directory and runs the rule there as lint does. */
async function cruise(files: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'layers-'));
  dirs.push(dir);
  const tsconfig = { compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src/**/*.ts'] };
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return new Promise((resolve) => {
    execFile(process.execPath, [depcruise, '--config', config, '--output-type', 'err-long', 'src'], { cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

/** `rule: from → to` of each violation in the report (a cycle: its first step), sorted. */
function violations(out: string): string[] {
  return [...out.matchAll(/error (\S+): (\S+) →\s+(\S+)/g)].map((m) => `${m[1]}: ${m[2]} → ${m[3]}`).sort();
}

describe('layer rule (npm run lint)', () => {
  it('fails on an upward import from each floor (type-only ones too), a cycle, an unresolvable import and an import of tests', async () => {
    const { code, out } = await cruise({
      'src/core/model.ts': "export type Id = string;\n",
      // core → adapters, as a type only (core declares ports instead)
      'src/core/engine.ts': "import type { Client } from '../adapters/client.js';\nexport type E = Client;\n",
      'src/adapters/client.ts': "import type { Id } from '../core/model.js';\nexport interface Client { id: Id }\n",
      // adapters → kinds
      'src/adapters/files.ts': "import { kind } from '../kinds/policy.js';\nexport const f = kind;\n",
      // kinds → render, credentials → cli
      'src/kinds/policy.ts': "import { title } from '../render/common.js';\nexport const kind = title;\n",
      'src/credentials/sink.ts': "import { main } from '../cli/main.js';\nexport const s = main;\n",
      // render → cli
      'src/render/common.ts': "import { main } from '../cli/main.js';\nexport const title = String(main);\n",
      'src/cli/main.ts': 'export const main = 1;\n',
      // a cycle on one floor
      'src/render/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/render/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      // an import that resolves nowhere would hide from every rule
      'src/core/lost.ts': "import { x } from './missing.js';\nexport const y = x;\n",
      // src never reaches into the tests
      'src/cli/debug.ts': "import { helper } from '../../test/helper.js';\nexport const d = helper;\n",
      'test/helper.ts': 'export const helper = 1;\n',
    });
    expect(code).not.toBe(0);
    expect(violations(out)).toEqual([
      'no-cycles: src/render/a.ts → src/render/b.ts',
      'no-outside-src: src/cli/debug.ts → test/helper.ts',
      'no-unresolvable: src/core/lost.ts → ./missing.js',
      'no-upward-from-adapters: src/adapters/files.ts → src/kinds/policy.ts',
      'no-upward-from-core: src/core/engine.ts → src/adapters/client.ts',
      'no-upward-from-kinds-credentials-publish: src/credentials/sink.ts → src/cli/main.ts',
      'no-upward-from-kinds-credentials-publish: src/kinds/policy.ts → src/render/common.ts',
      'no-upward-from-render: src/render/common.ts → src/cli/main.ts',
    ]);
  }, 60_000);

  it('passes a tree whose imports all point down or stay on their floor', async () => {
    const { code, out } = await cruise({
      'src/core/ports.ts': 'export interface Port { read(): string }\n',
      'src/adapters/client.ts': "import type { Port } from '../core/ports.js';\nexport class Client implements Port { read() { return 'x'; } }\n",
      'src/credentials/sink.ts': "import { Client } from '../adapters/client.js';\nexport const sink = new Client();\n",
      'src/kinds/policy.ts': "import { sink } from '../credentials/sink.js';\nexport const kind = sink;\n",
      'src/render/text.ts': "import { kind } from '../kinds/policy.js';\nexport const text = String(kind);\n",
      'src/cli/main.ts': "import { text } from '../render/text.js';\nimport type { Port } from '../core/ports.js';\nexport const main: Port | string = text;\n",
    });
    expect(out).toContain('no dependency violations found');
    expect(code).toBe(0);
  }, 60_000);
  it("fails inside core when a stage imports a later one, a contract imports a stage, or a folder is no stage", async () => {
    const { code, out } = await cruise({
      'src/core/model.ts': 'export type Id = string;\n',
      // contract → stage
      'src/core/kind.ts': "import { planIt } from './plan/plan.js';\nexport const k = planIt;\n",
      'src/core/common/ttl.ts': "import type { Id } from '../model.js';\nexport const ttl = (i: Id) => i.length;\n",
      // check → plan (later), type-only
      'src/core/check/validate.ts': "import type { P } from '../plan/plan.js';\nexport const v = (p: P) => p;\n",
      // config → state (later)
      'src/core/config/load.ts': "import { record } from '../state/state.js';\nexport const load = record;\n",
      'src/core/plan/plan.ts': "import { ttl } from '../common/ttl.js';\nexport type P = number;\nexport const planIt = ttl;\n",
      // state → apply (earlier): allowed
      'src/core/apply/apply.ts': "import { planIt } from '../plan/plan.js';\nexport const apply = planIt;\n",
      'src/core/state/state.ts': "import { apply } from '../apply/apply.js';\nexport const record = apply;\n",
      // a folder that is no stage
      'src/core/misc/x.ts': "import type { Id } from '../model.js';\nexport const x = (i: Id) => i;\n",
    });
    expect(code).not.toBe(0);
    expect(violations(out)).toEqual([
      'no-later-stage-from-core-check: src/core/check/validate.ts → src/core/plan/plan.ts',
      'no-later-stage-from-core-config: src/core/config/load.ts → src/core/state/state.ts',
      'no-stage-from-core-contracts: src/core/kind.ts → src/core/plan/plan.ts',
      'no-unknown-core-folder: src/core/misc/x.ts → src/core/model.ts',
    ]);
  }, 60_000);
});
