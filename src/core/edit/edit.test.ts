import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { findPreset } from '../scenario/presets';
import { parseScenario } from '../scenario/validate';
import type { Endpoint, NodeKind, Scenario } from '../scenario/types';
import { applyEdit, type Edit } from './edit';
import { addFlowEdit, addIfaceEdit, addNodeEdit, autoLayout, autoLayoutEdit, connectEdit, deleteEdit, deleteIfaceEdit, emptyScenario, isCramped, NODE_KINDS, withPositions } from './ops';

function apply(s: Scenario, e: Edit | string | null): { scenario: Scenario; inverse: Edit } {
  if (e === null || typeof e === 'string') throw new Error(`no edit: ${e}`);
  const r = applyEdit(s, e);
  if (!r.ok) throw new Error(r.error);
  return r;
}

const ep = (node: string, iface: string) => ({ node, iface }) as Endpoint;

const routerClub = () => {
  const p = findPreset('router-club');
  if (!p) throw new Error('preset router-club missing');
  return p.scenario;
};

describe('applyEdit', () => {
  it('never mutates its input and undoes each kind exactly', () => {
    const s = routerClub();
    const frozen = JSON.stringify(s);
    const at: Endpoint = { node: 'r1' as Endpoint['node'], iface: 'eth1' };
    const edits: Edit[] = [
      { kind: 'set-feature', at, feature: 'tcp-segmentation-offload', on: false },
      { kind: 'set-iface-prop', at, patch: { mtu: 9000, ipv6: 'fd00::1' } },
      { kind: 'rename-iface', node: 'r1', from: 'eth1', to: 'wan0' },
      { kind: 'move-node', id: 'vm1', position: { x: 5, y: 6 } },
      { kind: 'set-node-prop', id: 'r1', patch: { cores: 2, title: 'edge' } },
      { kind: 'set-link-prop', id: 'l-vm1', patch: { ringSize: 1024 } },
      { kind: 'set-host-prop', id: 'h1', patch: { cores: 16 } },
      { kind: 'set-scenario-prop', patch: { title: 'x', description: undefined } },
      { kind: 'set-scenario-prop', patch: { profile: 'modern' } },
      { kind: 'set-flow-prop', id: 'f1', patch: { bytes: 1e6, stopNs: 100e6 } },
      { kind: 'set-flow-prop', id: 'f1', patch: { senderCpu: 1, receiverCpu: 0 } },
      deleteEdit(s, { nodes: ['br1'] }) as Edit,
    ];
    for (const e of edits) {
      const r = apply(s, e);
      expect(JSON.stringify(s)).toBe(frozen);
      expect(r.scenario).not.toEqual(s);
      expect(apply(r.scenario, r.inverse).scenario).toEqual(s);
    }
  });

  it('rename-iface follows links and routes', () => {
    const r = apply(routerClub(), { kind: 'rename-iface', node: 'r1', from: 'eth1', to: 'wan0' }).scenario;
    expect(r.links.find((l) => l.id === 'l-r1-out')?.a.iface).toBe('wan0');
    const router = r.nodes.find((n) => n.id === 'r1');
    expect(router?.kind === 'router' && router.routes.map((x) => x.iface)).toEqual(['eth0', 'wan0']);
    expect(parseScenario(r).ok).toBe(true);
  });

  it('reports missing targets and conflicts instead of throwing', () => {
    const s = routerClub();
    expect(applyEdit(s, { kind: 'remove-node', id: 'nope' })).toEqual({ ok: false, error: 'no node "nope"' });
    expect(applyEdit(s, { kind: 'set-node-prop', id: 'br1', patch: { cores: 2 } }).ok).toBe(false);
    expect(applyEdit(s, { kind: 'set-flow-prop', id: 'f1', patch: { payloadBytes: 100 } })).toEqual({ ok: false, error: 'a tcp flow has no "payloadBytes"' });
    expect(applyEdit(s, { kind: 'rename-iface', node: 'br1', from: 'tap0', to: 'tap1' }).ok).toBe(false);
    const bad = applyEdit(s, { kind: 'batch', label: 'two', edits: [{ kind: 'remove-link', id: 'l-vm1' }, { kind: 'remove-link', id: 'l-vm1' }] });
    expect(bad).toEqual({ ok: false, error: 'two: no link "l-vm1"' });
  });

  it('set-feature with undefined removes the intent and its inverse restores it', () => {
    const at: Endpoint = { node: 'vm1' as Endpoint['node'], iface: 'eth0' };
    const s1 = apply(routerClub(), { kind: 'set-feature', at, feature: 'generic-receive-offload', on: false }).scenario;
    const r = apply(s1, { kind: 'set-feature', at, feature: 'generic-receive-offload', on: undefined });
    expect(r.scenario.nodes[0].interfaces[0].features).toEqual({});
    expect(apply(r.scenario, r.inverse).scenario).toEqual(s1);
  });
});

describe('editor ops', () => {
  it('builds router-club from an empty scenario and the result validates', () => {
    let s = emptyScenario();
    const add = (kind: NodeKind) => {
      const r = addNodeEdit(s, kind, undefined, { x: 0, y: 0 });
      s = apply(s, r.edit).scenario;
      return r.id;
    };
    expect([add('vm'), add('bridge'), add('router'), add('bridge'), add('vm')]).toEqual(['vm1', 'br1', 'r1', 'br2', 'vm2']);
    s = apply(s, connectEdit(s, ep('vm1', 'eth0'), ep('br1', 'tap0'))).scenario;
    s = apply(s, connectEdit(s, ep('br1', 'tap1'), ep('r1', 'eth0'))).scenario;
    s = apply(s, connectEdit(s, ep('r1', 'eth1'), ep('br2', 'tap0'))).scenario;
    s = apply(s, connectEdit(s, ep('vm2', 'eth0'), ep('br2', 'tap1'))).scenario;
    expect(s.links.map((l) => [l.kind, l.a.node, l.b.node])).toEqual([
      ['virtio', 'vm1', 'br1'],
      ['virtio', 'r1', 'br1'],
      ['virtio', 'r1', 'br2'],
      ['virtio', 'vm2', 'br2'],
    ]);
    const ip = (node: string, iface: string, ipv4: string): Edit => ({ kind: 'set-iface-prop', at: ep(node, iface), patch: { ipv4 } });
    s = apply(s, { kind: 'batch', label: 'addresses', edits: [ip('vm1', 'eth0', '10.0.1.2/24'), ip('vm2', 'eth0', '10.0.2.2/24'), ip('r1', 'eth0', '10.0.1.1/24'), ip('r1', 'eth1', '10.0.2.1/24')] }).scenario;
    s = apply(s, addFlowEdit(s, 'tcp', 'vm1', 'vm2').edit).scenario;
    const res = parseScenario(s);
    expect(res.ok ? [] : res.errors).toEqual([]);
  });

  it('refuses links the engine would reject', () => {
    let s = emptyScenario();
    for (const k of ['vm', 'vm', 'nic'] as const) s = apply(s, addNodeEdit(s, k, undefined, { x: 0, y: 0 }).edit).scenario;
    expect(connectEdit(s, ep('vm1', 'eth0'), ep('vm2', 'eth0'))).toMatch(/cannot be connected directly/);
    expect(connectEdit(s, ep('vm1', 'eth0'), ep('vm1', 'eth0'))).toMatch(/itself/);
    s = apply(s, { kind: 'add-host', host: { id: 'h2' as Scenario['hosts'][0]['id'], cores: 4 } }).scenario;
    s = apply(s, addNodeEdit(s, 'nic', 'h2', { x: 0, y: 0 }).edit).scenario;
    const wire = apply(s, connectEdit(s, ep('nic1', 'eth0'), ep('nic2', 'eth0'))).scenario;
    expect(wire.links[0].kind).toBe('wire');
    expect(connectEdit(wire, ep('nic1', 'eth0'), ep('vm1', 'eth0'))).toMatch(/already connected/);
  });

  it('deleting a node takes its links and flows with it, in one undoable step', () => {
    const s = routerClub();
    const r = apply(s, deleteEdit(s, { nodes: ['vm1'] }));
    expect(r.scenario.links.some((l) => l.a.node === 'vm1' || l.b.node === 'vm1')).toBe(false);
    expect(r.scenario.flows).toEqual([]);
    expect(apply(r.scenario, r.inverse).scenario).toEqual(s);
    const rmIface = apply(s, deleteIfaceEdit(s, { node: 'r1', iface: 'eth0' } as Endpoint));
    expect(rmIface.scenario.links.length).toBe(3);
    expect(apply(rmIface.scenario, rmIface.inverse).scenario).toEqual(s);
  });

  it('auto-layout places a chain left to right without overlaps', () => {
    const s = routerClub();
    const pos = autoLayout(s);
    const xs = ['vm1', 'br1', 'r1', 'br2', 'vm2'].map((id) => pos.get(id)?.x ?? -1);
    expect(xs.toSorted((a, b) => a - b)).toEqual(xs.toSorted((a, b) => a - b));
    expect(new Set(xs).size).toBe(5);
    const stripped = { ...s, nodes: s.nodes.map(({ position: _p, ...n }) => n) } as Scenario;
    const placed = withPositions(stripped);
    expect(placed.nodes.every((n) => n.position)).toBe(true);
    const keys = new Set(placed.nodes.map((n) => `${n.position?.x},${n.position?.y}`));
    expect(keys.size).toBe(placed.nodes.length);
    const edit = autoLayoutEdit(s);
    expect(edit && apply(apply(s, edit).scenario, apply(s, edit).inverse).scenario).toEqual(s);
  });
});

function randomEdit(s: Scenario, rng: Rng): Edit | null {
  const pick = <T,>(xs: readonly T[]): T | undefined => (xs.length ? xs[rng.nextU32() % xs.length] : undefined);
  const node = pick(s.nodes);
  const iface = node && pick(node.interfaces);
  switch (rng.nextU32() % 12) {
    case 0:
    case 1:
      return addNodeEdit(s, pick(NODE_KINDS) ?? 'vm', pick(s.hosts)?.id, { x: rng.nextU32() % 1000, y: rng.nextU32() % 700 }).edit;
    case 2:
      return node ? deleteEdit(s, { nodes: [node.id] }) : null;
    case 3:
      return node ? { kind: 'move-node', id: node.id, position: { x: rng.nextU32() % 1000, y: rng.nextU32() % 700 } } : null;
    case 4: {
      const other = pick(s.nodes);
      const oi = other && pick(other.interfaces);
      if (!node || !iface || !other || !oi) return null;
      const e = connectEdit(s, { node: node.id, iface: iface.name }, { node: other.id, iface: oi.name });
      return typeof e === 'string' ? null : e;
    }
    case 5: {
      const l = pick(s.links);
      return l ? deleteEdit(s, { links: [l.id] }) : null;
    }
    case 6:
      return node && iface ? { kind: 'set-feature', at: { node: node.id, iface: iface.name }, feature: pick(['tcp-segmentation-offload', 'scatter-gather', 'tx-checksumming']) ?? 'tso', on: rng.next() < 0.5 ? undefined : rng.next() < 0.5 } : null;
    case 7:
      return node && iface ? { kind: 'set-iface-prop', at: { node: node.id, iface: iface.name }, patch: { mtu: 68 + (rng.nextU32() % 9000), ipv4: rng.next() < 0.5 ? undefined : '10.9.0.1/24' } } : null;
    case 8: {
      if (!node) return null;
      const e = addIfaceEdit(s, node.id);
      return typeof e === 'string' ? null : e;
    }
    case 9:
      return node && iface ? deleteIfaceEdit(s, { node: node.id, iface: iface.name }) : null;
    case 10:
      return node && iface ? { kind: 'rename-iface', node: node.id, from: iface.name, to: `x${rng.nextU32() % 50}` } : null;
    default: {
      const vms = s.nodes.filter((n) => n.kind === 'vm');
      const a = pick(vms);
      const b = pick(vms);
      return a && b ? addFlowEdit(s, pick(['tcp', 'udp', 'probe'] as const) ?? 'tcp', a.id, b.id).edit : null;
    }
  }
}


describe('property: random edit sequences undo back to the original', () => {
  it('holds for 200 seeded sequences of 40 edits', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rng = new Rng(seed);
      const original = seed % 2 ? routerClub() : emptyScenario();
      let s = original;
      const undo: Edit[] = [];
      const redo: Edit[] = [];
      for (let k = 0; k < 40; k++) {
        const e = randomEdit(s, rng);
        if (!e) continue;
        const r = applyEdit(s, e);
        if (!r.ok) continue; // e.g. a rename onto an existing name: refused, state unchanged
        undo.push(r.inverse);
        redo.push(e);
        s = r.scenario;
      }
      const end = s;
      while (undo.length) s = apply(s, undo.pop() as Edit).scenario;
      expect(s, `seed ${seed}`).toEqual(original);
      for (const e of redo) s = apply(s, e).scenario;
      expect(s, `seed ${seed} redo`).toEqual(end);
    }
  });
});

describe('layout of drawn positions', () => {
  it('re-lays out cramped preset positions only when asked, and keeps roomy ones', () => {
    const s = routerClub();
    expect(isCramped(s)).toBe(true); // the presets space nodes 150 px apart, narrower than a drawn node and its link label
    expect(withPositions(s)).toBe(s);
    const spaced = withPositions(s, { relayoutCramped: true });
    expect(isCramped(spaced)).toBe(false);
    expect(withPositions(spaced, { relayoutCramped: true })).toBe(spaced);
  });
});
