import { describe, expect, it } from 'vitest';
import { findPreset, PRESETS } from '../scenario/presets/index';
import type { Scenario } from '../scenario/types';
import { PartitionError } from './coordinator';
import { planPartitions } from './plan';

function nicVsVm(): Scenario {
  const p = findPreset('vm-to-vm-vs-nic-to-vm');
  if (!p) throw new Error('preset vm-to-vm-vs-nic-to-vm missing');
  return structuredClone(p.scenario);
}

describe('planPartitions', () => {
  it('two hosts on two workers: wires between h1 and h2 cross, lookahead is their smallest delay', () => {
    const s = nicVsVm();
    const plan = planPartitions(s, 2);
    expect(plan.partitions).toBe(2);
    expect(plan.partitionOfHost.get('h1')).toBe(0);
    expect(plan.partitionOfHost.get('h2')).toBe(1);
    expect(plan.crossLinks.map((l) => l.linkId).toSorted()).toEqual(['l-gen', 'l-sink']);
    expect(plan.lookaheadNs).toBe(1000);
    // gen and sink both sit on h2: the flow itself does not cross (its frames do, through fwd on h1).
    expect(plan.crossFlows).toEqual([]);
  });

  it('a timeline change that shortens a crossing wire shortens the windows', () => {
    const s = nicVsVm();
    s.timeline.push({ atNs: 5_000_000, change: { kind: 'set-param', path: 'links[id=l-sink].delayNs', value: 400 } });
    expect(planPartitions(s, 2).lookaheadNs).toBe(400);
  });

  it('one worker, or a single-host preset: one partition, nothing crosses, no windows', () => {
    expect(planPartitions(nicVsVm(), 1).lookaheadNs).toBe(Infinity);
    for (const p of PRESETS.filter((x) => x.scenario.hosts.length === 1)) {
      const plan = planPartitions(p.scenario, 4);
      expect(plan.partitions).toBe(1);
      expect(plan.crossLinks).toEqual([]);
    }
  });

  it('refuses a crossing without delay and a non-wire link across hosts', () => {
    const s = nicVsVm();
    const l = s.links.find((x) => x.id === 'l-gen');
    if (!l) throw new Error('l-gen missing');
    l.delayNs = 0;
    expect(() => planPartitions(s, 2)).toThrow(PartitionError);
    const t = nicVsVm();
    const vmNode = t.nodes.find((n) => n.id === 'vm1');
    if (!vmNode) throw new Error('vm1 missing');
    vmNode.host = t.hosts[1].id;
    expect(() => planPartitions(t, 2)).toThrow(/only wires can cross/);
    expect(() => planPartitions(t, 0)).toThrow(PartitionError);
  });
});
