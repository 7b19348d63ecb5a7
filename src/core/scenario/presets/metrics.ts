/**
 * The metrics a preset's expectation can name, each computed from a RunResult, and the check of an
 * expectation against measured values. Used by the CLI's report and by tests; no engine knowledge here.
 */
import type { RunResult } from '../../metrics/result';

export const METRICS = {
  tcpThroughputBitsPerSec: 'sum of TCP flows’ goodput (bit/s)',
  throughputPerForwardingCoreBitsPerSec:
    'TCP goodput divided by the own cores of all routers and forwarders (bit/s per core; the host’s vhost workers serving them are not counted: “per core” means the forwarding entity has one core)',
  eventsPerSec: 'all notifications (kicks, interrupts, wake-ups, softirqs, exits) per second',
  eventsPerSecPerGbit: 'events per second per Gbit/s of TCP goodput',
  forwarderEventsPerSecPerCore: 'events per second on router and forwarder interfaces, per own core of the routers and forwarders',
  forwarderEventsPerPacket: 'events on router and forwarder interfaces per packet they transmit (notifications per forwarded packet, any queue)',
  acceptedCorrupt: 'frames with a corrupted payload that a receiver accepted (count)',
  badDropped: 'frames dropped for a bad checksum (count)',
  probeLatencyP50Ns: 'median probe round-trip time (ns), worst probe',
  probeLatencyP99Ns: '99th-percentile probe round-trip time (ns), worst probe',
  probeJitterNs: 'RFC 3550 interarrival jitter of the probe (ns) at the end of the run, worst probe',
  probeMeanJitterNs: 'mean |ΔRTT| between consecutive probe samples over the whole run (ns), worst probe',
  forwarderMemoryBytes: 'largest memory footprint of a forwarder node (bytes)',
} as const;
export type MetricId = keyof typeof METRICS;
export const METRIC_IDS = Object.keys(METRICS) as MetricId[];

export type Comparator = '>=' | '<=' | '>' | '<';

export interface Expectation {
  metric: MetricId;
  /** Variant measured; absent = the base scenario. */
  variant?: string;
  comparator: Comparator;
  value: number;
  /** When set, the measured metric is divided by the same metric of this run (ratio check). */
  relativeTo?: { preset: string; variant?: string };
  /** What the article or first principles say, in words. */
  text: string;
}

const FORWARDING_KINDS = new Set(['router', 'forwarder']);

function tcpThroughput(r: RunResult): number {
  let sum = 0;
  for (const f of r.flows) if (f.kind === 'tcp') sum += f.throughputBitsPerSec;
  return sum;
}

function forwardingCores(r: RunResult): number {
  let n = 0;
  for (const node of r.nodes) if (FORWARDING_KINDS.has(node.kind)) for (const c of node.cores) if (c.role !== 'helper') n++;
  return n;
}

function worstProbe(r: RunResult, pick: (f: RunResult['flows'][number]) => number | undefined): number {
  let worst = Number.NaN;
  for (const f of r.flows) {
    if (f.kind !== 'probe') continue;
    const x = pick(f);
    if (x !== undefined && !(x <= worst)) worst = x;
  }
  return worst;
}

/** Events per second (rx + tx) and packets per second sent on the interfaces of routers and forwarders. */
function forwarderInterfaceTotals(r: RunResult): { events: number; txPackets: number } {
  const forwarding = new Set(r.nodes.filter((n) => FORWARDING_KINDS.has(n.kind)).map((n) => n.id));
  let events = 0;
  let txPackets = 0;
  for (const i of r.interfaces) {
    if (!forwarding.has(i.id.slice(0, i.id.indexOf('/')))) continue;
    events += i.rx.eventsPerSec + i.tx.eventsPerSec;
    txPackets += i.tx.packetsPerSec;
  }
  return { events, txPackets };
}

/** The metric's value for a run; NaN when the run has nothing to measure it on (e.g. no probe flow). */
export function metricValue(r: RunResult, metric: MetricId): number {
  switch (metric) {
    case 'tcpThroughputBitsPerSec':
      return tcpThroughput(r);
    case 'throughputPerForwardingCoreBitsPerSec': {
      const cores = forwardingCores(r);
      return cores > 0 ? tcpThroughput(r) / cores : Number.NaN;
    }
    case 'eventsPerSec':
      return r.totals.eventsPerSec;
    case 'eventsPerSecPerGbit': {
      const gbit = tcpThroughput(r) / 1e9;
      return gbit > 0 ? r.totals.eventsPerSec / gbit : Number.NaN;
    }
    case 'forwarderEventsPerSecPerCore': {
      const cores = forwardingCores(r);
      return cores > 0 ? forwarderInterfaceTotals(r).events / cores : Number.NaN;
    }
    case 'forwarderEventsPerPacket': {
      const { events, txPackets } = forwarderInterfaceTotals(r);
      return txPackets > 0 ? events / txPackets : Number.NaN;
    }
    case 'acceptedCorrupt':
      return r.checksum.acceptedCorrupt;
    case 'badDropped':
      return r.checksum.badDropped;
    case 'probeLatencyP50Ns':
      return worstProbe(r, (f) => f.latencyNs?.p50);
    case 'probeLatencyP99Ns':
      return worstProbe(r, (f) => f.latencyNs?.p99);
    case 'probeJitterNs':
      return worstProbe(r, (f) => f.jitterNs);
    case 'probeMeanJitterNs':
      return worstProbe(r, (f) => f.meanJitterNs);
    case 'forwarderMemoryBytes': {
      let max = Number.NaN;
      for (const n of r.nodes) if (n.kind === 'forwarder' && !(n.memoryBytes <= max)) max = n.memoryBytes;
      return max;
    }
    default: {
      const never: never = metric;
      return Number.NaN + Number(never);
    }
  }
}

/** Whether `measured` (already a ratio when the expectation is relative) satisfies the comparator. NaN fails. */
export function holds(e: Pick<Expectation, 'comparator' | 'value'>, measured: number): boolean {
  if (Number.isNaN(measured)) return false;
  switch (e.comparator) {
    case '>=':
      return measured >= e.value;
    case '<=':
      return measured <= e.value;
    case '>':
      return measured > e.value;
    case '<':
      return measured < e.value;
    default: {
      const never: never = e.comparator;
      return Boolean(never);
    }
  }
}
