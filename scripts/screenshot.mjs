#!/usr/bin/env node
// Takes the README screenshot: node scripts/screenshot.mjs [url] [out.png] [preset-id]
// (start the app first with `npm run preview` or `npm run dev`).
import { chromium } from '@playwright/test';

const url = process.argv[2] ?? 'http://127.0.0.1:4173/';
const out = process.argv[3] ?? 'docs/screenshot.png';
const preset = process.argv[4];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, colorScheme: process.env.DARK ? 'dark' : 'light' });
await page.goto(url);
if (preset) await page.getByLabel('Scenario preset').selectOption(preset);
await page.getByTestId('run-state').filter({ hasText: 'loaded' }).waitFor();
await page.getByRole('button', { name: '▶ Run' }).click();
await page.waitForFunction(() => Number(document.querySelector('[data-testid="samples-received"]')?.textContent) >= 40, null, { timeout: 60_000 });
await page.screenshot({ path: out });
await browser.close();
console.log(`wrote ${out}`);
