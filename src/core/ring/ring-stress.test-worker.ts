// Test-only worker_threads entry: the producer half of the ring stress test (see spsc.thread.test.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { RingProducer } from './spsc';
import { Rng } from '../rng';

const { buffer, records, seed, maxBatch } = workerData as { buffer: SharedArrayBuffer; records: number; seed: number; maxBatch: number };
const p = new RingProducer(buffer);
const rng = new Rng(seed);
const words = p.recordBytes / 4;
const u32 = new Uint32Array(buffer, 256);
let sent = 0;
let spins = 0;
while (sent < records) {
  const batch = 1 + rng.int(maxBatch);
  let wrote = 0;
  for (; wrote < batch && sent < records; wrote++) {
    const off = p.claim();
    if (off < 0) break;
    const base = off / 4;
    u32[base] = sent;
    // Every word depends on the sequence number, so a torn or stale record cannot pass the check.
    for (let w = 1; w < words; w++) u32[base + w] = Math.imul(sent ^ w, 0x9e3779b1) >>> 0;
    sent++;
  }
  p.publish();
  if (wrote === 0) spins++;
  // Random pauses so the consumer sees both full and empty edges.
  if (rng.int(64) === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, rng.int(2));
}
p.close();
parentPort!.postMessage({ sent, spins });
