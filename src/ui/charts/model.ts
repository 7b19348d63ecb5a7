/**
 * What the charts panel shows, as plain data: which channels each tab draws, the visible window over the
 * kept history, nearest-sample lookup, histogram bins and CSV. No DOM here, so it is unit-tested under Node.
 */
import type { MetricChannel } from '../../core/protocol';
import { COST_CATEGORIES, type CostCategory } from '../../core/metrics/result';

/**
 * What a chart needs of the history: read-only columns in a ring (MetricsHistory satisfies it). Slots of
 * consecutive samples are consecutive modulo the columns' length.
 */
export interface SeriesSource {
  readonly channels: readonly MetricChannel[];
  readonly length: number;
  readonly version: number;
  readonly received: number;
  readonly tNs: Float64Array;
  readonly values: Float64Array[];
  slot(i: number): number;
}

/**
 * Legends and canvas labels average this much virtual time. Samples are rates over their interval, and a 64 KiB
 * frame through a 10 Mbit/s shaper (52 ms on the wire) lands whole in one 10 ms sample: the latest sample alone
 * reads 0 or 52 Mbit/s on a 10 Mbit/s link.
 */
export const RECENT_WINDOW_NS = 100_000_000;

/** Units whose samples are rates over equal intervals, so their plain mean is the rate over the window. */
export const RATE_UNITS: ReadonlySet<string> = new Set(['bit/s', 'event/s', 'ratio']);

/** Mean of a channel over the samples within `windowNs` of virtual time ending at sample index `end` (none before `first`). */
export function recentMean(src: { readonly tNs: Float64Array; readonly values: readonly Float64Array[]; slot(i: number): number }, channel: number, first: number, end: number, windowNs = RECENT_WINDOW_NS): number {
  const col = src.values[channel];
  const tEnd = src.tNs[src.slot(end)];
  let sum = 0;
  let n = 0;
  for (let i = end; i >= first; i--) {
    const slot = src.slot(i);
    if (tEnd - src.tNs[slot] >= windowNs) break;
    const v = col[slot];
    if (Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : Number.NaN;
}

export type TabId = 'throughput' | 'events' | 'cpu' | 'latency' | 'queues';

export const TABS: readonly { id: TabId; label: string }[] = [
  { id: 'throughput', label: 'Throughput' },
  { id: 'events', label: 'Events/s' },
  { id: 'cpu', label: 'CPU breakdown' },
  { id: 'latency', label: 'Latency/jitter' },
  { id: 'queues', label: 'Queues/drops' },
];

/** Categories the software pays for when an offload is off; drawn in the "paid" colour family with a pattern. */
export const PAID_CATEGORIES: ReadonlySet<CostCategory> = new Set<CostCategory>(['checksum', 'segmentation', 'copy']);

export type Pattern = 'solid' | 'hatch' | 'cross' | 'dots';

export interface SeriesSpec {
  /** Column index in the history. */
  channel: number;
  /** Channel id (stable across histories; the A/B overlay matches on it). */
  id: string;
  label: string;
  unit: string;
  /** CSS custom property holding the colour, and a lightness shift within that family (d3 brighter/darker). */
  colorVar: string;
  shade: number;
  dash: readonly number[];
  pattern: Pattern;
  /** A zero means "no sample in this interval" (mean RTT with no completed probe): drawn as a gap. */
  zeroIsGap: boolean;
  /** Text that goes with the colour (never colour alone). */
  note: string;
}

export type ChartKind = 'lines' | 'stacked' | 'histogram';

export interface ChartSpec {
  id: string;
  title: string;
  kind: ChartKind;
  unit: string;
  series: SeriesSpec[];
  /** Fixed lower bound of the y maximum (CPU share: always show up to 100 %). */
  yMinMax: number;
  /** Shown instead of the plot when there is nothing to draw. */
  empty: string;
}

const SERIES_VARS = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6'];
const DASHES: readonly (readonly number[])[] = [[], [6, 3], [2, 3], [8, 3, 2, 3], [1, 2], [10, 4]];

function lineSeries(c: MetricChannel, channel: number, k: number, extra: Partial<SeriesSpec> = {}): SeriesSpec {
  return {
    channel,
    id: c.id,
    label: c.label,
    unit: c.unit,
    colorVar: SERIES_VARS[k % SERIES_VARS.length],
    shade: 0,
    dash: DASHES[Math.floor(k / SERIES_VARS.length) % DASHES.length],
    pattern: 'solid',
    zeroIsGap: false,
    note: '',
    ...extra,
  };
}

function indexed(channels: readonly MetricChannel[], pick: (c: MetricChannel) => boolean): { c: MetricChannel; i: number }[] {
  const out: { c: MetricChannel; i: number }[] = [];
  channels.forEach((c, i) => {
    if (pick(c)) out.push({ c, i });
  });
  return out;
}

/** `cpu/<core label>/<category>` → core labels in channel order. */
export function coreLabels(channels: readonly MetricChannel[]): string[] {
  const seen = new Set<string>();
  for (const c of channels) {
    if (c.group !== 'cpu') continue;
    const m = /^cpu\/(.+)\/([^/]+)$/.exec(c.id);
    if (m) seen.add(m[1]);
  }
  return [...seen];
}

/** Interface throughput lines: colour per interface, solid for tx and dashed for rx (the label also says which). */
function directionSeries(channels: readonly MetricChannel[], suffix: 'bps' | 'pps'): SeriesSpec[] {
  const picked = indexed(channels, (c) => /^if\/.+\/(tx|rx)\/(bps|pps)$/.test(c.id) && c.id.endsWith(`/${suffix}`));
  const ifaces: string[] = [];
  for (const { c } of picked) {
    const name = c.id.slice(3, c.id.lastIndexOf('/', c.id.lastIndexOf('/') - 1));
    if (!ifaces.includes(name)) ifaces.push(name);
  }
  return picked.map(({ c, i }) => {
    const name = c.id.slice(3, c.id.lastIndexOf('/', c.id.lastIndexOf('/') - 1));
    const k = ifaces.indexOf(name);
    const rx = c.id.includes('/rx/');
    return { ...lineSeries(c, i, k), dash: rx ? [5, 3] : [] };
  });
}

export interface ChartOptions {
  /** Core whose CPU time is stacked (default: the first). */
  core?: string;
  /** Histogram of the probes' mean RTT or their jitter. */
  distribution?: 'rtt' | 'jitter';
}

/** The charts of one tab for a history's channel list. */
export function chartsForTab(tab: TabId, channels: readonly MetricChannel[], opts: ChartOptions = {}): ChartSpec[] {
  switch (tab) {
    case 'throughput':
      return [
        {
          id: 'goodput',
          title: 'Goodput per flow',
          kind: 'lines',
          unit: 'bit/s',
          series: indexed(channels, (c) => c.group === 'throughput' && /^flow\/.+\/throughput$/.test(c.id)).map(({ c, i }, k) => lineSeries(c, i, k)),
          yMinMax: 0,
          empty: 'This scenario has no traffic flows.',
        },
        {
          id: 'link-bps',
          title: 'Interface throughput, tx and rx',
          kind: 'lines',
          unit: 'bit/s',
          series: directionSeries(channels, 'bps'),
          yMinMax: 0,
          empty: 'This scenario has no interfaces.',
        },
      ];
    case 'events': {
      const perIf = indexed(channels, (c) => c.group === 'events' && /^if\/.+\/events$/.test(c.id)).map(({ c, i }, k) => lineSeries(c, i, k));
      const total = indexed(channels, (c) => c.id === 'events/total').map(({ c, i }) => ({
        ...lineSeries(c, i, 0),
        label: 'all interfaces',
        colorVar: '--fg-muted',
        dash: [2, 2],
      }));
      const byKind = indexed(channels, (c) => c.group === 'events' && c.id.startsWith('events/kind/')).map(({ c, i }, k) => lineSeries(c, i, k));
      return [
        {
          id: 'events',
          title: 'Notifications per second (kicks, interrupts, wake-ups, softirqs), per interface',
          kind: 'lines',
          unit: 'event/s',
          series: [...perIf, ...total],
          yMinMax: 0,
          empty: 'This scenario has no interfaces.',
        },
        {
          id: 'events-by-kind',
          title: 'Notifications per second by kind, all interfaces',
          kind: 'lines',
          unit: 'event/s',
          series: byKind,
          yMinMax: 0,
          empty: 'The engine reports no events by kind for this scenario.',
        },
      ];
    }
    case 'cpu': {
      const cores = coreLabels(channels);
      const core = opts.core !== undefined && cores.includes(opts.core) ? opts.core : cores[0];
      const series: SeriesSpec[] = [];
      let paidK = 0;
      let freeK = 0;
      for (const cat of COST_CATEGORIES) {
        const i = channels.findIndex((c) => c.id === `cpu/${core}/${cat}`);
        if (i < 0) continue;
        const paid = PAID_CATEGORIES.has(cat);
        const k = paid ? paidK++ : freeK++;
        series.push({
          channel: i,
          id: channels[i].id,
          label: cat,
          unit: 'ratio',
          colorVar: paid ? '--paid' : '--accent',
          shade: paid ? [0, 0.9, -0.7][k % 3] : [0, 0.8, 1.6, -0.6, 2.3][k % 5],
          dash: [],
          pattern: paid ? (['hatch', 'cross', 'dots'] as const)[k % 3] : 'solid',
          zeroIsGap: false,
          note: paid ? 'paid in software' : 'offload-friendly',
        });
      }
      return [
        {
          id: 'cpu',
          title: core === undefined ? 'CPU time by cost category (share of the core)' : `CPU time by cost category — ${core} (share of the core)`,
          kind: 'stacked',
          unit: 'ratio',
          series,
          // Auto-scaled: a lightly loaded core (1 %) must still show its breakdown.
          yMinMax: 0.01,
          empty: 'This scenario has no CPU cores.',
        },
      ];
    }
    case 'latency': {
      const lat = indexed(channels, (c) => c.group === 'latency');
      const rtt = lat.filter(({ c }) => c.id.endsWith('/rtt'));
      const jitter = lat.filter(({ c }) => c.id.endsWith('/jitter'));
      const which = opts.distribution === 'jitter' ? jitter : rtt;
      const empty = 'This scenario has no probe flow: add a probe (request/response) flow to measure latency.';
      return [
        {
          id: 'latency',
          title: 'Probe round-trip time and jitter',
          kind: 'lines',
          unit: 'ns',
          series: [
            ...rtt.map(({ c, i }, k) => ({ ...lineSeries(c, i, k), zeroIsGap: true })),
            ...jitter.map(({ c, i }, k) => ({ ...lineSeries(c, i, k), dash: [5, 3] })),
          ],
          yMinMax: 0,
          empty,
        },
        {
          id: opts.distribution === 'jitter' ? 'jitter-histogram' : 'rtt-histogram',
          // One value per sample interval (the engine's RTT channel is the interval's mean), not one per probe reply:
          // its p99 is not the flow's p99 latency, so the title says what is counted.
          title: opts.distribution === 'jitter' ? 'Per-interval jitter' : 'Per-interval mean RTT',
          kind: 'histogram',
          unit: 'ns',
          series: which.map(({ c, i }, k) => ({ ...lineSeries(c, i, k), zeroIsGap: opts.distribution !== 'jitter' })),
          yMinMax: 0,
          empty,
        },
      ];
    }
    case 'queues':
      return [
        {
          id: 'queue-depth',
          title: 'Queue depth per interface',
          kind: 'lines',
          unit: 'packets',
          series: indexed(channels, (c) => c.group === 'queue').map(({ c, i }, k) => lineSeries(c, i, k)),
          yMinMax: 0,
          empty: 'This scenario has no queues.',
        },
        {
          id: 'drops',
          title: 'Drops per sample interval',
          kind: 'lines',
          unit: 'packets',
          series: [
            ...indexed(channels, (c) => c.group === 'drops').map(({ c, i }, k) => lineSeries(c, i, k)),
            ...indexed(channels, (c) => c.group === 'checksum').map(({ c, i }, k) => ({
              ...lineSeries(c, i, k),
              unit: 'packets',
              colorVar: '--paid',
              shade: k * 0.8,
              dash: [2, 2],
            })),
          ],
          yMinMax: 0,
          empty: 'This scenario has no interfaces.',
        },
      ];
    default: {
      const never: never = tab;
      return never;
    }
  }
}

/** Visible window as kept-history indices [from, to) (0 = oldest kept). */
export interface Window {
  from: number;
  to: number;
}

/**
 * The view: following the newest samples (`endAbs` null) or frozen at an absolute sample number
 * (`received`-based, so it stays put while new samples arrive and old ones are evicted).
 */
export interface ViewState {
  endAbs: number | null;
  /** Samples in view; 0 = everything kept. */
  span: number;
}

export function visibleWindow(src: Pick<SeriesSource, 'length' | 'received'>, view: ViewState): Window {
  const n = src.length;
  const oldestAbs = src.received - n;
  const endRel = view.endAbs === null ? n : Math.min(n, Math.max(0, view.endAbs - oldestAbs));
  if (view.span <= 0) return { from: 0, to: endRel };
  // A frozen end nearer the oldest sample than one span still shows a full span.
  const to = Math.min(n, Math.max(endRel, view.span));
  return { from: Math.max(0, to - view.span), to };
}

/** Moves a view by `delta` samples (negative = back in time); freezes it. */
export function scrollView(src: Pick<SeriesSource, 'length' | 'received'>, view: ViewState, delta: number): ViewState {
  const w = visibleWindow(src, view);
  const oldestAbs = src.received - src.length;
  const minEnd = oldestAbs + Math.min(src.length, w.to - w.from);
  const endAbs = Math.max(minEnd, Math.min(src.received, oldestAbs + w.to + Math.round(delta)));
  return { ...view, endAbs };
}

/** Index (within [from, to)) of the sample whose time is nearest to `tNs`; -1 when the window is empty. */
export function nearestIndex(src: Pick<SeriesSource, 'tNs' | 'slot'>, w: Window, tNs: number): number {
  if (w.to <= w.from) return -1;
  let lo = w.from;
  let hi = w.to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (src.tNs[src.slot(mid)] < tNs) lo = mid + 1;
    else hi = mid;
  }
  if (lo > w.from && Math.abs(src.tNs[src.slot(lo - 1)] - tNs) <= Math.abs(src.tNs[src.slot(lo)] - tNs)) return lo - 1;
  return lo;
}

export interface Histogram {
  /** Bin edges, length bins + 1, in the channel's unit. */
  edges: number[];
  /** counts[series][bin]. */
  counts: number[][];
  /** Samples counted per series. */
  totals: number[];
  maxCount: number;
}

/** Bins the window's values of each series over a shared range (non-finite values and, when asked, zeros skipped). */
export function histogram(src: Pick<SeriesSource, 'values' | 'slot'>, w: Window, series: readonly Pick<SeriesSpec, 'channel' | 'zeroIsGap'>[], bins = 24): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  const keep = (s: Pick<SeriesSpec, 'zeroIsGap'>, v: number) => Number.isFinite(v) && !(s.zeroIsGap && v === 0);
  for (const s of series) {
    const col = src.values[s.channel];
    for (let k = w.from; k < w.to; k++) {
      const v = col[src.slot(k)];
      if (!keep(s, v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return { edges: [], counts: series.map(() => []), totals: series.map(() => 0), maxCount: 0 };
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, b) => lo + b * width);
  let maxCount = 0;
  const totals: number[] = [];
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    const col = src.values[s.channel];
    let total = 0;
    for (let k = w.from; k < w.to; k++) {
      const v = col[src.slot(k)];
      if (!keep(s, v)) continue;
      const b = Math.min(bins - 1, Math.floor((v - lo) / width));
      c[b]++;
      total++;
    }
    for (const x of c) maxCount = Math.max(maxCount, x);
    totals.push(total);
    return c;
  });
  return { edges, counts, totals, maxCount };
}

/** Base unit written in CSV headers (values are raw, unscaled). */
export function csvUnit(unit: string): string {
  switch (unit) {
    case 'ratio':
      return 'fraction of interval';
    case 'event/s':
      return 'events/s';
    default:
      return unit;
  }
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV of a chart's window: virtual time in ns, then one column per series, units in the headers. */
export function toCsv(src: Pick<SeriesSource, 'tNs' | 'values' | 'slot'>, w: Window, series: readonly Pick<SeriesSpec, 'channel' | 'id' | 'label' | 'unit'>[]): string {
  const header = ['time (ns)', ...series.map((s) => csvField(`${s.label} [${s.id}] (${csvUnit(s.unit)})`))].join(',');
  const lines = [header];
  for (let k = w.from; k < w.to; k++) {
    const slot = src.slot(k);
    let line = String(src.tNs[slot]);
    for (const s of series) line += `,${src.values[s.channel][slot]}`;
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

/** Largest stacked total in the window (for the stacked chart's y domain). */
export function stackedMax(src: Pick<SeriesSource, 'values' | 'slot'>, w: Window, series: readonly Pick<SeriesSpec, 'channel'>[]): number {
  let max = 0;
  for (let k = w.from; k < w.to; k++) {
    const slot = src.slot(k);
    let sum = 0;
    for (const s of series) {
      const v = src.values[s.channel][slot];
      if (Number.isFinite(v) && v > 0) sum += v;
    }
    if (sum > max) max = sum;
  }
  return max;
}

/** Largest value of any series in the window. */
export function seriesMax(src: Pick<SeriesSource, 'values' | 'slot'>, w: Window, series: readonly Pick<SeriesSpec, 'channel'>[]): number {
  let max = 0;
  const n = w.to - w.from;
  if (n <= 0) return 0;
  const first = src.slot(w.from);
  for (const s of series) {
    const col = src.values[s.channel];
    const cap = col.length;
    // Ring slots are consecutive modulo the capacity.
    for (let k = 0, slot = first; k < n; k++, slot = slot + 1 === cap ? 0 : slot + 1) {
      const v = col[slot];
      if (v > max) max = v;
    }
  }
  return max;
}

/** A/B ratio as text ("×1.84"), or "–" when undefined. */
export function ratioText(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '–';
  const r = a / b;
  return `×${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}`;
}
