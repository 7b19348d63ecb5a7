/**
 * The engine as partitions: each partition builds the whole model (same seed, same construction, so the
 * same cores, flows and RNG draws) but fires only its own hosts' events; frames onto a wire that crosses
 * partitions travel as messages and re-enter the far partition's wire with the same arrival time and tie-break
 * key. The partial results are merged by ownership (a port, node or core from its host's partition; a
 * flow's delivery from the receiver's, its retransmits and RTTs from the sender's; counts summed).
 *
 * Wire message payload (little-endian float64 words, then the frame bytes):
 *   word 0 side (0 = a, 1 = b)   word 1 key   words 2..19 skb fields in SKB_FIELDS order   then frame
 */
import { Engine } from '../engine';
import type { FlowResult, RunResult } from '../metrics/result';
import { Pkt } from '../model/pkt';
import { createSkb, type Skb } from '../packet/skb';
import type { Scenario } from '../scenario/types';
import { runLockstep, type CrossMsg, type PartitionLp } from './coordinator';
import { planPartitions, type PartitionPlan } from './plan';
import { RingPartitionRunner, type RingMatrix, type RingRunStats } from './rings';

const SKB_FIELDS = [
  'len',
  'ipSummed',
  'csumStart',
  'csumOffset',
  'csumLevel',
  'csum',
  'csumValid',
  'gsoSize',
  'gsoType',
  'gsoSegs',
  'hash',
  'hashType',
  'swHash',
  'queueMapping',
  'rxQueue',
  'macHeader',
  'networkHeader',
  'transportHeader',
] as const satisfies readonly (keyof Skb)[];
const HEADER_WORDS = 2 + SKB_FIELDS.length;
export const WIRE_HEADER_BYTES = HEADER_WORDS * 8;

export function encodeWirePkt(side: 'a' | 'b', key: number, p: Pkt): Uint8Array {
  const out = new Uint8Array(WIRE_HEADER_BYTES + p.frame.length);
  const dv = new DataView(out.buffer);
  dv.setFloat64(0, side === 'a' ? 0 : 1, true);
  dv.setFloat64(8, key, true);
  const skb = p.skb as unknown as Record<string, number | boolean>;
  SKB_FIELDS.forEach((f, i) => dv.setFloat64(16 + i * 8, Number(skb[f]), true));
  out.set(p.frame, WIRE_HEADER_BYTES);
  return out;
}

export function decodeWirePkt(b: Uint8Array): { side: 'a' | 'b'; key: number; pkt: Pkt } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const skb = createSkb() as unknown as Record<string, number | boolean>;
  SKB_FIELDS.forEach((f, i) => {
    const v = dv.getFloat64(16 + i * 8, true);
    skb[f] = f === 'csumValid' || f === 'swHash' ? v !== 0 : v;
  });
  const pkt = new Pkt(b.slice(WIRE_HEADER_BYTES), skb as unknown as Skb);
  return { side: dv.getFloat64(0, true) === 0 ? 'a' : 'b', key: dv.getFloat64(8, true), pkt };
}

/** One partition of an engine run, driven by the coordinator (in process or in its own thread). */
export class EngineLp implements PartitionLp {
  readonly engine: Engine;
  private out: CrossMsg[] = [];
  private seq = 0;

  constructor(
    scenario: Scenario,
    readonly plan: PartitionPlan,
    readonly self: number,
    seed?: number,
  ) {
    const linkPartition = (linkIndex: number, side: 'a' | 'b'): number => {
      const l = scenario.links[linkIndex];
      return plan.partitionOfNode.get((side === 'a' ? l.b : l.a).node) as number;
    };
    this.engine = new Engine(scenario, {
      seed,
      partition: {
        self,
        partitionOfHost: plan.partitionOfHost,
        send: (linkIndex, side, arrivalNs, key, p) => {
          this.out.push({ arrivalNs, linkId: linkIndex, srcPartition: self, dstPartition: linkPartition(linkIndex, side), seq: this.seq++, payload: encodeWirePkt(side, key, p) });
        },
      },
    });
  }

  runBefore(tNs: number): void {
    // Virtual time is whole nanoseconds, so "before tNs" is "through tNs - 1".
    this.engine.runUntil(tNs - 1);
  }

  runThrough(tNs: number): void {
    this.engine.runUntil(tNs);
  }

  nextEventNs(): number {
    return this.engine.nextEventNs();
  }

  takeOutbound(): CrossMsg[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  deliver(msg: CrossMsg): void {
    const { side, key, pkt } = decodeWirePkt(msg.payload);
    this.engine.deliverRemote(msg.linkId, side, msg.arrivalNs, key, pkt);
  }

  /** What the merge needs from this partition. */
  partial(): PartialResult {
    return { result: this.engine.result(), totalEvents: this.engine.totalEventCount };
  }
}

export interface PartialResult {
  result: RunResult;
  totalEvents: number;
}

/** Combines the partitions' results by ownership; the same numbers the unpartitioned engine reports. */
export function mergePartials(scenario: Scenario, plan: PartitionPlan, parts: readonly PartialResult[]): RunResult {
  const first = parts[0].result;
  const nodePart = (node: string): number => plan.partitionOfNode.get(node) ?? 0;
  const flows: FlowResult[] = first.flows.map((f, i) => {
    const spec = scenario.flows.find((s) => s.id === f.id);
    if (spec === undefined) return f;
    const fromSrc = parts[nodePart(spec.from)].result.flows[i];
    if (spec.kind === 'probe') return fromSrc;
    const fromDst = parts[nodePart(spec.to)].result.flows[i];
    return { ...fromDst, ...(spec.kind === 'tcp' && fromSrc.retransmits !== undefined ? { retransmits: fromSrc.retransmits } : {}) };
  });
  const interfaces = first.interfaces.map((p, i) => parts[nodePart(p.id.slice(0, p.id.indexOf('/')))].result.interfaces[i]);
  const nodes = first.nodes.map((n, i) => parts[nodePart(n.id)].result.nodes[i]);
  const sum = (get: (r: RunResult) => number): number => parts.reduce((s, p) => s + get(p.result), 0);
  const totalEvents = parts.reduce((s, p) => s + p.totalEvents, 0);
  return {
    ...first,
    flows,
    interfaces,
    nodes,
    checksum: {
      badDropped: sum((r) => r.checksum.badDropped),
      acceptedCorrupt: sum((r) => r.checksum.acceptedCorrupt),
      verifiedInSoftware: sum((r) => r.checksum.verifiedInSoftware),
      trusted: sum((r) => r.checksum.trusted),
    },
    totals: {
      // The engine's own formula over the summed count, so the merge is exact.
      eventsPerSec: (totalEvents * 1e9) / Math.max(1, first.simulatedNs),
      packetHops: sum((r) => r.totals.packetHops),
      segmentHops: sum((r) => r.totals.segmentHops ?? 0),
    },
  };
}

/** A partitioned run with every partition in this thread (the reference for threaded runs). */
export function runEnginePartitioned(scenario: Scenario, opts: { workers: number; durationNs?: number; seed?: number }): { result: RunResult; plan: PartitionPlan; windows: number; partials: PartialResult[] } {
  const plan = planPartitions(scenario, opts.workers);
  const lps = Array.from({ length: plan.partitions }, (_, i) => new EngineLp(scenario, plan, i, opts.seed));
  const endNs = opts.durationNs ?? scenario.durationNs;
  const windows = plan.partitions === 1 ? (lps[0].runThrough(endNs), 1) : runLockstep(lps, plan.lookaheadNs, endNs);
  const partials = lps.map((l) => l.partial());
  return { result: mergePartials(scenario, plan, partials), plan, windows, partials };
}

/** Room a ring record needs for any frame of this scenario crossing a wire (largest MTU + Ethernet header). */
export function wireRecordPayloadBytes(scenario: Scenario): number {
  let mtu = 1500;
  for (const n of scenario.nodes) for (const i of n.interfaces) if (i.mtu > mtu) mtu = i.mtu;
  return WIRE_HEADER_BYTES + mtu + 18;
}

/**
 * One partition's share of a run in its own thread (worker entry): builds the model, runs in lockstep
 * with its peers over `rings` (see ./rings.ts), returns the partial result for mergePartials.
 */
export function runEnginePartitionOverRings(scenario: Scenario, opts: { workers: number; self: number; rings: RingMatrix; durationNs?: number; seed?: number }): PartialResult & { stats: RingRunStats } {
  const plan = planPartitions(scenario, opts.workers);
  const lp = new EngineLp(scenario, plan, opts.self, opts.seed);
  const stats = new RingPartitionRunner(opts.self, opts.rings).run(lp, plan.lookaheadNs, opts.durationNs ?? scenario.durationNs);
  return { ...lp.partial(), stats };
}
