import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/core/model.js';
import type { Output } from '../../../src/cli/output.js';
import { forEachTenant, type Tenant } from '../../../src/cli/tenants.js';

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
});
