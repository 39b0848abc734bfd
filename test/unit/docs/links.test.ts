import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchors, brokenLinks, markdownLinks, projectMarkdown, slug } from './markdown-links.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const files = projectMarkdown(root);

describe('links in README.md and docs/', () => {
  it.each(files)('%s: every relative link names a file that exists (and a heading there)', (file) => {
    expect(brokenLinks(root, file, readFileSync(`${root}/${file}`, 'utf8'))).toEqual([]);
  });

  it('README.md stays short and links to every section that moved out of it (issue 20)', () => {
    const readme = readFileSync(`${root}/README.md`, 'utf8');
    expect(readme.split('\n').length).toBeLessThan(250);
    const moved: Record<string, string[]> = {
      'docs/config.md': ['The config format', 'Kinds', 'Variables and limits', 'Paths and files'],
      'docs/credentials.md': ['Generated credentials', 'Credential formats (consumers)'],
      'docs/kubernetes.md': ['Kubernetes Secrets', 'CA bundles in every namespace'],
      'docs/commands.md': ['Commands', 'Logging in'],
      'docs/ci.md': [
        'In CI: saved plans, ownership state, locking',
        'Drift detection',
        'Pipelines',
        'Adopting an existing Vault, and offline plans',
        'Saved plans',
        'Ownership state',
        'Destructive changes and the state record',
        'Locking',
      ],
      'docs/operations.md': ['Talking to Vault: retries, timeouts, limits', 'Faults: locks, signals, orphaned credentials', 'Fault suite and HA cluster'],
      'docs/security.md': ['Security model', 'Least privilege'],
      'docs/performance.md': ['Performance'],
      'docs/development.md': ['Tests', 'Architecture'],
    };
    const targets = new Set(markdownLinks(readme).map((l) => l.target));
    for (const [file, headings] of Object.entries(moved)) {
      const there = anchors(readFileSync(`${root}/${file}`, 'utf8'));
      for (const heading of headings) {
        // The heading text is still in the file (so a search for it finds the section), and the README links to it.
        expect(there, `${file} has "${heading}"`).toContain(slug(heading));
        expect(targets, `README links to ${file}#${slug(heading)}`).toContain(`${file}#${slug(heading)}`);
      }
    }
  });
});

describe('the link check itself', () => {
  it("makes GitHub's anchors, skips code and web links, and finds a missing file or heading", () => {
    expect(slug('Talking to Vault: retries, timeouts, limits')).toBe('talking-to-vault-retries-timeouts-limits');
    expect(slug('Credential formats (consumers)')).toBe('credential-formats-consumers');
    expect(slug('Walkthrough: PKI roles (`src/kinds/pki/pki-role.ts`)')).toBe('walkthrough-pki-roles-srckindspkipki-rolets');
    expect([...anchors('# A\n```\n# not a heading\n```\n## A\n')]).toEqual(['a', 'a-1']);
    const text = ['# Top', '[ok](#top) [web](https://example.com) `[code](nowhere.md)`', '[gone](nowhere.md) [bad](README.md#no-such-heading)', '```', '[in a block](nowhere.md)', '```'].join('\n');
    expect(brokenLinks(root, 'docs/x.md', text)).toEqual([
      'docs/x.md:3: nowhere.md: no such file',
      'docs/x.md:3: README.md#no-such-heading: no such file',
    ]);
    expect(brokenLinks(root, 'x.md', '[bad](README.md#no-such-heading)')).toEqual(['x.md:1: README.md#no-such-heading: no heading with anchor #no-such-heading in README.md']);
  });
});
