/**
 * The plausible range of every CPU cost for a 2017 host (the `kvm-2017` profile's box): the lowest and highest
 * value its source allows, at §8's 2.5 GHz. A calibration may pick any point inside; a value outside is a bent
 * cost (shared/scenarios.md). Ids refer to shared/reference/virtualization-costs.md; (j) marks a range that is
 * our judgement — half to twice the profile's value — where no source bounds the cost.
 */
import { COST_PROFILES, DEFAULT_PROFILE_ID, type CostParamName } from './profiles';

export interface CostRange {
  min: number;
  max: number;
  basis: string;
  /** Drawn as a whole number (a count of exits). */
  integer?: boolean;
  /** The range is per unit of this count: the cost is count × [min, max] (the interrupt's exits). */
  perUnitOf?: CostParamName;
}

const r = (min: number, max: number, basis: string, more?: Pick<CostRange, 'integer' | 'perUnitOf'>): CostRange => ({ min, max, basis, ...more });
const JUDGEMENT = 'no source bounds it (j): half to twice the profile value';

/** Costs in ns per operation or ns/B, and the exits an interrupt takes; a count comes before what is per unit of it. */
export const KVM_2017_RANGES = {
  kickNs: r(470, 1440, 'E1 light exit 1,181 cycles … E5b MMIO ioeventfd before the fast-MMIO patch 3,609 cycles'),
  exitPenaltyNs: r(0, 7200, 'E2: a bare exit ≈2,000 cycles; handling and cache pollution add up to 10× (≤ 18,000 cycles more)'),
  interruptExits: r(0, 2, 'E7b posted interrupts (no exit) … E7 without APICv (injection + EOI)', { integer: true }),
  interruptNs: r(470, 720, 'per exit: E1 light exit 1,181 cycles … an ioeventfd-class exit 1,800 cycles (E5)', { perUnitOf: 'interruptExits' }),
  interruptHandlerNs: r(100, 400, JUDGEMENT),
  irqSignalNs: r(150, 600, JUDGEMENT),
  wakeupWakerNs: r(640, 800, 'E6: IPI send 1,600 (same socket) … 2,000 cycles (other socket)'),
  wakeupLatencyNs: r(2500, 50_000, 'E6b: shallow idle (j) … 50 µs from deep idle'),
  contextSwitchNs: r(1000, 3300, 'E6c: M1 bounds a wake-up and switch at 3.3 µs; lower end (j)'),
  softirqRaiseNs: r(50, 200, JUDGEMENT),
  syscallNs: r(127, 217, 'E10b without PTI: read 1 B 127 ns … getrusage 217 ns'),
  tcpTxPerSkbNs: r(1280, 1800, 'P10: §8’s 3,200 cycles (no-GSO − GSO) … the whole send less what is charged apart'),
  tcpAckTxNs: r(300, 1200, JUDGEMENT),
  udpTxPerSkbNs: r(800, 1200, 'P10b (d) ±20 %'),
  driverTxPerPacketNs: r(100, 400, JUDGEMENT),
  rxNetdevPerPacketNs: r(250, 1000, 'B5’s share on a judged per-packet scale (j): half to twice'),
  rxBufferPerPacketNs: r(205, 820, 'B5’s share on a judged per-packet scale (j): half to twice'),
  rxStackPerSkbNs: r(600, 2400, 'B5’s share on a judged per-packet scale (j): half to twice'),
  ackRxPerSkbNs: r(400, 1600, JUDGEMENT),
  vhostTxPerPacketNs: r(930, 1100, 'P1: 1.08 … 0.91 Mpps'),
  vhostRxPerPacketNs: r(670, 770, 'P2: 1.5 … 1.3 Mpps'),
  tapPerPacketNs: r(330, 590, 'P3: 3.05 … 1.7 Mpps'),
  bridgePerPacketNs: r(250, 3000, 'half of §8’s 0.5 µs (j) … P7b’s 3 µs per hop (a modern VM, veth included)'),
  vethPerPacketNs: r(250, 3000, 'half of §8’s 0.5 µs (j) … P7b’s 3 µs per hop (a modern VM)'),
  forwardPerPacketNs: r(830, 1050, 'P4: 2,070 (one route) … 2,620 cycles (full table)'),
  routeLookupNs: r(40, 60, 'P5 ≈50 ns ±20 % (j)'),
  firewallRuleNs: r(36, 92, 'P7: 90 … 230 cycles per rule'),
  skbAllocNs: r(11, 45, 'E8: slab fast path 10.6 ns … network-like reuse 45 ns'),
  nicTxPerPacketNs: r(150, 600, JUDGEMENT),
  pollerPerPacketNs: r(23, 40, 'P8 DPDK drop 22.9 ns … P9 25 Mpps'),
  gsoPerSegmentNs: r(560, 630, 'P10: 1,570 cycles at 2.8 … 2.5 GHz'),
  groMergePerSegmentNs: r(100, 400, JUDGEMENT),
  copyNsPerByte: r(0.077, 0.167, 'B2 13 GB/s … B4 DRAM 6 GB/s (B1 8 GB/s)'),
  checksumNsPerByte: r(0.05, 0.2, 'B3b one adc chain 8 B/cycle … 2 B/cycle (j)'),
  hashHotNs: r(10, 40, JUDGEMENT),
  hashColdNs: r(80, 200, 'B1: one DRAM miss 79 ns, plus the hash (j)'),
} as const satisfies Partial<Record<CostParamName, CostRange>>;

export type RangedCost = keyof typeof KVM_2017_RANGES;
export const RANGED_COSTS = Object.keys(KVM_2017_RANGES) as RangedCost[];

/** Values for some ranged costs, e.g. one calibration point; a missing one is the profile's. */
export type CostPoint = Partial<Record<RangedCost, number>>;

/** How many units a per-unit range is multiplied by: the point's count, else the profile's. */
export function unitsAt(point: CostPoint, range: CostRange): number {
  if (range.perUnitOf === undefined) return 1;
  return point[range.perUnitOf as RangedCost] ?? COST_PROFILES[DEFAULT_PROFILE_ID].params[range.perUnitOf].value;
}

/** Is `value` of `name` inside its range at `point` (whose counts scale per-unit ranges)? Rounding to 3 digits passes. */
export function inRange(name: RangedCost, value: number, point: CostPoint = {}): boolean {
  const range: CostRange = KVM_2017_RANGES[name];
  const units = unitsAt(point, range);
  return value >= range.min * units * 0.995 && value <= range.max * units * 1.005;
}
