/**
 * `offload-lab run --workers N`: the scenario split by host over N worker_threads (planPartitions), frames
 * crossing hosts over SharedArrayBuffer rings, the partials merged into one RunResult — the same numbers a
 * single-worker run gives. One worker (or a one-host scenario) is the plain engine in this thread.
 */
import { Worker } from 'node:worker_threads';
import type { RunResult } from '../src/core/metrics/result';
import { mergePartials, wireRecordPayloadBytes, type PartialResult } from '../src/core/partition/engine';
import { planPartitions } from '../src/core/partition/plan';
import { createRingMatrix, type RingRunStats } from '../src/core/partition/rings';
import type { Scenario } from '../src/core/scenario/types';

/** Records per ring: enough for a window's burst; a full ring only makes the sender wait (no deadlock). */
const RING_CAPACITY_RECORDS = 256;

export interface PartitionedRun {
  result: RunResult;
  /** Threads actually used: min(workers, hosts). */
  partitions: number;
  /** Lockstep windows the run took (0 when it ran as one partition). */
  windows: number;
  messagesSent: number;
}

const WORKER_ENTRY = new URL('./partition-worker.mjs', import.meta.url);

export async function runPartitionedThreads(scenario: Scenario, opts: { workers: number; durationNs?: number; seed?: number }): Promise<PartitionedRun> {
  // Throws PartitionError for a plan that cannot run (a crossing link that is not a wire, or has no delay).
  const plan = planPartitions(scenario, opts.workers);
  if (plan.partitions === 1) {
    const { runScenario } = await import('../src/core/engine');
    return { result: runScenario(scenario, { durationNs: opts.durationNs, seed: opts.seed }), partitions: 1, windows: 0, messagesSent: 0 };
  }
  const rings = createRingMatrix(plan.partitions, RING_CAPACITY_RECORDS, wireRecordPayloadBytes(scenario));
  const threads: Worker[] = [];
  const done = Array.from({ length: plan.partitions }, (_, self) => {
    const w = new Worker(WORKER_ENTRY, { workerData: { scenario, workers: opts.workers, self, rings, durationNs: opts.durationNs, seed: opts.seed } });
    threads.push(w);
    return new Promise<PartialResult & { stats: RingRunStats }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', (e) => reject(new Error(`partition ${self} failed: ${e instanceof Error ? e.message : String(e)}`)));
      w.once('exit', (code) => reject(new Error(`partition ${self} exited (code ${code}) without a result`)));
    });
  });
  try {
    // The first failure ends the run: its peers would otherwise wait on the rings until their idle bound.
    const parts = await Promise.all(done);
    return {
      result: mergePartials(scenario, plan, parts),
      partitions: plan.partitions,
      windows: parts[0].stats.windows,
      messagesSent: parts.reduce((s, p) => s + p.stats.messagesSent, 0),
    };
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}
