/**
 * The topology canvas: SVG drawn by React from the scenario, d3-zoom for pan/zoom. Dragging a node moves
 * the DOM directly (no React render per frame) and commits one move edit on release, so a 200-node drawing
 * stays smooth. Dragging from an interface dot to another connects them.
 */
import { Fragment, memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import * as d3 from 'd3';
import { useAppStore, type SelItem } from '../../store/app-store';
import type { Edit, Position } from '../../core/edit/edit';
import type { Endpoint, LinkSpec, Scenario } from '../../core/scenario/types';
import { si } from '../format';
import { recentMean } from '../charts/model';
import { activateIface, connect, KIND_ICON, place, selectItem, type PaletteKind } from './actions';
import { contentBounds, hostBoxes, linkEnds, nodeBox, nodeText, NODE_W, type Box, type NodeGeom, layoutNodes } from './geometry';
import { COST_CATEGORIES } from '../../core/metrics/result';
import { coreBusy, coreLabels, formatFrameBytes, hopMarkers, hottestCore, isSuperFrame, linkFrames, MARKER_ICON, MARKER_TEXT, MIN_BITS_PER_SEC } from './live';
// oxlint-disable-next-line import/no-unassigned-import -- the stylesheet is imported for its side effect
import './canvas-live.css';

export const PALETTE_MIME = 'application/x-offload-lab-kind';

const selKey = (it: SelItem): string => {
  switch (it.kind) {
    case 'host':
      return `h:${it.id}`;
    case 'node':
      return `n:${it.id}`;
    case 'iface':
      return `i:${it.node}/${it.iface}`;
    case 'link':
      return `l:${it.id}`;
    default: {
      const never: never = it;
      return never;
    }
  }
};

/** Kind and rate: a wire's line rate, or the shaping rate of a qdisc on either end, else the kind alone. */
export function linkLabel(s: Scenario, l: LinkSpec): string {
  if (l.kind === 'wire') return `wire · ${si(l.rateBitsPerSec ?? 0, 'bit/s')}`;
  const shaped = [l.a, l.b]
    .map((e) => s.nodes.find((n) => n.id === e.node)?.interfaces.find((i) => i.name === e.iface)?.qdisc)
    .map((q) => (q && q.kind !== 'noqueue' ? q.rateBitsPerSec : undefined))
    .filter((r): r is number => r !== undefined);
  return shaped.length ? `${l.kind} · shaped ${si(Math.min(...shaped), 'bit/s')}` : l.kind;
}

interface DragState {
  kind: 'node';
  pointerId: number;
  startX: number;
  startY: number;
  moved: boolean;
  ids: string[];
  start: Map<string, Position>;
  cur: Map<string, Position>;
  nodeEls: Map<string, SVGGElement>;
  links: { link: LinkSpec; el: SVGGElement }[];
  hostEls: Map<string, SVGRectElement>;
  additive: boolean;
  raf: number;
  k: number;
  /** The overlay layer translated as a whole, once the drag has been lifted into it. */
  rigid: SVGSVGElement | null;
  dx: number;
  dy: number;
}

interface WireState {
  kind: 'wire';
  pointerId: number;
  from: Endpoint;
  origin: Position;
  startX: number;
  startY: number;
  moved: boolean;
  additive: boolean;
}

/** Where the canvas reads live telemetry from (the app's MetricsHistory); never through React state. */
export interface LiveSource {
  channels: readonly { id: string }[];
  version: number;
  latest(channel: number): number | undefined;
  /**
   * The kept samples (optional): drops are summed over every sample that arrived since the last read, so a
   * burst between two reads is not missed, and turned into a rate by their virtual time span.
   */
  readonly received?: number;
  readonly length?: number;
  readonly tNs?: Float64Array;
  readonly values?: readonly Float64Array[];
  slot?(i: number): number;
  /** Host cores each node's own work runs on (node id → core indices), reported by the worker at load. */
  readonly nodeCores?: ReadonlyMap<string, readonly number[]>;
}

const LIVE_INTERVAL_MS = 250;
const STACK_LINE_PX = 14;

interface StackLine {
  cls: string;
  text: string;
  /** Which edge of the box the line hangs from: the port's side, or centred for the node as a whole. */
  side: -1 | 0 | 1;
}

/** Rewrites a node's badge stack (lines above its box, bottom line first) only when its text changed. */
function writeStack(el: Element, lines: readonly StackLine[]): void {
  const key = lines.map((l) => `${l.cls}:${l.side}:${l.text}`).join('|');
  if (el.getAttribute('data-key') === key) return;
  el.setAttribute('data-key', key);
  const y0 = Number(el.getAttribute('y') ?? 0);
  const half = NODE_W / 2;
  const doc = el.ownerDocument;
  el.replaceChildren(
    ...lines.map((l, k) => {
      const t = doc.createElementNS('http://www.w3.org/2000/svg', 'tspan');
      t.setAttribute('x', String(l.side * half));
      t.setAttribute('y', String(y0 - k * STACK_LINE_PX));
      t.setAttribute('text-anchor', l.side < 0 ? 'start' : l.side > 0 ? 'end' : 'middle');
      t.setAttribute('class', l.cls);
      t.textContent = l.text;
      return t;
    }),
  );
}

/**
 * Writes the live numbers into the drawing a few times a second, straight into the DOM: each link's rate,
 * event rate and mean frame size; above each node its saturated core, the hops where frames are split or
 * merged, and dropping queues; a one-line summary for screen readers and tests.
 */
function useLiveOverlay(
  svgRef: React.RefObject<SVGSVGElement | null>,
  summaryRef: React.RefObject<HTMLParagraphElement | null>,
  scenario: Scenario,
  live: (() => LiveSource | null) | undefined,
): void {
  // Building an engine to ask it for core placement costs ~0.1 s on a 200-node drawing: done only once
  // samples arrive, and again only when what the engine sees changes (not when a node is moved).
  useEffect(() => {
    if (!live) return;
    const { links, nodes } = scenario;
    const geoms = layoutNodes(scenario);
    const mtuOf = new Map<string, number>(nodes.flatMap((n) => n.interfaces.map((i) => [`${n.id}/${i.name}`, i.mtu] as const)));
    let source: LiveSource | null = null;
    let index = new Map<string, number>();
    let labels: string[] = [];
    let version = -1;
    let last = 0;
    let raf = 0;
    // Every channel the canvas reads is a rate per sample interval: labels show the mean of the last 100 ms.
    const slotOf = (i: number): number => (source?.slot ? source.slot(i) : 0);
    const read = (id: string): number | undefined => {
      const k = index.get(id);
      const s = source;
      if (k === undefined || !s) return undefined;
      const { values, tNs, length } = s;
      if (!values || !tNs || !s.slot || !length) return s.latest(k);
      return recentMean({ values, tNs, slot: slotOf }, k, 0, length - 1);
    };
    let lastReceived = 0;
    const noCores: ReadonlyMap<string, readonly number[]> = new Map();
    // Core placement comes from the engine worker with the channels (the page never builds an engine).
    const cores = (): ReadonlyMap<string, readonly number[]> => source?.nodeCores ?? noCores;
    /**
     * A count channel summed over the samples since the last read (`fresh`) and the virtual seconds they span, or
     * over the whole retained history (`fresh` null: what the run has done so far).
     */
    const countOver = (id: string, fresh: number | null): { count: number; sec: number } => {
      const k = index.get(id);
      const s = source;
      if (k === undefined || !s) return { count: 0, sec: 0 };
      if (!s.values || !s.tNs || !s.slot || !s.length || s.length < 2) return { count: s.latest(k) ?? 0, sec: 0 };
      const n = fresh === null ? s.length : Math.max(1, Math.min(fresh, s.length - 1));
      let count = 0;
      for (let i = s.length - n; i < s.length; i++) count += s.values[k][s.slot(i)];
      return { count, sec: n < s.length ? (s.tNs[s.slot(s.length - 1)] - s.tNs[s.slot(s.length - 1 - n)]) / 1e9 : 0 };
    };
    const frame = (t: number) => {
      raf = requestAnimationFrame(frame);
      if (t - last < LIVE_INTERVAL_MS) return;
      last = t;
      const src = live();
      if (src !== source) {
        source = src;
        index = new Map(src?.channels.map((c, k) => [c.id, k]) ?? []);
        labels = coreLabels(src?.channels.map((c) => c.id) ?? []);
        lastReceived = src?.received ?? 0;
        version = -1;
      }
      const svg = svgRef.current;
      if (!svg || !source || source.version === version) return;
      version = source.version;
      const known = source.channels.length > 0 && source.latest(0) !== undefined;
      for (const l of links) {
        const g = svg.querySelector(`[data-link-id="${CSS.escape(l.id)}"]`);
        const rateEl = g?.querySelector('text.link-live.rate');
        const evEl = g?.querySelector('text.link-live.events');
        const frEl = g?.querySelector('text.link-live.frames');
        if (!rateEl || !evEl || !frEl) continue;
        const a = `if/${l.a.node}/${l.a.iface}`;
        const b = `if/${l.b.node}/${l.b.iface}`;
        const bps = Math.max(read(`${a}/rx/bps`) ?? 0, read(`${b}/rx/bps`) ?? 0);
        const events = (read(`${a}/events`) ?? 0) + (read(`${b}/events`) ?? 0);
        const here = known && index.has(`${a}/rx/bps`);
        rateEl.textContent = here ? si(bps, 'bit/s') : '';
        evEl.textContent = here ? si(events, 'ev/s') : '';
        const f = here ? linkFrames(read, l.a, l.b) : null;
        if (f && f.stat.bitsPerSec >= MIN_BITS_PER_SEC) {
          const sup = isSuperFrame(f.stat.meanFrameBytes, mtuOf.get(`${f.from.node}/${f.from.iface}`) ?? 1500);
          frEl.textContent = `${sup ? '◆' : '▪'} ${formatFrameBytes(f.stat.meanFrameBytes)} ${sup ? 'super-frames' : 'frames'}`;
          frEl.setAttribute('data-size', sup ? 'super' : 'mtu');
        } else {
          frEl.textContent = '';
          frEl.removeAttribute('data-size');
        }
      }
      const busy = labels.map((label) => coreBusy(read, label, COST_CATEGORIES));
      const markers = known ? hopMarkers(scenario, read) : [];
      const markerAt = new Map(markers.map((m) => [`${m.node}/${m.iface}`, m]));
      const received = source.received ?? 0;
      const fresh = received >= lastReceived ? received - lastReceived : 1;
      lastReceived = received;
      const hot: string[] = [];
      const dropping: string[] = [];
      for (const n of nodes) {
        const nodeEl = svg.querySelector(`[data-node-id="${CSS.escape(n.id)}"]`);
        const stack = nodeEl?.querySelector('text.live-stack');
        if (!nodeEl || !stack) continue;
        const lines: StackLine[] = [];
        const hc = known ? hottestCore(busy, labels, cores().get(n.id) ?? []) : null;
        if (hc) {
          lines.push({ cls: 'hot-cpu', side: 0, text: `▲ CPU ${Math.round(Math.min(1, hc.busy) * 100)} % · ${hc.label}` });
          hot.push(`${n.id} CPU saturated (${hc.label})`);
          nodeEl.setAttribute('data-hot', 'cpu');
        } else nodeEl.removeAttribute('data-hot');
        const geom = geoms.get(n.id);
        for (const i of n.interfaces) {
          const key = `${n.id}/${i.name}`;
          const side = geom?.slots.find((x) => x.name === i.name)?.side ?? 0;
          const ifEl = nodeEl.querySelector(`[data-iface="${CSS.escape(JSON.stringify([n.id, i.name]))}"]`);
          const m = markerAt.get(key);
          if (m) lines.push({ cls: m.kind === 'gro-merge' ? 'marker offloaded' : 'marker paid', side, text: `${MARKER_ICON[m.kind]} ${MARKER_TEXT[m.kind]} at ${i.name}` });
          const d = known ? countOver(`if/${key}/drops`, fresh) : { count: 0, sec: 0 };
          const drops = d.count;
          if (drops > 0) {
            lines.push({ cls: 'drops', side, text: `▼ ${Math.round(drops)} dropped${d.sec > 0 ? ` (${si(drops / d.sec, 'pkt/s')})` : ''} at ${i.name}` });
            dropping.push(key);
          }
          if (ifEl) {
            if (m) ifEl.setAttribute('data-live', m.kind);
            else ifEl.removeAttribute('data-live');
            if (drops > 0) ifEl.setAttribute('data-drops', '');
            else ifEl.removeAttribute('data-drops');
          }
        }
        writeStack(stack, lines);
      }
      const summary = summaryRef.current;
      if (summary) {
        // The checksum verdicts are what checksum-trust is about: corrupt data that got in, and what was caught.
        const accepted = known ? countOver('checksum/acceptedCorrupt', null).count : 0;
        const caught = known ? countOver('checksum/badDropped', null).count : 0;
        const parts = [
          ...(accepted > 0 ? [`${Math.round(accepted)} corrupt payloads accepted (checksums trusted, never verified)`] : []),
          ...(caught > 0 ? [`${Math.round(caught)} corrupt frames dropped as bad checksums`] : []),
          ...hot,
          ...dropping.map((k) => `queue dropping at ${k}`),
          ...markers.map((m) => `${MARKER_TEXT[m.kind]} at ${m.node}/${m.iface}`),
        ];
        const text = known ? (parts.length ? `Hot spots: ${parts.join('; ')}.` : 'No hot spots.') : '';
        if (summary.textContent !== text) summary.textContent = text;
      }
    };
    raf = requestAnimationFrame(frame);
    return () => {
      cancelAnimationFrame(raf);
    };
  }, [svgRef, summaryRef, scenario, live]);
}

export function TopologyCanvas({ live }: { live?: () => LiveSource | null }) {
  const scenario = useAppStore((s) => s.scenario);
  const selection = useAppStore((s) => s.selection);
  const connectFrom = useAppStore((s) => s.connectFrom);
  const fitRequest = useAppStore((s) => s.fitRequest);
  const svgRef = useRef<SVGSVGElement>(null);
  const gRef = useRef<SVGGElement>(null);
  /** Dragged nodes and their links are drawn as clones in this overlay, so the big SVG is not repainted per frame. */
  const dragGRef = useRef<SVGGElement>(null);
  const rigidRef = useRef<SVGSVGElement>(null);
  const rigidGRef = useRef<SVGGElement>(null);
  const cleanupRef = useRef<(() => void) | null>(null);
  const zoomRef = useRef<d3.ZoomBehavior<SVGSVGElement, unknown> | null>(null);
  const transformRef = useRef<d3.ZoomTransform>(d3.zoomIdentity);
  const dragRef = useRef<DragState | WireState | null>(null);
  const handledRef = useRef(false);
  const [wire, setWire] = useState<{ from: Position; to: Position } | null>(null);

  const geoms = useMemo(() => layoutNodes(scenario), [scenario]);
  const hosts = useMemo(() => hostBoxes(scenario, geoms), [scenario, geoms]);
  const selected = useMemo(() => new Set(selection.map(selKey)), [selection]);
  const summaryRef = useRef<HTMLParagraphElement>(null);
  useLiveOverlay(svgRef, summaryRef, scenario, live);

  // d3-zoom owns the viewport transform; React never re-renders for a pan or zoom.
  useEffect(() => {
    const svg = svgRef.current;
    const g = gRef.current;
    if (!svg || !g) return;
    const zoom = d3
      .zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.15, 3])
      .filter((ev: Event) => {
        const t = ev.target as Element | null;
        if (ev.type === 'dblclick') return false;
        if ('button' in ev && (ev as MouseEvent).button !== 0) return false;
        return !t?.closest('[data-drag]');
      })
      .on('zoom', (ev: d3.D3ZoomEvent<SVGSVGElement, unknown>) => {
        transformRef.current = ev.transform;
        g.setAttribute('transform', ev.transform.toString());
        dragGRef.current?.setAttribute('transform', ev.transform.toString());
        rigidGRef.current?.setAttribute('transform', ev.transform.toString());
        // The grid is a CSS background (cheap to repaint), kept in step with the view.
        const step = 20 * ev.transform.k;
        svg.style.backgroundSize = `${step}px ${step}px`;
        svg.style.backgroundPosition = `${ev.transform.x}px ${ev.transform.y}px`;
      });
    zoomRef.current = zoom;
    d3.select(svg).call(zoom);
    return () => {
      d3.select(svg).on('.zoom', null);
    };
  }, []);

  const fit = useCallback(() => {
    const svg = svgRef.current;
    const zoom = zoomRef.current;
    if (!svg || !zoom) return;
    const b = contentBounds(useAppStore.getState().scenario, layoutNodes(useAppStore.getState().scenario));
    const w = svg.clientWidth || 800;
    const h = svg.clientHeight || 400;
    let t = d3.zoomIdentity;
    if (b) {
      const k = Math.min(1.4, Math.max(0.15, Math.min((w - 40) / b.w, (h - 40) / b.h)));
      t = d3.zoomIdentity.translate(w / 2 - k * (b.x + b.w / 2), h / 2 - k * (b.y + b.h / 2)).scale(k);
    }
    d3.select(svg).call(zoom.transform, t);
  }, []);

  useEffect(() => {
    if (fitRequest >= 0) fit();
  }, [fitRequest, fit]);

  const toScenario = useCallback((clientX: number, clientY: number): Position => {
    const r = svgRef.current?.getBoundingClientRect();
    const [x, y] = transformRef.current.invert([clientX - (r?.left ?? 0), clientY - (r?.top ?? 0)]);
    return { x, y };
  }, []);

  // ---- node drag (direct DOM updates, one edit on release) ----

  const renderDrag = useCallback(() => {
    const d = dragRef.current;
    if (!d || d.kind !== 'node') return;
    d.raf = 0;
    const dx = Math.round(d.dx);
    const dy = Math.round(d.dy);
    for (const id of d.ids) {
      const p0 = d.start.get(id);
      if (p0) d.cur.set(id, { x: p0.x + dx, y: p0.y + dy });
    }
    // Everything that moves rigidly (the nodes, links between two of them) is one composited layer: a CSS
    // translate, no repaint. Only links with one end left behind are redrawn.
    if (d.rigid) d.rigid.style.transform = `translate(${dx * d.k}px, ${dy * d.k}px)`;
    else for (const id of d.ids) d.nodeEls.get(id)?.setAttribute('transform', `translate(${d.cur.get(id)?.x},${d.cur.get(id)?.y})`);
    for (const { link, el } of d.links) {
      const ends = linkEnds(link, geoms, d.cur);
      if (ends) placeLink(el, ends);
    }
    if (d.hostEls.size) {
      const boxes = hostBoxes(scenario, geoms, d.cur);
      for (const [hid, el] of d.hostEls) {
        const b = boxes.get(hid);
        if (b) placeHost(el, b);
      }
    }
  }, [geoms, scenario]);

  /**
   * Moves the drag's drawing into the overlays: clones of the nodes and of the links between them into the
   * rigid layer, links with one end left behind into the elastic one; originals hidden until the drop's
   * re-render.
   */
  const liftToOverlay = useCallback((d: DragState) => {
    const rigidSvg = rigidRef.current;
    const rigid = rigidGRef.current;
    const elastic = dragGRef.current;
    if (!rigidSvg || !rigid || !elastic) return;
    const hidden: SVGElement[] = [];
    const lift = <T extends SVGElement>(el: T, layer: SVGGElement): T => {
      const clone = el.cloneNode(true) as T;
      for (const x of [clone, ...clone.querySelectorAll('[tabindex]')]) {
        x.removeAttribute('tabindex');
        x.removeAttribute('role');
        x.removeAttribute('aria-label');
      }
      layer.appendChild(clone);
      el.style.visibility = 'hidden';
      hidden.push(el);
      return clone;
    };
    const moving = new Set(d.ids);
    const elasticLinks: DragState['links'] = [];
    for (const l of d.links) {
      if (moving.has(l.link.a.node) && moving.has(l.link.b.node)) lift(l.el, rigid);
      else elasticLinks.push({ link: l.link, el: lift(l.el, elastic) });
    }
    d.links = elasticLinks;
    // A host whose every node moves moves rigidly too (drawn first: it sits behind its nodes).
    for (const [hid, rect] of d.hostEls) {
      const g = rect.parentElement;
      if (!(g instanceof SVGGElement) || !scenario.nodes.every((n) => n.host !== hid || moving.has(n.id))) continue;
      const clone = lift(g, rigid);
      rigid.prepend(clone);
      d.hostEls.delete(hid);
    }
    for (const [id, el] of d.nodeEls) d.nodeEls.set(id, lift(el, rigid));
    d.rigid = rigidSvg;
    cleanupRef.current = () => {
      rigid.replaceChildren();
      elastic.replaceChildren();
      rigidSvg.style.transform = '';
      for (const el of hidden) el.style.visibility = '';
    };
  }, [scenario]);

  // After the drop's edit is rendered (before paint), the overlay clones give way to the real elements.
  useLayoutEffect(() => {
    if (!scenario) return;
    cleanupRef.current?.();
    cleanupRef.current = null;
  }, [scenario]);

  const onNodePointerDown = useCallback(
    (e: React.PointerEvent, id: string) => {
      if (e.button !== 0) return;
      e.stopPropagation();
      handledRef.current = false;
      const svg = svgRef.current;
      if (!svg) return;
      const sel = useAppStore.getState().selection;
      const inSel = sel.some((x) => x.kind === 'node' && x.id === id);
      const ids = inSel && !e.shiftKey ? sel.flatMap((x) => (x.kind === 'node' ? [x.id] : [])) : [id];
      const idSet = new Set(ids);
      const nodeEls = new Map<string, SVGGElement>();
      for (const nid of ids) {
        const el = svg.querySelector<SVGGElement>(`[data-node-id="${CSS.escape(nid)}"]`);
        if (el) nodeEls.set(nid, el);
      }
      const links: DragState['links'] = [];
      for (const l of scenario.links) {
        if (!idSet.has(l.a.node) && !idSet.has(l.b.node)) continue;
        const el = svg.querySelector<SVGGElement>(`[data-link-id="${CSS.escape(l.id)}"]`);
        if (el) links.push({ link: l, el });
      }
      const hostEls = new Map<string, SVGRectElement>();
      for (const nid of ids) {
        const hid = geoms.get(nid)?.node.host;
        if (!hid || hostEls.has(hid)) continue;
        const el = svg.querySelector<SVGRectElement>(`[data-host-id="${CSS.escape(hid)}"] rect.host-box`);
        if (el) hostEls.set(hid, el);
      }
      const start = new Map<string, Position>();
      for (const nid of ids) {
        const g = geoms.get(nid);
        if (g) start.set(nid, g.pos);
      }
      dragRef.current = { kind: 'node', pointerId: e.pointerId, startX: e.clientX, startY: e.clientY, moved: false, ids, start, cur: new Map(start), nodeEls, links, hostEls, additive: e.shiftKey, raf: 0, k: transformRef.current.k, dx: 0, dy: 0, rigid: null };
      svg.setPointerCapture(e.pointerId);
    },
    [geoms, scenario],
  );

  const onIfacePointerDown = useCallback(
    (e: React.PointerEvent, at: Endpoint, origin: Position) => {
      if (e.button !== 0) return;
      e.stopPropagation();
      handledRef.current = false;
      const svg = svgRef.current;
      if (!svg) return;
      dragRef.current = { kind: 'wire', pointerId: e.pointerId, from: at, origin, startX: e.clientX, startY: e.clientY, moved: false, additive: e.shiftKey };
      svg.setPointerCapture(e.pointerId);
    },
    [],
  );

  const onPointerMove = useCallback(
    (e: React.PointerEvent) => {
      const d = dragRef.current;
      if (!d || d.pointerId !== e.pointerId) return;
      if (!d.moved && Math.hypot(e.clientX - d.startX, e.clientY - d.startY) < 4) return;
      if (!d.moved && d.kind === 'node') liftToOverlay(d);
      d.moved = true;
      if (d.kind === 'node') {
        d.dx = (e.clientX - d.startX) / d.k;
        d.dy = (e.clientY - d.startY) / d.k;
        if (!d.raf) d.raf = requestAnimationFrame(renderDrag);
      } else {
        setWire({ from: d.origin, to: toScenario(e.clientX, e.clientY) });
      }
    },
    [liftToOverlay, renderDrag, toScenario],
  );

  const onPointerUp = useCallback(
    (e: React.PointerEvent) => {
      const d = dragRef.current;
      if (!d || d.pointerId !== e.pointerId) return;
      dragRef.current = null;
      // Pointer capture retargets the following click to the svg: it must not read as a background click.
      handledRef.current = true;
      setTimeout(() => {
        handledRef.current = false;
      }, 0);
      svgRef.current?.releasePointerCapture(e.pointerId);
      if (d.kind === 'node') {
        if (d.raf) cancelAnimationFrame(d.raf);
        if (!d.moved) {
          const id = d.ids.length === 1 ? d.ids[0] : (e.target as Element).closest('[data-node-id]')?.getAttribute('data-node-id');
          if (id) selectItem({ kind: 'node', id }, d.additive);
          return;
        }
        renderDrag();
        const edits: Edit[] = d.ids.map((id) => ({ kind: 'move-node', id, position: d.cur.get(id) ?? { x: 0, y: 0 } }));
        // One node dropped inside another host's box (and out of its own) moves to that host.
        if (d.ids.length === 1) {
          const node = geoms.get(d.ids[0])?.node;
          const p = d.cur.get(d.ids[0]);
          const inside = (b: Box | undefined) => !!b && !!p && p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h;
          const target = node && !inside(hosts.get(node.host)) ? [...hosts].find(([hid, b]) => hid !== node.host && inside(b))?.[0] : undefined;
          if (node && target) edits.push({ kind: 'set-node-prop', id: node.id, patch: { host: target } });
        }
        const moved = d.ids.some((id) => d.cur.get(id)?.x !== d.start.get(id)?.x || d.cur.get(id)?.y !== d.start.get(id)?.y);
        if (!moved || !useAppStore.getState().edit(edits.length === 1 ? edits[0] : { kind: 'batch', label: `move ${d.ids.join(', ')}`, edits })) {
          cleanupRef.current?.();
          cleanupRef.current = null;
        }
        return;
      }
      setWire(null);
      if (!d.moved) {
        activateIface(d.from, d.additive);
        return;
      }
      const el = document.elementFromPoint(e.clientX, e.clientY)?.closest('[data-iface]');
      const target = el?.getAttribute('data-iface');
      if (!target) return;
      const [node, iface] = JSON.parse(target) as [string, string];
      connect(d.from, { node, iface } as Endpoint);
    },
    [geoms, hosts, renderDrag],
  );

  // Esc during a drag puts everything back where it was and commits nothing.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const d = dragRef.current;
      if (e.key !== 'Escape' || !d) return;
      e.stopImmediatePropagation();
      dragRef.current = null;
      svgRef.current?.releasePointerCapture(d.pointerId);
      if (d.kind === 'node') {
        if (d.raf) cancelAnimationFrame(d.raf);
        cleanupRef.current?.();
        cleanupRef.current = null;
        const s = useAppStore.getState().scenario;
        const boxes = hostBoxes(s, layoutNodes(s));
        for (const [hid, el] of d.hostEls) {
          const b = boxes.get(hid);
          if (b) placeHost(el, b);
        }
      } else setWire(null);
    };
    document.addEventListener('keydown', onKey, { capture: true });
    return () => document.removeEventListener('keydown', onKey, { capture: true });
  }, []);

  const onBackgroundClick = useCallback((e: React.MouseEvent) => {
    if (handledRef.current) {
      handledRef.current = false;
      return;
    }
    if (e.target === svgRef.current) {
      useAppStore.getState().select([]);
      useAppStore.getState().setConnectFrom(null);
    }
  }, []);

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      const kind = e.dataTransfer.getData(PALETTE_MIME) as PaletteKind | '';
      if (!kind) return;
      e.preventDefault();
      const p = toScenario(e.clientX, e.clientY);
      const hit = [...hostBoxes(scenario, geoms)].find(([, b]) => p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h);
      place(kind, kind === 'host' ? undefined : p, hit?.[0]);
    },
    [geoms, scenario, toScenario],
  );

  const connecting = connectFrom ? `${connectFrom.node}/${connectFrom.iface}` : null;

  return (
    <div className="canvas-wrap">
      <svg
        ref={svgRef}
        className={`topology${connecting ? ' connecting' : ''}`}
        role="application"
        aria-label="Topology canvas"
        aria-roledescription="topology editor"
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onClick={onBackgroundClick}
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes(PALETTE_MIME)) e.preventDefault();
        }}
        onDrop={onDrop}
      >
        <g ref={gRef}>
          {scenario.hosts.map((h) => {
            const b = hosts.get(h.id);
            if (!b) return null;
            const empty = !scenario.nodes.some((n) => n.host === h.id);
            return (
              <HostView
                key={h.id}
                id={h.id}
                label={`${h.title ?? h.id} · ${h.cores} cores${empty ? ' · empty' : ''}`}
                box={b}
                selected={selected.has(`h:${h.id}`)}
              />
            );
          })}
          {scenario.links.map((l) => {
            const ends = linkEnds(l, geoms);
            if (!ends) return null;
            return <LinkView key={l.id} link={l} ends={ends} label={linkLabel(scenario, l)} selected={selected.has(`l:${l.id}`)} />;
          })}
          {scenario.nodes.map((n) => {
            const g = geoms.get(n.id);
            if (!g) return null;
            return <NodeView key={n.id} g={g} selected={selected} connecting={connecting} onPointerDown={onNodePointerDown} onIfacePointerDown={onIfacePointerDown} />;
          })}
          {wire && <line className="wire-preview" x1={wire.from.x} y1={wire.from.y} x2={wire.to.x} y2={wire.to.y} />}
        </g>
      </svg>
      <svg className="drag-layer" aria-hidden="true">
        <g ref={dragGRef} />
      </svg>
      <svg className="drag-layer" aria-hidden="true" ref={rigidRef}>
        <g ref={rigidGRef} />
      </svg>
      <p className="canvas-live-summary" role="status" data-testid="canvas-hotspots" ref={summaryRef} />
      {scenario.nodes.length === 0 && (
        <p className="canvas-empty">Empty canvas. Add a node from the palette (click, drag, or press 2 for a VM), then drag from one interface dot to another to connect.</p>
      )}
      {connecting && (
        <p className="canvas-hint" role="status">
          Connecting from <code>{connecting}</code>: choose the other interface (click or Enter). Esc cancels.
        </p>
      )}
      <div className="canvas-zoom" role="group" aria-label="View">
        <button type="button" onClick={fit} aria-label="Fit topology to view" title="Fit (F)">
          ⤢
        </button>
        <button type="button" onClick={() => svgRef.current && zoomRef.current && d3.select(svgRef.current).call(zoomRef.current.scaleBy, 1.25)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => svgRef.current && zoomRef.current && d3.select(svgRef.current).call(zoomRef.current.scaleBy, 0.8)} aria-label="Zoom out">
          −
        </button>
      </div>
    </div>
  );
}

function placeLink(el: SVGGElement, [a, b]: [Position, Position]): void {
  for (const line of el.querySelectorAll('line')) {
    line.setAttribute('x1', String(a.x));
    line.setAttribute('y1', String(a.y));
    line.setAttribute('x2', String(b.x));
    line.setAttribute('y2', String(b.y));
  }
  const label = el.querySelector('g.link-label');
  label?.setAttribute('transform', `translate(${(a.x + b.x) / 2},${(a.y + b.y) / 2})`);
}

function placeHost(el: SVGRectElement, b: Box): void {
  // Most moves stay inside the host: leave its (large) box alone unless it really changes.
  if (el.x.baseVal.value === b.x && el.y.baseVal.value === b.y && el.width.baseVal.value === b.w && el.height.baseVal.value === b.h) return;
  el.setAttribute('x', String(b.x));
  el.setAttribute('y', String(b.y));
  el.setAttribute('width', String(b.w));
  el.setAttribute('height', String(b.h));
  const label = el.nextElementSibling;
  if (label) {
    label.setAttribute('x', String(b.x + 12));
    label.setAttribute('y', String(b.y + 20));
  }
}

const HostView = memo(function HostView({ id, label, box, selected }: { id: string; label: string; box: Box; selected: boolean }) {
  return (
    <g
      className={`host${selected ? ' selected' : ''}`}
      data-host-id={id}
      role="button"
      tabIndex={0}
      aria-label={`host ${label}`}
      aria-pressed={selected}
      onClick={(e) => {
        e.stopPropagation();
        selectItem({ kind: 'host', id }, e.shiftKey);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          selectItem({ kind: 'host', id }, e.shiftKey);
        }
      }}
    >
      <rect className="host-box" x={box.x} y={box.y} width={box.w} height={box.h} rx={14} />
      <text className="host-label" x={box.x + 12} y={box.y + 20}>
        {label}
      </text>
    </g>
  );
});

const LinkView = memo(function LinkView({ link, ends: [a, b], label, selected }: { link: LinkSpec; ends: [Position, Position]; label: string; selected: boolean }) {
  const name = `link ${link.id}: ${label}, ${link.a.node}/${link.a.iface} to ${link.b.node}/${link.b.iface}`;
  const width = label.length * 6.6 + 12;
  return (
    <g
      className={`link link-${link.kind}${selected ? ' selected' : ''}`}
      data-link-id={link.id}
      role="button"
      tabIndex={0}
      aria-label={name}
      aria-pressed={selected}
      onClick={(e) => {
        e.stopPropagation();
        selectItem({ kind: 'link', id: link.id }, e.shiftKey);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          selectItem({ kind: 'link', id: link.id }, e.shiftKey);
        }
      }}
    >
      <line className="link-hit" x1={a.x} y1={a.y} x2={b.x} y2={b.y} />
      <line className="link-line" x1={a.x} y1={a.y} x2={b.x} y2={b.y} />
      <g className="link-label" transform={`translate(${(a.x + b.x) / 2},${(a.y + b.y) / 2})`}>
        <rect x={-width / 2} y={-9} width={width} height={18} rx={9} />
        <text textAnchor="middle" y={4}>
          {label}
        </text>
        <text className="link-live rate" textAnchor="middle" y={22} />
        <text className="link-live events" textAnchor="middle" y={35} />
        <text className="link-live frames" textAnchor="middle" y={48} />
      </g>
    </g>
  );
});

interface NodeViewProps {
  g: NodeGeom;
  selected: Set<string>;
  connecting: string | null;
  onPointerDown: (e: React.PointerEvent, id: string) => void;
  onIfacePointerDown: (e: React.PointerEvent, at: Endpoint, origin: Position) => void;
}

const NodeView = memo(
  function NodeView({ g, selected, connecting, onPointerDown, onIfacePointerDown }: NodeViewProps) {
    const n = g.node;
    const isSel = selected.has(`n:${n.id}`);
    const b = nodeBox(g, { x: 0, y: 0 });
    const text = nodeText(n);
    return (
      <g
        className={`node kind-${n.kind}${isSel ? ' selected' : ''}`}
        data-node-id={n.id}
        data-drag=""
        transform={`translate(${g.pos.x},${g.pos.y})`}
        role="button"
        tabIndex={0}
        aria-label={`${n.kind} ${n.id}${n.title ? ` (${n.title})` : ''}`}
        aria-pressed={isSel}
        onPointerDown={(e) => onPointerDown(e, n.id)}
        onKeyDown={(e) => {
          if (e.target !== e.currentTarget) return;
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            selectItem({ kind: 'node', id: n.id }, e.shiftKey);
          }
        }}
      >
        <rect className="node-box" x={b.x} y={b.y} width={b.w} height={b.h} rx={n.kind === 'router' ? 4 : n.kind === 'bridge' ? 18 : 9} />
        <text className="node-icon" x={b.x + 10} y={b.y + 22} aria-hidden="true">
          {KIND_ICON[n.kind]}
        </text>
        <title>{text.full}</title>
        <text className="node-name" x={b.x + 30} y={b.y + 20}>
          {text.name}
        </text>
        <text className="node-sub" x={b.x + 30} y={b.y + 36}>
          {text.sub}
        </text>
        <text className="live-stack" x={0} y={b.y - 7} textAnchor="middle" />
        {g.slots.map((s) => {
          const iface = n.interfaces.find((i) => i.name === s.name);
          const key = `i:${n.id}/${s.name}`;
          const sel = selected.has(key);
          const at = { node: n.id, iface: s.name } as Endpoint;
          const isFrom = connecting === `${n.id}/${s.name}`;
          return (
            <Fragment key={s.name}>
            <g
              className={`iface${sel ? ' selected' : ''}${isFrom ? ' connect-from' : ''}${iface?.vnetHdr ? ' vnet' : ''}`}
              data-iface={JSON.stringify([n.id, s.name])}
              data-drag=""
              role="button"
              tabIndex={0}
              aria-label={`interface ${n.id}/${s.name}`}
              aria-pressed={sel}
              onPointerDown={(e) => onIfacePointerDown(e, at, { x: g.pos.x + s.dx, y: g.pos.y + s.dy })}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  e.stopPropagation();
                  activateIface(at, e.shiftKey);
                }
              }}
            >
              <circle className="iface-hit" cx={s.dx} cy={s.dy} r={11} />
              <circle className="iface-dot" cx={s.dx} cy={s.dy} r={6} />
            </g>
            <text className="iface-name" x={s.dx + s.side * 8} y={s.dy - 8} textAnchor={s.side < 0 ? 'end' : 'start'}>
                {s.name}
              </text>
            </Fragment>
          );
        })}
      </g>
    );
  },
  (a, b) => sameGeom(a.g, b.g) && a.connecting === b.connecting && a.onPointerDown === b.onPointerDown && a.onIfacePointerDown === b.onIfacePointerDown && sameNodeSelection(a, b),
);

/** Geometry is recomputed on every edit; a node whose spec and drawing did not change is not re-rendered. */
function sameGeom(a: NodeGeom, b: NodeGeom): boolean {
  if (a === b) return true;
  if (a.node !== b.node || a.pos.x !== b.pos.x || a.pos.y !== b.pos.y || a.h !== b.h || a.slots.length !== b.slots.length) return false;
  return a.slots.every((s, k) => s.name === b.slots[k].name && s.dx === b.slots[k].dx && s.dy === b.slots[k].dy);
}

function sameNodeSelection(a: NodeViewProps, b: NodeViewProps): boolean {
  const id = a.g.node.id;
  if (a.selected.has(`n:${id}`) !== b.selected.has(`n:${id}`)) return false;
  return a.g.slots.every((s) => a.selected.has(`i:${id}/${s.name}`) === b.selected.has(`i:${id}/${s.name}`));
}

