#!/usr/bin/env node
// Builds the app into its own directory and runs the Chromium metrics-stream benchmark (bench/metrics-stream.spec.ts)
// against it, so `npm run bench` covers the browser figure too. Run: node bench/metrics-stream.bench.mjs
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.BENCH_DIST ?? '/tmp/offload-lab-bench-dist';
const env = { ...process.env, BENCH_DIST: dist };
const run = (args) => spawnSync('npx', args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
if (run(['vite', 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn']) !== 0) process.exit(1);
process.exit(run(['playwright', 'test', '-c', 'bench/playwright.bench.config.ts', 'bench/metrics-stream.spec.ts']));
