// Hand-written SVG bar charts for the combined report: groups of bars (one bar per series), a value
// label on each, a linear or log axis. No chart library: a few rectangles and text.

const COLORS = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#c53030', '#718096'];
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A compact number for a label: 1,500 · 56.2 · 0.41. */
export function fmt(v) {
  if (v === null || v === undefined) return '–';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return '∞';
  const a = Math.abs(v);
  if (a >= 100) return Math.round(v).toLocaleString('en-US');
  if (a >= 10) return (Math.round(v * 10) / 10).toString();
  return (Math.round(v * 100) / 100).toString();
}

/**
 * One panel: `groups` along the x axis, each with one bar per series. A value of null is drawn as a
 * hatched bar to the top with its `missing` label (e.g. "≥10 s": beyond what the histogram holds).
 * @param {{ title: string, unit: string, series: string[], groups: { label: string, values: (number|null)[] }[],
 *   log?: boolean, missing?: string, width?: number, height?: number }} panel
 * @returns {{ svg: string, width: number, height: number }}
 */
export function barPanel({ title, unit, series, groups, log = false, missing = 'n/a', width = 460, height = 280 }) {
  const top = 40;
  const bottom = 64;
  const left = 56;
  const right = 12;
  const plotH = height - top - bottom;
  const plotW = width - left - right;
  const values = groups.flatMap((g) => g.values).filter((v) => typeof v === 'number' && Number.isFinite(v) && v > 0);
  const max = values.length ? Math.max(...values) : 1;
  const min = values.length ? Math.min(...values) : 1;
  // On a log axis the lowest bar keeps a visible height: the axis starts at least a factor 2 below it.
  const lo = log ? 10 ** Math.floor(Math.log10(min / 2)) : 0;
  const hi = log ? 10 ** Math.ceil(Math.log10(max * 1.01)) : niceCeil(max * 1.1);
  const y = (v) => {
    if (log) return top + plotH - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
    return top + plotH - (v / hi) * plotH;
  };
  const out = [];
  out.push(`<text x="${left}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${left}" y="32" font-size="10" fill="#555">${esc(unit)}${log ? ' (log scale)' : ''}</text>`);
  const ticks = log
    ? Array.from({ length: Math.round(Math.log10(hi / lo)) + 1 }, (_, i) => lo * 10 ** i)
    : Array.from({ length: 5 }, (_, i) => (hi * i) / 4);
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    out.push(`<line x1="${left}" x2="${width - right}" y1="${ty}" y2="${ty}" stroke="#e2e8f0"/>`);
    out.push(`<text x="${left - 4}" y="${ty}" font-size="10" text-anchor="end" dominant-baseline="middle">${esc(fmt(t))}</text>`);
  }
  const groupW = plotW / Math.max(1, groups.length);
  const barW = Math.min(36, (groupW * 0.8) / Math.max(1, series.length));
  for (const [gi, g] of groups.entries()) {
    const gx = left + gi * groupW + (groupW - barW * series.length) / 2;
    for (const [si, v] of g.values.entries()) {
      const x = gx + si * barW;
      const color = COLORS[si % COLORS.length];
      const has = typeof v === 'number' && Number.isFinite(v);
      const yv = has ? y(Math.max(v, log ? lo : 0)) : top + 10;
      const h = Math.max(1, top + plotH - yv);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${yv.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${has ? color : 'url(#hatch)'}" stroke="${color}"><title>${esc(`${g.label} · ${series[si]}: ${has ? fmt(v) : missing}`)}</title></rect>`,
      );
      out.push(
        `<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(yv - 3).toFixed(1)}" font-size="9" text-anchor="middle">${esc(has ? fmt(v) : missing)}</text>`,
      );
    }
    out.push(
      `<text x="${(left + gi * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 14}" font-size="11" text-anchor="middle">${esc(g.label)}</text>`,
    );
  }
  out.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`);
  // Legend under the axis labels.
  let lx = left;
  let ly = height - 34;
  for (const [si, s] of series.entries()) {
    const w = 22 + s.length * 6;
    if (lx > left && lx + w > width) {
      lx = left;
      ly += 14;
    }
    out.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${COLORS[si % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 14}" y="${ly + 9}" font-size="10">${esc(s)}</text>`);
    lx += w;
  }
  return { svg: out.join('\n'), width, height };
}

/** Panels side by side in one SVG document. */
export function svgDocument(title, panels) {
  const width = panels.reduce((a, p) => a + p.width, 0);
  const height = Math.max(...panels.map((p) => p.height)) + 24;
  let x = 0;
  const body = panels.map((p) => {
    const g = `<g transform="translate(${x},24)">${p.svg}</g>`;
    x += p.width;
    return g;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/></pattern></defs>
<rect width="100%" height="100%" fill="#fff"/>
<text x="8" y="16" font-size="14" font-weight="bold">${esc(title)}</text>
${body.join('\n')}
</svg>
`;
}

function niceCeil(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
