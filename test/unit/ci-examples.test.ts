import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/program.js';

const dir = new URL('../../config-examples/ci/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const program = buildProgram(() => undefined);

/** Every `vault-gitops <command> --flags` line in the example pipelines, split into words. */
function invocations(text: string): string[][] {
  return [...text.matchAll(/vault-gitops (validate|plan|apply|drift|snapshot|export)([^\n|>;&]*)/g)].map((m) => [m[1]!, ...m[2]!.trim().split(/\s+/).filter(Boolean)]);
}

describe('config-examples/ci', () => {
  it('has a GitHub Actions workflow and a GitLab CI file that parse as YAML', () => {
    expect(files.sort()).toEqual(['github-actions.yaml', 'gitlab-ci.yaml']);
    const gh = parse(readFileSync(new URL('github-actions.yaml', dir), 'utf8')) as { jobs: Record<string, unknown> };
    expect(Object.keys(gh.jobs).sort()).toEqual(['apply', 'drift', 'plan']);
    const gl = parse(readFileSync(new URL('gitlab-ci.yaml', dir), 'utf8')) as Record<string, unknown>;
    for (const job of ['plan', 'apply', 'drift']) expect(gl).toHaveProperty(job);
  });

  it.each(files)('%s only uses commands and flags the CLI has', (file) => {
    const calls = invocations(readFileSync(new URL(file, dir), 'utf8'));
    expect(calls.map((c) => c[0])).toEqual(expect.arrayContaining(['validate', 'plan', 'apply', 'drift', 'snapshot']));
    for (const [name, ...words] of calls) {
      const cmd = program.commands.find((c) => c.name() === name);
      expect(cmd, name).toBeDefined();
      const known = new Set(cmd!.options.flatMap((o) => [o.long, o.short]).filter(Boolean));
      for (const w of words.filter((x) => x.startsWith('-') && x !== '-c')) expect(known.has(w), `${name} ${w}`).toBe(true);
      if (name === 'snapshot') expect(words).toContain('--out');
    }
  });
});
