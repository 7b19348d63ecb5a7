// Checksum throughput: csumPartial (fast JS) vs naiveChecksum vs Uint8Array.prototype.set copy
// bandwidth, measured in the same run over 64 B, 512 B, 1500 B and 64 KiB buffers (aligned and odd
// offset), plus the hand-assembled WebAssembly SIMD kernel (copy-in, and frames already in wasm memory).
// csumPartial is csumPartialJs unless enableWasmChecksum() routed large regions to the wasm kernel.
// Buffers are 16 separate ArrayBuffers, so the JS word view is rebuilt per call; the "one slab" row uses
// one shared buffer as frame.ts's slab-allocated frames do. At 64 B every row sits near the ~30 ns call floor.
// Run: node --import tsx bench/checksum.bench.ts
import { csumFold, csumPartialJs, naiveChecksum } from '../src/core/packet/checksum';
import { allocWasmBuffer, wasmChecksumAvailable, wasmCsumPartial } from '../src/core/packet/wasm/csum-wasm';
import { Rng } from '../src/core/rng';

type Kernel = (buf: Uint8Array, offset: number, length: number) => number;

interface Variant {
  name: string;
  run: Kernel;
  /** Where the variant's input buffers live (default: ordinary JS heap buffers). */
  makePool?: (size: number) => Uint8Array[];
}

const POOL = 16;
const sizes = [64, 512, 1500, 65536];
const TRIALS = 5;
const TARGET_MS_PER_TRIAL = 60;

const rng = new Rng(0xbe7c);
const sink = { value: 0 };

function makePool(size: number): Uint8Array[] {
  const pool: Uint8Array[] = [];
  for (let i = 0; i < POOL; i++) pool.push(rng.bytes(size + 8));
  return pool;
}

type Timer = (run: Kernel, pool: Uint8Array[], offset: number, size: number, iterations: number) => number;

/**
 * A fresh copy of the timing loop per variant (new Function gives each its own type feedback), so the
 * call to `run` stays monomorphic and the loop's own cost does not depend on which variants ran before.
 */
function makeTimer(): Timer {
  // eslint-disable-next-line typescript/no-implied-eval
  const loop = new Function('run', 'pool', 'offset', 'size', 'iterations', 'now', `
    let acc = 0;
    const mask = pool.length - 1;
    const t0 = now();
    for (let i = 0; i < iterations; i++) acc ^= run(pool[i & mask], offset, size);
    return [now() - t0, acc];
  `) as (run: Kernel, pool: Uint8Array[], offset: number, size: number, iterations: number, now: () => number) => [number, number];
  return (run, pool, offset, size, iterations) => {
    const [ms, acc] = loop(run, pool, offset, size, iterations, () => performance.now());
    sink.value ^= acc;
    return ms;
  };
}

/** Median GB/s over TRIALS, each trial sized to ~TARGET_MS_PER_TRIAL. */
function measure(v: Variant, size: number, offset: number): { gbPerSec: number; nsPerOp: number } {
  const run = v.run;
  const pool = (v.makePool ?? makePool)(size);
  const timeOnce = makeTimer();
  let iterations = 64;
  timeOnce(run, pool, offset, size, iterations);
  for (;;) {
    const ms = timeOnce(run, pool, offset, size, iterations);
    if (ms > TARGET_MS_PER_TRIAL / 4) {
      iterations = Math.max(1, Math.round((iterations * TARGET_MS_PER_TRIAL) / ms));
      break;
    }
    iterations *= 4;
  }
  const rates: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const ms = timeOnce(run, pool, offset, size, iterations);
    rates.push(ms / iterations);
  }
  rates.sort((a, b) => a - b);
  const msPerOp = rates[TRIALS >> 1];
  return { gbPerSec: size / (msPerOp * 1e6), nsPerOp: msPerOp * 1e6 };
}

/** The pool carved from one ArrayBuffer, as frame.ts's slab allocator hands frames out. */
function slabPool(size: number): Uint8Array[] {
  const stride = (size + 8 + 7) & ~7;
  const slab = new Uint8Array(Math.max(256 * 1024, POOL * stride));
  const pool: Uint8Array[] = [];
  for (let i = 0; i < POOL; i++) {
    const b = slab.subarray(i * stride, i * stride + size + 8);
    b.set(rng.bytes(size + 8));
    pool.push(b);
  }
  return pool;
}

const copyTargets = new Map<number, Uint8Array>();
const copyKernel: Kernel = (buf, offset, length) => {
  let dst = copyTargets.get(length);
  if (!dst) {
    dst = new Uint8Array(length + 8);
    copyTargets.set(length, dst);
  }
  dst.set(buf.subarray(offset, offset + length), offset);
  return dst[offset];
};

const variants: Variant[] = [
  { name: 'copy (Uint8Array.set)', run: copyKernel },
  { name: 'naiveChecksum', run: naiveChecksum },
  { name: 'csumPartialJs', run: (b, o, l) => csumFold(csumPartialJs(b, o, l, 0)) },
  { name: 'csumPartialJs (one slab)', run: (b, o, l) => csumFold(csumPartialJs(b, o, l, 0)), makePool: slabPool },
];

const wasmRun: Kernel = (b, o, l) => csumFold(wasmCsumPartial(b, o, l, 0));

function slot(size: number): number {
  return (size + 8 + 63) & ~63;
}

function wasmVariants(): Variant[] {
  if (!wasmChecksumAvailable()) {
    console.log('WebAssembly SIMD unavailable: wasm rows skipped');
    return [];
  }
  // One allocation up front (growing wasm memory would detach earlier views), sliced into 64-byte-aligned slots.
  const arena = allocWasmBuffer(sizes.reduce((n, size) => n + POOL * slot(size), 0));
  const wasmPools = new Map<number, Uint8Array[]>();
  let at = 0;
  for (const size of sizes) {
    const pool: Uint8Array[] = [];
    for (let i = 0; i < POOL; i++) {
      const b = arena.subarray(at, at + size + 8);
      b.set(rng.bytes(size + 8));
      pool.push(b);
      at += slot(size);
    }
    wasmPools.set(size, pool);
  }
  return [
    { name: 'wasm SIMD (copy in + sum)', run: wasmRun },
    { name: 'wasm SIMD (frame in wasm memory)', run: wasmRun, makePool: (size) => wasmPools.get(size)! },
  ];
}

const rows: string[][] = [];
const all = [...variants, ...wasmVariants()];
for (const size of sizes) {
  for (const offset of [0, 1]) {
    const results = all.map((v) => ({ v, r: measure(v, size, offset) }));
    const copy = results[0].r.gbPerSec;
    const naive = results[1].r.gbPerSec;
    for (const { v, r } of results) {
      rows.push([
        String(size),
        String(offset),
        v.name,
        r.gbPerSec.toFixed(2),
        r.nsPerOp.toFixed(1),
        (r.gbPerSec / copy).toFixed(3),
        (r.gbPerSec / naive).toFixed(2),
      ]);
    }
  }
}

const header = ['bytes', 'off', 'variant', 'GB/s', 'ns/op', 'x copy', 'x naive'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]): string => cells.map((c, i) => (i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log(`(median of ${TRIALS} trials, ${POOL}-buffer pool; sink ${sink.value & 1})`);
