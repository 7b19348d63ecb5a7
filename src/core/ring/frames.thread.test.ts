import { describe, expect, it } from 'vitest';
import { tsWorker } from '../../../test-support/ts-worker';
import { CaptureConsumer, FRAME_FLAG_TRUNCATED, createCaptureRing } from './frames';
import { PATTERN, frameMeta, FRAME_FLAGS } from './frames.test-data';
import { Rng } from '../rng';

const workerUrl = new URL('./frames-stress.test-worker.ts', import.meta.url);

describe('capture ring across real worker_threads', () => {
  it('moves 300k frames of random sizes: in order, content and descriptors intact, every drop counted, never torn', async () => {
    const frames = 300_000;
    const snapLenBytes = 4096;
    const buffers = createCaptureRing(256, 65_536, true);
    const worker = tsWorker(workerUrl, { buffers, frames, seed: 11, snapLenBytes });
    const done = new Promise<{ refused: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const c = new CaptureConsumer(buffers);
    const rng = new Rng(0x5eed);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let received = 0;
    let lastFrameNo = -1;
    let truncated = 0;
    let bytesChecked = 0;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`consumer gave up at frame ${lastFrameNo}`);
      if (c.waitNonEmpty(50) === 0) {
        if (c.closed && c.size() === 0) break;
        continue;
      }
      c.drain(
        (f) => {
          const k = f.frameNo;
          if (k <= lastFrameNo) throw new Error(`frame ${k} after ${lastFrameNo}`);
          lastFrameNo = k;
          const meta = frameMeta(k);
          if (f.tNs !== k * 1000.5 || f.capturePoint !== k % 7 || f.ipSummed !== meta.ipSummed || f.csumStart !== meta.csumStart) throw new Error(`frame ${k}: descriptor fields`);
          if (f.csumOffset !== meta.csumOffset || f.gsoSize !== meta.gsoSize || f.gsoType !== meta.gsoType || f.gsoSegs !== meta.gsoSegs) throw new Error(`frame ${k}: gso/csum fields`);
          const wasTruncated = f.origLengthBytes > snapLenBytes;
          if (f.lengthBytes !== Math.min(f.origLengthBytes, snapLenBytes)) throw new Error(`frame ${k}: length ${f.lengthBytes} of ${f.origLengthBytes}`);
          if (f.flags !== (FRAME_FLAGS(k) | (wasTruncated ? FRAME_FLAG_TRUNCATED : 0))) throw new Error(`frame ${k}: flags ${f.flags}`);
          if (f.poolOffset + f.lengthBytes > f.data.length) throw new Error(`frame ${k}: outside the pool`);
          const data = f.data;
          const at = f.poolOffset;
          const p = k & 0xfff;
          for (let i = 0; i < f.lengthBytes; i++) {
            if (data[at + i] !== PATTERN[p + i]) throw new Error(`frame ${k}: byte ${i} torn`);
          }
          bytesChecked += f.lengthBytes;
          if (wasTruncated) truncated++;
          received++;
        },
        1 + rng.int(64),
      );
      // Random consumer stalls make the producer meet a full pool and a full descriptor ring.
      if (rng.int(100) === 0) Atomics.wait(pause, 0, 0, 1);
    }
    const { refused } = await done;
    await worker.terminate();
    const stats = c.stats();
    expect(stats.offered).toBe(frames);
    expect(received + refused).toBe(frames);
    expect(stats.droppedPoolFull + stats.droppedRingFull).toBe(refused);
    expect(lastFrameNo).toBeLessThan(frames);
    // The run exercised all the edges it is meant to.
    expect(stats.droppedPoolFull).toBeGreaterThan(0);
    expect(stats.droppedRingFull).toBeGreaterThan(0);
    expect(truncated).toBeGreaterThan(0);
    expect(received).toBeGreaterThan(frames / 4);
    expect(bytesChecked).toBeGreaterThan(10_000_000);
  });
});
