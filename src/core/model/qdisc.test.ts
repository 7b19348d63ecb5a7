import { describe, expect, it } from 'vitest';
import { Engine, runScenario } from '../engine';
import type { FlowSpec, HostId, InterfaceSpec, LinkId, LinkSpec, NodeId, NodeSpec, Scenario } from '../scenario/types';
import type { RunResult } from '../metrics/result';
import type { Net } from './net';

const MS = 1_000_000;

function ifc(name: string, template: InterfaceSpec['template'], o: Partial<InterfaceSpec> = {}): InterfaceSpec {
  return { name, template, mtu: 1500, queues: 1, features: {}, vnetHdr: true, qdisc: { kind: 'noqueue' }, ...o };
}

function virtio(id: string, a: [string, string], b: [string, string]): LinkSpec {
  return { id: id as LinkId, kind: 'virtio', a: { node: a[0] as NodeId, iface: a[1] }, b: { node: b[0] as NodeId, iface: b[1] }, ringSize: 256, eventIdx: true };
}

function base(nodes: NodeSpec[], links: LinkSpec[], flows: FlowSpec[]): Scenario {
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
  };
}

const vm = (id: string, ip: string, o: Partial<InterfaceSpec> = {}): NodeSpec => ({
  kind: 'vm',
  id: id as NodeId,
  host: 'h1' as HostId,
  vcpus: 1,
  interfaces: [ifc('eth0', 'virtio-net', { ipv4: ip, ...o })],
});
const br = (id: string, ports: string[], o: Partial<InterfaceSpec> = {}): NodeSpec => ({
  kind: 'bridge',
  id: id as NodeId,
  host: 'h1' as HostId,
  interfaces: ports.map((p) => ifc(p, 'tap', o)),
});
const tcp = (id = 'f1', from = 'vm1', to = 'vm2'): FlowSpec => ({ kind: 'tcp', id: id as FlowSpec['id'], from: from as NodeId, to: to as NodeId, startNs: 0 });

/** vm1 → br1 → router guest (1 core) → br2 → vm2; `o` tweaks the sender, the router's ports and its egress. */
function viaRouter(o: { sender?: Partial<InterfaceSpec>; ingress?: Partial<InterfaceSpec>; egress?: Partial<InterfaceSpec> } = {}, flows: FlowSpec[] = [tcp()]): Scenario {
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
    [vm('vm1', '10.0.1.2/24', o.sender), br('br1', ['t0', 't1']), r, br('br2', ['t2', 't3']), vm('vm2', '10.0.2.2/24')],
    [
      virtio('l1', ['vm1', 'eth0'], ['br1', 't0']),
      virtio('l2', ['r1', 'eth0'], ['br1', 't1']),
      virtio('l3', ['r1', 'eth1'], ['br2', 't2']),
      virtio('l4', ['vm2', 'eth0'], ['br2', 't3']),
    ],
    flows,
  );
}

const iface = (r: RunResult, id: string) => {
  const i = r.interfaces.find((x) => x.id === id);
  if (!i) throw new Error(`no interface ${id}`);
  return i;
};
const netOf = (e: Engine): Net => (e as unknown as { net: Net }).net;

describe('egress MTU at a router (ip_forward / ip_exceeds_mtu)', () => {
  const jumbo = { mtu: 9000 };
  const noTso = { features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false } };

  it('a 1500-MTU egress drops 9000-byte frames with mtu-exceeded and reports fragmentation needed', () => {
    const e = new Engine(viaRouter({ sender: { ...jumbo, ...noTso }, ingress: jumbo }));
    const seen: [number, number][] = [];
    netOf(e).fragNeeded = (frame, mtu) => seen.push([frame.length, mtu]);
    e.runUntil(10 * MS);
    const r = e.result();
    expect(iface(r, 'r1/eth1').tx.dropsByReason['mtu-exceeded'] ?? 0).toBeGreaterThan(0);
    expect(iface(r, 'r1/eth1').tx.meanFrameBytes).toBeLessThanOrEqual(1514);
    expect(iface(r, 'vm2/eth0').rx.meanFrameBytes).toBeLessThanOrEqual(1514);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toEqual([9014, 1500]);
  });

  it('GSO packets are checked by segment size (skb_gso_validate_network_len)', () => {
    const e = new Engine(viaRouter({ sender: jumbo, ingress: jumbo }));
    const mtus: number[] = [];
    netOf(e).fragNeeded = (_frame, mtu) => mtus.push(mtu);
    e.runUntil(10 * MS);
    expect(iface(e.result(), 'r1/eth1').tx.dropsByReason['mtu-exceeded'] ?? 0).toBeGreaterThan(0);
    expect(mtus.length).toBeGreaterThan(0);
    expect(mtus.every((m) => m === 1500)).toBe(true);
    // 1500-byte segments in 64 KiB super-frames fit a 1500 egress.
    const ok = runScenario(viaRouter(), { durationNs: 10 * MS });
    expect(iface(ok, 'r1/eth1').tx.dropsByReason['mtu-exceeded'] ?? 0).toBe(0);
    expect(iface(ok, 'r1/eth1').tx.meanFrameBytes).toBeGreaterThan(10_000);
  });
});
