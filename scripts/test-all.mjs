#!/usr/bin/env node
// Runs every suite (unit, then end-to-end, even when the first fails), then prints the totals as the
// last line: `N passed, N failed`. Exits non-zero when anything failed or a suite could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const out = 'ci-results';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

const unitStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}/unit.json`]);
const buildStatus = run('npx', ['vite', 'build', '--logLevel', 'warn']);
const e2eStatus = buildStatus === 0 ? run('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_FILE: `${out}/e2e.json` }) : 1;

let passed = 0;
let failed = 0;
let problems = [];
if (existsSync(`${out}/unit.json`)) {
  const u = JSON.parse(readFileSync(`${out}/unit.json`, 'utf8'));
  passed += u.numPassedTests;
  failed += u.numFailedTests;
  // A test file that failed to load counts as a failure even when it reported no tests.
  failed += u.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} else problems.push('unit suite wrote no results');
if (existsSync(`${out}/e2e.json`)) {
  const e = JSON.parse(readFileSync(`${out}/e2e.json`, 'utf8'));
  passed += e.stats.expected + e.stats.flaky;
  failed += e.stats.unexpected;
  failed += (e.errors ?? []).length;
} else problems.push(buildStatus === 0 ? 'end-to-end suite wrote no results' : 'the app did not build, so the end-to-end suite did not run');

for (const p of problems) console.error(`test-all: ${p}`);
if (problems.length && failed === 0) failed = problems.length;
const ok = unitStatus === 0 && e2eStatus === 0 && failed === 0 && problems.length === 0;
console.log(`${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
