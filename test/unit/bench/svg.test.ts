import { describe, expect, it } from 'vitest';
import { lineChart } from '../../../bench/svg.js';

describe('the bench chart', () => {
  it('draws each series as a line through its points on linear axes, a single point as a marker', () => {
    const svg = lineChart('t', [
      { label: 'tool', color: '#111', points: [{ n: 1000, seconds: 1 }, { n: 10000, seconds: 10 }] },
      { label: 'other <x>', color: '#222', points: [{ n: 1000, seconds: 5 }] },
    ]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toContain('other &lt;x&gt;');
    // Linear: (0,0), (1000,1) and (10000,10) are on one straight line.
    const [a, b] = /points="([^"]+)"/.exec(svg)![1]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]);
    const origin = [56, 316] as const;
    const slope = (p: [number, number]) => (p[1] - origin[1]) / (p[0] - origin[0]);
    expect(slope(a!)).toBeCloseTo(slope(b!), 1);
  });
});
