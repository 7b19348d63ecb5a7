// Test-only worker_threads entry: the producer half of the capture-ring stress test (frames.thread.test.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { CaptureProducer, type CaptureBuffers } from './frames';
import { fillFrame, frameMeta, frameSize, FRAME_FLAGS } from './frames.test-data';
import { Rng } from '../rng';

const { buffers, frames, seed, snapLenBytes } = workerData as { buffers: CaptureBuffers; frames: number; seed: number; snapLenBytes: number };
const p = new CaptureProducer(buffers, snapLenBytes);
const rng = new Rng(seed);
const scratch = new Uint8Array(16_384);
const pause = new Int32Array(new SharedArrayBuffer(4));
let refused = 0;
let sizeClass = 0;
for (let k = 0; k < frames; k++) {
  // Sizes come in runs, so runs of tiny frames exhaust descriptors and runs of big ones the pool.
  if (k % 64 === 0) sizeClass = rng.int(3);
  const size = frameSize(sizeClass, rng);
  const frame = scratch.subarray(0, size);
  fillFrame(frame, k);
  if (!p.capture(k * 1000.5, k % 7, frame, frameMeta(k), FRAME_FLAGS(k))) {
    refused++;
    // Now and then back off so the consumer catches up; otherwise keep hammering the full ring.
    if (rng.int(32) === 0) Atomics.wait(pause, 0, 0, 1);
  }
  if (rng.int(8) === 0) p.flush();
}
p.close();
parentPort!.postMessage({ refused });
