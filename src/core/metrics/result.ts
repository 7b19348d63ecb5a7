/**
 * The result of a run, as the CLI prints it with --json and as tests read it. Versioned by `schema`.
 * Rates are averages over the measured window; every field carries its unit in its name.
 */

export const RUN_RESULT_SCHEMA = 'offload-lab/run-result@1' as const;

/** Where CPU time goes; the same categories colour the UI's CPU chart. */
export const COST_CATEGORIES = ['event', 'packet', 'copy', 'checksum', 'segmentation', 'gro', 'hash', 'lookup'] as const;
export type CostCategory = (typeof COST_CATEGORIES)[number];

/** Notifications a consumer needs to learn that work arrived. */
export const EVENT_KINDS = ['kick', 'interrupt', 'wakeup', 'softirq', 'exit'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface DirectionStats {
  packetsPerSec: number;
  bitsPerSec: number;
  meanFrameBytes: number;
  eventsPerSec: number;
  eventsPerSecByKind: Record<EventKind, number>;
  drops: number;
  dropsByReason: Record<string, number>;
}

export interface FlowResult {
  id: string;
  kind: 'tcp' | 'udp' | 'probe';
  /** Goodput: application payload delivered, in bits per second. */
  throughputBitsPerSec: number;
  bytesDelivered: number;
  retransmits?: number;
  latencyNs?: { p50: number; p99: number; max: number; mean: number; samples: number };
  /** RFC 3550 interarrival jitter estimate: a running mean of |ΔRTT| weighting the last ≈ 16 samples most. */
  jitterNs?: number;
  /** Mean |ΔRTT| between consecutive samples over the whole run; absent below two samples. */
  meanJitterNs?: number;
}

export interface InterfaceResult {
  /** `node/iface`. */
  id: string;
  tx: DirectionStats;
  rx: DirectionStats;
  queueDepthMaxPackets: number;
}

export interface CoreResult {
  core: number;
  /** `own`: the node's vCPU / router or forwarder core; `helper`: a host thread serving it (vhost worker). */
  role?: 'own' | 'helper';
  utilization: number;
  nsByCategory: Record<CostCategory, number>;
}

export interface NodeResult {
  id: string;
  kind: string;
  memoryBytes: number;
  cores: CoreResult[];
}

export interface RunResult {
  schema: typeof RUN_RESULT_SCHEMA;
  scenario: string;
  profile: string;
  seed: number;
  simulatedNs: number;
  flows: FlowResult[];
  interfaces: InterfaceResult[];
  nodes: NodeResult[];
  checksum: { badDropped: number; acceptedCorrupt: number; verifiedInSoftware: number; trusted: number };
  /** Totals across the run, for quick comparison. */
  totals: {
    eventsPerSec: number;
    /** Frames (super-frames count once) that crossed a link. */
    packetHops: number;
    /** The same hops counted in MTU-sized wire segments (a 64 KiB super-frame counts ≈ 44). */
    segmentHops?: number;
  };
}

/** Host cores each node runs its own work on (vCPUs, router/forwarder cores): helper threads' cores excluded. */
export function ownCoresByNode(result: RunResult): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  // A helper thread's core (vhost) is shared with other nodes and would mark the wrong one.
  for (const n of result.nodes) out[n.id] = n.cores.filter((c) => c.role === 'own').map((c) => c.core);
  return out;
}
