// Control-plane and wake-up latency between the main thread and a worker_threads worker, in one run:
// Atomics.wait/notify ping-pong, a raw postMessage echo (baseline), and a Comlink call over the same
// message port (comlink's node adapter). Sequential round trips, one in flight at a time.
// Run: node --import tsx bench/rpc.bench.ts
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import type { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { tsWorker } from '../test-support/ts-worker';

const TRIALS = 5;
const WARMUP_MS = 100;
const MEASURE_MS = 400;
const peerUrl = new URL('./rpc-peer.worker.ts', import.meta.url);

async function atomicsTrial(): Promise<number> {
  const flags = new SharedArrayBuffer(8);
  const f = new Int32Array(flags);
  const worker = tsWorker(peerUrl, { mode: 'atomics', flags });
  await once(worker, 'online');
  let seq = 0;
  const roundTrip = (): void => {
    seq++;
    Atomics.store(f, 0, seq);
    Atomics.notify(f, 0);
    // Node lets the main thread block; a 5 s timeout turns a lost wake-up into a visible failure.
    while (Atomics.load(f, 1) !== seq) {
      if (Atomics.wait(f, 1, seq - 1, 5000) === 'timed-out') throw new Error(`lost wake-up at round trip ${seq}`);
    }
  };
  // The worker's first wait starts only after tsx has loaded it: the first round trip absorbs that.
  roundTrip();
  const rate = timeLoop(roundTrip);
  Atomics.store(f, 0, -1);
  Atomics.notify(f, 0);
  await once(worker, 'message');
  await worker.terminate();
  return rate;
}

function timeLoop(roundTrip: () => void): number {
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) roundTrip();
  let n = 0;
  const t0 = performance.now();
  let t1 = t0;
  while (t1 - t0 < MEASURE_MS) {
    roundTrip();
    n++;
    t1 = performance.now();
  }
  return (n / (t1 - t0)) * 1000;
}

async function timeLoopAsync(roundTrip: () => Promise<void>): Promise<number> {
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) await roundTrip();
  let n = 0;
  const t0 = performance.now();
  let t1 = t0;
  while (t1 - t0 < MEASURE_MS) {
    await roundTrip();
    n++;
    t1 = performance.now();
  }
  return (n / (t1 - t0)) * 1000;
}

async function postTrial(): Promise<number> {
  const worker: Worker = tsWorker(peerUrl, { mode: 'post' });
  let seq = 0;
  const roundTrip = async (): Promise<void> => {
    const want = ++seq;
    worker.postMessage(want);
    const [got] = (await once(worker, 'message')) as [number];
    if (got !== want) throw new Error(`echo ${got}, expected ${want}`);
  };
  await roundTrip();
  const rate = await timeLoopAsync(roundTrip);
  await worker.terminate();
  return rate;
}

async function comlinkTrial(): Promise<number> {
  const worker = tsWorker(peerUrl, { mode: 'comlink' });
  const api = Comlink.wrap<{ echo(x: number): number }>(nodeEndpoint(worker));
  let seq = 0;
  const roundTrip = async (): Promise<void> => {
    const want = ++seq;
    const got = await api.echo(want);
    if (got !== want) throw new Error(`echo ${got}, expected ${want}`);
  };
  await roundTrip();
  const rate = await timeLoopAsync(roundTrip);
  api[Comlink.releaseProxy]();
  await worker.terminate();
  return rate;
}

const results = { atomics: [] as number[], post: [] as number[], comlink: [] as number[] };
for (let t = 0; t < TRIALS; t++) {
  results.atomics.push(await atomicsTrial());
  results.post.push(await postTrial());
  results.comlink.push(await comlinkTrial());
}
const median = (xs: number[]): number => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results.post);
console.log(`Round trips main ↔ worker_threads worker, median (best) of ${TRIALS} interleaved trials × ${MEASURE_MS} ms; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
const rows = [['mechanism', 'round trips/s', 'µs per round trip', 'vs postMessage echo']];
for (const [name, key] of [
  ['Atomics.wait/notify ping-pong', 'atomics'],
  ['postMessage echo (baseline)', 'post'],
  ['Comlink call (node adapter)', 'comlink'],
] as const) {
  const m = median(results[key]);
  rows.push([name, `${Math.round(m).toLocaleString('en-US')} (${Math.round(Math.max(...results[key])).toLocaleString('en-US')})`, (1e6 / m).toFixed(1), `${(m / base).toFixed(2)}×`]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
