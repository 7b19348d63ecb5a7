/**
 * Capture ring for the packet inspector: frame bytes stay in a shared pool, only fixed-size descriptors move
 * through an SPSC ring (./spsc.ts). One producer (the engine's capture hook) and one consumer (the page).
 *
 * Two buffers: `descriptors` is a ./spsc ring of DESCRIPTOR_BYTES records; `pool` is a byte ring.
 *
 * Pool byte layout (little-endian, as Uint32Array views see it):
 *
 *   off  size  field            owner     meaning
 *     0     4  magic            creator   0x504c524f ('ORLP')
 *     4     4  version          creator   POOL_VERSION
 *     8     4  dataBytes        creator   size of the data area, a power of two
 *    64     4  readCursor       consumer  pool bytes ever released (uint32, wraps)
 *   128     4  droppedPoolFull  producer  frames dropped because their bytes did not fit in the pool
 *   132     4  droppedRingFull  producer  frames dropped because the descriptor ring was full
 *   136     4  offered          producer  frames ever offered to capture() (uint32)
 *   192     …  data             both      dataBytes; a frame's bytes are contiguous, never split at the end
 *
 * Descriptor record (48 bytes, 8-byte aligned slot; field offsets from the slot start):
 *
 *   off  size  type  field
 *     0     8  f64   tNs              virtual time of the capture
 *     8     4  u32   poolOffset       where the captured bytes start in the pool's data area
 *    12     4  u32   lengthBytes      captured bytes (≤ snapLen)
 *    16     4  u32   origLengthBytes  the frame's full length
 *    20     4  u32   poolEnd          pool cursor after this frame: the consumer releases up to it
 *    24     4  u32   csumStart        skb->csum_start (bytes from the frame start)
 *    28     4  u32   gsoType          skb_shinfo->gso_type bits
 *    32     4  u32   gsoSize          skb_shinfo->gso_size
 *    36     2  u16   csumOffset       skb->csum_offset
 *    38     2  u16   gsoSegs          skb_shinfo->gso_segs
 *    40     2  u16   capturePoint     index into the run's list of capture points
 *    42     1  u8    ipSummed         CHECKSUM_NONE/UNNECESSARY/COMPLETE/PARTIAL (IpSummed values)
 *    43     1  u8    flags            FRAME_FLAG_* bits
 *    44     4  u32   frameNo          offered-frame number, so the consumer sees gaps left by drops
 *
 * Allocation: the producer takes `lengthBytes` contiguous bytes at its cursor, skipping the tail of the data
 * area when the frame would straddle the end. Frames are consumed in order, so releasing is one store of the
 * last frame's poolEnd. When either the pool or the descriptor ring lacks room, the whole frame is dropped and
 * counted: nothing is written, so no frame is ever torn. Descriptors become visible at flush() (one
 * write-index store per batch); the bytes written before it are published by the same store.
 */
import { RingConsumer, RingLayoutError, RingProducer, createRing, type RingBuffer } from './spsc';

export const POOL_MAGIC = 0x504c524f;
export const POOL_VERSION = 1;
export const POOL_HEADER_BYTES = 192;
export const DESCRIPTOR_BYTES = 48;

/** Set by capture() when lengthBytes < origLengthBytes (snap length). */
export const FRAME_FLAG_TRUNCATED = 1 << 0;
/** Caller-defined: the frame was captured on transmit (else receive). */
export const FRAME_FLAG_TX = 1 << 1;

const P_MAGIC = 0;
const P_VERSION = 1;
const P_DATA_BYTES = 2;
const P_READ = 64 / 4;
const P_DROPPED_POOL = 128 / 4;
const P_DROPPED_RING = 132 / 4;
const P_OFFERED = 136 / 4;

// Descriptor field indices into the f64/u32/u16/u8 views, relative to the slot's index in that view.
const D_T = 0; // f64
const D_POOL_OFFSET = 2; // u32
const D_LENGTH = 3;
const D_ORIG_LENGTH = 4;
const D_POOL_END = 5;
const D_CSUM_START = 6;
const D_GSO_TYPE = 7;
const D_GSO_SIZE = 8;
const D_CSUM_OFFSET = 18; // u16
const D_GSO_SEGS = 19;
const D_CAPTURE_POINT = 20;
const D_IP_SUMMED = 42; // u8
const D_FLAGS = 43;
const D_FRAME_NO = 11; // u32

/** The skb fields a capture records (an Skb satisfies it). */
export interface FrameMeta {
  ipSummed: number;
  csumStart: number;
  csumOffset: number;
  gsoSize: number;
  gsoType: number;
  gsoSegs: number;
}

export interface CaptureBuffers {
  descriptors: RingBuffer;
  pool: RingBuffer;
}

export interface CaptureStats {
  /** Frames offered to capture(), as of the last flush(). */
  offered: number;
  droppedPoolFull: number;
  droppedRingFull: number;
}

/** Allocates a capture ring: `descriptorCapacity` frames in flight (a power of two), `poolDataBytes` of frame bytes (a power of two). */
export function createCaptureRing(descriptorCapacity: number, poolDataBytes: number, shared = typeof SharedArrayBuffer !== 'undefined'): CaptureBuffers {
  if (!Number.isInteger(poolDataBytes) || poolDataBytes < 1024 || (poolDataBytes & (poolDataBytes - 1)) !== 0 || poolDataBytes > 2 ** 30) {
    throw new RingLayoutError(`pool size must be a power of two in [1 KiB, 1 GiB], got ${poolDataBytes}`);
  }
  const descriptors = createRing(descriptorCapacity, DESCRIPTOR_BYTES, shared);
  const bytes = POOL_HEADER_BYTES + poolDataBytes;
  const pool = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const h = new Uint32Array(pool, 0, POOL_HEADER_BYTES / 4);
  h[P_MAGIC] = POOL_MAGIC;
  h[P_VERSION] = POOL_VERSION;
  h[P_DATA_BYTES] = poolDataBytes;
  return { descriptors, pool };
}

abstract class CaptureEnd {
  /** The pool's data area: a frame's bytes are data[poolOffset, poolOffset + lengthBytes). */
  readonly data: Uint8Array;
  readonly dataBytes: number;
  protected readonly ph: Int32Array;
  protected readonly u32: Uint32Array;
  protected readonly u16: Uint16Array;
  protected readonly f64: Float64Array;
  protected readonly u8: Uint8Array;

  constructor(
    protected readonly ring: RingProducer | RingConsumer,
    pool: RingBuffer,
  ) {
    if (ring.recordBytes !== DESCRIPTOR_BYTES) throw new RingLayoutError(`descriptor records must be ${DESCRIPTOR_BYTES} B, got ${ring.recordBytes}`);
    if (pool.byteLength < POOL_HEADER_BYTES) throw new RingLayoutError('buffer smaller than the pool header');
    this.ph = new Int32Array(pool, 0, POOL_HEADER_BYTES / 4);
    if (this.ph[P_MAGIC] !== POOL_MAGIC || this.ph[P_VERSION] !== POOL_VERSION) throw new RingLayoutError('not a formatted capture pool (magic/version)');
    this.dataBytes = this.ph[P_DATA_BYTES];
    if (pool.byteLength !== POOL_HEADER_BYTES + this.dataBytes) throw new RingLayoutError('pool length does not match its header');
    this.data = new Uint8Array(pool, POOL_HEADER_BYTES);
    const slots = ring.bytes;
    this.u8 = slots;
    this.u32 = new Uint32Array(slots.buffer, slots.byteOffset, slots.byteLength >>> 2);
    this.u16 = new Uint16Array(slots.buffer, slots.byteOffset, slots.byteLength >>> 1);
    this.f64 = ring.f64;
  }

  stats(): CaptureStats {
    return {
      offered: Atomics.load(this.ph, P_OFFERED) >>> 0,
      droppedPoolFull: Atomics.load(this.ph, P_DROPPED_POOL) >>> 0,
      droppedRingFull: Atomics.load(this.ph, P_DROPPED_RING) >>> 0,
    };
  }

  get closed(): boolean {
    return this.ring.closed;
  }
}

export class CaptureProducer extends CaptureEnd {
  /** Bytes kept per frame; longer frames are truncated and flagged. */
  readonly snapLenBytes: number;
  private readonly producer: RingProducer;
  private writeCursor: number;
  private cachedRead: number;
  private offered: number;

  constructor(buffers: CaptureBuffers, snapLenBytes = 65_536) {
    const producer = new RingProducer(buffers.descriptors);
    super(producer, buffers.pool);
    this.producer = producer;
    if (!Number.isInteger(snapLenBytes) || snapLenBytes < 0) throw new RingLayoutError(`snap length must be a non-negative integer, got ${snapLenBytes}`);
    this.snapLenBytes = Math.min(snapLenBytes, this.dataBytes);
    // The pool cursor is the producer's own, so a new producer can only start on a drained ring.
    if (producer.size() > 0) throw new RingLayoutError('a capture producer must start on an empty ring');
    this.cachedRead = Atomics.load(this.ph, P_READ) >>> 0;
    this.writeCursor = this.cachedRead;
    this.offered = Atomics.load(this.ph, P_OFFERED) >>> 0;
  }

  /**
   * Copies `frame` (up to the snap length) into the pool and queues its descriptor; false when the pool or
   * the descriptor ring is full (the frame is dropped whole and counted). Visible to the consumer at flush().
   */
  capture(tNs: number, capturePoint: number, frame: Uint8Array, meta: FrameMeta, flags = 0): boolean {
    const frameNo = this.offered;
    this.offered = (this.offered + 1) >>> 0;
    const origLength = frame.length;
    const length = origLength > this.snapLenBytes ? this.snapLenBytes : origLength;
    if (this.producer.free() === 0) {
      Atomics.add(this.ph, P_DROPPED_RING, 1);
      this.producer.countDrop(1);
      return false;
    }
    const size = this.dataBytes;
    const pos = this.writeCursor & (size - 1);
    const straddles = pos + length > size;
    const need = straddles ? size - pos + length : length;
    if (need > size - ((this.writeCursor - this.cachedRead) >>> 0)) {
      this.cachedRead = Atomics.load(this.ph, P_READ) >>> 0;
      if (need > size - ((this.writeCursor - this.cachedRead) >>> 0)) {
        Atomics.add(this.ph, P_DROPPED_POOL, 1);
        this.producer.countDrop(1);
        return false;
      }
    }
    const poolOffset = straddles ? 0 : pos;
    this.data.set(length === origLength ? frame : frame.subarray(0, length), poolOffset);
    this.writeCursor = (this.writeCursor + need) >>> 0;

    const off = this.producer.claim();
    const w = off >>> 2;
    const h = off >>> 1;
    this.f64[(off >>> 3) + D_T] = tNs;
    this.u32[w + D_POOL_OFFSET] = poolOffset;
    this.u32[w + D_LENGTH] = length;
    this.u32[w + D_ORIG_LENGTH] = origLength;
    this.u32[w + D_POOL_END] = this.writeCursor;
    this.u32[w + D_CSUM_START] = meta.csumStart;
    this.u32[w + D_GSO_TYPE] = meta.gsoType;
    this.u32[w + D_GSO_SIZE] = meta.gsoSize;
    this.u32[w + D_FRAME_NO] = frameNo;
    this.u16[h + D_CSUM_OFFSET] = meta.csumOffset;
    this.u16[h + D_GSO_SEGS] = meta.gsoSegs;
    this.u16[h + D_CAPTURE_POINT] = capturePoint;
    this.u8[off + D_IP_SUMMED] = meta.ipSummed;
    this.u8[off + D_FLAGS] = (flags & ~FRAME_FLAG_TRUNCATED) | (length < origLength ? FRAME_FLAG_TRUNCATED : 0);
    return true;
  }

  /** Publishes every captured frame so far (one store), waking a sleeping consumer on empty → non-empty. */
  flush(): void {
    Atomics.store(this.ph, P_OFFERED, this.offered | 0);
    this.producer.publish();
  }

  close(): void {
    Atomics.store(this.ph, P_OFFERED, this.offered | 0);
    this.producer.close();
  }
}

/** One drained frame; the consumer reuses this object for every frame, so copy what you keep. */
export interface CapturedFrame {
  tNs: number;
  capturePoint: number;
  /** The pool's data area; the captured bytes are data[poolOffset, poolOffset + lengthBytes). */
  data: Uint8Array;
  poolOffset: number;
  lengthBytes: number;
  origLengthBytes: number;
  ipSummed: number;
  csumStart: number;
  csumOffset: number;
  gsoSize: number;
  gsoType: number;
  gsoSegs: number;
  flags: number;
  frameNo: number;
}

export class CaptureConsumer extends CaptureEnd {
  private readonly consumer: RingConsumer;
  private readonly frame: CapturedFrame;
  private readonly visitSlot: (off: number) => void;
  private visitor: ((frame: CapturedFrame) => void) | null = null;
  private releaseTo = 0;

  constructor(buffers: CaptureBuffers) {
    const consumer = new RingConsumer(buffers.descriptors);
    super(consumer, buffers.pool);
    this.consumer = consumer;
    this.frame = {
      tNs: 0,
      capturePoint: 0,
      data: this.data,
      poolOffset: 0,
      lengthBytes: 0,
      origLengthBytes: 0,
      ipSummed: 0,
      csumStart: 0,
      csumOffset: 0,
      gsoSize: 0,
      gsoType: 0,
      gsoSegs: 0,
      flags: 0,
      frameNo: 0,
    };
    this.visitSlot = (off: number) => {
      const f = this.frame;
      const w = off >>> 2;
      const h = off >>> 1;
      f.tNs = this.f64[(off >>> 3) + D_T];
      f.poolOffset = this.u32[w + D_POOL_OFFSET];
      f.lengthBytes = this.u32[w + D_LENGTH];
      f.origLengthBytes = this.u32[w + D_ORIG_LENGTH];
      f.csumStart = this.u32[w + D_CSUM_START];
      f.gsoType = this.u32[w + D_GSO_TYPE];
      f.gsoSize = this.u32[w + D_GSO_SIZE];
      f.frameNo = this.u32[w + D_FRAME_NO];
      f.csumOffset = this.u16[h + D_CSUM_OFFSET];
      f.gsoSegs = this.u16[h + D_GSO_SEGS];
      f.capturePoint = this.u16[h + D_CAPTURE_POINT];
      f.ipSummed = this.u8[off + D_IP_SUMMED];
      f.flags = this.u8[off + D_FLAGS];
      this.releaseTo = this.u32[w + D_POOL_END];
      this.visitor!(f);
    };
  }

  /**
   * Visits up to `max` published frames in order, then releases their descriptor slots and pool bytes.
   * The frame object and its bytes are only valid inside `visit`. Returns how many frames were visited.
   */
  drain(visit: (frame: CapturedFrame) => void, max = Infinity): number {
    this.visitor = visit;
    let n: number;
    try {
      n = this.consumer.drain(this.visitSlot, max);
    } finally {
      this.visitor = null;
    }
    if (n > 0) Atomics.store(this.ph, P_READ, this.releaseTo | 0);
    return n;
  }

  /** Frames published and not yet drained. */
  size(): number {
    return this.consumer.size();
  }

  /** Worker threads only: blocks until a frame is published, the producer closes, or the timeout passes. */
  waitNonEmpty(timeoutMs: number): number {
    return this.consumer.waitNonEmpty(timeoutMs);
  }

  /** A copy of the current frame's captured bytes (for keeping a frame after drain's visit returns). */
  static copyBytes(frame: CapturedFrame): Uint8Array {
    return frame.data.slice(frame.poolOffset, frame.poolOffset + frame.lengthBytes);
  }
}
