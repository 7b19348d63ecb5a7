/**
 * Telemetry lives here, outside React and the store: a fixed-size history per metric channel, filled from
 * the metrics ring on animation frames and read by the charts on the same frames.
 */
import type { MetricChannel } from '../core/protocol';

export class MetricsHistory {
  readonly capacity: number;
  /** Virtual time of each kept sample, oldest first from `start`. */
  readonly tNs: Float64Array;
  /** One column per channel. */
  readonly values: Float64Array[];
  private start = 0;
  private count = 0;
  /** Samples ever received (the e2e suite and the status bar read it). */
  received = 0;
  /** Bumped on every change so readers can skip redrawing when nothing arrived. */
  version = 0;

  constructor(
    readonly channels: readonly MetricChannel[],
    capacity = 4096,
    /** Host cores each node's own work runs on, as the worker reported at load. */
    readonly nodeCores: ReadonlyMap<string, readonly number[]> = new Map(),
  ) {
    this.capacity = capacity;
    this.tNs = new Float64Array(capacity);
    this.values = channels.map(() => new Float64Array(capacity));
  }

  get length(): number {
    return this.count;
  }

  /** Appends one record laid out as the metrics ring's: [tNs, v0, v1, ...]. */
  push(record: Float64Array, offset: number): void {
    const slot = (this.start + this.count) % this.capacity;
    this.tNs[slot] = record[offset];
    for (let c = 0; c < this.values.length; c++) this.values[c][slot] = record[offset + 1 + c];
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
    this.received++;
    this.version++;
  }

  /** Index i (0 = oldest kept) → slot in the arrays. */
  slot(i: number): number {
    return (this.start + i) % this.capacity;
  }

  latest(channel: number): number | undefined {
    if (this.count === 0) return undefined;
    return this.values[channel][this.slot(this.count - 1)];
  }

  latestTimeNs(): number {
    return this.count === 0 ? 0 : this.tNs[this.slot(this.count - 1)];
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
    this.version++;
  }
}
