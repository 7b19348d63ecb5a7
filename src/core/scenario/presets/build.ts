/**
 * Small builders for the presets' topologies, so each preset reads as "two VMs on a bridge" or
 * "VM → router → VM" plus its one difference. They produce ordinary scenario JSON; nothing here is special
 * to presets as far as the engine is concerned.
 */
import type {
  FlowSpec,
  HostId,
  InterfaceSpec,
  InterfaceTemplate,
  LinkId,
  LinkSpec,
  NodeId,
  NodeSpec,
  QdiscSpec,
  Scenario,
} from '../types';

export const MS = 1_000_000;
export const US = 1_000;
export const GBIT = 1e9;
export const MBIT = 1e6;
export const GIB = 2 ** 30;

/** Default qdisc of a Linux device with a real queue (pfifo_fast-like, txqueuelen 1000). */
export const DEFAULT_QDISC: QdiscSpec = { kind: 'pfifo', limitPackets: 1000 };

/** tun/tap's txqueuelen (TUN_READQ_SIZE) under the default qdisc. */
export const TAP_QDISC: QdiscSpec = { kind: 'pfifo', limitPackets: 500 };

export const SEGMENTATION_FEATURES = ['tcp-segmentation-offload', 'generic-segmentation-offload'] as const;
export const ALL_OFFLOAD_FEATURES = [
  'tx-checksumming',
  'rx-checksumming',
  'scatter-gather',
  'tcp-segmentation-offload',
  'generic-segmentation-offload',
  'generic-receive-offload',
] as const;

export function off(names: readonly string[]): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const n of names) out[n] = false;
  return out;
}

export function iface(
  name: string,
  template: InterfaceTemplate,
  opts: Partial<Omit<InterfaceSpec, 'name' | 'template'>> = {},
): InterfaceSpec {
  return {
    name,
    template,
    mtu: 1500,
    queues: 1,
    features: {},
    // Linux taps and virtio-net negotiate vnet headers by default (IFF_VNET_HDR, VIRTIO_NET_F_CSUM/GSO).
    vnetHdr: template === 'virtio-net' || template === 'tap',
    // veth and bridge devices are noqueue; a tun/tap gets the default qdisc with txqueuelen 500.
    qdisc: template === 'bridge' || template === 'veth' ? { kind: 'noqueue' } : template === 'tap' ? TAP_QDISC : DEFAULT_QDISC,
    ...opts,
  };
}

const hex = (x: number) => x.toString(16).padStart(2, '0');

export function mac(n: number): string {
  return `52:54:00:00:${hex((n >> 8) & 0xff)}:${hex(n & 0xff)}`;
}

export const host = (id: string, cores: number) => ({ id: id as HostId, cores });
export const nodeId = (id: string) => id as NodeId;

export function vm(id: string, hostId: string, vcpus: number, ifaces: InterfaceSpec[], x = 0, y = 0): NodeSpec {
  return { kind: 'vm', id: nodeId(id), host: hostId as HostId, vcpus, interfaces: ifaces, position: { x, y } };
}

export function bridge(id: string, hostId: string, ports: string[], x = 0, y = 0): NodeSpec {
  return { kind: 'bridge', id: nodeId(id), host: hostId as HostId, interfaces: ports.map((p) => iface(p, 'tap')), position: { x, y } };
}

export function virtio(id: string, guest: [string, string], hostSide: [string, string]): LinkSpec {
  return {
    id: id as LinkId,
    kind: 'virtio',
    a: { node: nodeId(guest[0]), iface: guest[1] },
    b: { node: nodeId(hostSide[0]), iface: hostSide[1] },
    // No ringSize: the link takes the cost profile's ringSizeDescriptors (QEMU's 256), so a profile override moves it.
    eventIdx: true,
  };
}

export function bulkTcp(id: string, from: string, to: string, srcPort = 40000, dstPort = 5201): FlowSpec {
  return { kind: 'tcp', id: id as FlowSpec['id'], from: nodeId(from), to: nodeId(to), startNs: 0, srcPort, dstPort, writeBytes: 128 * 1024 };
}

export function scenario(fields: Omit<Scenario, 'version' | 'profile' | 'seed' | 'faults' | 'timeline'> & Partial<Pick<Scenario, 'faults' | 'timeline'>>): Scenario {
  return { version: 1, profile: 'kvm-2017', seed: 1, faults: [], timeline: [], ...fields };
}

/**
 * Two guests on one host, each with one virtio-net port whose host side is a tap on bridge br0. Addresses in
 * 10.0.0.0/24. The flow goes vm1 → vm2.
 */
export function twoVmsOnBridge(opts: { sender?: Partial<InterfaceSpec>; receiver?: Partial<InterfaceSpec> } = {}) {
  const hostId = 'h1';
  return {
    hosts: [host(hostId, 8)],
    nodes: [
      vm('vm1', hostId, 2, [iface('eth0', 'virtio-net', { ipv4: '10.0.0.1/24', mac: mac(1), ...opts.sender })], 100, 200),
      bridge('br0', hostId, ['tap0', 'tap1'], 300, 200),
      vm('vm2', hostId, 2, [iface('eth0', 'virtio-net', { ipv4: '10.0.0.2/24', mac: mac(2), ...opts.receiver })], 500, 200),
    ],
    links: [virtio('l-vm1', ['vm1', 'eth0'], ['br0', 'tap0']), virtio('l-vm2', ['vm2', 'eth0'], ['br0', 'tap1'])],
  };
}

/**
 * VM → router guest (its own vCPU given to forwarding) → VM on one host. Each guest port is virtio-net with a
 * tap on a per-subnet bridge: vm1 on br1 (10.0.1.0/24), vm2 on br2 (10.0.2.0/24), r1 on both.
 */
export function vmRouterVm(opts: {
  routerIface?: Partial<InterfaceSpec>;
  routerEgress?: Partial<InterfaceSpec>;
  routerCores?: number;
} = {}) {
  const hostId = 'h1';
  const r: NodeSpec = {
    kind: 'router',
    id: nodeId('r1'),
    host: hostId as HostId,
    cores: opts.routerCores ?? 1,
    interfaces: [
      iface('eth0', 'virtio-net', { ipv4: '10.0.1.1/24', mac: mac(0x11), ...opts.routerIface }),
      iface('eth1', 'virtio-net', { ipv4: '10.0.2.1/24', mac: mac(0x12), ...opts.routerIface, ...opts.routerEgress }),
    ],
    routes: [
      { prefix: '10.0.1.0/24', iface: 'eth0' },
      { prefix: '10.0.2.0/24', iface: 'eth1' },
    ],
    firewall: [],
    position: { x: 400, y: 200 },
  };
  return {
    hosts: [host(hostId, 8)],
    nodes: [
      vm('vm1', hostId, 2, [iface('eth0', 'virtio-net', { ipv4: '10.0.1.2/24', mac: mac(1) })], 100, 200),
      bridge('br1', hostId, ['tap0', 'tap1'], 250, 200),
      r,
      bridge('br2', hostId, ['tap2', 'tap3'], 550, 200),
      vm('vm2', hostId, 2, [iface('eth0', 'virtio-net', { ipv4: '10.0.2.2/24', mac: mac(2) })], 700, 200),
    ],
    links: [
      virtio('l-vm1', ['vm1', 'eth0'], ['br1', 'tap0']),
      virtio('l-r1-in', ['r1', 'eth0'], ['br1', 'tap1']),
      virtio('l-r1-out', ['r1', 'eth1'], ['br2', 'tap2']),
      virtio('l-vm2', ['vm2', 'eth0'], ['br2', 'tap3']),
    ],
  };
}
