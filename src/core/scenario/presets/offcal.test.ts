/**
 * Off the calibration points: set-ups the article gives no figure for (other MTUs, a chain of two routers,
 * several parallel flows, two cores instead of one). Each check states the direction expected from first
 * principles next to it; the numbers come from the same kvm-2017 profile as every preset.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine';
import type { RunResult } from '../../metrics/result';
import type { FlowSpec, HostId, NodeSpec, Scenario } from '../types';
import { ALL_OFFLOAD_FEATURES, MS, SEGMENTATION_FEATURES, bridge, bulkTcp, host, iface, mac, nodeId, off, scenario, twoVmsOnBridge, virtio, vm, vmRouterVm } from './build';
import { metricValue } from './metrics';

const RUN_NS = 100 * MS;
const tput = (r: RunResult) => metricValue(r, 'tcpThroughputBitsPerSec');
const run = (s: Scenario) => runScenario(s);

function routerCpuNs(r: RunResult): number {
  let ns = 0;
  for (const n of r.nodes) if (n.kind === 'router') for (const c of n.cores) for (const v of Object.values(c.nsByCategory)) ns += v;
  return ns;
}

/** Every interface of a scenario at `mtu`. */
function withMtu(s: Scenario, mtu: number): Scenario {
  return { ...s, nodes: s.nodes.map((n) => ({ ...n, interfaces: n.interfaces.map((i) => ({ ...i, mtu })) })) as NodeSpec[] };
}

function flows(n: number, from: string, to: string): FlowSpec[] {
  const out: FlowSpec[] = [];
  for (let k = 0; k < n; k++) out.push(bulkTcp(`f${k}`, from, to, 40000 + k, 5201 + k));
  return out;
}

const noClubIface = { vnetHdr: false, features: off(ALL_OFFLOAD_FEATURES) };

function oneRouter(routerIface: object | undefined, n = 1, cores = 1, queues = 1): Scenario {
  const base = vmRouterVm({ routerIface: { ...routerIface, queues }, routerCores: cores });
  // The router's queue pairs exist on the host side too (multiqueue taps).
  base.nodes = base.nodes.map((node) =>
    node.kind === 'bridge' ? { ...node, interfaces: node.interfaces.map((i) => (i.name === 'tap1' || i.name === 'tap2' ? { ...i, queues } : i)) } : node,
  );
  // 16 cores: every guest vCPU, vhost worker and router core gets its own, as in the chain below.
  return scenario({ id: 'offcal-one-router', title: 'one router', durationNs: RUN_NS, sampleIntervalNs: 10 * MS, ...base, hosts: [host('h1', 16)], flows: flows(n, 'vm1', 'vm2') });
}

/** vm1 → r1 → r2 → vm2: two one-core routers joined by a third bridge (10.0.3.0/24), static routes both ways. */
function twoRouters(routerIface: object | undefined): Scenario {
  const h = 'h1' as HostId;
  const router = (id: string, a: [string, string], b: [string, string], routes: { prefix: string; iface: string; via?: string }[], n: number): NodeSpec => ({
    kind: 'router',
    id: nodeId(id),
    host: h,
    cores: 1,
    interfaces: [
      iface(a[0], 'virtio-net', { ipv4: a[1], mac: mac(n), ...routerIface }),
      iface(b[0], 'virtio-net', { ipv4: b[1], mac: mac(n + 1), ...routerIface }),
    ],
    routes,
    firewall: [],
    position: { x: 0, y: 0 },
  });
  return scenario({
    id: 'offcal-two-routers',
    title: 'two routers in a chain',
    durationNs: RUN_NS,
    sampleIntervalNs: 10 * MS,
    hosts: [host('h1', 16)],
    nodes: [
      vm('vm1', 'h1', 2, [iface('eth0', 'virtio-net', { ipv4: '10.0.1.2/24', mac: mac(1) })]),
      bridge('br1', 'h1', ['tap0', 'tap1']),
      router('r1', ['eth0', '10.0.1.1/24'], ['eth1', '10.0.3.1/24'], [{ prefix: '10.0.2.0/24', iface: 'eth1', via: '10.0.3.2' }], 0x11),
      bridge('br3', 'h1', ['tap4', 'tap5']),
      router('r2', ['eth0', '10.0.3.2/24'], ['eth1', '10.0.2.1/24'], [{ prefix: '10.0.1.0/24', iface: 'eth0', via: '10.0.3.1' }], 0x13),
      bridge('br2', 'h1', ['tap2', 'tap3']),
      vm('vm2', 'h1', 2, [iface('eth0', 'virtio-net', { ipv4: '10.0.2.2/24', mac: mac(2) })]),
    ],
    links: [
      virtio('l-vm1', ['vm1', 'eth0'], ['br1', 'tap0']),
      virtio('l-r1-in', ['r1', 'eth0'], ['br1', 'tap1']),
      virtio('l-r1-out', ['r1', 'eth1'], ['br3', 'tap4']),
      virtio('l-r2-in', ['r2', 'eth0'], ['br3', 'tap5']),
      virtio('l-r2-out', ['r2', 'eth1'], ['br2', 'tap2']),
      virtio('l-vm2', ['vm2', 'eth0'], ['br2', 'tap3']),
    ],
    flows: flows(1, 'vm1', 'vm2'),
  });
}

function twoVms(opts: Parameters<typeof twoVmsOnBridge>[0], n: number, vcpus = 2, queues = 1): Scenario {
  const base = twoVmsOnBridge(opts);
  const nodes = base.nodes.map((node) =>
    node.kind === 'vm' ? { ...node, vcpus, interfaces: node.interfaces.map((i) => ({ ...i, queues })) } : node.kind === 'bridge' ? { ...node, interfaces: node.interfaces.map((i) => ({ ...i, queues })) } : node,
  ) as NodeSpec[];
  return scenario({ id: 'offcal-two-vms', title: 'two vms', durationNs: RUN_NS, sampleIntervalNs: 10 * MS, ...base, nodes, hosts: [host('h1', 16)], flows: flows(n, 'vm1', 'vm2') });
}

const segmented = { sender: { features: off(SEGMENTATION_FEATURES) }, receiver: { features: off(['generic-receive-offload']) } };

describe('off-calibration directions (kvm-2017)', () => {
  it('a chain of two routers: a pipeline, so throughput stays near one router while router CPU per bit doubles', { timeout: 120_000 }, () => {
    for (const [label, ri] of [['club', undefined], ['no-club', noClubIface]] as const) {
      const one = run(oneRouter(ri));
      const two = run(twoRouters(ri));
      // Each router has its own core, so the slowest stage sets the rate: adding a stage cannot raise it and
      // (stages being alike) lowers it only by the extra latency and queueing, not by half.
      const ratio = tput(two) / tput(one);
      expect(ratio, `${label}: chain ÷ one router`).toBeLessThanOrEqual(1.1);
      expect(ratio, `${label}: chain ÷ one router`).toBeGreaterThanOrEqual(0.6);
      // Every bit is forwarded twice: router CPU per bit about doubles.
      const cpuPerBit = (r: RunResult) => routerCpuNs(r) / tput(r);
      expect(cpuPerBit(two) / cpuPerBit(one), `${label}: router CPU per bit`).toBeGreaterThan(1.6);
      expect(cpuPerBit(two) / cpuPerBit(one), `${label}: router CPU per bit`).toBeLessThan(2.5);
    }
  });

  it('MTU 9000 on a segmented VM → VM path: ≈ 6× fewer packets per byte, so well over 2× the throughput', { timeout: 60_000 }, () => {
    const s = twoVms(segmented, 1);
    const at1500 = tput(run(s));
    const at9000 = tput(run(withMtu(s, 9000)));
    // Per-packet and per-event costs dominate at 1500 B (§8 "what dominates"); per-byte work is the same.
    expect(at9000 / at1500).toBeGreaterThan(2);
  });

  it('MTU 9000 barely matters when 64 KiB super-frames already cross every boundary', { timeout: 60_000 }, () => {
    const s = twoVms({}, 1);
    const ratio = tput(run(withMtu(s, 9000))) / tput(run(s));
    // The frames on the virtual path are GSO frames of ≈ 64 KiB either way: only the segment count inside differs.
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.25);
  });

  it('several parallel flows over one queue: more than one flow, bound by the queue’s cores; over 4 queues and 4 vCPUs it grows', { timeout: 120_000 }, () => {
    const one = run(twoVms(segmented, 1));
    const fourOneQueueRun = run(twoVms(segmented, 4));
    const fourOneQueue = tput(fourOneQueueRun);
    // One flow saturates the sender's vCPU, mostly with the kicks and interrupts of a pipeline whose other stages
    // are faster and keep falling asleep. Four flows spread their senders over both vCPUs and keep the queue's
    // vhost workers and NAPI busy, so notifications are suppressed and each frame costs far less: well above one
    // flow, but one virtqueue pair still means one receive-interrupt vCPU in vm2, which saturates, so short of 4×.
    expect(fourOneQueue / tput(one)).toBeGreaterThan(1.5);
    expect(fourOneQueue / tput(one)).toBeLessThan(4);
    const vm2 = fourOneQueueRun.nodes.find((n) => n.id === 'vm2');
    expect(Math.max(...(vm2?.cores ?? []).filter((c) => c.role === 'own').map((c) => c.utilization))).toBeGreaterThan(0.95);
    // With 4 queue pairs each flow's transmit queue follows its sender's vCPU and RSS spreads the receive side,
    // so independent cores work in parallel (less than 4× as flows can collide on a queue).
    const fourQueues = tput(run(twoVms(segmented, 4, 4, 4)));
    expect(fourQueues / fourOneQueue).toBeGreaterThan(1.3);
  });

  it('a second router core helps several flows only when they arrive on two queues', { timeout: 120_000 }, () => {
    const oneCore = tput(run(oneRouter(noClubIface, 4, 1)));
    // One queue pair: its interrupt and NAPI poll land on one vCPU, and without RPS the forwarding runs there too,
    // so the second core idles.
    const twoCoresOneQueue = tput(run(oneRouter(noClubIface, 4, 2, 1)));
    expect(twoCoresOneQueue / oneCore).toBeLessThan(1.15);
    // Two queue pairs: the tap hashes the four flows over both queues, each polled on its own core. A no-club
    // router is bound by per-packet work on its core, so capacity grows (not quite 2×: flows collide on a queue).
    const twoCoresTwoQueues = tput(run(oneRouter(noClubIface, 4, 2, 2)));
    expect(twoCoresTwoQueues / oneCore).toBeGreaterThan(1.3);
  });
});
