// Test-only: the frames the capture-ring tests send, every byte and field a function of the frame number,
// so the consumer can check content without being told it.
import { FRAME_FLAG_TX, type FrameMeta } from './frames';
import { Rng } from '../rng';

/** Frame k's bytes are PATTERN[k mod 4096 …]: random, so a stale or shifted byte from another frame shows. */
export const PATTERN = new Rng(0xf4a3e).bytes(16_384 + 4096);
export const MAX_TEST_FRAME_BYTES = 16_384;

export function frameSize(sizeClass: number, rng: Rng): number {
  if (sizeClass === 0) return rng.int(129);
  if (sizeClass === 1) return 60 + rng.int(1455);
  return 1514 + rng.int(7500);
}

export function frameByte(frameNo: number, i: number): number {
  return PATTERN[(frameNo & 0xfff) + i];
}

export function fillFrame(frame: Uint8Array, frameNo: number): void {
  const start = frameNo & 0xfff;
  frame.set(PATTERN.subarray(start, start + frame.length));
}

export function frameMeta(k: number): FrameMeta {
  return {
    ipSummed: k & 3,
    csumStart: (k * 3) >>> 0,
    csumOffset: (k >>> 3) & 0xffff,
    gsoSize: k % 65_536,
    gsoType: Math.imul(k, 0x9e3779b1) >>> 0,
    gsoSegs: (k * 5) & 0xffff,
  };
}

export const FRAME_FLAGS = (k: number): number => (k & 1 ? FRAME_FLAG_TX : 0);
