import { expect, test } from './fixtures';
import rows from '../src/core/scenario/presets/fidelity.json' with { type: 'json' };

const rowsOf = (preset: string) => rows.filter((r) => r.run === preset || r.run.startsWith(`${preset}@`));

test('a preset shows the article’s claims next to the model’s committed report', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Scenario preset').selectOption('vm-vm-segmented');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  const mine = rowsOf('vm-vm-segmented');
  const held = mine.filter((r) => r.holds).length;
  const section = page.locator('details.fidelity');
  await section.getByText(`Against the article: ${held} of ${mine.length} hold`).click();
  await expect(section.locator('li')).toHaveCount(mine.length);
  // The published figure, ours beside it, and a ✓/✗ read by name.
  await expect(section.locator('li').first()).toContainText(`model ${mine[0].ours}`);
  await expect(section.getByLabel(mine[0].holds ? 'holds' : 'differs').first()).toBeVisible();
});

test('where the model agrees only narrowly or differs, the preset says why', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Scenario preset').selectOption('qos-fast-egress');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  const mine = rowsOf('qos-fast-egress');
  const section = page.locator('details.fidelity');
  await section.getByText(`Against the article: ${mine.filter((r) => r.holds).length} of ${mine.length} hold`).click();
  await expect(section.locator('li')).toHaveCount(mine.length);
  await expect(section.locator('p.explanation')).toContainText('probe intervals');
});
