import { defineConfig } from '@playwright/test';

// Browser benchmarks (not part of `npm test`): `npx playwright test -c playwright.bench.config.ts`.
// They print tables; they never assert on timings.
export default defineConfig({
  testDir: 'bench',
  testMatch: 'charts.spec.ts',
  timeout: 180_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    baseURL: 'http://127.0.0.1:5198',
    viewport: { width: 1280, height: 720 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: { command: 'npx vite --host 127.0.0.1 --port 5198 --strictPort', url: 'http://127.0.0.1:5198', reuseExistingServer: true, timeout: 60_000 },
});
