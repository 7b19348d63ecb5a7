/**
 * A time-series chart drawn on canvas from the metrics history on animation frames, outside React's
 * render cycle: React only mounts the canvas; samples never become React state.
 */
import { useEffect, useRef } from 'react';
import { scaleLinear } from 'd3';
import type { MetricChannel } from '../../core/protocol';
import { duration, formatChannelValue } from '../format';

/** What a chart needs of the history: read-only columns. */
export interface SeriesSource {
  readonly channels: readonly MetricChannel[];
  readonly length: number;
  readonly version: number;
  readonly tNs: Float64Array;
  readonly values: Float64Array[];
  slot(i: number): number;
}

export interface LiveChartProps {
  title: string;
  /** Returns the current history (it changes when a scenario is loaded). */
  source: () => SeriesSource | null;
  /** Which channels to draw. */
  pick: (c: MetricChannel) => boolean;
  /** Called each animation frame before drawing (the app drains the ring here). */
  beforeFrame?: () => void;
  height?: number;
}

const PALETTE = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6'];
const DASHES: number[][] = [[], [6, 3], [2, 3], [8, 3, 2, 3], [1, 2], [10, 4]];

export function LiveChart({ title, source, pick, beforeFrame, height = 180 }: LiveChartProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const legendRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current!;
    let raf = 0;
    let drawnVersion = -1;
    let drawnSource: SeriesSource | null = null;
    let drawnWidth = 0;
    const frame = () => {
      raf = requestAnimationFrame(frame);
      beforeFrame?.();
      const src = source();
      const width = canvas.clientWidth;
      if (src === drawnSource && src?.version === drawnVersion && width === drawnWidth) return;
      drawnSource = src;
      drawnVersion = src?.version ?? -1;
      drawnWidth = width;
      draw(canvas, src, pick, legendRef.current);
    };
    raf = requestAnimationFrame(frame);
    return () => cancelAnimationFrame(raf);
  }, [source, pick, beforeFrame]);

  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <canvas ref={canvasRef} style={{ height }} role="img" aria-label={`${title} over time`} />
      <ul className="legend" ref={legendRef} aria-label={`${title} legend`} />
    </figure>
  );
}

function draw(canvas: HTMLCanvasElement, src: SeriesSource | null, pick: (c: MetricChannel) => boolean, legend: HTMLUListElement | null): void {
  const dpr = globalThis.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const style = getComputedStyle(canvas);
  const fg = style.getPropertyValue('--fg-muted').trim() || '#666';
  const grid = style.getPropertyValue('--grid').trim() || '#ddd';
  ctx.font = '11px system-ui, sans-serif';

  const chosen = src ? src.channels.map((c, i) => ({ c, i })).filter(({ c }) => pick(c)) : [];
  const n = src?.length ?? 0;
  const margin = { l: 78, r: 28, t: 8, b: 22 };
  if (!src || n === 0 || chosen.length === 0) {
    ctx.fillStyle = fg;
    ctx.fillText(src ? 'waiting for samples…' : 'no scenario loaded', margin.l, h / 2);
    if (legend) legend.replaceChildren();
    return;
  }
  const t0 = src.tNs[src.slot(0)];
  const t1 = src.tNs[src.slot(n - 1)];
  let yMax = 0;
  for (const { i } of chosen) {
    const col = src.values[i];
    for (let k = 0; k < n; k++) yMax = Math.max(yMax, col[src.slot(k)]);
  }
  const unit = chosen[0].c.unit;
  const x = scaleLinear().domain([t0, Math.max(t1, t0 + 1)]).range([margin.l, w - margin.r]);
  const y = scaleLinear().domain([0, yMax > 0 ? yMax * 1.1 : 1]).range([h - margin.b, margin.t]).nice(4);

  ctx.strokeStyle = grid;
  ctx.fillStyle = fg;
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const tick of y.ticks(4)) {
    const py = Math.round(y(tick)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(margin.l, py);
    ctx.lineTo(w - margin.r, py);
    ctx.stroke();
    ctx.fillText(formatChannelValue(tick, unit), margin.l - 6, py);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const tick of x.ticks(6)) ctx.fillText(duration(tick), x(tick), h - margin.b + 5);

  const items: HTMLLIElement[] = [];
  chosen.forEach(({ c, i }, s) => {
    const color = style.getPropertyValue(PALETTE[s % PALETTE.length]).trim() || '#333';
    const col = src.values[i];
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.75;
    ctx.setLineDash(DASHES[s % DASHES.length]);
    ctx.beginPath();
    for (let k = 0; k < n; k++) {
      const slot = src.slot(k);
      const px = x(src.tNs[slot]);
      const py = y(col[slot]);
      if (k === 0) ctx.moveTo(px, py);
      else ctx.lineTo(px, py);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    if (legend) {
      const li = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.borderTop = `3px ${DASHES[s % DASHES.length].length ? 'dashed' : 'solid'} ${color}`;
      const label = document.createElement('span');
      label.textContent = `${c.label} `;
      const value = document.createElement('strong');
      value.textContent = formatChannelValue(col[src.slot(n - 1)], c.unit);
      li.append(swatch, label, value);
      items.push(li);
    }
  });
  if (legend) legend.replaceChildren(...items);
}
