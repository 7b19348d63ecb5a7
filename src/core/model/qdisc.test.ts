import { describe, expect, it } from 'vitest';
import { Engine, runScenario } from '../engine';
import type { FlowSpec, HostId, InterfaceSpec, LinkId, LinkSpec, NodeId, NodeSpec, Scenario } from '../scenario/types';
import type { RunResult } from '../metrics/result';
import type { Net } from './net';
import { base, br, ifc, iface, MS, tcp, udp, viaRouter, virtio, vm } from '../test-scenarios';
import { findPreset } from '../scenario/presets';
import { presetScenario } from '../scenario/presets/report';

/** The qos presets' probe: a 64-byte request every 10 ms with TOS 0x10 (prio band 0). */
const probe: FlowSpec = { kind: 'probe', id: 'p' as FlowSpec['id'], from: 'vm1' as NodeId, to: 'vm2' as NodeId, startNs: 20 * MS, intervalNs: 10 * MS, requestBytes: 64, responseBytes: 64, tos: 0x10 };

const netOf = (e: Engine): Net => (e as unknown as { net: Net }).net;
/** Record the router's "fragmentation needed" reports, still passing them on to whoever consumes them (TCP). */
function tapFragNeeded(e: Engine): [number, number][] {
  const net = netOf(e);
  const next = net.fragNeeded;
  const seen: [number, number][] = [];
  net.fragNeeded = (frame, mtu) => {
    seen.push([frame.length, mtu]);
    next?.(frame, mtu);
  };
  return seen;
}

describe('egress MTU at a router (ip_forward / ip_exceeds_mtu)', () => {
  const jumbo = { mtu: 9000 };
  const noTso = { features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } };

  // Only the router's egress is 1500: both ends agree on a 9000-byte MTU, so only the router can tell the sender.
  it('a 1500-MTU egress drops 9000-byte frames with mtu-exceeded and reports fragmentation needed', () => {
    const e = new Engine(viaRouter({ sender: { ...jumbo, ...noTso }, receiver: jumbo, ingress: jumbo }));
    const seen = tapFragNeeded(e);
    e.runUntil(10 * MS);
    const r = e.result();
    expect(iface(r, 'r1/eth1').tx.dropsByReason['mtu-exceeded'] ?? 0).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toEqual([9014, 1500]);
  });

  it('GSO packets are checked by segment size (skb_gso_validate_network_len)', () => {
    const e = new Engine(viaRouter({ sender: jumbo, receiver: jumbo, ingress: jumbo }));
    const seen = tapFragNeeded(e);
    e.runUntil(10 * MS);
    expect(iface(e.result(), 'r1/eth1').tx.dropsByReason['mtu-exceeded'] ?? 0).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(([, mtu]) => mtu === 1500)).toBe(true);
    // 1500-byte segments in 64 KiB super-frames fit a 1500 egress.
    const ok = runScenario(viaRouter(), { durationNs: 10 * MS });
    expect(iface(ok, 'r1/eth1').tx.dropsByReason['mtu-exceeded'] ?? 0).toBe(0);
    expect(iface(ok, 'r1/eth1').tx.meanFrameBytes).toBeGreaterThan(10_000);
  });
});

const drops = (r: RunResult, id: string, reason: string): number => iface(r, id).tx.dropsByReason[reason] ?? 0;
const segmented = { features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } };

describe('a full virtio TX ring stops the queue; the qdisc holds the packets', () => {
  it('a UDP flood above what vhost drains waits in the guest qdisc: drops are qdisc-full, never txqueue-full', () => {
    const r = runScenario(viaRouter({ sender: { qdisc: { kind: 'pfifo', limitPackets: 1000 } } }, [udp(20e9)]), { durationNs: 30 * MS });
    expect(drops(r, 'vm1/eth0', 'qdisc-full')).toBeGreaterThan(0);
    expect(drops(r, 'vm1/eth0', 'txqueue-full')).toBe(0);
    // The sender's own qdisc_run keeps feeding the ring even when the qdisc is full: vhost stays the bottleneck.
    expect(r.flows[0].throughputBitsPerSec / 1e9).toBeGreaterThan(3);
    // Packets queued beyond the 256-entry ring (the depth reported is the larger of ring and qdisc).
    expect(iface(r, 'vm1/eth0').queueDepthMaxPackets).toBeGreaterThan(256);
  });

  it('a 10 Gbit/s shaper after router GSO never drops at the ring (the shaper waits for the woken queue)', () => {
    const r = runScenario(viaRouter({ egress: { ...segmented, qdisc: { kind: 'pfifo', limitPackets: 1000, rateBitsPerSec: 10e9 } } }), { durationNs: 30 * MS });
    expect(drops(r, 'r1/eth1', 'txqueue-full')).toBe(0);
    expect(iface(r, 'r1/eth1').queueDepthMaxPackets).toBeGreaterThan(256);
    expect((r.flows[0].throughputBitsPerSec ?? 0) / 1e9).toBeGreaterThan(1);
  });

  it('noqueue keeps the Linux behaviour: a stopped queue without a qdisc drops', () => {
    const r = runScenario(viaRouter({ sender: { qdisc: { kind: 'noqueue' } } }, [udp(20e9)]), { durationNs: 10 * MS });
    expect(drops(r, 'vm1/eth0', 'txqueue-full')).toBeGreaterThan(0);
    expect(iface(r, 'vm1/eth0').queueDepthMaxPackets).toBeLessThanOrEqual(256);
  });
});

const udpFlood = (limitPackets: number): RunResult =>
  runScenario(viaRouter({ sender: { qdisc: { kind: 'pfifo', limitPackets } } }, [udp(20e9)]), { durationNs: 10 * MS });

describe('qdisc limitPackets on an unshaped port', () => {
  it('is honoured: a smaller limit drops more at the sender and queues less', () => {
    const small = udpFlood(10);
    const large = udpFlood(1000);
    expect(iface(small, 'vm1/eth0').queueDepthMaxPackets).toBeLessThanOrEqual(256 + 10);
    expect(iface(large, 'vm1/eth0').queueDepthMaxPackets).toBeGreaterThan(256 + 10);
    expect(drops(small, 'vm1/eth0', 'qdisc-full')).toBeGreaterThan(drops(large, 'vm1/eth0', 'qdisc-full'));
  });
});

/** The qos-slow-egress setup: bulk TCP (64 KiB blobs) and the probe through r1/eth1 shaped to 10 Mbit/s. */
function slowEgress(qdisc: InterfaceSpec['qdisc']): RunResult {
  // Full 64 KiB TSO frames (tcp_min_tso_segs=44), as in the qos-slow-egress preset.
  return runScenario({ ...viaRouter({ egress: { qdisc } }, [tcp(), probe]), profileOverrides: { minTsoSegs: 44 } }, { durationNs: 600 * MS });
}
const probeLat = (r: RunResult) => {
  const f = r.flows.find((x) => x.id === 'p');
  if (!f?.latencyNs) throw new Error('no probe samples');
  return f.latencyNs;
};
/** One 64 KiB blob at 10 Mbit/s. */
const BLOB_NS = (65536 * 8 * 1e9) / 10e6;
/** Probe requests sent in 600 ms from 20 ms on, every 10 ms. */
const PROBES = 58;

describe('prio: each band is its own child pfifo', () => {
  it('bulk backlog in band 1 never drops the band-0 probe (limit 5 per band)', () => {
    const r = slowEgress({ kind: 'prio', bands: 3, limitPackets: 5, rateBitsPerSec: 10e6 });
    expect(drops(r, 'r1/eth1', 'qdisc-full')).toBeGreaterThan(0);
    expect(probeLat(r).samples).toBeGreaterThanOrEqual(PROBES - 2);
    expect(probeLat(r).p99).toBeLessThan(1.5 * BLOB_NS);
  });
});

describe('fq: per-flow DRR with a byte quantum, new flows first', () => {
  it('bounds the probe at about one blob in service at 10 Mbit/s and loses no samples', () => {
    const r = slowEgress({ kind: 'fq', limitPackets: 10_000, flowLimitPackets: 100, quantumBytes: 3028, rateBitsPerSec: 10e6 });
    expect(probeLat(r).samples).toBeGreaterThanOrEqual(PROBES - 2);
    expect(probeLat(r).p99).toBeLessThan(1.5 * BLOB_NS);
    expect((r.flows[0].throughputBitsPerSec ?? 0) / 1e6).toBeGreaterThan(8);
  });

  it('shares bytes, not packets: a small quantum still gives a bulk flow its share next to a small-packet flow', () => {
    const r = slowEgress({ kind: 'fq', limitPackets: 10_000, flowLimitPackets: 100, quantumBytes: 256, rateBitsPerSec: 10e6 });
    expect(probeLat(r).p99).toBeLessThan(1.5 * BLOB_NS);
    expect((r.flows[0].throughputBitsPerSec ?? 0) / 1e6).toBeGreaterThan(8);
  });
});

/** A bare-metal endpoint: a container with a NIC and the default pfifo (txqueuelen 1000). */
const bareMetal = (id: string, ip: string, x: Partial<InterfaceSpec> = {}): NodeSpec => ({
  kind: 'container',
  id: id as NodeId,
  host: 'h1' as HostId,
  interfaces: [ifc('eth0', 'nic', { ipv4: ip, vnetHdr: false, qdisc: { kind: 'pfifo', limitPackets: 1000 }, ...x })],
});

/** Two bare-metal endpoints joined by a wire of `rateBitsPerSec`; `o` tweaks the sender's NIC. */
function wired(rateBitsPerSec: number, flows: FlowSpec[], o: Partial<InterfaceSpec> = {}): Scenario {
  const wire: LinkSpec = { id: 'w' as LinkId, kind: 'wire', a: { node: 'vm1' as NodeId, iface: 'eth0' }, b: { node: 'vm2' as NodeId, iface: 'eth0' }, rateBitsPerSec, delayNs: 1000 };
  return base([bareMetal('vm1', '10.0.0.1/24', o), bareMetal('vm2', '10.0.0.2/24')], [wire], flows);
}

describe('a NIC on a wire stops its queue when its TX ring is full; the qdisc holds the packets', () => {
  it('bare-metal TCP at 1 Gbit/s runs at line rate without dropping its own packets', () => {
    const r = runScenario(wired(1e9, [tcp()]), { durationNs: 50 * MS });
    expect(drops(r, 'vm1/eth0', 'txqueue-full')).toBe(0);
    expect(iface(r, 'vm1/eth0').tx.drops).toBe(0);
    expect(r.flows[0].retransmits ?? 0).toBe(0);
    // 1460 payload bytes per 1538 on the wire: 0.949 Gbit/s is the line.
    expect(r.flows[0].throughputBitsPerSec / 1e9).toBeGreaterThan(0.9);
  });

  it('a UDP flood above the line rate waits in the qdisc: drops are qdisc-full, never txqueue-full', () => {
    const r = runScenario(wired(1e9, [udp(3e9)]), { durationNs: 20 * MS });
    expect(drops(r, 'vm1/eth0', 'qdisc-full')).toBeGreaterThan(0);
    expect(drops(r, 'vm1/eth0', 'txqueue-full')).toBe(0);
    expect(iface(r, 'vm1/eth0').queueDepthMaxPackets).toBeGreaterThan(256);
    expect(r.flows[0].throughputBitsPerSec / 1e9).toBeGreaterThan(0.9);
  });

  it('noqueue: a full NIC ring drops (txqueue-full), bounded by the ring size', () => {
    const r = runScenario(wired(1e9, [udp(3e9)], { qdisc: { kind: 'noqueue' } }), { durationNs: 20 * MS });
    expect(drops(r, 'vm1/eth0', 'txqueue-full')).toBeGreaterThan(0);
    expect(iface(r, 'vm1/eth0').queueDepthMaxPackets).toBeLessThanOrEqual(256);
  });
});

describe('interface tx counters count what leaves the qdisc (dev stats), not what enters it', () => {
  it('a router egress shaped to 10 Mbit/s shows ≈ 10 Mbit/s tx, what the next hop receives; qdisc drops stay tx drops', () => {
    const r = slowEgress({ kind: 'pfifo', limitPackets: 5, rateBitsPerSec: 10e6 });
    const tx = iface(r, 'r1/eth1').tx;
    // At most the rate plus the one blob a token bucket lets through at once.
    expect(tx.bitsPerSec / 1e6).toBeGreaterThan(9);
    expect(tx.bitsPerSec).toBeLessThanOrEqual(10e6 * (1 + BLOB_NS / (600 * MS)));
    expect(Math.abs(tx.bitsPerSec - iface(r, 'br2/t2').rx.bitsPerSec) / tx.bitsPerSec).toBeLessThan(0.02);
    expect(drops(r, 'r1/eth1', 'qdisc-full')).toBeGreaterThan(0);
    // The sender offered more than the shaper passed: the excess was dropped or still waits at r1.
    expect(iface(r, 'vm1/eth0').tx.bitsPerSec).toBeGreaterThan(tx.bitsPerSec);
  });
});

describe('shaper byte accounting: a GSO packet costs one set of headers per segment (qdisc_pkt_len_init)', () => {
  it('64 KiB TSO blobs through a 10 Mbit/s shaper: goodput ≈ 1460/1514 of the rate, never above it', () => {
    const r = runScenario({ ...viaRouter({ egress: { qdisc: { kind: 'pfifo', limitPackets: 1000, rateBitsPerSec: 10e6 } } }), profileOverrides: { minTsoSegs: 44 } }, { durationNs: 2000 * MS });
    // The shaper held super-frames (no segmentation before it) ...
    expect(iface(r, 'r1/eth1').tx.meanFrameBytes).toBeGreaterThan(10_000);
    const goodput = r.flows[0].throughputBitsPerSec;
    // ... and charged each as its wire segments: payload 1460 of every 1514 bytes.
    expect(goodput).toBeLessThan(10e6);
    expect(goodput / 10e6).toBeGreaterThan(0.95);
    expect(goodput / 10e6).toBeLessThan(0.975);
  });
});

describe('TX queue selection on a multiqueue virtio guest (netdev_pick_tx with XPS)', () => {
  it('ACKs leave on the TX queue of the vCPU that sends them, so the receiver’s queues share them and none overflows', () => {
    const two = { queues: 2, qdisc: { kind: 'pfifo' as const, limitPackets: 1000 } };
    const flows = [1, 2, 3, 4, 5, 6].map((k) => ({ ...tcp(`f${k}`), srcPort: 40000 + k }));
    const s = base([{ ...vm('vm1', '10.0.0.1/24', two), vcpus: 2 } as NodeSpec, br('br1', ['t0', 't1'], { queues: 2 }), { ...vm('vm2', '10.0.0.2/24', two), vcpus: 2 } as NodeSpec], [virtio('l1', ['vm1', 'eth0'], ['br1', 't0']), virtio('l2', ['vm2', 'eth0'], ['br1', 't1'])], flows);
    const e = new Engine(s);
    e.runUntil(20 * MS);
    const link = netOf(e).ports.find((p) => p.id === 'vm2/eth0')?.link;
    if (!link) throw new Error('no link');
    // Both receive queues carry data, so both vCPUs send ACKs, each on its own TX queue.
    expect(link.guestRx.every((q) => q.maxDepth > 0)).toBe(true);
    expect(link.guestTx.every((q) => q.maxDepth > 0)).toBe(true);
    expect(iface(e.result(), 'vm2/eth0').tx.drops).toBe(0);
  });
});

describe('a polling forwarder (DPDK PMD) has no qdisc', () => {
  it('its virtio ports drop a burst that does not fit the ring (txqueue-full), never queue it (qdisc-full)', () => {
    const preset = findPreset('multiqueue-rss');
    if (!preset) throw new Error('multiqueue-rss preset missing');
    const r = runScenario(presetScenario(preset, 'q4'), { durationNs: 60 * MS });
    const fwdPorts = r.interfaces.filter((i) => i.id.startsWith('fwd/'));
    expect(fwdPorts.length).toBeGreaterThan(0);
    for (const p of fwdPorts) expect(p.tx.dropsByReason['qdisc-full'] ?? 0, p.id).toBe(0);
    expect(fwdPorts.reduce((n, p) => n + (p.tx.dropsByReason['txqueue-full'] ?? 0), 0)).toBeGreaterThan(0);
  });
});

const slowReader = (frames: 'gso' | 'mtu'): Net => {
  // The receiving guest's stack is made slow enough that its RX ring fills and vhost runs out of buffers.
  const s: Scenario = {
    ...base([vm('vm1', '10.0.0.1/24', frames === 'mtu' ? { features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } } : {}), br('br1', ['t0', 't1']), vm('vm2', '10.0.0.2/24', { features: { 'generic-receive-offload': false } })], [virtio('l1', ['vm1', 'eth0'], ['br1', 't0']), virtio('l2', ['vm2', 'eth0'], ['br1', 't1'])], [tcp()]),
    profileOverrides: { rxNetdevPerPacketNs: 200_000 },
  };
  const e = new Engine(s);
  e.runUntil(60 * MS);
  return netOf(e);
};
const ring = (net: Net) => {
  const link = net.ports.find((p) => p.id === 'vm2/eth0')?.link;
  if (!link) throw new Error('no link');
  return link.guestRx[0];
};

describe('guest RX ring (mergeable buffers)', () => {
  it('a 64 KiB frame fills 16 page-sized buffers, so a 256-descriptor ring holds at most 16 of them; MTU frames take one each', () => {
    const gso = slowReader('gso');
    expect(ring(gso).maxDepth).toBeGreaterThan(12);
    expect(ring(gso).maxDepth).toBeLessThanOrEqual(16);
    // The buffers follow the EWMA of received lengths up to a page.
    expect(gso.links.find((l) => l.a.id === 'vm2/eth0')?.rxAvgLenBytes[0]).toBeGreaterThan(60_000);
    expect(ring(slowReader('mtu')).maxDepth).toBeGreaterThan(128);
  });

  it('a tiny configured ring slows 64 KiB frames but never stalls them (a frame takes at most half the ring)', () => {
    const preset = findPreset('vm-vm-offload');
    if (!preset) throw new Error('no preset');
    const rate = (ringSize: number): number => {
      const s = structuredClone(preset.scenario);
      for (const l of s.links) l.ringSize = ringSize;
      return runScenario(s, { durationNs: 30 * MS }).flows[0].throughputBitsPerSec;
    };
    const tiny = rate(16);
    // 16 descriptors hold no whole 64 KiB frame of page-sized buffers; without the cap the receiver waited for a
    // refill that never came (unposted buffers stay under half the ring) and the flow stopped at ≈ 0.04 Gbit/s.
    expect(tiny).toBeGreaterThan(10e9);
    expect(tiny).toBeLessThanOrEqual(rate(256));
  });
});


/** A UDP flood into a slow guest through tap t1 with this queue limit: the tap ring's depth and its drops. */
const tapLimit = (limitPackets: number) => {
  const s: Scenario = {
    ...base([vm('vm1', '10.0.0.1/24'), br('br1', ['t0', 't1']), vm('vm2', '10.0.0.2/24')], [virtio('l1', ['vm1', 'eth0'], ['br1', 't0']), virtio('l2', ['vm2', 'eth0'], ['br1', 't1'])], [udp(5e9)]),
    profileOverrides: { rxNetdevPerPacketNs: 20_000 },
  };
  const t1 = s.nodes[1].interfaces[1];
  s.nodes[1].interfaces[1] = { ...t1, qdisc: { kind: 'pfifo', limitPackets } };
  const e = new Engine(s);
  e.runUntil(10 * MS);
  const link = netOf(e).links.find((l) => l.b.id === 'br1/t1');
  if (!link) throw new Error('no link');
  return { depth: link.tapQ[0].maxDepth, drops: iface(e.result(), 'br1/t1').tx.dropsByReason['tap-queue-full'] ?? 0 };
};

describe('tap queue length', () => {
  it('a tap port’s queue limit (its txqueuelen) sizes the tap’s ring: a slow guest fills 50, not 500', () => {
    const small = tapLimit(50);
    const large = tapLimit(500);
    expect(small.depth).toBe(50);
    expect(large.depth).toBe(500);
    expect(small.drops).toBeGreaterThan(large.drops);
  });
});
