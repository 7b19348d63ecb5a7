import { describe, expect, it } from 'vitest';
import { PacketError } from './errors';
import { ipv4HeaderChecksum, verifyL4Checksum } from './checksum';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, buildTcpFrame, buildUdpFrame, parseFrame } from './frame';
import { SegmentBuffer, UDP_MAX_SEGMENTS, gsoSegmentCount, segment, segmentInto, segmentTcp, segmentUdp, segmentUfo } from './gso';
import {
  IpSummed,
  SKB_GSO_TCP_ACCECN,
  SKB_GSO_TCP_FIXEDID,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  SKB_GSO_UDP,
  SKB_GSO_UDP_L4,
  createSkb,
} from './skb';
import type { Skb } from './skb';
import { tsoExampleSuperFrame } from './reference-frames';

function hex(buf: Uint8Array, from = 0, to = buf.length): string {
  return Buffer.from(buf.subarray(from, to)).toString('hex');
}

function u16(buf: Uint8Array, at: number): number {
  return (buf[at] << 8) | buf[at + 1];
}

function superSkb(frame: Uint8Array, gsoType: number, gsoSize: number, csumOffset: number): Skb {
  return createSkb({
    len: frame.length,
    ipSummed: IpSummed.PARTIAL,
    csumStart: 34,
    csumOffset,
    gsoSize,
    gsoType,
    gsoSegs: 0,
    hash: 0xdeadbeef,
    queueMapping: 3,
    networkHeader: 14,
    transportHeader: 34,
  });
}

function usoExampleSuperFrame(): Uint8Array {
  const payload = new Uint8Array(2500);
  for (let k = 0; k < payload.length; k++) payload[k] = (13 * k) & 0xff;
  return buildUdpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x0100, srcPort: 4433, dstPort: 4433, payload, checksum: 'partial' });
}

describe('TSO worked example §5.4 [V]', () => {
  const sup = tsoExampleSuperFrame();

  it('builds the reference super-packet headers', () => {
    expect(hex(sup, 14, 34)).toBe('45000fc8123440004006958dc0a8010ac0a80114');
    expect(hex(sup, 34, 54)).toBe('9c4000500000000100000001501801f693290000');
  });

  it('software checksum: segment headers byte for byte, payload slices, NONE state', () => {
    const r = segmentTcp(sup, superSkb(sup, SKB_GSO_TCPV4, 1448, 16), { deviceChecksum: false });
    expect(r.frames.length).toBe(3);
    expect(r.frames.map((f) => hex(f, 14, 34))).toEqual([
      '450005d01234400040069f85c0a8010ac0a80114',
      '450005d01235400040069f84c0a8010ac0a80114',
      '45000478123640004006a0dbc0a8010ac0a80114',
    ]);
    expect(r.frames.map((f) => hex(f, 34, 54))).toEqual([
      '9c4000500000000100000001501001f66f4b0000',
      '9c400050000005a900000001501001f63a740000',
      '9c40005000000b5100000001501801f6d2630000',
    ]);
    const starts = [0, 1448, 2896];
    r.frames.forEach((f, i) => {
      expect(hex(f, 0, 14)).toBe(hex(sup, 0, 14));
      expect(hex(f, 54)).toBe(hex(sup, 54 + starts[i], 54 + starts[i] + f.length - 54));
      expect(verifyL4Checksum(f, parseFrame(f))).toBe(true);
    });
    expect(r.frames.map((f) => f.length)).toEqual([1502, 1502, 1158]);
    for (const s of r.skbs) {
      expect(s.ipSummed).toBe(IpSummed.NONE);
      expect(s.gsoSize).toBe(0);
      expect(s.gsoType).toBe(0);
      expect(s.hash).toBe(0xdeadbeef);
      expect(s.queueMapping).toBe(3);
    }
    expect(r.skbs.map((s) => s.len)).toEqual([1502, 1502, 1158]);
    expect(r.cost).toEqual({ segments: 3, headerBytesCopied: 162, payloadBytesCopied: 4000, checksumBytes: 1468 + 1468 + 1124 });
  });

  it('device checksum: segments stay PARTIAL with the per-length pseudo-header fold', () => {
    const r = segmentTcp(sup, superSkb(sup, SKB_GSO_TCPV4, 1448, 16), { deviceChecksum: true });
    expect(r.frames.map((f) => u16(f, 50))).toEqual([0x8931, 0x8931, 0x87d9]);
    expect(r.frames.map((f) => u16(f, 24))).toEqual([0x9f85, 0x9f84, 0xa0db]);
    for (const s of r.skbs) {
      expect(s.ipSummed).toBe(IpSummed.PARTIAL);
      expect(s.csumStart).toBe(34);
      expect(s.csumOffset).toBe(16);
    }
    expect(r.cost.checksumBytes).toBe(0);
  });

  it('segmentInto writes the same bytes back to back and reuses its buffer', () => {
    const want = segmentTcp(sup, superSkb(sup, SKB_GSO_TCPV4, 1448, 16), { deviceChecksum: false }).frames;
    const out = new SegmentBuffer(1024, 2);
    expect(segmentInto(sup, superSkb(sup, SKB_GSO_TCPV4, 1448, 16), { deviceChecksum: false }, out)).toBe(3);
    expect([0, 1, 2].map((i) => hex(out.frame(i)))).toEqual(want.map((f) => hex(f)));
    expect(out.offsets[1]).toBe(1502);
    expect(out.ipSummed).toBe(IpSummed.NONE);
    const bytesBefore = out.bytes;
    segmentInto(sup, superSkb(sup, SKB_GSO_TCPV4, 1448, 16), { deviceChecksum: true }, out);
    expect(out.bytes).toBe(bytesBefore);
    expect(u16(out.frame(2), 50)).toBe(0x87d9);
    expect(out.ipSummed).toBe(IpSummed.PARTIAL);
    expect(() => out.frame(3)).toThrow(PacketError);
  });

  it('SegmentBuffer grows for a super-frame that needs more segments or bytes than it holds', () => {
    const big = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, seq: 1, payloadLength: 60000, checksum: 'partial' });
    const out = new SegmentBuffer(1000, 4);
    const want = segmentTcp(big, superSkb(big, SKB_GSO_TCPV4, 200, 16), { deviceChecksum: false });
    expect(segmentInto(big, superSkb(big, SKB_GSO_TCPV4, 200, 16), { deviceChecksum: false }, out)).toBe(300);
    expect(out.count).toBe(300);
    expect(hex(out.frame(299))).toBe(hex(want.frames[299]));
    expect(out.cost).toEqual(want.cost);
  });
});

describe('USO worked example §5.5 [V]', () => {
  const sup = usoExampleSuperFrame();

  it('super-packet has UDP length 2508 and pseudo field 0x8D4C', () => {
    expect(u16(sup, 38)).toBe(2508);
    expect(u16(sup, 40)).toBe(0x8d4c);
  });

  it('segments match the table, in both checksum modes', () => {
    const skb = superSkb(sup, SKB_GSO_UDP_L4, 1000, 6);
    const soft = segmentUdp(sup, skb, { deviceChecksum: false });
    const dev = segmentUdp(sup, skb, { deviceChecksum: true });
    expect(soft.frames.map((f) => [u16(f, 16), u16(f, 18), u16(f, 24), u16(f, 38)])).toEqual([
      [1028, 0x0100, 0xb27a, 1008],
      [1028, 0x0101, 0xb279, 1008],
      [528, 0x0102, 0xb46c, 508],
    ]);
    expect(dev.frames.map((f) => u16(f, 40))).toEqual([0x8770, 0x8770, 0x857c]);
    expect(soft.frames.map((f) => u16(f, 40))).toEqual([0x6bb5, 0xcb14, 0x14f4]);
    soft.frames.forEach((f, i) => {
      expect(hex(f, 42)).toBe(hex(sup, 42 + i * 1000, 42 + i * 1000 + f.length - 42));
      expect(verifyL4Checksum(f, parseFrame(f))).toBe(true);
      expect(ipv4HeaderChecksum(f, 14)).toBe(u16(f, 24));
    });
    expect(dev.skbs.every((s) => s.ipSummed === IpSummed.PARTIAL && s.csumOffset === 6)).toBe(true);
    expect(segment(sup, skb, { deviceChecksum: false }).frames.map((f) => hex(f))).toEqual(soft.frames.map((f) => hex(f)));
  });

  it('refuses more than UDP_MAX_SEGMENTS segments, unless raised', () => {
    const big = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 65 * 100, checksum: 'partial' });
    const skb = superSkb(big, SKB_GSO_UDP_L4, 100, 6);
    expect(() => segmentUdp(big, skb, { deviceChecksum: true })).toThrow(PacketError);
    expect(segmentUdp(big, skb, { deviceChecksum: true, udpMaxSegments: 128 }).frames.length).toBe(65);
    expect(UDP_MAX_SEGMENTS).toBe(64);
  });
});

describe('TCP per-segment rules', () => {
  it('CWR only on the first, FIN/PSH only on the last, ECE on all; ACCECN keeps CWR everywhere', () => {
    const sup = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, seq: 0xfffffc00, flags: TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR | TCP_ECE, payloadLength: 2500, checksum: 'partial' });
    const r = segmentTcp(sup, superSkb(sup, SKB_GSO_TCPV4, 1000, 16), { deviceChecksum: false });
    expect(r.frames.map((f) => f[47])).toEqual([TCP_ACK | TCP_CWR | TCP_ECE, TCP_ACK | TCP_ECE, TCP_ACK | TCP_ECE | TCP_PSH | TCP_FIN]);
    // Sequence wraps mod 2^32.
    expect(r.frames.map((f) => parseFrame(f).tcp?.seq)).toEqual([0xfffffc00, 0xfffffc00 + 1000, (0xfffffc00 + 2000) >>> 0]);
    const acc = segmentTcp(sup, superSkb(sup, SKB_GSO_TCPV4 | SKB_GSO_TCP_ACCECN, 1000, 16), { deviceChecksum: false });
    expect(acc.frames.every((f) => (f[47] & TCP_CWR) !== 0)).toBe(true);
  });

  it('FIXEDID and MANGLEID keep the IPv4 ID; FIXEDID without DF is refused', () => {
    const sup = tsoExampleSuperFrame();
    const fixed = segmentTcp(sup, superSkb(sup, SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID, 1448, 16), { deviceChecksum: true });
    expect(fixed.frames.map((f) => u16(f, 18))).toEqual([0x1234, 0x1234, 0x1234]);
    expect(fixed.frames.every((f) => ipv4HeaderChecksum(f, 14) === u16(f, 24))).toBe(true);
    const mangle = segmentTcp(sup, superSkb(sup, SKB_GSO_TCPV4, 1448, 16), { deviceChecksum: true, mangleId: true });
    expect(mangle.frames.map((f) => u16(f, 18))).toEqual([0x1234, 0x1234, 0x1234]);
    const noDf = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', ipId: 0xffff, dontFragment: false, srcPort: 5, dstPort: 6, seq: 1, payloadLength: 3000, checksum: 'partial' });
    expect(() => segmentTcp(noDf, superSkb(noDf, SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID, 1448, 16), { deviceChecksum: true })).toThrow(PacketError);
    // MANGLEID without DF must increment (and wraps mod 2^16).
    const inc = segmentTcp(noDf, superSkb(noDf, SKB_GSO_TCPV4, 1448, 16), { deviceChecksum: true, mangleId: true });
    expect(inc.frames.map((f) => u16(f, 18))).toEqual([0xffff, 0x0000, 0x0001]);
  });

  it('IPv6 with TCP options and a VLAN tag: payload length, seq, options copied, checksums verify', () => {
    const sup = buildTcpFrame({
      srcIp: '2001:db8::1',
      dstIp: '2001:db8::2',
      vlanTci: 100,
      srcPort: 443,
      dstPort: 50000,
      seq: 7,
      ack: 9,
      flags: TCP_ACK | TCP_PSH,
      window: 1000,
      options: { timestamps: { value: 1, echo: 2 } },
      payloadLength: 3000,
      checksum: 'partial',
    });
    const skb = createSkb({ len: sup.length, ipSummed: IpSummed.PARTIAL, csumStart: 58, csumOffset: 16, gsoSize: 1428, gsoType: SKB_GSO_TCPV6, networkHeader: 18, transportHeader: 58 });
    const r = segmentTcp(sup, skb, { deviceChecksum: false });
    expect(r.frames.length).toBe(3);
    r.frames.forEach((f, i) => {
      const p = parseFrame(f);
      expect(p.vlanTci).toBe(100);
      expect(p.ipTotalLength - 40).toBe(32 + Math.min(1428, 3000 - i * 1428));
      expect(p.tcp?.seq).toBe(7 + i * 1428);
      expect(p.tcp?.options.timestamps).toEqual({ value: 1, echo: 2 });
      expect(verifyL4Checksum(f, p)).toBe(true);
    });
    expect(() => segmentTcp(sup, { ...skb, gsoType: SKB_GSO_TCPV4 }, { deviceChecksum: false })).toThrow(PacketError);
  });

  it('payload not above gso_size → one segment identical to the input (checksum finished)', () => {
    const sup = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, seq: 1, flags: TCP_ACK | TCP_PSH | TCP_CWR, payloadLength: 1000, checksum: 'partial' });
    const dev = segmentTcp(sup, superSkb(sup, SKB_GSO_TCPV4, 1448, 16), { deviceChecksum: true });
    expect(dev.frames.length).toBe(1);
    expect(hex(dev.frames[0])).toBe(hex(sup));
    const full = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, seq: 1, flags: TCP_ACK | TCP_PSH | TCP_CWR, payloadLength: 1000, checksum: 'full' });
    expect(hex(segmentTcp(sup, superSkb(sup, SKB_GSO_TCPV4, 1448, 16), { deviceChecksum: false }).frames[0])).toBe(hex(full));
  });

  it('non-PARTIAL input gets a fresh pseudo-header; a PARTIAL input with a wrong pseudo value stays wrong', () => {
    const full = tsoExampleSuperFrame();
    const skb = superSkb(full, SKB_GSO_TCPV4, 1448, 16);
    const want = segmentTcp(full, skb, { deviceChecksum: false }).frames.map((f) => hex(f));
    const garbage = full.slice();
    garbage[50] ^= 0x5a;
    expect(segmentTcp(garbage, { ...skb, ipSummed: IpSummed.NONE }, { deviceChecksum: false }).frames.map((f) => hex(f))).toEqual(want);
    const bad = segmentTcp(garbage, skb, { deviceChecksum: false }).frames;
    expect(bad.every((f) => !verifyL4Checksum(f, parseFrame(f)))).toBe(true);
  });

  it('rejects bad metadata with PacketError', () => {
    const sup = tsoExampleSuperFrame();
    const skb = superSkb(sup, SKB_GSO_TCPV4, 1448, 16);
    expect(() => segmentTcp(sup, { ...skb, gsoSize: 0 }, { deviceChecksum: true })).toThrow(PacketError);
    expect(() => segmentTcp(sup, { ...skb, csumStart: 30 }, { deviceChecksum: true })).toThrow(PacketError);
    expect(() => segmentUdp(sup, skb, { deviceChecksum: true })).toThrow(PacketError);
    expect(() => segment(sup, { ...skb, gsoType: SKB_GSO_UDP }, { deviceChecksum: true })).toThrow(PacketError);
    expect(() => segmentUfo(sup, skb)).toThrow(PacketError);
    expect(() => segment(sup, { ...skb, gsoType: 0 }, { deviceChecksum: true })).toThrow(PacketError);
    expect(() => segmentTcp(sup.subarray(0, 40), skb, { deviceChecksum: true })).toThrow(PacketError);
    expect(() => gsoSegmentCount(100, 0)).toThrow(PacketError);
    expect(gsoSegmentCount(4000, 1448)).toBe(3);
    expect(gsoSegmentCount(0, 1448)).toBe(1);
  });
});

describe('UFO (SKB_GSO_UDP) §5.2', () => {
  const payload = Uint8Array.from({ length: 4000 }, (_, k) => (7 * k) & 0xff);
  const sup = buildUdpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x4242, srcPort: 5000, dstPort: 6000, payload, checksum: 'partial' });
  const full = buildUdpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x4242, srcPort: 5000, dstPort: 6000, payload, checksum: 'full' });
  const skb = superSkb(sup, SKB_GSO_UDP, 1480, 6);

  it('IP fragments: same ID, offset/8 with MF on all but the last, DF cleared, UDP header only in the first', () => {
    for (const r of [segmentUfo(sup, skb), segment(sup, skb, { deviceChecksum: true })]) {
      expect(r.frames.map((f) => [u16(f, 16), u16(f, 18), u16(f, 20)])).toEqual([
        [1500, 0x4242, 0x2000],
        [1500, 0x4242, 0x2000 | 185],
        [20 + 1048, 0x4242, 370],
      ]);
      r.frames.forEach((f) => {
        expect(parseFrame(f).isFragment).toBe(true);
        expect(ipv4HeaderChecksum(f, 14)).toBe(u16(f, 24));
      });
      // Reassembled L4 bytes = the datagram with its full checksum filled in (computed once, in software).
      expect(hex(Buffer.concat(r.frames.map((f) => f.subarray(34))))).toBe(hex(full, 34));
      expect(r.skbs.every((s) => s.ipSummed === IpSummed.UNNECESSARY && s.gsoSize === 0)).toBe(true);
      expect(r.cost.checksumBytes).toBe(4008);
    }
    const out = new SegmentBuffer();
    expect(segmentInto(sup, skb, { deviceChecksum: true }, out)).toBe(3);
    expect(hex(out.frame(1))).toBe(hex(segmentUfo(sup, skb).frames[1]));
  });

  it('a fragment size that is not a multiple of 8, or IPv6, is refused', () => {
    expect(() => segmentUfo(sup, { ...skb, gsoSize: 1000 + 4 })).toThrow(PacketError);
    const v6 = buildUdpFrame({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', srcPort: 1, dstPort: 2, payloadLength: 3000, checksum: 'partial' });
    expect(() => segmentUfo(v6, { ...skb, csumStart: 54, gsoSize: 1448 - 8 })).toThrow(PacketError);
  });

  it('a datagram that fits is sent whole, checksum finished, DF kept', () => {
    const r = segmentUfo(sup, { ...skb, gsoSize: 4008 });
    expect(r.frames.length).toBe(1);
    expect(hex(r.frames[0])).toBe(hex(full));
  });
});
