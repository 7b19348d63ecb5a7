/**
 * Fixed-size metric storage: one Float64Array of monotonic counters (samples are deltas between reads)
 * and a log-bucketed latency histogram. Nothing grows with the length of a run.
 */

export class Counters {
  values = new Float64Array(256);
  private used = 0;

  /** Reserve `n` consecutive counters; returns the first index. */
  alloc(n: number): number {
    const base = this.used;
    this.used += n;
    if (this.used > this.values.length) {
      const next = new Float64Array(Math.max(this.used, this.values.length * 2));
      next.set(this.values);
      this.values = next;
    }
    return base;
  }

  get size(): number {
    return this.used;
  }
}

/** Sub-buckets per power of two: relative resolution ≈ 2^(1/8) − 1 ≈ 9%. */
const SUB_BUCKETS = 8;
const BUCKETS = 64 * SUB_BUCKETS;

export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sumNs = 0;
  maxNs = 0;

  record(ns: number): void {
    const v = ns < 1 ? 1 : ns;
    let b = Math.floor(Math.log2(v) * SUB_BUCKETS);
    if (b >= BUCKETS) b = BUCKETS - 1;
    this.counts[b]++;
    this.count++;
    this.sumNs += ns;
    if (ns > this.maxNs) this.maxNs = ns;
  }

  /** Value at quantile q (0..1): the geometric middle of the bucket holding it, capped at the max seen. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b];
      if (seen >= target) return Math.min(this.maxNs, Math.round(2 ** ((b + 0.5) / SUB_BUCKETS)));
    }
    return this.maxNs;
  }

  get meanNs(): number {
    return this.count === 0 ? 0 : this.sumNs / this.count;
  }
}
