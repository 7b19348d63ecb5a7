import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. The suite runs against the built app (vite preview)
// with and without the COOP/COEP headers, plus a smoke pass on the dev server.
const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  },
  viewport: { width: 1280, height: 720 },
};

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_FILE ? [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_FILE }]] : [['list']],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
  projects: [
    { name: 'isolated', use: { ...chromium, baseURL: 'http://127.0.0.1:4173' }, testIgnore: ['**/no-isolation.spec.ts', '**/dev-server.spec.ts'] },
    { name: 'no-isolation', use: { ...chromium, baseURL: 'http://127.0.0.1:4174' }, testMatch: '**/no-isolation.spec.ts' },
    { name: 'dev-server', use: { ...chromium, baseURL: 'http://127.0.0.1:5173' }, testMatch: '**/dev-server.spec.ts' },
  ],
  webServer: [
    { command: 'npx vite preview --host 127.0.0.1 --port 4173 --strictPort', url: 'http://127.0.0.1:4173', reuseExistingServer: false, timeout: 60_000 },
    {
      command: 'npx vite preview --host 127.0.0.1 --port 4174 --strictPort',
      url: 'http://127.0.0.1:4174',
      env: { OFFLOAD_LAB_NO_ISOLATION: '1' },
      reuseExistingServer: false,
      timeout: 60_000,
    },
    { command: 'npx vite --host 127.0.0.1 --port 5173 --strictPort', url: 'http://127.0.0.1:5173', reuseExistingServer: !process.env.CI, timeout: 60_000 },
  ],
});
