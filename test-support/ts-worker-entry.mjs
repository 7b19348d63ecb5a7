// Starts a TypeScript module as a worker_threads worker: Node 20 does not apply --import loaders to a
// worker's entry file, so this plain-JS entry registers tsx first and then imports the real one.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entryHref);
