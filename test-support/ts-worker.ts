import { Worker } from 'node:worker_threads';

/** A worker_threads Worker running a .ts entry (tests and benchmarks under Node only). */
export function tsWorker(entry: URL, workerData: Record<string, unknown>): Worker {
  return new Worker(new URL('./ts-worker-entry.mjs', import.meta.url), { workerData: { ...workerData, entryHref: entry.href } });
}
