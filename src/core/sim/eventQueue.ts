/**
 * Binary min-heap of timed events ordered by (time, insertion sequence): two events at the same virtual
 * nanosecond fire in the order they were scheduled, so a run is deterministic on every platform.
 * Entries live in parallel typed arrays (no per-event allocation once the heap has grown).
 */

/** Anything that can receive an event: the engine never allocates closures per event. */
export interface EventTarget {
  onEvent(nowNs: number, arg: number): void;
}

export class EventQueue {
  private timeNs: Float64Array;
  private seq: Float64Array;
  private arg: Float64Array;
  private target: EventTarget[];
  private count = 0;
  private nextSeq = 0;
  /** Virtual clock: the time of the event being fired (or of the last one fired). */
  nowNs = 0;
  /** A partition's filter: events for targets owned by another partition are not scheduled here. */
  admit: ((target: EventTarget, arg: number) => boolean) | null = null;

  constructor(initialCapacity = 1024) {
    this.timeNs = new Float64Array(initialCapacity);
    this.seq = new Float64Array(initialCapacity);
    this.arg = new Float64Array(initialCapacity);
    this.target = new Array<EventTarget>(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  /** Time of the earliest event, or +Infinity when empty. */
  peekTimeNs(): number {
    return this.count > 0 ? this.timeNs[0] : Number.POSITIVE_INFINITY;
  }

  /** Schedule at `timeNs`, rounded to a whole nanosecond: virtual time is integer ns everywhere. */
  push(timeNs: number, target: EventTarget, arg = 0): void {
    this.pushKeyed(timeNs, target, arg, this.nextSeq++);
  }

  /**
   * Schedule with an explicit tie-break key instead of the insertion sequence. Negative keys fire before
   * every ordinarily pushed event at the same time: wire arrivals use them so their order does not depend on
   * when they were inserted (a partitioned run inserts them at a window boundary).
   */
  pushKeyed(timeNs: number, target: EventTarget, arg: number, s: number): void {
    if (this.admit !== null && !this.admit(target, arg)) return;
    timeNs = Math.round(timeNs);
    if (this.count === this.timeNs.length) this.grow();
    let i = this.count++;
    // Sift up with a hole instead of swaps.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.timeNs[p];
      if (pt < timeNs || (pt === timeNs && this.seq[p] < s)) break;
      this.timeNs[i] = pt;
      this.seq[i] = this.seq[p];
      this.arg[i] = this.arg[p];
      this.target[i] = this.target[p];
      i = p;
    }
    this.timeNs[i] = timeNs;
    this.seq[i] = s;
    this.arg[i] = arg;
    this.target[i] = target;
  }

  /** Remove the earliest event and fire it. Returns false when the queue is empty. */
  popAndFire(): boolean {
    if (this.count === 0) return false;
    const t = this.timeNs[0];
    const target = this.target[0];
    const a = this.arg[0];
    const last = --this.count;
    if (last > 0) {
      const lt = this.timeNs[last];
      const ls = this.seq[last];
      const la = this.arg[last];
      const lg = this.target[last];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= last) break;
        const r = c + 1;
        if (r < last && (this.timeNs[r] < this.timeNs[c] || (this.timeNs[r] === this.timeNs[c] && this.seq[r] < this.seq[c]))) c = r;
        const ct = this.timeNs[c];
        if (lt < ct || (lt === ct && ls < this.seq[c])) break;
        this.timeNs[i] = ct;
        this.seq[i] = this.seq[c];
        this.arg[i] = this.arg[c];
        this.target[i] = this.target[c];
        i = c;
      }
      this.timeNs[i] = lt;
      this.seq[i] = ls;
      this.arg[i] = la;
      this.target[i] = lg;
    }
    this.target[last] = undefined as unknown as EventTarget;
    this.nowNs = t;
    target.onEvent(t, a);
    return true;
  }

  private grow(): void {
    const n = this.timeNs.length * 2;
    const t = new Float64Array(n);
    t.set(this.timeNs);
    const s = new Float64Array(n);
    s.set(this.seq);
    const a = new Float64Array(n);
    a.set(this.arg);
    this.timeNs = t;
    this.seq = s;
    this.arg = a;
    this.target.length = n;
  }
}
