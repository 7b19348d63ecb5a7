import { describe, expect, it } from 'vitest';
import { MetricsHistory } from '../../app/metrics-history';
import type { MetricChannel } from '../../core/protocol';
import { chartsForTab, coreLabels, histogram, nearestIndex, ratioText, recentMean, scrollView, stackedMax, toCsv, visibleWindow, type SeriesSpec } from './model';
import { chartSvg } from './svg';
import { computeLayout, wrapText } from './layout';

const CH: MetricChannel[] = [
  { id: 'flow/f1/throughput', label: 'f1 goodput', unit: 'bit/s', group: 'throughput' },
  { id: 'flow/probe/throughput', label: 'probe goodput', unit: 'bit/s', group: 'throughput' },
  { id: 'flow/probe/rtt', label: 'probe mean RTT', unit: 'ns', group: 'latency' },
  { id: 'flow/probe/jitter', label: 'probe jitter (RFC 3550)', unit: 'ns', group: 'latency' },
  { id: 'if/vm1/eth0/tx/bps', label: 'vm1/eth0 tx', unit: 'bit/s', group: 'throughput' },
  { id: 'if/vm1/eth0/rx/bps', label: 'vm1/eth0 rx', unit: 'bit/s', group: 'throughput' },
  { id: 'if/vm1/eth0/tx/pps', label: 'vm1/eth0 tx packets', unit: 'pkt/s', group: 'throughput' },
  { id: 'if/vm1/eth0/events', label: 'vm1/eth0 events', unit: 'event/s', group: 'events' },
  { id: 'if/vm1/eth0/drops', label: 'vm1/eth0 drops', unit: 'packets', group: 'drops' },
  { id: 'if/vm1/eth0/queue', label: 'vm1/eth0 queue depth', unit: 'packets', group: 'queue' },
  { id: 'cpu/h1 cpu0/event', label: 'h1 cpu0 event', unit: 'ratio', group: 'cpu' },
  { id: 'cpu/h1 cpu0/checksum', label: 'h1 cpu0 checksum', unit: 'ratio', group: 'cpu' },
  { id: 'cpu/h1 cpu0/copy', label: 'h1 cpu0 copy', unit: 'ratio', group: 'cpu' },
  { id: 'cpu/h1 cpu1/event', label: 'h1 cpu1 event', unit: 'ratio', group: 'cpu' },
  { id: 'cpu/h1 cpu1/checksum', label: 'h1 cpu1 checksum', unit: 'ratio', group: 'cpu' },
  { id: 'events/total', label: 'events', unit: 'event/s', group: 'events' },
  { id: 'events/kind/kick', label: 'kicks (guest → host)', unit: 'event/s', group: 'events' },
  { id: 'checksum/badDropped', label: 'bad checksums dropped', unit: 'count', group: 'checksum' },
];

/** History with `n` samples 10 ms apart; channel c at sample k = (c + 1) * (k + 1). */
function filled(n: number, capacity = 64): MetricsHistory {
  const h = new MetricsHistory(CH, capacity);
  const rec = new Float64Array(1 + CH.length);
  for (let k = 0; k < n; k++) {
    rec[0] = (k + 1) * 10e6;
    for (let c = 0; c < CH.length; c++) rec[1 + c] = (c + 1) * (k + 1);
    h.push(rec, 0);
  }
  return h;
}

describe('chartsForTab', () => {
  it('throughput: flows, then interface tx solid / rx dashed with the direction in the label', () => {
    const [goodput, links] = chartsForTab('throughput', CH);
    expect(goodput.series.map((s) => s.id)).toEqual(['flow/f1/throughput', 'flow/probe/throughput']);
    expect(links.series.map((s) => s.id)).toEqual(['if/vm1/eth0/tx/bps', 'if/vm1/eth0/rx/bps']);
    expect(links.series[0].dash).toEqual([]);
    expect(links.series[1].dash.length).toBeGreaterThan(0);
    expect(links.series[1].label).toContain('rx');
    // Same interface → same colour.
    expect(links.series[0].colorVar).toBe(links.series[1].colorVar);
  });

  it('cpu: stacks the chosen core, paid categories in the paid family with a pattern', () => {
    expect(coreLabels(CH)).toEqual(['h1 cpu0', 'h1 cpu1']);
    const [cpu] = chartsForTab('cpu', CH, { core: 'h1 cpu1' });
    expect(cpu.kind).toBe('stacked');
    expect(cpu.series.map((s) => s.id)).toEqual(['cpu/h1 cpu1/event', 'cpu/h1 cpu1/checksum']);
    const [cpu0] = chartsForTab('cpu', CH, { core: 'nope' });
    expect(cpu0.series.map((s) => s.label)).toEqual(['event', 'copy', 'checksum']); // COST_CATEGORIES order
    const byLabel = new Map(cpu0.series.map((s) => [s.label, s]));
    expect(byLabel.get('checksum')?.colorVar).toBe('--paid');
    expect(byLabel.get('checksum')?.pattern).not.toBe('solid');
    expect(byLabel.get('copy')?.note).toBe('paid in software');
    expect(byLabel.get('event')?.colorVar).toBe('--accent');
    expect(byLabel.get('event')?.pattern).toBe('solid');
    expect(cpu0.yMinMax).toBeGreaterThan(0);
  });

  it('latency: RTT (zero = gap) and jitter lines, and a histogram of the chosen one', () => {
    const [lines, hist] = chartsForTab('latency', CH, { distribution: 'jitter' });
    expect(lines.series.map((s) => s.id)).toEqual(['flow/probe/rtt', 'flow/probe/jitter']);
    expect(lines.series[0].zeroIsGap).toBe(true);
    expect(hist.kind).toBe('histogram');
    expect(hist.series.map((s) => s.id)).toEqual(['flow/probe/jitter']);
  });

  it('events, queues and drops pick their groups; an empty scenario gives empty charts with a message', () => {
    expect(chartsForTab('events', CH)[0].series.map((s) => s.id)).toEqual(['if/vm1/eth0/events', 'events/total']);
    expect(chartsForTab('events', CH)[1].series.map((s) => s.id)).toEqual(['events/kind/kick']);
    const [q, d] = chartsForTab('queues', CH);
    expect(q.series.map((s) => s.id)).toEqual(['if/vm1/eth0/queue']);
    expect(d.series.map((s) => s.id)).toEqual(['if/vm1/eth0/drops', 'checksum/badDropped']);
    for (const tab of ['throughput', 'events', 'cpu', 'latency', 'queues'] as const) {
      for (const c of chartsForTab(tab, [])) {
        expect(c.series).toEqual([]);
        expect(c.empty.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('view window', () => {
  it('follows the newest samples, or stays at a frozen absolute end while samples arrive and are evicted', () => {
    const h = filled(50, 64);
    expect(visibleWindow(h, { endAbs: null, span: 0 })).toEqual({ from: 0, to: 50 });
    expect(visibleWindow(h, { endAbs: null, span: 20 })).toEqual({ from: 30, to: 50 });
    const frozen = { endAbs: 40, span: 20 };
    expect(visibleWindow(h, frozen)).toEqual({ from: 20, to: 40 });
    const later = filled(80, 64); // 16 evicted: absolute 40 is now index 24
    expect(visibleWindow(later, frozen)).toEqual({ from: 4, to: 24 });
    expect(later.tNs[later.slot(23)]).toBe(40 * 10e6);
    // Frozen before the oldest kept sample: still one full span from the start.
    expect(visibleWindow(later, { endAbs: 3, span: 20 })).toEqual({ from: 0, to: 20 });
    expect(visibleWindow(later, { endAbs: 40, span: 0 })).toEqual({ from: 0, to: 24 });
  });

  it('scrolls within the kept history and clamps at both ends', () => {
    const h = filled(50, 64);
    const v = scrollView(h, { endAbs: null, span: 10 }, -15);
    expect(v.endAbs).toBe(35);
    expect(visibleWindow(h, v)).toEqual({ from: 25, to: 35 });
    expect(scrollView(h, v, -1000).endAbs).toBe(10);
    expect(scrollView(h, v, 1000).endAbs).toBe(50);
  });

  it('finds the nearest sample by time with a binary search over the ring', () => {
    const h = filled(80, 64); // kept: t = 170 ms … 800 ms
    const w = visibleWindow(h, { endAbs: null, span: 0 });
    expect(h.tNs[h.slot(nearestIndex(h, w, 0))]).toBe(170e6);
    expect(h.tNs[h.slot(nearestIndex(h, w, 254e6))]).toBe(250e6);
    expect(h.tNs[h.slot(nearestIndex(h, w, 256e6))]).toBe(260e6);
    expect(h.tNs[h.slot(nearestIndex(h, w, 9e9))]).toBe(800e6);
    expect(nearestIndex(h, { from: 3, to: 3 }, 0)).toBe(-1);
  });
});

describe('histogram, stacked max, CSV, ratio', () => {
  it('bins every kept value once, skipping zeros when the series says a zero is a gap', () => {
    const h = filled(30, 64);
    const w = { from: 0, to: 30 };
    const s: Pick<SeriesSpec, 'channel' | 'zeroIsGap'>[] = [{ channel: 2, zeroIsGap: true }];
    const hist = histogram(h, w, s, 10);
    expect(hist.totals).toEqual([30]);
    expect(hist.counts[0].reduce((a, b) => a + b, 0)).toBe(30);
    expect(hist.edges[0]).toBe(3);
    expect(hist.edges[10]).toBe(90);
    const zeros = new MetricsHistory(CH, 8);
    const rec = new Float64Array(1 + CH.length);
    zeros.push(rec, 0);
    rec[3] = 5;
    zeros.push(rec, 0);
    expect(histogram(zeros, { from: 0, to: 2 }, s, 4).totals).toEqual([1]);
    expect(histogram(zeros, { from: 0, to: 2 }, [{ channel: 2, zeroIsGap: false }], 4).totals).toEqual([2]);
    expect(histogram(zeros, { from: 0, to: 0 }, s).edges).toEqual([]);
  });

  it('stacked max sums the series per sample', () => {
    const h = filled(10);
    expect(stackedMax(h, { from: 0, to: 10 }, [{ channel: 0 }, { channel: 1 }])).toBe(10 + 20);
    expect(stackedMax(h, { from: 0, to: 5 }, [{ channel: 0 }, { channel: 1 }])).toBe(5 + 10);
  });

  it('CSV: time and the chart channels with units in the header, one row per visible sample', () => {
    const h = filled(5);
    const [goodput] = chartsForTab('throughput', CH);
    const csv = toCsv(h, { from: 1, to: 4 }, goodput.series);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('time (ns),f1 goodput [flow/f1/throughput] (bit/s),probe goodput [flow/probe/throughput] (bit/s)');
    expect(lines.slice(1)).toEqual(['20000000,2,4', '30000000,3,6', '40000000,4,8']);
    const [cpu] = chartsForTab('cpu', [{ id: 'cpu/a,"b"/copy', label: 'x', unit: 'ratio', group: 'cpu' }]);
    expect(toCsv(h, { from: 0, to: 0 }, cpu.series)).toBe('time (ns),"copy [cpu/a,""b""/copy] (fraction of interval)"\n');
  });

  it('ratio text', () => {
    expect(ratioText(2, 1)).toBe('×2.00');
    expect(ratioText(150, 1)).toBe('×150');
    expect(ratioText(1, 0)).toBe('–');
    expect(ratioText(undefined, 1)).toBe('–');
  });
});

describe('SVG export', () => {
  const theme = { bg: '#fff', fg: '#000', muted: '#666', grid: '#ddd', color: (i: number) => ['#0b6e4f', '#b4490b', '#3559b7'][i % 3] };

  it('draws axes with units, one path per line series and a legend with values', () => {
    const h = filled(20);
    const [goodput] = chartsForTab('throughput', CH);
    const svg = chartSvg(goodput, h, { from: 0, to: 20 }, 600, 200, theme);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>Goodput per flow</title>');
    expect(svg).toMatch(/>\d+ bit\/s</);
    expect(svg).toMatch(/>\d+ ms</);
    expect(svg.match(/<path d="M/g)?.length).toBe(2);
    expect(svg).toContain('f1 goodput 20 bit/s');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('stacked areas use the category pattern; histograms draw bars; labels are escaped', () => {
    const h = filled(20);
    const [cpu] = chartsForTab('cpu', CH);
    const svg = chartSvg({ ...cpu, title: 'a <b> & c' }, h, { from: 0, to: 20 }, 600, 200, theme);
    expect(svg).toContain('<title>a &lt;b&gt; &amp; c</title>');
    expect(svg.match(/<polygon /g)?.length).toBe(3);
    expect(svg).toMatch(/<pattern id="p1"/);
    expect(svg).toContain('fill="url(#p1)"');
    expect(svg).toContain('checksum (paid in software)');
    const [, hist] = chartsForTab('latency', CH);
    const hsvg = chartSvg(hist, h, { from: 0, to: 20 }, 400, 200, theme);
    expect(hsvg).toMatch(/<path d="M[\d.]+,[\d.]+V/);
    // One value per sample interval (a mean), so the axis and title count intervals, not probe replies.
    expect(hist.title).toBe('Per-interval mean RTT');
    expect(hsvg).toContain('intervals');
    expect(hsvg).not.toMatch(/\d samples/);
  });

  it('layout: CPU share in %, time axis in ms, whole packets on count axes', () => {
    const h = filled(20);
    const [cpu] = chartsForTab('cpu', [{ id: 'cpu/c/event', label: 'c event', unit: 'ratio', group: 'cpu' }]);
    const L = computeLayout(cpu, { ...h, channels: h.channels, length: h.length, version: h.version, received: h.received, tNs: h.tNs, values: [new Float64Array(64).fill(0.2)], slot: (i) => h.slot(i) }, { from: 0, to: 20 }, 600, 200);
    expect(L.y.domain()[1]).toBeGreaterThanOrEqual(0.2);
    expect(L.y.domain()[1]).toBeLessThan(0.5);
    expect(L.yTicks.at(-1)?.text).toMatch(/%$/);
    expect(L.xTicks[0].text).toMatch(/ms$/);
    const [, drops] = chartsForTab('queues', CH);
    const D = computeLayout(drops, { ...h, channels: h.channels, length: 2, version: 0, received: 2, tNs: h.tNs, values: h.values.map(() => new Float64Array(64)), slot: (i) => i }, { from: 0, to: 2 }, 600, 200);
    expect(D.yTicks.map((t) => t.text)).toEqual(['0 pkt', '1 pkt']);
    // A nearly fully busy core: the axis stops at 100 %, even on a short plot.
    const busy = { ...h, channels: h.channels, length: h.length, version: 0, received: h.received, tNs: h.tNs, values: [new Float64Array(64).fill(0.97)], slot: (i: number) => h.slot(i) };
    const B = computeLayout(cpu, busy, { from: 0, to: 20 }, 600, 110);
    expect(B.y.domain()).toEqual([0, 1]);
    expect(B.yTicks.at(-1)?.text).toBe('100 %');
  });
});

const perChar = (s: string) => s.length * 7;

describe('wrapText (canvas messages do not wrap by themselves)', () => {
  it('keeps a short message on one line', () => {
    expect(wrapText('Waiting for samples — press Run.', 400, perChar)).toEqual(['Waiting for samples — press Run.']);
  });
  it('breaks the no-probe message into lines that fit a narrow chart', () => {
    const text = 'This scenario has no probe flow: add a probe (request/response) flow to measure latency.';
    const lines = wrapText(text, 300, perChar);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(perChar(l)).toBeLessThanOrEqual(300);
    expect(lines.join(' ')).toBe(text);
  });
  it('gives an over-long word a line of its own instead of dropping it', () => {
    expect(wrapText('a verylongwordindeed b', 50, perChar)).toEqual(['a', 'verylongwordindeed', 'b']);
  });
});

describe('sparse lines (zero is a gap)', () => {
  const theme = { bg: '#fff', fg: '#000', muted: '#666', grid: '#ddd', color: () => '#0b6e4f' };
  it('a point with gaps on both sides still draws (a short tick), a run of two draws a segment', () => {
    const h = filled(7);
    const rtt = CH.findIndex((c) => c.id === 'flow/probe/rtt');
    // Intervals 0 and 3 have an RTT with no neighbour; 5–6 form a run of two.
    for (const [k, v] of [5e6, 0, 0, 7e6, 0, 8e6, 9e6].entries()) h.values[rtt][h.slot(k)] = v;
    const [lines] = chartsForTab('latency', CH);
    const svg = chartSvg({ ...lines, series: lines.series.slice(0, 1) }, h, { from: 0, to: 7 }, 600, 200, theme);
    const d = /<path d="([^"]*)" fill="none"/.exec(svg)?.[1] ?? '';
    expect(d.match(/H/g)?.length).toBe(2);
    expect(d.match(/L/g)?.length).toBe(1);
  });
});

describe('recentMean (legend and canvas values)', () => {
  // Ten 10 ms samples: a 64 KiB blob (52.4 Mbit/s for one sample) every fifth sample, as through a 10 Mbit/s shaper.
  const tNs = Float64Array.from({ length: 20 }, (_, i) => (i + 1) * 10_000_000);
  const blobs = Float64Array.from({ length: 20 }, (_, i) => (i % 5 === 4 ? 52.4e6 : 0));
  const src = { tNs, values: [blobs], slot: (i: number) => i };

  it('averages the samples of the last 100 ms of virtual time: the link rate, not 0 or 52 Mbit/s', () => {
    expect(recentMean(src, 0, 0, 19)).toBeCloseTo(10.48e6, 0);
    expect(recentMean(src, 0, 0, 19, 10_000_000)).toBe(52.4e6);
  });

  it('stops at the first kept sample and skips missing values', () => {
    expect(recentMean(src, 0, 18, 19)).toBe(26.2e6);
    const gaps = { ...src, values: [Float64Array.from([Number.NaN, 4, Number.NaN, 8])] };
    expect(recentMean(gaps, 0, 0, 3)).toBe(6);
    expect(recentMean({ ...src, values: [Float64Array.from([Number.NaN])] }, 0, 0, 0)).toBeNaN();
  });
});
