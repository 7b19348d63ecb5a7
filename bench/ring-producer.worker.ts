// Bench-only worker_threads entry: the producer half of bench/ring.bench.ts. It fills records as fast as
// the ring accepts them until the consumer raises the stop flag, then reports how many it produced.
import { parentPort, workerData } from 'node:worker_threads';
import { RingBuffer as RingbufJs } from 'ringbuf.js';
import { RingProducer } from '../src/core/ring/spsc';

interface Job {
  kind: 'ours' | 'ringbuf';
  buffer: SharedArrayBuffer;
  /** Int32Array control words: [0] stop flag set by the consumer. */
  control: SharedArrayBuffer;
  payloadBytes: number;
  batch: number;
  backoffMs: number;
}

const job = workerData as Job;
const control = new Int32Array(job.control);
const template = new Uint8Array(job.payloadBytes);
for (let i = 0; i < template.length; i++) template[i] = (i * 31 + 7) & 0xff;
const template32 = new Uint32Array(template.buffer, 0, job.payloadBytes >>> 2);
let produced = 0;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** A blocked side sleeps briefly rather than spin, so on a busy machine the other side gets the core. */
const backOff = (): unknown => Atomics.wait(sleeper, 0, 0, job.backoffMs);

if (job.kind === 'ours') {
  const p = new RingProducer(job.buffer);
  const u32 = new Uint32Array(job.buffer, 256);
  const words = job.payloadBytes >>> 2;
  const small = job.payloadBytes <= 64;
  const bytes = p.bytes;
  while (Atomics.load(control, 0) === 0) {
    // Claim a batch, fill it, publish the write index once.
    let i = 0;
    for (; i < job.batch; i++) {
      const off = p.claim();
      if (off < 0) break;
      const base = off >>> 2;
      if (small) {
        for (let w = 1; w < words; w++) u32[base + w] = template32[w];
      } else {
        bytes.set(template, off);
      }
      u32[base] = produced++;
    }
    p.publish();
    if (i === 0) backOff();
  }
} else {
  const rb = new RingbufJs(job.buffer, Uint8Array);
  const size = job.payloadBytes;
  while (Atomics.load(control, 0) === 0) {
    // One record per push, all or nothing, so a record is never split across two pops.
    if (rb.availableWrite() < size) {
      backOff();
      continue;
    }
    template32[0] = produced++;
    rb.push(template, size);
  }
}
parentPort!.postMessage({ produced });
