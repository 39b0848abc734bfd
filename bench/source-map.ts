/**
 * Which source file a position in a bundled file (dist/bin) comes from, read from esbuild's external
 * source map: enough to attribute CPU-profile samples to modules again. Only the mapping's source
 * index is decoded (base64 VLQ, as the source map format defines it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeSegment(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = DIGITS.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

export interface SourceLookup {
  /** The absolute path of the source at a 0-based line and column, if mapped. */
  at(line: number, column: number): string | undefined;
}

export function readSourceMap(bundleFile: string): SourceLookup | undefined {
  const mapFile = `${bundleFile}.map`;
  if (!existsSync(mapFile)) return undefined;
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string };
  const sources = map.sources.map((s) => resolve(dirname(mapFile), s));
  // Per generated line: [generated column, source index] in column order.
  const lines: Array<Array<[number, number]>> = [];
  let source = 0;
  for (const text of map.mappings.split(';')) {
    const segments: Array<[number, number]> = [];
    let column = 0;
    for (const seg of text.split(',')) {
      if (seg === '') continue;
      const v = decodeSegment(seg);
      column += v[0] ?? 0;
      if (v.length >= 4) {
        source += v[1] ?? 0;
        segments.push([column, source]);
      }
    }
    lines.push(segments);
  }
  return {
    at(line, column) {
      const segments = lines[line];
      if (!segments || segments.length === 0) return undefined;
      let found: number | undefined;
      for (const [col, src] of segments) {
        if (col > column) break;
        found = src;
      }
      return sources[found ?? segments[0]![1]];
    },
  };
}
