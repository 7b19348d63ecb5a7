import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

async function loaded(page: Page): Promise<void> {
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
}

test('walk the guided workshop to the end: predict first, run, reveal, next', async ({ page }) => {
  await page.goto('/#workshop=offload-club&step=1');
  const card = page.getByTestId('workshop');
  await expect(card).toContainText('step 1 of 7');
  await page.getByLabel('Speed').selectOption('max');
  // Step 1's preset is the app's default; any other scenario on the canvas is replaced only on request.
  const loadStep = card.getByRole('button', { name: /Load this step’s scenario/ });
  if ((await loadStep.count()) > 0) await loadStep.click();

  for (let k = 0; k < 7; k++) {
    await expect(card).toContainText(`step ${k + 1} of 7`);
    await loaded(page);
    const run = card.getByRole('button', { name: /Predict first, then run|Run and reveal/ });
    // Predict first: the run is locked until a prediction is chosen.
    await expect(run).toBeDisabled();
    const choices = card.getByRole('radio');
    await choices.nth(k % (await choices.count())).check();
    await expect(run).toBeEnabled();
    await run.click();
    const reveal = card.getByTestId('workshop-reveal');
    await expect(reveal).toBeVisible({ timeout: 45_000 });
    await expect(card.getByTestId('workshop-measured')).not.toHaveText('');
    await expect(reveal).toContainText('You predicted:');
    await expect(reveal).toContainText('Why: the kernel mechanism');
    // The prediction is locked once revealed.
    await expect(choices.first()).toBeDisabled();
    if (k < 6) await card.getByRole('button', { name: 'Next step →' }).click();
    else await card.getByRole('button', { name: 'Finish workshop' }).click();
  }
  await expect(card.getByTestId('workshop-score')).toHaveText(/^\d of 7 predictions matched the measurement\.$/);
});

test('a participant link opens a given step; presenter view hides the palette and enlarges the text', async ({ page }) => {
  await page.goto('/#workshop=offload-club&step=4');
  const card = page.getByTestId('workshop');
  await expect(card).toContainText('step 4 of 7');
  await expect(card.getByTestId('workshop-step-title')).toHaveText('Put a router VM in the path (in the club)');
  await expect(card.getByLabel('Participant link for this step')).toHaveValue(/#workshop=offload-club&step=4$/);
  const before = await card.getByTestId('workshop-step-title').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  await expect(page.getByRole('navigation', { name: 'Palette' })).toBeVisible();
  await card.getByRole('button', { name: 'Presenter view' }).click();
  await expect(page.getByRole('navigation', { name: 'Palette' })).toBeHidden();
  const after = await card.getByTestId('workshop-step-title').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  expect(after).toBeGreaterThan(before * 1.2);
  await card.getByRole('button', { name: 'Close workshop' }).click();
  await expect(card).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Palette' })).toBeVisible();
  // A junk step number never throws and falls back to a valid step.
  await page.goto('/#workshop=offload-club&step=<b>9999</b>');
  await expect(page.getByTestId('workshop')).toContainText('step 1 of 7');
});
