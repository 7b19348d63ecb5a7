import { describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { tsWorker } from '../../../test-support/ts-worker';
import { compareMsgs, nextWindowEndNs, PartitionError, runLockstep, type CrossMsg } from './coordinator';
import { RingProducer } from '../ring/spsc';
import { createRingMatrix, RingPartitionRunner, type RingRunStats } from './rings';
import { lookaheadOf, ModelHost, runGlobalReference, type ModelHostResult, type RingModelConfig } from './partition.test-model';

const workerUrl = new URL('./partition.test-worker.ts', import.meta.url);

const two: RingModelConfig = { hosts: 2, seed: 11, linkDelaysNs: [20_001, 35_003] };
const three: RingModelConfig = { hosts: 3, seed: 5, linkDelaysNs: [2_001, 7_001, 3_003] };

function lockstep(cfg: RingModelConfig, endNs: number): { results: ModelHostResult[]; windows: number } {
  const hosts = Array.from({ length: cfg.hosts }, (_, h) => new ModelHost(h, cfg));
  const windows = runLockstep(hosts, lookaheadOf(cfg), endNs);
  return { results: hosts.map((h) => h.result()), windows };
}

async function threaded(cfg: RingModelConfig, endNs: number, ringCapacity: number): Promise<{ results: ModelHostResult[]; stats: RingRunStats[] }> {
  const rings = createRingMatrix(cfg.hosts, ringCapacity, 16);
  const workers: Worker[] = [];
  const done = Array.from({ length: cfg.hosts }, (_, self) => {
    const w = tsWorker(workerUrl, { rings, self, cfg, endNs });
    workers.push(w);
    return new Promise<{ result: ModelHostResult; stats: RingRunStats }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  });
  try {
    const out = await Promise.all(done);
    return { results: out.map((o) => o.result), stats: out.map((o) => o.stats) };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function m(arrivalNs: number, linkId: number, srcPartition: number, seq: number): CrossMsg {
  return { arrivalNs, linkId, srcPartition, dstPartition: 0, seq, payload: new Uint8Array(0) };
}

describe('conservative windows (in process)', () => {
  it('two hosts: the windowed run equals one global event queue, with real cross-host traffic', () => {
    const endNs = 20_000_000;
    const ref = runGlobalReference(two, endNs);
    const got = lockstep(two, endNs);
    expect(got.results).toEqual(ref);
    expect(ref[0].sent).toBeGreaterThan(100);
    // Everything sent arrived except what was still on the wire at the end.
    expect(ref[0].sent - ref[1].received).toBeGreaterThanOrEqual(0);
    expect(ref[1].received).toBeGreaterThan(0.99 * ref[0].sent);
    expect(got.windows).toBeGreaterThan(100);
  });

  it('three hosts with unequal link delays: equal to the global queue', () => {
    const endNs = 5_000_000;
    expect(lockstep(three, endNs).results).toEqual(runGlobalReference(three, endNs));
  });

  it('a different seed gives a different run (the digest is sensitive)', () => {
    const endNs = 2_000_000;
    const a = lockstep(two, endNs).results;
    const b = lockstep({ ...two, seed: two.seed + 1 }, endNs).results;
    expect(a[0].digest).not.toBe(b[0].digest);
  });

  it('a lookahead larger than a link delay is caught, not silently reordered', () => {
    const hosts = Array.from({ length: 2 }, (_, h) => new ModelHost(h, two));
    expect(() => runLockstep(hosts, 50_000, 10_000_000)).toThrow(PartitionError);
    expect(() => runLockstep(hosts, 0, 10)).toThrow(PartitionError);
  });

  it('windows skip idle stretches and stop before the end', () => {
    expect(nextWindowEndNs([500, 300], 100, 1000)).toBe(400);
    expect(nextWindowEndNs([950, Infinity], 100, 1000)).toBeNull();
    expect(nextWindowEndNs([900], 100, 1000)).toBe(1000);
  });

  it('delivery order is (arrival, link, source, seq), independent of production order', () => {
    const msgs = [m(5, 2, 1, 0), m(5, 1, 2, 3), m(4, 9, 1, 7), m(5, 1, 2, 1)];
    expect(msgs.toSorted(compareMsgs).map((x) => [x.arrivalNs, x.linkId, x.seq])).toEqual([
      [4, 9, 7],
      [5, 1, 1],
      [5, 1, 3],
      [5, 2, 0],
    ]);
  });
});

describe('one worker_thread per host over SAB rings', () => {
  it('two hosts: identical to the single-thread run and to the global queue', async () => {
    const endNs = 20_000_000;
    const ref = runGlobalReference(two, endNs);
    const { results, stats } = await threaded(two, endNs, 64);
    expect(results).toEqual(ref);
    expect(results).toEqual(lockstep(two, endNs).results);
    // Frames sent in the last step arrive after the end and never enter a ring.
    expect(stats[0].messagesSent).toBeLessThanOrEqual(ref[0].sent);
    expect(stats[0].messagesSent).toBeGreaterThan(0.99 * ref[0].sent);
    expect(stats[1].messagesReceived).toBe(stats[0].messagesSent);
    expect(stats[0].windows).toBe(stats[1].windows);
  }, 60_000);

  it('three hosts through tiny rings (full-ring waits): still identical', async () => {
    const endNs = 5_000_000;
    const { results, stats } = await threaded(three, endNs, 2);
    expect(stats.some((s) => s.fullWaits > 0)).toBe(true);
    expect(results).toEqual(runGlobalReference(three, endNs));
    expect(stats.every((s) => s.windows === stats[0].windows)).toBe(true);
  }, 60_000);

  it('a frame larger than the ring record is refused with a PartitionError', () => {
    const rings = createRingMatrix(2, 4, 8);
    const runner = new RingPartitionRunner(0, rings);
    const big: CrossMsg = { arrivalNs: 100, linkId: 0, srcPartition: 0, dstPartition: 1, seq: 0, payload: new Uint8Array(9) };
    let fired = false;
    const lp = {
      runBefore: () => {},
      runThrough: () => {},
      nextEventNs: () => (fired ? Infinity : 0),
      takeOutbound: () => {
        fired = true;
        return [big];
      },
      deliver: () => {},
    };
    // Partition 1 never runs: publish its round-0 window marker (kind 2, horizon +∞) by hand.
    const fromPeer = new RingProducer(rings[1][0] as SharedArrayBuffer);
    fromPeer.pushF64([2, Infinity, 0, 0, 0, 0]);
    fromPeer.publish();
    expect(() => runner.run(lp, 100, 1000)).toThrow(/exceeds/);
  });
});
