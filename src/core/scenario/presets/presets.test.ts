import { describe, expect, it } from 'vitest';
import { RUN_RESULT_SCHEMA, type RunResult } from '../../metrics/result';
import { parseScenario } from '../validate';
import { applyVariant, findPreset, holds, METRIC_IDS, metricValue, PRESET_IDS, PRESETS } from './index';

const ROWS = [
  'vm-vm-offload',
  'vm-vm-segmented',
  'vm-vm-all-off',
  'router-club',
  'router-no-club',
  'checksum-trust',
  'qos-slow-egress',
  'qos-fast-egress',
  'multiqueue-rss',
  'hash-precomputed',
  'vm-to-vm-vs-nic-to-vm',
];

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/** JSON with sorted keys, so field order does not count as a change. */
function canonical(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).toSorted(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

function vary(id: string, name: string) {
  const p = findPreset(id)!;
  const r = applyVariant(p.scenario, p.variants.find((v) => v.name === name)!);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

const dir = (eventsPerSec: number) => ({
  packetsPerSec: 0,
  bitsPerSec: 0,
  meanFrameBytes: 0,
  eventsPerSec,
  eventsPerSecByKind: { kick: 0, interrupt: 0, wakeup: 0, softirq: 0, exit: 0 },
  drops: 0,
  dropsByReason: {},
});

describe('presets', () => {
  it('has exactly one preset per row of scenarios.md, in order', () => {
    expect(PRESET_IDS).toEqual(ROWS);
  });

  it.each(PRESETS.map((p) => [p.id, p] as const))('%s parses, round-trips through JSON and carries its own id', (id, p) => {
    const r = parseScenario(JSON.parse(JSON.stringify(p.scenario)));
    expect(r.ok ? [] : r.errors).toEqual([]);
    if (r.ok) expect(r.scenario).toEqual(p.scenario);
    expect(p.scenario.id).toBe(id);
    expect(p.scenario.profile).toBe('kvm-2017');
    expect(p.scenario.flows.length).toBeGreaterThan(0);
  });

  it.each(PRESETS.map((p) => [p.id, p] as const))('%s has workshop text and sound expectations', (_id, p) => {
    const sentences = p.explanation.split(/(?<=[.!?])\s+(?=[A-Z`])/).filter((x) => x.trim().length > 0);
    expect(sentences.length).toBeGreaterThanOrEqual(3);
    expect(sentences.length).toBeLessThanOrEqual(6);
    expect(p.oneLine.length).toBeLessThanOrEqual(160);
    const names = new Set(p.variants.map((v) => v.name));
    expect(names.size).toBe(p.variants.length);
    for (const e of [p.expectation, ...p.moreExpectations]) {
      expect(METRIC_IDS).toContain(e.metric);
      if (e.variant !== undefined) expect(names.has(e.variant), `${p.id}: variant ${e.variant}`).toBe(true);
      if (e.relativeTo) {
        const ref = findPreset(e.relativeTo.preset);
        expect(ref, e.relativeTo.preset).toBeDefined();
        if (e.relativeTo.variant !== undefined) expect(ref!.variants.map((v) => v.name)).toContain(e.relativeTo.variant);
      }
      expect(e.text.length).toBeGreaterThan(10);
    }
  });

  it.each(PRESETS.flatMap((p) => p.variants.map((v) => [`${p.id}@${v.name}`, p, v] as const)))('%s applies purely and validates', (name, p, variant) => {
    const frozen = deepFreeze(structuredClone(p.scenario));
    const before = JSON.stringify(frozen);
    const r = applyVariant(frozen, variant);
    expect(r.ok ? [] : r.errors).toEqual([]);
    expect(JSON.stringify(frozen)).toBe(before);
    expect(JSON.stringify(p.scenario)).toBe(before);
    if (r.ok) {
      expect(r.scenario.id).toBe(name);
      // A variant with changes must change something besides its id and description.
      expect(r.scenario.description).toContain(`Variant ${variant.name}`);
      const changed = canonical({ ...r.scenario, id: p.scenario.id, description: p.scenario.description }) !== canonical(p.scenario);
      expect(changed).toBe(variant.changes.length > 0);
    }
  });

  it('variants say what the rows compare', () => {
    expect(vary('qos-fast-egress', 'tso-10g').nodes.find((n) => n.id === 'r1')!.interfaces[1].qdisc).toMatchObject({ rateBitsPerSec: 10e9 });
    const q4 = vary('multiqueue-rss', 'q4').nodes.find((n) => n.id === 'fwd')!;
    expect(q4.kind === 'forwarder' && q4.cores).toBe(4);
    expect(q4.interfaces.map((i) => i.queues)).toEqual([4, 4]);
    expect(vary('checksum-trust', 'full').nodes.find((n) => n.id === 'vm1')!.interfaces[0].features['tx-checksumming']).toBe(false);
    expect(vary('vm-to-vm-vs-nic-to-vm', 'vm-to-vm').flows[0].from).toBe('vm1');
  });
});

describe('metrics', () => {
  const zeroCats = { event: 0, packet: 0, copy: 0, checksum: 0, segmentation: 0, gro: 0, hash: 0, lookup: 0 };
  const result: RunResult = {
    schema: RUN_RESULT_SCHEMA,
    scenario: 'x',
    profile: 'kvm-2017',
    seed: 1,
    simulatedNs: 1e9,
    flows: [
      { id: 'a', kind: 'tcp', throughputBitsPerSec: 3e9, bytesDelivered: 0 },
      { id: 'b', kind: 'tcp', throughputBitsPerSec: 1e9, bytesDelivered: 0 },
      { id: 'p', kind: 'probe', throughputBitsPerSec: 0, bytesDelivered: 0, latencyNs: { p50: 10, p99: 90, max: 100, mean: 20, samples: 5 }, jitterNs: 7 },
    ],
    interfaces: [
      { id: 'r1/eth0', tx: dir(100), rx: dir(300), queueDepthMaxPackets: 0 },
      { id: 'vm1/eth0', tx: dir(1000), rx: dir(0), queueDepthMaxPackets: 0 },
    ],
    nodes: [
      { id: 'r1', kind: 'router', memoryBytes: 5e6, cores: [{ core: 0, utilization: 1, nsByCategory: zeroCats }, { core: 1, utilization: 1, nsByCategory: zeroCats }] },
      { id: 'fwd', kind: 'forwarder', memoryBytes: 2 ** 31, cores: [] },
    ],
    checksum: { badDropped: 2, acceptedCorrupt: 3, verifiedInSoftware: 0, trusted: 0 },
    totals: { eventsPerSec: 8000, packetHops: 0 },
  };

  it('computes each metric from a result', () => {
    expect(metricValue(result, 'tcpThroughputBitsPerSec')).toBe(4e9);
    expect(metricValue(result, 'throughputPerForwardingCoreBitsPerSec')).toBe(2e9);
    expect(metricValue(result, 'eventsPerSecPerGbit')).toBe(2000);
    expect(metricValue(result, 'forwarderEventsPerSecPerCore')).toBe(200);
    // r1/eth0's 400 events per second over the 8,000 packets per second it sends; vm1 is not a forwarder.
    const sending = { ...result, interfaces: result.interfaces.map((i) => ({ ...i, tx: { ...i.tx, packetsPerSec: 8000 } })) };
    expect(metricValue(sending, 'forwarderEventsPerPacket')).toBe(0.05);
    expect(metricValue(result, 'forwarderEventsPerPacket')).toBeNaN();
    expect(metricValue(result, 'probeLatencyP99Ns')).toBe(90);
    expect(metricValue(result, 'probeJitterNs')).toBe(7);
    expect(metricValue(result, 'acceptedCorrupt')).toBe(3);
    expect(metricValue(result, 'badDropped')).toBe(2);
    expect(metricValue(result, 'forwarderMemoryBytes')).toBe(2 ** 31);
    expect(metricValue({ ...result, flows: [] }, 'probeJitterNs')).toBeNaN();
  });

  it('compares, and NaN never holds', () => {
    expect(holds({ comparator: '>=', value: 1 }, 1)).toBe(true);
    expect(holds({ comparator: '>', value: 1 }, 1)).toBe(false);
    expect(holds({ comparator: '<', value: 1 }, 0.5)).toBe(true);
    expect(holds({ comparator: '<=', value: 1 }, Number.NaN)).toBe(false);
  });
});
