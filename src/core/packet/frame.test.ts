// Unit tests may use node:* (house rules) — here only to hand frames to tshark.
/* oxlint-disable no-restricted-imports */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allocFrameBytes,
  buildTcpFrame,
  buildUdpFrame,
  createParsedFrame,
  decrementTtl,
  dstIpString,
  encodeTcpOptions,
  ETH_P_IPV4,
  ETH_P_IPV6,
  fillPayloadPattern,
  formatIp,
  formatMac,
  parseFrame,
  parseFrameInto,
  parseIp,
  parseMac,
  setDstPort,
  setIpTotalLength,
  setIpv4Addr,
  setIpv4Id,
  setSrcPort,
  setTcpAck,
  setTcpFlags,
  setTcpSeq,
  setTcpWindow,
  setTos,
  srcIpString,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_SYN,
  type ChecksumMode,
  type TcpFrameSpec,
  type TcpOptions,
  type UdpFrameSpec,
} from './frame';
import { computeL4Checksum, finishPartialChecksum, foldSum, ipv4HeaderChecksum, pseudoHeaderSumV4, pseudoHeaderSumV6, verifyL4Checksum } from './checksum';
import { PacketError } from './errors';
import { Rng } from '../rng';

const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function expectPacketError(fn: () => unknown, code?: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PacketError);
    if (code) expect((e as PacketError).code).toBe(code);
    return;
  }
  throw new Error('expected a PacketError');
}

describe('§5.4 TSO segments built directly [V]', () => {
  const payload = new Uint8Array(4000);
  fillPayloadPattern(payload, 0, 4000);
  const base = { srcIp: '192.168.1.10', dstIp: '192.168.1.20', srcPort: 40000, dstPort: 80, ack: 1, window: 502 };
  it('super-packet headers: IPv4 csum 0x958D, TCP pseudo field 0x9329', () => {
    const f = buildTcpFrame({ ...base, ipId: 0x1234, seq: 1, flags: TCP_ACK | TCP_PSH, payload, checksum: 'partial' });
    expect(toHex(f.subarray(14, 34))).toBe('45000fc8123440004006958dc0a8010ac0a80114');
    expect(toHex(f.subarray(34, 54))).toBe('9c4000500000000100000001501801f693290000');
  });
  const segs = [
    { range: [0, 1448], id: 0x1234, seq: 1, flags: TCP_ACK, ip: '450005d01234400040069f85c0a8010ac0a80114', pseudo: 0x8931, tcp: '9c4000500000000100000001501001f66f4b0000' },
    { range: [1448, 2896], id: 0x1235, seq: 0x5a9, flags: TCP_ACK, ip: '450005d01235400040069f84c0a8010ac0a80114', pseudo: 0x8931, tcp: '9c400050000005a900000001501001f63a740000' },
    { range: [2896, 4000], id: 0x1236, seq: 0xb51, flags: TCP_ACK | TCP_PSH, ip: '45000478123640004006a0dbc0a8010ac0a80114', pseudo: 0x87d9, tcp: '9c40005000000b5100000001501801f6d2630000' },
  ];
  for (const [i, s] of segs.entries()) {
    it(`segment ${i}: partial field 0x${s.pseudo.toString(16)}, full headers match`, () => {
      const spec = { ...base, ipId: s.id, seq: s.seq, flags: s.flags, payload: payload.subarray(s.range[0], s.range[1]) };
      const partial = buildTcpFrame({ ...spec, checksum: 'partial' });
      expect(u16(partial, 50)).toBe(s.pseudo);
      const full = buildTcpFrame({ ...spec, checksum: 'full' });
      expect(toHex(full.subarray(14, 34))).toBe(s.ip);
      expect(toHex(full.subarray(34, 54))).toBe(s.tcp);
      finishPartialChecksum(partial, 34, 16);
      expect(toHex(partial)).toBe(toHex(full));
    });
  }
});

describe('§5.5 USO segments built directly [V]', () => {
  const payload = new Uint8Array(2500);
  for (let k = 0; k < 2500; k++) payload[k] = (13 * k) & 0xff;
  const base = { srcIp: '192.168.1.10', dstIp: '192.168.1.20', srcPort: 4433, dstPort: 4433 };
  it('super-packet UDP length 2508, pseudo field 0x8D4C', () => {
    const f = buildUdpFrame({ ...base, ipId: 0x100, payload, checksum: 'partial' });
    expect(u16(f, 38)).toBe(2508);
    expect(u16(f, 40)).toBe(0x8d4c);
  });
  const segs = [
    { range: [0, 1000], id: 0x100, ipCsum: 0xb27a, pseudo: 0x8770, final: 0x6bb5 },
    { range: [1000, 2000], id: 0x101, ipCsum: 0xb279, pseudo: 0x8770, final: 0xcb14 },
    { range: [2000, 2500], id: 0x102, ipCsum: 0xb46c, pseudo: 0x857c, final: 0x14f4 },
  ];
  for (const [i, s] of segs.entries()) {
    it(`segment ${i}: ip csum, partial field and final checksum`, () => {
      const spec = { ...base, ipId: s.id, payload: payload.subarray(s.range[0], s.range[1]) };
      const partial = buildUdpFrame({ ...spec, checksum: 'partial' });
      expect(u16(partial, 24)).toBe(s.ipCsum);
      expect(u16(partial, 40)).toBe(s.pseudo);
      expect(finishPartialChecksum(partial, 34, 6)).toBe(s.final);
      expect(u16(buildUdpFrame({ ...spec, checksum: 'full' }), 40)).toBe(s.final);
    });
  }
});

function randomOptions(rng: Rng): TcpOptions | undefined {
  if (rng.int(3) === 0) return undefined;
  const o: TcpOptions = {};
  if (rng.int(2)) o.mss = rng.int(65536);
  if (rng.int(2)) o.wscale = rng.int(15);
  if (rng.int(2)) o.sackPermitted = true;
  if (rng.int(2)) o.timestamps = { value: rng.nextU32(), echo: rng.nextU32() };
  if (rng.int(4) === 0 && !o.mss && !o.wscale) {
    o.sackBlocks = [];
    for (let i = 0, n = 1 + rng.int(o.timestamps ? 2 : 3); i < n; i++) o.sackBlocks.push([rng.nextU32(), rng.nextU32()]);
  }
  return o;
}

function randomIp(rng: Rng, v6: boolean): Uint8Array {
  return rng.bytes(v6 ? 16 : 4);
}

const MODES: ChecksumMode[] = ['full', 'partial', 'none'];

function randomCommon(rng: Rng): UdpFrameSpec {
  const v6 = rng.int(2) === 1;
  const spec: UdpFrameSpec = {
    dstMac: rng.bytes(6),
    srcMac: rng.bytes(6),
    srcIp: randomIp(rng, v6),
    dstIp: randomIp(rng, v6),
    ttl: rng.int(256),
    tos: rng.int(256),
    srcPort: rng.int(65536),
    dstPort: rng.int(65536),
    checksum: MODES[rng.int(3)],
  };
  if (rng.int(3) === 0) spec.vlanTci = rng.int(65536);
  if (v6) spec.flowLabel = rng.int(1 << 20);
  else {
    spec.ipId = rng.int(65536);
    spec.dontFragment = rng.int(2) === 1;
  }
  const n = rng.int(4) === 0 ? rng.int(9000) : rng.int(200);
  if (rng.int(2)) spec.payload = rng.bytes(n);
  else {
    spec.payloadLength = n;
    if (rng.int(2)) spec.payloadSeed = rng.nextU32();
  }
  return spec;
}

function expectedPayload(spec: UdpFrameSpec): Uint8Array {
  if (spec.payload) return spec.payload;
  const p = new Uint8Array(spec.payloadLength ?? 0);
  fillPayloadPattern(p, 0, p.length, spec.payloadSeed);
  return p;
}

function checkCommon(buf: Uint8Array, spec: UdpFrameSpec, proto: number): ReturnType<typeof parseFrame> {
  const f = parseFrame(buf);
  const v6 = (spec.srcIp as Uint8Array).length === 16;
  expect(f.ipVersion).toBe(v6 ? 6 : 4);
  expect(f.ethertype).toBe(v6 ? ETH_P_IPV6 : ETH_P_IPV4);
  expect(f.vlanTci).toBe(spec.vlanTci ?? -1);
  expect(f.l3Offset).toBe(spec.vlanTci === undefined ? 14 : 18);
  expect(buf.subarray(0, 6)).toEqual(spec.dstMac);
  expect(buf.subarray(6, 12)).toEqual(spec.srcMac);
  expect(buf.subarray(f.srcAddrOffset, f.srcAddrOffset + f.addrLengthBytes)).toEqual(spec.srcIp);
  expect(buf.subarray(f.dstAddrOffset, f.dstAddrOffset + f.addrLengthBytes)).toEqual(spec.dstIp);
  expect(f.ttlOrHopLimit).toBe(spec.ttl);
  expect(f.tos).toBe(spec.tos);
  expect(f.l4Proto).toBe(proto);
  expect(f.srcPort).toBe(spec.srcPort);
  expect(f.dstPort).toBe(spec.dstPort);
  if (v6) expect(f.flowLabel).toBe(spec.flowLabel);
  else {
    expect(f.ipId).toBe(spec.ipId);
    expect(f.dontFragment).toBe(spec.dontFragment);
    expect(f.isFragment).toBe(false);
    expect(ipv4HeaderChecksum(buf, f.l3Offset)).toBe(f.ipChecksum);
  }
  expect(f.l3Offset + f.ipTotalLength).toBe(buf.length);
  expect(sameBytes(buf.subarray(f.payloadOffset, f.payloadOffset + f.payloadLength), expectedPayload(spec))).toBe(true);
  const fieldAt = f.l4Offset + (proto === 6 ? 16 : 6);
  const field = u16(buf, fieldAt);
  switch (spec.checksum) {
    case 'full':
      expect(verifyL4Checksum(buf, f)).toBe(true);
      expect(field).toBe(computeL4Checksum(buf, f));
      break;
    case 'partial': {
      const pseudo = f.ipVersion === 4 ? pseudoHeaderSumV4(buf, f.l3Offset, proto, f.l4LengthBytes) : pseudoHeaderSumV6(buf, f.l3Offset, proto, f.l4LengthBytes);
      expect(field).toBe(foldSum(pseudo));
      const done = buf.slice();
      finishPartialChecksum(done, f.l4Offset, fieldAt - f.l4Offset);
      expect(verifyL4Checksum(done, f)).toBe(true);
      break;
    }
    case 'none':
    case undefined:
      expect(field).toBe(0);
      break;
  }
  return f;
}

describe('parse(build(spec)) round-trips every field', () => {
  it('TCP, random specs (IPv4/IPv6, VLAN, options, payload kinds, checksum modes)', () => {
    const rng = new Rng(2024);
    for (let i = 0; i < 600; i++) {
      const spec: TcpFrameSpec = { ...randomCommon(rng), seq: rng.nextU32(), ack: rng.nextU32(), flags: rng.int(256), window: rng.int(65536), urgentPointer: rng.int(65536), options: randomOptions(rng) };
      const buf = buildTcpFrame(spec);
      const f = checkCommon(buf, spec, 6);
      const tcp = f.tcp!;
      expect(tcp.seq).toBe(spec.seq);
      expect(tcp.ack).toBe(spec.ack);
      expect(tcp.flags).toBe(spec.flags);
      expect(tcp.window).toBe(spec.window);
      expect(tcp.urgentPointer).toBe(spec.urgentPointer);
      expect(tcp.headerLengthBytes).toBe(20 + encodeTcpOptions(spec.options).length);
      expect(tcp.dataOffset * 4).toBe(tcp.headerLengthBytes);
      expect(tcp.options).toEqual(spec.options ?? {});
      expect(f.udp).toBeNull();
    }
  });
  it('UDP, random specs', () => {
    const rng = new Rng(4242);
    for (let i = 0; i < 600; i++) {
      const spec = randomCommon(rng);
      const buf = buildUdpFrame(spec);
      const f = checkCommon(buf, spec, 17);
      expect(f.udp!.lengthBytes).toBe(8 + f.payloadLength);
      expect(f.tcp).toBeNull();
    }
  });
  it('writes into a provided buffer at an offset and parses there', () => {
    const out = new Uint8Array(200).fill(0xee);
    const frame = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 10, out, outOffset: 7 });
    expect(frame.buffer).toBe(out.buffer);
    expect(frame.byteOffset).toBe(7);
    expect(out[6]).toBe(0xee);
    expect(out[7 + frame.length]).toBe(0xee);
    const f = parseFrame(out, 7, frame.length);
    expect(f.l2Offset).toBe(7);
    expect(f.l4Offset).toBe(7 + 34);
    expect(verifyL4Checksum(out, f)).toBe(true);
    expectPacketError(() => buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 200, out }), 'truncated');
    expectPacketError(() => buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, out, outOffset: Number.NaN }), 'truncated');
  });
  it('fresh frames never overlap, across slab boundaries and for large frames', () => {
    const rng = new Rng(31);
    const built: Array<{ frame: Uint8Array; copy: Uint8Array }> = [];
    for (let i = 0; i < 600; i++) {
      const frame = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: i, dstPort: 2, payload: rng.bytes(rng.int(i % 50 === 0 ? 30000 : 1500)) });
      built.push({ frame, copy: frame.slice() });
    }
    for (const { frame, copy } of built) expect(sameBytes(frame, copy)).toBe(true);
    const a = allocFrameBytes(10);
    const b = allocFrameBytes(10);
    expect(a.every((x) => x === 0)).toBe(true);
    a.fill(0xff);
    expect(b.every((x) => x === 0)).toBe(true);
  });
  it('parseFrameInto reuses the record', () => {
    const rec = createParsedFrame();
    const a = buildTcpFrame({ srcIp: '1.2.3.4', dstIp: '5.6.7.8', srcPort: 1, dstPort: 2, seq: 9 });
    const b = buildUdpFrame({ srcIp: '::1', dstIp: 'fe80::2', srcPort: 3, dstPort: 4 });
    expect(parseFrameInto(rec, a)).toBe(rec);
    expect(rec.tcp!.seq).toBe(9);
    parseFrameInto(rec, b);
    expect(rec.tcp).toBeNull();
    expect(rec.ipVersion).toBe(6);
    expect(rec.dstPort).toBe(4);
  });
});

describe('parse details', () => {
  it('IPv4 options (IHL > 5) are skipped and covered by the header checksum', () => {
    const f = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, seq: 7, payloadLength: 3 });
    const withOpts = new Uint8Array(f.length + 8);
    withOpts.set(f.subarray(0, 34));
    withOpts.set([0x94, 0x04, 0, 0, 1, 1, 1, 0], 34); // router alert + NOPs + EOL
    withOpts.set(f.subarray(34), 42);
    withOpts[14] = 0x47;
    withOpts[17] = f[17] + 8;
    withOpts[24] = 0;
    withOpts[25] = 0;
    const check = ipv4HeaderChecksum(withOpts, 14);
    withOpts[24] = check >>> 8;
    withOpts[25] = check & 0xff;
    const p = parseFrame(withOpts);
    expect(p.ipHeaderLengthBytes).toBe(28);
    expect(p.l4Offset).toBe(42);
    expect(p.tcp!.seq).toBe(7);
    expect(verifyL4Checksum(withOpts, p)).toBe(true);
  });
  it('Ethernet padding after the IP packet is tolerated and excluded from the payload', () => {
    const f = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, payloadLength: 2 });
    const padded = new Uint8Array(60);
    padded.set(f);
    const p = parseFrame(padded);
    expect(p.frameLength).toBe(60);
    expect(p.payloadLength).toBe(2);
    expect(p.l4LengthBytes).toBe(10);
    expect(verifyL4Checksum(padded, p)).toBe(true);
  });
  it('UDP checksums cover the UDP length, not trailing bytes inside the IP packet', () => {
    const f = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, payloadLength: 11 });
    const longer = new Uint8Array(f.length + 3);
    longer.set(f);
    longer.set([0xde, 0xad, 0xbe], f.length);
    longer[17] += 3; // IPv4 total length covers the trailing bytes; UDP length does not
    longer[24] = 0;
    longer[25] = 0;
    const check = ipv4HeaderChecksum(longer, 14);
    longer[24] = check >>> 8;
    longer[25] = check & 0xff;
    const p = parseFrame(longer);
    expect(p.l4LengthBytes).toBe(22);
    expect(p.udp!.lengthBytes).toBe(19);
    expect(verifyL4Checksum(longer, p)).toBe(true);
    expect(computeL4Checksum(longer, p)).toBe(u16(f, 40));
  });
  it('IPv4 fragments: L4 not parsed', () => {
    const f = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, payloadLength: 40 });
    f[20] = 0x20; // MF
    const p = parseFrame(f);
    expect(p.isFragment).toBe(true);
    expect(p.udp).toBeNull();
    expect(p.payloadOffset).toBe(34);
    expect(p.payloadLength).toBe(48);
  });
  it('two VLAN tags (QinQ) are skipped; the outer TCI is reported', () => {
    const f = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, seq: 1, vlanTci: 0x2064 });
    const q = new Uint8Array(f.length + 4);
    q.set(f.subarray(0, 12));
    q.set([0x88, 0xa8, 0x00, 0x0a], 12);
    q.set(f.subarray(12), 16);
    const p = parseFrame(q);
    expect(p.vlanTci).toBe(0x000a);
    expect(p.l3Offset).toBe(22);
    expect(p.tcp!.seq).toBe(1);
  });
  it('rejects what it does not model with the right codes', () => {
    const v6 = buildUdpFrame({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', srcPort: 1, dstPort: 2 });
    const ext = v6.slice();
    ext[20] = 0; // hop-by-hop
    expectPacketError(() => parseFrame(ext), 'unsupported');
    const arp = v6.slice();
    arp[12] = 0x08;
    arp[13] = 0x06;
    expectPacketError(() => parseFrame(arp), 'unsupported');
    const badVer = v6.slice();
    badVer[14] = 0x45;
    expectPacketError(() => parseFrame(badVer), 'malformed');
    const v4 = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, seq: 1 });
    const badOff = v4.slice();
    badOff[46] = 0x40;
    expectPacketError(() => parseFrame(badOff), 'malformed');
    const bigOff = v4.slice();
    bigOff[46] = 0xf0;
    expectPacketError(() => parseFrame(bigOff), 'truncated');
    const badOpt = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, seq: 1, options: { mss: 1460 } });
    badOpt[55] = 9;
    expectPacketError(() => parseFrame(badOpt), 'malformed');
    const udp = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, payloadLength: 4 });
    const badLen = udp.slice();
    badLen[39] = 7;
    expectPacketError(() => parseFrame(badLen), 'malformed');
  });
  it('every truncation of a valid frame throws truncated (or parses when only padding is lost)', () => {
    const f = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 5, dstPort: 6, seq: 1, payloadLength: 30, options: { mss: 1460, timestamps: { value: 1, echo: 2 } } });
    for (let len = 0; len < f.length; len++) expectPacketError(() => parseFrame(f, 0, len), 'truncated');
    expect(parseFrame(f, 0, f.length).payloadLength).toBe(30);
    expectPacketError(() => parseFrame(f, 2, f.length), 'truncated');
    expectPacketError(() => parseFrame(f, -1, 10), 'truncated');
  });
});

describe('addresses', () => {
  it('parses and formats IPv4, IPv6 (RFC 5952) and MACs', () => {
    expect(Array.from(parseIp('192.168.1.10'))).toEqual([192, 168, 1, 10]);
    expect(formatIp(parseIp('2001:db8::1'), 0, 16)).toBe('2001:db8::1');
    expect(formatIp(parseIp('2001:0db8:0:0:1:0:0:1'), 0, 16)).toBe('2001:db8::1:0:0:1');
    expect(formatIp(parseIp('::'), 0, 16)).toBe('::');
    expect(formatIp(parseIp('::ffff:10.1.2.3'), 0, 16)).toBe('::ffff:a01:203');
    expect(formatIp(parseIp('fe80::1:2:3:4:5:6'), 0, 16)).toBe('fe80:0:1:2:3:4:5:6');
    expect(formatMac(parseMac('52:54:00:AB:cd:ef'), 0)).toBe('52:54:00:ab:cd:ef');
    for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7']) {
      expectPacketError(() => parseIp(bad), 'malformed');
    }
    expectPacketError(() => parseMac('52:54:00:ab:cd'), 'malformed');
    const f = buildUdpFrame({ srcIp: 'fd00::a', dstIp: 'fd00::b', srcPort: 1, dstPort: 2 });
    const p = parseFrame(f);
    expect(srcIpString(f, p)).toBe('fd00::a');
    expect(dstIpString(f, p)).toBe('fd00::b');
  });
  it('rejects mixed families and out-of-range fields', () => {
    expectPacketError(() => buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '::1', srcPort: 1, dstPort: 2 }), 'malformed');
    expectPacketError(() => buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 70000, dstPort: 2 }), 'malformed');
    expectPacketError(() => buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, seq: -1 }), 'malformed');
    expectPacketError(() => buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, seq: 1, options: { mss: 1, timestamps: { value: 1, echo: 1 }, wscale: 1, sackBlocks: [[1, 2], [3, 4], [5, 6]] } }), 'malformed');
  });
});

describe('forwarding-path setters keep checksums equal to recomputation', () => {
  it('decrementTtl (IPv4 via RFC 1624; IPv6 hop limit)', () => {
    const f = buildTcpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x1c46, srcPort: 40000, dstPort: 80, seq: 1000, ack: 2000, flags: TCP_PSH | TCP_ACK, window: 64240, payloadLength: 5 });
    const p = parseFrame(f);
    for (let ttl = 63; ttl >= 0; ttl--) {
      expect(decrementTtl(f, p)).toBe(ttl);
      expect(p.ipChecksum).toBe(ipv4HeaderChecksum(f, 14));
      expect(u16(f, 24)).toBe(p.ipChecksum);
    }
    expectPacketError(() => decrementTtl(f, p), 'invalid-state');
    const v6 = buildUdpFrame({ srcIp: '::1', dstIp: '::2', srcPort: 1, dstPort: 2, ttl: 2 });
    const p6 = parseFrame(v6);
    expect(decrementTtl(v6, p6)).toBe(1);
    expect(parseFrame(v6).ttlOrHopLimit).toBe(1);
  });
  it('random field rewrites with full L4 checksums stay valid and equal to recomputation', () => {
    const rng = new Rng(555);
    for (let i = 0; i < 400; i++) {
      const v6 = rng.int(3) === 0;
      const common = { srcIp: randomIp(rng, v6), dstIp: randomIp(rng, v6), srcPort: rng.int(65536), dstPort: rng.int(65536), ipId: v6 ? undefined : rng.int(65536), payload: rng.bytes(rng.int(100)) };
      const tcp = rng.int(2) === 0;
      const buf = tcp ? buildTcpFrame({ ...common, seq: rng.nextU32(), ack: rng.nextU32(), flags: TCP_ACK }) : buildUdpFrame(common);
      const p = parseFrame(buf);
      switch (rng.int(tcp ? 9 : 5)) {
        case 0: if (!v6) setIpv4Id(buf, p, rng.int(65536)); break;
        case 1: setTos(buf, p, rng.int(256)); break;
        case 2: setSrcPort(buf, p, rng.int(65536)); break;
        case 3: setDstPort(buf, p, rng.int(65536)); break;
        case 4: if (!v6) setIpv4Addr(buf, p, rng.int(2) ? 'src' : 'dst', rng.bytes(4)); break;
        case 5: setTcpSeq(buf, p, rng.nextU32()); break;
        case 6: setTcpAck(buf, p, rng.nextU32()); break;
        case 7: setTcpFlags(buf, p, rng.int(2) ? TCP_SYN : TCP_FIN | TCP_ACK); break;
        case 8: setTcpWindow(buf, p, rng.int(65536)); break;
      }
      const again = parseFrame(buf);
      expect(verifyL4Checksum(buf, again)).toBe(true);
      expect(u16(buf, again.l4Offset + (tcp ? 16 : 6))).toBe(computeL4Checksum(buf, again));
      if (!v6) expect(again.ipChecksum).toBe(ipv4HeaderChecksum(buf, again.l3Offset));
      expect({ ...again, tcp: again.tcp && { ...again.tcp, checksum: 0 }, udp: again.udp && { ...again.udp, checksum: 0 } })
        .toEqual({ ...p, tcp: p.tcp && { ...p.tcp, checksum: 0 }, udp: p.udp && { ...p.udp, checksum: 0 } });
    }
  });
  it('NAT under PARTIAL: the field keeps holding fold(pseudo) of the new addresses', () => {
    const buf = buildTcpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, seq: 3, payloadLength: 77, checksum: 'partial' });
    const p = parseFrame(buf);
    setIpv4Addr(buf, p, 'src', '172.16.5.4', 'partial');
    setTcpSeq(buf, p, 12345, 'partial');
    expect(u16(buf, 50)).toBe(foldSum(pseudoHeaderSumV4(buf, 14, 6, p.l4LengthBytes)));
    expect(srcIpString(buf, parseFrame(buf))).toBe('172.16.5.4');
    finishPartialChecksum(buf, 34, 16);
    expect(verifyL4Checksum(buf, parseFrame(buf))).toBe(true);
  });
  it('setIpTotalLength updates the IPv4 header checksum and IPv6 payload length', () => {
    const buf = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 100 });
    const p = parseFrame(buf);
    setIpTotalLength(buf, p, 60);
    expect(p.ipChecksum).toBe(ipv4HeaderChecksum(buf, 14));
    expect(u16(buf, 16)).toBe(60);
    const v6 = buildUdpFrame({ srcIp: '::1', dstIp: '::2', srcPort: 1, dstPort: 2, payloadLength: 100 });
    const p6 = parseFrame(v6);
    setIpTotalLength(v6, p6, 60);
    expect(u16(v6, 18)).toBe(20);
  });
});

// ---------------------------------------------------------------------------------------------
// Independent decode: Wireshark's dissectors read what the builders and setters wrote.

const TSHARK = ((): string | null => {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const path = `${dir}/tshark`;
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  return null;
})();

/** Minimal classic pcap (LINKTYPE_ETHERNET, microsecond, little-endian). */
function pcapOf(frames: Uint8Array[]): Uint8Array {
  const total = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, 1, true);
  let at = 24;
  frames.forEach((f, i) => {
    dv.setUint32(at, i, true);
    dv.setUint32(at + 8, f.length, true);
    dv.setUint32(at + 12, f.length, true);
    out.set(f, at + 16);
    at += 16 + f.length;
  });
  return out;
}

const TSHARK_FIELDS = [
  'eth.src', 'vlan.id', 'ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
  'ip.id', 'ip.ttl', 'ip.dsfield', 'ip.flags.df', 'ipv6.hlim', 'ipv6.tclass', 'ipv6.flow', 'tcp.srcport', 'tcp.dstport', 'udp.srcport',
  'udp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.window_size_value', 'tcp.urgent_pointer', 'tcp.len', 'udp.length',
  'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr', 'tcp.options.sack_perm',
];

describe.skipIf(!TSHARK && !process.env.CI)('tshark decodes built and rewritten frames as we parse them', () => {
  it('random TCP/UDP, IPv4/IPv6, VLAN, options; full, partial-then-completed, and TTL/NAT/seq rewrites', () => {
    if (!TSHARK) throw new Error('tshark is required in CI');
    const rng = new Rng(0x75a4);
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 240; i++) {
      const common = randomCommon(rng);
      common.payloadLength = rng.int(300);
      common.payload = undefined;
      // Keep well-known ports away from dissectors that would re-interpret the payload.
      common.srcPort = 40000 + rng.int(20000);
      common.dstPort = 40000 + rng.int(20000);
      const buf = i % 2 === 0
        ? buildTcpFrame({ ...common, seq: rng.nextU32(), ack: rng.nextU32(), flags: TCP_ACK | (rng.int(2) ? TCP_PSH : 0), window: rng.int(65536), urgentPointer: 0, options: randomOptions(rng) })
        : buildUdpFrame(common);
      const p = parseFrame(buf);
      const fieldAt = p.l4Offset + (p.tcp ? 16 : 6);
      if (common.checksum !== 'full') {
        if (common.checksum === 'none') {
          // Turn it into a valid PARTIAL frame first, the way the stack would have.
          const pseudo = p.ipVersion === 4 ? pseudoHeaderSumV4(buf, p.l3Offset, p.l4Proto, p.l4LengthBytes) : pseudoHeaderSumV6(buf, p.l3Offset, p.l4Proto, p.l4LengthBytes);
          buf[fieldAt] = foldSum(pseudo) >>> 8;
          buf[fieldAt + 1] = foldSum(pseudo) & 0xff;
        }
        if (p.ipVersion === 4 && rng.int(2)) setIpv4Addr(buf, p, 'dst', rng.bytes(4), 'partial');
        finishPartialChecksum(buf, p.l4Offset, fieldAt - p.l4Offset);
      }
      if (p.ttlOrHopLimit > 0 && rng.int(2)) decrementTtl(buf, p);
      if (p.ipVersion === 4 && rng.int(3) === 0) setIpv4Addr(buf, p, 'src', rng.bytes(4));
      if (p.tcp && rng.int(3) === 0) setTcpSeq(buf, p, rng.nextU32());
      frames.push(buf);
    }
    const dir = mkdtempSync(join(tmpdir(), 'offload-lab-frame-'));
    try {
      const path = join(dir, 'frames.pcap');
      writeFileSync(path, pcapOf(frames));
      const out = execFileSync(TSHARK, [
        '-n', '-r', path, '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE',
        '-o', 'tcp.analyze_sequence_numbers:FALSE', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f',
        ...TSHARK_FIELDS.flatMap((f) => ['-e', f]),
      ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
      const rows = out.split('\n').filter((l) => l.length > 0).map((l) => {
        const v = l.split('\t');
        return Object.fromEntries(TSHARK_FIELDS.map((f, i) => [f, v[i] ?? '']));
      });
      expect(rows.length).toBe(frames.length);
      rows.forEach((row, i) => {
        const buf = frames[i];
        const p = parseFrame(buf);
        const num = (f: string): number => Number(row[f]);
        const ctx = `frame ${i + 1}`;
        expect(row['eth.src'], ctx).toBe(formatMac(buf, 6));
        expect(row['vlan.id'], ctx).toBe(p.vlanTci < 0 ? '' : String(p.vlanTci & 0xfff));
        if (p.ipVersion === 4) {
          expect(row['ip.checksum.status'], ctx).toBe('1');
          expect([row['ip.src'], row['ip.dst']], ctx).toEqual([srcIpString(buf, p), dstIpString(buf, p)]);
          expect([num('ip.id'), num('ip.ttl'), num('ip.dsfield'), num('ip.flags.df')], ctx).toEqual([p.ipId, p.ttlOrHopLimit, p.tos, p.dontFragment ? 1 : 0]);
        } else {
          expect([row['ipv6.src'], row['ipv6.dst']], ctx).toEqual([srcIpString(buf, p), dstIpString(buf, p)]);
          expect([num('ipv6.hlim'), num('ipv6.tclass'), num('ipv6.flow')], ctx).toEqual([p.ttlOrHopLimit, p.tos, p.flowLabel]);
        }
        if (p.tcp) {
          expect(row['tcp.checksum.status'], ctx).toBe('1');
          expect([num('tcp.srcport'), num('tcp.dstport'), num('tcp.seq_raw'), num('tcp.ack_raw'), num('tcp.flags'), num('tcp.window_size_value'), num('tcp.len')], ctx)
            .toEqual([p.srcPort, p.dstPort, p.tcp.seq, p.tcp.ack, p.tcp.flags, p.tcp.window, p.payloadLength]);
          const o = p.tcp.options;
          expect(row['tcp.options.mss_val'], ctx).toBe(o.mss === undefined ? '' : String(o.mss));
          expect(row['tcp.options.wscale.shift'], ctx).toBe(o.wscale === undefined ? '' : String(o.wscale));
          expect(row['tcp.options.timestamp.tsval'], ctx).toBe(o.timestamps ? String(o.timestamps.value) : '');
          expect(row['tcp.options.timestamp.tsecr'], ctx).toBe(o.timestamps ? String(o.timestamps.echo) : '');
          expect(row['tcp.options.sack_perm'] !== '', ctx).toBe(o.sackPermitted === true);
        } else {
          expect(row['udp.checksum.status'], ctx).toBe('1');
          expect([num('udp.srcport'), num('udp.dstport'), num('udp.length')], ctx).toEqual([p.srcPort, p.dstPort, p.udp!.lengthBytes]);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
