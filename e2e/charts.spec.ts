import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

const received = async (page: Page): Promise<number> => Number(await page.getByTestId('samples-received').textContent());

async function startRun(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  // 1/100× real time: about one 10 ms sample per wall second, so the run is still going while the test
  // pauses the view and samples arrive behind it.
  const speed = page.getByLabel('Speed');
  const slow = (await speed.locator('option').allTextContents()).find((t) => t.startsWith('1/100×'));
  if (slow) await speed.selectOption({ label: slow });
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect.poll(() => received(page), { timeout: 30_000 }).toBeGreaterThan(3);
}

test('live charts: tabs, tooltip with units, pause freezes, CSV/SVG/PNG export', async ({ page }) => {
  await startRun(page);
  const tabs = page.getByRole('tablist', { name: 'Chart sections' });
  await expect(tabs).toBeVisible();
  await expect(tabs.getByRole('tab', { name: 'Throughput' })).toHaveAttribute('aria-selected', 'true');
  const goodput = page.getByRole('img', { name: /^Goodput per flow/ });
  await expect(goodput).toBeVisible();
  await expect(page.getByRole('list', { name: 'Goodput per flow legend' })).toContainText(/\d.*bit\/s/);

  // Freezing the view keeps the picture while samples keep arriving; following live moves on again.
  await page.mouse.move(0, 0);
  const pause = page.getByRole('button', { name: 'Freeze view' });
  await pause.click();
  await expect(page.getByRole('button', { name: 'Follow live' })).toHaveAttribute('aria-pressed', 'true');
  const legend = page.getByRole('list', { name: 'Interface throughput, tx and rx legend' });
  const frozenPixels = await goodput.screenshot();
  const frozenLegend = await legend.textContent();
  const atPause = await received(page);
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await expect.poll(() => received(page), { timeout: 20_000 }).toBeGreaterThan(atPause + 2);
  expect((await goodput.screenshot()).equals(frozenPixels)).toBe(true);
  expect(await legend.textContent()).toBe(frozenLegend);
  await page.getByRole('button', { name: 'Follow live' }).click();
  await expect(page.getByRole('button', { name: 'Freeze view' })).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(async () => (await goodput.screenshot()).equals(frozenPixels), { timeout: 10_000 }).toBe(false);

  // Scroll back with the slider: the view freezes at an earlier end.
  const slider = page.getByRole('slider', { name: 'Scroll back through the run' });
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(page.getByRole('button', { name: 'Follow live' })).toBeVisible();
  await expect(slider).toHaveAttribute('aria-valuetext', /^paused: /);
  await page.getByRole('button', { name: 'Follow live' }).click();

  // Hover: the tooltip gives the exact value with its unit at the nearest sample.
  const box = (await goodput.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
  const tip = page.getByRole('tooltip');
  await expect(tip).toBeVisible();
  await expect(tip).toContainText(/\d+(\.\d+)? (ms|s|µs)/);
  await expect(tip).toContainText(/goodput\s*\d+(\.\d+)? [kMG]?bit\/s/);
  await page.mouse.move(0, 0);
  await expect(tip).toBeHidden();
  // The same from the keyboard.
  await goodput.focus();
  await page.keyboard.press('End');
  await expect(tip).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(tip).toContainText('bit/s');
  await page.keyboard.press('Escape');
  await expect(tip).toBeHidden();

  // Tabs switch by click and by arrow keys.
  await tabs.getByRole('tab', { name: 'CPU breakdown' }).click();
  await expect(tabs.getByRole('tab', { name: 'CPU breakdown' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('img', { name: /^CPU time by cost category/ })).toBeVisible();
  await expect(page.getByRole('list', { name: /^CPU time by cost category.*legend$/ })).toContainText('paid in software');
  await expect(page.getByRole('list', { name: /^CPU time by cost category.*legend$/ })).toContainText('%');
  await page.keyboard.press('ArrowRight');
  await expect(tabs.getByRole('tab', { name: 'Latency/jitter' })).toHaveAttribute('aria-selected', 'true');
  await expect(tabs.getByRole('tab', { name: 'Latency/jitter' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('img', { name: /^Queue depth per interface/ })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Queue depth per interface legend' })).toContainText('pkt');
  await tabs.getByRole('tab', { name: 'Throughput' }).click();

  // CSV: time and the chart's channels, units in the header, one row per visible sample.
  const csvDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export Goodput per flow as CSV' }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  const text = await readFile((await csv.path())!, 'utf8');
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^time \(ns\),.*goodput \[flow\/[^\]]+\/throughput\] \(bit\/s\)/);
  expect(lines.length).toBeGreaterThan(5);
  const columns = lines[0].split(',').length;
  for (const line of lines.slice(1)) {
    const fields = line.split(',');
    expect(fields).toHaveLength(columns);
    for (const f of fields) expect(Number.isFinite(Number(f))).toBe(true);
  }
  expect(Number(lines[2].split(',')[0])).toBeGreaterThan(Number(lines[1].split(',')[0]));

  const svgDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export Goodput per flow as SVG' }).click();
  const svg = await readFile((await (await svgDownload).path())!, 'utf8');
  expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
  expect(svg).toContain('bit/s');

  const pngDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export Goodput per flow as PNG' }).click();
  const png = await readFile((await (await pngDownload).path())!);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
});
