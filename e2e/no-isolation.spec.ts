import { test, expect } from './fixtures';

test('without COOP/COEP the banner explains it and runs still stream, by batched transfer', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.headers()['cross-origin-opener-policy']).toBeUndefined();
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
  await expect(page.getByTestId('isolation-banner')).toBeVisible();
  await expect(page.getByTestId('isolation-banner')).toContainText('SharedArrayBuffer');

  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('transport')).toHaveText('batched transfer');
  await expect.poll(async () => Number(await page.getByTestId('samples-received').textContent()), { timeout: 30_000 }).toBeGreaterThan(3);
});
