/**
 * Conservative time-window coordination of partitions (one per host), after Chandy–Misra–Bryant with a
 * global lookahead: every message between partitions arrives at least `lookaheadNs` after it was sent,
 * so inside a window [start, start + lookahead) no partition can receive anything sent in the same window.
 * Each partition runs its window alone; at the boundary the messages are exchanged and inserted in one
 * fixed order (arrival time, link, source partition, sequence) — never in the order a transport produced
 * them — so a run's result does not depend on how many threads ran the partitions.
 */

/** A frame crossing from one partition to another. `seq` counts per source partition. */
export interface CrossMsg {
  arrivalNs: number;
  linkId: number;
  srcPartition: number;
  dstPartition: number;
  seq: number;
  payload: Uint8Array;
}

/** One partition's simulation as the coordinator drives it. */
export interface PartitionLp {
  /** Fire every local event with time < tNs. */
  runBefore(tNs: number): void;
  /** Fire every local event with time ≤ tNs (the run's last step) and set the clock to tNs. */
  runThrough(tNs: number): void;
  /** Time of the earliest pending local event, +Infinity when none. */
  nextEventNs(): number;
  /** Messages sent since the last call, in the order they were sent. */
  takeOutbound(): CrossMsg[];
  /** Schedule an incoming message; called in the coordinator's deterministic order. */
  deliver(msg: CrossMsg): void;
}

export class PartitionError extends Error {
  override readonly name = 'PartitionError';
}

/** Deterministic delivery order: independent of which transport or thread produced the messages. */
export function compareMsgs(a: CrossMsg, b: CrossMsg): number {
  return a.arrivalNs - b.arrivalNs || a.linkId - b.linkId || a.srcPartition - b.srcPartition || a.seq - b.seq;
}

export function deliverSorted(lp: PartitionLp, msgs: CrossMsg[]): void {
  msgs.sort(compareMsgs);
  for (const m of msgs) lp.deliver(m);
}

/**
 * What a partition announces at a window's end: the earliest time at which it can next cause anything —
 * its own next event, or the arrival of a message it just sent (to anyone).
 */
export function horizonNs(lp: PartitionLp, sent: readonly CrossMsg[]): number {
  let t = lp.nextEventNs();
  for (const m of sent) if (m.arrivalNs < t) t = m.arrivalNs;
  return t;
}

/**
 * The end of the next window: it starts at the earliest horizon (empty stretches are skipped) and lasts
 * one lookahead. Null when that would pass the run's end: then the last step runs through endNs, and
 * nothing sent in it can arrive by endNs. Every partition computes it from the same announced horizons.
 */
export function nextWindowEndNs(horizons: ArrayLike<number>, lookaheadNs: number, endNs: number): number | null {
  let start = Number.POSITIVE_INFINITY;
  for (let i = 0; i < horizons.length; i++) if (horizons[i] < start) start = horizons[i];
  const end = start + lookaheadNs;
  return end > endNs ? null : end;
}

export function checkLookahead(lookaheadNs: number): void {
  if (!(lookaheadNs > 0)) throw new PartitionError(`lookahead must be positive (the smallest cross-partition link delay), got ${lookaheadNs}`);
}

/**
 * Runs all partitions in this thread, window by window, until `endNs` (events at endNs included). The
 * reference for the threaded run: both use the same window sequence and the same delivery order.
 * Returns the number of windows run.
 */
export function runLockstep(lps: readonly PartitionLp[], lookaheadNs: number, endNs: number): number {
  checkLookahead(lookaheadNs);
  const n = lps.length;
  const horizons = new Float64Array(n);
  for (let i = 0; i < n; i++) horizons[i] = lps[i].nextEventNs();
  const inbox: CrossMsg[][] = lps.map(() => []);
  let windows = 0;
  for (;;) {
    const wEndNs = nextWindowEndNs(horizons, lookaheadNs, endNs);
    if (wEndNs === null) break;
    windows++;
    for (let i = 0; i < n; i++) {
      lps[i].runBefore(wEndNs);
      const out = lps[i].takeOutbound();
      for (const m of out) {
        if (m.arrivalNs < wEndNs) throw new PartitionError(`message on link ${m.linkId} arrives at ${m.arrivalNs}, inside its window (lookahead too large)`);
        inbox[m.dstPartition].push(m);
      }
      horizons[i] = horizonNs(lps[i], out);
    }
    for (let i = 0; i < n; i++) {
      deliverSorted(lps[i], inbox[i]);
      inbox[i] = [];
    }
  }
  for (const lp of lps) {
    lp.runThrough(endNs);
    lp.takeOutbound();
  }
  return windows + 1;
}
