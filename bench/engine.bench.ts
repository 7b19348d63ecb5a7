// Engine speed and memory: simulated packet-hops per wall second and wall time per simulated second for a
// two-VM offloaded (64 KiB super-frames) and a segmented (1500-byte frames) bulk TCP run, a raw event-queue
// loop measured in the same run as the baseline, ns-3's ~25 k packets/s (issue 4) as the external reference,
// and heap used before/after a long run.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Engine } from '../src/core/engine';
import { EventQueue } from '../src/core/sim/eventQueue';
import type { FlowSpec, HostId, InterfaceSpec, LinkId, LinkSpec, NodeId, NodeSpec, Scenario } from '../src/core/scenario/types';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const NS3_PACKETS_PER_WALL_SEC = 25_000;
const SIM_NS = 1_000_000_000;

function ifc(name: string, template: InterfaceSpec['template'], o: Partial<InterfaceSpec> = {}): InterfaceSpec {
  return { name, template, mtu: 1500, queues: 1, features: {}, vnetHdr: true, qdisc: { kind: 'noqueue' }, ...o };
}
function virtio(id: string, a: [string, string], b: [string, string]): LinkSpec {
  return { id: id as LinkId, kind: 'virtio', a: { node: a[0] as NodeId, iface: a[1] }, b: { node: b[0] as NodeId, iface: b[1] }, ringSize: 256, eventIdx: true };
}
function twoVms(sender: Record<string, boolean>, receiver: Record<string, boolean>): Scenario {
  const vm = (id: string, ip: string, features: Record<string, boolean>): NodeSpec => ({
    kind: 'vm',
    id: id as NodeId,
    host: 'h1' as HostId,
    vcpus: 2,
    interfaces: [ifc('eth0', 'virtio-net', { ipv4: ip, features })],
  });
  const flow: FlowSpec = { kind: 'tcp', id: 'f1' as FlowSpec['id'], from: 'vm1' as NodeId, to: 'vm2' as NodeId, startNs: 0 };
  return {
    version: 1,
    id: 'bench',
    title: 'bench',
    profile: 'kvm-2017',
    seed: 1,
    durationNs: SIM_NS,
    sampleIntervalNs: 10_000_000,
    hosts: [{ id: 'h1' as HostId, cores: 8 }],
    nodes: [vm('vm1', '10.0.0.1/24', sender), { kind: 'bridge', id: 'br0' as NodeId, host: 'h1' as HostId, interfaces: [ifc('tap0', 'tap'), ifc('tap1', 'tap')] }, vm('vm2', '10.0.0.2/24', receiver)],
    links: [virtio('l1', ['vm1', 'eth0'], ['br0', 'tap0']), virtio('l2', ['vm2', 'eth0'], ['br0', 'tap1'])],
    flows: [flow],
    faults: [],
    timeline: [],
  };
}

function wallNs(): number {
  return Number(process.hrtime.bigint());
}

function runFor(s: Scenario, simNs: number): { wallSec: number; hops: number; segHops: number; gbps: number } {
  const e = new Engine(s);
  const t0 = wallNs();
  for (let t = 10_000_000; t <= simNs; t += 10_000_000) {
    e.runUntil(t);
    e.takeSamples();
  }
  const wallSec = (wallNs() - t0) / 1e9;
  const r = e.result();
  return { wallSec, hops: r.totals.packetHops, segHops: r.totals.segmentHops ?? r.totals.packetHops, gbps: r.flows[0].throughputBitsPerSec / 1e9 };
}

function eventQueueBaseline(n: number): number {
  const q = new EventQueue();
  let left = n;
  const target = {
    onEvent(now: number): void {
      if (--left > 0) q.push(now + 100 + (left % 7), target);
    },
  };
  for (let i = 0; i < 64; i++) q.push(i, target);
  const t0 = wallNs();
  while (q.popAndFire()) {
    /* drain */
  }
  return n / ((wallNs() - t0) / 1e9);
}

const offloaded = twoVms({}, {});
const segmented = twoVms({ 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false }, { 'generic-receive-offload': false });

// Warm up the JIT on both shapes.
runFor(offloaded, 50_000_000);
runFor(segmented, 50_000_000);

const baseline = eventQueueBaseline(2_000_000);
const off = runFor(offloaded, SIM_NS);
const seg = runFor(segmented, SIM_NS);

gc();
const heapBefore = process.memoryUsage().heapUsed;
const long = new Engine(segmented);
let heapAt1s = 0;
for (let t = 10_000_000; t <= 5 * SIM_NS; t += 10_000_000) {
  long.runUntil(t);
  long.takeSamples();
  if (t === SIM_NS) {
    gc();
    heapAt1s = process.memoryUsage().heapUsed;
  }
}
gc();
const heapAt5s = process.memoryUsage().heapUsed;

const MB = 1024 * 1024;
const rows: Array<[string, string, string]> = [
  ['event-queue baseline (events/wall s)', baseline.toFixed(0), '1.00'],
  ['offloaded: wall s per simulated s', off.wallSec.toFixed(3), `target < 1 → ${(1 / off.wallSec).toFixed(2)}× real time`],
  ['offloaded: frame-hops / wall s', (off.hops / off.wallSec).toFixed(0), `${(off.hops / off.wallSec / NS3_PACKETS_PER_WALL_SEC).toFixed(1)}× ns-3, ${(off.hops / off.wallSec / baseline).toFixed(3)}× baseline`],
  ['offloaded: MTU-segment-hops / wall s', (off.segHops / off.wallSec).toFixed(0), `${(off.segHops / off.wallSec / NS3_PACKETS_PER_WALL_SEC).toFixed(0)}× ns-3`],
  ['offloaded: simulated throughput Gbit/s', off.gbps.toFixed(2), ''],
  ['segmented: wall s per simulated s', seg.wallSec.toFixed(3), `${(1 / seg.wallSec).toFixed(2)}× real time`],
  ['segmented: packet-hops / wall s', (seg.hops / seg.wallSec).toFixed(0), `${(seg.hops / seg.wallSec / NS3_PACKETS_PER_WALL_SEC).toFixed(1)}× ns-3 (target ≥ 10×), ${(seg.hops / seg.wallSec / baseline).toFixed(3)}× baseline`],
  ['segmented: simulated throughput Gbit/s', seg.gbps.toFixed(2), ''],
  ['heap before long run (MB)', (heapBefore / MB).toFixed(1), ''],
  ['heap after 1 s simulated (MB)', (heapAt1s / MB).toFixed(1), ''],
  ['heap after 5 s simulated (MB)', (heapAt5s / MB).toFixed(1), `${(heapAt5s / Math.max(1, heapAt1s)).toFixed(2)}× the 1 s figure (flat ≈ 1)`],
];
const w = Math.max(...rows.map((r) => r[0].length));
for (const [k, v, ratio] of rows) console.log(`${k.padEnd(w)}  ${v.padStart(12)}  ${ratio}`);
