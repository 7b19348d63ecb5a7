import { test, expect } from './fixtures';

test('the dev server is cross-origin isolated too', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  await expect(page.getByRole('heading', { name: 'Offload Lab' })).toBeVisible();
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
});
