/**
 * A chart's window as a standalone SVG document (title, axes with units, series, legend), built from the
 * same layout as the canvas. Pure string building, so it is unit-tested under Node.
 */
import { computeLayout, fmt, ISOLATED_HALF_PX, MARGIN } from './layout';
import type { ChartSpec, Pattern, SeriesSource, Window } from './model';

export interface Theme {
  bg: string;
  fg: string;
  muted: string;
  grid: string;
  /** Resolved colour of a series. */
  color: (seriesIndex: number) => string;
}

const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
const r2 = (v: number): string => (Math.round(v * 100) / 100).toString();

function patternDef(id: string, pattern: Pattern, color: string): string {
  const bg = `<rect width="6" height="6" fill="${color}" fill-opacity="0.55"/>`;
  switch (pattern) {
    case 'solid':
      return '';
    case 'hatch':
      return `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse">${bg}<path d="M0,6 L6,0" stroke="${color}" stroke-width="1.6"/></pattern>`;
    case 'cross':
      return `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse">${bg}<path d="M0,6 L6,0 M0,0 L6,6" stroke="${color}" stroke-width="1.1"/></pattern>`;
    case 'dots':
      return `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse">${bg}<circle cx="3" cy="3" r="1.5" fill="${color}"/></pattern>`;
    default: {
      const never: never = pattern;
      return never;
    }
  }
}

export function chartSvg(spec: ChartSpec, src: SeriesSource, w: Window, width: number, plotHeight: number, theme: Theme): string {
  const titleH = 24;
  const legendRowH = 18;
  const last = w.to - 1;
  const legendText = spec.series.map((s) => {
    const value = spec.kind === 'histogram' || last < w.from ? '' : ` ${fmt(src.values[s.channel][src.slot(last)], s.unit)}`;
    return `${s.label}${s.note ? ` (${s.note})` : ''}${value}`;
  });
  // No text measuring outside a browser: ~6.5 px per character at 11 px.
  const colW = Math.min(width - 16, Math.max(160, 36 + 6.5 * Math.max(0, ...legendText.map((t) => t.length))));
  const perRow = Math.max(1, Math.floor((width - 16) / colW));
  const legendH = Math.ceil(spec.series.length / perRow) * legendRowH + 6;
  const L = computeLayout(spec, src, w, width, plotHeight);
  const height = titleH + plotHeight + legendH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`);
  out.push(`<title>${esc(spec.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="${theme.bg}"/>`);
  out.push(`<text x="8" y="16" font-size="13" font-weight="600" fill="${theme.fg}">${esc(spec.title)}</text>`);
  out.push('<defs>');
  spec.series.forEach((s, i) => out.push(patternDef(`p${i}`, s.pattern, theme.color(i))));
  out.push('</defs>');
  out.push(`<g transform="translate(0,${titleH})">`);
  const plotR = width - MARGIN.r;
  const plotB = plotHeight - MARGIN.b;
  for (const t of L.yTicks) {
    out.push(`<line x1="${MARGIN.l}" x2="${plotR}" y1="${r2(t.px)}" y2="${r2(t.px)}" stroke="${theme.grid}"/>`);
    out.push(`<text x="${MARGIN.l - 6}" y="${r2(t.px)}" text-anchor="end" dominant-baseline="middle" fill="${theme.muted}">${esc(t.text)}</text>`);
  }
  const titleRight = L.xTitle ? 6.5 * L.xTitle.length + 8 : 0;
  for (const t of L.xTicks) {
    const half = 3.25 * t.text.length;
    if (t.px - half >= titleRight && t.px + half <= width) out.push(`<text x="${r2(t.px)}" y="${plotB + 16}" text-anchor="middle" fill="${theme.muted}">${esc(t.text)}</text>`);
  }
  out.push(`<line x1="${MARGIN.l}" x2="${plotR}" y1="${plotB}" y2="${plotB}" stroke="${theme.muted}"/>`);

  if (spec.kind === 'histogram' && L.hist) {
    const { edges, counts } = L.hist;
    spec.series.forEach((s, i) => {
      const d: string[] = [];
      counts[i].forEach((c, b) => {
        if (c === 0) return;
        d.push(`M${r2(L.x(edges[b]))},${r2(plotB)}V${r2(L.y(c))}H${r2(L.x(edges[b + 1]))}V${r2(plotB)}`);
      });
      out.push(`<path d="${d.join('')}" fill="${theme.color(i)}" fill-opacity="0.3" stroke="${theme.color(i)}" stroke-width="1.5"${s.dash.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''}/>`);
    });
  } else if (spec.kind === 'stacked') {
    const base = new Float64Array(w.to - w.from);
    spec.series.forEach((s, i) => {
      const col = src.values[s.channel];
      const top: string[] = [];
      const bottom: string[] = [];
      for (let k = w.from; k < w.to; k++) {
        const slot = src.slot(k);
        const px = r2(L.x(src.tNs[slot]));
        const v = Math.max(0, Number.isFinite(col[slot]) ? col[slot] : 0);
        bottom.push(`${px},${r2(L.y(base[k - w.from]))}`);
        base[k - w.from] += v;
        top.push(`${px},${r2(L.y(base[k - w.from]))}`);
      }
      const fill = s.pattern === 'solid' ? theme.color(i) : `url(#p${i})`;
      out.push(`<polygon points="${[...top, ...bottom.toReversed()].join(' ')}" fill="${fill}" stroke="${theme.bg}" stroke-width="0.5"/>`);
    });
  } else {
    spec.series.forEach((s, i) => {
      const col = src.values[s.channel];
      let d = '';
      // Points in the current run; a run of one gets a short tick, as on the canvas.
      let run: [number, number][] = [];
      const endRun = () => {
        if (run.length === 1) d += `M${r2(run[0][0] - ISOLATED_HALF_PX)},${r2(run[0][1])}H${r2(run[0][0] + ISOLATED_HALF_PX)}`;
        else for (const [j, [x, y]] of run.entries()) d += `${j === 0 ? 'M' : 'L'}${r2(x)},${r2(y)}`;
        run = [];
      };
      for (let k = w.from; k < w.to; k++) {
        const slot = src.slot(k);
        const v = col[slot];
        if (!Number.isFinite(v) || (s.zeroIsGap && v === 0)) {
          endRun();
          continue;
        }
        run.push([L.x(src.tNs[slot]), L.y(v)]);
      }
      endRun();
      out.push(`<path d="${d}" fill="none" stroke="${theme.color(i)}" stroke-width="1.75"${s.dash.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''}/>`);
    });
  }
  if (L.xTitle) out.push(`<text x="2" y="${plotB + 16}" fill="${theme.muted}">${esc(L.xTitle)}</text>`);
  out.push('</g>');

  // Legend: swatch + label + note + value at the window's end (never colour alone).
  const legendY = titleH + plotHeight + 4;
  spec.series.forEach((s, i) => {
    const cx = 8 + (i % perRow) * colW;
    const cy = legendY + Math.floor(i / perRow) * legendRowH + 9;
    const fill = s.pattern === 'solid' ? theme.color(i) : `url(#p${i})`;
    if (spec.kind === 'lines') out.push(`<line x1="${cx}" x2="${cx + 18}" y1="${cy}" y2="${cy}" stroke="${theme.color(i)}" stroke-width="2.5"${s.dash.length ? ` stroke-dasharray="${s.dash.join(' ')}"` : ''}/>`);
    else out.push(`<rect x="${cx}" y="${cy - 5}" width="18" height="10" fill="${fill}" stroke="${theme.color(i)}"/>`);
    out.push(`<text x="${cx + 24}" y="${cy}" dominant-baseline="middle" fill="${theme.fg}">${esc(legendText[i])}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
