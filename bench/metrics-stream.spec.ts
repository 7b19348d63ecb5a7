// Main-thread cost of the live metrics stream in Chromium: the engine worker at 1/10× real time with a 10 ms
// sample interval sends 10 samples per wall second through the shared ring; the page drains them on
// animation frames and redraws its charts. Chrome's own counters (CDP Performance.getMetrics: TaskDuration =
// all main-thread tasks, ScriptDuration = JavaScript) over 50 samples, against the same page idle (loaded,
// not running) for the same wall time, measured in the same run.
import { test, expect, type CDPSession, type Page } from '@playwright/test';
import { BENCH_DEV_PORT } from './playwright.bench.config';

const PRESET = 'qos-slow-egress'; // cheap to simulate, so the worker keeps pace on a small machine
const SAMPLES = 50;

async function counters(cdp: CDPSession): Promise<{ taskS: number; scriptS: number; wallS: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
  return { taskS: get('TaskDuration'), scriptS: get('ScriptDuration'), wallS: get('Timestamp') };
}

/** Seconds of thread time over seconds of wall time, as ms per second. */
const perS = (dtS: number, wallS: number): number => (dtS * 1000) / wallS;

const samples = async (page: Page) => Number(await page.getByTestId('samples-received').textContent());

async function startStream(page: Page, url: string): Promise<void> {
  await page.goto(url);
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('run-state')).toHaveText('loaded', { timeout: 30_000 });
  await page.getByLabel('Scenario preset').selectOption(PRESET);
  await page.getByLabel('Speed').selectOption({ label: '1/10× real time' });
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
}

function printTable(title: string, rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`\n${title}`);
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

test('main-thread time per second on the 10 Hz metrics stream', async ({ page }) => {
  await startStream(page, '/');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });

  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('transport')).toHaveText('shared ring');
  await expect.poll(() => samples(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(5); // warm-up
  const first = await samples(page);
  const a = await counters(cdp);
  await expect.poll(() => samples(page), { timeout: 60_000, intervals: [50] }).toBeGreaterThanOrEqual(first + SAMPLES);
  const b = await counters(cdp);
  const got = (await samples(page)) - first;
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('paused');

  // Idle baseline: the same page paused, for the same wall time (a benchmark window, not a test wait).
  const wallS = b.wallS - a.wallS;
  const c = await counters(cdp);
  await page.waitForTimeout(wallS * 1000);
  const d = await counters(cdp);

  const streamTask = perS(b.taskS - a.taskS, wallS);
  const streamScript = perS(b.scriptS - a.scriptS, wallS);
  const idleTask = perS(d.taskS - c.taskS, d.wallS - c.wallS);
  const idleScript = perS(d.scriptS - c.scriptS, d.wallS - c.wallS);
  const rows = [
    ['', 'main-thread task ms/s', 'script ms/s'],
    [`streaming (${got} samples in ${wallS.toFixed(2)} s = ${(got / wallS).toFixed(1)} Hz)`, streamTask.toFixed(2), streamScript.toFixed(2)],
    ['idle baseline (paused, same page)', idleTask.toFixed(2), idleScript.toFixed(2)],
    ['stream cost (streaming − idle)', (streamTask - idleTask).toFixed(2), (streamScript - idleScript).toFixed(2)],
    ['per sample, ms', ((b.taskS - a.taskS) * 1000 / got).toFixed(3), ((b.scriptS - a.scriptS) * 1000 / got).toFixed(3)],
  ];
  printTable(`Metrics stream, production build, ${PRESET} at 1/10× real time, 1280×720, Chromium (CDP Performance.getMetrics)`, rows);
  expect(got).toBeGreaterThanOrEqual(SAMPLES);
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

/** Where a profiled function lives: the stream's data path, the charts, the rest of the app, or elsewhere. */
function bucket(url: string, fn: string): string {
  const path = url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');
  if (/^\/src\/core\/ring\/|^\/src\/app\/(engine-client|metrics-history)\.ts$|\/comlink\//.test(path)) return 'stream data path (ring drain, history, Comlink)';
  if (path.startsWith('/src/ui/charts/')) return 'charts (src/ui/charts)';
  if (path.startsWith('/src/')) return 'rest of the app (src/)';
  if (path.includes('/node_modules/')) return 'libraries (React, d3, zustand…)';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'browser (program: layout, paint, style)';
  if (fn === '(idle)') return '(idle)';
  return url === '' ? 'native calls (canvas, DOM, timers)' : 'other';
}

test('attribution of main-thread JavaScript during the stream (dev server: one URL per module)', async ({ page }) => {
  await startStream(page, `http://127.0.0.1:${BENCH_DEV_PORT}/`);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect.poll(() => samples(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
  const first = await samples(page);
  await cdp.send('Profiler.start');
  await expect.poll(() => samples(page), { timeout: 60_000, intervals: [50] }).toBeGreaterThanOrEqual(first + SAMPLES);
  const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number } };
  const got = (await samples(page)) - first;
  const wallS = (profile.endTime - profile.startTime) / 1e6;
  const byNode = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const usByBucket = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const cf = byNode.get(profile.samples[i]);
    const key = cf ? bucket(cf.url, cf.functionName) : 'other';
    usByBucket.set(key, (usByBucket.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const rows = [['self time (sampled every 100 µs)', 'ms/s', 'ms per sample']];
  for (const [k, us] of [...usByBucket].filter(([name]) => name !== '(idle)').toSorted((a, b) => b[1] - a[1])) {
    rows.push([k, (us / 1000 / wallS).toFixed(2), (us / 1000 / got).toFixed(3)]);
  }
  printTable(`Main-thread attribution, dev build (unminified, React dev mode: slower than production), ${got} samples in ${wallS.toFixed(2)} s`, rows);
  expect(got).toBeGreaterThanOrEqual(SAMPLES);
});
