/**
 * Chart bench page (served by vite dev at /bench/charts-bench.html).
 *
 * Default: the engine runs a preset in its worker (so the machine is as busy as during a real run) while a
 * synthetic history streams 20 bit/s series at 10 Hz into the ChartsPanel AND into uPlot, both the same
 * size, showing the same window; frame times and per-update draw costs land in `window.chartsBenchResult`.
 * `?mode=app&preset=<id>[&b=<id>]`: the ChartsPanel over the real engine (and a B run overlaid), for
 * looking at it.
 */
import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import uPlot from 'uplot';
// oxlint-disable-next-line import/no-unassigned-import -- stylesheets are imported for their side effect
import 'uplot/dist/uPlot.min.css';
// oxlint-disable-next-line import/no-unassigned-import -- stylesheets are imported for their side effect
import '../src/ui/styles.css';
import { EngineClient } from '../src/app/engine-client';
import { MetricsHistory } from '../src/app/metrics-history';
import type { MetricChannel } from '../src/core/protocol';
import { PRESETS } from '../src/core/scenario/presets';
import { ChartsPanel } from '../src/ui/charts/ChartsPanel';

const params = new URLSearchParams(location.search);
const mode = params.get('mode') ?? 'bench';
const SERIES = Number(params.get('series') ?? 20);
const HZ = Number(params.get('hz') ?? 10);
const SECONDS = Number(params.get('seconds') ?? 15);
const PREFILL = Number(params.get('prefill') ?? 2000);
/** `?only=ours` or `?only=uplot`: mount one chart, to see each one's share of the frame time. */
const ONLY = params.get('only');
const HEIGHT = 190;

function startEngine(presetId: string): EngineClient {
  const client = new EngineClient();
  const preset = PRESETS.find((p) => p.id === presetId) ?? PRESETS[0];
  void client.load(preset.scenario, 1).then((res) => {
    if (res.ok) void client.start();
  });
  return client;
}

function AppMode() {
  const [a] = useState(() => startEngine(params.get('preset') ?? 'vm-vm-offload'));
  const [b] = useState(() => (params.get('b') ? startEngine(params.get('b')!) : null));
  // The workers live as long as the page (StrictMode's effect replay must not terminate them).
  const source = useCallback(() => a.history, [a]);
  const compare = useCallback(() => b?.history ?? null, [b]);
  const poll = useCallback(() => {
    a.poll();
    b?.poll();
  }, [a, b]);
  return (
    <div style={{ padding: 12, maxWidth: 1280 }}>
      <ChartsPanel source={source} beforeFrame={poll} {...(b ? { compare } : {})} />
    </div>
  );
}

interface Stats {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

function stats(xs: number[]): Stats {
  const s = xs.toSorted((p, q) => p - q);
  const q = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] : 0);
  return { count: s.length, mean: s.length ? s.reduce((x, y) => x + y, 0) / s.length : 0, p50: q(0.5), p95: q(0.95), max: s.length ? s[s.length - 1] : 0 };
}

/** Drops the first tenth (JIT warm-up). */
const skip = (xs: number[]): number[] => xs.slice(Math.floor(xs.length * 0.1));

declare global {
  var chartsBenchResult: unknown;
}

function BenchMode() {
  const [history] = useState(() => {
    const channels: MetricChannel[] = [];
    for (let i = 0; i < SERIES; i++) {
      const dir = i % 2 === 0 ? 'tx' : 'rx';
      const name = `h${Math.floor(i / 2)}/eth0`;
      channels.push({ id: `if/${name}/${dir}/bps`, label: `${name} ${dir}`, unit: 'bit/s', group: 'throughput' });
    }
    return new MetricsHistory(channels);
  });
  const [engine] = useState(() => startEngine(params.get('preset') ?? 'vm-vm-offload'));

  useEffect(() => {
    // Seeded random walk per series so every run draws the same data.
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const level = Array.from({ length: SERIES }, (_, i) => (i + 1) * 4e8);
    const rec = new Float64Array(1 + SERIES);
    let t = 0;
    const push = () => {
      t += 1e9 / HZ;
      rec[0] = t;
      for (let i = 0; i < SERIES; i++) {
        level[i] = Math.max(0, level[i] * (0.97 + rnd() * 0.06));
        rec[1 + i] = level[i];
      }
      history.push(rec, 0);
    };
    for (let k = 0; k < PREFILL; k++) push();
    const id = setInterval(push, 1000 / HZ);
    return () => clearInterval(id);
  }, [history]);

  const [acc] = useState(() => ({ ours: [] as number[], oursFrame: [] as number[] }));
  const source = useCallback(() => history, [history]);
  const poll = useCallback(() => engine.poll(), [engine]);
  const onCost = useCallback(
    (ms: number, drew: boolean) => {
      // Canvas drawing is rasterised later in the frame; reading a pixel forces it now so the cost counts.
      let raster = 0;
      if (drew) {
        const t = performance.now();
        for (const c of document.querySelectorAll<HTMLCanvasElement>('.ol-plot canvas:not(.ol-overlay)')) c.getContext('2d')?.getImageData(0, 0, 1, 1);
        raster = performance.now() - t;
      }
      acc.oursFrame.push(ms + raster);
      if (drew) acc.ours.push(ms + raster);
    },
    [acc],
  );

  useEffect(() => {
    const host = document.getElementById('uplot-host')!;
    const width = (document.querySelector('.ol-tab-throughput .ol-chart:nth-child(2) canvas') as HTMLCanvasElement | null)?.clientWidth ?? 614;
    const styles = getComputedStyle(document.documentElement);
    const colors = ['--series-1', '--series-2', '--series-3', '--series-4', '--series-5', '--series-6'].map((v) => styles.getPropertyValue(v).trim());
    const uplotCosts: number[] = [];
    // Per frame: the whole update (set data + the draw uPlot runs in a microtask) or the idle check.
    const uplotFrame: number[] = [];
    let t0 = 0;
    const u = new uPlot(
      {
        width,
        height: HEIGHT,
        scales: { x: { time: false } },
        series: [{}, ...history.channels.map((c, i) => ({ label: c.label, stroke: colors[i % colors.length], width: 1.75 }))],
        hooks: {
          draw: [
            () => {
              if (t0 > 0) {
                u.ctx.getImageData(0, 0, 1, 1);
                const cost = performance.now() - t0;
                uplotCosts.push(cost);
                uplotFrame.push(cost);
              }
              t0 = 0;
            },
          ],
        },
      },
      [[], ...history.channels.map(() => [])],
      host,
    );
    const frames: number[] = [];
    let drawnVersion = -1;
    let last = 0;
    let raf = 0;
    const startAt = performance.now() + 1000;
    const endAt = startAt + SECONDS * 1000;
    const frame = (now: number) => {
      raf = requestAnimationFrame(frame);
      if (last > 0 && now >= startAt) frames.push(now - last);
      last = now;
      const f0 = performance.now();
      if (ONLY === 'uplot') engine.poll();
      if (ONLY !== 'ours' && history.version !== drawnVersion) {
        drawnVersion = history.version;
        t0 = f0;
        const n = history.length;
        const xs = new Float64Array(n);
        const ys = history.values.map(() => new Float64Array(n));
        for (let k = 0; k < n; k++) {
          const slot = history.slot(k);
          xs[k] = history.tNs[slot] / 1e9;
          for (let c = 0; c < ys.length; c++) ys[c][k] = history.values[c][slot];
        }
        u.setData([xs, ...ys] as unknown as uPlot.AlignedData);
      } else uplotFrame.push(performance.now() - f0);
      if (now >= endAt && !globalThis.chartsBenchResult) {
        globalThis.chartsBenchResult = {
          series: SERIES,
          hz: HZ,
          seconds: SECONDS,
          keptSamples: history.length,
          engineSamples: engine.history?.received ?? 0,
          frameMs: stats(frames),
          oursUpdateMs: stats(skip(acc.ours)),
          oursPerFrameMs: stats(skip(acc.oursFrame)),
          uplotUpdateMs: stats(skip(uplotCosts)),
          uplotPerFrameMs: stats(skip(uplotFrame)),
        };
        const out = document.getElementById('bench-result');
        if (out) out.textContent = JSON.stringify(globalThis.chartsBenchResult, null, 2);
      }
    };
    raf = requestAnimationFrame(frame);
    return () => {
      cancelAnimationFrame(raf);
      u.destroy();
    };
    // oxlint-disable-next-line react-hooks/exhaustive-deps -- mounted once per page
  }, []);

  return (
    <div style={{ padding: 12, maxWidth: 1280 }}>
      {ONLY !== 'uplot' && <ChartsPanel source={source} beforeFrame={poll} onFrameCost={onCost} chartHeight={HEIGHT} />}
      <h2 style={{ fontSize: 14 }}>uPlot 1.6.32, same data and window</h2>
      <div id="uplot-host" />
      <pre id="bench-result" data-testid="bench-result" />
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode>{mode === 'app' ? <AppMode /> : <BenchMode />}</StrictMode>);
