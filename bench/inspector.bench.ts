// Packet inspector cost over one real capture (router-club, 500 frames at vm1/eth0 and r1/eth0, mostly
// 64 KiB super-frames): decoding the list rows, decoding one selected frame, and writing the download in
// each view, against a baseline measured in the same run: copying the same frames' bytes once (what the
// inspector must do anyway to keep frames out of the capture ring).
// Run: node --import tsx bench/inspector.bench.ts
import { Engine } from '../src/core/engine';
import { capturePointsOf } from '../src/core/protocol';
import { CaptureConsumer, CaptureProducer, FRAME_FLAG_TX, createCaptureRing, type FrameMeta } from '../src/core/ring/frames';
import { findPreset } from '../src/core/scenario/presets';
import { captureFile, copyCapturedFrame, frameDetail, frameRow, type InspectedFrame } from '../src/ui/inspector/model';
import { measureNsPerOp } from './lib';

const FRAMES = 500;
const preset = findPreset('router-club')!;
const engine = new Engine(preset.scenario, { seed: 1 });
const points = capturePointsOf(preset.scenario);
const index = new Map(points.map((p, i) => [`${p.node}/${p.iface}/${p.dir}`, i]));
const buffers = createCaptureRing(4096, 1 << 26, false);
const producer = new CaptureProducer(buffers);
const consumer = new CaptureConsumer(buffers);
engine.captureFilter = ['vm1/eth0', 'r1/eth0'];
engine.onCapture = (point, frame, skb, tNs) => {
  producer.capture(tNs, index.get(`${point.node}/${point.iface}/${point.dir}`)!, frame, skb as FrameMeta, point.dir === 'tx' ? FRAME_FLAG_TX : 0);
};
const frames: InspectedFrame[] = [];
for (let t = 1e6; frames.length < FRAMES; t += 1e6) {
  engine.runUntil(t);
  producer.flush();
  consumer.drain((f) => {
    if (frames.length < FRAMES) frames.push(copyCapturedFrame(f, frames.length + 1, points));
  });
}
const bytes = frames.reduce((n, f) => n + f.bytes.length, 0);
const superFrame = frames.filter((f) => f.gsoSize > 0 && !f.truncated).reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));

const baselineNs = measureNsPerOp(() => {
  let n = 0;
  for (const f of frames) n += f.bytes.slice().length;
  return n;
});
const rows: [string, number, number][] = [
  ['baseline: copy the frames once', baselineNs, bytes],
  ['list rows (frameRow × 500)', measureNsPerOp(() => frames.reduce((n, f) => n + frameRow(f).lengthBytes, 0)), bytes],
  [`one ${superFrame.bytes.length} B super-frame → ${frameDetail(superFrame).wire.length} segments`, measureNsPerOp(() => frameDetail(superFrame).wire.length), superFrame.bytes.length],
  ['pcap, tcpdump view', measureNsPerOp(() => captureFile(frames, 'pcap', points).length), bytes],
  ['pcapng, tcpdump view (+comments)', measureNsPerOp(() => captureFile(frames, 'pcapng', points).length), bytes],
  ['pcap, wire view (segmented)', measureNsPerOp(() => captureFile(frames, 'pcap', points, 'wire').length), bytes],
];
console.log(`capture: ${frames.length} frames, ${(bytes / 1e6).toFixed(1)} MB (${frames.filter((f) => f.gsoSize > 0).length} super-frames)`);
console.log('case                                      ms      MB/s   × baseline');
for (const [name, ns, caseBytes] of rows) {
  const ms = ns / 1e6;
  console.log(`${name.padEnd(40)} ${ms.toFixed(3).padStart(7)} ${(caseBytes / 1e6 / (ms / 1e3)).toFixed(0).padStart(8)} ${(ns / baselineNs).toFixed(2).padStart(9)}`);
}
