import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

async function startCompare(page: Page, preset: string, variant: string, speedPrefix: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Scenario preset').selectOption(preset);
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  const speed = page.getByLabel('Speed');
  const label = (await speed.locator('option').allTextContents()).find((t) => t.startsWith(speedPrefix))!;
  await speed.selectOption({ label });
  await page.getByLabel('Compare with variant').selectOption(variant);
  await page.getByRole('button', { name: '▶ Run' }).click();
}

test('A/B compare: offloads off as B — both series on the chart and the A/B ratio', async ({ page }) => {
  await startCompare(page, 'vm-vm-offload', 'offloads-off', '1/100×');
  const legend = page.getByRole('list', { name: 'Goodput per flow legend' });
  // A's value, B's value and their ratio; offloads on move more data than offloads off.
  await expect(legend).toContainText(/goodput\s*[\d.]+ [kMG]?bit\/s · B [\d.]+ [kMG]?bit\/s · A\/B ×\d/, { timeout: 30_000 });
  await expect.poll(async () => Number(/A\/B ×([\d.]+)/.exec((await legend.textContent()) ?? '')?.[1] ?? 0), { timeout: 30_000 }).toBeGreaterThan(1.5);
  await expect(page.getByText('run A: full lines · run B: faint lines').first()).toBeVisible();
  // Stopping the compare removes B from the charts.
  await page.getByLabel('Compare with variant').selectOption('');
  await expect(legend).not.toContainText('A/B');
});

test('A/B compare: B = A with the same seed gives identical numbers (ratio ×1.00 everywhere)', async ({ page }) => {
  // checksum-trust corrupts a random 1 % of frames, so its numbers depend on the seed: equal numbers mean B got A's seed.
  await startCompare(page, 'checksum-trust', 'same', 'as fast as possible');
  await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 30_000 });
  for (const name of ['Goodput per flow legend', 'Interface throughput, tx and rx legend']) {
    const legend = page.getByRole('list', { name });
    // Once B has caught up with A's end, every item compares the same sample of the same run.
    await expect
      .poll(
        async () => {
          const ratios = [...((await legend.textContent()) ?? '').matchAll(/A\/B (×[\d.]+|–)/g)].map((m) => m[1]);
          return ratios.length > 0 && ratios.every((r) => r === '×1.00' || r === '–') && ratios.includes('×1.00');
        },
        { timeout: 30_000 },
      )
      .toBe(true);
  }
});

test('A/B compare: a preset variant as B; switching to a preset without it ends the compare', async ({ page }) => {
  await startCompare(page, 'router-no-club', 'mtu-9000', '1/100×');
  const legend = page.getByRole('list', { name: 'Goodput per flow legend' });
  await expect(legend).toContainText(/A\/B ×\d/, { timeout: 30_000 });
  await page.getByLabel('Scenario preset').selectOption('vm-vm-offload');
  await expect(page.getByLabel('Compare with variant')).toHaveValue('');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await expect(legend).not.toContainText('A/B');
});
