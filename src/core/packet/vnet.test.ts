import { describe, expect, it } from 'vitest';
import { PacketError } from './errors';
import { Rng } from '../rng';
import {
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
