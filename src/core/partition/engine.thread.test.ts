import { describe, expect, it } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { tsWorker } from '../../../test-support/ts-worker';
import { runScenario } from '../engine';
import { findPreset } from '../scenario/presets/index';
import type { Scenario } from '../scenario/types';
import { mergePartials, wireRecordPayloadBytes, type PartialResult } from './engine';
import { planPartitions } from './plan';
import { createRingMatrix, type RingRunStats } from './rings';

const workerUrl = new URL('./engine.test-worker.ts', import.meta.url);

function threeHosts(): Scenario {
  const p = findPreset('vm-to-vm-vs-nic-to-vm');
  if (!p) throw new Error('preset missing');
  const s = structuredClone(p.scenario);
  s.hosts.push({ id: 'h3' as Scenario['hosts'][number]['id'], cores: 8 });
  const sink = s.nodes.find((n) => n.id === 'sink');
  if (!sink) throw new Error('sink missing');
  sink.host = 'h3' as typeof sink.host;
  s.flows.push({ id: 'p1' as Scenario['flows'][number]['id'], kind: 'probe', from: s.flows[0].from, to: s.flows[0].to, startNs: 1_000_000, intervalNs: 200_000, requestBytes: 64, responseBytes: 64, srcPort: 41000, dstPort: 7 });
  return s;
}

async function runThreads(s: Scenario, workers: number, durationNs: number): Promise<{ parts: (PartialResult & { stats: RingRunStats })[] }> {
  const plan = planPartitions(s, workers);
  const rings = createRingMatrix(plan.partitions, 256, wireRecordPayloadBytes(s));
  const ws: Worker[] = [];
  const done = Array.from({ length: plan.partitions }, (_, self) => {
    const w = tsWorker(workerUrl, { scenario: s, workers, self, rings, durationNs });
    ws.push(w);
    return new Promise<PartialResult & { stats: RingRunStats }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  });
  try {
    return { parts: await Promise.all(done) };
  } finally {
    await Promise.all(ws.map((w) => w.terminate()));
  }
}

describe('engine: one worker_thread per host over SAB rings', () => {
  it('three hosts (TCP + probe across hosts): the merged result equals the plain engine', async () => {
    const s = threeHosts();
    const durationNs = 5_000_000;
    const { parts } = await runThreads(s, 3, durationNs);
    expect(parts.every((p) => p.stats.windows === parts[0].stats.windows)).toBe(true);
    expect(parts[0].stats.messagesSent).toBeGreaterThan(100);
    expect(mergePartials(s, planPartitions(s, 3), parts)).toEqual(runScenario(s, { durationNs }));
  }, 120_000);
});
