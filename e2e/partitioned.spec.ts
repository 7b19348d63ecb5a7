import { expect, test } from './fixtures';

test('Run partitioned: a two-host preset split over host workers gives the single-worker numbers', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Scenario preset').selectOption('vm-to-vm-vs-nic-to-vm');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await page.getByRole('button', { name: 'More: export script, workshop' }).click();
  await page.getByRole('menuitem', { name: 'Run partitioned (one worker per host)' }).click();
  const dialog = page.getByTestId('partitioned-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('partitioned-state')).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
  await expect(dialog.getByTestId('partitioned-state')).toContainText('2 host(s) in 2 worker(s)');
  const verdict = dialog.getByTestId('partitioned-verdict');
  await expect(verdict).toHaveAttribute('data-identical', 'true');
  await expect(verdict).toContainText('Results identical');
  // The numbers are shown for both sides, equal, and non-trivial (traffic really crossed hosts).
  const goodput = dialog.locator('tr[data-row="flow f1 goodput"]');
  const goodputPart = await goodput.locator('[data-side="partitioned"]').textContent();
  expect(goodputPart).toMatch(/[1-9][\d.]* Gbit\/s/);
  await expect(goodput.locator('[data-side="single"]')).toHaveText(goodputPart ?? '');
  const events = dialog.locator('tr[data-row="total events"]');
  const eventsPart = await events.locator('[data-side="partitioned"]').textContent();
  expect(Number((eventsPart ?? '').replaceAll(',', ''))).toBeGreaterThan(1000);
  await expect(events.locator('[data-side="single"]')).toHaveText(eventsPart ?? '');
  await expect(dialog).toContainText(/[1-9][\d,]* frames crossed between workers/);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});
