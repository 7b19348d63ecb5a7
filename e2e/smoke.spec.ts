import { test, expect } from './fixtures';

test('loads cross-origin isolated and streams engine samples through the shared ring', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  await expect(page.getByRole('heading', { name: 'Offload Lab' })).toBeVisible();
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('isolation-banner')).toHaveCount(0);

  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await expect(page.getByTestId('transport')).toHaveText('shared ring');
  // Samples come from the engine worker through the SAB ring into the page's history.
  await expect.poll(async () => Number(await page.getByTestId('samples-received').textContent()), { timeout: 30_000 }).toBeGreaterThan(3);
  // And they carry engine numbers: the flow's goodput legend shows a rate.
  await expect(page.getByRole('list', { name: 'Goodput per flow legend' })).toContainText('bit/s');
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveText('paused');
});
