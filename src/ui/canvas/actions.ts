/**
 * Editor actions shared by the palette, the canvas, the properties panel and keyboard shortcuts. Each turns
 * intent into one Edit through the store (one undo step) and updates the selection.
 */
import { useAppStore, type SelItem } from '../../store/app-store';
import { addHostEdit, addNodeEdit, autoLayoutEdit, connectEdit, deleteEdit, deleteIfaceEdit } from '../../core/edit/ops';
import type { Edit, Position } from '../../core/edit/edit';
import type { Endpoint, NodeKind } from '../../core/scenario/types';
import { freeSpot, hostBoxes, layoutNodes, posOf } from './geometry';

export type PaletteKind = 'host' | NodeKind;

export const PALETTE: readonly { kind: PaletteKind; label: string; key: string; icon: string }[] = [
  { kind: 'host', label: 'Host', key: '1', icon: '⬚' },
  { kind: 'vm', label: 'VM', key: '2', icon: '▣' },
  { kind: 'container', label: 'Container', key: '3', icon: '◫' },
  { kind: 'router', label: 'Router', key: '4', icon: '✣' },
  { kind: 'bridge', label: 'Bridge', key: '5', icon: '≡' },
  { kind: 'nic', label: 'NIC', key: '6', icon: '⌁' },
  { kind: 'forwarder', label: 'Forwarder', key: '7', icon: '⟳' },
];

export const KIND_ICON: Record<NodeKind, string> = { vm: '▣', container: '◫', router: '✣', bridge: '≡', nic: '⌁', forwarder: '⟳' };

const st = () => useAppStore.getState();

/** The host new nodes go to: the selected host, or the host of the selected node, else the first. */
export function targetHost(): string | undefined {
  const { selection, scenario } = st();
  for (const it of selection) {
    if (it.kind === 'host') return it.id;
    if (it.kind === 'node') return scenario.nodes.find((n) => n.id === it.id)?.host;
    if (it.kind === 'iface') return scenario.nodes.find((n) => n.id === it.node)?.host;
  }
  return scenario.hosts[0]?.id;
}

/** Places a palette item: at `at` (a drop), else next to the selection or in a free cell of its host. */
export function place(kind: PaletteKind, at?: Position, host?: string): void {
  const { scenario, edit, select } = st();
  if (kind === 'host') {
    const r = addHostEdit(scenario);
    if (edit(r.edit)) select([{ kind: 'host', id: r.id }]);
    return;
  }
  const h = host ?? targetHost();
  let pos = at;
  if (!pos) {
    const sel = st().selection.find((x) => x.kind === 'node');
    const near = sel?.kind === 'node' ? scenario.nodes.find((n) => n.id === sel.id) : undefined;
    const area = h ? hostBoxes(scenario, layoutNodes(scenario)).get(h) : undefined;
    const hostHasNodes = scenario.nodes.some((n) => n.host === h);
    pos = freeSpot(scenario, near && near.host === h ? posOf(near) : undefined, hostHasNodes ? area : area && { ...area, y: area.y - 20 });
  }
  const r = addNodeEdit(scenario, kind, h, { x: Math.round(pos.x), y: Math.round(pos.y) });
  if (edit(r.edit)) select([{ kind: 'node', id: r.id }]);
}

export function connect(x: Endpoint, y: Endpoint): boolean {
  const { scenario, edit, setNotice, select, setConnectFrom } = st();
  setConnectFrom(null);
  const e = connectEdit(scenario, x, y);
  if (typeof e === 'string') {
    setNotice(`Cannot connect ${x.node}/${x.iface} to ${y.node}/${y.iface}: ${e}.`);
    return false;
  }
  if (!edit(e)) return false;
  if (e.kind === 'add-link') select([{ kind: 'link', id: e.link.id }]);
  return true;
}

export function deleteSelection(): void {
  const { scenario, selection, edit, select } = st();
  const nodes = selection.flatMap((x) => (x.kind === 'node' ? [x.id] : []));
  const links = selection.flatMap((x) => (x.kind === 'link' ? [x.id] : []));
  const hosts = selection.flatMap((x) => (x.kind === 'host' ? [x.id] : []));
  const ifaces = selection.filter((x): x is Extract<SelItem, { kind: 'iface' }> => x.kind === 'iface');
  const edits: Edit[] = ifaces.map((i) => deleteIfaceEdit(scenario, { node: i.node, iface: i.iface } as Endpoint));
  const rest = deleteEdit(scenario, { nodes, links, hosts });
  if (rest) edits.push(rest);
  if (edits.length === 0) return;
  if (edit(edits.length === 1 ? edits[0] : { kind: 'batch', label: 'delete selection', edits })) select([]);
}

export function nudge(dx: number, dy: number): void {
  const { scenario, selection, edit } = st();
  const ids = new Set(selection.flatMap((x) => (x.kind === 'node' ? [x.id] : [])));
  const edits: Edit[] = scenario.nodes.filter((n) => ids.has(n.id)).map((n) => ({ kind: 'move-node', id: n.id, position: { x: posOf(n).x + dx, y: posOf(n).y + dy } }));
  if (edits.length) edit(edits.length === 1 ? edits[0] : { kind: 'batch', label: `move ${edits.length} nodes`, edits });
}

export function autoLayoutAll(): void {
  const e = autoLayoutEdit(st().scenario);
  if (e && st().edit(e)) st().requestFit();
}

export function selectAllNodes(): void {
  st().select(st().scenario.nodes.map((n) => ({ kind: 'node', id: n.id })));
}

/** Starts a keyboard connection from the selected interface; the next interface chosen completes it. */
export function startConnect(): boolean {
  const it = st().selection[0];
  if (it?.kind !== 'iface') {
    st().setNotice('Select an interface first (click its dot or Tab to it), then press C and choose the other end.');
    return false;
  }
  st().setConnectFrom({ node: it.node, iface: it.iface } as Endpoint);
  return true;
}

/** Activating an interface: completes a pending connection, else selects it. */
export function activateIface(at: Endpoint, additive: boolean): void {
  const from = st().connectFrom;
  if (from && !(from.node === at.node && from.iface === at.iface)) {
    connect(from, at);
    return;
  }
  st().setConnectFrom(null);
  selectItem({ kind: 'iface', node: at.node, iface: at.iface }, additive);
}

export function selectItem(item: SelItem, additive: boolean): void {
  const { selection, select } = st();
  const same = (a: SelItem) => JSON.stringify(a) === JSON.stringify(item);
  if (!additive) select([item]);
  else if (selection.some(same)) select(selection.filter((x) => !same(x)));
  else select([...selection, item]);
}
