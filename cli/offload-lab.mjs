#!/usr/bin/env node
// Launcher for `npx offload-lab`: registers tsx so the TypeScript CLI and core run unchanged, then hands
// over to cli/main.ts. Exit codes: 0 ok, 1 run failed, 2 bad input.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
