/**
 * Small scenario builders for the engine's unit tests (engine.test.ts, model/qdisc.test.ts): a guest port, a
 * virtio link, the common base, VMs, bridges, flows and the vm1 → r1 → vm2 topology. Test-only; the presets
 * build their scenarios in scenario/presets/build.ts.
 */
import type { RunResult } from './metrics/result';
import type { FlowSpec, HostId, InterfaceSpec, LinkId, LinkSpec, NodeId, NodeSpec, Scenario } from './scenario/types';

export const MS = 1_000_000;

export function ifc(name: string, template: InterfaceSpec['template'], o: Partial<InterfaceSpec> = {}): InterfaceSpec {
  return { name, template, mtu: 1500, queues: 1, features: {}, vnetHdr: true, qdisc: { kind: 'noqueue' }, ...o };
}

export function virtio(id: string, a: [string, string], b: [string, string]): LinkSpec {
  return { id: id as LinkId, kind: 'virtio', a: { node: a[0] as NodeId, iface: a[1] }, b: { node: b[0] as NodeId, iface: b[1] }, ringSize: 256, eventIdx: true };
}

export function base(nodes: NodeSpec[], links: LinkSpec[], flows: FlowSpec[], extra: Partial<Scenario> = {}): Scenario {
  return {
    version: 1,
    id: 'test',
    title: 'test',
    profile: 'kvm-2017',
    seed: 7,
    durationNs: 20 * MS,
    sampleIntervalNs: 2 * MS,
    hosts: [{ id: 'h1' as HostId, cores: 8 }],
    nodes,
    links,
    flows,
    faults: [],
    timeline: [],
    ...extra,
  };
}

export const vm = (id: string, ip: string, o: Partial<InterfaceSpec> = {}): NodeSpec => ({
  kind: 'vm',
  id: id as NodeId,
  host: 'h1' as HostId,
  vcpus: 1,
  interfaces: [ifc('eth0', 'virtio-net', { ipv4: ip, ...o })],
});

export const br = (id: string, ports: string[], o: Partial<InterfaceSpec> = {}): NodeSpec => ({
  kind: 'bridge',
  id: id as NodeId,
  host: 'h1' as HostId,
  interfaces: ports.map((p) => ifc(p, 'tap', o)),
});

export const tcp = (id = 'f1', from = 'vm1', to = 'vm2'): FlowSpec => ({ kind: 'tcp', id: id as FlowSpec['id'], from: from as NodeId, to: to as NodeId, startNs: 0 });

export const udp = (rate: number): FlowSpec => ({ kind: 'udp', id: 'u' as FlowSpec['id'], from: 'vm1' as NodeId, to: 'vm2' as NodeId, startNs: 0, rateBitsPerSec: rate, payloadBytes: 1400 });

/** vm1 → br1 → router guest (1 core) → br2 → vm2; `o` tweaks the guests' ports and the router's ingress and egress. */
export function viaRouter(
  o: { sender?: Partial<InterfaceSpec>; receiver?: Partial<InterfaceSpec>; ingress?: Partial<InterfaceSpec>; egress?: Partial<InterfaceSpec> } = {},
  flows: FlowSpec[] = [tcp()],
): Scenario {
  const r: NodeSpec = {
    kind: 'router',
    id: 'r1' as NodeId,
    host: 'h1' as HostId,
    cores: 1,
    interfaces: [ifc('eth0', 'virtio-net', { ipv4: '10.0.1.1/24', ...o.ingress }), ifc('eth1', 'virtio-net', { ipv4: '10.0.2.1/24', ...o.egress })],
    routes: [],
    firewall: [],
  };
  return base(
    [vm('vm1', '10.0.1.2/24', o.sender), br('br1', ['t0', 't1']), r, br('br2', ['t2', 't3']), vm('vm2', '10.0.2.2/24', o.receiver)],
    [
      virtio('l1', ['vm1', 'eth0'], ['br1', 't0']),
      virtio('l2', ['r1', 'eth0'], ['br1', 't1']),
      virtio('l3', ['r1', 'eth1'], ['br2', 't2']),
      virtio('l4', ['vm2', 'eth0'], ['br2', 't3']),
    ],
    flows,
  );
}

/** One interface's result by id (`node/iface`). */
export function iface(r: RunResult, id: string): RunResult['interfaces'][number] {
  const i = r.interfaces.find((x) => x.id === id);
  if (!i) throw new Error(`no interface ${id}`);
  return i;
}

export const gbps = (r: RunResult, id = 'f1'): number => (r.flows.find((f) => f.id === id)?.throughputBitsPerSec ?? 0) / 1e9;
