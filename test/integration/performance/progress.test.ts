import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { cli, configDir, uniq } from '../helpers/cli.js';

const id = uniq('pg');
const N = 310;
const files = {
  'policies.yaml': ['policies:', ...Array.from({ length: N }, (_, i) => `  ${id}-${i}: { policy: 'path "secret/data/${id}/${i}" { capabilities = ["read"] }' }`)].join('\n'),
};

describe('progress on long runs', () => {
  it('apply and plan of more than a few hundred objects report progress on stderr; stdout stays the plan', async () => {
    const dir = await configDir(files);
    const apply = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toMatch(new RegExp(`reading Vault \\d[\\d,]*/${N} objects, \\d[\\d,]*/s`));
    expect(apply.stderr).toMatch(new RegExp(`applying ${N}/${N} changes, \\d[\\d,]*/s`));
    expect(apply.stdout).not.toMatch(/reading Vault|applying \d/);

    const plan = await cli(['plan', '-c', dir, '-o', 'json'], { cwd: dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toContain(`reading Vault ${N}/${N} objects`);
    const parsed = JSON.parse(plan.stdout) as Plan;
    expect(parsed.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(parsed.changes.length).toBe(N);
  });
});
