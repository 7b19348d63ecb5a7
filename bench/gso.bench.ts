// GSO/TSO segmentation and GRO merge throughput for one 64 KiB TCP/IPv4 super-frame at MSS 1448
// (46 segments), against a same-run baseline: Uint8Array.prototype.set of the same bytes.
// Run: node --import tsx bench/gso.bench.ts
import { GroQueue } from '../src/core/packet/gro';
import type { GroPacket } from '../src/core/packet/gro';
import { SegmentBuffer, segmentInto, segmentTcp } from '../src/core/packet/gso';
import { IpSummed, SKB_GSO_TCPV4, createSkb } from '../src/core/packet/skb';
import { tsoExampleSuperFrame } from '../src/core/packet/reference-frames';
import type { Skb } from '../src/core/packet/skb';

const MSS = 1448;
const TRIALS = 5;
const TARGET_MS_PER_TRIAL = 80;
const sink = { value: 0 };

const superFrame = tsoExampleSuperFrame(65535 - 40, 7);
const superSkb = (): Skb =>
  createSkb({ len: superFrame.length, ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 16, gsoSize: MSS, gsoType: SKB_GSO_TCPV4, networkHeader: 14, transportHeader: 34, hash: 0x51 });
const skb = superSkb();
const SEGMENTS = Math.ceil((65535 - 40) / MSS);

const copyDst = new Uint8Array(superFrame.length);
const pool = new SegmentBuffer();

/** GRO input: the segments with full checksums (NONE → software validation) or left PARTIAL (trusted). */
function groInput(deviceChecksum: boolean): { frames: Uint8Array[]; skbs: Skb[]; state: Skb[] } {
  const r = segmentTcp(superFrame, skb, { deviceChecksum });
  for (const s of r.skbs) s.hash = 0x51;
  return { frames: r.frames, skbs: r.skbs, state: r.skbs.map((s) => ({ ...s })) };
}

function groRun(input: { frames: Uint8Array[]; skbs: Skb[]; state: Skb[] }): () => number {
  const q = new GroQueue();
  const out: GroPacket[] = [];
  return () => {
    out.length = 0;
    const { frames, skbs, state } = input;
    for (let i = 0; i < frames.length; i++) {
      // GRO takes ownership and rewrites the skb (NONE → UNNECESSARY): restore the received state.
      const s = skbs[i];
      const o = state[i];
      s.ipSummed = o.ipSummed;
      s.csumValid = false;
      s.gsoSize = 0;
      s.gsoType = 0;
      s.gsoSegs = 0;
      s.len = o.len;
      q.receive(frames[i], s, out);
    }
    q.flush(out);
    return out[0].frame.length;
  };
}

interface Variant {
  name: string;
  run: () => number;
}

const variants: Variant[] = [
  {
    name: 'baseline: copy 64 KiB (Uint8Array.set)',
    run: () => {
      copyDst.set(superFrame);
      return copyDst[100];
    },
  },
  { name: 'segmentTcp, software csum (alloc)', run: () => segmentTcp(superFrame, skb, { deviceChecksum: false }).frames.length },
  { name: 'segmentTcp, left PARTIAL (alloc)', run: () => segmentTcp(superFrame, skb, { deviceChecksum: true }).frames.length },
  { name: 'segmentInto pool, software csum', run: () => segmentInto(superFrame, skb, { deviceChecksum: false }, pool) },
  { name: 'segmentInto pool, left PARTIAL', run: () => segmentInto(superFrame, skb, { deviceChecksum: true }, pool) },
  { name: 'GRO merge, NONE (sw validate)', run: groRun(groInput(false)) },
  { name: 'GRO merge, PARTIAL (trusted)', run: groRun(groInput(true)) },
];

function timeOnce(run: () => number, iterations: number): number {
  let acc = 0;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) acc ^= run();
  const ms = performance.now() - t0;
  sink.value ^= acc;
  return ms;
}

/** Median ns per super-frame over TRIALS, each trial sized to ~TARGET_MS_PER_TRIAL. */
function measure(run: () => number): number {
  let iterations = 4;
  timeOnce(run, iterations);
  for (;;) {
    const ms = timeOnce(run, iterations);
    if (ms > TARGET_MS_PER_TRIAL / 4) {
      iterations = Math.max(1, Math.round((iterations * TARGET_MS_PER_TRIAL) / ms));
      break;
    }
    iterations *= 4;
  }
  const perOp: number[] = [];
  for (let t = 0; t < TRIALS; t++) perOp.push((timeOnce(run, iterations) * 1e6) / iterations);
  perOp.sort((a, b) => a - b);
  return perOp[TRIALS >> 1];
}

const results = variants.map((v) => ({ v, ns: measure(v.run) }));
const copyNs = results[0].ns;
const header = ['variant', 'us/super-frame', 'ns/segment', 'Msegments/s', 'GB/s', 'x copy time'];
const rows = results.map(({ v, ns }) => [
  v.name,
  (ns / 1000).toFixed(2),
  (ns / SEGMENTS).toFixed(0),
  ((SEGMENTS / ns) * 1000).toFixed(3),
  (superFrame.length / ns).toFixed(2),
  (ns / copyNs).toFixed(1),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`super-frame ${superFrame.length} B, MSS ${MSS}, ${SEGMENTS} segments per super-frame`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
console.log(`(median of ${TRIALS} trials; 'x copy time' = time per super-frame / time to copy its bytes once; sink ${sink.value & 1})`);
