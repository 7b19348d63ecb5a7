/**
 * Single-producer single-consumer ring of fixed-size records, over a SharedArrayBuffer (or a plain
 * ArrayBuffer when the page is not cross-origin isolated; then one thread owns both ends and batches
 * move by transfer, see ./batch.ts).
 *
 * Byte layout (all integers little-endian as Int32Array/Uint32Array views see them):
 *
 *   off  size  field            owner     meaning
 *     0     4  magic            creator   0x474c524f ('ORLG')
 *     4     4  version          creator   RING_VERSION
 *     8     4  capacity         creator   records, a power of two
 *    12     4  recordBytes      creator   bytes per record, a multiple of 8
 *    64     4  writeIndex       producer  records ever published (uint32, wraps)
 *   128     4  readIndex        consumer  records ever consumed (uint32, wraps)
 *   192     4  dropped          producer  records refused because the ring was full (uint32)
 *   196     4  consumerWaiting  consumer  1 while the consumer sleeps in Atomics.wait on writeIndex
 *   200     4  closed           producer  1 once the producer will publish nothing more
 *   256     …  slots            both      capacity × recordBytes; slot i at 256 + (i & (capacity-1)) × recordBytes
 *
 * writeIndex and readIndex sit on separate 64-byte lines so the two threads do not share a cache line.
 * Threading contract: only the producer writes slots between readIndex+capacity and writeIndex and then
 * publishes writeIndex with Atomics.store (release); only the consumer reads slots below the writeIndex it
 * loaded with Atomics.load (acquire) and then publishes readIndex. A record is therefore never torn: it is
 * either wholly published or invisible. Publishing once per batch keeps the atomic traffic off the hot path.
 */

export const RING_MAGIC = 0x474c524f;
export const RING_VERSION = 1;
export const RING_HEADER_BYTES = 256;

const I_MAGIC = 0;
const I_VERSION = 1;
const I_CAPACITY = 2;
const I_RECORD_BYTES = 3;
const I_WRITE = 64 / 4;
const I_READ = 128 / 4;
const I_DROPPED = 192 / 4;
const I_WAITING = 196 / 4;
const I_CLOSED = 200 / 4;

export type RingBuffer = SharedArrayBuffer | ArrayBuffer;

export class RingLayoutError extends Error {
  override readonly name = 'RingLayoutError';
}

export function ringBytes(capacity: number, recordBytes: number): number {
  return RING_HEADER_BYTES + capacity * recordBytes;
}

/** Allocates and formats a ring. Shared when SharedArrayBuffer is usable, else a plain ArrayBuffer. */
export function createRing(capacity: number, recordBytes: number, shared = typeof SharedArrayBuffer !== 'undefined'): RingBuffer {
  if (!Number.isInteger(capacity) || capacity < 2 || (capacity & (capacity - 1)) !== 0 || capacity > 1 << 24) {
    throw new RingLayoutError(`capacity must be a power of two in [2, 2^24], got ${capacity}`);
  }
  if (!Number.isInteger(recordBytes) || recordBytes < 8 || recordBytes % 8 !== 0 || recordBytes > 1 << 20) {
    throw new RingLayoutError(`recordBytes must be a multiple of 8 in [8, 2^20], got ${recordBytes}`);
  }
  const bytes = ringBytes(capacity, recordBytes);
  const buf = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const h = new Int32Array(buf, 0, RING_HEADER_BYTES / 4);
  h[I_MAGIC] = RING_MAGIC;
  h[I_VERSION] = RING_VERSION;
  h[I_CAPACITY] = capacity;
  h[I_RECORD_BYTES] = recordBytes;
  return buf;
}

abstract class RingEnd {
  readonly capacity: number;
  readonly recordBytes: number;
  /** The slots as bytes; a record starts at slotOffset(i). */
  readonly bytes: Uint8Array;
  /** The slots as float64 (records are 8-byte aligned): record i's first value at slotOffset(i) / 8. */
  readonly f64: Float64Array;
  protected readonly h: Int32Array;
  protected readonly mask: number;

  constructor(readonly buffer: RingBuffer) {
    if (buffer.byteLength < RING_HEADER_BYTES) throw new RingLayoutError('buffer smaller than the ring header');
    this.h = new Int32Array(buffer, 0, RING_HEADER_BYTES / 4);
    if (this.h[I_MAGIC] !== RING_MAGIC || this.h[I_VERSION] !== RING_VERSION) throw new RingLayoutError('not a formatted ring (magic/version)');
    this.capacity = this.h[I_CAPACITY];
    this.recordBytes = this.h[I_RECORD_BYTES];
    if (buffer.byteLength !== ringBytes(this.capacity, this.recordBytes)) throw new RingLayoutError('buffer length does not match its header');
    this.mask = this.capacity - 1;
    this.bytes = new Uint8Array(buffer, RING_HEADER_BYTES);
    this.f64 = new Float64Array(buffer, RING_HEADER_BYTES);
  }

  /** Byte offset (into `bytes`) of the slot holding record number `index`. */
  slotOffset(index: number): number {
    return (index & this.mask) * this.recordBytes;
  }

  get dropped(): number {
    return Atomics.load(this.h, I_DROPPED) >>> 0;
  }

  get closed(): boolean {
    return Atomics.load(this.h, I_CLOSED) === 1;
  }

  /** Records published and not yet consumed, as this end sees it now. */
  size(): number {
    return (Atomics.load(this.h, I_WRITE) - Atomics.load(this.h, I_READ)) >>> 0;
  }
}

export class RingProducer extends RingEnd {
  private write: number;
  private published: number;
  private cachedRead: number;

  constructor(buffer: RingBuffer) {
    super(buffer);
    this.write = Atomics.load(this.h, I_WRITE) >>> 0;
    this.published = this.write;
    this.cachedRead = Atomics.load(this.h, I_READ) >>> 0;
  }

  /** Free slots, refreshing the consumer's index only when the cached one says full. */
  free(): number {
    let free = this.capacity - ((this.write - this.cachedRead) >>> 0);
    if (free === 0) {
      this.cachedRead = Atomics.load(this.h, I_READ) >>> 0;
      free = this.capacity - ((this.write - this.cachedRead) >>> 0);
    }
    return free;
  }

  /**
   * Claims the next slot and returns its byte offset into `bytes`, or -1 when full. The record becomes
   * visible to the consumer at the next publish().
   */
  claim(): number {
    if (this.free() === 0) return -1;
    const off = this.slotOffset(this.write);
    this.write = (this.write + 1) >>> 0;
    return off;
  }

  /** Copies a whole record in; false (and counted as dropped) when the ring is full. */
  push(record: Uint8Array): boolean {
    const off = this.claim();
    if (off < 0) {
      this.countDrop(1);
      return false;
    }
    this.bytes.set(record.length > this.recordBytes ? record.subarray(0, this.recordBytes) : record, off);
    return true;
  }

  /** Copies float64 values in as one record; false (and counted) when full. */
  pushF64(values: ArrayLike<number>): boolean {
    const off = this.claim();
    if (off < 0) {
      this.countDrop(1);
      return false;
    }
    const base = off / 8;
    const n = Math.min(values.length, this.recordBytes / 8);
    for (let i = 0; i < n; i++) this.f64[base + i] = values[i];
    return true;
  }

  countDrop(records: number): void {
    Atomics.add(this.h, I_DROPPED, records);
  }

  /** Makes every claimed record visible; wakes the consumer only on the empty → non-empty edge. */
  publish(): void {
    if (this.write === this.published) return;
    const before = this.published;
    Atomics.store(this.h, I_WRITE, this.write | 0);
    this.published = this.write;
    // consumerWaiting first: its line is written only when the consumer sleeps, whereas readIndex moves
    // with every drain, so loading it on each batch would pull a contended cache line across cores.
    if (Atomics.load(this.h, I_WAITING) === 1 && Atomics.load(this.h, I_READ) >>> 0 === before && isShared(this.buffer)) {
      Atomics.notify(this.h, I_WRITE);
    }
  }

  close(): void {
    this.publish();
    Atomics.store(this.h, I_CLOSED, 1);
    if (isShared(this.buffer)) Atomics.notify(this.h, I_WRITE);
  }
}

export class RingConsumer extends RingEnd {
  private read: number;

  constructor(buffer: RingBuffer) {
    super(buffer);
    this.read = Atomics.load(this.h, I_READ) >>> 0;
  }

  /**
   * Calls `visit(offset)` for up to `max` published records in order (offset into `bytes`; /8 into `f64`),
   * then releases their slots in one store. Returns how many were visited. The visitor must copy what it
   * keeps: the slot may be overwritten once this returns.
   */
  drain(visit: (offset: number, index: number) => void, max = Infinity): number {
    const write = Atomics.load(this.h, I_WRITE) >>> 0;
    const n = Math.min((write - this.read) >>> 0, max);
    for (let i = 0; i < n; i++) {
      const idx = (this.read + i) >>> 0;
      visit(this.slotOffset(idx), idx);
    }
    if (n > 0) {
      this.read = (this.read + n) >>> 0;
      Atomics.store(this.h, I_READ, this.read | 0);
    }
    return n;
  }

  /**
   * Blocks (worker threads only: Atomics.wait is not allowed on a browser's main thread) until at least
   * one record is published, the ring is closed, or `timeoutMs` passes. Returns the records available.
   */
  waitNonEmpty(timeoutMs: number): number {
    let avail = this.size();
    if (avail > 0 || this.closed) return avail;
    Atomics.store(this.h, I_WAITING, 1);
    const seen = Atomics.load(this.h, I_WRITE);
    if (((seen >>> 0) - this.read) >>> 0 === 0 && !this.closed) Atomics.wait(this.h, I_WRITE, seen, timeoutMs);
    Atomics.store(this.h, I_WAITING, 0);
    avail = this.size();
    return avail;
  }
}

function isShared(buf: RingBuffer): buf is SharedArrayBuffer {
  return typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer;
}
