import { defineConfig } from '@playwright/test';

// Browser benchmarks (not part of `npm test`): the built app served on its own port from its own build
// directory, so a benchmark never disturbs an e2e run. Run: node bench/metrics-stream.bench.mjs
// (builds, then runs this config), or build to BENCH_DIST yourself and `npx playwright test -c bench/playwright.bench.config.ts`.
const PORT = Number(process.env.BENCH_PORT ?? 4191);
const DIST = process.env.BENCH_DIST ?? 'dist';
/** Dev server (one module per URL): lets a CPU profile attribute main-thread time to source files. */
export const BENCH_DEV_PORT = Number(process.env.BENCH_DEV_PORT ?? 4192);

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: process.env.BENCH_OUTPUT_DIR ?? '/tmp/offload-lab-bench-results',
  timeout: 120_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
    viewport: { width: 1280, height: 720 },
  },
  webServer: [
    {
      command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort --outDir ${DIST}`,
      cwd: '..',
      url: `http://127.0.0.1:${PORT}`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    { command: `npx vite --host 127.0.0.1 --port ${BENCH_DEV_PORT} --strictPort`, cwd: '..', url: `http://127.0.0.1:${BENCH_DEV_PORT}`, reuseExistingServer: false, timeout: 60_000 },
  ],
});
