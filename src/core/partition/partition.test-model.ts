// Test-only model for the partition coordinator: hosts in a ring, each a FIFO server with its own RNG
// stream, packets hopping host → next host over links with a propagation delay. Local events fall on even
// nanoseconds and link delays are odd, so an arrival never ties with a local event and a single global
// queue (the reference) orders everything exactly as the partitioned run must.
import { EventQueue, type EventTarget } from '../sim/eventQueue';
import { Rng } from '../rng';
import type { CrossMsg, PartitionLp } from './coordinator';

const EV_GENERATE = 0;
const EV_DONE = 1;
const EV_ARRIVAL_BASE = 2;

export interface ModelHostResult {
  host: number;
  digest: number;
  processed: number;
  delivered: number;
  sent: number;
  received: number;
  nowNs: number;
}

export interface RingModelConfig {
  hosts: number;
  seed: number;
  /** linkDelaysNs[h]: host h → host (h+1) % hosts; odd values. */
  linkDelaysNs: number[];
}

export class ModelHost implements PartitionLp, EventTarget {
  private readonly rng: Rng;
  private readonly fifo: Array<{ id: number; hops: number }> = [];
  private busy = false;
  private current: { id: number; hops: number } | null = null;
  private genCount = 0;
  private seq = 0;
  private outbound: CrossMsg[] = [];
  private readonly arrivals = new Map<number, CrossMsg>();
  private nextArrivalArg = EV_ARRIVAL_BASE;
  private digest = 0x811c9dc5;
  private processed = 0;
  private delivered = 0;
  private sent = 0;
  private received = 0;
  /** Set for the global-queue reference run: deliver straight to the peer instead of queueing outbound. */
  direct: ((msg: CrossMsg) => void) | null = null;

  constructor(
    readonly host: number,
    private readonly cfg: RingModelConfig,
    private readonly q: EventQueue = new EventQueue(256),
  ) {
    this.rng = new Rng((cfg.seed * 7919 + host * 104729) >>> 0);
    q.push(2 * (1 + this.rng.int(50)), this, EV_GENERATE);
  }

  onEvent(nowNs: number, arg: number): void {
    if (arg === EV_GENERATE) {
      this.fifo.push({ id: this.host * 1_000_000 + this.genCount++, hops: 1 + this.rng.int(5) });
      this.q.push(nowNs + 2 * (1 + this.rng.int(400)), this, EV_GENERATE);
      this.maybeStart(nowNs);
      return;
    }
    if (arg === EV_DONE) {
      const p = this.current as { id: number; hops: number };
      this.current = null;
      this.busy = false;
      this.processed++;
      this.mix(nowNs);
      this.mix(p.id);
      this.mix(p.hops);
      if (p.hops > 1) this.send(nowNs, p.id, p.hops - 1);
      else this.delivered++;
      this.maybeStart(nowNs);
      return;
    }
    const m = this.arrivals.get(arg) as CrossMsg;
    this.arrivals.delete(arg);
    const dv = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
    this.received++;
    this.fifo.push({ id: dv.getFloat64(0, true), hops: dv.getFloat64(8, true) });
    this.maybeStart(nowNs);
  }

  private maybeStart(nowNs: number): void {
    if (this.busy || this.fifo.length === 0) return;
    this.busy = true;
    this.current = this.fifo.shift() as { id: number; hops: number };
    // Completion on an even nanosecond (arrivals are odd): +1 from an arrival, +2k otherwise.
    const start = nowNs % 2 === 0 ? nowNs : nowNs + 1;
    this.q.push(start + 2 * (1 + this.rng.int(120)), this, EV_DONE);
  }

  private send(nowNs: number, id: number, hops: number): void {
    const payload = new Uint8Array(16);
    const dv = new DataView(payload.buffer);
    dv.setFloat64(0, id, true);
    dv.setFloat64(8, hops, true);
    const msg: CrossMsg = {
      arrivalNs: nowNs + this.cfg.linkDelaysNs[this.host],
      linkId: this.host,
      srcPartition: this.host,
      dstPartition: (this.host + 1) % this.cfg.hosts,
      seq: this.seq++,
      payload,
    };
    this.sent++;
    if (this.direct !== null) this.direct(msg);
    else this.outbound.push(msg);
  }

  private mix(x: number): void {
    this.digest = Math.imul(this.digest ^ (x >>> 0), 0x01000193) >>> 0;
    this.digest = Math.imul(this.digest ^ Math.floor(x / 4294967296), 0x01000193) >>> 0;
  }

  runBefore(tNs: number): void {
    while (this.q.peekTimeNs() < tNs) this.q.popAndFire();
  }

  runThrough(tNs: number): void {
    while (this.q.peekTimeNs() <= tNs) this.q.popAndFire();
    if (tNs > this.q.nowNs) this.q.nowNs = tNs;
  }

  nextEventNs(): number {
    return this.q.peekTimeNs();
  }

  takeOutbound(): CrossMsg[] {
    const out = this.outbound;
    this.outbound = [];
    return out;
  }

  deliver(msg: CrossMsg): void {
    const arg = this.nextArrivalArg++;
    this.arrivals.set(arg, msg);
    this.q.push(msg.arrivalNs, this, arg);
  }

  result(): ModelHostResult {
    return { host: this.host, digest: this.digest, processed: this.processed, delivered: this.delivered, sent: this.sent, received: this.received, nowNs: this.q.nowNs };
  }
}

export function lookaheadOf(cfg: RingModelConfig): number {
  return Math.min(...cfg.linkDelaysNs);
}

/** The reference: every host on one shared event queue, arrivals scheduled the moment they are sent. */
export function runGlobalReference(cfg: RingModelConfig, endNs: number): ModelHostResult[] {
  const q = new EventQueue(1024);
  const hosts: ModelHost[] = [];
  for (let h = 0; h < cfg.hosts; h++) hosts.push(new ModelHost(h, cfg, q));
  for (const h of hosts) h.direct = (m) => hosts[m.dstPartition].deliver(m);
  while (q.peekTimeNs() <= endNs) q.popAndFire();
  if (endNs > q.nowNs) q.nowNs = endNs;
  return hosts.map((h) => h.result());
}
