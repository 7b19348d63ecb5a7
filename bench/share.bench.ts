// Share links: size of every preset's link (and of its plain JSON / deflate without the dictionary, as the
// same-run baseline for size), and the time to encode and to open one through the door, against a same-run
// baseline of JSON.parse + parseScenario on the plain JSON (what opening an uncompressed file costs anyway).
// Also the door's refusal time for a 64 MiB zip bomb (stops at the inflate cap).
// Run: node --import tsx bench/share.bench.ts
import { deflateSync } from 'fflate';
import { PRESETS } from '../src/core/scenario/presets/index';
import { parseScenario } from '../src/core/scenario/validate';
import { DICTIONARY_V1 } from '../src/share/dictionary-v1';
import { openUntrusted } from '../src/share/door';
import { base64urlEncode, encodeShareFragment, payloadJson } from '../src/share/link';

const TRIALS = 5;
const TARGET_MS = 60;
const sink = { n: 0 };

/** Median µs per op. */
function measure(body: () => number): number {
  let iterations = 1;
  const run = (n: number): number => {
    let acc = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) acc += body();
    sink.n += acc;
    return performance.now() - t0;
  };
  run(iterations);
  for (;;) {
    const ms = run(iterations);
    if (ms > TARGET_MS / 4) {
      iterations = Math.max(1, Math.round((iterations * TARGET_MS) / ms));
      break;
    }
    iterations *= 4;
  }
  const samples: number[] = [];
  for (let t = 0; t < TRIALS; t++) samples.push((run(iterations) * 1e3) / iterations);
  return samples.toSorted((a, b) => a - b)[TRIALS >> 1];
}

const view = { charts: ['tcpThroughput', 'eventsPerSec'] };
const rows: string[][] = [];
for (const p of PRESETS) {
  const state = { scenario: p.scenario, view };
  const json = JSON.stringify(p.scenario);
  const link = encodeShareFragment(state);
  const noDict = `#s=1.${base64urlEncode(deflateSync(new TextEncoder().encode(payloadJson(state)), { level: 9 }))}`;
  const encodeUs = measure(() => encodeShareFragment(state).length);
  const openUs = measure(() => (openUntrusted({ kind: 'link', text: link }).ok ? 1 : 0));
  const baseUs = measure(() => (parseScenario(JSON.parse(json)).ok ? 1 : 0));
  rows.push([
    p.id,
    String(json.length),
    String(noDict.length),
    String(link.length),
    (link.length / json.length).toFixed(3),
    encodeUs.toFixed(1),
    openUs.toFixed(1),
    baseUs.toFixed(1),
    (openUs / baseUs).toFixed(2),
  ]);
}

const header = ['preset', 'JSON chars', 'link, no dict', 'link chars', 'link/JSON', 'encode µs', 'open µs', 'JSON.parse+validate µs', 'open/baseline'];
const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
const line = (cells: string[]) => cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ');
console.log(line(header));
for (const r of rows) console.log(line(r));

const bomb = `#s=1.${base64urlEncode(deflateSync(new Uint8Array(64 << 20).fill(0x20), { level: 9, dictionary: DICTIONARY_V1 }))}`;
const bombUs = measure(() => (openUntrusted({ kind: 'link', text: bomb }).ok ? 1 : 0));
console.log(`\nzip bomb (64 MiB of spaces, ${bomb.length} link chars): refused in ${(bombUs / 1e3).toFixed(1)} ms (inflating stops at the 8 MiB cap)`);
if (sink.n < 0) console.log(sink.n);
