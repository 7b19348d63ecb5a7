import { afterEach, describe, expect, it } from 'vitest';
import {
  allocWasmBuffer,
  CSUM_WASM_BYTES,
  disableWasmChecksum,
  enableWasmChecksum,
  wasmChecksumAvailable,
  wasmCsumPartial,
} from './csum-wasm';
import { csumFold, csumPartial, finishPartialChecksum, naiveChecksum } from '../checksum';
import { PacketError } from '../errors';
import { Rng } from '../../rng';

// Node 20+ has WebAssembly SIMD; if this fails the module bytes are wrong, not the platform.
describe('hand-assembled SIMD checksum module', () => {
  afterEach(() => disableWasmChecksum());

  it('validates and instantiates', () => {
    expect(WebAssembly.validate(CSUM_WASM_BYTES)).toBe(true);
    expect(wasmChecksumAvailable()).toBe(true);
  });

  it('equals naive for every length 0..300 at every alignment (copy-in path)', () => {
    const rng = new Rng(77);
    const backing = rng.bytes(320);
    for (let align = 0; align < 8; align++) {
      const view = backing.subarray(align);
      for (let len = 0; len <= 300 && len + 3 <= view.length; len++) {
        for (const off of [0, 3]) {
          const got = csumFold(wasmCsumPartial(view, off, len, 0));
          if (got !== naiveChecksum(view, off, len)) expect({ align, off, len, got }).toEqual({ align, off, len, got: naiveChecksum(view, off, len) });
        }
      }
    }
  });

  it('equals naive on large and carry-heavy buffers, across the 64 KiB scratch and 512 KiB chunk steps', () => {
    const rng = new Rng(78);
    for (const size of [65536, 65536 + 63, 3 * 65536 + 100, (1 << 20) + 17]) {
      const b = rng.bytes(size + 4);
      expect(csumFold(wasmCsumPartial(b, 1, size, 0))).toBe(naiveChecksum(b, 1, size));
      const ones = new Uint8Array(size).fill(0xff);
      expect(csumFold(wasmCsumPartial(ones, 0, size, 0))).toBe(naiveChecksum(ones, 0, size));
    }
  });

  it('sums buffers that live in wasm memory in place, at odd offsets and beyond one 512 KiB chunk', () => {
    const size = (1 << 20) + 200;
    const w = allocWasmBuffer(size);
    const rng = new Rng(79);
    w.set(rng.bytes(size));
    for (const [off, len] of [[0, 64], [1, 64], [5, 1500], [2, 65536], [3, size - 3]]) {
      expect(csumFold(wasmCsumPartial(w, off, len, 0))).toBe(naiveChecksum(w, off, len));
    }
    w.fill(0xff);
    expect(csumFold(wasmCsumPartial(w, 0, size, 0))).toBe(naiveChecksum(w, 0, size));
  });

  it('csumPartial routes large regions to it once enabled, with identical results', () => {
    expect(enableWasmChecksum(256)).toBe(true);
    const rng = new Rng(80);
    for (let i = 0; i < 200; i++) {
      const len = rng.int(5000);
      const b = rng.bytes(len + 8);
      const off = rng.int(8);
      expect(csumFold(csumPartial(b, off, len, 0))).toBe(naiveChecksum(b, off, len));
    }
    // CHECKSUM_PARTIAL completion through the routed path.
    const frame = rng.bytes(4000);
    const copy = frame.slice();
    finishPartialChecksum(frame, 34, 16);
    disableWasmChecksum();
    finishPartialChecksum(copy, 34, 16);
    expect(frame).toEqual(copy);
  });

  it('keeps the PacketError contract for out-of-range regions', () => {
    expect(() => wasmCsumPartial(new Uint8Array(100), 50, 51, 0)).toThrow(PacketError);
  });
});
