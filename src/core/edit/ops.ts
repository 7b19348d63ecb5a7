/**
 * Edit builders the editor uses: new nodes with sensible interfaces, connecting two interfaces (the link kind
 * follows from what they are), deletes that cascade to what would dangle, auto-layout. Each returns an Edit
 * (or a reason it cannot), so every user action is one undo step.
 */
import type {
  Endpoint,
  FlowSpec,
  HostId,
  InterfaceSpec,
  InterfaceTemplate,
  LinkId,
  LinkSpec,
  NodeId,
  NodeKind,
  NodeSpec,
  Scenario,
} from '../scenario/types';
import type { Edit, Position } from './edit';
import { iface } from '../scenario/presets/build';

export const NODE_KINDS: readonly NodeKind[] = ['vm', 'container', 'router', 'bridge', 'nic', 'forwarder'];

/** Id prefixes, so new nodes read like the presets' (`vm1`, `br1`, `r1`). */
export const ID_PREFIX: Record<NodeKind, string> = { vm: 'vm', container: 'ct', router: 'r', bridge: 'br', nic: 'nic', forwarder: 'fwd' };

export const DEFAULT_WIRE_BITS_PER_SEC = 10e9;
export const DEFAULT_WIRE_DELAY_NS = 10_000;

/** The smallest `${prefix}${n}` (n ≥ from) not in `taken`. */
export function nextId(taken: Iterable<string>, prefix: string, from = 1): string {
  const set = new Set(taken);
  for (let n = from; ; n++) if (!set.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** A new interface with the kernel's defaults for its template (the same defaults the presets use). */
export function newIface(name: string, template: InterfaceTemplate): InterfaceSpec {
  return iface(name, template);
}

/** Template of a node's next interface, and its name stem. */
export function ifaceTemplateFor(kind: NodeKind): { template: InterfaceTemplate; stem: string } {
  switch (kind) {
    case 'vm':
    case 'router':
    case 'forwarder':
      return { template: 'virtio-net', stem: 'eth' };
    case 'container':
      return { template: 'veth', stem: 'eth' };
    case 'bridge':
      return { template: 'tap', stem: 'tap' };
    case 'nic':
      return { template: 'nic', stem: 'eth' };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

const DEFAULT_IFACE_COUNT: Record<NodeKind, number> = { vm: 1, container: 1, router: 2, bridge: 2, nic: 1, forwarder: 2 };

export function newNode(kind: NodeKind, id: string, host: string, position?: Position): NodeSpec {
  const { template, stem } = ifaceTemplateFor(kind);
  const interfaces = Array.from({ length: DEFAULT_IFACE_COUNT[kind] }, (_, i) => newIface(`${stem}${i}`, template));
  const base = { id: id as NodeId, host: host as HostId, interfaces, ...(position ? { position: { x: position.x, y: position.y } } : {}) };
  switch (kind) {
    case 'vm':
      return { ...base, kind, vcpus: 2 };
    case 'container':
      return { ...base, kind };
    case 'router':
      return { ...base, kind, cores: 1, routes: [], firewall: [] };
    case 'bridge':
      return { ...base, kind };
    case 'nic':
      return { ...base, kind };
    case 'forwarder':
      return { ...base, kind, cores: 1, memoryBytes: 2 ** 30 };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/** An empty document the editor starts from. */
export function emptyScenario(): Scenario {
  return { version: 1, id: 'untitled', title: 'Untitled scenario', profile: 'kvm-2017', seed: 1, durationNs: 500e6, sampleIntervalNs: 10e6, hosts: [], nodes: [], links: [], flows: [], faults: [], timeline: [] };
}

/** Adds a node (and host `h1` when there is no host yet). */
export function addNodeEdit(s: Scenario, kind: NodeKind, host: string | undefined, position: Position): { edit: Edit; id: string } {
  const id = nextId(s.nodes.map((n) => n.id), ID_PREFIX[kind]);
  const edits: Edit[] = [];
  let hostId = host && s.hosts.some((h) => h.id === host) ? host : s.hosts[0]?.id;
  if (!hostId) {
    hostId = 'h1';
    edits.push({ kind: 'add-host', host: { id: hostId as HostId, cores: 8 } });
  }
  edits.push({ kind: 'add-node', node: newNode(kind, id, hostId, position) });
  return { edit: edits.length === 1 ? edits[0] : { kind: 'batch', label: `add ${kind} ${id}`, edits }, id };
}

export function addHostEdit(s: Scenario, cores = 8): { edit: Edit; id: string } {
  const id = nextId(s.hosts.map((h) => h.id), 'h');
  return { edit: { kind: 'add-host', host: { id: id as HostId, cores } }, id };
}

export function addIfaceEdit(s: Scenario, nodeId: string): Edit | string {
  const node = s.nodes.find((n) => n.id === nodeId);
  if (!node) return `no node "${nodeId}"`;
  const { template, stem } = ifaceTemplateFor(node.kind);
  const name = nextId(node.interfaces.map((i) => i.name), stem, 0);
  return { kind: 'add-iface', node: nodeId, iface: newIface(name, template) };
}

/** Can this port be the guest side of a virtio link? */
const isGuestPort = (n: NodeSpec, i: InterfaceSpec) => (n.kind === 'vm' || n.kind === 'router' || n.kind === 'forwarder') && i.template === 'virtio-net';

const sameEnd = (a: Endpoint, b: Endpoint) => a.node === b.node && a.iface === b.iface;

export function linkOf(s: Scenario, at: Endpoint): LinkSpec | undefined {
  return s.links.find((l) => sameEnd(l.a, at) || sameEnd(l.b, at));
}

/**
 * Connects two interfaces. The kind follows from the ends: two NIC ports make a wire; a guest's virtio-net
 * port and a non-VM host side make a virtio link (guest side as `a`); a veth end makes veth; else tap.
 */
export function connectEdit(s: Scenario, x: Endpoint, y: Endpoint): Edit | string {
  if (sameEnd(x, y)) return 'an interface cannot connect to itself';
  const nx = s.nodes.find((n) => n.id === x.node);
  const ny = s.nodes.find((n) => n.id === y.node);
  const ix = nx?.interfaces.find((i) => i.name === x.iface);
  const iy = ny?.interfaces.find((i) => i.name === y.iface);
  if (!nx || !ny || !ix || !iy) return 'both ends must be existing interfaces';
  if (nx.id === ny.id) return 'connect interfaces of two different nodes';
  for (const e of [x, y]) if (linkOf(s, e)) return `${e.node}/${e.iface} is already connected (an interface has one link)`;
  const id = nextId(s.links.map((l) => l.id), 'l');
  let link: LinkSpec;
  if (ix.template === 'nic' && iy.template === 'nic') {
    link = { id: id as LinkId, kind: 'wire', a: x, b: y, rateBitsPerSec: DEFAULT_WIRE_BITS_PER_SEC, delayNs: DEFAULT_WIRE_DELAY_NS };
  } else {
    if (nx.host !== ny.host) return `${nx.id} is on ${nx.host} and ${ny.id} on ${ny.host}: join hosts with NIC ports and a wire`;
    if (isGuestPort(nx, ix) && ny.kind !== 'vm') link = { id: id as LinkId, kind: 'virtio', a: x, b: y, eventIdx: true };
    else if (isGuestPort(ny, iy) && nx.kind !== 'vm') link = { id: id as LinkId, kind: 'virtio', a: y, b: x, eventIdx: true };
    else if (ix.template === 'veth' || iy.template === 'veth') link = { id: id as LinkId, kind: 'veth', a: x, b: y };
    else if (nx.kind === 'vm' && ny.kind === 'vm') return 'two VMs cannot be connected directly: put a bridge or tap between them';
    else link = { id: id as LinkId, kind: 'tap', a: x, b: y };
  }
  return { kind: 'add-link', link };
}

/** Deletes nodes, links and flows, plus every link, flow and fault that would dangle. One undo step. */
export function deleteEdit(s: Scenario, sel: { nodes?: readonly string[]; links?: readonly string[]; flows?: readonly string[]; hosts?: readonly string[] }): Edit | null {
  const nodes = new Set(sel.nodes ?? []);
  for (const h of sel.hosts ?? []) for (const n of s.nodes) if (n.host === h) nodes.add(n.id);
  const links = new Set(sel.links ?? []);
  for (const l of s.links) if (nodes.has(l.a.node) || nodes.has(l.b.node)) links.add(l.id);
  const flows = new Set(sel.flows ?? []);
  for (const f of s.flows) if (nodes.has(f.from) || nodes.has(f.to)) flows.add(f.id);
  const edits: Edit[] = [];
  // Faults go from the highest index down so each index stays valid.
  for (let k = s.faults.length - 1; k >= 0; k--) if (nodes.has(s.faults[k].at.node)) edits.push({ kind: 'remove-fault', index: k });
  for (const f of s.flows) if (flows.has(f.id)) edits.push({ kind: 'remove-flow', id: f.id });
  for (const l of s.links) if (links.has(l.id)) edits.push({ kind: 'remove-link', id: l.id });
  for (const n of s.nodes) if (nodes.has(n.id)) edits.push({ kind: 'remove-node', id: n.id });
  for (const h of sel.hosts ?? []) if (s.hosts.some((x) => x.id === h)) edits.push({ kind: 'remove-host', id: h });
  if (edits.length === 0) return null;
  const what = [...nodes, ...(sel.links ?? []), ...(sel.flows ?? []), ...(sel.hosts ?? [])];
  return edits.length === 1 ? edits[0] : { kind: 'batch', label: `delete ${what.slice(0, 4).join(', ')}${what.length > 4 ? '…' : ''}`, edits };
}

/** Removes one interface and the link on it. */
export function deleteIfaceEdit(s: Scenario, at: Endpoint): Edit {
  const link = linkOf(s, at);
  const rm: Edit = { kind: 'remove-iface', node: at.node, name: at.iface };
  return link ? { kind: 'batch', label: `remove ${at.node}/${at.iface}`, edits: [{ kind: 'remove-link', id: link.id }, rm] } : rm;
}

export function addFlowEdit(s: Scenario, kind: FlowSpec['kind'], from: string, to: string): { edit: Edit; id: string } {
  const id = nextId(s.flows.map((f) => f.id), 'f');
  const usedSrc = new Set(s.flows.map((f) => f.srcPort));
  let srcPort = 40000;
  while (usedSrc.has(srcPort)) srcPort++;
  const base = { id: id as FlowSpec['id'], from: from as NodeId, to: to as NodeId, startNs: 0, srcPort };
  let flow: FlowSpec;
  switch (kind) {
    case 'tcp':
      flow = { ...base, kind, dstPort: 5201, writeBytes: 128 * 1024 };
      break;
    case 'udp':
      flow = { ...base, kind, dstPort: 5202, rateBitsPerSec: 1e9, payloadBytes: 1400 };
      break;
    case 'probe':
      flow = { ...base, kind, dstPort: 7, tos: 0x10, intervalNs: 10e6, requestBytes: 64, responseBytes: 64 };
      break;
    default: {
      const never: never = kind;
      return never;
    }
  }
  return { edit: { kind: 'add-flow', flow }, id };
}

export const LAYOUT = { columnPx: 200, rowPx: 110, originX: 80, originY: 90, hostGapPx: 80 } as const;

/**
 * Layered layout: per host, nodes are columned by breadth-first distance along links (so a chain reads left
 * to right), hosts side by side. Returns a position per node id.
 */
export function autoLayout(s: Scenario): Map<string, Position> {
  const adj = new Map<string, string[]>();
  for (const n of s.nodes) adj.set(n.id, []);
  for (const l of s.links) {
    adj.get(l.a.node)?.push(l.b.node);
    adj.get(l.b.node)?.push(l.a.node);
  }
  const out = new Map<string, Position>();
  const hostOrder = s.hosts.map((h) => h.id as string);
  for (const n of s.nodes) if (!hostOrder.includes(n.host)) hostOrder.push(n.host);
  let x0 = LAYOUT.originX;
  for (const host of hostOrder) {
    const members = s.nodes.filter((n) => n.host === host);
    if (members.length === 0) continue;
    const inHost = new Set(members.map((n) => n.id as string));
    const depth = new Map<string, number>();
    // Start each component at its least-connected node (an endpoint of a chain).
    const starts = members.toSorted((a, b) => (adj.get(a.id)?.length ?? 0) - (adj.get(b.id)?.length ?? 0));
    for (const st of starts) {
      if (depth.has(st.id)) continue;
      const queue = [st.id as string];
      depth.set(st.id, 0);
      while (queue.length) {
        const cur = queue.shift() as string;
        for (const nb of adj.get(cur) ?? []) {
          if (!inHost.has(nb) || depth.has(nb)) continue;
          depth.set(nb, (depth.get(cur) ?? 0) + 1);
          queue.push(nb);
        }
      }
    }
    const rows = new Map<number, number>();
    let maxCol = 0;
    const cols = Math.ceil(Math.sqrt(members.length * 2));
    for (const n of members) {
      let d = depth.get(n.id) ?? 0;
      // Very wide graphs (no links) wrap into a grid instead of one long row.
      if (d === 0 && (adj.get(n.id)?.length ?? 0) === 0) d = (rows.get(-1) ?? 0) % cols;
      const r = rows.get(d) ?? 0;
      rows.set(d, r + 1);
      if ((adj.get(n.id)?.length ?? 0) === 0) rows.set(-1, (rows.get(-1) ?? 0) + 1);
      maxCol = Math.max(maxCol, d);
      out.set(n.id, { x: x0 + d * LAYOUT.columnPx, y: LAYOUT.originY + r * LAYOUT.rowPx });
    }
    x0 += (maxCol + 1) * LAYOUT.columnPx + LAYOUT.hostGapPx;
  }
  return out;
}

/** Moves every node to its auto-layout place (one undo step); null when nothing moves. */
export function autoLayoutEdit(s: Scenario): Edit | null {
  const pos = autoLayout(s);
  const edits: Edit[] = [];
  for (const n of s.nodes) {
    const p = pos.get(n.id);
    if (p && (n.position?.x !== p.x || n.position?.y !== p.y)) edits.push({ kind: 'move-node', id: n.id, position: p });
  }
  return edits.length ? { kind: 'batch', label: 'auto-layout', edits } : null;
}

/** Closer than this (centre to centre), two drawn nodes and their link labels collide. */
export const MIN_SPACING = { x: 180, y: 80 } as const;

/** True when two nodes of the same host sit closer than MIN_SPACING (positions drawn for another editor). */
export function isCramped(s: Scenario): boolean {
  const byHost = new Map<string, Position[]>();
  for (const n of s.nodes) {
    if (!n.position) continue;
    const list = byHost.get(n.host) ?? [];
    for (const q of list) if (Math.abs(q.x - n.position.x) < MIN_SPACING.x && Math.abs(q.y - n.position.y) < MIN_SPACING.y) return true;
    list.push(n.position);
    byHost.set(n.host, list);
  }
  return false;
}

/**
 * A scenario where every node has a position (presets and imported files may have none). With
 * `relayoutCramped`, positions too close to draw legibly are replaced by the auto-layout too.
 */
export function withPositions(s: Scenario, opts: { relayoutCramped?: boolean } = {}): Scenario {
  const all = s.nodes.every((n) => n.position);
  if (all && !(opts.relayoutCramped && isCramped(s))) return s;
  const pos = autoLayout(s);
  const keep = all ? () => false : (n: Scenario['nodes'][number]) => n.position !== undefined;
  return { ...s, nodes: s.nodes.map((n) => (keep(n) ? n : { ...n, position: pos.get(n.id) ?? { x: 0, y: 0 } })) };
}
