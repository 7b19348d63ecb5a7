/**
 * Chart benchmark: 20 bit/s series streaming at 10 Hz into the ChartsPanel and, in the same page and the
 * same frames, into uPlot 1.6.32 drawing the same data and window at the same size, while the engine
 * worker runs a preset. Prints frame times and draw cost per update and per frame, with ratios to uPlot.
 */
import { test, expect } from '@playwright/test';

interface Stats {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}
interface Result {
  series: number;
  hz: number;
  seconds: number;
  keptSamples: number;
  engineSamples: number;
  frameMs: Stats;
  oursUpdateMs: Stats;
  oursPerFrameMs: Stats;
  uplotUpdateMs: Stats;
  uplotPerFrameMs: Stats;
}

const f = (x: number): string => x.toFixed(3).padStart(8);
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : '–').padStart(7);

const CASES: { prefill: number; only: 'both' | 'ours' | 'uplot' }[] = [
  { prefill: 300, only: 'both' },
  { prefill: 3000, only: 'both' },
  { prefill: 3000, only: 'ours' },
  { prefill: 3000, only: 'uplot' },
];

for (const { prefill, only } of CASES) {
  test(`20 series at 10 Hz, ${prefill} samples kept before streaming, charts: ${only}`, async ({ page }) => {
    const seconds = 12;
    await page.goto(`/bench/charts-bench.html?series=20&hz=10&seconds=${seconds}&prefill=${prefill}${only === 'both' ? '' : `&only=${only}`}`);
    await page.waitForFunction(() => globalThis.chartsBenchResult !== undefined, null, { timeout: (seconds + 60) * 1000 });
    const r = (await page.evaluate(() => globalThis.chartsBenchResult)) as Result;
    const rows = [
      `charts bench [${only}]: ${r.series} series × ${r.keptSamples} kept samples in view, ${r.hz} Hz, ${r.seconds} s measured, engine samples during the run: ${r.engineSamples}`,
      `                               mean      p50      p95      max   count`,
      `frame interval (ms)       ${f(r.frameMs.mean)} ${f(r.frameMs.p50)} ${f(r.frameMs.p95)} ${f(r.frameMs.max)} ${String(r.frameMs.count).padStart(7)}`,
      `ChartsPanel per update    ${f(r.oursUpdateMs.mean)} ${f(r.oursUpdateMs.p50)} ${f(r.oursUpdateMs.p95)} ${f(r.oursUpdateMs.max)} ${String(r.oursUpdateMs.count).padStart(7)}`,
      `uPlot per update          ${f(r.uplotUpdateMs.mean)} ${f(r.uplotUpdateMs.p50)} ${f(r.uplotUpdateMs.p95)} ${f(r.uplotUpdateMs.max)} ${String(r.uplotUpdateMs.count).padStart(7)}`,
      `ChartsPanel per frame     ${f(r.oursPerFrameMs.mean)} ${f(r.oursPerFrameMs.p50)} ${f(r.oursPerFrameMs.p95)} ${f(r.oursPerFrameMs.max)} ${String(r.oursPerFrameMs.count).padStart(7)}`,
      `uPlot per frame (sync)    ${f(r.uplotPerFrameMs.mean)} ${f(r.uplotPerFrameMs.p50)} ${f(r.uplotPerFrameMs.p95)} ${f(r.uplotPerFrameMs.max)} ${String(r.uplotPerFrameMs.count).padStart(7)}`,
      `ratio ChartsPanel / uPlot per update: mean ${ratio(r.oursUpdateMs.mean, r.uplotUpdateMs.mean)}  p95 ${ratio(r.oursUpdateMs.p95, r.uplotUpdateMs.p95)}`,
      `frame p95 budget 16.7 ms: ${r.frameMs.p95 <= 16.7 ? 'within' : 'OVER'}`,
    ];
    console.log(rows.join('\n'));
    // Both charts really drew the streamed samples (a sanity check, not a timing assertion).
    if (only !== 'uplot') expect(r.oursUpdateMs.count).toBeGreaterThan(seconds * r.hz * 0.3);
    if (only !== 'ours') expect(r.uplotUpdateMs.count).toBeGreaterThan(seconds * r.hz * 0.3);
  });
}
