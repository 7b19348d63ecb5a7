/**
 * What the canvas reads off the engine's channels, a few times a second: mean frame size per link direction,
 * where frames shrink (segmented there) or grow (merged there), saturated cores and dropping queues. Pure
 * functions of channel values, so the rules are tested without a browser; nothing here predicts what an
 * offload should do.
 */
import type { Scenario } from '../../core/scenario/types';

/** A core busy for at least this fraction of the last sample is saturated. */
export const SATURATED_FRACTION = 0.95;
/** Frames must shrink or grow by this factor across a hop to count as a split or a merge. */
export const RESIZE_FACTOR = 1.5;
/** Directions carrying less than this are ACK streams or idle: too few bytes to judge frame sizes by. */
export const MIN_BITS_PER_SEC = 1e6;
/**
 * Fewer packets than this per second (20 in a 10 ms sample) make a mean frame size noise: a slow shaped link
 * moves a fraction of one 64 KiB frame per sample.
 */
export const MIN_PKTS_PER_SEC = 2000;
/** Ethernet header on top of the MTU: a mean frame above MTU + this is a super-frame. */
const ETH_HEADER_BYTES = 14;

/** Reads the latest value of a channel by id; undefined when the channel or a sample is missing. */
export type ChannelReader = (id: string) => number | undefined;

export interface DirStat {
  bitsPerSec: number;
  pktsPerSec: number;
  /** bit/s ÷ 8 ÷ pkt/s; 0 when nothing was sent. */
  meanFrameBytes: number;
}

export function dirStat(read: ChannelReader, node: string, iface: string, dir: 'tx' | 'rx'): DirStat {
  const bitsPerSec = read(`if/${node}/${iface}/${dir}/bps`) ?? 0;
  const pktsPerSec = read(`if/${node}/${iface}/${dir}/pps`) ?? 0;
  return { bitsPerSec, pktsPerSec, meanFrameBytes: pktsPerSec > 0 ? bitsPerSec / 8 / pktsPerSec : 0 };
}

/** Bytes for humans in binary units: "54 B", "1.5 KiB", "63 KiB". */
export function formatFrameBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const kib = bytes / 1024;
  if (kib < 10) return `${kib.toFixed(1)} KiB`;
  if (kib < 1024) return `${Math.round(kib)} KiB`;
  return `${(kib / 1024).toFixed(1)} MiB`;
}

/** Larger than one MTU-sized frame: an offloaded super-frame (GSO/TSO not yet done, or GRO done). */
export function isSuperFrame(meanFrameBytes: number, mtu: number): boolean {
  return meanFrameBytes > (mtu + ETH_HEADER_BYTES) * 1.05;
}

export type MarkerKind = 'gso-split' | 'link-split' | 'gro-merge';

export interface HopMarker {
  kind: MarkerKind;
  node: string;
  iface: string;
  /** Mean frame size before and after the hop. */
  fromBytes: number;
  toBytes: number;
}

export const MARKER_TEXT: Record<MarkerKind, string> = {
  'gso-split': 'GSO split',
  'link-split': 'split on link',
  'gro-merge': 'GRO/LRO merge',
};

export const MARKER_ICON: Record<MarkerKind, string> = {
  'gso-split': '✂',
  'link-split': '✂',
  'gro-merge': '⊕',
};

interface PortRef {
  node: string;
  iface: string;
}

/**
 * Where frames change size, from the engine's counters only:
 * - inside a node: an egress port sends frames much smaller (split) or larger (merged) than the node received
 *   on its other ports;
 * - across a link: the receiver counts frames much larger than the sender sent (GRO on receive), or much
 *   smaller (segmented on the way, e.g. by the host for a peer that cannot take GSO frames).
 * Directions thinner than MIN_BITS_PER_SEC or MIN_PKTS_PER_SEC are not judged.
 */
export function hopMarkers(s: Pick<Scenario, 'nodes' | 'links'>, read: ChannelReader): HopMarker[] {
  const out: HopMarker[] = [];
  const seen = new Set<string>();
  const push = (m: HopMarker) => {
    const key = `${m.node}/${m.iface}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(m);
  };
  for (const n of s.nodes) {
    const ports: PortRef[] = n.interfaces.map((i) => ({ node: n.id, iface: i.name }));
    if (ports.length < 2) continue;
    const rx = ports.map((p) => dirStat(read, p.node, p.iface, 'rx'));
    for (let k = 0; k < ports.length; k++) {
      const tx = dirStat(read, ports[k].node, ports[k].iface, 'tx');
      if (tx.bitsPerSec < MIN_BITS_PER_SEC || tx.pktsPerSec < MIN_PKTS_PER_SEC) continue;
      let bytes = 0;
      let pkts = 0;
      for (let j = 0; j < ports.length; j++) {
        if (j === k) continue;
        bytes += rx[j].bitsPerSec / 8;
        pkts += rx[j].pktsPerSec;
      }
      if (pkts < MIN_PKTS_PER_SEC || bytes * 8 < MIN_BITS_PER_SEC) continue;
      const inBytes = bytes / pkts;
      if (inBytes >= tx.meanFrameBytes * RESIZE_FACTOR) push({ kind: 'gso-split', ...ports[k], fromBytes: inBytes, toBytes: tx.meanFrameBytes });
      else if (tx.meanFrameBytes >= inBytes * RESIZE_FACTOR) push({ kind: 'gro-merge', ...ports[k], fromBytes: inBytes, toBytes: tx.meanFrameBytes });
    }
  }
  for (const l of s.links) {
    for (const [from, to] of [
      [l.a, l.b],
      [l.b, l.a],
    ] as const) {
      const tx = dirStat(read, from.node, from.iface, 'tx');
      const rx = dirStat(read, to.node, to.iface, 'rx');
      if (tx.bitsPerSec < MIN_BITS_PER_SEC || rx.bitsPerSec < MIN_BITS_PER_SEC || tx.pktsPerSec < MIN_PKTS_PER_SEC || rx.pktsPerSec < MIN_PKTS_PER_SEC) continue;
      if (rx.meanFrameBytes >= tx.meanFrameBytes * RESIZE_FACTOR) push({ kind: 'gro-merge', node: to.node, iface: to.iface, fromBytes: tx.meanFrameBytes, toBytes: rx.meanFrameBytes });
      else if (tx.meanFrameBytes >= rx.meanFrameBytes * RESIZE_FACTOR) push({ kind: 'link-split', node: from.node, iface: from.iface, fromBytes: tx.meanFrameBytes, toBytes: rx.meanFrameBytes });
    }
  }
  return out;
}

/** The busier direction of a link: who sends, what its frames weigh. */
export function linkFrames(read: ChannelReader, a: PortRef, b: PortRef): { from: PortRef; stat: DirStat } | null {
  const ta = dirStat(read, a.node, a.iface, 'tx');
  const tb = dirStat(read, b.node, b.iface, 'tx');
  const best = ta.bitsPerSec >= tb.bitsPerSec ? { from: a, stat: ta } : { from: b, stat: tb };
  return best.stat.pktsPerSec > 0 ? best : null;
}

/** Core label (as in the `cpu/<label>/<category>` channels) of each core, by the engine's core index. */
export function coreLabels(channelIds: readonly string[]): string[] {
  const labels: string[] = [];
  const seen = new Set<string>();
  for (const id of channelIds) {
    if (!id.startsWith('cpu/')) continue;
    const label = id.slice(4, id.lastIndexOf('/'));
    if (seen.has(label)) continue;
    seen.add(label);
    labels.push(label);
  }
  return labels;
}

/** Busy fraction of a core over the last sample: the sum of its cost categories. */
export function coreBusy(read: ChannelReader, label: string, categories: readonly string[]): number {
  let s = 0;
  for (const c of categories) s += read(`cpu/${label}/${c}`) ?? 0;
  return s;
}

export interface HotCore {
  label: string;
  busy: number;
}

/** The busiest of a node's cores, when it is saturated. */
export function hottestCore(busyByIndex: readonly number[], labels: readonly string[], cores: readonly number[]): HotCore | null {
  let best: HotCore | null = null;
  for (const c of cores) {
    const busy = busyByIndex[c] ?? 0;
    if (busy >= SATURATED_FRACTION && (best === null || busy > best.busy)) best = { label: labels[c] ?? `core ${c}`, busy };
  }
  return best;
}
