import { expect, test } from './fixtures';
import rows from '../src/core/scenario/presets/fidelity.json' with { type: 'json' };

test('a preset shows the article’s claims next to the model’s committed report, with the reason where they differ', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Scenario preset').selectOption('vm-vm-segmented');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  const mine = rows.filter((r) => r.run === 'vm-vm-segmented' || r.run.startsWith('vm-vm-segmented@'));
  const held = mine.filter((r) => r.holds).length;
  const section = page.locator('details.fidelity');
  await section.getByText(`Against the article: ${held} of ${mine.length} hold`).click();
  await expect(section.locator('li')).toHaveCount(mine.length);
  // The published figure, ours beside it, and a ✓/✗ read by name.
  await expect(section.locator('li').first()).toContainText(`model ${mine[0].ours}`);
  await expect(section.getByLabel(mine[0].holds ? 'holds' : 'differs').first()).toBeVisible();
  if (held < mine.length) await expect(section.locator('p.explanation')).toContainText('sourced range');
});
