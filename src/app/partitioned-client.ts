/**
 * Partitioned runs in the browser: one Web Worker per host group (workers/partition.worker.ts), frames
 * crossing hosts over SharedArrayBuffer rings, the partials merged on this thread (mergePartials is
 * bookkeeping, not simulation). For comparison a separate worker runs the same scenario unpartitioned;
 * the page itself never runs the engine.
 */
import type { RunResult } from '../core/metrics/result';
import { mergePartials, wireRecordPayloadBytes, type PartialResult } from '../core/partition/engine';
import { planPartitions } from '../core/partition/plan';
import { createRingMatrix, type RingMatrix } from '../core/partition/rings';
import type { Scenario } from '../core/scenario/types';

export type PartitionJob =
  | { kind: 'partition'; scenario: Scenario; workers: number; self: number; rings: RingMatrix; durationNs: number; seed?: number }
  | { kind: 'plain'; scenario: Scenario; durationNs: number; seed?: number };

export type PartitionReply = { ok: true; part: PartialResult; windows: number; messagesSent: number } | { ok: false; error: string };

export interface RunSide {
  result: RunResult;
  totalEvents: number;
  wallMs: number;
}

export interface PartitionedComparison {
  durationNs: number;
  partitions: number;
  hosts: number;
  windows: number;
  messagesSent: number;
  partitioned: RunSide;
  single: RunSide;
  /** The merged RunResult equals the single-worker one field for field (same JSON), and so do the event counts. */
  identical: boolean;
}

/** Records per ring; a full ring makes the sender wait, it never deadlocks (see core/partition/rings.ts). */
const RING_CAPACITY_RECORDS = 256;

/** Partitioned runs share memory between workers: that needs SharedArrayBuffer, i.e. cross-origin isolation. */
export function partitionedSupport(): { ok: true } | { ok: false; reason: string } {
  if (globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined') return { ok: true };
  return {
    ok: false,
    reason:
      'Partitioned runs need SharedArrayBuffer, which browsers only enable on a cross-origin isolated page (served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp). This page is not isolated, so only single-worker runs are available here.',
  };
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; wallMs: number }> {
  const t0 = performance.now();
  const value = await p;
  return { value, wallMs: performance.now() - t0 };
}

function runJob(job: PartitionJob, started: Worker[]): Promise<Extract<PartitionReply, { ok: true }>> {
  const w = new Worker(new URL('../../workers/partition.worker.ts', import.meta.url), { type: 'module', name: job.kind === 'plain' ? 'offload-lab-single' : `offload-lab-partition-${job.self}` });
  started.push(w);
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<PartitionReply>) => (e.data.ok ? resolve(e.data) : reject(new Error(e.data.error)));
    w.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message || 'the worker failed to start'));
    };
    w.postMessage(job);
  });
}

/**
 * Runs `scenario` partitioned over min(workers, hosts) workers and, at the same time, unpartitioned in one
 * more worker; resolves with both results. Every worker is terminated when done, on the first failure, or
 * when `signal` aborts.
 */
export async function runPartitionedComparison(scenario: Scenario, opts: { workers: number; durationNs: number; seed?: number; signal?: AbortSignal }): Promise<PartitionedComparison> {
  const support = partitionedSupport();
  if (!support.ok) throw new Error(support.reason);
  const plan = planPartitions(scenario, opts.workers);
  const rings = createRingMatrix(plan.partitions, RING_CAPACITY_RECORDS, wireRecordPayloadBytes(scenario));
  const started: Worker[] = [];
  const aborted = new Promise<never>((_, reject) => {
    if (opts.signal?.aborted) reject(new Error('partitioned run cancelled'));
    opts.signal?.addEventListener('abort', () => reject(new Error('partitioned run cancelled')), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    const parts = timed(Promise.all(Array.from({ length: plan.partitions }, (_, self) => runJob({ kind: 'partition', scenario, workers: opts.workers, self, rings, durationNs: opts.durationNs, seed: opts.seed }, started))));
    const single = timed(runJob({ kind: 'plain', scenario, durationNs: opts.durationNs, seed: opts.seed }, started));
    const [p, s] = await Promise.race([Promise.all([parts, single]), aborted]);
    const merged = mergePartials(scenario, plan, p.value.map((r) => r.part));
    const singleResult = s.value.part.result;
    const totalEvents = p.value.reduce((n, r) => n + r.part.totalEvents, 0);
    return {
      durationNs: opts.durationNs,
      partitions: plan.partitions,
      hosts: scenario.hosts.length,
      windows: p.value[0].windows,
      messagesSent: p.value.reduce((n, r) => n + r.messagesSent, 0),
      partitioned: { result: merged, totalEvents, wallMs: p.wallMs },
      single: { result: singleResult, totalEvents: s.value.part.totalEvents, wallMs: s.wallMs },
      identical: totalEvents === s.value.part.totalEvents && JSON.stringify(merged) === JSON.stringify(singleResult),
    };
  } finally {
    for (const w of started) w.terminate();
  }
}
