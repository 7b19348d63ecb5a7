import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

const received = async (page: Page): Promise<number> => Number(await page.getByTestId('samples-received').textContent());

/** The flow's goodput as the chart legend shows it, in Gbit/s. */
async function goodputGbps(page: Page): Promise<number> {
  const text = (await page.getByRole('list', { name: 'Goodput per flow legend' }).textContent()) ?? '';
  const m = /([\d.]+)\s*([kMGT]?)bit\/s/.exec(text);
  if (!m) return Number.NaN;
  const scale: Record<string, number> = { '': 1e-9, k: 1e-6, M: 1e-3, G: 1, T: 1e3 };
  return Number(m[1]) * scale[m[2]];
}

test('toggling TSO and GSO off during a run changes the numbers live, without restarting the run', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  const speed = page.getByLabel('Speed');
  const slow = (await speed.locator('option').allTextContents()).find((t) => t.startsWith('1/100×'));
  if (slow) await speed.selectOption({ label: slow });
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect.poll(() => received(page), { timeout: 30_000 }).toBeGreaterThan(3);
  const before = await goodputGbps(page);
  expect(before).toBeGreaterThan(10);

  await page.getByRole('button', { name: 'interface vm1/eth0', exact: true }).click();
  const offloads = page.getByRole('region', { name: 'Offloads of vm1/eth0' });
  for (const name of ['tcp-segmentation-offload', 'generic-segmentation-offload']) {
    const sw = offloads.getByRole('switch', { name, exact: true });
    await sw.click();
    await expect(sw).toHaveAttribute('aria-checked', 'false');
  }
  const samplesAtToggle = await received(page);
  // Still the same run: no reload, samples keep counting up from where they were.
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await expect.poll(() => goodputGbps(page), { timeout: 15_000 }).toBeLessThan(before / 2);
  expect(await received(page)).toBeGreaterThan(samplesAtToggle);
  await expect(page.getByTestId('run-state')).toHaveText('running');
});
