/**
 * Canvas drawing of one chart (axes, lines, stacked areas, histogram bars, hover cursor), called on
 * animation frames outside React. Reuses its scratch buffers; decimates to min/max per pixel column when
 * there are more samples than pixels.
 */
import { color as d3color } from 'd3';
import { computeLayout, ISOLATED_HALF_PX, MARGIN, yTicks, type Layout } from './layout';
import { nearestIndex, type ChartSpec, type Pattern, type SeriesSource, type SeriesSpec, type Window } from './model';
import type { Theme } from './svg';

export interface ResolvedTheme extends Theme {
  seriesColors: string[];
}

/** Reads the CSS custom properties once (on mount, theme change or chart change), never per frame. */
export function resolveTheme(el: Element, spec: ChartSpec): ResolvedTheme {
  const style = getComputedStyle(el);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const seriesColors = spec.series.map((s) => {
    const base = d3color(v(s.colorVar, '#555'));
    if (!base) return '#555';
    return (s.shade >= 0 ? base.brighter(s.shade) : base.darker(-s.shade)).formatHex();
  });
  return {
    bg: v('--panel', '#fff'),
    fg: v('--fg', '#1c2330'),
    muted: v('--fg-muted', '#5b6678'),
    grid: v('--grid', '#e6e9ef'),
    color: (i) => seriesColors[i] ?? '#555',
    seriesColors,
  };
}

const patternCache = new Map<string, CanvasPattern | string>();

function fillFor(ctx: CanvasRenderingContext2D, pattern: Pattern, color: string): CanvasPattern | string {
  if (pattern === 'solid') return color;
  const key = `${pattern}|${color}`;
  const hit = patternCache.get(key);
  if (hit) return hit;
  const tile = document.createElement('canvas');
  tile.width = 6;
  tile.height = 6;
  const t = tile.getContext('2d');
  if (!t) return color;
  t.globalAlpha = 0.55;
  t.fillStyle = color;
  t.fillRect(0, 0, 6, 6);
  t.globalAlpha = 1;
  t.strokeStyle = color;
  t.fillStyle = color;
  switch (pattern) {
    case 'hatch':
      t.lineWidth = 1.6;
      t.beginPath();
      t.moveTo(-1, 7);
      t.lineTo(7, -1);
      t.stroke();
      break;
    case 'cross':
      t.lineWidth = 1.1;
      t.beginPath();
      t.moveTo(0, 6);
      t.lineTo(6, 0);
      t.moveTo(0, 0);
      t.lineTo(6, 6);
      t.stroke();
      break;
    case 'dots':
      t.beginPath();
      t.arc(3, 3, 1.5, 0, Math.PI * 2);
      t.fill();
      break;
    default: {
      const never: never = pattern;
      return never;
    }
  }
  const p = ctx.createPattern(tile, 'repeat') ?? color;
  patternCache.set(key, p);
  return p;
}

/** Which B samples fall in A's time range (the A/B overlay is aligned on virtual time). */
function compareWindow(cmp: SeriesSource, t0: number, t1: number): Window {
  const all = { from: 0, to: cmp.length };
  if (cmp.length === 0) return all;
  let from = nearestIndex(cmp, all, t0);
  if (from > 0 && cmp.tNs[cmp.slot(from)] > t0) from--;
  let to = nearestIndex(cmp, all, t1) + 1;
  if (to < cmp.length && cmp.tNs[cmp.slot(to - 1)] < t1) to++;
  return { from, to };
}

export interface DrawResult {
  layout: Layout;
  /** Matching channel index in the compare history per series (-1 when absent). */
  compareChannels: number[];
  compareWindow: Window | null;
}

export class ChartRenderer {
  private ys = new Float64Array(0);
  private base = new Float64Array(0);
  private xs = new Float64Array(0);
  private counts = new Float64Array(0);
  private colOf = new Int32Array(0);

  /** Full redraw of the chart into ctx (already scaled to CSS pixels). */
  draw(ctx: CanvasRenderingContext2D, spec: ChartSpec, src: SeriesSource, w: Window, width: number, height: number, theme: ResolvedTheme, cmp: SeriesSource | null): DrawResult {
    const layout = computeLayout(spec, src, w, width, height);
    let compareChannels: number[] = [];
    let cw: Window | null = null;
    if (cmp && spec.kind === 'lines' && w.to > w.from) {
      compareChannels = spec.series.map((s) => cmp.channels.findIndex((c) => c.id === s.id));
      cw = compareWindow(cmp, src.tNs[src.slot(w.from)], src.tNs[src.slot(w.to - 1)]);
      // Grow the y domain so B fits too.
      let max = layout.y.domain()[1];
      for (const ci of compareChannels) {
        if (ci < 0) continue;
        for (let k = cw.from; k < cw.to; k++) max = Math.max(max, cmp.values[ci][cmp.slot(k)]);
      }
      if (max > layout.y.domain()[1]) {
        layout.y.domain([0, max * 1.05]).nice();
        layout.yTicks = yTicks(layout.y, Math.max(2, Math.floor((height - MARGIN.b - MARGIN.t) / 36)), spec.unit);
      }
    }
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px system-ui, sans-serif';
    const plotR = width - MARGIN.r;
    const plotB = height - MARGIN.b;
    ctx.lineWidth = 1;
    ctx.strokeStyle = theme.grid;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of layout.yTicks) {
      const py = Math.round(t.px) + 0.5;
      ctx.beginPath();
      ctx.moveTo(MARGIN.l, py);
      ctx.lineTo(plotR, py);
      ctx.stroke();
      ctx.fillText(t.text, MARGIN.l - 6, py);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    const titleRight = layout.xTitle ? ctx.measureText(layout.xTitle).width + 8 : 0;
    for (const t of layout.xTicks) {
      const half = ctx.measureText(t.text).width / 2;
      if (t.px - half >= titleRight && t.px + half <= width) ctx.fillText(t.text, t.px, plotB + 6);
    }
    ctx.strokeStyle = theme.muted;
    ctx.beginPath();
    ctx.moveTo(MARGIN.l, plotB + 0.5);
    ctx.lineTo(plotR, plotB + 0.5);
    ctx.stroke();
    // Axis title in the empty corner under the y labels, clear of the data.
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.fillText(layout.xTitle, 2, plotB + 6);

    ctx.save();
    switch (spec.kind) {
      case 'lines':
        spec.series.forEach((s, i) => this.line(ctx, src, w, s, s.channel, layout, theme.seriesColors[i], 1.75, 1));
        if (cmp && cw) {
          // B's window reaches one sample past A's on each side: clip to the plot (A never leaves it).
          ctx.beginPath();
          ctx.rect(MARGIN.l, MARGIN.t - 2, plotR - MARGIN.l, plotB - MARGIN.t + 2);
          ctx.clip();
          spec.series.forEach((s, i) => {
            if (compareChannels[i] >= 0) this.line(ctx, cmp, cw, s, compareChannels[i], layout, theme.seriesColors[i], 1.25, 0.5);
          });
        }
        break;
      case 'stacked':
        this.stacked(ctx, spec, src, w, layout, theme);
        break;
      case 'histogram':
        this.bars(ctx, spec, layout, theme);
        break;
      default: {
        const never: never = spec.kind;
        return never;
      }
    }
    ctx.restore();
    return { layout, compareChannels, compareWindow: cw };
  }

  private line(ctx: CanvasRenderingContext2D, src: SeriesSource, w: Window, s: SeriesSpec, channel: number, L: Layout, color: string, lineWidth: number, alpha: number): void {
    const col = src.values[channel];
    const t = src.tNs;
    const cap = t.length;
    // The scales are linear: px = ax·t + bx, py = ay·v + by, without a d3 call per point.
    const [d0, d1] = L.x.domain();
    const [r0, r1] = L.x.range();
    const ax = (r1 - r0) / (d1 - d0 || 1);
    const bx = r0 - ax * d0;
    const [e0, e1] = L.y.domain();
    const [q0, q1] = L.y.range();
    const ay = (q1 - q0) / (e1 - e0 || 1);
    const by = q0 - ay * e0;
    const gapZero = s.zeroIsGap;
    const dashed = s.dash.length > 0;
    ctx.strokeStyle = color;
    ctx.globalAlpha = alpha;
    ctx.lineWidth = lineWidth;
    // Bevel joins: no miter spikes on the per-column zig-zags, and cheaper to rasterise than round ones.
    ctx.lineJoin = 'bevel';
    ctx.setLineDash(s.dash as number[]);
    ctx.beginPath();
    const n = w.to - w.from;
    const plotW = L.width - MARGIN.l - MARGIN.r;
    let pen = false;
    // A run of one point between gaps (a probe RTT in one interval only) draws nothing as a path: give it a
    // short tick so sparse series stay visible.
    let runVertices = 0;
    let runX = 0;
    let runY = 0;
    const endRun = () => {
      if (runVertices === 1) {
        ctx.moveTo(runX - ISOLATED_HALF_PX, runY);
        ctx.lineTo(runX + ISOLATED_HALF_PX, runY);
      }
      runVertices = 0;
      pen = false;
    };
    const vertex = (px: number, py: number) => {
      if (pen) ctx.lineTo(px, py);
      else ctx.moveTo(px, py);
      pen = true;
      runVertices++;
      runX = px;
      runY = py;
    };
    // Slots of a ring are consecutive modulo its capacity.
    let slot = n > 0 ? src.slot(w.from) : 0;
    if (n <= plotW) {
      for (let k = 0; k < n; k++, slot = slot + 1 === cap ? 0 : slot + 1) {
        const v = col[slot];
        if (!(v - v === 0) || (gapZero && v === 0)) {
          endRun();
          continue;
        }
        vertex(ax * t[slot] + bx, ay * v + by);
      }
      endRun();
    } else {
      // More samples than pixels: per pixel column only first, min, max and last (as uPlot does), on whole
      // pixels (fractional vertical zig-zags cost several times more to rasterise).
      let colPx = -1;
      let first = 0;
      let min = 0;
      let max = 0;
      let last = 0;
      const flush = () => {
        if (colPx < 0) return;
        if (dashed) {
          // A dash pattern over per-column zig-zags is unreadable and slow to rasterise: one vertex per column.
          vertex(colPx, Math.round(ay * last + by));
          return;
        }
        const yf = Math.round(ay * first + by);
        vertex(colPx, yf);
        if (min !== max) {
          // Only the vertices that move the pen (as uPlot does): extremes that are not the entry or exit.
          const yMin = Math.round(ay * min + by);
          const yMax = Math.round(ay * max + by);
          const yl = Math.round(ay * last + by);
          if (yMin !== yf && yMin !== yl) vertex(colPx, yMin);
          if (yMax !== yf && yMax !== yl) vertex(colPx, yMax);
          if (yl !== yf) vertex(colPx, yl);
        }
      };
      for (let k = 0; k < n; k++, slot = slot + 1 === cap ? 0 : slot + 1) {
        const v = col[slot];
        if (!(v - v === 0) || (gapZero && v === 0)) {
          flush();
          colPx = -1;
          endRun();
          continue;
        }
        const px = Math.round(ax * t[slot] + bx);
        if (px !== colPx) {
          flush();
          colPx = px;
          first = min = max = v;
        }
        if (v < min) min = v;
        else if (v > max) max = v;
        last = v;
      }
      flush();
      endRun();
    }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
  }

  private stacked(ctx: CanvasRenderingContext2D, spec: ChartSpec, src: SeriesSource, w: Window, L: Layout, theme: ResolvedTheme): void {
    const n = w.to - w.from;
    if (this.base.length < n) {
      this.base = new Float64Array(n * 2);
      this.ys = new Float64Array(n * 2);
      this.xs = new Float64Array(n * 2);
      this.counts = new Float64Array(n * 2);
      this.colOf = new Int32Array(n * 2);
    }
    const { base, xs, counts, colOf } = this;
    const top = this.ys;
    // One point per sample, or per pixel column (the mean of its samples) when samples outnumber pixels.
    const decimate = n > L.width - MARGIN.l - MARGIN.r;
    const cap = src.tNs.length;
    const first = n > 0 ? src.slot(w.from) : 0;
    let m = 0;
    let lastPx = Number.NaN;
    for (let k = 0, slot = first; k < n; k++, slot = slot + 1 === cap ? 0 : slot + 1) {
      const px = decimate ? Math.round(L.x(src.tNs[slot])) : L.x(src.tNs[slot]);
      if (!decimate || px !== lastPx) {
        xs[m] = px;
        counts[m] = 0;
        m++;
        lastPx = px;
      }
      colOf[k] = m - 1;
      counts[m - 1]++;
    }
    base.fill(0, 0, m);
    spec.series.forEach((s, i) => {
      const col = src.values[s.channel];
      top.fill(0, 0, m);
      for (let k = 0, slot = first; k < n; k++, slot = slot + 1 === cap ? 0 : slot + 1) {
        const v = col[slot];
        if (v - v === 0 && v > 0) top[colOf[k]] += v;
      }
      for (let j = 0; j < m; j++) top[j] = base[j] + top[j] / counts[j];
      ctx.beginPath();
      for (let j = 0; j < m; j++) {
        if (j === 0) ctx.moveTo(xs[j], L.y(top[j]));
        else ctx.lineTo(xs[j], L.y(top[j]));
      }
      for (let j = m - 1; j >= 0; j--) ctx.lineTo(xs[j], L.y(base[j]));
      ctx.closePath();
      ctx.fillStyle = fillFor(ctx, s.pattern, theme.seriesColors[i]);
      ctx.fill();
      // A thin edge on top of each band separates neighbours of similar colour.
      ctx.strokeStyle = theme.bg;
      ctx.lineWidth = 0.75;
      ctx.lineJoin = 'bevel';
      ctx.beginPath();
      for (let j = 0; j < m; j++) {
        if (j === 0) ctx.moveTo(xs[j], L.y(top[j]));
        else ctx.lineTo(xs[j], L.y(top[j]));
      }
      ctx.stroke();
      base.set(top.subarray(0, m));
    });
  }

  private bars(ctx: CanvasRenderingContext2D, spec: ChartSpec, L: Layout, theme: ResolvedTheme): void {
    const h = L.hist;
    if (!h || h.edges.length === 0) return;
    const plotB = L.height - MARGIN.b;
    spec.series.forEach((s, i) => {
      ctx.strokeStyle = theme.seriesColors[i];
      ctx.fillStyle = theme.seriesColors[i];
      ctx.setLineDash(s.dash as number[]);
      ctx.lineWidth = 1.5;
      h.counts[i].forEach((c, b) => {
        if (c === 0) return;
        const x0 = L.x(h.edges[b]);
        const x1 = L.x(h.edges[b + 1]);
        const y0 = L.y(c);
        ctx.globalAlpha = 0.3;
        ctx.fillRect(x0, y0, x1 - x0, plotB - y0);
        ctx.globalAlpha = 1;
        ctx.strokeRect(x0 + 0.5, y0 + 0.5, x1 - x0 - 1, plotB - y0);
      });
      ctx.setLineDash([]);
    });
  }

  /** Cursor on the overlay canvas at sample index k (or a histogram bin). */
  drawHover(ctx: CanvasRenderingContext2D, spec: ChartSpec, src: SeriesSource, L: Layout, k: number, theme: ResolvedTheme): void {
    ctx.clearRect(0, 0, L.width, L.height);
    if (k < 0) return;
    const plotB = L.height - MARGIN.b;
    ctx.strokeStyle = theme.fg;
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 3]);
    if (spec.kind === 'histogram') {
      const h = L.hist;
      if (!h || k >= h.edges.length - 1) return;
      const x0 = L.x(h.edges[k]);
      const x1 = L.x(h.edges[k + 1]);
      ctx.strokeRect(x0, MARGIN.t, x1 - x0, plotB - MARGIN.t);
      ctx.setLineDash([]);
      return;
    }
    const slot = src.slot(k);
    const px = Math.round(L.x(src.tNs[slot])) + 0.5;
    ctx.beginPath();
    ctx.moveTo(px, MARGIN.t);
    ctx.lineTo(px, plotB);
    ctx.stroke();
    ctx.setLineDash([]);
    let acc = 0;
    spec.series.forEach((s, i) => {
      const v = src.values[s.channel][slot];
      if (!Number.isFinite(v)) return;
      const yv = spec.kind === 'stacked' ? (acc += Math.max(0, v)) : v;
      if (spec.kind === 'lines' && s.zeroIsGap && v === 0) return;
      ctx.fillStyle = theme.seriesColors[i];
      ctx.strokeStyle = theme.bg;
      ctx.beginPath();
      ctx.arc(px, L.y(yv), 3.5, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    });
  }
}
