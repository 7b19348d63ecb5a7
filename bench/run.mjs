#!/usr/bin/env node
// Runs every bench/*.bench.ts (or those named on the command line) one after another, so they
// never compete for the machine's cores. Each bench prints its own table of numbers and ratios.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') || f.endsWith('.bench.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .toSorted();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const cmd = f.endsWith('.ts') ? ['--import', 'tsx', join(here, f)] : [join(here, f)];
  const r = spawnSync(process.execPath, cmd, { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (failed) {
  console.error(`${failed} bench file(s) failed`);
  process.exit(1);
}
