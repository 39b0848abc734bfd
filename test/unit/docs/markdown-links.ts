// Relative links in the project's Markdown: every target file exists and every `#anchor` into a
// Markdown file names one of its headings (GitHub's slugs). Web links (http:, mailto:, …) are not
// followed. Used by links.test.ts and by the bench's report test.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface Link {
  target: string;
  line: number;
}

/** The lines of `text` outside fenced code blocks (``` or ~~~), with their 1-based numbers. */
function prose(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(```|~~~)/.exec(line);
    if (m) fence = fence === undefined ? m[1] : fence === m[1] ? undefined : fence;
    else if (fence === undefined) out.push([line, i + 1]);
  });
  return out;
}

/** `[text](target)` and `![alt](target)` outside code blocks and code spans. */
export function markdownLinks(text: string): Link[] {
  const links: Link[] = [];
  for (const [raw, line] of prose(text)) {
    const plain = raw.replace(/`[^`]*`/g, '``');
    for (const m of plain.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ target: m[1]!, line });
  }
  return links;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Every anchor a Markdown file has: its headings' slugs (repeats get -1, -2, …) and `<a id|name="…">`. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [line] of prose(text)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(a[1]!);
  }
  return out;
}

/** README.md and every Markdown file under docs/, as paths relative to `root`. */
export function projectMarkdown(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir))
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        if (statSync(join(root, path)).isDirectory()) return walk(path);
        return name.endsWith('.md') ? [path] : [];
      });
  return ['README.md', ...(existsSync(join(root, 'docs')) ? walk('docs') : [])];
}

/** The generated reference (docs/reference/) is another change's: links into it count once its index exists. */
const referencePending = (root: string, path: string) => path.startsWith(join(root, 'docs/reference') + '/') && !existsSync(join(root, 'docs/reference/README.md'));

/**
 * The broken relative links of `text`, which is (or will be) the file `file` under `root`:
 * `file:line: target: why` for each.
 */
export function brokenLinks(root: string, file: string, text: string): string[] {
  const problems: string[] = [];
  for (const { target, line } of markdownLinks(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    const [pathPart, fragment] = target.split('#', 2) as [string, string | undefined];
    const path = pathPart === '' ? resolve(root, file) : resolve(root, dirname(file), decodeURIComponent(pathPart));
    const where = `${file}:${line}: ${target}`;
    if (referencePending(root, path)) continue;
    if (relative(root, path).startsWith('..')) {
      problems.push(`${where}: leaves the repository`);
      continue;
    }
    if (pathPart !== '' && !existsSync(path)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (fragment === undefined || fragment === '' || !path.endsWith('.md')) continue;
    const body = path === resolve(root, file) ? text : readFileSync(path, 'utf8');
    if (!anchors(body).has(fragment)) problems.push(`${where}: no heading with anchor #${fragment} in ${relative(root, path)}`);
  }
  return problems;
}
