/** A frame in flight: real bytes plus the skb metadata Linux keeps beside them. */
import type { Skb } from '../packet/skb';

export class Pkt {
  /** Where a queued packet goes next (backlog entries, router input). */
  port: unknown = null;
  /** Flow whose TSQ budget this packet holds until its first queue releases it (-1 = none). */
  tsqFlow = -1;
  tsqBytes = 0;
  /** Descriptors it fills in a guest RX ring (mergeable buffers: a 64 KiB frame takes 16). */
  ringDescs = 1;
  constructor(
    public frame: Uint8Array,
    public skb: Skb,
  ) {}

  get lengthBytes(): number {
    return this.frame.length;
  }

  /** Wire segments this packet stands for. */
  get segments(): number {
    return this.skb.gsoSize > 0 ? Math.max(1, this.skb.gsoSegs) : 1;
  }
}

/** Bounded FIFO ring of packets with a byte count and a high-water mark. */
export class PktQueue {
  private buf: (Pkt | null)[];
  private head = 0;
  length = 0;
  bytes = 0;
  maxDepth = 0;

  constructor(readonly capacity: number) {
    this.buf = new Array<Pkt | null>(Math.max(1, Math.min(capacity, 4096))).fill(null);
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  push(p: Pkt): boolean {
    if (this.length >= this.capacity) return false;
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) % this.buf.length] = p;
    this.length++;
    this.bytes += p.frame.length;
    if (this.length > this.maxDepth) this.maxDepth = this.length;
    return true;
  }

  peek(): Pkt | null {
    return this.length > 0 ? this.buf[this.head] : null;
  }

  shift(): Pkt | null {
    if (this.length === 0) return null;
    const p = this.buf[this.head] as Pkt;
    this.buf[this.head] = null;
    this.head = (this.head + 1) % this.buf.length;
    this.length--;
    this.bytes -= p.frame.length;
    return p;
  }

  private grow(): void {
    const n = this.buf.length * 2;
    const next = new Array<Pkt | null>(n).fill(null);
    for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }
}
