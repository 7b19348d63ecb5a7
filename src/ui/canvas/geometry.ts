/**
 * Where things are drawn: node boxes centred on their scenario position, interface dots on the box's left
 * or right edge (the side facing the peer), host containers around their nodes. Pure functions of the
 * scenario so a drag can recompute only what moved.
 */
import type { LinkSpec, NodeSpec, Scenario } from '../../core/scenario/types';
import type { Position } from '../../core/edit/edit';

export const NODE_W = 124;
export const DOT_GAP = 20;
export const HOST_PAD = 34;
export const EMPTY_HOST = { w: 220, h: 120 } as const;

/** What a node's kind and size are, in a few words (the second line of its box). */
export function nodeSubtitle(n: NodeSpec): string {
  switch (n.kind) {
    case 'vm':
      return `VM · ${n.vcpus} vCPU`;
    case 'router':
      return `router · ${n.cores} core${n.cores === 1 ? '' : 's'}`;
    case 'forwarder':
      return `forwarder · ${n.cores} core${n.cores === 1 ? '' : 's'}`;
    case 'container':
      return 'container';
    case 'bridge':
      return 'bridge';
    case 'nic':
      return 'NIC';
    default: {
      const never: never = n;
      return never;
    }
  }
}

/** Characters of the 11 px second line that fit beside the icon in a NODE_W box. */
const SUB_CHARS = 16;

/**
 * The two lines of a node's box and its hover text. The first line is always the id, because hot spots,
 * chart legends, the inspector and the CLI all name nodes by id (two nodes may share a title); a title,
 * when set, takes the second line (shortened to fit) and the hover text has it whole.
 */
export function nodeText(n: NodeSpec): { name: string; sub: string; full: string } {
  const kind = nodeSubtitle(n);
  if (!n.title || n.title === n.id) return { name: n.id, sub: kind, full: `${n.id} · ${kind}` };
  const sub = n.title.length > SUB_CHARS ? `${n.title.slice(0, SUB_CHARS - 1).trimEnd()}…` : n.title;
  return { name: n.id, sub, full: `${n.id} · ${n.title} · ${kind}` };
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface IfaceSlot {
  name: string;
  side: -1 | 1;
  /** Offset from the node centre. */
  dx: number;
  dy: number;
}

export interface NodeGeom {
  node: NodeSpec;
  pos: Position;
  h: number;
  slots: IfaceSlot[];
}

export const posOf = (n: NodeSpec): Position => n.position ?? { x: 0, y: 0 };

export function nodeHeight(perSide: number): number {
  return Math.max(52, 30 + perSide * DOT_GAP);
}

/** Interface dots: a linked port sits on the side facing its peer; unlinked ones fill the emptier side. */
export function layoutNodes(s: Scenario): Map<string, NodeGeom> {
  const byId = new Map<string, NodeSpec>();
  for (const n of s.nodes) byId.set(n.id, n);
  const peerOf = new Map<string, string>();
  for (const l of s.links) {
    peerOf.set(`${l.a.node}/${l.a.iface}`, l.b.node);
    peerOf.set(`${l.b.node}/${l.b.iface}`, l.a.node);
  }
  const out = new Map<string, NodeGeom>();
  for (const n of s.nodes) {
    const p = posOf(n);
    const sides: (-1 | 1)[] = [];
    let left = 0;
    let right = 0;
    for (const i of n.interfaces) {
      const peer = peerOf.get(`${n.id}/${i.name}`);
      const pp = peer ? byId.get(peer) : undefined;
      let side: -1 | 1;
      if (pp) side = posOf(pp).x < p.x || (posOf(pp).x === p.x && left <= right) ? -1 : 1;
      else side = left <= right ? -1 : 1;
      if (side < 0) left++;
      else right++;
      sides.push(side);
    }
    const h = nodeHeight(Math.max(left, right, 1));
    const idx = { '-1': 0, '1': 0 };
    const slots = n.interfaces.map((i, k): IfaceSlot => {
      const side = sides[k];
      const count = side < 0 ? left : right;
      const j = idx[side]++;
      return { name: i.name, side, dx: (side * NODE_W) / 2, dy: (j - (count - 1) / 2) * DOT_GAP + 8 };
    });
    out.set(n.id, { node: n, pos: p, h, slots });
  }
  return out;
}

export function ifacePoint(g: NodeGeom, iface: string, at: Position = g.pos): Position {
  const s = g.slots.find((x) => x.name === iface);
  return s ? { x: at.x + s.dx, y: at.y + s.dy } : at;
}

export function nodeBox(g: NodeGeom, at: Position = g.pos): Box {
  return { x: at.x - NODE_W / 2, y: at.y - g.h / 2, w: NODE_W, h: g.h };
}

/** Host containers: the bounding box of its nodes plus padding; empty hosts get a placeholder to the right. */
export function hostBoxes(s: Scenario, geoms: Map<string, NodeGeom>, override?: Map<string, Position>): Map<string, Box> {
  const out = new Map<string, Box>();
  let maxX = 0;
  let minY = Infinity;
  for (const h of s.hosts) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const n of s.nodes) {
      if (n.host !== h.id) continue;
      const g = geoms.get(n.id);
      if (!g) continue;
      const b = nodeBox(g, override?.get(n.id) ?? g.pos);
      x0 = Math.min(x0, b.x);
      y0 = Math.min(y0, b.y);
      x1 = Math.max(x1, b.x + b.w);
      y1 = Math.max(y1, b.y + b.h + 14);
    }
    if (x0 === Infinity) continue;
    const box = { x: x0 - HOST_PAD, y: y0 - HOST_PAD - 12, w: x1 - x0 + 2 * HOST_PAD, h: y1 - y0 + 2 * HOST_PAD + 12 };
    out.set(h.id, box);
    maxX = Math.max(maxX, box.x + box.w);
    minY = Math.min(minY, box.y);
  }
  let x = out.size ? maxX + 40 : 40;
  for (const h of s.hosts) {
    if (out.has(h.id)) continue;
    out.set(h.id, { x, y: minY === Infinity ? 40 : minY, ...EMPTY_HOST });
    x += EMPTY_HOST.w + 30;
  }
  return out;
}

export function linkEnds(l: LinkSpec, geoms: Map<string, NodeGeom>, override?: Map<string, Position>): [Position, Position] | null {
  const ga = geoms.get(l.a.node);
  const gb = geoms.get(l.b.node);
  if (!ga || !gb) return null;
  return [ifacePoint(ga, l.a.iface, override?.get(l.a.node) ?? ga.pos), ifacePoint(gb, l.b.iface, override?.get(l.b.node) ?? gb.pos)];
}

export function contentBounds(s: Scenario, geoms: Map<string, NodeGeom>): Box | null {
  const boxes = [...hostBoxes(s, geoms).values()];
  if (boxes.length === 0) return null;
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.w));
  const y1 = Math.max(...boxes.map((b) => b.y + b.h));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** A free spot for a new node: right of `near` if free, else the first free cell of a grid inside `area`. */
export function freeSpot(s: Scenario, near: Position | undefined, area: Box | undefined): Position {
  const taken = s.nodes.map(posOf);
  const free = (p: Position) => taken.every((q) => Math.abs(q.x - p.x) >= 180 || Math.abs(q.y - p.y) >= 90);
  if (near) {
    for (const cand of [{ x: near.x + 200, y: near.y }, { x: near.x, y: near.y + 110 }, { x: near.x - 200, y: near.y }]) if (free(cand)) return cand;
  }
  const x0 = area ? area.x + HOST_PAD + NODE_W / 2 : 100;
  const y0 = area ? area.y + HOST_PAD + 40 : 100;
  for (let r = 0; r < 200; r++) {
    for (let c = 0; c < 8; c++) {
      const p = { x: x0 + c * 200, y: y0 + r * 110 };
      if (free(p)) return p;
    }
  }
  return { x: x0, y: y0 };
}
