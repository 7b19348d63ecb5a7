import { describe, expect, it } from 'vitest';
import {
  canChecksumProtocol,
  checksumStartOffset,
  cloneSkb,
  completeChecksumOk,
  computeCompleteChecksum,
  createSkb,
  decrChecksumUnnecessary,
  incrChecksumUnnecessary,
  harmonizeChecksumOffload,
  IpSummed,
  ipSummedName,
  l4ChecksumTrusted,
  PktHashType,
  resetSkb,
  rxVerdictAccepted,
  rxVerdictSoftwarePass,
  setPartialChecksum,
  setSkbHash,
  SKB_GSO_DODGY,
  SKB_GSO_TCP_ECN,
  SKB_GSO_TCP_FIXEDID,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  SKB_GSO_UDP,
  SKB_GSO_UDP_L4,
  skbChecksumHelp,
  skbForFrame,
  skbIsGso,
  skbL4Hash,
  validateRxL4Checksum,
  validateXmitChecksum,
  type TxChecksumCaps,
} from './skb';
import { buildTcpFrame, buildUdpFrame, parseFrame, TCP_ACK, TCP_PSH, type ParsedFrame } from './frame';
import { csumPartial, verifyL4Checksum, writeIpv4HeaderChecksum, writePartialL4Checksum } from './checksum';
import { PacketError } from './errors';

const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function example23(checksum: 'full' | 'partial'): { buf: Uint8Array; frame: ParsedFrame } {
  const buf = buildTcpFrame({
    srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x1c46, srcPort: 40000, dstPort: 80,
    seq: 1000, ack: 2000, flags: TCP_PSH | TCP_ACK, window: 64240, payload: ascii('hello'), checksum,
  });
  return { buf, frame: parseFrame(buf) };
}

function partialSkb(frame: ParsedFrame): ReturnType<typeof createSkb> {
  const skb = skbForFrame(frame);
  setPartialChecksum(skb, frame.l4Offset, 16);
  return skb;
}

describe('constants', () => {
  it('ip_summed values and names (§2.1)', () => {
    expect([IpSummed.NONE, IpSummed.UNNECESSARY, IpSummed.COMPLETE, IpSummed.PARTIAL]).toEqual([0, 1, 2, 3]);
    expect(ipSummedName(IpSummed.PARTIAL)).toBe('CHECKSUM_PARTIAL');
    expect(ipSummedName(IpSummed.NONE)).toBe('CHECKSUM_NONE');
  });
  it('gso_type bits as in include/linux/skbuff.h', () => {
    expect([SKB_GSO_TCPV4, SKB_GSO_DODGY, SKB_GSO_TCP_ECN, SKB_GSO_TCP_FIXEDID, SKB_GSO_TCPV6]).toEqual([1, 2, 4, 8, 16]);
    expect(SKB_GSO_UDP).toBe(0x10000);
    expect(SKB_GSO_UDP_L4).toBe(0x20000);
  });
});

describe('skb record', () => {
  it('create / reset / clone / hash', () => {
    const skb = createSkb({ len: 100, gsoSize: 1448, gsoType: SKB_GSO_TCPV4 });
    expect(skbIsGso(skb)).toBe(true);
    setSkbHash(skb, 0x51ccc178, PktHashType.L4);
    expect(skbL4Hash(skb)).toBe(true);
    const c = cloneSkb(skb);
    resetSkb(skb);
    expect(skb).toEqual(createSkb());
    expect(c.hash).toBe(0x51ccc178);
    setSkbHash(c, 5, PktHashType.NONE);
    expect(c.hash).toBe(0);
  });
  it('createSkb / cloneSkb carry every field; undefined init values take defaults', () => {
    const full = {
      len: 1, ipSummed: IpSummed.COMPLETE, csumStart: 2, csumOffset: 3, csumLevel: 1, csum: 4, csumValid: true, gsoSize: 5,
      gsoType: SKB_GSO_TCPV6 | SKB_GSO_TCP_ECN, gsoSegs: 6, hash: 7, hashType: PktHashType.L3, swHash: true, queueMapping: 8,
      rxQueue: 9, macHeader: 10, networkHeader: 11, transportHeader: 12,
    } as const;
    const skb = createSkb(full);
    expect(skb).toEqual(full);
    expect(Object.keys(skb).toSorted()).toEqual(Object.keys(full).toSorted());
    expect(cloneSkb(skb)).toEqual(full);
    expect(cloneSkb(skb)).not.toBe(skb);
    expect(createSkb({ len: undefined, rxQueue: undefined })).toEqual(createSkb());
    const frame = parseFrame(buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, vlanTci: 5 }));
    expect(skbForFrame(frame)).toMatchObject({ len: frame.frameLength, macHeader: 0, networkHeader: 18, transportHeader: 38 });
    expect(skbForFrame(frame, { transportHeader: 40 }).transportHeader).toBe(40);
  });
  it('csum_level bookkeeping (incr/decr checksum unnecessary)', () => {
    const skb = createSkb();
    incrChecksumUnnecessary(skb);
    expect([skb.ipSummed, skb.csumLevel]).toEqual([IpSummed.UNNECESSARY, 0]);
    for (let i = 0; i < 5; i++) incrChecksumUnnecessary(skb);
    expect(skb.csumLevel).toBe(3);
    for (let i = 0; i < 3; i++) decrChecksumUnnecessary(skb);
    expect([skb.ipSummed, skb.csumLevel]).toEqual([IpSummed.UNNECESSARY, 0]);
    decrChecksumUnnecessary(skb);
    expect(skb.ipSummed).toBe(IpSummed.NONE);
    const partial = createSkb({ ipSummed: IpSummed.PARTIAL });
    incrChecksumUnnecessary(partial);
    decrChecksumUnnecessary(partial);
    expect(partial.ipSummed).toBe(IpSummed.PARTIAL);
  });
  it('setPartialChecksum bounds-checks like skb_partial_csum_set', () => {
    const { frame } = example23('partial');
    const skb = skbForFrame(frame);
    setPartialChecksum(skb, 34, 16);
    expect(skb.ipSummed).toBe(IpSummed.PARTIAL);
    expect(checksumStartOffset(skb)).toBe(34);
    expect(() => setPartialChecksum(skb, 34, 24)).toThrow(PacketError);
    expect(() => setPartialChecksum(skb, -1, 16)).toThrow(PacketError);
  });
});

describe('receive trust rules §2.5', () => {
  it('PARTIAL is trusted without looking: a payload corrupted after the mark is accepted', () => {
    const { buf, frame } = example23('partial');
    buf[buf.length - 1] ^= 0x20; // "hellO"
    const skb = partialSkb(frame);
    expect(l4ChecksumTrusted(skb)).toBe(true);
    expect(validateRxL4Checksum(buf, skb, frame)).toBe('trusted-partial');
    // The same bytes as CHECKSUM_NONE are verified in software and dropped.
    const none = skbForFrame(frame);
    expect(validateRxL4Checksum(buf, none, frame)).toBe('software-invalid');
    expect(rxVerdictAccepted('software-invalid')).toBe(false);
  });
  it('PARTIAL with csum_start before the data pointer is not trusted', () => {
    const { buf, frame } = example23('full');
    const skb = skbForFrame(frame);
    setPartialChecksum(skb, 14, 10); // IPv4 header checksum position, before the transport header
    skb.transportHeader = frame.l4Offset;
    expect(l4ChecksumTrusted(skb)).toBe(false);
    expect(validateRxL4Checksum(buf, skb, frame)).toBe('software-valid');
  });
  it('UNNECESSARY is trusted; NONE is verified in software', () => {
    const { buf, frame } = example23('full');
    expect(validateRxL4Checksum(buf, skbForFrame(frame, { ipSummed: IpSummed.UNNECESSARY }), frame)).toBe('trusted-unnecessary');
    const none = skbForFrame(frame);
    expect(validateRxL4Checksum(buf, none, frame)).toBe('software-valid');
    expect(none.csumValid).toBe(true);
    expect(validateRxL4Checksum(buf, none, frame)).toBe('trusted-valid');
    expect(rxVerdictSoftwarePass('software-valid')).toBe(true);
    expect(rxVerdictSoftwarePass('trusted-partial')).toBe(false);
  });
  it('COMPLETE: whole-packet sum + pseudo-header validates; Ethernet padding is trimmed; wrong csum falls back', () => {
    const { buf, frame } = example23('full');
    const skb = skbForFrame(frame, { ipSummed: IpSummed.COMPLETE });
    skb.csum = computeCompleteChecksum(buf, skb);
    expect(completeChecksumOk(buf, skb, frame)).toBe(true);
    expect(validateRxL4Checksum(buf, skb, frame)).toBe('complete-valid');

    // 59-byte frame padded to 60 with a nonzero pad byte at an odd position relative to the IP header.
    const padded = new Uint8Array(61);
    padded.set(buf);
    padded[59] = 0xab;
    padded[60] = 0xcd;
    const pf = parseFrame(padded);
    const ps = skbForFrame(pf, { ipSummed: IpSummed.COMPLETE });
    ps.csum = computeCompleteChecksum(padded, ps);
    expect(completeChecksumOk(padded, ps, pf)).toBe(true);

    const wrong = skbForFrame(frame, { ipSummed: IpSummed.COMPLETE, csum: 0x1234 });
    expect(validateRxL4Checksum(buf, wrong, frame)).toBe('complete-fault');
    const corrupt = buf.slice();
    corrupt[55] ^= 1;
    const cs = skbForFrame(frame, { ipSummed: IpSummed.COMPLETE });
    cs.csum = computeCompleteChecksum(corrupt, cs);
    expect(validateRxL4Checksum(corrupt, cs, frame)).toBe('software-invalid');
  });
  it('COMPLETE for UDP with bytes after the UDP length (inside the IP packet and as padding)', () => {
    const f = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, payloadLength: 11 });
    const buf = new Uint8Array(f.length + 4);
    buf.set(f);
    buf.set([0xde, 0xad, 0xbe, 0xef], f.length);
    buf[17] += 3; // IP covers 3 of the 4 extra bytes; the 4th is Ethernet padding
    buf[24] = 0;
    buf[25] = 0;
    writeIpv4HeaderChecksum(buf, 14);
    const frame = parseFrame(buf);
    const skb = skbForFrame(frame, { ipSummed: IpSummed.COMPLETE });
    skb.csum = computeCompleteChecksum(buf, skb);
    expect(validateRxL4Checksum(buf, skb, frame)).toBe('complete-valid');
  });
  it('UDP over IPv4 with a zero checksum is accepted; over IPv6 it is not', () => {
    const v4 = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 9, checksum: 'none' });
    expect(validateRxL4Checksum(v4, skbForFrame(parseFrame(v4)), parseFrame(v4))).toBe('software-valid');
    const v6 = buildUdpFrame({ srcIp: '::1', dstIp: '::2', srcPort: 1, dstPort: 2, payloadLength: 9, checksum: 'none' });
    expect(validateRxL4Checksum(v6, skbForFrame(parseFrame(v6)), parseFrame(v6))).toBe('software-invalid');
  });
});

describe('transmit fallbacks §2.6', () => {
  const hw: TxChecksumCaps = { hwCsum: true, ipCsum: false, ipv6Csum: false };
  const v4only: TxChecksumCaps = { hwCsum: false, ipCsum: true, ipv6Csum: false };
  const none: TxChecksumCaps = { hwCsum: false, ipCsum: false, ipv6Csum: false };
  it('can_checksum_protocol', () => {
    expect(canChecksumProtocol(hw, 0x86dd, 47)).toBe(true);
    expect(canChecksumProtocol(v4only, 0x0800, 6)).toBe(true);
    expect(canChecksumProtocol(v4only, 0x86dd, 6)).toBe(false);
    expect(canChecksumProtocol({ hwCsum: false, ipCsum: false, ipv6Csum: true }, 0x86dd, 17)).toBe(true);
    expect(canChecksumProtocol(none, 0x0800, 6)).toBe(false);
  });
  it('skb_checksum_help completes example 2.3 to 0x454D and sets NONE', () => {
    const { buf, frame } = example23('partial');
    const skb = partialSkb(frame);
    expect(skbChecksumHelp(buf, skb)).toBe(25);
    expect(u16(buf, 50)).toBe(0x454d);
    expect(skb.ipSummed).toBe(IpSummed.NONE);
    expect(skbChecksumHelp(buf, skb)).toBe(0);
  });
  it('refuses a GSO skb (must be segmented first)', () => {
    const { buf, frame } = example23('partial');
    const skb = partialSkb(frame);
    skb.gsoSize = 2;
    skb.gsoType = SKB_GSO_TCPV4;
    expect(() => skbChecksumHelp(buf, skb)).toThrow(PacketError);
  });
  it('validateXmitChecksum: offloaded on HW_CSUM, software on a device without it', () => {
    const a = example23('partial');
    const sa = partialSkb(a.frame);
    expect(validateXmitChecksum(a.buf, sa, hw, a.frame.ethertype, 6)).toBe('offloaded');
    expect(u16(a.buf, 50)).toBe(0x838e);
    expect(sa.ipSummed).toBe(IpSummed.PARTIAL);
    expect(validateXmitChecksum(a.buf, sa, none, a.frame.ethertype, 6)).toBe('software');
    expect(u16(a.buf, 50)).toBe(0x454d);
    expect(verifyL4Checksum(a.buf, a.frame)).toBe(true);
    expect(validateXmitChecksum(a.buf, sa, none, a.frame.ethertype, 6)).toBe('not-partial');
  });
  it('harmonize: IPv6 on an IP_CSUM-only device loses checksum offload and GSO', () => {
    const buf = buildTcpFrame({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', srcPort: 1, dstPort: 2, seq: 1, payloadLength: 3000, checksum: 'partial' });
    const frame = parseFrame(buf);
    const skb = skbForFrame(frame, { gsoSize: 1440, gsoType: SKB_GSO_TCPV6 });
    setPartialChecksum(skb, frame.l4Offset, 16);
    expect(harmonizeChecksumOffload(skb, v4only, frame.ethertype, 6)).toEqual({ csumOffload: false, gsoAllowed: false });
    expect(harmonizeChecksumOffload(skb, hw, frame.ethertype, 6)).toEqual({ csumOffload: true, gsoAllowed: true });
  });
  it('writePartialL4Checksum for UDP over IPv6 then software completion verifies', () => {
    const buf = buildUdpFrame({ srcIp: 'fd00::1', dstIp: 'fd00::2', srcPort: 7, dstPort: 9, payloadLength: 33, checksum: 'none' });
    const frame = parseFrame(buf);
    const skb = skbForFrame(frame);
    setPartialChecksum(skb, frame.l4Offset, 6);
    writePartialL4Checksum(buf, skb);
    expect(verifyL4Checksum(buf, frame)).toBe(false);
    skbChecksumHelp(buf, skb);
    expect(verifyL4Checksum(buf, frame)).toBe(true);
    expect(csumPartial(buf, 0, buf.length, 0)).toBeGreaterThan(0);
  });
});
