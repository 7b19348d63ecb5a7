import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures';

const AUTOSAVE_KEY = 'offload-lab:autosave:v1';

async function loaded(page: Page): Promise<void> {
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
}

/** Runs the loaded scenario to its end as fast as possible; returns the run summary's exact numbers. */
async function runToEnd(page: Page): Promise<{ goodput: string; events: string }> {
  await page.getByLabel('Speed').selectOption('max');
  await loaded(page);
  await page.getByRole('button', { name: '▶ Run' }).click();
  const summary = page.getByTestId('run-summary');
  await expect(summary).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId('run-state')).toHaveText('finished');
  return {
    goodput: (await summary.locator('[data-flow="f1"]').getAttribute('data-goodput-bps')) ?? '',
    events: (await summary.locator('[data-events-per-sec]').getAttribute('data-events-per-sec')) ?? '',
  };
}

async function autosavedSeed(page: Page): Promise<number | null> {
  return page.evaluate((k) => {
    const t = localStorage.getItem(k);
    return t ? (JSON.parse(t) as { seed: number }).seed : null;
  }, AUTOSAVE_KEY);
}

async function setSeedAndWaitForAutosave(page: Page, seed: number): Promise<void> {
  await page.getByLabel('Seed').fill(String(seed));
  await expect.poll(() => autosavedSeed(page)).toBe(seed);
}

async function freshPage(browser: Browser, errors: string[]): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await ctx.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  return page;
}

test('a copied share link opens in a fresh browser with the same scenario, seed and numbers', async ({ page, browser, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/');
  await loaded(page);
  await page.getByLabel('Scenario preset').selectOption('router-club');
  await loaded(page);
  await setSeedAndWaitForAutosave(page, 7);
  const first = await runToEnd(page);
  expect(Number(first.goodput)).toBeGreaterThan(0);

  // The chart selection travels with the link.
  await page.getByRole('tab', { name: 'CPU breakdown' }).click();
  await expect(page.getByRole('tab', { name: 'CPU breakdown' })).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('button', { name: '⤴ Share' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share this scenario' });
  await expect(dialog).toBeVisible();
  const link = await dialog.getByTestId('share-link').inputValue();
  expect(link).toMatch(/#s=1\.[A-Za-z0-9_-]+$/);
  await expect(dialog.getByTestId('share-size')).toContainText(`${link.length.toLocaleString('en')} characters`);
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Copied to the clipboard.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: '⤴ Share' })).toBeFocused();

  const errors: string[] = [];
  const other = await freshPage(browser, errors);
  await other.goto(link);
  await loaded(other);
  // Nothing was autosaved in the fresh context, so the link opens without a question.
  await expect(other.getByRole('alertdialog')).toHaveCount(0);
  await expect(other.getByLabel('Seed')).toHaveValue('7');
  await expect(other.getByRole('tab', { name: 'CPU breakdown' })).toHaveAttribute('aria-selected', 'true');
  expect(new URL(other.url()).hash).toBe('');
  const second = await runToEnd(other);
  expect(second).toEqual(first);
  expect(errors).toEqual([]);
  await other.context().close();
});

test('a corrupt or hostile link is refused with a clear message and the autosaved work is kept', async ({ page }) => {
  page.on('dialog', (d) => {
    throw new Error(`a link opened a ${d.type()} dialog: ${d.message()}`);
  });
  await page.goto('/');
  await loaded(page);
  await page.getByLabel('Scenario preset').selectOption('router-no-club');
  await loaded(page);
  await setSeedAndWaitForAutosave(page, 4242);

  await page.goto('about:blank');
  await page.goto('/#s=1.AAAAAAAAAAAA');
  const refused = page.getByTestId('link-refused');
  await expect(refused).toContainText('The share link was not opened.');
  await expect(refused).toContainText('Nothing was opened; your current work is unchanged.');
  await expect(page.getByLabel('Seed')).toHaveValue('4242');
  await expect(page.getByLabel('Scenario preset')).toHaveValue('router-no-club');
  expect(await autosavedSeed(page)).toBe(4242);

  // Pasted into the same tab (hashchange): markup is shown as text, never parsed.
  await page.evaluate(() => (location.hash = '#s=1.<img src=x onerror="window.offloadLabPwned=1">'));
  await expect(refused).toContainText('never appears in a share link');
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { offloadLabPwned?: number }).offloadLabPwned)).toBeUndefined();
  await expect(page.getByLabel('Seed')).toHaveValue('4242');
  expect(await autosavedSeed(page)).toBe(4242);
});

test('a valid link over different autosaved work asks first: keep my work, or open it and keep a backup', async ({ page }) => {
  await page.goto('/');
  await loaded(page);
  await page.getByLabel('Scenario preset').selectOption('vm-vm-segmented');
  await loaded(page);
  await setSeedAndWaitForAutosave(page, 99);
  await page.getByRole('button', { name: '⤴ Share' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  await page.keyboard.press('Escape');

  // Different work in this browser: another preset and seed.
  await page.getByLabel('Scenario preset').selectOption('router-club');
  await loaded(page);
  await setSeedAndWaitForAutosave(page, 5);

  await page.goto('about:blank');
  await page.goto(link);
  const ask = page.getByRole('alertdialog', { name: 'Open the shared scenario?' });
  await expect(ask).toBeVisible();
  await expect(ask).toContainText('VM → router VM → VM, router in the offload club');
  await ask.getByRole('button', { name: 'Keep my work' }).click();
  await expect(ask).toBeHidden();
  await expect(page.getByLabel('Seed')).toHaveValue('5');
  await expect(page.getByLabel('Scenario preset')).toHaveValue('router-club');

  await page.goto('about:blank');
  await page.goto(link);
  await expect(ask).toBeVisible();
  await ask.getByRole('button', { name: 'Open it and keep a backup of my work' }).click();
  await expect(page.getByLabel('Seed')).toHaveValue('99');
  await expect.poll(() => autosavedSeed(page)).toBe(99);
  await page.getByRole('button', { name: 'Reopen my previous work' }).click();
  await expect(page.getByLabel('Seed')).toHaveValue('5');
  await expect.poll(() => autosavedSeed(page)).toBe(5);
});

test('More → Export as shell script downloads the namespace script for the current scenario', async ({ page }) => {
  await page.goto('/');
  await loaded(page);
  await page.getByLabel('Scenario preset').selectOption('router-club');
  await loaded(page);
  await page.getByRole('button', { name: /^More/ }).click();
  const menu = page.getByRole('menu', { name: 'More actions' });
  await expect(menu).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), menu.getByRole('menuitem', { name: /Export as shell script/ }).click()]);
  expect(download.suggestedFilename()).toBe('router-club-netns.sh');
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  const script = await readFile(path, 'utf8');
  expect(script).toMatch(/^#!\/usr\/bin\/env bash\n/);
  expect(script).toContain('trap cleanup EXIT');
  expect(script).toContain('ip_forward=1');
  await expect(menu).toBeHidden();
  // Esc closes the menu without acting.
  await page.getByRole('button', { name: /^More/ }).click();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
});
