/**
 * Editor changes as data: every user edit is one tagged Edit, applied by the pure `applyEdit`, which also
 * returns the edit that undoes it. Undo/redo, autosave and tests all work on these values. `applyEdit` never
 * mutates its input (structural sharing) and never throws: a missing target is `{ ok: false, error }`.
 * Edits keep the document's shape; cross-references are the caller's job (see ./ops.ts for cascading
 * deletes) and are checked by parseScenario before the engine sees the scenario.
 */
import type {
  Endpoint,
  FaultSpec,
  FirewallRuleSpec,
  FlowSpec,
  HostSpec,
  InterfaceSpec,
  LinkKind,
  LinkSpec,
  NodeSpec,
  QdiscSpec,
  RouteSpec,
  Scenario,
} from '../scenario/types';

export interface Position {
  x: number;
  y: number;
}

/** Node fields an edit may set; `undefined` removes an optional field. */
export interface NodePatch {
  title?: string | undefined;
  host?: string;
  position?: Position | undefined;
  vcpus?: number;
  cores?: number;
  memoryBytes?: number;
  routes?: RouteSpec[];
  firewall?: FirewallRuleSpec[];
}

export interface IfacePatch {
  template?: InterfaceSpec['template'];
  mtu?: number;
  queues?: number;
  ipv4?: string | undefined;
  ipv6?: string | undefined;
  mac?: string | undefined;
  vnetHdr?: boolean;
  qdisc?: QdiscSpec;
  features?: Record<string, boolean>;
}

export interface LinkPatch {
  kind?: LinkKind;
  rateBitsPerSec?: number | undefined;
  delayNs?: number | undefined;
  ringSize?: number | undefined;
  eventIdx?: boolean | undefined;
}

export interface HostPatch {
  title?: string | undefined;
  cores?: number;
}

/** Flow fields an edit may set (each only on the kinds that have it); `undefined` removes an optional one. */
export interface FlowPatch {
  startNs?: number;
  stopNs?: number | undefined;
  srcPort?: number | undefined;
  dstPort?: number | undefined;
  tos?: number | undefined;
  senderCpu?: number | undefined;
  receiverCpu?: number | undefined;
  bytes?: number | undefined;
  writeBytes?: number | undefined;
  rateBitsPerSec?: number;
  payloadBytes?: number;
  intervalNs?: number;
  requestBytes?: number;
  responseBytes?: number;
}

export interface ScenarioPatch {
  title?: string;
  /** Cost profile id (validated against COST_PROFILES with the rest of the scenario). */
  profile?: string;
  description?: string | undefined;
  durationNs?: number;
  sampleIntervalNs?: number;
}

export type Edit =
  | { kind: 'add-host'; host: HostSpec; index?: number }
  | { kind: 'remove-host'; id: string }
  | { kind: 'set-host-prop'; id: string; patch: HostPatch }
  | { kind: 'add-node'; node: NodeSpec; index?: number }
  | { kind: 'remove-node'; id: string }
  | { kind: 'move-node'; id: string; position: Position | undefined }
  | { kind: 'set-node-prop'; id: string; patch: NodePatch }
  | { kind: 'add-iface'; node: string; iface: InterfaceSpec; index?: number }
  | { kind: 'remove-iface'; node: string; name: string }
  /** Renames an interface and every reference to it (links, routes, faults, timeline). */
  | { kind: 'rename-iface'; node: string; from: string; to: string }
  | { kind: 'set-iface-prop'; at: Endpoint; patch: IfacePatch }
  /** `on: undefined` removes the intent (back to the template's default). */
  | { kind: 'set-feature'; at: Endpoint; feature: string; on: boolean | undefined }
  | { kind: 'add-link'; link: LinkSpec; index?: number }
  | { kind: 'remove-link'; id: string }
  | { kind: 'set-link-prop'; id: string; patch: LinkPatch }
  | { kind: 'add-flow'; flow: FlowSpec; index?: number }
  | { kind: 'remove-flow'; id: string }
  | { kind: 'set-flow-prop'; id: string; patch: FlowPatch }
  | { kind: 'add-fault'; fault: FaultSpec; index: number }
  | { kind: 'remove-fault'; index: number }
  | { kind: 'set-scenario-prop'; patch: ScenarioPatch }
  /** Several edits as one undo step (a cascading delete, a multi-node move, a pasted ethtool dump). */
  | { kind: 'batch'; label: string; edits: Edit[] };

export type EditResult = { ok: true; scenario: Scenario; inverse: Edit } | { ok: false; error: string };

const fail = (error: string): EditResult => ({ ok: false, error });

function insertAt<T>(list: readonly T[], item: T, index: number | undefined): T[] {
  const out = list.slice();
  const at = index === undefined || index < 0 || index > out.length ? out.length : index;
  out.splice(at, 0, item);
  return out;
}

function without<T>(list: readonly T[], index: number): T[] {
  const out = list.slice();
  out.splice(index, 1);
  return out;
}

function replaced<T>(list: readonly T[], index: number, item: T): T[] {
  const out = list.slice();
  out[index] = item;
  return out;
}

/** Applies a patch (undefined deletes), returning the new object and the patch that restores the old one. */
function patchObject<T extends object, P extends object>(obj: T, patch: P): { value: T; undo: P } {
  const next: Record<string, unknown> = { ...(obj as unknown as Record<string, unknown>) };
  const undo: Record<string, unknown> = {};
  const old = obj as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    undo[k] = Object.hasOwn(obj, k) ? old[k] : undefined;
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  return { value: next as unknown as T, undo: undo as P };
}

function updateIface(s: Scenario, at: Endpoint, f: (iface: InterfaceSpec) => InterfaceSpec): Scenario | string {
  const ni = s.nodes.findIndex((n) => n.id === at.node);
  if (ni < 0) return `no node "${at.node}"`;
  const node = s.nodes[ni];
  const ii = node.interfaces.findIndex((i) => i.name === at.iface);
  if (ii < 0) return `node "${at.node}" has no interface "${at.iface}"`;
  const interfaces = replaced(node.interfaces, ii, f(node.interfaces[ii]));
  return { ...s, nodes: replaced(s.nodes, ni, { ...node, interfaces }) };
}

const renameEndpoint = (e: Endpoint, node: string, from: string, to: string): Endpoint =>
  e.node === node && e.iface === from ? { node: e.node, iface: to } : e;

export function applyEdit(s: Scenario, edit: Edit): EditResult {
  switch (edit.kind) {
    case 'add-host': {
      if (s.hosts.some((h) => h.id === edit.host.id)) return fail(`host "${edit.host.id}" already exists`);
      return { ok: true, scenario: { ...s, hosts: insertAt(s.hosts, edit.host, edit.index) }, inverse: { kind: 'remove-host', id: edit.host.id } };
    }
    case 'remove-host': {
      const i = s.hosts.findIndex((h) => h.id === edit.id);
      if (i < 0) return fail(`no host "${edit.id}"`);
      return { ok: true, scenario: { ...s, hosts: without(s.hosts, i) }, inverse: { kind: 'add-host', host: s.hosts[i], index: i } };
    }
    case 'set-host-prop': {
      const i = s.hosts.findIndex((h) => h.id === edit.id);
      if (i < 0) return fail(`no host "${edit.id}"`);
      const { value, undo } = patchObject(s.hosts[i], edit.patch);
      return { ok: true, scenario: { ...s, hosts: replaced(s.hosts, i, value) }, inverse: { kind: 'set-host-prop', id: edit.id, patch: undo } };
    }
    case 'add-node': {
      if (s.nodes.some((n) => n.id === edit.node.id)) return fail(`node "${edit.node.id}" already exists`);
      return { ok: true, scenario: { ...s, nodes: insertAt(s.nodes, edit.node, edit.index) }, inverse: { kind: 'remove-node', id: edit.node.id } };
    }
    case 'remove-node': {
      const i = s.nodes.findIndex((n) => n.id === edit.id);
      if (i < 0) return fail(`no node "${edit.id}"`);
      return { ok: true, scenario: { ...s, nodes: without(s.nodes, i) }, inverse: { kind: 'add-node', node: s.nodes[i], index: i } };
    }
    case 'move-node': {
      const i = s.nodes.findIndex((n) => n.id === edit.id);
      if (i < 0) return fail(`no node "${edit.id}"`);
      const { value, undo } = patchObject(s.nodes[i], { position: edit.position });
      return { ok: true, scenario: { ...s, nodes: replaced(s.nodes, i, value) }, inverse: { kind: 'move-node', id: edit.id, position: undo.position } };
    }
    case 'set-node-prop': {
      const i = s.nodes.findIndex((n) => n.id === edit.id);
      if (i < 0) return fail(`no node "${edit.id}"`);
      const node = s.nodes[i];
      for (const k of Object.keys(edit.patch)) {
        if (!kindHasField(node.kind, k)) return fail(`a ${node.kind} has no "${k}"`);
      }
      const { value, undo } = patchObject(node, edit.patch);
      return { ok: true, scenario: { ...s, nodes: replaced(s.nodes, i, value) }, inverse: { kind: 'set-node-prop', id: edit.id, patch: undo } };
    }
    case 'add-iface': {
      const ni = s.nodes.findIndex((n) => n.id === edit.node);
      if (ni < 0) return fail(`no node "${edit.node}"`);
      const node = s.nodes[ni];
      if (node.interfaces.some((i) => i.name === edit.iface.name)) return fail(`node "${edit.node}" already has "${edit.iface.name}"`);
      const next = { ...node, interfaces: insertAt(node.interfaces, edit.iface, edit.index) };
      return { ok: true, scenario: { ...s, nodes: replaced(s.nodes, ni, next) }, inverse: { kind: 'remove-iface', node: edit.node, name: edit.iface.name } };
    }
    case 'remove-iface': {
      const ni = s.nodes.findIndex((n) => n.id === edit.node);
      if (ni < 0) return fail(`no node "${edit.node}"`);
      const node = s.nodes[ni];
      const ii = node.interfaces.findIndex((i) => i.name === edit.name);
      if (ii < 0) return fail(`node "${edit.node}" has no interface "${edit.name}"`);
      const next = { ...node, interfaces: without(node.interfaces, ii) };
      return { ok: true, scenario: { ...s, nodes: replaced(s.nodes, ni, next) }, inverse: { kind: 'add-iface', node: edit.node, iface: node.interfaces[ii], index: ii } };
    }
    case 'rename-iface': {
      const { node: nid, from, to } = edit;
      if (from === to) return { ok: true, scenario: s, inverse: edit };
      const ni = s.nodes.findIndex((n) => n.id === nid);
      if (ni < 0) return fail(`no node "${nid}"`);
      const node = s.nodes[ni];
      const ii = node.interfaces.findIndex((i) => i.name === from);
      if (ii < 0) return fail(`node "${nid}" has no interface "${from}"`);
      if (node.interfaces.some((i) => i.name === to)) return fail(`node "${nid}" already has "${to}"`);
      let renamed: NodeSpec = { ...node, interfaces: replaced(node.interfaces, ii, { ...node.interfaces[ii], name: to }) };
      if (renamed.kind === 'router') renamed = { ...renamed, routes: renamed.routes.map((r) => (r.iface === from ? { ...r, iface: to } : r)) };
      const scenario: Scenario = {
        ...s,
        nodes: replaced(s.nodes, ni, renamed),
        links: s.links.map((l) => {
          const a = renameEndpoint(l.a, nid, from, to);
          const b = renameEndpoint(l.b, nid, from, to);
          return a === l.a && b === l.b ? l : { ...l, a, b };
        }),
        faults: s.faults.map((f) => {
          const at = renameEndpoint(f.at, nid, from, to);
          return at === f.at ? f : { ...f, at };
        }),
        timeline: s.timeline.map((ev) => {
          if (ev.change.kind !== 'set-feature') return ev;
          const at = renameEndpoint(ev.change.at, nid, from, to);
          return at === ev.change.at ? ev : { ...ev, change: { ...ev.change, at } };
        }),
      };
      return { ok: true, scenario, inverse: { kind: 'rename-iface', node: nid, from: to, to: from } };
    }
    case 'set-iface-prop': {
      let undo: IfacePatch = {};
      const r = updateIface(s, edit.at, (iface) => {
        const p = patchObject(iface, edit.patch);
        undo = p.undo;
        return p.value;
      });
      if (typeof r === 'string') return fail(r);
      return { ok: true, scenario: r, inverse: { kind: 'set-iface-prop', at: edit.at, patch: undo } };
    }
    case 'set-feature': {
      let old: boolean | undefined;
      const r = updateIface(s, edit.at, (iface) => {
        old = Object.hasOwn(iface.features, edit.feature) ? iface.features[edit.feature] : undefined;
        const features = { ...iface.features };
        if (edit.on === undefined) delete features[edit.feature];
        else features[edit.feature] = edit.on;
        return { ...iface, features };
      });
      if (typeof r === 'string') return fail(r);
      return { ok: true, scenario: r, inverse: { kind: 'set-feature', at: edit.at, feature: edit.feature, on: old } };
    }
    case 'add-link': {
      if (s.links.some((l) => l.id === edit.link.id)) return fail(`link "${edit.link.id}" already exists`);
      return { ok: true, scenario: { ...s, links: insertAt(s.links, edit.link, edit.index) }, inverse: { kind: 'remove-link', id: edit.link.id } };
    }
    case 'remove-link': {
      const i = s.links.findIndex((l) => l.id === edit.id);
      if (i < 0) return fail(`no link "${edit.id}"`);
      return { ok: true, scenario: { ...s, links: without(s.links, i) }, inverse: { kind: 'add-link', link: s.links[i], index: i } };
    }
    case 'set-link-prop': {
      const i = s.links.findIndex((l) => l.id === edit.id);
      if (i < 0) return fail(`no link "${edit.id}"`);
      const { value, undo } = patchObject(s.links[i], edit.patch);
      return { ok: true, scenario: { ...s, links: replaced(s.links, i, value) }, inverse: { kind: 'set-link-prop', id: edit.id, patch: undo } };
    }
    case 'add-flow': {
      if (s.flows.some((f) => f.id === edit.flow.id)) return fail(`flow "${edit.flow.id}" already exists`);
      return { ok: true, scenario: { ...s, flows: insertAt(s.flows, edit.flow, edit.index) }, inverse: { kind: 'remove-flow', id: edit.flow.id } };
    }
    case 'remove-flow': {
      const i = s.flows.findIndex((f) => f.id === edit.id);
      if (i < 0) return fail(`no flow "${edit.id}"`);
      return { ok: true, scenario: { ...s, flows: without(s.flows, i) }, inverse: { kind: 'add-flow', flow: s.flows[i], index: i } };
    }
    case 'set-flow-prop': {
      const i = s.flows.findIndex((f) => f.id === edit.id);
      if (i < 0) return fail(`no flow "${edit.id}"`);
      const flow = s.flows[i];
      for (const k of Object.keys(edit.patch)) if (!FLOW_FIELDS[flow.kind].includes(k) && !FLOW_COMMON.has(k)) return fail(`a ${flow.kind} flow has no "${k}"`);
      const { value, undo } = patchObject(flow, edit.patch);
      return { ok: true, scenario: { ...s, flows: replaced(s.flows, i, value) }, inverse: { kind: 'set-flow-prop', id: edit.id, patch: undo } };
    }
    case 'add-fault':
      return { ok: true, scenario: { ...s, faults: insertAt(s.faults, edit.fault, edit.index) }, inverse: { kind: 'remove-fault', index: Math.min(Math.max(edit.index, 0), s.faults.length) } };
    case 'remove-fault': {
      if (edit.index < 0 || edit.index >= s.faults.length) return fail(`no fault #${edit.index}`);
      return { ok: true, scenario: { ...s, faults: without(s.faults, edit.index) }, inverse: { kind: 'add-fault', fault: s.faults[edit.index], index: edit.index } };
    }
    case 'set-scenario-prop': {
      const { value, undo } = patchObject(s, edit.patch);
      return { ok: true, scenario: value, inverse: { kind: 'set-scenario-prop', patch: undo } };
    }
    case 'batch': {
      let cur = s;
      const inverses: Edit[] = [];
      for (const e of edit.edits) {
        const r = applyEdit(cur, e);
        if (!r.ok) return fail(`${edit.label}: ${r.error}`);
        cur = r.scenario;
        inverses.push(r.inverse);
      }
      return { ok: true, scenario: cur, inverse: { kind: 'batch', label: edit.label, edits: inverses.toReversed() } };
    }
    default: {
      const never: never = edit;
      return fail(`unknown edit ${JSON.stringify(never)}`);
    }
  }
}

const FLOW_COMMON = new Set(['startNs', 'stopNs', 'srcPort', 'dstPort', 'tos', 'senderCpu', 'receiverCpu']);
const FLOW_FIELDS: Record<FlowSpec['kind'], readonly string[]> = {
  tcp: ['bytes', 'writeBytes'],
  udp: ['rateBitsPerSec', 'payloadBytes'],
  probe: ['intervalNs', 'requestBytes', 'responseBytes'],
};

const KIND_FIELDS: Record<NodeSpec['kind'], readonly string[]> = {
  vm: ['vcpus'],
  container: [],
  router: ['cores', 'routes', 'firewall'],
  bridge: [],
  nic: [],
  forwarder: ['cores', 'memoryBytes'],
};
const COMMON_FIELDS = new Set(['title', 'host', 'position']);

function kindHasField(kind: NodeSpec['kind'], field: string): boolean {
  return COMMON_FIELDS.has(field) || KIND_FIELDS[kind].includes(field);
}

/** One line for an undo/redo tooltip. */
export function describeEdit(edit: Edit): string {
  switch (edit.kind) {
    case 'add-host':
      return `add host ${edit.host.id}`;
    case 'remove-host':
      return `remove host ${edit.id}`;
    case 'set-host-prop':
      return `change host ${edit.id}`;
    case 'add-node':
      return `add ${edit.node.kind} ${edit.node.id}`;
    case 'remove-node':
      return `remove node ${edit.id}`;
    case 'move-node':
      return `move ${edit.id}`;
    case 'set-node-prop':
      return `change ${edit.id} (${Object.keys(edit.patch).join(', ')})`;
    case 'add-iface':
      return `add interface ${edit.node}/${edit.iface.name}`;
    case 'remove-iface':
      return `remove interface ${edit.node}/${edit.name}`;
    case 'rename-iface':
      return `rename ${edit.node}/${edit.from} to ${edit.to}`;
    case 'set-iface-prop':
      return `change ${edit.at.node}/${edit.at.iface} (${Object.keys(edit.patch).join(', ')})`;
    case 'set-feature':
      return `${edit.at.node}/${edit.at.iface}: ${edit.feature} ${edit.on === undefined ? 'default' : edit.on ? 'on' : 'off'}`;
    case 'add-link':
      return `connect ${edit.link.a.node}/${edit.link.a.iface} to ${edit.link.b.node}/${edit.link.b.iface}`;
    case 'remove-link':
      return `remove link ${edit.id}`;
    case 'set-link-prop':
      return `change link ${edit.id}`;
    case 'add-flow':
      return `add ${edit.flow.kind} flow ${edit.flow.id}`;
    case 'remove-flow':
      return `remove flow ${edit.id}`;
    case 'set-flow-prop':
      return `change flow ${edit.id} (${Object.keys(edit.patch).join(', ')})`;
    case 'add-fault':
      return 'add fault';
    case 'remove-fault':
      return 'remove fault';
    case 'set-scenario-prop':
      return 'change scenario';
    case 'batch':
      return edit.label;
    default: {
      const never: never = edit;
      return String(never);
    }
  }
}
