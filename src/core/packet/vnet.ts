/*
 * virtio_net_hdr codec (reference §3). Multi-byte fields are little-endian with VIRTIO_F_VERSION_1,
 * the guest's native order for legacy devices.
 *
 *   offset size field
 *   0      1    flags            NEEDS_CSUM 0x01, DATA_VALID 0x02, RSC_INFO 0x04, UDP_TUNNEL_CSUM 0x08
 *   1      1    gso_type         NONE 0, TCPV4 1, UDP 3, TCPV6 4, UDP_L4 5, | ECN 0x80
 *   2      2    hdr_len          Ethernet + IP + L4 header length (a hint)
 *   4      2    gso_size         MSS
 *   6      2    csum_start       from the start of the frame  (RSC_INFO: rsc.segments)
 *   8      2    csum_offset      from csum_start              (RSC_INFO: rsc.dup_acks)
 *   ---- 10 octets: struct virtio_net_hdr (legacy)
 *   10     2    num_buffers      RX: buffers the packet spans; TX: 0
 *   ---- 12 octets: virtio_net_hdr_mrg_rxbuf == virtio_net_hdr_v1
 *   12     4    hash_value
 *   16     2    hash_report      0..9, see VnetHashReport
 *   18     2    padding_reserved
 *   ---- 20 octets: virtio_net_hdr_v1_hash (VIRTIO_NET_F_HASH_REPORT)
 */
import { PacketError, need } from './errors';

export const VnetHdrFlag = {
  NEEDS_CSUM: 0x01,
  DATA_VALID: 0x02,
  RSC_INFO: 0x04,
  UDP_TUNNEL_CSUM: 0x08,
} as const;

/** gso_type values (low 7 bits); ECN is OR-ed in as VNET_HDR_GSO_ECN. */
export const VnetGsoType = {
  NONE: 0,
  TCPV4: 1,
  UDP: 3,
  TCPV6: 4,
  UDP_L4: 5,
} as const;
export type VnetGsoTypeValue = (typeof VnetGsoType)[keyof typeof VnetGsoType];
export const VNET_HDR_GSO_ECN = 0x80;

export const VnetHashReport = {
  NONE: 0,
  IPV4: 1,
  TCPV4: 2,
  UDPV4: 3,
  IPV6: 4,
  TCPV6: 5,
  UDPV6: 6,
  IPV6_EX: 7,
  TCPV6_EX: 8,
  UDPV6_EX: 9,
} as const;
export type VnetHashReportValue = (typeof VnetHashReport)[keyof typeof VnetHashReport];

/** VIRTIO_NET_RSS_HASH_TYPE_* bit for a report type: 1 << (report − 1); 0 for NONE or unknown. */
export function hashTypeBitForReport(report: number): number {
  return report >= 1 && report <= 9 ? 1 << (report - 1) : 0;
}

/** Linux's reading of a hash report: L4 for TCP/UDP reports, L3 for IP-only ones, none otherwise. */
export function pktHashTypeForReport(report: number): 'none' | 'l3' | 'l4' {
  switch (report) {
    case 2:
    case 3:
    case 5:
    case 6:
    case 8:
    case 9:
      return 'l4';
    case 1:
    case 4:
    case 7:
      return 'l3';
    default:
      return 'none';
  }
}

/** Feature bit numbers in the virtio feature space (§3.3). */
export const VIRTIO_NET_F = {
  CSUM: 0,
  GUEST_CSUM: 1,
  CTRL_GUEST_OFFLOADS: 2,
  MTU: 3,
  MAC: 5,
  GSO: 6,
  GUEST_TSO4: 7,
  GUEST_TSO6: 8,
  GUEST_ECN: 9,
  GUEST_UFO: 10,
  HOST_TSO4: 11,
  HOST_TSO6: 12,
  HOST_ECN: 13,
  HOST_UFO: 14,
  MRG_RXBUF: 15,
  STATUS: 16,
  CTRL_VQ: 17,
  CTRL_RX: 18,
  CTRL_VLAN: 19,
  CTRL_RX_EXTRA: 20,
  GUEST_ANNOUNCE: 21,
  MQ: 22,
  CTRL_MAC_ADDR: 23,
  VERSION_1: 32,
  NOTF_COAL: 53,
  GUEST_USO4: 54,
  GUEST_USO6: 55,
  HOST_USO: 56,
  HASH_REPORT: 57,
  GUEST_HDRLEN: 59,
  RSS: 60,
  RSC_EXT: 61,
  STANDBY: 62,
  SPEED_DUPLEX: 63,
  RSS_CONTEXT: 64,
  GUEST_UDP_TUNNEL_GSO: 65,
  GUEST_UDP_TUNNEL_GSO_CSUM: 66,
  HOST_UDP_TUNNEL_GSO: 67,
  HOST_UDP_TUNNEL_GSO_CSUM: 68,
} as const;
export type VnetFeatureName = keyof typeof VIRTIO_NET_F;
const FEATURE_NAMES = Object.keys(VIRTIO_NET_F) as VnetFeatureName[];
const FEATURE_SPACE_BITS = 69;

/** Spec "feature bit requirements": each feature needs all of `all` and at least one of `any`. */
const FEATURE_REQUIREMENTS: ReadonlyArray<{
  feature: VnetFeatureName;
  all?: readonly VnetFeatureName[];
  any?: readonly VnetFeatureName[];
}> = [
  { feature: 'GUEST_TSO4', all: ['GUEST_CSUM'] },
  { feature: 'GUEST_TSO6', all: ['GUEST_CSUM'] },
  { feature: 'GUEST_UFO', all: ['GUEST_CSUM'] },
  { feature: 'GUEST_USO4', all: ['GUEST_CSUM'] },
  { feature: 'GUEST_USO6', all: ['GUEST_CSUM'] },
  { feature: 'GUEST_ECN', any: ['GUEST_TSO4', 'GUEST_TSO6'] },
  { feature: 'HOST_TSO4', all: ['CSUM'] },
  { feature: 'HOST_TSO6', all: ['CSUM'] },
  { feature: 'HOST_UFO', all: ['CSUM'] },
  { feature: 'HOST_USO', all: ['CSUM'] },
  { feature: 'HOST_ECN', any: ['HOST_TSO4', 'HOST_TSO6'] },
  { feature: 'CTRL_RX', all: ['CTRL_VQ'] },
  { feature: 'CTRL_VLAN', all: ['CTRL_VQ'] },
  { feature: 'GUEST_ANNOUNCE', all: ['CTRL_VQ'] },
  { feature: 'MQ', all: ['CTRL_VQ'] },
  { feature: 'CTRL_MAC_ADDR', all: ['CTRL_VQ'] },
  { feature: 'NOTF_COAL', all: ['CTRL_VQ'] },
  { feature: 'RSS', all: ['CTRL_VQ'] },
  { feature: 'RSC_EXT', any: ['HOST_TSO4', 'HOST_TSO6'] },
];

export type VnetHdrLengthBytes = 10 | 12 | 20;

/** How a header is laid out on a given link: its length and byte order. */
export interface VnetHdrFormat {
  readonly lengthBytes: VnetHdrLengthBytes;
  readonly littleEndian: boolean;
}

/**
 * A negotiated (or offered) virtio-net feature set. Immutable; membership is a table lookup so the
 * per-packet checks in vnetHdrToSkb stay cheap.
 */
export class VnetFeatures {
  private readonly present: Uint8Array;

  private constructor(readonly bits: bigint) {
    this.present = new Uint8Array(FEATURE_SPACE_BITS);
    for (let i = 0; i < FEATURE_SPACE_BITS; i++) this.present[i] = (bits >> BigInt(i)) & 1n ? 1 : 0;
  }

  static of(...names: VnetFeatureName[]): VnetFeatures {
    let bits = 0n;
    for (const n of names) bits |= 1n << BigInt(VIRTIO_NET_F[n]);
    return new VnetFeatures(bits);
  }

  /** From a raw feature bitmap; bits outside the known features are dropped. */
  static fromBits(bits: bigint): VnetFeatures {
    let known = 0n;
    for (const n of FEATURE_NAMES) known |= 1n << BigInt(VIRTIO_NET_F[n]);
    return new VnetFeatures(bits & known);
  }

  has(name: VnetFeatureName): boolean {
    return this.present[VIRTIO_NET_F[name]] === 1;
  }

  with(...names: VnetFeatureName[]): VnetFeatures {
    return new VnetFeatures(this.bits | VnetFeatures.of(...names).bits);
  }

  without(...names: VnetFeatureName[]): VnetFeatures {
    return new VnetFeatures(this.bits & ~VnetFeatures.of(...names).bits);
  }

  /** Negotiation: what both the device offers and the driver accepts. */
  intersect(other: VnetFeatures): VnetFeatures {
    return new VnetFeatures(this.bits & other.bits);
  }

  names(): VnetFeatureName[] {
    return FEATURE_NAMES.filter((n) => this.has(n));
  }

  /** Spec dependency violations, e.g. "GUEST_TSO4 requires GUEST_CSUM". Empty when consistent. */
  violations(): string[] {
    const out: string[] = [];
    for (const r of FEATURE_REQUIREMENTS) {
      if (!this.has(r.feature)) continue;
      for (const dep of r.all ?? []) if (!this.has(dep)) out.push(`${r.feature} requires ${dep}`);
      if (r.any && !r.any.some((d) => this.has(d))) out.push(`${r.feature} requires ${r.any.join(' or ')}`);
    }
    return out;
  }

  /**
   * Header layout Linux's driver uses (vi->hdr_len): 20 with HASH_REPORT, 12 with MRG_RXBUF or VERSION_1,
   * else 10. VERSION_1 forces little-endian; a legacy device uses the guest's order.
   */
  hdrFormat(legacyGuestLittleEndian = true): VnetHdrFormat {
    const lengthBytes: VnetHdrLengthBytes = this.has('HASH_REPORT')
      ? 20
      : this.has('MRG_RXBUF') || this.has('VERSION_1')
        ? 12
        : 10;
    return { lengthBytes, littleEndian: this.has('VERSION_1') || legacyGuestLittleEndian };
  }
}

export const VNET_HDR_FORMAT_V1: VnetHdrFormat = { lengthBytes: 12, littleEndian: true };
export const VNET_HDR_FORMAT_HASH: VnetHdrFormat = { lengthBytes: 20, littleEndian: true };
export const VNET_HDR_FORMAT_LEGACY: VnetHdrFormat = { lengthBytes: 10, littleEndian: true };

/** Decoded header. Fields absent from the layout decode as 0 and must be 0 to encode into it. */
export interface VnetHdr {
  flags: number;
  /** Includes the ECN bit (0x80). */
  gsoType: number;
  hdrLenBytes: number;
  gsoSizeBytes: number;
  /** With RSC_INFO: number of coalesced segments. */
  csumStart: number;
  /** With RSC_INFO: number of duplicate ACKs. */
  csumOffset: number;
  numBuffers: number;
  hashValue: number;
  hashReport: number;
  paddingReserved: number;
}

export function emptyVnetHdr(): VnetHdr {
  return {
    flags: 0,
    gsoType: 0,
    hdrLenBytes: 0,
    gsoSizeBytes: 0,
    csumStart: 0,
    csumOffset: 0,
    numBuffers: 0,
    hashValue: 0,
    hashReport: 0,
    paddingReserved: 0,
  };
}

function checkFormat(format: VnetHdrFormat): void {
  const n: number = format.lengthBytes;
  if (n !== 10 && n !== 12 && n !== 20) {
    throw new PacketError('unsupported', 'vnet header length', 0, `${n} octets; supported: 10, 12, 20`);
  }
}

function rd16(buf: Uint8Array, off: number, le: boolean): number {
  return le ? buf[off] | (buf[off + 1] << 8) : (buf[off] << 8) | buf[off + 1];
}

function wr16(buf: Uint8Array, off: number, v: number, le: boolean): void {
  if (le) {
    buf[off] = v & 0xff;
    buf[off + 1] = v >>> 8;
  } else {
    buf[off] = v >>> 8;
    buf[off + 1] = v & 0xff;
  }
}

/** Decodes a header at `offset`; writes into `out` when given (no allocation on hot paths). */
export function decodeVnetHdr(
  buf: Uint8Array,
  offset: number,
  format: VnetHdrFormat,
  out: VnetHdr = emptyVnetHdr(),
): VnetHdr {
  checkFormat(format);
  need(buf, offset, format.lengthBytes, 'vnet header');
  const le = format.littleEndian;
  out.flags = buf[offset];
  out.gsoType = buf[offset + 1];
  out.hdrLenBytes = rd16(buf, offset + 2, le);
  out.gsoSizeBytes = rd16(buf, offset + 4, le);
  out.csumStart = rd16(buf, offset + 6, le);
  out.csumOffset = rd16(buf, offset + 8, le);
  out.numBuffers = format.lengthBytes >= 12 ? rd16(buf, offset + 10, le) : 0;
  if (format.lengthBytes === 20) {
    out.hashValue = le
      ? (buf[offset + 12] | (buf[offset + 13] << 8) | (buf[offset + 14] << 16) | (buf[offset + 15] << 24)) >>> 0
      : ((buf[offset + 12] << 24) | (buf[offset + 13] << 16) | (buf[offset + 14] << 8) | buf[offset + 15]) >>> 0;
    out.hashReport = rd16(buf, offset + 16, le);
    out.paddingReserved = rd16(buf, offset + 18, le);
  } else {
    out.hashValue = 0;
    out.hashReport = 0;
    out.paddingReserved = 0;
  }
  return out;
}

const FIELD_LAYOUT: ReadonlyArray<{ key: keyof VnetHdr; name: string; offset: number; max: number; minLength: number }> = [
  { key: 'flags', name: 'flags', offset: 0, max: 0xff, minLength: 10 },
  { key: 'gsoType', name: 'gso_type', offset: 1, max: 0xff, minLength: 10 },
  { key: 'hdrLenBytes', name: 'hdr_len', offset: 2, max: 0xffff, minLength: 10 },
  { key: 'gsoSizeBytes', name: 'gso_size', offset: 4, max: 0xffff, minLength: 10 },
  { key: 'csumStart', name: 'csum_start', offset: 6, max: 0xffff, minLength: 10 },
  { key: 'csumOffset', name: 'csum_offset', offset: 8, max: 0xffff, minLength: 10 },
  { key: 'numBuffers', name: 'num_buffers', offset: 10, max: 0xffff, minLength: 12 },
  { key: 'hashValue', name: 'hash_value', offset: 12, max: 0xffffffff, minLength: 20 },
  { key: 'hashReport', name: 'hash_report', offset: 16, max: 0xffff, minLength: 20 },
  { key: 'paddingReserved', name: 'padding_reserved', offset: 18, max: 0xffff, minLength: 20 },
];

/** Encodes `hdr` at `offset`; returns the header length. Throws if a field overflows or has no slot. */
export function encodeVnetHdr(hdr: VnetHdr, format: VnetHdrFormat, buf: Uint8Array, offset: number): number {
  checkFormat(format);
  need(buf, offset, format.lengthBytes, 'vnet header');
  for (const f of FIELD_LAYOUT) {
    const v = hdr[f.key];
    if (!Number.isInteger(v) || v < 0 || v > f.max) {
      throw new PacketError('malformed', f.name, f.offset, `${v} is not an integer in 0..${f.max}`);
    }
    if (v !== 0 && format.lengthBytes < f.minLength) {
      throw new PacketError('invalid-state', f.name, f.offset, `${v} has no field in the ${format.lengthBytes}-octet header`);
    }
  }
  const le = format.littleEndian;
  buf[offset] = hdr.flags;
  buf[offset + 1] = hdr.gsoType;
  wr16(buf, offset + 2, hdr.hdrLenBytes, le);
  wr16(buf, offset + 4, hdr.gsoSizeBytes, le);
  wr16(buf, offset + 6, hdr.csumStart, le);
  wr16(buf, offset + 8, hdr.csumOffset, le);
  if (format.lengthBytes >= 12) wr16(buf, offset + 10, hdr.numBuffers, le);
  if (format.lengthBytes === 20) {
    const h = hdr.hashValue;
    if (le) {
      buf[offset + 12] = h & 0xff;
      buf[offset + 13] = (h >>> 8) & 0xff;
      buf[offset + 14] = (h >>> 16) & 0xff;
      buf[offset + 15] = h >>> 24;
    } else {
      buf[offset + 12] = h >>> 24;
      buf[offset + 13] = (h >>> 16) & 0xff;
      buf[offset + 14] = (h >>> 8) & 0xff;
      buf[offset + 15] = h & 0xff;
    }
    wr16(buf, offset + 16, hdr.hashReport, le);
    wr16(buf, offset + 18, hdr.paddingReserved, le);
  }
  return format.lengthBytes;
}

/** Convenience: a fresh byte array holding the encoded header. */
export function vnetHdrBytes(hdr: VnetHdr, format: VnetHdrFormat): Uint8Array {
  const out = new Uint8Array(format.lengthBytes);
  encodeVnetHdr(hdr, format, out, 0);
  return out;
}
