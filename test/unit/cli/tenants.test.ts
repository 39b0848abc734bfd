import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/core/model.js';
import type { Output } from '../../../src/cli/output.js';
import { ConfigError } from '../../../src/core/errors.js';
import { forEachTenant, loadTenants, runTenants, type Tenant } from '../../../src/cli/tenants.js';

const tenant = (ns: string): Tenant => ({
  dir: `tenants/${ns}`,
  loaded: { config: { tree: { namespace: ns }, sources: new Map(), policies: {}, auth: {}, secrets: {}, prune: [] } as Config, desired: [], warnings: [] },
});

function capture(): Output & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { out: (t) => lines.push(t), err: (t) => errors.push(t), color: false, debug: false, lines, errors };
}

/** A promise settled from outside: the test decides the order tenants finish in. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('forEachTenant', () => {
  it("prints each tenant's output whole and in the directories' order, whatever order they finish in", async () => {
    const io = capture();
    const gates = [gate(), gate(), gate()];
    const run = forEachTenant([tenant('a'), tenant('b'), tenant('c')], io, async (t, out) => {
      const i = ['a', 'b', 'c'].indexOf(t.dir.slice(-1));
      out.out(`plan of ${t.dir}`);
      await gates[i]!.wait;
      return i;
    });
    gates[2]!.open();
    gates[1]!.open();
    gates[0]!.open();
    expect(await run).toEqual([0, 1, 2]);
    expect(io.lines).toEqual(['\n=== a (tenants/a)', 'plan of tenants/a', '\n=== b (tenants/b)', 'plan of tenants/b', '\n=== c (tenants/c)', 'plan of tenants/c']);
  });

  it('a failing tenant does not stop the others; the run fails at the end naming it', async () => {
    const io = capture();
    const done: string[] = [];
    const run = forEachTenant([tenant('a'), tenant('b'), tenant('c')], io, async (t) => {
      if (t.dir.endsWith('b')) throw new Error('permission denied');
      done.push(t.dir);
    });
    await expect(run).rejects.toThrow('1 of 3 tenants failed: tenants/b');
    expect(done).toEqual(['tenants/a', 'tenants/c']);
    expect(io.lines).toContain('error: permission denied');
  });

  it('without printing (JSON or markdown output): each result or error kept for the document, errors on stderr, a config mistake at its position', async () => {
    const io = capture();
    const mistake = new ConfigError([{ severity: 'error', pos: { file: 'tenants/b/vault.yaml', line: 1, col: 1 }, path: 'namespace', message: 'namespace b does not exist on this server', hint: 'create it first' }]);
    const results = await runTenants([tenant('a'), tenant('b')], io, async (t, out) => {
      out.out('a text plan nobody asked for');
      if (t.dir.endsWith('b')) throw mistake;
      return 1;
    }, false);
    expect(results).toEqual([
      { dir: 'tenants/a', namespace: 'a', result: 1 },
      { dir: 'tenants/b', namespace: 'b', error: expect.stringMatching(/^tenants\/b\/vault\.yaml:1:1: error: namespace: namespace b does not exist on this server/) },
    ]);
    expect(io.lines).toEqual([]);
    expect(io.errors).toEqual([expect.stringMatching(/^tenants\/b: error: tenants\/b\/vault\.yaml:1:1: error: namespace: /)]);
  });
});

describe('loadTenants', () => {
  it("prints each tenant config's warnings at their position, as the platform config's are", () => {
    const root = mkdtempSync(join(tmpdir(), 'tenants-'));
    mkdirSync(join(root, 'a'));
    mkdirSync(join(root, 'b'));
    writeFileSync(join(root, 'a', 'vault.yaml'), 'namespace: a\nidentity:\n  groups:\n    ops: { type: internal, member_groups: [elsewhere] }\n');
    writeFileSync(join(root, 'b', 'vault.yaml'), 'namespace: b\npolicies:\n  app: { policy: \'path "kv/*" { capabilities = ["read"] }\' }\n');
    const io = capture();
    const tenants = loadTenants(root, {}, io);
    expect(tenants.map((t) => t.dir)).toEqual([join(root, 'a'), join(root, 'b')]);
    expect(io.errors).toHaveLength(1);
    expect(io.errors[0]).toContain(`${join(root, 'a', 'vault.yaml')}:4:43: warning:`);
    expect(io.errors[0]).toContain('member group elsewhere is not declared');
  });
});
