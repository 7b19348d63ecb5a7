import { describe, expect, it } from 'vitest';
import { PacketError } from './errors';
import { verifyL4Checksum } from './checksum';
import { TCP_ACK, TCP_PSH, buildTcpFrame, buildUdpFrame, parseFrame } from './frame';
import { IpSummed, SKB_GSO_TCPV4, SKB_GSO_UDP_L4, createSkb, type Skb } from './skb';
import { readPcapng } from './pcap';
import { CaptureRecorder, ETH_ZLEN, annotateCapture, captureComment, tcpdumpBytes, wireFrames, wireTimeNs } from './capture';
import { tsoExampleSuperFrame } from './reference-frames';

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

// Reference §2.3 / §2.4 frames.
const TCP_PARTIAL_HEX = '525400123456525400abcdef08004500002d1c46400040069b16c0a8010ac0a801149c400050000003e8000007d05018faf0838e000068656c6c6f';
const TCP_FULL_HEX = '525400123456525400abcdef08004500002d1c46400040069b16c0a8010ac0a801149c400050000003e8000007d05018faf0454d000068656c6c6f';
const UDP_FULL_HEX = '525400123456525400abcdef08004500002000014000ff11f85cc0a8010ac0a8011414e914e9000c73c470696e67';

const hello = new TextEncoder().encode('hello');

function example23(checksum: 'full' | 'partial' | 'none'): Uint8Array {
  return buildTcpFrame({
    srcIp: '192.168.1.10',
    dstIp: '192.168.1.20',
    ipId: 0x1c46,
    srcPort: 40000,
    dstPort: 80,
    seq: 1000,
    ack: 2000,
    flags: TCP_PSH | TCP_ACK,
    window: 64240,
    payload: hello,
    checksum,
  });
}

function example24(checksum: 'full' | 'partial' | 'none'): Uint8Array {
  return buildUdpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 1, ttl: 255, srcPort: 5353, dstPort: 5353, payload: new TextEncoder().encode('ping'), checksum });
}

function partialSkb(frame: Uint8Array, csumOffset: number, init: Partial<Skb> = {}): Skb {
  return createSkb({ len: frame.length, ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset, networkHeader: 14, transportHeader: 34, ...init });
}

/** §5.4 super-packet, CHECKSUM_PARTIAL with gso_size 1448. */
function tsoSuper(): { frame: Uint8Array; skb: Skb } {
  const frame = tsoExampleSuperFrame();
  return { frame, skb: partialSkb(frame, 16, { gsoSize: 1448, gsoType: SKB_GSO_TCPV4 }) };
}

function expectPacketError(fn: () => unknown, code: PacketError['code'], field?: string): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(PacketError);
  expect((caught as PacketError).code).toBe(code);
  if (field !== undefined) expect((caught as PacketError).field).toBe(field);
}

describe('tcpdump view', () => {
  it('a CHECKSUM_PARTIAL frame is shown with the pseudo-header fold, flagged as pending offload (§2.3)', () => {
    const frame = example23('partial');
    expect(toHex(frame)).toBe(TCP_PARTIAL_HEX);
    const skb = partialSkb(frame, 16);
    expect(tcpdumpBytes(frame, skb)).toBe(frame);
    const a = annotateCapture(frame, skb);
    expect(a).toEqual({
      ipSummed: IpSummed.PARTIAL,
      partial: { csumStart: 34, csumOffset: 16 },
      gso: null,
      ipHeaderChecksum: 'good',
      l4: { protocol: 'tcp', fieldValue: 0x838e, correctValue: 0x454d, verdict: 'incorrect', pendingOffload: true },
    });
    expect(captureComment(a)).toBe(
      'ip_summed=CHECKSUM_PARTIAL; csum_start=34 csum_offset=16; tcp cksum 0x838e (incorrect -> 0x454d) pseudo-header only, completed by the device',
    );
  });

  it('skb offsets are taken relative to the MAC header', () => {
    const frame = example23('partial');
    const a = annotateCapture(frame, partialSkb(frame, 16, { macHeader: 100, csumStart: 134, networkHeader: 114 }));
    expect(a.partial).toEqual({ csumStart: 34, csumOffset: 16 });
    expect(a.l4?.pendingOffload).toBe(true);
  });

  it('a completed frame is correct; a corrupted one is incorrect and not excused as pending', () => {
    const full = example23('full');
    expect(toHex(full)).toBe(TCP_FULL_HEX);
    const none = createSkb({ len: full.length });
    expect(annotateCapture(full, none).l4).toEqual({ protocol: 'tcp', fieldValue: 0x454d, correctValue: 0x454d, verdict: 'correct', pendingOffload: false });
    expect(captureComment(annotateCapture(full, none))).toBe('ip_summed=CHECKSUM_NONE; tcp cksum 0x454d (correct)');
    const bad = full.slice();
    bad[bad.length - 1] ^= 1;
    expect(annotateCapture(bad, none).l4).toMatchObject({ verdict: 'incorrect', pendingOffload: false });
    // Same corruption on a PARTIAL frame: still "pending" (the pseudo-header is intact) — Linux trusts it.
    const partial = example23('partial');
    partial[partial.length - 1] ^= 1;
    expect(annotateCapture(partial, partialSkb(partial, 16)).l4?.pendingOffload).toBe(true);
    // A PARTIAL frame whose field is not the pseudo-header fold is not excused.
    const wrongField = example23('partial');
    wrongField[50] ^= 0x10;
    expect(annotateCapture(wrongField, partialSkb(wrongField, 16)).l4).toMatchObject({ verdict: 'incorrect', pendingOffload: false });
  });

  it('UDP: partial, full and absent checksums; IPv4 header checksum checked', () => {
    const udpPartial = example24('partial');
    expect(annotateCapture(udpPartial, partialSkb(udpPartial, 6)).l4).toEqual({
      protocol: 'udp',
      fieldValue: 0x838c,
      correctValue: 0x73c4,
      verdict: 'incorrect',
      pendingOffload: true,
    });
    const udpNone = example24('none');
    expect(annotateCapture(udpNone, createSkb()).l4?.verdict).toBe('absent');
    expect(captureComment(annotateCapture(udpNone, createSkb()))).toBe('ip_summed=CHECKSUM_NONE; udp cksum none');
    const badIp = example24('full');
    badIp[24] ^= 0xff;
    const a = annotateCapture(badIp, createSkb({ ipSummed: IpSummed.UNNECESSARY }));
    expect(a.ipHeaderChecksum).toBe('bad');
    expect(captureComment(a)).toBe('ip_summed=CHECKSUM_UNNECESSARY; ip header cksum bad; udp cksum 0x73c4 (correct)');
  });

  it('a GSO super-frame stays whole, with its IP length covering the super-frame (§5.4)', () => {
    const { frame, skb } = tsoSuper();
    expect(tcpdumpBytes(frame, skb)).toBe(frame);
    expect(frame.length).toBe(14 + 4040);
    const a = annotateCapture(frame, skb);
    expect(a.gso).toEqual({ sizeBytes: 1448, type: SKB_GSO_TCPV4, segments: 3 });
    expect(a.l4).toMatchObject({ fieldValue: 0x9329, verdict: 'incorrect', pendingOffload: true });
    expect(captureComment(a)).toContain('gso_size=1448 gso_type=0x1 segs=3');
  });

  it('non-IP frames are annotated without L3/L4 details', () => {
    const arp = new Uint8Array(42);
    arp.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0xab, 0xcd, 0xef, 0x08, 0x06]);
    expect(annotateCapture(arp, createSkb())).toMatchObject({ ipHeaderChecksum: 'not-present', l4: null });
    expect(tcpdumpBytes(arp, createSkb())).toBe(arp);
  });

  it('IPv6 partial frames are recognised too', () => {
    const frame = buildTcpFrame({ srcIp: 'fe80::1', dstIp: 'fe80::2', srcPort: 1, dstPort: 2, seq: 7, payloadLength: 33, checksum: 'partial' });
    const a = annotateCapture(frame, partialSkb(frame, 16, { csumStart: 54, networkHeader: 14, transportHeader: 54 }));
    expect(a).toMatchObject({ ipHeaderChecksum: 'not-present', l4: { verdict: 'incorrect', pendingOffload: true } });
  });

  it('metadata that contradicts the bytes is refused with PacketError', () => {
    const frame = example23('partial');
    expectPacketError(() => tcpdumpBytes(frame, partialSkb(frame, 30)), 'invalid-state', 'csum_start/csum_offset');
    expectPacketError(() => annotateCapture(frame, partialSkb(frame, 16, { csumStart: -1 })), 'invalid-state');
    const { frame: sup, skb } = tsoSuper();
    expectPacketError(() => tcpdumpBytes(sup, { ...skb, ipSummed: IpSummed.NONE }), 'invalid-state', 'ip_summed');
    expectPacketError(() => tcpdumpBytes(sup.subarray(0, 3000), skb), 'truncated');
    const padded = new Uint8Array(sup.length + 6);
    padded.set(sup);
    expectPacketError(() => tcpdumpBytes(padded, skb), 'invalid-state', 'ip total length');
    const arp = new Uint8Array(60);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expectPacketError(() => tcpdumpBytes(arp, createSkb({ gsoSize: 100, ipSummed: IpSummed.PARTIAL, csumStart: 14, csumOffset: 6 })), 'invalid-state', 'gso_size');
    expectPacketError(() => annotateCapture(new Uint8Array(10), createSkb()), 'truncated');
  });
});

describe('wire view', () => {
  it('finishes a CHECKSUM_PARTIAL frame to the §2.3 completed bytes and pads it to 60 octets', () => {
    const frame = example23('partial');
    const before = toHex(frame);
    const [wire] = wireFrames(frame, partialSkb(frame, 16));
    expect(toHex(frame)).toBe(before);
    expect(wire.length).toBe(ETH_ZLEN);
    expect(toHex(wire)).toBe(`${TCP_FULL_HEX}00`);
    const [unpadded] = wireFrames(frame, partialSkb(frame, 16), { minFrameBytes: 0 });
    expect(toHex(unpadded)).toBe(TCP_FULL_HEX);
  });

  it('UDP §2.4 completes to 0x73C4', () => {
    const frame = example24('partial');
    const [wire] = wireFrames(frame, partialSkb(frame, 6), { minFrameBytes: 0 });
    expect(toHex(wire)).toBe(UDP_FULL_HEX);
  });

  it('a received frame with Ethernet padding is checksummed up to the end of the IP packet only', () => {
    const frame = new Uint8Array(60);
    frame.set(example23('partial'));
    frame.fill(0xaa, 59);
    const [wire] = wireFrames(frame, partialSkb(frame, 16));
    expect(toHex(wire.subarray(0, 59))).toBe(TCP_FULL_HEX);
    expect(wire[59]).toBe(0xaa);
  });

  it('finishing over a payload corrupted after the partial mark yields a "correct" checksum (Linux trusts PARTIAL)', () => {
    const frame = example23('partial');
    frame[frame.length - 1] ^= 1;
    const [wire] = wireFrames(frame, partialSkb(frame, 16), { minFrameBytes: 0 });
    expect(verifyL4Checksum(wire, parseFrame(wire))).toBe(true);
    expect(toHex(wire)).not.toBe(TCP_FULL_HEX);
  });

  it('frames that need no change are returned as is', () => {
    const full = example23('full');
    const padded = new Uint8Array(64);
    padded.set(full);
    expect(wireFrames(padded, createSkb())[0]).toBe(padded);
    expect(wireFrames(full, createSkb(), { minFrameBytes: 0 })[0]).toBe(full);
    const [short] = wireFrames(full, createSkb({ ipSummed: IpSummed.UNNECESSARY }));
    expect(short.length).toBe(60);
    expect(toHex(short)).toBe(`${TCP_FULL_HEX}00`);
  });

  it('segments a TSO super-frame into the §5.4 segments with final checksums', () => {
    const { frame, skb } = tsoSuper();
    const segments = wireFrames(frame, skb);
    expect(segments.map((s) => s.length)).toEqual([1502, 1502, 1158]);
    const ipCsums = segments.map((s) => (s[24] << 8) | s[25]);
    const tcpCsums = segments.map((s) => (s[50] << 8) | s[51]);
    expect(ipCsums).toEqual([0x9f85, 0x9f84, 0xa0db]);
    expect(tcpCsums).toEqual([0x6f4b, 0x3a74, 0xd263]);
    for (const s of segments) expect(annotateCapture(s, createSkb()).l4?.verdict).toBe('correct');
  });

  it('mangleId keeps the IPv4 ID fixed across DF segments', () => {
    const { frame, skb } = tsoSuper();
    const ids = wireFrames(frame, skb, { mangleId: true }).map((s) => (s[18] << 8) | s[19]);
    expect(ids).toEqual([0x1234, 0x1234, 0x1234]);
  });

  it('USO: segments are complete UDP datagrams with final checksums (§5.5)', () => {
    const payload = Uint8Array.from({ length: 2500 }, (_, k) => (13 * k) & 0xff);
    const frame = buildUdpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x0100, srcPort: 4433, dstPort: 4433, payload, checksum: 'partial' });
    const segments = wireFrames(frame, partialSkb(frame, 6, { gsoSize: 1000, gsoType: SKB_GSO_UDP_L4 }));
    expect(segments.map((s) => (s[40] << 8) | s[41])).toEqual([0x6bb5, 0xcb14, 0x14f4]);
  });

  it('a tiny last segment is padded', () => {
    const frame = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, seq: 1, payloadLength: 101, checksum: 'partial' });
    const segments = wireFrames(frame, partialSkb(frame, 16, { gsoSize: 100, gsoType: SKB_GSO_TCPV4 }));
    expect(segments.map((s) => s.length)).toEqual([154, 60]);
    expect(verifyL4Checksum(segments[1], parseFrame(segments[1]))).toBe(true);
  });
});

describe('CaptureRecorder', () => {
  it('records the tcpdump and wire views of the same skbs on two interfaces', () => {
    const rec = new CaptureRecorder();
    const tap = rec.addPoint({ name: 'vm1:tap0', view: 'tcpdump' });
    const wire = rec.addPoint({ name: 'host:eth0', view: 'wire', lineRateBitsPerSec: 10e9 });
    const { frame, skb } = tsoSuper();
    const small = example23('partial');
    expect(rec.capture(tap, 1000, frame, skb, 'out')).toBe(1);
    expect(rec.capture(wire, 2000n, frame, skb, 'out')).toBe(3);
    expect(rec.capture(tap, 3000, small, partialSkb(small, 16))).toBe(1);
    expect(rec.packetCount).toBe(5);
    const file = readPcapng(rec.finish());
    expect(file.application).toBe('Offload Lab');
    expect(file.interfaces.map((i) => [i.name, i.description])).toEqual([
      ['vm1:tap0', 'tcpdump view'],
      ['host:eth0', 'wire view'],
    ]);
    const p = file.packets;
    expect(p.map((x) => x.interfaceIndex)).toEqual([0, 1, 1, 1, 0]);
    expect(p.map((x) => x.originalLengthBytes)).toEqual([4054, 1502, 1502, 1158, 59]);
    const t1 = wireTimeNs(1502, 10e9);
    expect(t1).toBe(1221); // (1502 + 24) × 8 / 10 Gbit/s = 1220.8 ns, rounded up
    expect(p.slice(1, 4).map((x) => x.timestampNs)).toEqual([2000n, 2000n + BigInt(t1), 2000n + BigInt(2 * t1)]);
    expect(p[0].comments[0]).toContain('gso_size=1448');
    expect(p[1].comments).toEqual(['segment 1/3']);
    expect(p[4].comments[0]).toContain('(incorrect -> 0x454d)');
    expect(p[0].direction).toBe('out');
    expect(toHex(p[4].data)).toBe(TCP_PARTIAL_HEX);
  });

  it('comments can be turned off; unknown points and bad rates are refused', () => {
    const rec = new CaptureRecorder();
    const id = rec.addPoint({ name: 'x', view: 'tcpdump', comments: false });
    rec.capture(id, 0, example23('full'), createSkb());
    expect(readPcapng(rec.finish()).packets[0].comments).toEqual([]);
    expectPacketError(() => rec.capture(5, 0, example23('full'), createSkb()), 'invalid-state', 'capture point');
    expectPacketError(() => rec.addPoint({ name: 'y', view: 'wire', lineRateBitsPerSec: 0 }), 'malformed', 'lineRateBitsPerSec');
  });
});
