// Capture cost: pcap / pcapng writers, readers and the capture views, per packet and per byte, against a
// baseline measured in the same run (header + Uint8Array.set of the same bytes into one preallocated buffer,
// allocated once outside the timing, i.e. the least a capture writer can do).
// Run: node --import tsx bench/pcap.bench.ts
import { PcapWriter, PcapngWriter, readPcap, readPcapng } from '../src/core/packet/pcap';
import { CaptureRecorder, annotateCapture, wireFrames } from '../src/core/packet/capture';
import { buildTcpFrame } from '../src/core/packet/frame';
import { IpSummed, SKB_GSO_TCPV4, createSkb, type Skb } from '../src/core/packet/skb';

const TRIALS = 7;
const TARGET_BYTES_PER_TRIAL = 4 << 20;
const MAX_OPS_PER_TRIAL = 200_000;

interface Row {
  case: string;
  frameBytes: number;
  nsPerPacket: number;
  mbPerSec: number;
  vsBaseline: number;
}

const sink = { value: 0 };

function tcpFrame(payloadLength: number): { frame: Uint8Array; skb: Skb } {
  const frame = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 40000, dstPort: 80, seq: 1, payloadLength, checksum: 'partial' });
  const skb = createSkb({ len: frame.length, ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 16, networkHeader: 14, transportHeader: 34 });
  if (payloadLength > 1500) {
    skb.gsoSize = 1448;
    skb.gsoType = SKB_GSO_TCPV4;
  }
  return { frame, skb };
}

interface Case {
  name: string;
  trial: (ops: number) => void;
  ops: number;
  samples: number[];
}

/** Runs TRIALS rounds over all cases of one frame size, interleaved so GC and page-fault noise spreads evenly. */
function measureAll(cases: Case[]): void {
  for (const c of cases) c.trial(Math.max(1, c.ops >> 4)); // warm-up
  for (let t = 0; t < TRIALS; t++) {
    for (const c of cases) {
      const t0 = performance.now();
      c.trial(c.ops);
      c.samples.push(((performance.now() - t0) * 1e6) / c.ops);
    }
  }
}

const median = (xs: number[]): number => xs.toSorted((a, b) => a - b)[xs.length >> 1];

const rows: Row[] = [];

for (const payload of [10, 1460, 64_000]) {
  const { frame, skb } = tcpFrame(payload);
  const n = frame.length;
  const ops = Math.min(MAX_OPS_PER_TRIAL, Math.max(50, Math.floor(TARGET_BYTES_PER_TRIAL / n)));
  const cases: Case[] = [];
  const add = (name: string, trial: (ops: number) => void, opsOverride = ops): void => {
    cases.push({ name, trial, ops: opsOverride, samples: [] });
  };

  const flat = new Uint8Array(24 + ops * (16 + n));
  const flatView = new DataView(flat.buffer);
  add('baseline: header + set() into flat buffer', (k) => {
    const out = flat;
    const view = flatView;
    let at = 24;
    for (let i = 0; i < k; i++) {
      view.setUint32(at, i, true);
      view.setUint32(at + 4, i, true);
      view.setUint32(at + 8, n, true);
      view.setUint32(at + 12, n, true);
      out.set(frame, at + 16);
      at += 16 + n;
    }
    sink.value ^= out[at - 1];
  });
  add('PcapWriter.writePacket (number ts)', (k) => {
    const w = new PcapWriter();
    for (let i = 0; i < k; i++) w.writePacket(i * 1000, frame);
    sink.value ^= w.lengthBytes;
  });
  add('PcapWriter.writePacket (bigint ts)', (k) => {
    const w = new PcapWriter();
    let ts = 1_700_000_000_000_000_000n;
    for (let i = 0; i < k; i++) {
      w.writePacket(ts, frame);
      ts += 1000n;
    }
    sink.value ^= w.lengthBytes;
  });
  add('PcapWriter + finish() copy', (k) => {
    const w = new PcapWriter();
    for (let i = 0; i < k; i++) w.writePacket(i * 1000, frame);
    sink.value ^= w.finish().length;
  });
  add('PcapngWriter.writePacket', (k) => {
    const w = new PcapngWriter();
    w.addInterface({ name: 'eth0' });
    for (let i = 0; i < k; i++) w.writePacket(0, i * 1000, frame);
    sink.value ^= w.lengthBytes;
  });
  add('PcapngWriter.writePacket + comment', (k) => {
    const w = new PcapngWriter();
    w.addInterface({ name: 'eth0' });
    for (let i = 0; i < k; i++) w.writePacket(0, i * 1000, frame, { comment: 'ip_summed=CHECKSUM_PARTIAL; csum_start=34 csum_offset=16', direction: 'out' });
    sink.value ^= w.lengthBytes;
  });
  {
    const w = new PcapWriter();
    for (let i = 0; i < ops; i++) w.writePacket(i * 1000, frame);
    const file = w.finish();
    add('readPcap (per record)', (k) => {
      let total = 0;
      for (let done = 0; done < k; done += ops) total += readPcap(file).records.length;
      sink.value ^= total;
    });
    const g = new PcapngWriter();
    g.addInterface({ name: 'eth0' });
    for (let i = 0; i < ops; i++) g.writePacket(0, i * 1000, frame);
    const ng = g.finish();
    add('readPcapng (per block)', (k) => {
      let total = 0;
      for (let done = 0; done < k; done += ops) total += readPcapng(ng).packets.length;
      sink.value ^= total;
    });
  }
  const viewOps = Math.max(20, ops >> 2);
  add('annotateCapture (parse + 2 checksums)', (k) => {
    let acc = 0;
    for (let i = 0; i < k; i++) acc ^= annotateCapture(frame, skb).l4!.correctValue;
    sink.value ^= acc;
  }, viewOps);
  add(skb.gsoSize ? 'wireFrames (segment + finish)' : 'wireFrames (copy + finish)', (k) => {
    let acc = 0;
    for (let i = 0; i < k; i++) acc += wireFrames(frame, skb).length;
    sink.value ^= acc;
  }, viewOps);
  add('CaptureRecorder tcpdump view + comment', (k) => {
    const rec = new CaptureRecorder();
    const id = rec.addPoint({ name: 'tap0', view: 'tcpdump' });
    for (let i = 0; i < k; i++) rec.capture(id, i * 1000, frame, skb);
    sink.value ^= rec.packetCount;
  }, viewOps);
  measureAll(cases);
  for (const c of cases) {
    const ns = median(c.samples);
    rows.push({ case: c.name, frameBytes: n, nsPerPacket: ns, mbPerSec: (n / ns) * 1e3, vsBaseline: 0 });
  }
}

for (const r of rows) {
  const base = rows.find((b) => b.frameBytes === r.frameBytes && b.case.startsWith('baseline'))!;
  r.vsBaseline = r.nsPerPacket / base.nsPerPacket;
}

console.log('capture writers/readers/views — median of 7 trials, ns per packet (lower is better); vs baseline = time ratio');
console.table(
  rows.map((r) => ({
    case: r.case,
    'frame B': r.frameBytes,
    'ns/pkt': r.nsPerPacket.toFixed(0),
    'MB/s': r.mbPerSec.toFixed(0),
    'x baseline': r.vsBaseline.toFixed(2),
  })),
);
if (sink.value === 0.5) console.log('');
