/**
 * Off-calibration directions: what a reviewer might try on the presets without a published figure to compare
 * with — other MTUs, routers in a chain, parallel flows, the other cost profile, one cost doubled, firewall
 * rules, shaper rates, random loss, corruption, a long wire, UDP above capacity, and a rerun. Each check changes
 * one thing, states the direction expected from first principles (or the kernel mechanism) above its expect, and
 * uses a tolerant threshold: the direction is the claim, not the size.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine';
import type { RunResult } from '../../metrics/result';
import type { FirewallRuleSpec, FlowSpec, NodeId, NodeSpec, QdiscSpec, Scenario, TimelineChange } from '../types';
import { ALL_OFFLOAD_FEATURES, GBIT, MBIT, MS, bridge, bulkTcp, host, iface, mac, off, scenario, virtio, vm } from './build';
import { applyVariant, findPreset, metricValue } from './index';

/** Long enough for slow start to be a small part of the run on these paths (tens of µs RTT). */
const RUN_NS = 100 * MS;

const setParam = (path: string, value: number | string | boolean): TimelineChange => ({ kind: 'set-param', path, value });

/** A preset (optionally one of its variants) with extra changes applied, validated like any variant. */
function presetWith(id: string, opts: { variant?: string; changes?: TimelineChange[]; edit?: (s: Scenario) => Scenario } = {}): Scenario {
  const preset = findPreset(id);
  if (!preset) throw new Error(`no preset ${id}`);
  const named = opts.variant === undefined ? undefined : preset.variants.find((v) => v.name === opts.variant);
  if (opts.variant !== undefined && !named) throw new Error(`no variant ${opts.variant} of ${id}`);
  const base = opts.edit ? opts.edit(preset.scenario) : preset.scenario;
  const r = applyVariant(base, { name: opts.variant ?? 'direction', title: 'off-calibration direction', changes: [...(named?.changes ?? []), ...(opts.changes ?? [])] });
  if (!r.ok) throw new Error(`${id}: ${JSON.stringify(r.errors)}`);
  return r.scenario;
}

/** Runs are shared between checks that compare against the same set-up (keyed by what defines them). */
const memo = new Map<string, RunResult>();
function run(key: string, make: () => Scenario, durationNs = RUN_NS): RunResult {
  const k = `${key}|${durationNs}`;
  let r = memo.get(k);
  if (!r) {
    r = runScenario(make(), { durationNs });
    memo.set(k, r);
  }
  return r;
}
const preset = (id: string, opts: Parameters<typeof presetWith>[1] & { key?: string } = {}, durationNs = RUN_NS) =>
  run(`${id}@${opts.variant ?? ''}:${opts.key ?? JSON.stringify(opts.changes ?? [])}`, () => presetWith(id, opts), durationNs);

const tput = (r: RunResult) => metricValue(r, 'tcpThroughputBitsPerSec');
const tcpFlows = (r: RunResult) => r.flows.filter((f) => f.kind === 'tcp').map((f) => f.throughputBitsPerSec);
const ifaceOf = (r: RunResult, id: string) => {
  const i = r.interfaces.find((x) => x.id === id);
  if (!i) throw new Error(`no interface ${id}`);
  return i;
};
const drops = (r: RunResult, reason: string) => r.interfaces.reduce((n, i) => n + (i.tx.dropsByReason[reason] ?? 0) + (i.rx.dropsByReason[reason] ?? 0), 0);
const allDrops = (r: RunResult) => r.interfaces.reduce((n, i) => n + i.tx.drops + i.rx.drops, 0);
function routerCpuNs(r: RunResult): number {
  let ns = 0;
  for (const n of r.nodes) if (n.kind === 'router') for (const c of n.cores) for (const v of Object.values(c.nsByCategory)) ns += v;
  return ns;
}

/** set-param changes giving every interface of a preset the MTU `mtuOf(node, iface)` returns (undefined: unchanged). */
function mtuChanges(id: string, mtuOf: (node: string, ifaceName: string) => number | undefined): TimelineChange[] {
  const out: TimelineChange[] = [];
  for (const n of findPreset(id)?.scenario.nodes ?? []) {
    for (const i of n.interfaces) {
      const mtu = mtuOf(n.id, i.name);
      if (mtu !== undefined) out.push(setParam(`nodes[id=${n.id}].interfaces[name=${i.name}].mtu`, mtu));
    }
  }
  return out;
}
const everywhere = (mtu: number) => () => mtu;

/** `n` bulk flows vm1 → vm2 on distinct ports in place of the preset's flows. */
const withFlows = (flows: FlowSpec[]) => (s: Scenario): Scenario => ({ ...s, flows });
function bulkFlows(n: number): FlowSpec[] {
  const out: FlowSpec[] = [];
  for (let k = 0; k < n; k++) out.push(bulkTcp(`f${k + 1}`, 'vm1', 'vm2', 40000 + k, 5201 + k));
  return out;
}
const udpFlow = (rateBitsPerSec: number): FlowSpec => ({ kind: 'udp', id: 'u1' as FlowSpec['id'], from: 'vm1' as NodeId, to: 'vm2' as NodeId, startNs: 0, srcPort: 40000, dstPort: 5201, rateBitsPerSec, payloadBytes: 1472 });

/**
 * vm1 → r1 → … → rN → vm2: N one-core routers, each pair joined by its own host bridge. Subnet k (1 … N+1) is
 * 10.0.k.0/24: router i owns 10.0.i.1 on eth0 and 10.0.(i+1).254 on eth1, with static routes both ways.
 */
function routerChain(n: number, routerIface: object): Scenario {
  const nodes: NodeSpec[] = [vm('vm1', 'h1', 2, [iface('eth0', 'virtio-net', { ipv4: '10.0.1.2/24', mac: mac(1) })]), bridge('b1', 'h1', ['tap0', 'tap1'])];
  const links = [virtio('l-vm1', ['vm1', 'eth0'], ['b1', 'tap0'])];
  for (let i = 1; i <= n; i++) {
    const routes = [];
    for (let k = 1; k <= n + 1; k++) {
      if (k === i) routes.push({ prefix: `10.0.${k}.0/24`, iface: 'eth0' });
      else if (k === i + 1) routes.push({ prefix: `10.0.${k}.0/24`, iface: 'eth1' });
      else if (k < i) routes.push({ prefix: `10.0.${k}.0/24`, iface: 'eth0', via: `10.0.${i}.254` });
      else routes.push({ prefix: `10.0.${k}.0/24`, iface: 'eth1', via: `10.0.${i + 1}.1` });
    }
    nodes.push({
      kind: 'router',
      id: `r${i}` as NodeId,
      host: 'h1' as NodeSpec['host'],
      cores: 1,
      interfaces: [
        iface('eth0', 'virtio-net', { ipv4: `10.0.${i}.1/24`, mac: mac(0x100 + 2 * i), ...routerIface }),
        iface('eth1', 'virtio-net', { ipv4: `10.0.${i + 1}.254/24`, mac: mac(0x101 + 2 * i), ...routerIface }),
      ],
      routes,
      firewall: [],
      position: { x: 0, y: 0 },
    });
    nodes.push(bridge(`b${i + 1}`, 'h1', [`up${i}`, `down${i}`]));
    links.push(virtio(`l-r${i}-in`, [`r${i}`, 'eth0'], [`b${i}`, i === 1 ? 'tap1' : `down${i - 1}`]));
    links.push(virtio(`l-r${i}-out`, [`r${i}`, 'eth1'], [`b${i + 1}`, `up${i}`]));
  }
  nodes.push(vm('vm2', 'h1', 2, [iface('eth0', 'virtio-net', { ipv4: `10.0.${n + 1}.2/24`, mac: mac(2) })]));
  links.push(virtio('l-vm2', ['vm2', 'eth0'], [`b${n + 1}`, `down${n}`]));
  // Every guest vCPU, router core and vhost worker gets a host core of its own, whatever the chain's length.
  return scenario({ id: `chain-${n}`, title: `${n} routers in a chain`, durationNs: RUN_NS, sampleIntervalNs: 10 * MS, hosts: [host('h1', 8 + 4 * n)], nodes, links, flows: [bulkTcp('f1', 'vm1', 'vm2')] });
}

const noClub = { vnetHdr: false, features: off(ALL_OFFLOAD_FEATURES) };

/** `count` rules that match nothing in a TCP run (UDP to unused ports), ahead of the default accept. */
function firewallRules(count: number): FirewallRuleSpec[] {
  const out: FirewallRuleSpec[] = [];
  for (let k = 0; k < count; k++) out.push({ action: 'drop', proto: 'udp', dstPort: 9000 + k });
  return out;
}

/** A preset with every interface at `mtu`. */
const segAt = (mtu: number) => preset('vm-vm-segmented', { changes: mtuChanges('vm-vm-segmented', everywhere(mtu)) });
const noClubAt = (mtu: number) => preset('router-no-club', { changes: mtuChanges('router-no-club', everywhere(mtu)) });

/** router-no-club with `count` non-matching rules on r1. */
const withRules = (count: number) =>
  tput(preset('router-no-club', { key: `fw${count}`, edit: (s) => ({ ...s, nodes: s.nodes.map((n) => (n.kind === 'router' ? { ...n, firewall: firewallRules(count) } : n)) }) }));

/** r1/eth1 with another qdisc. */
const withQdisc = (qdisc: QdiscSpec) => (s: Scenario): Scenario => ({
  ...s,
  nodes: s.nodes.map((n) => (n.id !== 'r1' ? n : { ...n, interfaces: n.interfaces.map((i) => (i.name === 'eth1' ? { ...i, qdisc } : i)) })) as NodeSpec[],
});
const SHAPED = 10 * MBIT;
const probeOf = (r: RunResult) => r.flows.find((f) => f.id === 'probe')?.latencyNs;
const QDISCS = {
  pfifo: withQdisc({ kind: 'pfifo', limitPackets: 1000, rateBitsPerSec: SHAPED }),
  fq: withQdisc({ kind: 'fq', limitPackets: 1000, flowLimitPackets: 100, quantumBytes: 3028, rateBitsPerSec: SHAPED }),
  prio: withQdisc({ kind: 'prio', bands: 3, limitPackets: 1000, rateBitsPerSec: SHAPED }),
};
const probeP99With = (k: keyof typeof QDISCS) => probeOf(preset('qos-slow-egress', { variant: 'blobs-pass', key: `qdisc-${k}`, edit: QDISCS[k] }, 400 * MS))?.p99 ?? Infinity;
const prioLimited = (limitPackets: number) =>
  preset('qos-slow-egress', { variant: 'blobs-pass', changes: [setParam('nodes[id=r1].interfaces[name=eth1].qdisc.limitPackets', limitPackets)] }, 400 * MS);

/** router-no-club losing `fraction` of the frames its host tap hands to vm2. */
const lossy = (fraction: number) =>
  tput(
    preset(
      'router-no-club',
      { key: `loss${fraction}`, edit: (s) => ({ ...s, faults: fraction > 0 ? [{ kind: 'drop', at: { node: 'br2' as NodeId, iface: 'tap3' }, direction: 'tx', fraction }] : [] }) },
      100 * MS,
    ),
  );

const corrupting = (variant: string, fraction: number) => preset('checksum-trust', { variant, changes: [setParam('faults[0].fraction', fraction)] });

/** router-no-club carrying one UDP flow offered at `rate`. */
const deliveredAt = (rate: number) => {
  const r = preset('router-no-club', { key: `udp${rate}`, edit: withFlows([udpFlow(rate)]) });
  return { r, bps: r.flows.find((f) => f.id === 'u1')?.throughputBitsPerSec ?? 0 };
};

/** vm-vm-segmented flooded with 20 Gbit/s of UDP, vm1's qdisc limited to `limitPackets`. */
const flood = (limitPackets: number) =>
  preset('vm-vm-segmented', { key: `udp-flood-q${limitPackets}`, edit: withFlows([udpFlow(20 * GBIT)]), changes: [setParam('nodes[id=vm1].interfaces[name=eth0].qdisc.limitPackets', limitPackets)] });

const checksumFull = () => presetWith('checksum-trust', { variant: 'full' });

const T = { timeout: 120_000 };

describe('off-calibration directions', () => {
  describe('MTU and MSS', () => {
    it('segmented VM → VM: throughput rises with the MTU (576 < 1500 < 9000)', T, () => {
      const [a, b, c] = [576, 1500, 9000].map((m) => tput(segAt(m)));
      // Per-packet and per-event costs dominate a segmented path, and the packets per byte fall ≈ with the MTU.
      expect(b / a).toBeGreaterThan(1.8);
      expect(c / b).toBeGreaterThan(2);
    });

    it('offloaded VM → VM: the MTU hardly matters (576 ≈ 1500 ≈ 9000)', T, () => {
      const t = [576, 1500, 9000].map((m) => tput(preset('vm-vm-offload', { changes: mtuChanges('vm-vm-offload', everywhere(m)) })));
      // 64 KiB GSO frames cross every virtual boundary unsegmented: only gso_size inside them changes.
      for (const x of t) expect(x / t[1]).toBeGreaterThan(0.8);
      for (const x of t) expect(x / t[1]).toBeLessThan(1.25);
    });

    it('router without vnet headers: throughput rises with the MTU (576 < 1500 < 9000)', T, () => {
      const [a, b, c] = [576, 1500, 9000].map((m) => tput(noClubAt(m)));
      // The router core pays per packet (receive, route, transmit, interrupts): fewer, larger packets per byte.
      expect(b / a).toBeGreaterThan(1.8);
      expect(c / b).toBeGreaterThan(2);
    });

    it('receiver MTU 576, sender 1500: the MSS follows the smaller end (≈ the all-576 result)', T, () => {
      const mixed = preset('vm-vm-segmented', { changes: mtuChanges('vm-vm-segmented', (n) => (n === 'vm2' ? 576 : undefined)) });
      // Each SYN carries MSS = MTU − 40 and the sender uses the smaller (tcp_mss_clamp / tcp_sync_mss): 536-byte segments.
      expect(ifaceOf(mixed, 'vm2/eth0').rx.meanFrameBytes).toBeLessThanOrEqual(576 + 14);
      expect(tput(mixed) / tput(segAt(576))).toBeGreaterThan(0.85);
      expect(tput(mixed) / tput(segAt(576))).toBeLessThan(1.15);
      expect(tput(mixed)).toBeLessThan(0.6 * tput(segAt(1500)));
    });

    it('sender MTU 9000, receiver 1500: the sender segments for the receiver (≈ the all-1500 result)', T, () => {
      const mixed = preset('vm-vm-segmented', { changes: mtuChanges('vm-vm-segmented', (n) => (n === 'vm2' ? undefined : 9000)) });
      // Same SYN exchange from the other side: MSS 1460 announced by vm2 bounds what vm1 sends.
      expect(ifaceOf(mixed, 'vm2/eth0').rx.meanFrameBytes).toBeLessThanOrEqual(1514);
      expect(tput(mixed) / tput(segAt(1500))).toBeGreaterThan(0.85);
      expect(tput(mixed) / tput(segAt(1500))).toBeLessThan(1.15);
    });

    it('router egress MTU 576 under 1500-MTU ends: frag-needed, path MTU discovery, ≈ the all-576 result', T, () => {
      const narrow = preset('router-no-club', { changes: [setParam('nodes[id=r1].interfaces[name=eth1].mtu', 576)] });
      // ip_forward drops DF packets larger than the egress MTU and answers ICMP "fragmentation needed"; the sender
      // lowers its path MTU (tcp_mtu_probe / PMTUD) and from then on sends what fits.
      expect(drops(narrow, 'mtu-exceeded')).toBeGreaterThan(0);
      // What reaches vm2's tap is what left r1/eth1 (vm2's GRO merges again above it).
      expect(ifaceOf(narrow, 'br2/tap3').tx.meanFrameBytes).toBeLessThanOrEqual(576 + 14);
      expect(tput(narrow) / tput(noClubAt(576))).toBeGreaterThan(0.85);
      expect(tput(narrow) / tput(noClubAt(576))).toBeLessThan(1.15);
    });
  });

  it('offload club, sender MTU 9000 behind a 1500-MTU router egress: path MTU discovery keeps ≈ the 1500 result', T, () => {
    const base = tput(preset('router-club'));
    const jumbo = preset('router-club', { changes: mtuChanges('router-club', (n, i) => (n === 'r1' && i === 'eth1' ? 1500 : 9000)) });
    // A GSO frame whose segments exceed the egress MTU is dropped per segment size (skb_gso_validate_network_len)
    // with frag-needed; afterwards gso_size fits and 64 KiB super-frames pass again, so speed is ≈ unchanged.
    expect(drops(jumbo, 'mtu-exceeded')).toBeGreaterThan(0);
    expect(tput(jumbo) / base).toBeGreaterThan(0.85);
    expect(tput(jumbo) / base).toBeLessThan(1.15);
  });

  it('1, 2, 3 routers in a chain (with and without the club): throughput does not rise (within 10 %), router CPU per bit grows', T, () => {
    for (const [label, ri] of [
      ['no-club', noClub],
      ['club', {}],
    ] as const) {
      const r = [1, 2, 3].map((n) => run(`chain-${label}-${n}`, () => routerChain(n, ri)));
      // A pipeline: each router has its own core, so the slowest stage sets the rate and an extra stage cannot raise it.
      expect(tput(r[1]), label).toBeLessThanOrEqual(1.1 * tput(r[0]));
      expect(tput(r[2]), label).toBeLessThanOrEqual(1.1 * tput(r[1]));
      expect(tput(r[2]), label).toBeGreaterThan(0.5 * tput(r[0]));
      // Every bit is forwarded once per router: router CPU per bit about 1×, 2×, 3×.
      const perBit = r.map((x) => routerCpuNs(x) / tput(x));
      expect(perBit[1] / perBit[0], label).toBeGreaterThan(1.5);
      expect(perBit[2] / perBit[1], label).toBeGreaterThan(1.25);
    }
  });

  describe('parallel flows', () => {
    for (const id of ['vm-vm-segmented', 'vm-vm-offload', 'router-no-club']) {
      it(`${id}: 4 flows carry at least what one does, and none gets less than a quarter of a fair share`, T, () => {
        const one = tput(preset(id));
        const four = preset(id, { key: 'flows4', edit: withFlows(bulkFlows(4)) });
        // The same bottleneck serves one or four flows: aggregate ≈ one flow or more (more cores can join in).
        expect(tput(four)).toBeGreaterThan(0.9 * one);
        // Loss-based TCP flows through one queue converge towards equal shares (AIMD); CFS shares the CPUs.
        const fair = tput(four) / 4;
        for (const f of tcpFlows(four)) expect(f).toBeGreaterThan(fair / 4);
      });
    }

    it('two senders on a 1-vCPU guest share it (CFS time slices): neither starves', T, () => {
      const r = preset('vm-vm-segmented', { key: 'flows2-vcpu1', edit: withFlows(bulkFlows(2)), changes: [setParam('nodes[id=vm1].vcpus', 1)] });
      // Two runnable processes on one CPU alternate in slices of sched_latency / 2; the aggregate stays ≈ one flow's.
      const [a, b] = tcpFlows(r);
      expect(Math.min(a, b) / Math.max(a, b)).toBeGreaterThan(0.5);
      expect(a + b).toBeGreaterThan(0.8 * tput(preset('vm-vm-segmented')));
    });
  });

  it('two receivers on a 1-vCPU guest: the aggregate holds and neither flow gets less than a quarter of a fair share', T, () => {
    const r = preset('vm-vm-segmented', { key: 'flows2-rx-vcpu1', edit: withFlows(bulkFlows(2)), changes: [setParam('nodes[id=vm2].vcpus', 1)] });
    // The two readers alternate in CFS slices next to the softirq; equal reader time means similar windows.
    const [a, b] = tcpFlows(r);
    expect(Math.min(a, b)).toBeGreaterThan((a + b) / 2 / 4);
    expect(a + b).toBeGreaterThan(0.8 * tput(preset('vm-vm-segmented')));
  });

  it('one vCPU or two give one flow the same rate until the sender is pinned off the interrupt’s vCPU', T, () => {
    const two = tput(preset('vm-vm-segmented'));
    const one = tput(preset('vm-vm-segmented', { key: 'vcpu1', changes: [setParam('nodes[id=vm1].vcpus', 1)] }));
    const pinned = tput(preset('vm-vm-segmented', { key: 'pin1', changes: [setParam('flows[id=f1].senderCpu', 1)] }));
    // Wake-affine keeps a sender that sleeps on its socket on the CPU whose interrupt wakes it: the second vCPU
    // idles. Pinned elsewhere (taskset), transmit and the ACKs it owns move there, and the bottleneck splits.
    expect(two / one).toBeGreaterThan(0.95);
    expect(two / one).toBeLessThan(1.05);
    expect(pinned).toBeGreaterThan(1.05 * two);
  });

  describe('cost profile and single costs', () => {
    it('modern is faster than kvm-2017 on every bulk-TCP preset', { timeout: 180_000 }, () => {
      // Every per-packet, per-byte and per-event cost of `modern` is lower or equal: no bottleneck can get slower.
      for (const id of ['vm-vm-offload', 'vm-vm-segmented', 'vm-vm-all-off', 'router-club', 'router-no-club', 'hash-precomputed', 'multiqueue-rss', 'vm-to-vm-vs-nic-to-vm']) {
        const old = tput(preset(id));
        const modern = tput(preset(id, { changes: [setParam('profile', 'modern')] }));
        expect(modern, id).toBeGreaterThan(1.05 * old);
      }
    });

    it('copyNsPerByte ×2 lowers vm-vm-offload (a third of its sender’s work is copying)', T, () => {
      const base = tput(preset('vm-vm-offload'));
      const dear = tput(preset('vm-vm-offload', { changes: [setParam('profileOverrides.copyNsPerByte', 0.2)] }));
      // With 64 KiB frames the sender's vCPU spends about a third of its time copying (sendmsg) and most of the rest on
      // the kick and interrupt of each frame: twice the ns per byte costs ≈ a quarter of the rate, never half of it.
      expect(dear).toBeLessThan(0.9 * base);
      expect(dear).toBeGreaterThan(0.5 * base);
    });

    it('forwardPerPacketNs ×2 lowers router-no-club (router core per-packet bound)', T, () => {
      const base = tput(preset('router-no-club'));
      const dear = tput(preset('router-no-club', { changes: [setParam('profileOverrides.forwardPerPacketNs', 1680)] }));
      // The router core is saturated and ip_forward is a large share of its per-packet time.
      expect(dear).toBeLessThan(0.85 * base);
    });

    it('kickNs ×2 lowers vm-vm-segmented (the sender vCPU kicks per MTU frame)', T, () => {
      const base = tput(preset('vm-vm-segmented'));
      const dear = tput(preset('vm-vm-segmented', { changes: [setParam('profileOverrides.kickNs', 1440)] }));
      // The sender's vCPU is the bottleneck and pays the exit for every kick vhost did not suppress.
      expect(dear).toBeLessThan(0.95 * base);
    });

    it('the profile ring size reaches the presets, and barely matters to router-no-club (64 against 1024 descriptors)', T, () => {
      const small = preset('router-no-club', { changes: [setParam('profileOverrides.ringSizeDescriptors', 64)] });
      const large = preset('router-no-club', { changes: [setParam('profileOverrides.ringSizeDescriptors', 1024)] });
      // The router's core is the bottleneck and the vhost workers around it are faster, so its rings run nearly empty
      // whatever their size: a bigger ring cannot batch what never queues. The setting does reach the run.
      expect(tput(large) / tput(small)).toBeGreaterThan(0.9);
      expect(tput(large) / tput(small)).toBeLessThan(1.1);
      expect(large).not.toEqual(small);
    });

    it('firewall rules (0 → 10 → 100 non-matching) lower a CPU-bound router', T, () => {
      const [a, b, c] = [0, 10, 100].map(withRules);
      // iptables walks a linear rule list per packet on the router's core, which is already the bottleneck.
      expect(b).toBeLessThan(0.95 * a);
      expect(c).toBeLessThan(0.5 * b);
    });
  });

  it('shaper 10 Mbit/s → 100 Mbit/s → 1 Gbit/s: the probe p99 through blobs-pass falls ≈ with 1/rate', T, () => {
    const p99 = [10 * MBIT, 100 * MBIT, GBIT].map((rate) =>
      metricValue(preset('qos-slow-egress', { variant: 'blobs-pass', changes: [setParam('nodes[id=r1].interfaces[name=eth1].qdisc.rateBitsPerSec', rate)] }, 400 * MS), 'probeLatencyP99Ns'),
    );
    // The probe waits for the 64 KiB frame in service: 52 ms, 5.2 ms, 0.52 ms (+ a fixed path latency).
    expect(p99[0] / p99[1]).toBeGreaterThan(5);
    expect(p99[0] / p99[1]).toBeLessThan(15);
    expect(p99[1] / p99[2]).toBeGreaterThan(4);
    expect(p99[1] / p99[2]).toBeLessThan(15);
  });

  describe('qdiscs on a shaped 10 Mbit/s egress', () => {
    it('pfifo makes the probe wait behind the bulk backlog; fq (new-flow priority) and prio do not', T, () => {
      // pfifo: one queue, the probe waits for everything queued before it (bufferbloat, grows with time).
      // fq: a sparse flow goes to the new-flows list and is served next; prio: band 0 first. Both: ≤ one blob (≈ 52 ms).
      expect(probeP99With('fq')).toBeLessThan(0.5 * probeP99With('pfifo'));
      expect(probeP99With('prio')).toBeLessThan(0.5 * probeP99With('pfifo'));
      expect(probeP99With('fq')).toBeLessThan(80 * MS);
    });

    it('prio bands have their own limits: a tiny limit drops bulk, never the high-band probe', T, () => {
      // Each prio band is a child pfifo with the limit: bulk overflows its band while band 0 holds one probe.
      expect(drops(prioLimited(5), 'qdisc-full')).toBeGreaterThan(0);
      expect(probeOf(prioLimited(5))?.samples).toBeGreaterThanOrEqual(probeOf(prioLimited(1000))?.samples ?? Infinity);
    });
  });

  it('random loss 0 < 1 % < 5 % lowers TCP throughput monotonically', T, () => {
    const [a, b, c] = [0, 0.01, 0.05].map(lossy);
    // Each loss halves cwnd (and costs a recovery); more loss, smaller average window (Mathis: ∝ 1/√p).
    expect(b).toBeLessThan(a);
    expect(c).toBeLessThan(0.9 * b);
    expect(c).toBeGreaterThan(0);
  });

  describe('checksum trust', () => {
    it('corrupt fraction 0: nothing accepted corrupt and nothing dropped as bad, in both variants', T, () => {
      // No corruption, nothing to accept or drop: the counters must not count trusted or verified frames.
      for (const v of ['partial', 'full']) {
        expect(corrupting(v, 0).checksum.acceptedCorrupt, v).toBe(0);
        expect(corrupting(v, 0).checksum.badDropped, v).toBe(0);
      }
    });

    it('with checksums verified, 1 % corruption turns into drops and lower throughput; with PARTIAL trusted, into accepted corruption at full speed', T, () => {
      // full: the receiver verifies, drops (bad checksum) and TCP retransmits; partial: nobody verifies.
      expect(corrupting('full', 0.01).checksum.badDropped).toBeGreaterThan(0);
      expect(tput(corrupting('full', 0.01))).toBeLessThan(0.8 * tput(corrupting('full', 0)));
      expect(corrupting('partial', 0.01).checksum.acceptedCorrupt).toBeGreaterThan(0);
      expect(tput(corrupting('partial', 0.01)) / tput(corrupting('partial', 0))).toBeGreaterThan(0.95);
    });
  });

  it('wire delay 1 µs vs 1 ms with a 256 KiB window: window-limited ≈ window / RTT', T, () => {
    const windowBytes = 256 * 1024;
    const delayed = (delayNs: number) =>
      preset(
        'vm-to-vm-vs-nic-to-vm',
        { variant: 'nic-to-vm', changes: [setParam('links[0].delayNs', delayNs), setParam('links[1].delayNs', delayNs), setParam('profileOverrides.rcvWindowBytes', windowBytes)] },
        200 * MS,
      );
    const near = tput(delayed(1000));
    const far = tput(delayed(1_000_000));
    // Two wires of 1 ms each way: RTT ≈ 4 ms, so at most one window per RTT ≈ 0.52 Gbit/s (less during slow start).
    const bound = (windowBytes * 8) / 4e-3;
    expect(far).toBeLessThanOrEqual(1.05 * bound);
    expect(far).toBeGreaterThan(0.6 * bound);
    // At 1 µs the same window covers many RTTs' worth: CPU-bound, far above.
    expect(near).toBeGreaterThan(5 * far);
  });

  describe('UDP above capacity', () => {
    it('into the 10 Mbit/s shaper: delivered ≤ the shaper rate, the qdisc drops the rest', T, () => {
      const r = preset('qos-slow-egress', { variant: 'blobs-pass', key: 'udp1g', edit: withFlows([udpFlow(GBIT)]) }, 200 * MS);
      // Nothing leaves the shaped port faster than its rate (payload < frame); the excess overflows the qdisc.
      const u = r.flows.find((f) => f.id === 'u1');
      expect(u?.throughputBitsPerSec).toBeLessThanOrEqual(10 * MBIT);
      expect(u?.throughputBitsPerSec).toBeGreaterThan(8 * MBIT);
      expect(allDrops(r)).toBeGreaterThan(0);
    });

    it('router-no-club at 20 Gbit/s offered: capped well below the offer, drops, and no collapse below a 1 Gbit/s offer', T, () => {
      const high = deliveredAt(20 * GBIT);
      const moderate = deliveredAt(1 * GBIT);
      // Below capacity (the one-core router forwards ≈ 1.6 Gbit/s of TCP), what is offered is delivered.
      expect(moderate.bps).toBeGreaterThan(0.97 * 1 * GBIT);
      // The router core caps delivery; the excess is dropped at a queue (qdisc, tap), not delivered.
      expect(high.bps).toBeLessThan(0.5 * 20 * GBIT);
      expect(allDrops(high.r)).toBeGreaterThan(0);
      // NAPI budgets and queue limits prevent receive livelock: overload does not deliver less than a lighter load.
      expect(high.bps).toBeGreaterThan(0.9 * moderate.bps);
    });
  });

  it('UDP flood from a guest: a qdisc limit of 10 drops at least as much as 1000 (txqueuelen is honoured)', T, () => {
    // The virtio TX ring stops the queue and packets wait in the qdisc; a shorter qdisc absorbs less of each burst.
    expect(drops(flood(10), 'qdisc-full')).toBeGreaterThanOrEqual(drops(flood(1000), 'qdisc-full'));
    expect(drops(flood(1000), 'qdisc-full')).toBeGreaterThan(0);
  });

  it('determinism: the same variant twice gives identical results (seeded faults included)', T, () => {
    // One seed, one event order: a discrete-event run is a pure function of its scenario.
    expect(runScenario(checksumFull(), { durationNs: 40 * MS })).toEqual(runScenario(checksumFull(), { durationNs: 40 * MS }));
  });
});
