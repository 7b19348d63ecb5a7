import { describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { tsWorker } from '../../../test-support/ts-worker';
import { createRing, RingConsumer, RingProducer, RingLayoutError } from './spsc';
import { Rng } from '../rng';

const workerUrl = new URL('./ring-stress.test-worker.ts', import.meta.url);

function runProducer(buffer: SharedArrayBuffer, records: number, seed: number, maxBatch: number): { worker: Worker; done: Promise<{ sent: number }> } {
  const worker = tsWorker(workerUrl, { buffer, records, seed, maxBatch });
  const done = new Promise<{ sent: number }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, done };
}

function consumeAll(buffer: SharedArrayBuffer, seed: number): { received: number; fullEdges: number; emptyEdges: number } {
  const c = new RingConsumer(buffer);
  const u32 = new Uint32Array(buffer, 256);
  const words = c.recordBytes / 4;
  const rng = new Rng(seed ^ 0xabcdef);
  let expected = 0;
  let fullEdges = 0;
  let emptyEdges = 0;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`consumer gave up after 60 s at record ${expected}`);
    const avail = c.waitNonEmpty(50);
    if (avail === 0) {
      if (c.closed && c.size() === 0) break;
      emptyEdges++;
      continue;
    }
    if (avail === c.capacity) fullEdges++;
    const max = 1 + rng.int(c.capacity);
    c.drain((off) => {
      const base = off / 4;
      if (u32[base] !== expected) throw new Error(`sequence: expected ${expected}, got ${u32[base]}`);
      for (let w = 1; w < words; w++) {
        if (u32[base + w] !== Math.imul(expected ^ w, 0x9e3779b1) >>> 0) throw new Error(`record ${expected} word ${w} torn`);
      }
      expected++;
    }, max);
    // Random consumer stalls let the producer hit the full edge.
    if (rng.int(200) === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
  }
  return { received: expected, fullEdges, emptyEdges };
}

describe('SPSC ring across real worker_threads', () => {
  it('moves 2 million 16-byte records in order, untorn, through wrap-around and full/empty edges', async () => {
    const buffer = createRing(1024, 16, true) as SharedArrayBuffer;
    const records = 2_000_000;
    const { worker, done } = runProducer(buffer, records, 7, 48);
    const r = consumeAll(buffer, 7);
    const { sent } = await done;
    await worker.terminate();
    expect(sent).toBe(records);
    expect(r.received).toBe(records);
    expect(r.fullEdges).toBeGreaterThan(0);
    expect(new RingConsumer(buffer).dropped).toBe(0);
  });

  it('moves large (1504-byte) records through a tiny ring with random pacing', async () => {
    const buffer = createRing(8, 1504, true) as SharedArrayBuffer;
    const records = 30_000;
    const { worker, done } = runProducer(buffer, records, 99, 5);
    const r = consumeAll(buffer, 99);
    await done;
    await worker.terminate();
    expect(r.received).toBe(records);
  });

  it('wraps its uint32 indices past 2^32 without losing order', () => {
    const buffer = createRing(4, 8, true);
    const h = new Int32Array(buffer, 0, 64);
    h[16] = -3; // writeIndex = 2^32 - 3
    h[32] = -3; // readIndex  = 2^32 - 3
    const p = new RingProducer(buffer);
    const c = new RingConsumer(buffer);
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) {
      expect(p.pushF64([i])).toBe(true);
      p.publish();
      c.drain((off) => seen.push(c.f64[off / 8]));
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('SPSC ring edges in one thread', () => {
  it('refuses and counts whole records when full, never overwriting unread ones', () => {
    const buffer = createRing(4, 16, false);
    const p = new RingProducer(buffer);
    const c = new RingConsumer(buffer);
    for (let i = 0; i < 6; i++) p.pushF64([i, i * 10]);
    p.publish();
    expect(p.dropped).toBe(2);
    const got: number[][] = [];
    c.drain((off) => got.push([c.f64[off / 8], c.f64[off / 8 + 1]]));
    expect(got).toEqual([[0, 0], [1, 10], [2, 20], [3, 30]]);
    expect(c.drain(() => {})).toBe(0);
  });

  it('hides claimed records until publish()', () => {
    const buffer = createRing(8, 8, false);
    const p = new RingProducer(buffer);
    const c = new RingConsumer(buffer);
    p.pushF64([1]);
    expect(c.size()).toBe(0);
    p.publish();
    expect(c.size()).toBe(1);
  });

  it('rejects bad layouts with a clear error', () => {
    expect(() => createRing(3, 16)).toThrow(RingLayoutError);
    expect(() => createRing(4, 12)).toThrow(/multiple of 8/);
    expect(() => new RingConsumer(new ArrayBuffer(300))).toThrow(RingLayoutError);
  });
});
