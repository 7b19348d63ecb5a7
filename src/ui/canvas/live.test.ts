import { describe, expect, it } from 'vitest';
import { Engine } from '../../core/engine';
import { COST_CATEGORIES } from '../../core/metrics/result';
import { PRESETS } from '../../core/scenario/presets';
import { coreBusy, coreLabels, formatFrameBytes, hopMarkers, hottestCore, isSuperFrame, linkFrames, type ChannelReader } from './live';
import { ownCoresByNode } from '../../core/metrics/result';

const preset = (id: string) => {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return p.scenario;
};

/** Runs a preset for a few samples and reads the last one, as the canvas does from the metrics history. */
function lastSample(id: string, untilNs: number): { read: ChannelReader; ids: string[] } {
  const e = new Engine(preset(id));
  e.runUntil(untilNs);
  const rows = e.takeSamples();
  const last = rows[rows.length - 1];
  const index = new Map(e.channels.map((c, k) => [c.id, k]));
  return { read: (cid) => (index.has(cid) ? last[1 + (index.get(cid) ?? 0)] : undefined), ids: e.channels.map((c) => c.id) };
}

describe('frame sizes', () => {
  it('formats bytes with binary units', () => {
    expect(formatFrameBytes(54)).toBe('54 B');
    expect(formatFrameBytes(1514)).toBe('1.5 KiB');
    expect(formatFrameBytes(65226)).toBe('64 KiB');
    expect(formatFrameBytes(0)).toBe('0 B');
    expect(formatFrameBytes(Number.NaN)).toBe('0 B');
  });

  it('calls a frame super when it exceeds one MTU-sized frame', () => {
    expect(isSuperFrame(1514, 1500)).toBe(false);
    expect(isSuperFrame(9014, 1500)).toBe(true);
    expect(isSuperFrame(9014, 9000)).toBe(false);
  });

  it('picks the busier direction of a link', () => {
    const v: Record<string, number> = { 'if/a/x/tx/bps': 8e9, 'if/a/x/tx/pps': 1e9 / 1000, 'if/b/y/tx/bps': 8e6, 'if/b/y/tx/pps': 1e4 };
    const f = linkFrames((id) => v[id], { node: 'a', iface: 'x' }, { node: 'b', iface: 'y' });
    expect(f?.from.node).toBe('a');
    expect(f?.stat.meanFrameBytes).toBe(1000);
    expect(linkFrames(() => 0, { node: 'a', iface: 'x' }, { node: 'b', iface: 'y' })).toBeNull();
  });
});

/** A bridge receiving 60 kB frames on p0 and sending p1TxBytes frames to a VM that counts vmRxBytes frames. */
const counters = (p1TxBytes: number, vmRxBytes: number): ChannelReader => {
  const v: Record<string, number> = {
    'if/br/p0/rx/bps': 8e9,
    'if/br/p0/rx/pps': 8e9 / 8 / 60000,
    'if/br/p1/tx/bps': 8e9,
    'if/br/p1/tx/pps': 8e9 / 8 / p1TxBytes,
    'if/vm/eth0/rx/bps': 8e9,
    'if/vm/eth0/rx/pps': 8e9 / 8 / vmRxBytes,
  };
  return (id) => v[id];
};

describe('hop markers from synthetic counters', () => {
  const s = {
    nodes: [
      { id: 'br', interfaces: [{ name: 'p0' }, { name: 'p1' }] },
      { id: 'vm', interfaces: [{ name: 'eth0' }] },
    ],
    links: [{ id: 'l', kind: 'veth', a: { node: 'br', iface: 'p1' }, b: { node: 'vm', iface: 'eth0' } }],
  } as unknown as Parameters<typeof hopMarkers>[0];

  it('marks a split where a node sends smaller frames than it received, and a merge where the receiver counts larger ones', () => {
    const m = hopMarkers(s, counters(1514, 30000));
    expect(m.map((x) => [x.kind, x.node, x.iface])).toEqual([
      ['gso-split', 'br', 'p1'],
      ['gro-merge', 'vm', 'eth0'],
    ]);
  });

  it('marks nothing when sizes are kept end to end', () => {
    expect(hopMarkers(s, counters(60000, 60000))).toEqual([]);
  });

  it('judges no frame size from a handful of packets per sample (a slow shaped link)', () => {
    const v: Record<string, number> = { 'if/br/p0/rx/bps': 3e7, 'if/br/p0/rx/pps': 3e7 / 8 / 20000, 'if/br/p1/tx/bps': 3e7, 'if/br/p1/tx/pps': 3e7 / 8 / 1514 };
    expect(hopMarkers(s, (id) => v[id])).toEqual([]);
  });

  it('ignores directions too thin to judge (ACK streams)', () => {
    const v: Record<string, number> = { 'if/br/p0/rx/bps': 1e5, 'if/br/p0/rx/pps': 1e5 / 8 / 60000, 'if/br/p1/tx/bps': 1e5, 'if/br/p1/tx/pps': 1e5 / 8 / 54 };
    expect(hopMarkers(s, (id) => v[id])).toEqual([]);
  });
});

describe('against the engine', () => {
  it('router-no-club: frames are split where they leave br1 for the router and merged where vm2 receives them', () => {
    const { read } = lastSample('router-no-club', 40e6);
    const m = hopMarkers(preset('router-no-club'), read);
    const at = (k: string) => m.filter((x) => x.kind === k).map((x) => `${x.node}/${x.iface}`);
    expect(at('gso-split')).toContain('br1/tap1');
    expect(at('gro-merge')).toContain('vm2/eth0');
    const split = m.find((x) => x.node === 'br1' && x.iface === 'tap1');
    expect(isSuperFrame(split?.fromBytes ?? 0, 1500)).toBe(true);
    expect(isSuperFrame(split?.toBytes ?? 0, 1500)).toBe(false);
  });

  it('router-no-club: the router node owns the saturated core', () => {
    const { read, ids } = lastSample('router-no-club', 40e6);
    const labels = coreLabels(ids);
    const busy = labels.map((l) => coreBusy(read, l, COST_CATEGORIES));
    const cores = new Map(Object.entries(ownCoresByNode(new Engine(preset('router-no-club')).result())));
    expect(hottestCore(busy, labels, cores.get('r1') ?? [])?.busy).toBeGreaterThanOrEqual(0.95);
    expect(hottestCore(busy, labels, cores.get('br1') ?? [])).toBeNull();
  });

  it('vm-vm-offload: super-frames end to end, no split or merge', () => {
    const { read } = lastSample('vm-vm-offload', 30e6);
    expect(hopMarkers(preset('vm-vm-offload'), read)).toEqual([]);
    const f = linkFrames(read, { node: 'vm1', iface: 'eth0' }, { node: 'br0', iface: 'tap0' });
    expect(isSuperFrame(f?.stat.meanFrameBytes ?? 0, 1500)).toBe(true);
  });

  it('core labels follow the engine core order', () => {
    expect(coreLabels(['cpu/h1/cpu0/event', 'cpu/h1/cpu0/packet', 'cpu/h1/cpu1/event', 'if/x/y/tx/bps'])).toEqual(['h1/cpu0', 'h1/cpu1']);
  });
});
