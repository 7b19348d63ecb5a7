import { describe, expect, it } from 'vitest';
import { PacketError } from './errors';
import { Rng } from '../rng';
import { type ParsedFrame, buildTcpFrame, buildUdpFrame, parseFrame } from './frame';
import {
  IpSummed,
  PktHashType,
  SKB_GSO_DODGY,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  SKB_GSO_TCP_ECN,
  SKB_GSO_UDP,
  SKB_GSO_UDP_L4,
  createSkb,
} from './skb';
import {
  VnetGsoType,
  VnetHdrFlag,
  type VnetFeatureName,
  skbToVnetHdr,
  validateVnetHdr,
  vnetHdrToSkb,
  VNET_HDR_FORMAT_HASH,
  VNET_HDR_FORMAT_LEGACY,
  VNET_HDR_FORMAT_V1,
  VnetFeatures,
  type VnetHdr,
  type VnetHdrFormat,
  decodeVnetHdr,
  emptyVnetHdr,
  encodeVnetHdr,
  hashTypeBitForReport,
  pktHashTypeForReport,
  vnetHdrBytes,
} from './vnet';

const hex = (s: string): Uint8Array => {
  const clean = s.replace(/\s/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
};
const hdr = (fields: Partial<VnetHdr>): VnetHdr => ({ ...emptyVnetHdr(), ...fields });
const LEGACY_BE: VnetHdrFormat = { lengthBytes: 10, littleEndian: false };

// §3.6 byte vectors.
const VECTORS: Array<{ name: string; format: VnetHdrFormat; bytes: string; fields: Partial<VnetHdr> }> = [
  {
    name: 'TX checksum-only TCP/IPv4',
    format: VNET_HDR_FORMAT_V1,
    bytes: '01 00 00 00 00 00 22 00 10 00 00 00',
    fields: { flags: 1, csumStart: 34, csumOffset: 16 },
  },
  {
    name: 'TX TSO IPv4',
    format: VNET_HDR_FORMAT_V1,
    bytes: '01 01 36 00 a8 05 22 00 10 00 00 00',
    fields: { flags: 1, gsoType: 1, hdrLenBytes: 54, gsoSizeBytes: 1448, csumStart: 34, csumOffset: 16 },
  },
  {
    name: 'TX USO IPv4',
    format: VNET_HDR_FORMAT_V1,
    bytes: '01 05 2a 00 e8 03 22 00 06 00 00 00',
    fields: { flags: 1, gsoType: 5, hdrLenBytes: 42, gsoSizeBytes: 1000, csumStart: 34, csumOffset: 6 },
  },
  {
    name: 'TX TSO IPv6',
    format: VNET_HDR_FORMAT_V1,
    bytes: '01 04 4a 00 a0 05 36 00 10 00 00 00',
    fields: { flags: 1, gsoType: 4, hdrLenBytes: 74, gsoSizeBytes: 1440, csumStart: 54, csumOffset: 16 },
  },
  {
    name: 'RX DATA_VALID, one buffer',
    format: VNET_HDR_FORMAT_V1,
    bytes: '02 00 00 00 00 00 00 00 00 00 01 00',
    fields: { flags: 2, numBuffers: 1 },
  },
  {
    name: 'RX coalesced TCPv4 over 3 mergeable buffers',
    format: VNET_HDR_FORMAT_V1,
    bytes: '01 01 36 00 a8 05 22 00 10 00 03 00',
    fields: { flags: 1, gsoType: 1, hdrLenBytes: 54, gsoSizeBytes: 1448, csumStart: 34, csumOffset: 16, numBuffers: 3 },
  },
  {
    name: 'legacy 10-octet LE',
    format: VNET_HDR_FORMAT_LEGACY,
    bytes: '01 01 36 00 a8 05 22 00 10 00',
    fields: { flags: 1, gsoType: 1, hdrLenBytes: 54, gsoSizeBytes: 1448, csumStart: 34, csumOffset: 16 },
  },
  {
    name: 'legacy 10-octet big-endian guest',
    format: LEGACY_BE,
    bytes: '01 01 00 36 05 a8 00 22 00 10',
    fields: { flags: 1, gsoType: 1, hdrLenBytes: 54, gsoSizeBytes: 1448, csumStart: 34, csumOffset: 16 },
  },
  {
    name: 'RX hash report TCPv4',
    format: VNET_HDR_FORMAT_HASH,
    bytes: '02 00 00 00 00 00 00 00 00 00 01 00 78 c1 cc 51 02 00 00 00',
    fields: { flags: 2, numBuffers: 1, hashValue: 0x51ccc178, hashReport: 2 },
  },
  {
    name: 'RX hash report IPv6',
    format: VNET_HDR_FORMAT_HASH,
    bytes: '00 00 00 00 00 00 00 00 00 00 01 00 d5 8c c1 2c 04 00 00 00',
    fields: { numBuffers: 1, hashValue: 0x2cc18cd5, hashReport: 4 },
  },
];

describe('vnet header §3.6 byte vectors', () => {
  for (const v of VECTORS) {
    it(v.name, () => {
      const bytes = hex(v.bytes);
      expect(decodeVnetHdr(bytes, 0, v.format)).toEqual(hdr(v.fields));
      expect(vnetHdrBytes(hdr(v.fields), v.format)).toEqual(bytes);
    });
  }
  it('decodes at an offset into a reused object', () => {
    const buf = new Uint8Array(5 + 12);
    buf.set(hex(VECTORS[1].bytes), 5);
    const out = emptyVnetHdr();
    out.hashValue = 99;
    expect(decodeVnetHdr(buf, 5, VNET_HDR_FORMAT_V1, out)).toBe(out);
    expect(out).toEqual(hdr(VECTORS[1].fields));
  });
});

describe('vnet header codec properties', () => {
  const formats: VnetHdrFormat[] = [
    VNET_HDR_FORMAT_LEGACY,
    LEGACY_BE,
    VNET_HDR_FORMAT_V1,
    { lengthBytes: 12, littleEndian: false },
    VNET_HDR_FORMAT_HASH,
  ];
  it('encode(decode(x)) == x for random bytes in every layout (seeded)', () => {
    const rng = new Rng(2026);
    const out = new Uint8Array(20);
    for (let n = 0; n < 2000; n++) {
      const format = formats[rng.int(formats.length)];
      const bytes = rng.bytes(format.lengthBytes);
      const decoded = decodeVnetHdr(bytes, 0, format);
      expect(encodeVnetHdr(decoded, format, out, 0)).toBe(format.lengthBytes);
      expect(out.subarray(0, format.lengthBytes)).toEqual(bytes);
    }
  });
  it('decode(encode(h)) == h for random in-range headers', () => {
    const rng = new Rng(7);
    for (let n = 0; n < 1000; n++) {
      const h = hdr({
        flags: rng.int(256),
        gsoType: rng.int(256),
        hdrLenBytes: rng.int(65536),
        gsoSizeBytes: rng.int(65536),
        csumStart: rng.int(65536),
        csumOffset: rng.int(65536),
        numBuffers: rng.int(65536),
        hashValue: rng.nextU32(),
        hashReport: rng.int(65536),
        paddingReserved: rng.int(65536),
      });
      const le = rng.int(2) === 1;
      expect(decodeVnetHdr(vnetHdrBytes(h, { lengthBytes: 20, littleEndian: le }), 0, { lengthBytes: 20, littleEndian: le })).toEqual(h);
    }
  });
});

describe('vnet header codec rejections', () => {
  it('truncated buffers', () => {
    expect(() => decodeVnetHdr(new Uint8Array(11), 0, VNET_HDR_FORMAT_V1)).toThrow(PacketError);
    expect(() => decodeVnetHdr(new Uint8Array(20), 9, VNET_HDR_FORMAT_V1)).toThrow(PacketError);
    expect(() => encodeVnetHdr(emptyVnetHdr(), VNET_HDR_FORMAT_HASH, new Uint8Array(19), 0)).toThrow(PacketError);
  });
  it('unsupported header length', () => {
    const bad = { lengthBytes: 14, littleEndian: true } as unknown as VnetHdrFormat;
    expect(() => decodeVnetHdr(new Uint8Array(20), 0, bad)).toThrow(/supported: 10, 12, 20/);
  });
  it('field out of range names the field', () => {
    try {
      vnetHdrBytes(hdr({ gsoSizeBytes: 70000 }), VNET_HDR_FORMAT_V1);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PacketError);
      expect((e as PacketError).field).toBe('gso_size');
      expect((e as PacketError).code).toBe('malformed');
    }
    expect(() => vnetHdrBytes(hdr({ flags: 1.5 }), VNET_HDR_FORMAT_V1)).toThrow(PacketError);
    expect(() => vnetHdrBytes(hdr({ hashValue: -1 }), VNET_HDR_FORMAT_HASH)).toThrow(PacketError);
  });
  it('a field the layout lacks must be 0', () => {
    expect(() => vnetHdrBytes(hdr({ numBuffers: 1 }), VNET_HDR_FORMAT_LEGACY)).toThrow(/num_buffers/);
    expect(() => vnetHdrBytes(hdr({ hashReport: 2 }), VNET_HDR_FORMAT_V1)).toThrow(/hash_report/);
  });
});

describe('VnetFeatures', () => {
  it('header format follows vi->hdr_len', () => {
    expect(VnetFeatures.of().hdrFormat()).toEqual({ lengthBytes: 10, littleEndian: true });
    expect(VnetFeatures.of().hdrFormat(false)).toEqual({ lengthBytes: 10, littleEndian: false });
    expect(VnetFeatures.of('MRG_RXBUF').hdrFormat(false)).toEqual({ lengthBytes: 12, littleEndian: false });
    expect(VnetFeatures.of('VERSION_1').hdrFormat(false)).toEqual({ lengthBytes: 12, littleEndian: true });
    expect(VnetFeatures.of('VERSION_1', 'HASH_REPORT').hdrFormat()).toEqual({ lengthBytes: 20, littleEndian: true });
  });
  it('bits, names, with/without/intersect', () => {
    const f = VnetFeatures.of('CSUM', 'VERSION_1', 'HOST_UDP_TUNNEL_GSO_CSUM');
    expect(f.bits).toBe((1n << 0n) | (1n << 32n) | (1n << 68n));
    expect(f.names()).toEqual(['CSUM', 'VERSION_1', 'HOST_UDP_TUNNEL_GSO_CSUM']);
    expect(f.has('GUEST_CSUM')).toBe(false);
    expect(f.with('GUEST_CSUM').has('GUEST_CSUM')).toBe(true);
    expect(f.without('CSUM').has('CSUM')).toBe(false);
    expect(f.intersect(VnetFeatures.of('CSUM', 'MQ')).names()).toEqual(['CSUM']);
    expect(VnetFeatures.fromBits((1n << 4n) | (1n << 7n)).names()).toEqual(['GUEST_TSO4']);
  });
  it('reports spec dependency violations', () => {
    expect(VnetFeatures.of('GUEST_CSUM', 'GUEST_TSO4', 'GUEST_ECN').violations()).toEqual([]);
    expect(VnetFeatures.of('GUEST_TSO4').violations()).toEqual(['GUEST_TSO4 requires GUEST_CSUM']);
    expect(VnetFeatures.of('CSUM', 'HOST_ECN').violations()).toEqual(['HOST_ECN requires HOST_TSO4 or HOST_TSO6']);
    expect(VnetFeatures.of('MQ', 'RSS').violations()).toEqual(['MQ requires CTRL_VQ', 'RSS requires CTRL_VQ']);
  });
});

describe('hash report helpers', () => {
  it('maps report types to hash-type bits and Linux L3/L4', () => {
    expect(hashTypeBitForReport(1)).toBe(1);
    expect(hashTypeBitForReport(9)).toBe(1 << 8);
    expect(hashTypeBitForReport(0)).toBe(0);
    expect(hashTypeBitForReport(10)).toBe(0);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(pktHashTypeForReport)).toEqual([
      'none', 'l3', 'l4', 'l4', 'l3', 'l4', 'l4', 'l3', 'l4', 'l4', 'none',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Header ↔ skb mapping

const TX_FEATURES = VnetFeatures.of('VERSION_1', 'CSUM', 'HOST_TSO4', 'HOST_TSO6', 'HOST_ECN', 'HOST_UFO', 'HOST_USO');
const RX_FEATURES = VnetFeatures.of(
  'VERSION_1', 'GUEST_CSUM', 'GUEST_TSO4', 'GUEST_TSO6', 'GUEST_ECN', 'GUEST_UFO', 'GUEST_USO4', 'GUEST_USO6',
  'MRG_RXBUF', 'HASH_REPORT',
);

/** Example 2.3's frame as the guest hands it over (partial checksum). */
const EXAMPLE_23 = hex(
  '525400123456525400abcdef08004500002d1c46400040069b16c0a8010ac0a801149c400050000003e8000007d05018faf0838e000068656c6c6f',
);

function tcp4(payloadLength: number): { buf: Uint8Array; frame: ParsedFrame } {
  const buf = buildTcpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', srcPort: 40000, dstPort: 80, seq: 1000, payloadLength, checksum: 'partial' });
  return { buf, frame: parseFrame(buf) };
}
function tcp6(payloadLength: number): { buf: Uint8Array; frame: ParsedFrame } {
  const buf = buildTcpFrame({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', srcPort: 40000, dstPort: 80, seq: 1, payloadLength, checksum: 'partial' });
  return { buf, frame: parseFrame(buf) };
}
function udp4(payloadLength: number): { buf: Uint8Array; frame: ParsedFrame } {
  const buf = buildUdpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', srcPort: 5353, dstPort: 5353, payloadLength, checksum: 'partial' });
  return { buf, frame: parseFrame(buf) };
}
function udp6(payloadLength: number): { buf: Uint8Array; frame: ParsedFrame } {
  const buf = buildUdpFrame({ srcIp: '2001:db8::1', dstIp: '2001:db8::2', srcPort: 5353, dstPort: 5353, payloadLength, checksum: 'partial' });
  return { buf, frame: parseFrame(buf) };
}

function expectReject(fn: () => unknown, field: string, code = 'invalid-state'): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PacketError);
    expect((e as PacketError).code).toBe(code);
    expect((e as PacketError).field).toBe(field);
    return;
  }
  expect.unreachable(`expected a PacketError on ${field}`);
}

describe('vnetHdrToSkb: accepted headers', () => {
  it('checksum-only TCP/IPv4 (example 2.3 + §3.6 vector 1) → CHECKSUM_PARTIAL at 34+16', () => {
    const h = decodeVnetHdr(hex(VECTORS[0].bytes), 0, VNET_HDR_FORMAT_V1);
    const skb = vnetHdrToSkb(h, parseFrame(EXAMPLE_23), TX_FEATURES, { direction: 'tx' });
    expect(skb.ipSummed).toBe(IpSummed.PARTIAL);
    expect(skb.csumStart).toBe(34);
    expect(skb.csumOffset).toBe(16);
    expect(skb.transportHeader).toBe(34);
    expect(skb.networkHeader).toBe(14);
    expect(skb.len).toBe(59);
    expect(skb.gsoSize).toBe(0);
  });
  it('TSO IPv4: 3 × 1448 payload becomes a DODGY GSO skb of 3 segments', () => {
    const { frame } = tcp4(3 * 1448);
    const h = decodeVnetHdr(hex(VECTORS[1].bytes), 0, VNET_HDR_FORMAT_V1);
    const skb = vnetHdrToSkb(h, frame, TX_FEATURES, { direction: 'tx' });
    expect(skb.gsoSize).toBe(1448);
    expect(skb.gsoType).toBe(SKB_GSO_TCPV4 | SKB_GSO_DODGY);
    expect(skb.gsoSegs).toBe(3);
    expect(skb.ipSummed).toBe(IpSummed.PARTIAL);
  });
  it('TSO header on a frame that fits one segment gives a plain skb', () => {
    const h = decodeVnetHdr(hex(VECTORS[1].bytes), 0, VNET_HDR_FORMAT_V1);
    const skb = vnetHdrToSkb(h, tcp4(1448).frame, TX_FEATURES, { direction: 'tx' });
    expect(skb.gsoSize).toBe(0);
    expect(skb.gsoType).toBe(0);
    expect(skb.ipSummed).toBe(IpSummed.PARTIAL);
    // One byte more than gso_size beyond the minimal TCP header is GSO again.
    expect(vnetHdrToSkb(h, tcp4(1449).frame, TX_FEATURES, { direction: 'tx' }).gsoSegs).toBe(2);
  });
  it('TSO with ECN, IPv6 (§3.6 TSO IPv6 vector)', () => {
    const h = decodeVnetHdr(hex(VECTORS[3].bytes), 0, VNET_HDR_FORMAT_V1);
    h.gsoType |= 0x80;
    const skb = vnetHdrToSkb(h, tcp6(5000).frame, TX_FEATURES, { direction: 'tx' });
    expect(skb.gsoType).toBe(SKB_GSO_TCPV6 | SKB_GSO_TCP_ECN | SKB_GSO_DODGY);
    expect(skb.gsoSegs).toBe(4);
    expect(skb.csumStart).toBe(54);
  });
  it('USO IPv4 (§3.6 USO vector)', () => {
    const h = decodeVnetHdr(hex(VECTORS[2].bytes), 0, VNET_HDR_FORMAT_V1);
    const skb = vnetHdrToSkb(h, udp4(2500).frame, TX_FEATURES, { direction: 'tx' });
    expect(skb.gsoType).toBe(SKB_GSO_UDP_L4 | SKB_GSO_DODGY);
    expect(skb.gsoSegs).toBe(3);
    expect(skb.csumOffset).toBe(6);
  });
  it('GSO without NEEDS_CSUM: transport header found by dissection', () => {
    const skb = vnetHdrToSkb(hdr({ gsoType: VnetGsoType.TCPV4, gsoSizeBytes: 1000 }), tcp4(4000).frame, TX_FEATURES, { direction: 'tx' });
    expect(skb.ipSummed).toBe(IpSummed.NONE);
    expect(skb.transportHeader).toBe(34);
    expect(skb.gsoType).toBe(SKB_GSO_TCPV4 | SKB_GSO_DODGY);
    expect(skb.gsoSegs).toBe(4);
  });
  it('UFO on IPv6 without NEEDS_CSUM (kernel tries IPv4 then IPv6)', () => {
    const skb = vnetHdrToSkb(hdr({ gsoType: VnetGsoType.UDP, gsoSizeBytes: 1000 }), udp6(3000).frame, TX_FEATURES, { direction: 'tx' });
    expect(skb.gsoType).toBe(SKB_GSO_UDP | SKB_GSO_DODGY);
    expect(skb.gsoSegs).toBe(4); // 3008 datagram bytes in 1000-byte fragments
  });
  it('RX: DATA_VALID → UNNECESSARY, hash report → L4 hash', () => {
    const h = decodeVnetHdr(hex(VECTORS[8].bytes), 0, VNET_HDR_FORMAT_HASH);
    const skb = vnetHdrToSkb(h, parseFrame(EXAMPLE_23), RX_FEATURES, { direction: 'rx' });
    expect(skb.ipSummed).toBe(IpSummed.UNNECESSARY);
    expect(skb.hash).toBe(0x51ccc178);
    expect(skb.hashType).toBe(PktHashType.L4);
    const noRxHash = vnetHdrToSkb(h, parseFrame(EXAMPLE_23), RX_FEATURES, { direction: 'rx', rxHash: false });
    expect(noRxHash.hashType).toBe(PktHashType.NONE);
    const v6 = decodeVnetHdr(hex(VECTORS[9].bytes), 0, VNET_HDR_FORMAT_HASH);
    const s6 = vnetHdrToSkb(v6, tcp6(10).frame, RX_FEATURES, { direction: 'rx' });
    expect(s6.ipSummed).toBe(IpSummed.NONE);
    expect(s6.hashType).toBe(PktHashType.L3);
    expect(s6.hash).toBe(0x2cc18cd5);
  });
  it('RX coalesced TCPv4 over 3 mergeable buffers (§3.6)', () => {
    const h = decodeVnetHdr(hex(VECTORS[5].bytes), 0, VNET_HDR_FORMAT_V1);
    const skb = vnetHdrToSkb(h, tcp4(1448 * 5).frame, RX_FEATURES, { direction: 'rx' });
    expect(skb.gsoSegs).toBe(5);
    expect(skb.ipSummed).toBe(IpSummed.PARTIAL);
  });
  it('RX RSC_INFO: csum fields are segment / dup-ACK counts', () => {
    const f = VnetFeatures.of('VERSION_1', 'GUEST_CSUM', 'GUEST_TSO4', 'CSUM', 'HOST_TSO4', 'RSC_EXT');
    const h = hdr({ flags: VnetHdrFlag.RSC_INFO | VnetHdrFlag.DATA_VALID, gsoType: 1, gsoSizeBytes: 1448, csumStart: 7, csumOffset: 2, numBuffers: 1 });
    const skb = vnetHdrToSkb(h, tcp4(1448 * 7).frame, f, { direction: 'rx' });
    expect(skb.gsoSegs).toBe(7);
    expect(skb.ipSummed).toBe(IpSummed.UNNECESSARY);
    expect(skb.transportHeader).toBe(34);
  });
  it('fills a pooled skb in place', () => {
    const pooled = createSkb({ hash: 5, gsoSize: 9 });
    const skb = vnetHdrToSkb(hdr({}), parseFrame(EXAMPLE_23), TX_FEATURES, { direction: 'tx', out: pooled });
    expect(skb).toBe(pooled);
    expect(skb.hash).toBe(0);
    expect(skb.gsoSize).toBe(0);
    expect(skb.ipSummed).toBe(IpSummed.NONE);
  });
});

const tsoHdr = (fields: Partial<VnetHdr>): VnetHdr => hdr({ flags: 1, gsoType: 1, gsoSizeBytes: 1448, csumStart: 34, csumOffset: 16, ...fields });
const usoHdr = (fields: Partial<VnetHdr>): VnetHdr => hdr({ flags: 1, gsoType: 5, gsoSizeBytes: 1000, csumStart: 34, csumOffset: 6, ...fields });
const roundTrip = (bytes: string, frame: ParsedFrame, headLengthBytes: number): void => {
  const h = decodeVnetHdr(hex(bytes), 0, VNET_HDR_FORMAT_V1);
  const skb = vnetHdrToSkb(h, frame, TX_FEATURES, { direction: 'tx' });
  const back = skbToVnetHdr(skb, TX_FEATURES, { direction: 'tx', headLengthBytes });
  expect(vnetHdrBytes(back, VNET_HDR_FORMAT_V1)).toEqual(hex(bytes));
};

describe('vnetHdrToSkb: rejections name the field', () => {
  const big4 = tcp4(5000).frame;
  const tx = { direction: 'tx' } as const;
  const rx = { direction: 'rx' } as const;
  it('gso_size 0 and GSO_BY_FRAGS', () => {
    expectReject(() => vnetHdrToSkb(tsoHdr({ gsoSizeBytes: 0 }), big4, TX_FEATURES, tx), 'gso_size');
    expectReject(() => vnetHdrToSkb(tsoHdr({ gsoSizeBytes: 0xffff }), big4, TX_FEATURES, tx), 'gso_size');
  });
  it('unknown GSO types and misplaced ECN bits', () => {
    expectReject(() => vnetHdrToSkb(tsoHdr({ gsoType: 2 }), big4, TX_FEATURES, tx), 'gso_type');
    expectReject(() => vnetHdrToSkb(tsoHdr({ gsoType: 0x80 }), big4, TX_FEATURES, tx), 'gso_type');
    expectReject(() => vnetHdrToSkb(hdr({ flags: 1, gsoType: 0x85, gsoSizeBytes: 1000, csumStart: 34, csumOffset: 6 }), udp4(3000).frame, TX_FEATURES, tx), 'gso_type');
  });
  it('csum_start / csum_offset bounds', () => {
    expectReject(() => vnetHdrToSkb(hdr({ flags: 1, csumStart: 50, csumOffset: 16 }), parseFrame(EXAMPLE_23), TX_FEATURES, tx), 'csum_start');
    expectReject(() => vnetHdrToSkb(hdr({ flags: 1, csumStart: 58, csumOffset: 0 }), parseFrame(EXAMPLE_23), TX_FEATURES, tx), 'csum_start');
    expectReject(() => vnetHdrToSkb(hdr({ flags: 1, csumStart: 19, csumOffset: 0 }), parseFrame(EXAMPLE_23), TX_FEATURES, tx), 'csum_start');
    // TCPV6 needs csum_start past a 40-byte network header.
    expectReject(() => vnetHdrToSkb(tsoHdr({ gsoType: 4, csumStart: 30 }), tcp6(5000).frame, TX_FEATURES, tx), 'csum_start');
    // Legal for a non-GSO frame: any start inside the frame, kernel-style.
    expect(vnetHdrToSkb(hdr({ flags: 1, csumStart: 20, csumOffset: 37 }), parseFrame(EXAMPLE_23), TX_FEATURES, tx).csumStart).toBe(20);
  });
  it('GSO type must match the frame', () => {
    expectReject(() => vnetHdrToSkb(hdr({ gsoType: 1, gsoSizeBytes: 1000 }), tcp6(5000).frame, TX_FEATURES, tx), 'gso_type');
    expectReject(() => vnetHdrToSkb(hdr({ gsoType: 4, gsoSizeBytes: 1000 }), big4, TX_FEATURES, tx), 'gso_type');
    expectReject(() => vnetHdrToSkb(hdr({ gsoType: 1, gsoSizeBytes: 1000 }), udp4(5000).frame, TX_FEATURES, tx), 'gso_type');
    expectReject(() => vnetHdrToSkb(tsoHdr({}), udp4(5000).frame, TX_FEATURES, tx), 'gso_type');
    expectReject(() => vnetHdrToSkb(tsoHdr({ csumStart: 30, csumOffset: 20 }), big4, TX_FEATURES, tx), 'csum_start');
  });
  it('TSO needs csum_offset 16; USO needs NEEDS_CSUM, csum_offset 6 and ≤ 128 segments', () => {
    expectReject(() => vnetHdrToSkb(tsoHdr({ csumOffset: 6 }), big4, TX_FEATURES, tx), 'csum_offset');
    expectReject(() => vnetHdrToSkb(usoHdr({ flags: 0 }), udp4(3000).frame, TX_FEATURES, tx), 'flags');
    expectReject(() => vnetHdrToSkb(usoHdr({ csumOffset: 16 }), udp4(3000).frame, TX_FEATURES, tx), 'csum_offset');
    expectReject(() => vnetHdrToSkb(usoHdr({ gsoSizeBytes: 100 }), udp4(12_801).frame, TX_FEATURES, tx), 'gso_size');
    expect(vnetHdrToSkb(usoHdr({ gsoSizeBytes: 100 }), udp4(12_800).frame, TX_FEATURES, tx).gsoSegs).toBe(128);
  });
  it('offloads the other side did not negotiate', () => {
    expectReject(() => vnetHdrToSkb(tsoHdr({}), big4, TX_FEATURES.without('HOST_TSO4'), tx), 'gso_type');
    expectReject(() => vnetHdrToSkb(tsoHdr({ gsoType: 0x81 }), big4, TX_FEATURES.without('HOST_ECN'), tx), 'gso_type');
    expectReject(() => vnetHdrToSkb(hdr({ flags: 1, csumStart: 34, csumOffset: 16 }), big4, VnetFeatures.of('VERSION_1'), tx), 'flags');
    expectReject(() => vnetHdrToSkb(tsoHdr({ numBuffers: 1 }), big4, RX_FEATURES.without('GUEST_TSO4'), rx), 'gso_type');
    expectReject(() => vnetHdrToSkb(hdr({ flags: 1, gsoType: 5, gsoSizeBytes: 1000, csumStart: 54, csumOffset: 6, numBuffers: 1 }), udp6(3000).frame, RX_FEATURES.without('GUEST_USO6'), rx), 'gso_type');
    // Legacy "any GSO" bit covers every type on transmit.
    expect(vnetHdrToSkb(tsoHdr({}), big4, VnetFeatures.of('CSUM', 'GSO'), tx).gsoSize).toBe(1448);
  });
  it('spec TX/RX rules: receive-only flags, num_buffers, hash report, RSC', () => {
    expectReject(() => vnetHdrToSkb(hdr({ flags: 2 }), big4, TX_FEATURES, tx), 'flags');
    expectReject(() => vnetHdrToSkb(hdr({ numBuffers: 1 }), big4, TX_FEATURES, tx), 'num_buffers');
    expectReject(() => vnetHdrToSkb(hdr({ numBuffers: 0 }), big4, RX_FEATURES, rx), 'num_buffers');
    expectReject(() => vnetHdrToSkb(hdr({ numBuffers: 2 }), big4, RX_FEATURES.without('MRG_RXBUF'), rx), 'num_buffers');
    expect(vnetHdrToSkb(hdr({ numBuffers: 0 }), big4, VnetFeatures.of('GUEST_CSUM'), rx).len).toBe(big4.frameLength);
    expectReject(() => vnetHdrToSkb(hdr({ numBuffers: 1, hashReport: 10 }), big4, RX_FEATURES, rx), 'hash_report');
    expectReject(() => vnetHdrToSkb(hdr({ numBuffers: 1, hashReport: 2 }), big4, RX_FEATURES.without('HASH_REPORT'), rx), 'hash_report');
    expectReject(() => vnetHdrToSkb(hdr({ flags: 4, gsoType: 1, gsoSizeBytes: 1000, numBuffers: 1 }), big4, RX_FEATURES, rx), 'flags');
    expectReject(() => vnetHdrToSkb(hdr({ flags: 4, numBuffers: 1 }), big4, RX_FEATURES.with('RSC_EXT'), rx), 'flags');
    expectReject(() => vnetHdrToSkb(hdr({ flags: 8 }), big4, TX_FEATURES, tx), 'flags', 'unsupported');
    // Unknown flag bits are ignored; DATA_VALID is legal on receive even without GUEST_CSUM (spec fix #185).
    expect(vnetHdrToSkb(hdr({ flags: 0x40 }), big4, TX_FEATURES, tx).ipSummed).toBe(IpSummed.NONE);
    expect(vnetHdrToSkb(hdr({ flags: 2, numBuffers: 1 }), big4, VnetFeatures.of('VERSION_1'), rx).ipSummed).toBe(IpSummed.UNNECESSARY);
  });
  it('validateVnetHdr alone checks what needs no frame', () => {
    expect(() => validateVnetHdr(tsoHdr({}), TX_FEATURES, 'tx')).not.toThrow();
    expectReject(() => validateVnetHdr(tsoHdr({ gsoSizeBytes: 0 }), TX_FEATURES, 'tx'), 'gso_size');
  });
});

describe('skbToVnetHdr (virtio_net_hdr_from_skb)', () => {
  it('reproduces the §3.6 TX vectors from the skbs they produce', () => {
    roundTrip(VECTORS[0].bytes, parseFrame(EXAMPLE_23), 0);
    roundTrip(VECTORS[1].bytes, tcp4(3 * 1448).frame, 54);
    roundTrip(VECTORS[2].bytes, udp4(2500).frame, 42);
    roundTrip(VECTORS[3].bytes, tcp6(5000).frame, 74);
  });
  it('hdr_len defaults to skb_headlen of a linear skb; vlan_hlen shifts csum_start', () => {
    const skb = createSkb({ len: 4000, ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 16, gsoSize: 1448, gsoType: SKB_GSO_TCPV4 | SKB_GSO_TCP_ECN });
    const h = skbToVnetHdr(skb, TX_FEATURES, { direction: 'tx', vlanHlenBytes: 4 });
    expect(h).toEqual(hdr({ flags: 1, gsoType: 0x81, hdrLenBytes: 4000, gsoSizeBytes: 1448, csumStart: 38, csumOffset: 16 }));
  });
  it('DATA_VALID only towards the guest; num_buffers and hash filled on receive', () => {
    const skb = createSkb({ len: 60, ipSummed: IpSummed.UNNECESSARY });
    expect(skbToVnetHdr(skb, TX_FEATURES, { direction: 'tx' }).flags).toBe(0);
    const h = skbToVnetHdr(skb, RX_FEATURES, { direction: 'rx', hash: { value: 0x51ccc178, report: 2 } });
    expect(vnetHdrBytes(h, VNET_HDR_FORMAT_HASH)).toEqual(hex(VECTORS[8].bytes));
    expect(skbToVnetHdr(skb, RX_FEATURES, { direction: 'rx', numBuffers: 3 }).numBuffers).toBe(3);
    expect(skbToVnetHdr(skb, VnetFeatures.of('GUEST_CSUM'), { direction: 'rx' }).numBuffers).toBe(0);
  });
  it('rejects UFO skbs and offloads the peer lacks', () => {
    const ufo = createSkb({ len: 4000, gsoSize: 1000, gsoType: SKB_GSO_UDP });
    expectReject(() => skbToVnetHdr(ufo, TX_FEATURES, { direction: 'tx' }), 'gso_type');
    const tso = createSkb({ len: 4000, ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 16, gsoSize: 1448, gsoType: SKB_GSO_TCPV4 });
    expectReject(() => skbToVnetHdr(tso, TX_FEATURES.without('HOST_TSO4'), { direction: 'tx' }), 'gso_type');
    expectReject(() => skbToVnetHdr(tso, RX_FEATURES.without('GUEST_TSO4'), { direction: 'rx' }), 'gso_type');
    const partial = createSkb({ len: 60, ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 16 });
    expectReject(() => skbToVnetHdr(partial, VnetFeatures.of('VERSION_1'), { direction: 'rx' }), 'flags');
    expectReject(() => skbToVnetHdr(createSkb({ len: 60 }), VnetFeatures.of('VERSION_1'), { direction: 'rx', hash: { value: 1, report: 1 } }), 'hash_report');
  });
});

describe('vnet mapping details', () => {
  it('frames inside a larger buffer: csum_start is frame-relative, skb offsets absolute', () => {
    const buf = new Uint8Array(10 + EXAMPLE_23.length);
    buf.set(EXAMPLE_23, 10);
    const frame = parseFrame(buf, 10, EXAMPLE_23.length);
    const skb = vnetHdrToSkb(hdr({ flags: 1, csumStart: 34, csumOffset: 16 }), frame, TX_FEATURES, { direction: 'tx' });
    expect(skb.macHeader).toBe(10);
    expect(skb.csumStart).toBe(44);
    expect(skb.transportHeader).toBe(44);
    expect(skbToVnetHdr(skb, TX_FEATURES, { direction: 'tx' }).csumStart).toBe(34);
    expectReject(() => vnetHdrToSkb(hdr({ flags: 1, csumStart: 50, csumOffset: 16 }), frame, TX_FEATURES, { direction: 'tx' }), 'csum_start');
  });
  it('GUEST_HDRLEN: transmitted GSO headers carry the exact header length', () => {
    const f = TX_FEATURES.with('GUEST_HDRLEN');
    const { frame } = tcp4(5000);
    expect(vnetHdrToSkb(tsoHdr({ hdrLenBytes: 54 }), frame, f, { direction: 'tx' }).gsoSize).toBe(1448);
    expectReject(() => vnetHdrToSkb(tsoHdr({ hdrLenBytes: 1500 }), frame, f, { direction: 'tx' }), 'hdr_len');
    // Without GUEST_HDRLEN hdr_len is only a hint.
    expect(vnetHdrToSkb(tsoHdr({ hdrLenBytes: 1500 }), frame, TX_FEATURES, { direction: 'tx' }).gsoSize).toBe(1448);
    const skb = vnetHdrToSkb(tsoHdr({ hdrLenBytes: 54 }), frame, f, { direction: 'tx' });
    expect(skbToVnetHdr(skb, f, { direction: 'tx', frame }).hdrLenBytes).toBe(54);
    expectReject(() => skbToVnetHdr(skb, f, { direction: 'tx' }), 'hdr_len');
  });
  it('non-integer offsets are rejected, not read as undefined', () => {
    expect(() => decodeVnetHdr(new Uint8Array(30), 1.5, VNET_HDR_FORMAT_V1)).toThrow(PacketError);
    expect(() => encodeVnetHdr(emptyVnetHdr(), VNET_HDR_FORMAT_V1, new Uint8Array(30), 0.5)).toThrow(PacketError);
  });
  it('hdrLengthBytes is cached per feature set', () => {
    expect(VnetFeatures.of('VERSION_1', 'HASH_REPORT').hdrLengthBytes).toBe(20);
    expect(VnetFeatures.of('MRG_RXBUF').hdrLengthBytes).toBe(12);
    expect(VnetFeatures.of('CSUM').hdrLengthBytes).toBe(10);
  });
});

describe('fuzz: random headers into decoder + validator', () => {
  const ALL: VnetFeatureName[] = [
    'CSUM', 'GUEST_CSUM', 'GSO', 'GUEST_TSO4', 'GUEST_TSO6', 'GUEST_ECN', 'GUEST_UFO', 'HOST_TSO4', 'HOST_TSO6',
    'HOST_ECN', 'HOST_UFO', 'MRG_RXBUF', 'VERSION_1', 'GUEST_USO4', 'GUEST_USO6', 'HOST_USO', 'HASH_REPORT', 'RSC_EXT',
  ];
  const frames = [parseFrame(EXAMPLE_23), tcp4(3000).frame, tcp6(3000).frame, udp4(3000).frame, udp6(200).frame, tcp4(0).frame];
  it('every input yields an skb or a PacketError, never anything else (seeded)', () => {
    const rng = new Rng(0xf022);
    let accepted = 0;
    let rejected = 0;
    for (let n = 0; n < 6000; n++) {
      const names = ALL.filter(() => rng.int(3) > 0);
      const features = VnetFeatures.of(...names);
      const format = features.hdrFormat(rng.int(2) === 1);
      const bytes = rng.bytes(format.lengthBytes);
      // Bias half the cases towards plausible values so the accepting paths run too.
      if (rng.int(2) === 0) {
        bytes[0] &= 0x03;
        bytes[1] = [0, 1, 3, 4, 5, 0x81][rng.int(6)];
        const le = format.littleEndian;
        const put = (off: number, v: number): void => {
          bytes[off + (le ? 0 : 1)] = v & 0xff;
          bytes[off + (le ? 1 : 0)] = v >>> 8;
        };
        put(4, rng.int(3000));
        put(6, [34, 54, rng.int(80)][rng.int(3)]);
        put(8, [6, 16, rng.int(40)][rng.int(3)]);
        if (format.lengthBytes >= 12) put(10, rng.int(3));
        if (format.lengthBytes === 20) put(16, rng.int(11));
      }
      const direction = rng.int(2) === 0 ? 'tx' : 'rx';
      try {
        const h = decodeVnetHdr(bytes, 0, format);
        const skb = vnetHdrToSkb(h, frames[rng.int(frames.length)], features, { direction });
        expect(skb.len).toBeGreaterThan(0);
        accepted++;
      } catch (e) {
        if (!(e instanceof PacketError)) throw e;
        rejected++;
      }
    }
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
  it('truncated and odd buffers into the decoder give PacketError only', () => {
    const rng = new Rng(99);
    for (let n = 0; n < 2000; n++) {
      const buf = rng.bytes(rng.int(24));
      const format = [VNET_HDR_FORMAT_LEGACY, VNET_HDR_FORMAT_V1, VNET_HDR_FORMAT_HASH][rng.int(3)];
      const offset = rng.int(8) - 2;
      try {
        decodeVnetHdr(buf, offset, format);
        expect(offset + format.lengthBytes).toBeLessThanOrEqual(buf.length);
      } catch (e) {
        expect(e).toBeInstanceOf(PacketError);
      }
    }
  });
});
