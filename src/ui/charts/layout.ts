/**
 * Scales and ticks of one chart for one window, shared by the canvas renderer and the SVG export so both
 * draw the same picture. Pure (d3 scales only).
 */
import { scaleLinear, type ScaleLinear } from 'd3';
import { duration, formatChannelValue } from '../format';
import { histogram, seriesMax, stackedMax, type ChartSpec, type Histogram, type SeriesSource, type Window } from './model';

export const MARGIN = { l: 74, r: 16, t: 10, b: 24 } as const;

/** Half the length of the tick drawn for a point with gaps on both sides (a line through one point is invisible). */
export const ISOLATED_HALF_PX = 2.5;

export interface Tick {
  px: number;
  text: string;
}

export interface Layout {
  width: number;
  height: number;
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  xTicks: Tick[];
  yTicks: Tick[];
  /** Histogram bins when the chart is a histogram. */
  hist: Histogram | null;
  /** Text for the x axis ("virtual time" or the value's unit). */
  xTitle: string;
  yTitle: string;
}

/** Value with its unit, scaled for humans (delegates to the app's one formatter). */
export function fmt(value: number, unit: string): string {
  if (unit === 'count') return `${formatChannelValue(value, 'default')}`;
  return formatChannelValue(value, unit);
}

/**
 * Greedy word wrap for text drawn on a canvas (which does not wrap): lines no wider than maxWidth by the given
 * measure; a single word wider than maxWidth keeps a line of its own.
 */
export function wrapText(text: string, maxWidth: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (line && measure(next) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Whole things (packets, counts) get whole-number ticks only. */
export function yTicks(y: ScaleLinear<number, number>, count: number, unit: string): Tick[] {
  const whole = unit === 'packets' || unit === 'count';
  return y
    .ticks(count)
    .filter((v) => !whole || Number.isInteger(v))
    .map((v) => ({ px: y(v), text: fmt(v, unit) }));
}

export function computeLayout(spec: ChartSpec, src: SeriesSource, w: Window, width: number, height: number): Layout {
  const plotR = width - MARGIN.r;
  const plotB = height - MARGIN.b;
  const xTickCount = Math.max(2, Math.floor((plotR - MARGIN.l) / 90));
  const yTickCount = Math.max(2, Math.floor((plotB - MARGIN.t) / 36));
  if (spec.kind === 'histogram') {
    const hist = histogram(src, w, spec.series);
    const lo = hist.edges.length > 0 ? hist.edges[0] : 0;
    const hi = hist.edges.length > 0 ? hist.edges[hist.edges.length - 1] : 1;
    const x = scaleLinear().domain([lo, hi]).range([MARGIN.l, plotR]);
    const y = scaleLinear()
      .domain([0, Math.max(1, hist.maxCount)])
      .range([plotB, MARGIN.t])
      .nice(yTickCount);
    return {
      width,
      height,
      x,
      y,
      xTicks: x.ticks(Math.min(xTickCount, 5)).map((v) => ({ px: x(v), text: fmt(v, spec.unit) })),
      yTicks: y
        .ticks(yTickCount)
        .filter((v) => Number.isInteger(v))
        .map((v) => ({ px: y(v), text: `${v} ${v === 1 ? 'interval' : 'intervals'}` })),
      hist,
      xTitle: '',
      yTitle: 'intervals',
    };
  }
  const n = w.to - w.from;
  const t0 = n > 0 ? src.tNs[src.slot(w.from)] : 0;
  const t1 = n > 0 ? src.tNs[src.slot(w.to - 1)] : 1;
  const x = scaleLinear()
    .domain([t0, Math.max(t1, t0 + 1)])
    .range([MARGIN.l, plotR]);
  const max = spec.kind === 'stacked' ? stackedMax(src, w, spec.series) : seriesMax(src, w, spec.series);
  const y = scaleLinear()
    .domain([0, Math.max(spec.yMinMax, max > 0 ? max * 1.08 : 1)])
    .range([plotB, MARGIN.t])
    .nice(Math.max(4, yTickCount));
  // A share of a core's time never needs more than 100 %.
  if (spec.unit === 'ratio' && max <= 1 && y.domain()[1] > 1) y.domain([0, 1]);
  return {
    width,
    height,
    x,
    y,
    xTicks: x.ticks(xTickCount).map((v) => ({ px: x(v), text: duration(v) })),
    yTicks: yTicks(y, yTickCount, spec.unit),
    hist: null,
    xTitle: 'virtual t',
    yTitle: spec.unit,
  };
}
