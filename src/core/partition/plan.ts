/**
 * How a scenario splits into partitions: hosts are assigned to workers in contiguous blocks (scenario
 * order), every node goes with its host, and the lookahead is the smallest propagation delay of any wire
 * whose ends land in different partitions — including delays a timeline change sets later in the run,
 * since a window must never be longer than the fastest way a frame can cross.
 */
import type { Scenario } from '../scenario/types';
import { PartitionError } from './coordinator';

export interface CrossLink {
  linkId: string;
  /** Index of the link in scenario.links: the id carried by cross-partition messages. */
  linkIndex: number;
  partitionA: number;
  partitionB: number;
  minDelayNs: number;
}

export interface PartitionPlan {
  partitions: number;
  /** host id → partition */
  partitionOfHost: Map<string, number>;
  /** node id → partition */
  partitionOfNode: Map<string, number>;
  crossLinks: CrossLink[];
  /** Window length; +Infinity when nothing crosses partitions (no windows needed). */
  lookaheadNs: number;
  /** Flows whose endpoints sit in different partitions: their sender and receiver state must live apart. */
  crossFlows: string[];
}

const LINK_DELAY_PATH = /^links\[id=([^\]]+)\]\.delayNs$/;

export function planPartitions(s: Scenario, workers: number): PartitionPlan {
  if (!Number.isInteger(workers) || workers < 1) throw new PartitionError(`workers must be a positive integer, got ${workers}`);
  const partitions = Math.min(workers, Math.max(1, s.hosts.length));
  const partitionOfHost = new Map<string, number>();
  s.hosts.forEach((h, i) => partitionOfHost.set(h.id, Math.floor((i * partitions) / s.hosts.length)));
  const partitionOfNode = new Map<string, number>();
  for (const n of s.nodes) {
    const p = partitionOfHost.get(n.host);
    if (p === undefined) throw new PartitionError(`node ${n.id} is on unknown host ${n.host}`);
    partitionOfNode.set(n.id, p);
  }
  const laterDelays = new Map<string, number>();
  for (const ev of s.timeline) {
    if (ev.change.kind !== 'set-param' || typeof ev.change.value !== 'number') continue;
    const m = LINK_DELAY_PATH.exec(ev.change.path);
    if (m && ev.change.value >= 0) laterDelays.set(m[1], Math.min(laterDelays.get(m[1]) ?? Infinity, ev.change.value));
  }
  const crossLinks: CrossLink[] = [];
  let lookaheadNs = Number.POSITIVE_INFINITY;
  s.links.forEach((l, linkIndex) => {
    const pa = partitionOfNode.get(l.a.node);
    const pb = partitionOfNode.get(l.b.node);
    if (pa === undefined || pb === undefined) throw new PartitionError(`link ${l.id} joins an unknown node`);
    if (pa === pb) return;
    if (l.kind !== 'wire') throw new PartitionError(`link ${l.id} (${l.kind}) joins nodes in different partitions; only wires can cross`);
    const minDelayNs = Math.min(l.delayNs ?? 0, laterDelays.get(l.id) ?? Infinity);
    if (!(minDelayNs > 0)) throw new PartitionError(`wire ${l.id} crosses partitions with no propagation delay: no lookahead`);
    crossLinks.push({ linkId: l.id, linkIndex, partitionA: pa, partitionB: pb, minDelayNs });
    lookaheadNs = Math.min(lookaheadNs, minDelayNs);
  });
  const crossFlows = s.flows.filter((f) => partitionOfNode.get(f.from) !== partitionOfNode.get(f.to)).map((f) => f.id as string);
  return { partitions, partitionOfHost, partitionOfNode, crossLinks, lookaheadNs, crossFlows };
}
