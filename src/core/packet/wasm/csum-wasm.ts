/**
 * WebAssembly SIMD Internet-checksum kernel, assembled by hand below (no toolchain). Equivalent text:
 *
 *   (module
 *     (memory (export "memory") 2)
 *     (func (export "sum") (param $p i32) (param $n i32) (result i32)   ;; $n a multiple of 64
 *       (local $end i32) (local $chunkEnd i32) (local $a v128) (local $b v128) (local $t v128) (local $s i64)
 *       $end = $p + $n
 *       block $done
 *         loop $outer
 *           br_if $done ($p >= $end)
 *           $chunkEnd = select($p + CHUNK, $end, $p + CHUNK < $end)
 *           $a = 0 ; $b = 0
 *           loop $inner                      ;; 64 bytes per iteration, two independent accumulators
 *             $a = i32x4.add($a, i32x4.extadd_pairwise_i16x8_u(v128.load offset=0  $p))
 *             $b = i32x4.add($b, i32x4.extadd_pairwise_i16x8_u(v128.load offset=16 $p))
 *             $a = i32x4.add($a, i32x4.extadd_pairwise_i16x8_u(v128.load offset=32 $p))
 *             $b = i32x4.add($b, i32x4.extadd_pairwise_i16x8_u(v128.load offset=48 $p))
 *             $p += 64
 *             br_if $inner ($p < $chunkEnd)
 *           end
 *           $t = i64x2.add($t, extend_low_u($a) + extend_high_u($a) + extend_low_u($b) + extend_high_u($b))
 *           br $outer
 *         end
 *       end
 *       $s = lane0($t) + lane1($t)
 *       loop: while ($s >> 16) $s = ($s & 0xffff) + ($s >> 16)
 *       i32.wrap_i64 $s)                     ;; 16-bit fold of the little-endian word sum
 *   )
 *
 * CHUNK = 512 KiB: a 32-bit lane gains ≤ 4 × 0xFFFF per iteration, 8192 iterations stay below 2^32.
 */
import { checkRegion, csumAdd, csumPartialJs, setLargeChecksumKernel } from '../checksum';
import { PacketError } from '../errors';

const CHUNK_BYTES = 512 * 1024;
/** Scratch area at the start of wasm memory for copy-in; buffers handed out by allocWasmBuffer follow it. */
const SCRATCH_BYTES = 64 * 1024;
const PAGE_BYTES = 65536;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
}

// Opcodes (core and 0xFD-prefixed SIMD).
const I32 = 0x7f;
const I64 = 0x7e;
const V128 = 0x7b;
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const SELECT = 0x1b;
const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const I32_CONST = 0x41;
const I64_CONST = 0x42;
const I64_EQZ = 0x50;
const I32_LT_U = 0x49;
const I32_GE_U = 0x4f;
const I32_ADD = 0x6a;
const I64_ADD = 0x7c;
const I64_AND = 0x83;
const I64_SHR_U = 0x88;
const I32_WRAP_I64 = 0xa7;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const V128_CONST_ZERO = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const I64X2_EXTRACT_LANE = [SIMD, 0x1d];
const I32X4_EXTADD_PAIRWISE_I16X8_U = [SIMD, ...uleb(0x7f)];
const I32X4_ADD = [SIMD, ...uleb(0xae)];
const I64X2_EXTEND_LOW_I32X4_U = [SIMD, ...uleb(0xc9)];
const I64X2_EXTEND_HIGH_I32X4_U = [SIMD, ...uleb(0xca)];
const I64X2_ADD = [SIMD, ...uleb(0xce)];

// Locals: params p=0, n=1; end=2, chunkEnd=3 (i32); a=4, b=5, t=6 (v128); s=7 (i64).
const P = 0;
const N = 1;
const LEND = 2;
const CHUNK_END = 3;
const A = 4;
const B = 5;
const T = 6;
const S = 7;

function accumulate(acc: number, offset: number): number[] {
  return [GET, acc, GET, P, ...V128_LOAD, 4, ...uleb(offset), ...I32X4_EXTADD_PAIRWISE_I16X8_U, ...I32X4_ADD, SET, acc];
}

function widen(acc: number): number[] {
  return [
    GET, T, GET, acc, ...I64X2_EXTEND_LOW_I32X4_U, ...I64X2_ADD, SET, T,
    GET, T, GET, acc, ...I64X2_EXTEND_HIGH_I32X4_U, ...I64X2_ADD, SET, T,
  ];
}

function assemble(): Uint8Array<ArrayBuffer> {
  const body = [
    // locals: 2 × i32, 3 × v128, 1 × i64
    3, 2, I32, 3, V128, 1, I64,
    GET, P, GET, N, I32_ADD, SET, LEND,
    BLOCK, VOID,
    LOOP, VOID,
    GET, P, GET, LEND, I32_GE_U, BR_IF, 1,
    GET, P, I32_CONST, ...sleb(CHUNK_BYTES), I32_ADD, TEE, CHUNK_END,
    GET, LEND,
    GET, CHUNK_END, GET, LEND, I32_LT_U,
    SELECT, SET, CHUNK_END,
    ...V128_CONST_ZERO, SET, A,
    ...V128_CONST_ZERO, SET, B,
    LOOP, VOID,
    ...accumulate(A, 0),
    ...accumulate(B, 16),
    ...accumulate(A, 32),
    ...accumulate(B, 48),
    GET, P, I32_CONST, ...sleb(64), I32_ADD, TEE, P,
    GET, CHUNK_END, I32_LT_U, BR_IF, 0,
    END,
    ...widen(A),
    ...widen(B),
    BR, 0,
    END,
    END,
    GET, T, ...I64X2_EXTRACT_LANE, 0, GET, T, ...I64X2_EXTRACT_LANE, 1, I64_ADD, SET, S,
    BLOCK, VOID,
    LOOP, VOID,
    GET, S, I64_CONST, ...sleb(16), I64_SHR_U, I64_EQZ, BR_IF, 1,
    GET, S, I64_CONST, ...sleb(0xffff), I64_AND, GET, S, I64_CONST, ...sleb(16), I64_SHR_U, I64_ADD, SET, S,
    BR, 0,
    END,
    END,
    GET, S, I32_WRAP_I64,
    END,
  ];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 2, I32, I32, 1, I32]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, ...uleb(2)]),
    ...section(7, [2, ...name('memory'), 0x02, 0, ...name('sum'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ];
  return Uint8Array.from(bytes);
}

/** The module's bytes (exported so tests can check it validates). */
export const CSUM_WASM_BYTES: Uint8Array<ArrayBuffer> = assemble();

interface Kernel {
  memory: WebAssembly.Memory;
  sum: (p: number, n: number) => number;
}

let kernel: Kernel | null | undefined;
let allocTop = SCRATCH_BYTES;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  try {
    if (typeof WebAssembly === 'undefined' || !WebAssembly.validate(CSUM_WASM_BYTES)) return kernel;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(CSUM_WASM_BYTES), {});
    const { memory, sum } = instance.exports as unknown as Kernel;
    kernel = { memory, sum };
  } catch {
    // No SIMD, or a CSP without 'wasm-unsafe-eval': stay on the JS path.
    kernel = null;
  }
  return kernel;
}

/** True when the engine validates and instantiates the SIMD module. */
export function wasmChecksumAvailable(): boolean {
  return load() !== null;
}

/**
 * Make csumPartial use this kernel for regions of at least `minBytes` (the copy-in path overtakes the JS
 * word loop at about 512 bytes; see bench/checksum.bench.ts). Returns false when unavailable.
 */
export function enableWasmChecksum(minBytes = 512): boolean {
  if (!load()) return false;
  setLargeChecksumKernel(wasmCsumPartial, Math.max(64, minBytes));
  return true;
}

export function disableWasmChecksum(): void {
  setLargeChecksumKernel(null);
}

function swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}

/**
 * A buffer inside wasm memory (64-byte aligned). Checksums over views of it run without copying.
 * Growing memory detaches views handed out earlier: allocate before use.
 */
export function allocWasmBuffer(lengthBytes: number): Uint8Array {
  const k = load();
  if (!k) throw new PacketError('unsupported', 'wasm checksum', 0, 'WebAssembly SIMD is not available');
  const start = allocTop;
  const end = start + ((lengthBytes + 63) & ~63);
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / PAGE_BYTES));
  allocTop = end;
  return new Uint8Array(k.memory.buffer, start, lengthBytes);
}

/** Body sum (multiple of 64 bytes at wasm address `ptr`) as a big-endian 16-bit fold. */
function bodySumBe(k: Kernel, ptr: number, bodyBytes: number): number {
  return swap16(k.sum(ptr, bodyBytes));
}

/**
 * Same contract as csumPartial (big-endian words from `offset`, any alignment, result a __wsum). Frames
 * already in wasm memory are summed in place; others are copied through the scratch area in 64 KiB steps.
 * Falls back to csumPartial when SIMD is unavailable.
 */
export function wasmCsumPartial(buf: Uint8Array, offset: number, length: number, sum: number): number {
  checkRegion(buf, offset, length, 'checksum region');
  const k = load();
  if (!k || length < 64) return csumPartialJs(buf, offset, length, sum);
  let acc = sum;
  if (buf.buffer === k.memory.buffer) {
    const body = length & ~63;
    acc = csumAdd(acc, bodySumBe(k, buf.byteOffset + offset, body));
    return csumPartialJs(buf, offset + body, length - body, acc);
  }
  const scratch = new Uint8Array(k.memory.buffer, 0, SCRATCH_BYTES);
  let done = 0;
  while (length - done >= 64) {
    const step = Math.min(SCRATCH_BYTES, (length - done) & ~63);
    scratch.set(buf.subarray(offset + done, offset + done + step));
    acc = csumAdd(acc, bodySumBe(k, 0, step));
    done += step;
  }
  return csumPartialJs(buf, offset + done, length - done, acc);
}
