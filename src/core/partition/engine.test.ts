import { describe, expect, it } from 'vitest';
import { runScenario } from '../engine';
import { findPreset, PRESETS } from '../scenario/presets/index';
import type { Scenario } from '../scenario/types';
import { runEnginePartitioned } from './engine';

function preset(id: string): Scenario {
  const p = findPreset(id);
  if (!p) throw new Error(`preset ${id} missing`);
  return structuredClone(p.scenario);
}

/** The same topology with sink on a third host and a probe gen → sink: TCP and probe endpoints on different hosts. */
function threeHosts(): Scenario {
  const s = preset('vm-to-vm-vs-nic-to-vm');
  s.hosts.push({ id: 'h3' as Scenario['hosts'][number]['id'], cores: 8 });
  const sink = s.nodes.find((n) => n.id === 'sink');
  if (!sink) throw new Error('sink missing');
  sink.host = 'h3' as typeof sink.host;
  const l = s.links.find((x) => x.id === 'l-sink');
  if (!l) throw new Error('l-sink missing');
  l.delayNs = 20_000;
  s.flows.push({ id: 'p1' as Scenario['flows'][number]['id'], kind: 'probe', from: s.flows[0].from, to: s.flows[0].to, startNs: 1_000_000, intervalNs: 200_000, requestBytes: 64, responseBytes: 64, srcPort: 41000, dstPort: 7 });
  return s;
}

describe('engine partitioned by host (in process)', () => {
  it('two hosts joined by wires: the same RunResult as the plain engine', () => {
    const s = preset('vm-to-vm-vs-nic-to-vm');
    const durationNs = 10_000_000;
    const plain = runScenario(s, { durationNs });
    const part = runEnginePartitioned(s, { workers: 2, durationNs });
    expect(part.plan.partitions).toBe(2);
    expect(part.windows).toBeGreaterThan(100);
    expect(plain.flows[0].bytesDelivered).toBeGreaterThan(0);
    expect(part.result).toEqual(plain);
  });

  it('three hosts, TCP and probe endpoints on different hosts, 20 µs and 1 µs wires: identical', () => {
    const s = threeHosts();
    const durationNs = 10_000_000;
    const plain = runScenario(s, { durationNs });
    const part = runEnginePartitioned(s, { workers: 3, durationNs });
    expect(part.plan.partitions).toBe(3);
    expect(part.plan.crossFlows).toEqual(['f1', 'p1']);
    expect(part.plan.lookaheadNs).toBe(1000);
    const probe = plain.flows[1];
    expect(probe.latencyNs?.samples).toBeGreaterThan(10);
    expect(part.result).toEqual(plain);
    // Each partition really ran only its share: the sink's host saw the data, the sender's host the RTTs.
    expect(part.partials[2].result.flows[0].bytesDelivered).toBe(plain.flows[0].bytesDelivered);
    expect(part.partials[1].result.flows[0].bytesDelivered).toBe(0);
    expect(part.partials[2].result.flows[1].latencyNs?.samples).toBe(0);
    expect(part.partials[0].result.interfaces).not.toEqual(plain.interfaces);
    // Two workers: h1 alone, h2 + h3 together.
    expect(runEnginePartitioned(s, { workers: 2, durationNs }).result).toEqual(plain);
  });

  it('every single-host preset runs as one partition with the same result', () => {
    const durationNs = 2_000_000;
    for (const p of PRESETS.filter((x) => x.scenario.hosts.length === 1)) {
      const part = runEnginePartitioned(p.scenario, { workers: 2, durationNs });
      expect(part.plan.partitions).toBe(1);
      expect(part.result).toEqual(runScenario(p.scenario, { durationNs }));
    }
  });
});
