// Escaping for each place a plan value lands in a markdown comment: inline text, a table cell, raw
// HTML, a fenced block.
import { sanitize } from './common.js';

/** A fenced code block whose fence is longer than any backtick run inside it. */
export function fence(lang: string, lines: string[]): string[] {
  const safe = lines.map((l) => sanitize(l, true));
  const longest = Math.max(0, ...safe.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))));
  const marks = '`'.repeat(Math.max(3, longest + 1));
  return [`${marks}${lang}`, ...safe, marks];
}

/** Inline markdown text: markdown punctuation backslash-escaped (`|` and backticks included). */
export function mdText(text: string): string {
  return sanitize(text).replace(/[\\`*_[\]<>|~&#!]/g, (ch) => `\\${ch}`);
}

/** A table cell: inline text on one line. */
export function mdCell(text: string): string {
  return mdText(text.replace(/\r?\n/g, ' '));
}

/** Text inside raw HTML (the <summary> line). */
export function html(text: string): string {
  return sanitize(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/`/g, '&#96;')
    .replace(/\|/g, '&#124;');
}
