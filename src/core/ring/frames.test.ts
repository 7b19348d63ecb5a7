import { describe, expect, it } from 'vitest';
import {
  CaptureConsumer,
  CaptureProducer,
  DESCRIPTOR_BYTES,
  FRAME_FLAG_TRUNCATED,
  FRAME_FLAG_TX,
  POOL_HEADER_BYTES,
  createCaptureRing,
  type CapturedFrame,
  type CaptureBuffers,
} from './frames';
import { RingLayoutError, createRing } from './spsc';
import { fillFrame, frameByte, frameMeta } from './frames.test-data';

function frameOf(k: number, length: number): Uint8Array {
  const f = new Uint8Array(length);
  fillFrame(f, k);
  return f;
}

function drainAll(c: CaptureConsumer): { frame: Omit<CapturedFrame, 'data'>; bytes: Uint8Array }[] {
  const out: { frame: Omit<CapturedFrame, 'data'>; bytes: Uint8Array }[] = [];
  c.drain((f) => {
    const { data: _data, ...fields } = f;
    out.push({ frame: fields, bytes: CaptureConsumer.copyBytes(f) });
  });
  return out;
}

describe('capture ring (single thread)', () => {
  it('round-trips every descriptor field and the frame bytes', () => {
    const buffers = createCaptureRing(8, 4096, true);
    const p = new CaptureProducer(buffers);
    const c = new CaptureConsumer(buffers);
    const meta = { ipSummed: 3, csumStart: 34, csumOffset: 16, gsoSize: 1448, gsoType: 0x11, gsoSegs: 45 };
    expect(p.capture(123_456_789.5, 513, frameOf(1, 100), meta, FRAME_FLAG_TX)).toBe(true);
    expect(drainAll(c)).toEqual([]); // nothing visible before flush
    p.flush();
    const got = drainAll(c);
    expect(got).toHaveLength(1);
    expect(got[0].frame).toEqual({
      tNs: 123_456_789.5,
      capturePoint: 513,
      poolOffset: 0,
      lengthBytes: 100,
      origLengthBytes: 100,
      ...meta,
      flags: FRAME_FLAG_TX,
      frameNo: 0,
    });
    expect(got[0].bytes).toEqual(frameOf(1, 100));
    expect(c.stats()).toEqual({ offered: 1, droppedPoolFull: 0, droppedRingFull: 0 });
  });

  it('truncates to the snap length and flags it, keeping the original length', () => {
    const buffers = createCaptureRing(8, 4096, false);
    const p = new CaptureProducer(buffers, 64);
    const c = new CaptureConsumer(buffers);
    p.capture(0, 0, frameOf(5, 1500), frameMeta(5), FRAME_FLAG_TRUNCATED); // caller's TRUNCATED bit is ignored
    p.capture(1, 0, frameOf(6, 64), frameMeta(6));
    p.flush();
    const [a, b] = drainAll(c);
    expect(a.frame.lengthBytes).toBe(64);
    expect(a.frame.origLengthBytes).toBe(1500);
    expect(a.frame.flags).toBe(FRAME_FLAG_TRUNCATED);
    expect(a.bytes).toEqual(frameOf(5, 1500).subarray(0, 64));
    expect(b.frame.flags).toBe(0);
    expect(b.frame.lengthBytes).toBe(64);
  });

  it('drops a frame whole when the pool is full, counts it, and accepts it again once the consumer releases', () => {
    const buffers = createCaptureRing(64, 4096, true);
    const p = new CaptureProducer(buffers);
    const c = new CaptureConsumer(buffers);
    expect(p.capture(0, 0, frameOf(0, 3000), frameMeta(0))).toBe(true);
    expect(p.capture(1, 0, frameOf(1, 1000), frameMeta(1))).toBe(true);
    // 96 bytes left: a 200-byte frame does not fit and leaves no trace.
    const poolBefore = new Uint8Array(buffers.pool).slice();
    expect(p.capture(2, 0, frameOf(2, 200), frameMeta(2))).toBe(false);
    expect(new Uint8Array(buffers.pool).subarray(POOL_HEADER_BYTES)).toEqual(poolBefore.subarray(POOL_HEADER_BYTES));
    expect(c.stats()).toMatchObject({ droppedPoolFull: 1, droppedRingFull: 0 });
    p.flush();
    expect(drainAll(c).map((f) => f.frame.frameNo)).toEqual([0, 1]);
    // Released: the next frame straddles the end of the data area, so it goes to offset 0 and skips the tail.
    expect(p.capture(3, 0, frameOf(3, 200), frameMeta(3))).toBe(true);
    p.flush();
    const [again] = drainAll(c);
    expect(again.frame).toMatchObject({ frameNo: 3, poolOffset: 0, lengthBytes: 200 });
    expect(again.bytes).toEqual(frameOf(3, 200));
  });

  it('drops and counts when the descriptor ring is full although the pool has room', () => {
    const buffers = createCaptureRing(4, 65_536, true);
    const p = new CaptureProducer(buffers);
    const c = new CaptureConsumer(buffers);
    const accepted = Array.from({ length: 6 }, (_, k) => p.capture(k, 0, frameOf(k, 10), frameMeta(k)));
    expect(accepted).toEqual([true, true, true, true, false, false]);
    p.flush(); // publishes the offered count with the descriptors
    expect(c.stats()).toEqual({ offered: 6, droppedPoolFull: 0, droppedRingFull: 2 });
    const got = drainAll(c);
    expect(got.map((f) => f.frame.frameNo)).toEqual([0, 1, 2, 3]);
    for (const g of got) expect(g.bytes).toEqual(frameOf(g.frame.frameNo, 10));
  });

  it('a frame of exactly the free tail fits without skipping; zero-length frames are kept', () => {
    const buffers = createCaptureRing(8, 1024, true);
    const p = new CaptureProducer(buffers);
    const c = new CaptureConsumer(buffers);
    p.capture(0, 0, frameOf(0, 1000), frameMeta(0));
    p.flush();
    drainAll(c);
    expect(p.capture(1, 0, frameOf(1, 24), frameMeta(1))).toBe(true);
    expect(p.capture(2, 0, new Uint8Array(0), frameMeta(2))).toBe(true);
    expect(p.capture(3, 0, frameOf(3, 1000), frameMeta(3))).toBe(true);
    p.flush();
    const got = drainAll(c);
    expect(got.map((g) => [g.frame.poolOffset, g.frame.lengthBytes])).toEqual([
      [1000, 24],
      [0, 0],
      [0, 1000],
    ]);
    expect(got[2].bytes[999]).toBe(frameByte(3, 999));
  });

  it('refuses malformed buffers and layouts', () => {
    expect(() => createCaptureRing(8, 1000)).toThrow(RingLayoutError);
    expect(() => createCaptureRing(6, 4096)).toThrow(RingLayoutError);
    const good = createCaptureRing(8, 4096);
    expect(() => new CaptureConsumer({ descriptors: createRing(8, 16), pool: good.pool })).toThrow(/48 B/);
    expect(() => new CaptureConsumer({ descriptors: good.descriptors, pool: new SharedArrayBuffer(POOL_HEADER_BYTES + 4096) })).toThrow(/magic/);
    const bad: CaptureBuffers = { descriptors: good.descriptors, pool: good.pool.slice(0, 1000) };
    expect(() => new CaptureProducer(bad)).toThrow(/length/);
    expect(DESCRIPTOR_BYTES % 8).toBe(0);
  });
});
