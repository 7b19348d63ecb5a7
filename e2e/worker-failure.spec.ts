// Worker failure end to end: an exception inside the engine, an uncaught error that escapes the worker, and
// a hang are each reported in the UI, the run can be restarted, and the user's settings survive.
//
// Faults are injected from the test through Playwright's handle on the engine's Web Worker (worker.evaluate
// runs in the worker's global scope); the app has no fault-injection code path. The engine itself has no
// known scenario that throws, so the exception is provoked by making the next Math.max call in the worker
// throw once; the pacing loop's first such call is inside Engine.runUntil, i.e. inside the engine.
import { test as base, expect, type Page, type Worker } from '@playwright/test';

/** Fails on unexpected console or page errors; errors carrying the injected marker are expected. */
const test = base.extend<{ unexpectedErrors: string[] }>({
  unexpectedErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      const keep = (text: string) => {
        if (!text.includes('injected-fault')) errors.push(text);
      };
      page.on('console', (msg) => msg.type() === 'error' && keep(msg.text()));
      page.on('pageerror', (err) => keep(String(err)));
      await use(errors);
      expect(errors, 'unexpected console errors').toEqual([]);
    },
    { auto: true },
  ],
});

const SEED = '24680';
const PRESET = 'hash-precomputed';

/** Loads the app, makes the user's choices (preset, seed, speed) and returns the engine worker. */
async function setUp(page: Page): Promise<Worker> {
  await page.goto('/');
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await page.getByLabel('Scenario preset').selectOption(PRESET);
  await page.getByLabel('Seed').fill(SEED);
  await page.getByLabel('Speed').selectOption({ label: '1/10× real time' });
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  return engineWorker(page);
}

async function engineWorker(page: Page): Promise<Worker> {
  await expect.poll(() => page.workers().length).toBeGreaterThan(0);
  const workers = page.workers();
  return workers[workers.length - 1];
}

async function expectSettingsIntact(page: Page): Promise<void> {
  await expect(page.getByLabel('Scenario preset')).toHaveValue(PRESET);
  await expect(page.getByLabel('Seed')).toHaveValue(SEED);
  await expect(page.getByLabel('Speed')).toHaveValue('0.1');
}

async function expectRunStreams(page: Page): Promise<void> {
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('running');
  await expect.poll(async () => Number(await page.getByTestId('samples-received').textContent()), { timeout: 30_000 }).toBeGreaterThan(2);
}

test('an exception in the engine fails the run with its message; Run restarts it with the same settings', async ({ page }) => {
  const worker = await setUp(page);
  await worker.evaluate(() => {
    const original = Math.max;
    Math.max = function injectedFault(): number {
      Math.max = original;
      throw new Error('injected-fault: engine exception');
    };
  });
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('failed');
  await expect(page.getByLabel('Run status')).toContainText('engine error: Error: injected-fault: engine exception');
  await expectSettingsIntact(page);

  await expectRunStreams(page);
  await expect(page.getByLabel('Run status')).not.toContainText('engine error');
  await expectSettingsIntact(page);
});

test('an error escaping the worker shows the restart banner; Restart engine brings back a working engine', async ({ page }) => {
  const worker = await setUp(page);
  await worker.evaluate(() => {
    setTimeout(() => {
      throw new Error('injected-fault: worker crash');
    });
  });
  const banner = page.getByRole('alert').filter({ hasText: 'The engine stopped' });
  await expect(banner).toContainText('injected-fault: worker crash');
  await expect(banner).toContainText('Your scenario and settings are untouched');
  await expectSettingsIntact(page);

  await banner.getByRole('button', { name: 'Restart engine' }).click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await expectSettingsIntact(page);
  await expectRunStreams(page);
});

test('a hung engine is reported by the watchdog and can be restarted', async ({ page }) => {
  test.setTimeout(90_000);
  const worker = await setUp(page);
  await page.getByRole('button', { name: '▶ Run' }).click();
  await expect(page.getByTestId('run-state')).toHaveText('running');
  // An endless loop on the worker's thread: no error event, every call goes unanswered.
  await worker.evaluate(() => {
    setTimeout(() => {
      for (;;) {
        // spin
      }
    });
  });
  const banner = page.getByRole('alert').filter({ hasText: 'The engine stopped' });
  await expect(banner).toContainText('has not answered', { timeout: 30_000 });
  await expectSettingsIntact(page);

  await banner.getByRole('button', { name: 'Restart engine' }).click();
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId('run-state')).toHaveText('loaded');
  await expectSettingsIntact(page);
  await expectRunStreams(page);
});
