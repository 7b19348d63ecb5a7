import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Engine, runScenario } from './engine';
import type { FaultSpec, FlowSpec, HostId, InterfaceSpec, LinkId, LinkSpec, NodeId, NodeSpec, Scenario } from './scenario/types';
import type { RunResult } from './metrics/result';
import { base, br, gbps, ifc, iface, MS, tcp, udp, viaRouter, virtio, vm } from './test-scenarios';

/** vm1 → br0 → vm2 over virtio/vhost; `sender`/`receiver` tweak the guests' interfaces. */
function twoVms(sender: Partial<InterfaceSpec> = {}, receiver: Partial<InterfaceSpec> = {}, flows: FlowSpec[] = [tcp()], extra: Partial<Scenario> = {}): Scenario {
  return base(
    [vm('vm1', '10.0.0.1/24', sender), br('br0', ['tap0', 'tap1']), vm('vm2', '10.0.0.2/24', receiver)],
    [virtio('l1', ['vm1', 'eth0'], ['br0', 'tap0']), virtio('l2', ['vm2', 'eth0'], ['br0', 'tap1'])],
    flows,
    extra,
  );
}

const p99 = (r: RunResult) => r.flows.find((f) => f.id === 'p')?.latencyNs?.p99 ?? 0;
const probeP50 = (r: RunResult) => r.flows.find((f) => f.id === 'p')?.latencyNs?.p50 ?? 0;

/** A probe alone between two idle VMs, every millisecond. */
function probeOnly(contextSwitchNs: number): RunResult {
  const probe: FlowSpec = { kind: 'probe', id: 'p' as FlowSpec['id'], from: 'vm1' as NodeId, to: 'vm2' as NodeId, startNs: 0, intervalNs: MS, requestBytes: 64, responseBytes: 64 };
  return runScenario(twoVms({}, {}, [probe], { durationNs: 50 * MS, profileOverrides: { contextSwitchNs } }));
}

function shaped(routerEgress: Partial<InterfaceSpec>): Scenario {
  const s = viaRouter();
  const r = s.nodes[2];
  r.interfaces[1] = { ...r.interfaces[1], qdisc: { kind: 'pfifo', limitPackets: 100, rateBitsPerSec: 10e6 }, ...routerEgress };
  s.flows.push({ kind: 'probe', id: 'p' as FlowSpec['id'], from: 'vm1' as NodeId, to: 'vm2' as NodeId, startNs: 5 * MS, intervalNs: 5 * MS, requestBytes: 64, responseBytes: 64 });
  s.durationNs = 300 * MS;
  return s;
}

function perPacket(rate: number): number {
  const r = runScenario(twoVms({}, {}, [udp(rate)]));
  const rx = iface(r, 'vm2/eth0').rx;
  const tx = iface(r, 'vm1/eth0').tx;
  return (rx.eventsPerSecByKind.interrupt + tx.eventsPerSecByKind.kick) / rx.packetsPerSec;
}

const nodeBusyNs = (r: RunResult, id: string): number =>
  (r.nodes.find((n) => n.id === id)?.cores ?? []).reduce((s, c) => s + Object.values(c.nsByCategory).reduce((a, b) => a + b, 0), 0);

const eventsPerGbit = (r: RunResult) => r.totals.eventsPerSec / gbps(r);
const vm1TxFrames = (r: RunResult) => (iface(r, 'vm1/eth0').tx.packetsPerSec * r.simulatedNs) / 1e9;
const vm1TxBytes = (r: RunResult) => (iface(r, 'vm1/eth0').tx.bitsPerSec * r.simulatedNs) / 8e9;
const routerBusyNsPerGbit = (r: RunResult) => nodeBusyNs(r, 'r1') / gbps(r);
const eventNsPerGbit = (r: RunResult) => r.nodes.flatMap((n) => n.cores).reduce((sum, c) => sum + c.nsByCategory.event, 0) / gbps(r);
const receiverBusyNsPerGbit = (r: RunResult) => nodeBusyNs(r, 'b') / gbps(r);

describe('determinism', () => {
  const s = twoVms({}, {}, [tcp(), { kind: 'probe', id: 'p' as FlowSpec['id'], from: 'vm2' as NodeId, to: 'vm1' as NodeId, startNs: 0, intervalNs: MS, requestBytes: 64, responseBytes: 64 }], {
    faults: [{ kind: 'drop', at: { node: 'br0' as NodeId, iface: 'tap1' }, direction: 'tx', fraction: 0.01 }],
  });

  it('same scenario and seed give identical results and samples', () => {
    const run = () => {
      const e = new Engine(s);
      const samples: Float64Array[] = [];
      for (let t = 5; t <= 20; t += 5) {
        e.runUntil(t * MS);
        samples.push(...e.takeSamples());
      }
      return { result: e.result(), samples: samples.map((x) => Array.from(x)) };
    };
    const a = run();
    const b = run();
    expect(a.result).toEqual(b.result);
    expect(a.samples).toEqual(b.samples);
    expect(a.samples.length).toBe(10);
    expect(a.samples[0].length).toBe(1 + new Engine(s).channels.length);
    expect(a.result.flows[0].throughputBitsPerSec).toBeGreaterThan(0);
  });

  it('runScenario equals a stepped Engine run', () => {
    const e = new Engine(s);
    for (let t = 1; t <= 20; t++) e.runUntil(t * MS);
    expect(runScenario(s, { durationNs: 20 * MS })).toEqual(e.result());
  });

  it('a different seed draws different drops', () => {
    const a = runScenario(s, { durationNs: 20 * MS });
    const b = runScenario(s, { durationNs: 20 * MS, seed: 8 });
    expect(b.seed).toBe(8);
    expect(a.flows.map((f) => [f.bytesDelivered, f.retransmits])).not.toEqual(b.flows.map((f) => [f.bytesDelivered, f.retransmits]));
  });

  it('src/core uses no wall clock and no Math.random', () => {
    const root = join(__dirname);
    const bad: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(name) && !name.endsWith('.test.ts')) {
          const code = readFileSync(p, 'utf8')
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
          if (/Math\.random\s*\(|Date\.now\s*\(|\bperformance\s*\./.test(code)) bad.push(p);
        }
      }
    };
    walk(root);
    expect(bad).toEqual([]);
  });
});

describe('mechanisms', () => {
  it('moves real frames: a 64 KiB super-frame crosses the bridge whole when every hop carries GSO', () => {
    const r = runScenario(twoVms());
    expect(iface(r, 'br0/tap1').tx.meanFrameBytes).toBeGreaterThan(30_000);
    expect(gbps(r)).toBeGreaterThan(5);
  });

  it('events per packet fall as load rises (notification suppression emerges)', () => {
    const light = perPacket(20e6);
    const heavy = perPacket(3e9);
    expect(light).toBeGreaterThan(1.5);
    expect(heavy).toBeLessThan(light / 3);
  });

  it('turning TSO/GSO off in the sender raises events/s per Gbit/s', () => {
    const on = runScenario(twoVms());
    const off = runScenario(twoVms({ features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } }, { features: { 'generic-receive-offload': false } }));
    expect(gbps(off)).toBeLessThan(gbps(on));
    expect(eventsPerGbit(off)).toBeGreaterThan(3 * eventsPerGbit(on));
    expect(iface(off, 'vm1/eth0').tx.meanFrameBytes).toBeLessThan(1600);
  });

  it('a live set-feature toggle changes the frames on the wire', () => {
    const e = new Engine(twoVms());
    e.runUntil(10 * MS);
    const before = e.result();
    e.applyChange({ kind: 'set-feature', at: { node: 'vm1' as NodeId, iface: 'eth0' }, feature: 'tso', on: false });
    e.applyChange({ kind: 'set-feature', at: { node: 'vm1' as NodeId, iface: 'eth0' }, feature: 'gso', on: false });
    e.runUntil(20 * MS);
    const after = e.result();
    const meanAfter = (vm1TxBytes(after) - vm1TxBytes(before)) / (vm1TxFrames(after) - vm1TxFrames(before));
    expect(iface(before, 'vm1/eth0').tx.meanFrameBytes).toBeGreaterThan(10_000);
    expect(meanAfter).toBeLessThan(1600);
  });

  it('a router without vnet headers burns more CPU per Gbit and carries only MTU frames', () => {
    const club = runScenario(viaRouter());
    const noClub = runScenario(viaRouter({ ingress: { vnetHdr: false }, egress: { vnetHdr: false } }));
    expect(routerBusyNsPerGbit(noClub)).toBeGreaterThan(2 * routerBusyNsPerGbit(club));
    expect(iface(noClub, 'r1/eth1').tx.meanFrameBytes).toBeLessThan(1600);
    expect(iface(club, 'r1/eth1').tx.meanFrameBytes).toBeGreaterThan(10_000);
    expect(noClub.checksum.verifiedInSoftware).toBeGreaterThan(0);
    expect(gbps(club)).toBeGreaterThan(gbps(noClub));
  });

  it('a saturated guest posts RX buffers back in batches, so vhost is not kicked per packet', () => {
    const noClub = runScenario(viaRouter({ ingress: { vnetHdr: false }, egress: { vnetHdr: false } }), { durationNs: 60 * MS });
    const rx = iface(noClub, 'r1/eth0').rx;
    // The router's one core is busy; its ring stays full and vhost runs out of buffers. virtnet_receive refills
    // only when a poll leaves more than half the ring free, and kicks once for the whole refill.
    expect(noClub.nodes.find((n) => n.id === 'r1')?.cores[0].utilization).toBeGreaterThan(0.95);
    // Per 1514-byte wire frame (GRO merges what the router counts as received): ≈ 0.005 with batched refills,
    // ≈ 0.04 when every consumed buffer was posted back at once.
    const wireFramesPerSec = rx.bitsPerSec / (8 * 1514);
    expect(rx.eventsPerSec / wireFramesPerSec).toBeLessThan(0.01);
  });

  it('corrupted payload under CHECKSUM_PARTIAL is accepted; with full checksums it is dropped', () => {
    const corrupt: FaultSpec = { kind: 'corrupt', at: { node: 'br0' as NodeId, iface: 'tap0' }, direction: 'rx', fraction: 0.05, payloadOffsetBytes: 100 };
    const partial = runScenario(twoVms({}, {}, [tcp()], { faults: [corrupt] }));
    expect(partial.checksum.acceptedCorrupt).toBeGreaterThan(0);
    expect(partial.checksum.badDropped).toBe(0);
    // No vnet header on the bridge side: the sender must finish every checksum, the receiver must verify.
    const s = twoVms({ vnetHdr: false }, { vnetHdr: false }, [tcp()], { faults: [corrupt] });
    const r = runScenario(s);
    expect(r.checksum.badDropped).toBeGreaterThan(0);
    expect(r.checksum.acceptedCorrupt).toBe(0);
    expect(r.checksum.verifiedInSoftware).toBeGreaterThan(0);
  });

  it('the probe’s ends are processes: its round trip includes waking the echo server and the client', () => {
    // recvfrom() wakes the echo server on vm2 and then the client on vm1: at least two context switches per round
    // trip (the halted vCPUs' NAPI wake-ups add theirs), none of which the old softirq echo paid.
    const switched = probeOnly(2000);
    expect(probeP50(switched) - probeP50(probeOnly(0))).toBeGreaterThanOrEqual(2 * 2000);
    expect(switched.flows[0].latencyNs?.samples).toBeGreaterThan(45);
  });

  it('a slow shaped egress puts the probe behind whole super-frames', () => {
    const blobs = runScenario(shaped({}));
    const segs = runScenario(shaped({ features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } }));
    expect(p99(blobs)).toBeGreaterThan(p99(segs));
    expect(iface(segs, 'r1/eth1').tx.meanFrameBytes).toBeLessThan(1600);
  });
});

function ct(id: string, ip: string, queues: number): NodeSpec {
  return {
    kind: 'container',
    id: id as NodeId,
    host: (id === 'a' ? 'h1' : 'h2') as HostId,
    interfaces: [ifc('eth0', 'nic', { ipv4: ip, queues, vnetHdr: false, features: { 'receive-hashing': true } })],
  };
}

describe('physics directions and live changes', () => {
  it('a dearer copy lowers offloaded throughput; a dearer kick raises the segmented CPU cost per Gbit', () => {
    const cheap = runScenario(twoVms());
    const dear = runScenario({ ...twoVms(), profileOverrides: { copyNsPerByte: 0.2 } });
    // About a third of the offloaded sender's work is copying (the rest mostly the kick and interrupt of each
    // 64 KiB frame): twice the copy cost takes ≈ a quarter off.
    expect(gbps(dear)).toBeLessThan(0.9 * gbps(cheap));
    const seg = { features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } };
    const plain = runScenario(twoVms(seg));
    const dearKick = runScenario({ ...twoVms(seg), profileOverrides: { kickNs: 3000 } });
    expect(eventNsPerGbit(dearKick)).toBeGreaterThan(eventNsPerGbit(plain));
  });

  it('UDP at a rate is delivered at that rate; a live set-param slows a shaped egress', () => {
    const r = runScenario(twoVms({}, {}, [udp(200e6)]));
    const u = r.flows.find((f) => f.id === 'u');
    expect(u?.throughputBitsPerSec).toBeGreaterThan(190e6);
    expect(u?.throughputBitsPerSec).toBeLessThan(210e6);

    const s = viaRouter();
    s.nodes[2].interfaces[1] = { ...s.nodes[2].interfaces[1], qdisc: { kind: 'pfifo', limitPackets: 1000, rateBitsPerSec: 1e9 } };
    s.flows = [{ ...udp(500e6), from: 'vm1' as NodeId, to: 'vm2' as NodeId }];
    const e = new Engine(s);
    e.runUntil(10 * MS);
    const first = e.result().flows[0].bytesDelivered;
    e.applyChange({ kind: 'set-param', path: 'nodes[id=r1].interfaces[name=eth1].qdisc.rateBitsPerSec', value: 100e6 });
    e.runUntil(20 * MS);
    const second = e.result().flows[0].bytesDelivered - first;
    expect(second).toBeLessThan(first / 2);
  });

  it('RSS spreads flows over a NIC’s receive queues (one NAPI each)', () => {
    const flows: FlowSpec[] = [];
    for (let i = 0; i < 8; i++) flows.push({ kind: 'udp', id: `u${i}` as FlowSpec['id'], from: 'a' as NodeId, to: 'b' as NodeId, startNs: 0, rateBitsPerSec: 50e6, payloadBytes: 1000 });
    const wire: LinkSpec = { id: 'w' as LinkId, kind: 'wire', a: { node: 'a' as NodeId, iface: 'eth0' }, b: { node: 'b' as NodeId, iface: 'eth0' }, rateBitsPerSec: 10e9, delayNs: 1000 };
    const s = base([ct('a', '10.0.0.1/24', 1), ct('b', '10.0.0.2/24', 4)], [wire], flows, { hosts: [{ id: 'h1' as HostId, cores: 2 }, { id: 'h2' as HostId, cores: 2 }] });
    const e = new Engine(s);
    e.runUntil(20 * MS);
    const port = (e as unknown as { net: { ports: Array<{ id: string; nicRx: Array<{ maxDepth: number }> }> } }).net.ports.find((p) => p.id === 'b/eth0');
    const used = (port?.nicRx ?? []).filter((q) => q.maxDepth > 0).length;
    expect(used).toBeGreaterThan(1);
    expect(e.result().flows.every((f) => f.bytesDelivered > 0)).toBe(true);
  });
});

describe('events by kind', () => {
  it('publishes one channel per event kind whose non-exit sum is the total, and whose rates match the run result', () => {
    const engine = new Engine(twoVms({ features: { 'tcp-segmentation-offload': false } }), { seed: 3 });
    engine.runUntil(30 * MS);
    const ids = engine.channels.map((c) => c.id);
    const kinds = ['kick', 'interrupt', 'wakeup', 'softirq', 'exit'];
    const col = (id: string) => 1 + ids.indexOf(id);
    for (const k of kinds) expect(ids).toContain(`events/kind/${k}`);
    const samples = engine.takeSamples();
    expect(samples.length).toBeGreaterThan(2);
    let sawKicks = false;
    for (const s of samples) {
      const nonExit = kinds.filter((k) => k !== 'exit').reduce((acc, k) => acc + s[col(`events/kind/${k}`)], 0);
      expect(nonExit).toBeCloseTo(s[col('events/total')], 6);
      if (s[col('events/kind/kick')] > 0) sawKicks = true;
    }
    expect(sawKicks).toBe(true);
  });
});

// Bare-metal endpoints on NICs joined by 100 Gbit/s wires, for the LRO checks.
const wire = (id: string, a: [string, string], b: [string, string]): LinkSpec => ({
  id: id as LinkId,
  kind: 'wire',
  a: { node: a[0] as NodeId, iface: a[1] },
  b: { node: b[0] as NodeId, iface: b[1] },
  rateBitsPerSec: 100e9,
  delayNs: 1000,
});
const host = (id: string, ip: string, hostId: string, features: Record<string, boolean> = {}): NodeSpec => ({
  kind: 'container',
  id: id as NodeId,
  host: hostId as HostId,
  interfaces: [ifc('eth0', 'nic', { ipv4: ip, vnetHdr: false, features })],
});
const hosts = [
  { id: 'h1' as HostId, cores: 4 },
  { id: 'h2' as HostId, cores: 4 },
];
const bareMetal = (receiverLro: boolean): Scenario =>
  base([host('a', '10.0.0.1/24', 'h1'), host('b', '10.0.0.2/24', 'h2', { 'large-receive-offload': receiverLro })], [wire('w', ['a', 'eth0'], ['b', 'eth0'])], [tcp('f1', 'a', 'b')], {
    hosts,
  });

/** a → router r1 (1 core, two NICs; `routerFeatures` on its ingress) → b. */
function routed(routerFeatures: Record<string, boolean>): Scenario {
  const r: NodeSpec = {
    kind: 'router',
    id: 'r1' as NodeId,
    host: 'h2' as HostId,
    cores: 1,
    interfaces: [ifc('eth0', 'nic', { ipv4: '10.0.1.1/24', vnetHdr: false, features: { 'generic-receive-offload': false, ...routerFeatures } }), ifc('eth1', 'nic', { ipv4: '10.0.2.1/24', vnetHdr: false })],
    routes: [],
    firewall: [],
  };
  return base(
    [host('a', '10.0.1.2/24', 'h1'), r, host('b', '10.0.2.2/24', 'h1')],
    [wire('w1', ['a', 'eth0'], ['r1', 'eth0']), wire('w2', ['r1', 'eth1'], ['b', 'eth0'])],
    [tcp('f1', 'a', 'b')],
    { hosts },
  );
}

describe('NIC LRO (hardware aggregation) and forwarding', () => {
  it('a busy receiver with LRO gets few large skbs and less CPU per byte than one taking every 1500-byte frame', () => {
    const on = runScenario(bareMetal(true));
    const off = runScenario(bareMetal(false));
    // The sender ships TSO frames that leave the NIC as 1500-byte segments; without LRO the receiver's driver sees
    // each one (netdev + GRO per segment), with LRO the NIC hands it aggregates.
    expect(iface(on, 'b/eth0').rx.meanFrameBytes).toBeGreaterThan(4 * iface(off, 'b/eth0').rx.meanFrameBytes);
    expect(receiverBusyNsPerGbit(on)).toBeLessThan(receiverBusyNsPerGbit(off) * 0.8);
    expect(gbps(on)).toBeGreaterThan(gbps(off));
    expect(on.interfaces.every((i) => (i.rx.dropsByReason['lro-forwarded'] ?? 0) === 0)).toBe(true);
  });

  it('a router’s NIC starts with LRO off (dev_disable_lro) and takes every segment; forced back on, it aggregates', () => {
    const stock = runScenario(routed({}));
    const forced = runScenario(routed({ 'large-receive-offload': true }));
    expect(gbps(stock)).toBeGreaterThan(0.5);
    // GRO off on the router's ingress, so what its stack sees is what the NIC handed it.
    expect(iface(stock, 'r1/eth0').rx.meanFrameBytes).toBeLessThan(1600);
    expect(iface(forced, 'r1/eth0').rx.meanFrameBytes).toBeGreaterThan(4 * 1514);
  });
});

// Heavy random loss on the segmented path (1500-byte frames): many holes at the receiver, SACK recovery and RTOs.
const lossy = (fraction: number): Scenario =>
  twoVms(
    { features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } },
    { features: { 'generic-receive-offload': false } },
    [tcp()],
    { faults: [{ kind: 'drop', at: { node: 'br0' as NodeId, iface: 'tap1' }, direction: 'tx', fraction }], durationNs: 1000 * MS },
  );

describe('TCP loss recovery', () => {
  it('a flow whose first flight and retransmissions are lost learns its RTT from SACKs and repairs them long before the 1 s initial RTO', () => {
    // Whole 64 KiB frames dropped at the receiver: no ACK advances una for a while, only SACKs arrive.
    for (const seed of [796, 7, 11]) {
      const s = twoVms({}, {}, [tcp()], { seed, durationNs: 200 * MS, faults: [{ kind: 'drop', at: { node: 'vm2' as NodeId, iface: 'eth0' }, direction: 'rx', fraction: 0.27 }] });
      expect(runScenario(s).flows[0].bytesDelivered, `seed ${seed}`).toBeGreaterThan(100_000);
    }
  });

  it('keeps delivering through random loss, and delivers less the more is lost', { timeout: 60_000 }, () => {
    const total: number[] = [];
    for (const fraction of [0.01, 0.05, 0.2]) {
      const e = new Engine(lossy(fraction));
      e.runUntil(500 * MS);
      const firstHalf = e.result().flows[0].bytesDelivered;
      e.runUntil(1000 * MS);
      const all = e.result().flows[0].bytesDelivered;
      total.push(all);
      // Up to 5 % loss the flow never stalls for good: SACK/FACK recovery, early
      // retransmit and loss probes repair losses within round trips, an ACK for data sent before an RTO is
      // accepted, and the receiver never forgets out-of-order data it has SACKed. (At 20 % probes and
      // retransmissions are lost too, and RTO back-off dominates.)
      if (fraction <= 0.05) expect(all - firstHalf, `loss ${fraction}: second half vs first`).toBeGreaterThan(0.1 * firstHalf);
    }
    expect(total[0]).toBeGreaterThan(total[1]);
    expect(total[1]).toBeGreaterThan(total[2]);
    expect(total[2]).toBeGreaterThan(0);
  });
});

const withMtu = (s: Scenario, mtuOf: (node: string, iface: string) => number): Scenario => ({
  ...s,
  nodes: s.nodes.map((n) => ({ ...n, interfaces: n.interfaces.map((i) => ({ ...i, mtu: mtuOf(n.id, i.name) })) })) as NodeSpec[],
});

describe('MSS and path MTU', () => {
  it('each end announces MTU − 40 in its SYN: a 9000-MTU sender segments for a 1500-MTU receiver', () => {
    const segmented = twoVms({ features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } }, { features: { 'generic-receive-offload': false } });
    const r = runScenario(withMtu(segmented, (node) => (node === 'vm2' ? 1500 : 9000)));
    expect(gbps(r)).toBeGreaterThan(0.5);
    expect(iface(r, 'vm2/eth0').rx.meanFrameBytes).toBeLessThanOrEqual(1514);
    expect(iface(r, 'vm2/eth0').rx.drops).toBe(0);
  });

  it('a router with a smaller egress MTU drops what does not fit and the sender learns the path MTU (ICMP frag needed)', () => {
    const r = runScenario(withMtu(viaRouter(), (node, name) => (node === 'r1' && name === 'eth1' ? 1500 : 9000)));
    const dropped = iface(r, 'r1/eth1').tx.dropsByReason['mtu-exceeded'] ?? 0;
    // Only the first flight is too big; after that every segment (or GSO segment size) fits.
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(50);
    expect(gbps(r)).toBeGreaterThan(0.5 * gbps(runScenario(viaRouter())));
  });
});

/** vm1's two vCPUs in a run. */
const cpus = (r: RunResult) => r.nodes.find((n) => n.id === 'vm1')?.cores.slice(0, 2) ?? [];

describe('where the application runs', () => {
  it('a sender pinned off the interrupt’s vCPU (taskset) splits the work: more goodput, and the ACKs it owns are handled on its CPU', () => {
    const segmented = { features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } };
    const two = (senderCpu?: number): Scenario => {
      const s = base([{ ...vm('vm1', '10.0.0.1/24', segmented), vcpus: 2 } as NodeSpec, br('br1', ['t0', 't1']), { ...vm('vm2', '10.0.0.2/24', { features: { 'generic-receive-offload': false } }), vcpus: 2 } as NodeSpec], [virtio('l1', ['vm1', 'eth0'], ['br1', 't0']), virtio('l2', ['vm2', 'eth0'], ['br1', 't1'])], [{ ...tcp(), ...(senderCpu === undefined ? {} : { senderCpu }) }]);
      return s;
    };
    const free = runScenario(two(), { durationNs: 40 * MS });
    const pinned = runScenario(two(1), { durationNs: 40 * MS });
    // By default the sender shares vCPU 0 with the interrupt that wakes it (wake-affine) and the second vCPU idles.
    expect(cpus(free)[1].utilization).toBeLessThan(0.01);
    // Pinned to vCPU 1 it transmits there, while vCPU 0 keeps the interrupts and the netdev receive of the ACKs.
    expect(cpus(pinned)[1].utilization).toBeGreaterThan(0.9);
    expect(cpus(pinned)[0].utilization).toBeLessThan(0.6);
    expect(gbps(pinned)).toBeGreaterThan(1.05 * gbps(free));
    // TCP's ACK processing (the socket backlog, run by the owner at release_sock) is on the sender's CPU.
    expect(cpus(pinned)[1].nsByCategory.packet).toBeGreaterThan(cpus(pinned)[0].nsByCategory.packet);
  });

  it('a reader pinned off the interrupt’s vCPU takes TCP’s receive work and the ACKs with it (4.9’s prequeue)', () => {
    const s = base([vm('vm1', '10.0.0.1/24'), br('br1', ['t0', 't1']), { ...vm('vm2', '10.0.0.2/24', { features: { 'generic-receive-offload': false } }), vcpus: 2 } as NodeSpec], [virtio('l1', ['vm1', 'eth0'], ['br1', 't0']), virtio('l2', ['vm2', 'eth0'], ['br1', 't1'])], [{ ...tcp(), receiverCpu: 1 }]);
    const vm2 = runScenario(s, { durationNs: 20 * MS }).nodes.find((n) => n.id === 'vm2')?.cores ?? [];
    // vCPU 0 keeps the interrupts and netdev receive; vCPU 1 runs IP/TCP receive, the copy to user space and the ACKs.
    expect(vm2[1].nsByCategory.packet).toBeGreaterThan(0.5 * vm2[0].nsByCategory.packet);
    expect(vm2[1].nsByCategory.copy).toBeGreaterThan(vm2[0].nsByCategory.copy);
  });
});

describe('several flows', () => {
  it('two bulk flows between one-vCPU guests share the CPUs: neither starves', () => {
    for (const segmented of [false, true]) {
      const sender = segmented ? { features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } } : {};
      const s = twoVms(sender, {}, [tcp('f1'), { ...tcp('f2'), srcPort: 40001, dstPort: 5202 } as FlowSpec], { durationNs: 60 * MS });
      const r = runScenario(s);
      const a = gbps(r, 'f1');
      const b = gbps(r, 'f2');
      expect(Math.min(a, b) / (a + b), `segmented=${segmented}: ${a.toFixed(2)} vs ${b.toFixed(2)} Gbit/s`).toBeGreaterThan(0.3);
    }
  });
});
