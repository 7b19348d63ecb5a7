import { describe, expect, it } from 'vitest';
import { PacketError } from './errors';
import { ipv4HeaderChecksum, verifyL4Checksum } from './checksum';
import { TCP_ACK, TCP_CWR, TCP_PSH, TCP_SYN, buildTcpFrame, buildUdpFrame, parseFrame } from './frame';
import type { TcpFrameSpec } from './frame';
import { GroQueue } from './gro';
import type { GroPacket, GroVerdict } from './gro';
import { segmentTcp } from './gso';
import {
  IpSummed,
  SKB_GSO_DODGY,
  SKB_GSO_TCP_ECN,
  SKB_GSO_TCP_FIXEDID,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  computeCompleteChecksum,
  createSkb,
} from './skb';
import type { Skb } from './skb';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];

const MSS = 1448;

/** Payload of the §5.4 stream: byte k = k mod 256 from stream offset `from`. */
function pattern(from: number, length: number): Uint8Array {
  const p = new Uint8Array(length);
  for (let k = 0; k < length; k++) p[k] = (from + k) & 0xff;
  return p;
}

/**
 * Segment i of a §5.4-style stream (IPv4 192.168.1.10:40000 → .20:80, ack 1, window 502, DF, id 0x1234 + i),
 * full checksums, with overrides.
 */
function seg(i: number, over: Partial<TcpFrameSpec> & { payloadBytes?: number } = {}): Uint8Array {
  const { payloadBytes, ...rest } = over;
  return buildTcpFrame({
    srcIp: '192.168.1.10',
    dstIp: '192.168.1.20',
    ipId: 0x1234 + i,
    srcPort: 40000,
    dstPort: 80,
    seq: 1 + i * MSS,
    ack: 1,
    flags: TCP_ACK,
    window: 502,
    payload: pattern(i * MSS, payloadBytes ?? MSS),
    ...rest,
  });
}

function rxSkb(frame: Uint8Array, hash = 0x11, init: Partial<Skb> = {}): Skb {
  return createSkb({ len: frame.length, hash, networkHeader: 14, transportHeader: 34, ...init });
}

/** Feed frames, collecting verdicts and deliveries. */
function feed(q: GroQueue, frames: Uint8Array[], hash = 0x11, init: Partial<Skb> = {}): { verdicts: GroVerdict[]; out: GroPacket[] } {
  const out: GroPacket[] = [];
  const verdicts = frames.map((f) => q.receive(f, rxSkb(f, hash, init), out));
  return { verdicts, out };
}

function tsoSuperFramePartial(): Uint8Array {
  return buildTcpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x1234, srcPort: 40000, dstPort: 80, seq: 1, ack: 1, flags: TCP_ACK | TCP_PSH, window: 502, payloadLength: 4000, checksum: 'partial' });
}

function exampleSegments(deviceChecksum: boolean): Uint8Array[] {
  const sup = tsoSuperFramePartial();
  const skb = createSkb({ len: sup.length, ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 16, gsoSize: MSS, gsoType: SKB_GSO_TCPV4, networkHeader: 14, transportHeader: 34 });
  return segmentTcp(sup, skb, { deviceChecksum }).frames;
}

function decide(newSeg: Uint8Array): { verdict: GroVerdict; out: GroPacket[]; q: GroQueue } {
  const q = new GroQueue();
  const out: GroPacket[] = [];
  expect(q.receive(seg(0), rxSkb(seg(0)), out)).toBe('held');
  const verdict = q.receive(newSeg, rxSkb(newSeg), out);
  return { verdict, out, q };
}

const v6 = (i: number, over: Partial<TcpFrameSpec> = {}): Uint8Array =>
  buildTcpFrame({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', flowLabel: 0x12345, srcPort: 443, dstPort: 5000, seq: 100 + i * 1428, ack: 7, flags: TCP_ACK, window: 300, payload: pattern(i * 1428, 1428), ...over });
const skb6 = (f: Uint8Array): Skb => rxSkb(f, 0x44, { transportHeader: 54 });

const ts = (v: number): Partial<TcpFrameSpec> => ({ options: { timestamps: { value: v, echo: 9 } } });

describe('GRO round trip of §5.4 [V]', () => {
  it('three full-checksum segments → the super-packet, CHECKSUM_PARTIAL, gso 1448 × 3', () => {
    const q = new GroQueue();
    const { verdicts, out } = feed(q, exampleSegments(false));
    expect(verdicts).toEqual(['held', 'merged', 'merged-flushed']);
    expect(out.length).toBe(1);
    const [m] = out;
    expect(hex(m.frame.subarray(14, 34))).toBe('45000fc8123440004006958dc0a8010ac0a80114');
    expect(hex(m.frame.subarray(34, 54))).toBe('9c4000500000000100000001501801f693290000');
    expect(hex(m.frame)).toBe(hex(tsoSuperFramePartial()));
    expect(m.skb.ipSummed).toBe(IpSummed.PARTIAL);
    expect([m.skb.csumStart, m.skb.csumOffset, m.skb.gsoSize, m.skb.gsoSegs, m.skb.gsoType, m.skb.len]).toEqual([34, 16, 1448, 3, SKB_GSO_TCPV4, 4054]);
    expect(m.segments).toBe(3);
    expect(m.lro).toBe(false);
    expect(q.heldFlows).toBe(0);
    expect(q.stats.checksumBytes).toBe(1468 + 1468 + 1124);
    expect(q.stats.aggregates).toBe(1);
  });

  it('PARTIAL segments (from a veth/virtio peer) are trusted: same result, no checksum work', () => {
    const q = new GroQueue();
    const { out } = feed(q, exampleSegments(true), 0x11, { ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 16 });
    expect(out.length).toBe(1);
    expect(hex(out[0].frame)).toBe(hex(tsoSuperFramePartial()));
    expect(q.stats.checksumBytes).toBe(0);
  });
});

describe('GRO decision vectors §6.4 [D] (p = segment 0, new = modified segment 1)', () => {
  it('identical → merged, p stays held with count 2', () => {
    const { verdict, out, q } = decide(seg(1));
    expect(verdict).toBe('merged');
    expect(out).toEqual([]);
    expect(q.heldFlows).toBe(1);
    const [m] = q.flush();
    expect(m.segments).toBe(2);
    expect(m.skb.gsoSegs).toBe(2);
    expect(u16(m.frame, 16)).toBe(40 + 2 * MSS);
    expect(ipv4HeaderChecksum(m.frame, 14)).toBe(u16(m.frame, 24));
  });

  for (const [name, over] of [
    ['window 503', { window: 503 }],
    ['ACK number 2', { ack: 2 }],
    ['TTL 63', { ttl: 63 }],
  ] as const) {
    it(`${name} → not merged; p delivered alone (not GSO); new held`, () => {
      const { verdict, out, q } = decide(seg(1, over));
      expect(verdict).toBe('held');
      expect(out.length).toBe(1);
      expect(hex(out[0].frame)).toBe(hex(seg(0)));
      expect(out[0].skb.gsoSize).toBe(0);
      expect(out[0].segments).toBe(1);
      // Verified in software on the way in: NONE became UNNECESSARY.
      expect(out[0].skb.ipSummed).toBe(IpSummed.UNNECESSARY);
      expect(q.heldFlows).toBe(1);
      expect(hex(q.flush()[0].frame)).toBe(hex(seg(1, over)));
    });
  }

  it('PSH set → merged, then flushed immediately', () => {
    const { verdict, out, q } = decide(seg(1, { flags: TCP_ACK | TCP_PSH }));
    expect(verdict).toBe('merged-flushed');
    expect(out.length).toBe(1);
    expect(out[0].frame[47]).toBe(TCP_ACK | TCP_PSH);
    expect(q.heldFlows).toBe(0);
  });
});

describe('GRO flush rules', () => {
  it('out-of-order seq: held flow flushed at each gap, never merged across it', () => {
    const q = new GroQueue();
    const { verdicts, out } = feed(q, [seg(0), seg(2), seg(1), seg(3)]);
    expect(verdicts).toEqual(['held', 'held', 'held', 'held']);
    expect(out.map((p) => parseFrame(p.frame).tcp?.seq)).toEqual([1, 1 + 2 * MSS, 1 + MSS]);
    expect(q.flush().map((p) => parseFrame(p.frame).tcp?.seq)).toEqual([1 + 3 * MSS]);
  });

  it('differing TOS flushes; differing window/options flush; CWR on the new segment flushes', () => {
    for (const over of [{ tos: 0x10 }, { options: { timestamps: { value: 5, echo: 6 } } }, { flags: TCP_ACK | TCP_CWR }] as const) {
      const q = new GroQueue();
      const { verdicts, out } = feed(q, [seg(0), seg(1, over)]);
      expect(verdicts).toEqual(['held', 'held']);
      expect(out.length).toBe(1);
    }
  });

  it('timestamps: equal options merge, a changed TSval flushes', () => {
    const q = new GroQueue();
    const mssTs = MSS - 12;
    const a = seg(0, { ...ts(100), payloadBytes: mssTs });
    const b = seg(0, { ...ts(100), payloadBytes: mssTs, seq: 1 + mssTs, ipId: 0x1235 });
    const c = seg(0, { ...ts(101), payloadBytes: mssTs, seq: 1 + 2 * mssTs, ipId: 0x1236 });
    const { verdicts, out } = feed(q, [a, b, c]);
    expect(verdicts).toEqual(['held', 'merged', 'held']);
    expect(out[0].segments).toBe(2);
    expect(out[0].skb.gsoSize).toBe(mssTs);
  });

  it('pure ACK: held flow flushed, ACK delivered as is; SYN never held', () => {
    const q = new GroQueue();
    const { verdicts, out } = feed(q, [seg(0), seg(1, { payloadBytes: 0 }), seg(5, { flags: TCP_SYN })]);
    expect(verdicts).toEqual(['held', 'normal', 'normal']);
    expect(out.length).toBe(3);
    expect(q.heldFlows).toBe(0);
  });

  it('a short segment merges then ends the flow; a longer-than-MSS segment does not merge', () => {
    const q = new GroQueue();
    expect(feed(q, [seg(0), seg(1, { payloadBytes: 100 })]).verdicts).toEqual(['held', 'merged-flushed']);
    const q2 = new GroQueue();
    const small = seg(0, { payloadBytes: 1000 });
    const big = seg(0, { payloadBytes: 1200, seq: 1001, ipId: 0x1235 });
    expect(feed(q2, [small, big]).verdicts).toEqual(['held', 'held']);
  });

  it('64 KiB limit: 45 × 1448 fit, the 46th starts a new flow', () => {
    const q = new GroQueue();
    const frames = Array.from({ length: 46 }, (_, i) => seg(i));
    const { verdicts, out } = feed(q, frames);
    expect(verdicts.filter((v) => v === 'merged').length).toBe(44);
    expect(verdicts[45]).toBe('held');
    expect(out.length).toBe(1);
    expect(out[0].segments).toBe(45);
    expect(u16(out[0].frame, 16)).toBe(40 + 45 * MSS);
    expect(out[0].frame.length).toBe(14 + 40 + 45 * MSS);
    const q2 = new GroQueue({ maxSegments: 10 });
    expect(feed(q2, frames.slice(0, 11)).out[0].segments).toBe(10);
  });

  it('IP ID: fixed IDs with DF merge and set FIXEDID; a jump of 2 flushes; fixed without DF flushes', () => {
    const q = new GroQueue();
    const fixed = [0, 1, 2].map((i) => seg(i, { ipId: 0x7777 }));
    const [m] = feed(q, fixed).out.concat(q.flush());
    expect(m.segments).toBe(3);
    expect(m.skb.gsoType).toBe(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID);
    // Once fixed, an incrementing ID breaks the flow.
    const q1 = new GroQueue();
    expect(feed(q1, [seg(0, { ipId: 5 }), seg(1, { ipId: 5 }), seg(2, { ipId: 7 })]).verdicts).toEqual(['held', 'merged', 'held']);
    const q2 = new GroQueue();
    expect(feed(q2, [seg(0), seg(1, { ipId: 0x1236 })]).verdicts).toEqual(['held', 'held']);
    const q3 = new GroQueue();
    expect(feed(q3, [seg(0, { dontFragment: false }), seg(1, { dontFragment: false, ipId: 0x1234 })]).verdicts).toEqual(['held', 'held']);
    const q4 = new GroQueue();
    expect(feed(q4, [seg(0, { dontFragment: false }), seg(1, { dontFragment: false })]).verdicts).toEqual(['held', 'merged']);
    const q5 = new GroQueue();
    expect(feed(q5, [seg(0), seg(1, { dontFragment: false })]).verdicts).toEqual(['held', 'held']);
  });

  it('CWR on the first segment survives and sets SKB_GSO_TCP_ECN', () => {
    const q = new GroQueue();
    feed(q, [seg(0, { flags: TCP_ACK | TCP_CWR }), seg(1)]);
    const [m] = q.flush();
    expect(m.segments).toBe(2);
    expect(m.skb.gsoType).toBe(SKB_GSO_TCPV4 | SKB_GSO_TCP_ECN);
  });

  it('a bad checksum (NONE) is delivered as is and leaves the held flow alone', () => {
    const q = new GroQueue();
    const bad = seg(1);
    bad[bad.length - 1] ^= 0xff;
    const { verdicts, out } = feed(q, [seg(0), bad, seg(1)]);
    expect(verdicts).toEqual(['held', 'normal', 'merged']);
    expect(out.length).toBe(1);
    expect(out[0].frame).toBe(bad);
    expect(out[0].skb.ipSummed).toBe(IpSummed.NONE);
  });

  it('CHECKSUM_COMPLETE: a matching device sum costs no byte pass; a wrong one falls back to software', () => {
    const frames = [seg(0), seg(1), seg(2)];
    const q = new GroQueue();
    const out: GroPacket[] = [];
    for (const f of frames) {
      const s = rxSkb(f, 0x11, { ipSummed: IpSummed.COMPLETE });
      s.csum = computeCompleteChecksum(f, s);
      q.receive(f, s, out);
    }
    expect(q.flush(out).length).toBe(1);
    expect(out[0].segments).toBe(3);
    expect(q.stats.checksumBytes).toBe(0);
    const q2 = new GroQueue();
    const wrong = frames.map((f) => q2.receive(f, rxSkb(f, 0x11, { ipSummed: IpSummed.COMPLETE, csum: 0x1234 }), []));
    expect(wrong).toEqual(['held', 'merged', 'merged']);
    expect(q2.stats.checksumBytes).toBe(3 * (20 + MSS));
    const bad = seg(3);
    bad[100] ^= 1;
    expect(q2.receive(bad, rxSkb(bad, 0x11, { ipSummed: IpSummed.COMPLETE, csum: 0x1234 }), [])).toBe('normal');
  });

  it('not GRO candidates: UDP, IPv4 options, fragments, bad IP header checksum, padded frames', () => {
    const udp = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 100 });
    const opts = new Uint8Array(seg(0).length + 4);
    const s0 = seg(0);
    opts.set(s0.subarray(0, 34));
    opts.set([1, 1, 1, 0], 34);
    opts.set(s0.subarray(34), 38);
    opts[14] = 0x46;
    const frag = seg(0);
    frag[20] |= 0x20;
    const badIp = seg(0);
    badIp[24] ^= 1;
    const q = new GroQueue();
    expect(feed(q, [udp, opts, frag, badIp]).verdicts).toEqual(['normal', 'normal', 'normal', 'normal']);
    // Tiny segment padded to 60 bytes: tot_len ≠ length → not merged, flow flushed.
    const tiny = seg(1, { payloadBytes: 2 });
    const padded = new Uint8Array(60);
    padded.set(tiny);
    expect(feed(q, [seg(0), padded]).verdicts).toEqual(['held', 'normal']);
    expect(q.heldFlows).toBe(0);
  });

  it('interleaved flows on one queue merge separately; flush goes bucket by bucket, oldest first', () => {
    const q = new GroQueue();
    const out: GroPacket[] = [];
    for (let i = 0; i < 3; i++) {
      const a = seg(i);
      const b = seg(i, { srcPort: 40001, ipId: 0x100 + i });
      const c = seg(i, { srcPort: 40002, ipId: 0x200 + i });
      q.receive(c, rxSkb(c, 0x22), out);
      q.receive(a, rxSkb(a, 0x11), out);
      q.receive(b, rxSkb(b, 0x11), out);
    }
    expect(out).toEqual([]);
    expect(q.heldFlows).toBe(3);
    const flushed = q.flush();
    expect(flushed.map((p) => [parseFrame(p.frame).srcPort, p.segments])).toEqual([
      [40000, 3],
      [40001, 3],
      [40002, 3],
    ]);
  });

  it('a 9th flow in one bucket evicts the oldest', () => {
    const q = new GroQueue();
    const out: GroPacket[] = [];
    for (let f = 0; f < 9; f++) {
      const s = seg(0, { srcPort: 1000 + f });
      q.receive(s, rxSkb(s, 8 * f + 3), out);
    }
    expect(q.stats.evictions).toBe(1);
    expect(out.map((p) => parseFrame(p.frame).srcPort)).toEqual([1000]);
    expect(q.heldFlows).toBe(8);
  });

  it('same ports but a different hash or Ethernet source are different flows', () => {
    const q = new GroQueue();
    const out: GroPacket[] = [];
    q.receive(seg(0), rxSkb(seg(0), 0x11), out);
    q.receive(seg(1), rxSkb(seg(1), 0x19), out);
    const mac = seg(1, { srcMac: '02:00:00:00:00:01' });
    q.receive(mac, rxSkb(mac, 0x11), out);
    expect(q.heldFlows).toBe(3);
  });

  it('an incoming GSO packet (e.g. GRO_HW) merges when its gso_size equals the MSS; DODGY ones do not', () => {
    const gsoFrame = buildTcpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x1234, srcPort: 40000, dstPort: 80, seq: 1, ack: 1, flags: TCP_ACK, window: 502, payload: pattern(0, 2 * MSS), checksum: 'partial' });
    const gsoSkb = (t: number) => rxSkb(gsoFrame, 0x11, { ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 16, gsoSize: MSS, gsoType: t, gsoSegs: 2 });
    const q = new GroQueue();
    const out: GroPacket[] = [];
    expect(q.receive(gsoFrame, gsoSkb(SKB_GSO_TCPV4), out)).toBe('held');
    expect(q.receive(seg(2), rxSkb(seg(2)), out)).toBe('merged');
    const [m] = q.flush();
    expect(m.segments).toBe(3);
    expect(m.skb.gsoSegs).toBe(3);
    const q2 = new GroQueue();
    expect(q2.receive(gsoFrame, gsoSkb(SKB_GSO_TCPV4 | SKB_GSO_DODGY), [])).toBe('normal');
  });

  it('rejects nonsensical options', () => {
    expect(() => new GroQueue({ maxFlowsPerBucket: 0 })).toThrow(PacketError);
    expect(() => new GroQueue({ maxSizeBytes: -1 })).toThrow(PacketError);
  });
});

describe('GRO over IPv6', () => {
  it('merges into a TCPV6 super-frame with payload length and pseudo field fixed', () => {
    const q = new GroQueue();
    const out: GroPacket[] = [];
    for (let i = 0; i < 3; i++) q.receive(v6(i), skb6(v6(i)), out);
    const [m] = q.flush();
    expect(m.segments).toBe(3);
    expect(m.skb.gsoType).toBe(SKB_GSO_TCPV6);
    expect(m.skb.csumStart).toBe(54);
    expect(u16(m.frame, 18)).toBe(20 + 3 * 1428);
    const want = buildTcpFrame({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', flowLabel: 0x12345, srcPort: 443, dstPort: 5000, seq: 100, ack: 7, flags: TCP_ACK, window: 300, payload: pattern(0, 3 * 1428), checksum: 'partial' });
    expect(hex(m.frame)).toBe(hex(want));
  });

  it('hop limit or traffic class differences flush; a different flow label is another flow', () => {
    for (const over of [{ ttl: 1 }, { tos: 4 }]) {
      const q = new GroQueue();
      const out: GroPacket[] = [];
      q.receive(v6(0), skb6(v6(0)), out);
      expect(q.receive(v6(1, over), skb6(v6(1, over)), out)).toBe('held');
      expect(out.length).toBe(1);
    }
    const q = new GroQueue();
    const out: GroPacket[] = [];
    q.receive(v6(0), skb6(v6(0)), out);
    q.receive(v6(1, { flowLabel: 1 }), skb6(v6(1, { flowLabel: 1 })), out);
    expect(out.length).toBe(0);
    expect(q.heldFlows).toBe(2);
  });
});

describe('LRO model §6.5', () => {
  it('merges across ACK/window/TTL/ID changes, keeps the newest ACK and window, full checksum, not reversible', () => {
    const q = new GroQueue({ mode: 'lro' });
    const frames = [seg(0), seg(1, { ack: 50, window: 600, ttl: 63, ipId: 9 }), seg(2, { ack: 90, window: 700, flags: TCP_ACK | TCP_PSH, payloadBytes: 500 })];
    const { verdicts, out } = feed(q, frames);
    expect(verdicts).toEqual(['held', 'merged', 'merged-flushed']);
    const [m] = out;
    const p = parseFrame(m.frame);
    expect(m.lro).toBe(true);
    expect(m.segments).toBe(3);
    expect(p.tcp?.ack).toBe(90);
    expect(p.tcp?.window).toBe(700);
    expect(p.tcp?.seq).toBe(1);
    expect(p.tcp?.flags).toBe(TCP_ACK | TCP_PSH);
    expect(p.ttlOrHopLimit).toBe(64);
    expect(p.payloadLength).toBe(2 * MSS + 500);
    expect(verifyL4Checksum(m.frame, p)).toBe(true);
    expect(ipv4HeaderChecksum(m.frame, 14)).toBe(u16(m.frame, 24));
    expect(m.skb.ipSummed).toBe(IpSummed.UNNECESSARY);
    expect([m.skb.gsoSize, m.skb.gsoSegs, m.skb.gsoType]).toEqual([MSS, 3, SKB_GSO_TCPV4]);
  });

  it('SYN/FIN-style segments and gaps end the aggregate', () => {
    const q = new GroQueue({ mode: 'lro' });
    const { verdicts, out } = feed(q, [seg(0), seg(1), seg(3), seg(4, { flags: TCP_ACK | TCP_SYN })]);
    expect(verdicts).toEqual(['held', 'merged', 'held', 'normal']);
    expect(out.map((p) => p.segments)).toEqual([2, 1, 1]);
  });
});
