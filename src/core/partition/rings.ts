/**
 * Partitions in separate threads, exchanging cross-partition frames over SharedArrayBuffer SPSC rings
 * (./spsc.ts): one ring per ordered pair of partitions. Each partition runs the same window sequence as
 * runLockstep: announce a horizon, collect every peer's messages up to its window marker, deliver them in
 * the deterministic order, run the next window.
 *
 * Record layout (fixed size, 8-byte aligned; float64 fields as Float64Array sees them):
 *
 *   off  size  field        meaning
 *     0     8  kind         1 = message, 2 = window marker
 *     8     8  timeNs       message: arrival time; marker: the sender's horizon
 *    16     8  linkId       message: link id; marker: round number
 *    24     8  seq          message: per-source sequence
 *    32     8  lengthBytes  message: payload length
 *    40     8  reserved
 *    48     …  payload      lengthBytes ≤ maxPayloadBytes
 *
 * A partition that finds an outbound ring full drains its inbound rings into local queues while it waits,
 * so two partitions sending to each other cannot deadlock.
 */
import { createRing, RingConsumer, RingProducer } from '../ring/spsc';
import { checkLookahead, deliverSorted, horizonNs, nextWindowEndNs, PartitionError, type CrossMsg, type PartitionLp } from './coordinator';

const KIND_MSG = 1;
const KIND_MARKER = 2;
const RECORD_HEADER_BYTES = 48;

export function recordBytesFor(maxPayloadBytes: number): number {
  return RECORD_HEADER_BYTES + Math.ceil(maxPayloadBytes / 8) * 8;
}

/** buffers[src][dst]: the ring src → dst (null on the diagonal). */
export type RingMatrix = (SharedArrayBuffer | null)[][];

export function createRingMatrix(partitions: number, capacityRecords: number, maxPayloadBytes: number): RingMatrix {
  const m: RingMatrix = [];
  for (let s = 0; s < partitions; s++) {
    const row: (SharedArrayBuffer | null)[] = [];
    for (let d = 0; d < partitions; d++) row.push(s === d ? null : (createRing(capacityRecords, recordBytesFor(maxPayloadBytes), true) as SharedArrayBuffer));
    m.push(row);
  }
  return m;
}

type Item = { kind: 'msg'; msg: CrossMsg } | { kind: 'marker'; horizonNs: number; round: number };

export interface RingRunStats {
  windows: number;
  messagesSent: number;
  messagesReceived: number;
  fullWaits: number;
}

/** Wait granularity and the give-up bound (a peer that died or hangs must not block a worker forever). */
const WAIT_MS = 1;
const MAX_IDLE_WAITS = 60_000;

export class RingPartitionRunner {
  private readonly out: (RingProducer | null)[];
  private readonly inn: (RingConsumer | null)[];
  private readonly queues: Item[][];
  private readonly maxPayloadBytes: number;
  private readonly sleepCell = new Int32Array(new SharedArrayBuffer(4));
  readonly stats: RingRunStats = { windows: 0, messagesSent: 0, messagesReceived: 0, fullWaits: 0 };

  constructor(
    private readonly self: number,
    rings: RingMatrix,
  ) {
    const n = rings.length;
    this.out = rings[self].map((b) => (b === null ? null : new RingProducer(b)));
    this.inn = rings.map((row) => (row[self] === null ? null : new RingConsumer(row[self] as SharedArrayBuffer)));
    this.queues = rings.map(() => []);
    const any = this.out.find((p) => p !== null);
    this.maxPayloadBytes = any ? any.recordBytes - RECORD_HEADER_BYTES : 0;
    if (n < 1 || rings.some((r) => r.length !== n)) throw new PartitionError('ring matrix must be square');
  }

  /** Runs this partition to endNs in lockstep with its peers (each in its own thread). */
  run(lp: PartitionLp, lookaheadNs: number, endNs: number): RingRunStats {
    checkLookahead(lookaheadNs);
    const n = this.out.length;
    const horizons = new Float64Array(n);
    let own = lp.nextEventNs();
    for (let round = 0; ; round++) {
      for (let d = 0; d < n; d++) if (d !== this.self) this.send(d, KIND_MARKER, own, round, 0, null);
      for (let d = 0; d < n; d++) this.out[d]?.publish();
      horizons[this.self] = own;
      const inbox: CrossMsg[] = [];
      for (let s = 0; s < n; s++) if (s !== this.self) horizons[s] = this.collect(s, round, inbox);
      this.stats.messagesReceived += inbox.length;
      deliverSorted(lp, inbox);
      const wEndNs = nextWindowEndNs(horizons, lookaheadNs, endNs);
      if (wEndNs === null) break;
      this.stats.windows++;
      lp.runBefore(wEndNs);
      const sent = lp.takeOutbound();
      for (const m of sent) {
        if (m.arrivalNs < wEndNs) throw new PartitionError(`message on link ${m.linkId} arrives at ${m.arrivalNs}, inside its window (lookahead too large)`);
        if (m.dstPartition === this.self || this.out[m.dstPartition] == null) throw new PartitionError(`message on link ${m.linkId} addressed to partition ${m.dstPartition}`);
        this.send(m.dstPartition, KIND_MSG, m.arrivalNs, m.linkId, m.seq, m.payload);
      }
      this.stats.messagesSent += sent.length;
      own = horizonNs(lp, sent);
    }
    lp.runThrough(endNs);
    lp.takeOutbound();
    this.stats.windows++;
    for (const p of this.out) p?.close();
    return this.stats;
  }

  private send(dst: number, kind: number, timeNs: number, a: number, seq: number, payload: Uint8Array | null): void {
    const p = this.out[dst] as RingProducer;
    const len = payload === null ? 0 : payload.length;
    if (len > this.maxPayloadBytes) throw new PartitionError(`frame of ${len} bytes exceeds the ring's ${this.maxPayloadBytes}-byte records`);
    let off = p.claim();
    let idle = 0;
    while (off < 0) {
      // Full: make the claimed records visible, and keep our own inbound moving so the peer can progress.
      p.publish();
      this.stats.fullWaits++;
      if (this.pumpAll() === 0) {
        Atomics.wait(this.sleepCell, 0, 0, 0.05);
        if (++idle > MAX_IDLE_WAITS * 20) throw new PartitionError(`ring ${this.self} → ${dst} stayed full`);
      }
      off = p.claim();
    }
    const f = off / 8;
    p.f64[f] = kind;
    p.f64[f + 1] = timeNs;
    p.f64[f + 2] = a;
    p.f64[f + 3] = seq;
    p.f64[f + 4] = len;
    if (payload !== null) p.bytes.set(payload, off + RECORD_HEADER_BYTES);
  }

  /** Moves everything published on every inbound ring into the local queues; returns records moved. */
  private pumpAll(): number {
    let moved = 0;
    for (let s = 0; s < this.inn.length; s++) moved += this.pump(s);
    return moved;
  }

  private pump(src: number): number {
    const c = this.inn[src];
    if (c === null) return 0;
    const q = this.queues[src];
    return c.drain((off) => {
      const f = off / 8;
      const kind = c.f64[f];
      if (kind === KIND_MARKER) {
        q.push({ kind: 'marker', horizonNs: c.f64[f + 1], round: c.f64[f + 2] });
        return;
      }
      const len = c.f64[f + 4];
      const payload = c.bytes.slice(off + RECORD_HEADER_BYTES, off + RECORD_HEADER_BYTES + len);
      q.push({ kind: 'msg', msg: { arrivalNs: c.f64[f + 1], linkId: c.f64[f + 2], seq: c.f64[f + 3], srcPartition: src, dstPartition: this.self, payload } });
    });
  }

  /** Takes src's messages up to its marker for `round` into inbox; returns the announced horizon. */
  private collect(src: number, round: number, inbox: CrossMsg[]): number {
    const q = this.queues[src];
    let idle = 0;
    for (;;) {
      while (q.length > 0) {
        const it = q.shift() as Item;
        if (it.kind === 'msg') {
          inbox.push(it.msg);
          continue;
        }
        if (it.round !== round) throw new PartitionError(`partition ${src} sent the marker of round ${it.round} during round ${round}`);
        return it.horizonNs;
      }
      if (this.pump(src) > 0) continue;
      const c = this.inn[src] as RingConsumer;
      if (c.closed && c.size() === 0) throw new PartitionError(`partition ${src} closed its ring before round ${round} ended`);
      // Other peers may be blocked on a full ring towards us: keep them moving.
      if (this.pumpAll() > 0) continue;
      if (c.waitNonEmpty(WAIT_MS) === 0 && ++idle > MAX_IDLE_WAITS) throw new PartitionError(`partition ${src} sent nothing for ${(MAX_IDLE_WAITS * WAIT_MS) / 1000} s`);
    }
  }
}
