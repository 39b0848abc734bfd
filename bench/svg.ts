/**
 * A small line chart as SVG text (no dependency): seconds against N on linear axes, so linear growth
 * reads as a straight line. Each series is a list of points; a series with one point is a marker.
 */
export interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: Array<{ n: number; seconds: number }>;
}

const W = 640;
const H = 360;
const M = { left: 56, right: 170, top: 24, bottom: 44 };

function niceStep(max: number, ticks: number): number {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmtN = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));

export function lineChart(title: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  const xStep = niceStep(Math.max(...all.map((p) => p.n), 1), 5);
  const yStep = niceStep(Math.max(...all.map((p) => p.seconds), 0.1), 5);
  const xMax = Math.ceil(Math.max(...all.map((p) => p.n), 1) / xStep) * xStep;
  const yMax = Math.ceil(Math.max(...all.map((p) => p.seconds), 0.1) / yStep) * yStep;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const round = (v: number) => Math.round(v * 10) / 10;
  const x = (n: number) => round(M.left + (n / xMax) * pw);
  const y = (s: number) => round(M.top + ph - (s / yMax) * ph);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="16" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${+v.toFixed(2)} s</text>`);
  }
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${M.top + ph}" y2="${M.top + ph + 4}" stroke="#333"/>`);
    out.push(`<text x="${x(v)}" y="${M.top + ph + 18}" text-anchor="middle">${fmtN(v)}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle">N (objects)</text>`);
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.n - b.n);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (pts.length > 1) {
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.map((p) => `${x(p.n)},${y(p.seconds)}`).join(' ')}"/>`);
    }
    for (const p of pts) out.push(`<circle cx="${x(p.n)}" cy="${y(p.seconds)}" r="3.5" fill="${s.color}"/>`);
    const ly = M.top + 10 + i * 20;
    out.push(`<line x1="${W - M.right + 12}" x2="${W - M.right + 36}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${W - M.right + 42}" y="${ly + 4}">${esc(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
