// The engine's control API end to end through the UI: run, pause, step, resume, stop and speed. Every wait
// is on app state (run state, virtual time, samples received), never on a fixed sleep.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

const MS = 1e6;
const UNIT_NS: Record<string, number> = { ns: 1, 'µs': 1e3, ms: 1e6, s: 1e9 };

/** Virtual time and duration as the status bar shows them (3 significant digits), in ns. */
async function virtualTime(page: Page): Promise<{ nowNs: number; durationNs: number; nowText: string }> {
  const text = (await page.getByLabel('Run status').textContent()) ?? '';
  const m = /virtual time\s*([\d.]+)\s*(ns|µs|ms|s)?\s*of\s*([\d.]+)\s*(ns|µs|ms|s)/.exec(text);
  if (!m) throw new Error(`no virtual time in the status bar: "${text}"`);
  return { nowNs: Number(m[1]) * (UNIT_NS[m[2] ?? 'ns'] ?? NaN), durationNs: Number(m[3]) * UNIT_NS[m[4]], nowText: `${m[1]}${m[2] ? ` ${m[2]}` : ''}` };
}

async function samples(page: Page): Promise<number> {
  return Number(await page.getByTestId('samples-received').textContent());
}

async function ready(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
}

const runButton = (page: Page) => page.getByRole('button', { name: '▶ Run' });
const resumeButton = (page: Page) => page.getByRole('button', { name: '▶ Resume' });
const stepButton = (page: Page) => page.getByRole('button', { name: 'Step one sample interval' });

test('step advances virtual time by exactly one sample interval; pause holds it; resume continues', async ({ page }) => {
  await ready(page);
  const interval = 10 * MS; // every preset samples every 10 ms
  await page.getByLabel('Speed').selectOption({ label: '1/10× real time' });

  await stepButton(page).click();
  await expect(page.getByTestId('run-state')).toHaveText('paused');
  await expect.poll(async () => (await virtualTime(page)).nowNs).toBe(interval);
  await expect.poll(() => samples(page)).toBe(1);
  await stepButton(page).click();
  await expect.poll(async () => (await virtualTime(page)).nowNs).toBe(2 * interval);
  await expect.poll(() => samples(page)).toBe(2);

  await resumeButton(page).click();
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await expect.poll(() => samples(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText('paused');

  // Paused: the samples drained so far are exactly those on the 10 ms grid up to the paused virtual time.
  let paused = await virtualTime(page);
  let count = 0;
  const tolNs = (t: number) => (t >= 100 * MS ? 0.5 * MS : 0.05 * MS); // half the last displayed digit
  await expect
    .poll(async () => {
      paused = await virtualTime(page);
      count = await samples(page);
      return count * interval <= paused.nowNs + tolNs(paused.nowNs) && paused.nowNs - tolNs(paused.nowNs) < (count + 1) * interval;
    })
    .toBe(true);
  expect((await virtualTime(page)).nowNs).toBe(paused.nowNs);

  await stepButton(page).click();
  await expect.poll(() => samples(page)).toBe(count + 1);
  await expect.poll(async () => Math.abs((await virtualTime(page)).nowNs - (paused.nowNs + interval)) <= 2 * tolNs(paused.nowNs + interval)).toBe(true);
  await expect(page.getByTestId('run-state')).toHaveText('paused');

  await resumeButton(page).click();
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await expect.poll(() => samples(page), { timeout: 30_000 }).toBeGreaterThan(count + 1);
});

test('stop ends a run early; a new run starts from zero; a speed change takes effect mid-run', async ({ page }) => {
  await ready(page);
  const { durationNs } = await virtualTime(page);
  await page.getByLabel('Speed').selectOption({ label: '1/10× real time' });
  await runButton(page).click();
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await expect.poll(() => samples(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText('finished');
  const stopped = await virtualTime(page);
  expect(stopped.nowNs).toBeGreaterThan(0);
  expect(stopped.nowNs).toBeLessThan(durationNs);

  // At 1/1000× the 500 ms run would take over 8 minutes of wall time: finishing proves the new speed applied.
  await page.getByLabel('Speed').selectOption({ label: '1/1000× real time' });
  await runButton(page).click();
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await expect.poll(async () => (await virtualTime(page)).nowNs).toBeLessThan(stopped.nowNs);
  const before = await samples(page); // the counter is cumulative across runs
  await page.getByLabel('Speed').selectOption({ label: 'as fast as possible' });
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 45_000 });
  expect((await virtualTime(page)).nowNs).toBe(durationNs);
  // The restarted run streamed every one of its samples into the page.
  await expect.poll(() => samples(page)).toBe(before + Math.round(durationNs / (10 * MS)));
});
