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
import { IPPROTO_TCP, IPPROTO_UDP, type ParsedFrame } from './frame';
import {
  IpSummed,
  PktHashType,
  SKB_GSO_DODGY,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  SKB_GSO_TCP_ECN,
  SKB_GSO_UDP,
  SKB_GSO_UDP_L4,
  type Skb,
  checksumStartOffset,
  createSkb,
  resetSkb,
  setPartialChecksum,
  setSkbHash,
  skbIsGso,
} from './skb';

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
  /** vi->hdr_len for this feature set (see hdrFormat). */
  readonly hdrLengthBytes: VnetHdrLengthBytes;

  private constructor(readonly bits: bigint) {
    this.present = new Uint8Array(FEATURE_SPACE_BITS);
    for (let i = 0; i < FEATURE_SPACE_BITS; i++) this.present[i] = (bits >> BigInt(i)) & 1n ? 1 : 0;
    this.hdrLengthBytes = this.has('HASH_REPORT') ? 20 : this.has('MRG_RXBUF') || this.has('VERSION_1') ? 12 : 10;
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
    return { lengthBytes: this.hdrLengthBytes, littleEndian: this.has('VERSION_1') || legacyGuestLittleEndian };
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

function checkOffset(offset: number): void {
  if (!Number.isInteger(offset)) throw new PacketError('malformed', 'vnet header', 0, `offset ${offset} is not an integer`);
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
  checkOffset(offset);
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
  checkOffset(offset);
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

// ---------------------------------------------------------------------------------------------
// Header ↔ skb (§3.4, §3.5)

/**
 * Which way a header travels, from the guest driver's point of view: 'tx' = driver → device (guest
 * transmit; what tun/tap reads from QEMU), 'rx' = device → driver (guest receive).
 */
export type VnetDirection = 'tx' | 'rx';

/** GSO_BY_FRAGS: a gso_size the kernel reserves for SCTP; rejected from a vnet header. */
export const GSO_BY_FRAGS = 0xffff;
/** UDP_MAX_SEGMENTS (include/linux/udp.h): 1 << 7 in current kernels, 1 << 6 in older ones. */
export const UDP_MAX_SEGMENTS = 128;

const TCP_CSUM_OFFSET = 16;
const UDP_CSUM_OFFSET = 6;
const IPV4_MIN_HLEN = 20;
const IPV6_HLEN = 40;

function reject(field: string, offset: number, detail: string): never {
  throw new PacketError('invalid-state', field, offset, detail);
}

function gsoFeature(direction: VnetDirection, gso: number, ipVersion: 4 | 6 | 0): VnetFeatureName | null {
  switch (gso) {
    case VnetGsoType.TCPV4:
      return direction === 'tx' ? 'HOST_TSO4' : 'GUEST_TSO4';
    case VnetGsoType.TCPV6:
      return direction === 'tx' ? 'HOST_TSO6' : 'GUEST_TSO6';
    case VnetGsoType.UDP:
      return direction === 'tx' ? 'HOST_UFO' : 'GUEST_UFO';
    case VnetGsoType.UDP_L4:
      if (direction === 'tx') return 'HOST_USO';
      return ipVersion === 6 ? 'GUEST_USO6' : 'GUEST_USO4';
    default:
      return null;
  }
}

/**
 * Checks of a header that need no frame: flags and GSO type against the negotiated features and the
 * spec's TX/RX rules, gso_size, num_buffers, hash_report. `ipVersion` (0 = unknown) picks GUEST_USO4/6.
 * Throws PacketError('invalid-state') naming the field; unknown flag bits are ignored as the spec asks.
 */
export function validateVnetHdr(
  hdr: VnetHdr,
  negotiated: VnetFeatures,
  direction: VnetDirection,
  ipVersion: 4 | 6 | 0 = 0,
): void {
  const flags = hdr.flags;
  const tx = direction === 'tx';
  const rsc = (flags & VnetHdrFlag.RSC_INFO) !== 0;
  if (tx && (flags & VnetHdrFlag.DATA_VALID) !== 0) reject('flags', 0, 'DATA_VALID is receive-only; a driver must not set it');
  if (tx && rsc) reject('flags', 0, 'RSC_INFO is receive-only; a driver must not set it');
  if ((flags & VnetHdrFlag.UDP_TUNNEL_CSUM) !== 0) {
    throw new PacketError('unsupported', 'flags', 0, 'UDP_TUNNEL_CSUM (UDP-tunnel GSO) is not modelled');
  }
  if ((flags & VnetHdrFlag.NEEDS_CSUM) !== 0 && !negotiated.has(tx ? 'CSUM' : 'GUEST_CSUM')) {
    reject('flags', 0, `NEEDS_CSUM without ${tx ? 'CSUM' : 'GUEST_CSUM'} negotiated`);
  }
  if (rsc && !negotiated.has('RSC_EXT')) reject('flags', 0, 'RSC_INFO without RSC_EXT negotiated');

  const raw = hdr.gsoType;
  if (raw !== VnetGsoType.NONE) {
    const gso = raw & ~VNET_HDR_GSO_ECN;
    const feature = gsoFeature(direction, gso, ipVersion);
    if (feature === null) reject('gso_type', 1, `0x${raw.toString(16)} is not a GSO type`);
    // Legacy VIRTIO_NET_F_GSO: the device takes any GSO type.
    const legacyAny = tx && negotiated.has('GSO') && !negotiated.has('VERSION_1');
    if (!legacyAny && !negotiated.has(feature)) {
      if (!(feature === 'GUEST_USO4' && ipVersion === 0 && negotiated.has('GUEST_USO6'))) {
        reject('gso_type', 1, `GSO type ${gso} without ${feature} negotiated`);
      }
    }
    if ((raw & VNET_HDR_GSO_ECN) !== 0) {
      if (gso === VnetGsoType.UDP_L4) reject('gso_type', 1, 'ECN bit on UDP_L4');
      if (!legacyAny && !negotiated.has(tx ? 'HOST_ECN' : 'GUEST_ECN')) {
        reject('gso_type', 1, `ECN bit without ${tx ? 'HOST_ECN' : 'GUEST_ECN'} negotiated`);
      }
    }
    if (rsc && gso !== VnetGsoType.TCPV4 && gso !== VnetGsoType.TCPV6) reject('gso_type', 1, 'RSC_INFO on a non-TCP GSO type');
    if (hdr.gsoSizeBytes === 0) reject('gso_size', 4, 'gso_size 0 on a GSO header');
    if (hdr.gsoSizeBytes === GSO_BY_FRAGS) reject('gso_size', 4, 'gso_size 0xffff (GSO_BY_FRAGS) is reserved');
  } else if (rsc) {
    reject('flags', 0, 'RSC_INFO on a non-GSO header');
  }

  const lengthBytes = negotiated.hdrLengthBytes;
  if (tx) {
    if (hdr.numBuffers !== 0) reject('num_buffers', 10, `${hdr.numBuffers} on transmit; must be 0`);
  } else if (lengthBytes >= 12) {
    if (hdr.numBuffers === 0) reject('num_buffers', 10, '0 on receive; a packet uses at least one buffer');
    if (!negotiated.has('MRG_RXBUF') && hdr.numBuffers !== 1) {
      reject('num_buffers', 10, `${hdr.numBuffers} without MRG_RXBUF; must be 1`);
    }
  }
  if (!tx && hdr.hashReport !== 0) {
    if (!negotiated.has('HASH_REPORT')) reject('hash_report', 16, 'hash report without HASH_REPORT negotiated');
    if (hdr.hashReport > VnetHashReport.UDPV6_EX) reject('hash_report', 16, `${hdr.hashReport} is not a report type`);
  }
}

export interface VnetToSkbOptions {
  direction: VnetDirection;
  /** NETIF_F_RXHASH on the receiving netdev: apply a reported hash (receive only). Default true. */
  rxHash?: boolean;
  /** Record to fill (reset first) instead of allocating. */
  out?: Skb;
}

/**
 * virtio_net_hdr_to_skb (+ virtio_net's receive extras): validates `hdr` for `frame` the way the kernel
 * does and returns the skb metadata. Kernel rules: GSO type known and gso_size ∉ {0, 0xffff};
 * NEEDS_CSUM → csum_start/offset bounds (start + max(thlen, offset + 2) inside the frame, start ≥ minimum
 * network header); without NEEDS_CSUM a GSO frame's protocol must match the GSO type; USO needs NEEDS_CSUM,
 * csum_offset 6 and ≤ 128 segments; TSO with NEEDS_CSUM needs csum_offset 16; a "GSO" frame whose
 * payload fits in one segment becomes a plain frame; GSO frames are marked DODGY.
 *
 * Stricter than the kernel, which leaves this to segmentation (tcp_gso_segment drops a frame whose
 * checksum start is not its transport header): a GSO header with NEEDS_CSUM must also match the frame's
 * protocol and have csum_start at its transport header.
 * gsoSegs is filled with the count the DODGY re-check would compute (the kernel leaves 0 until then).
 * Spec rules on flags, features and num_buffers are applied by validateVnetHdr; with GUEST_HDRLEN a
 * transmitted GSO header must carry the exact header length.
 */
export function vnetHdrToSkb(
  hdr: VnetHdr,
  frame: ParsedFrame,
  negotiated: VnetFeatures,
  options: VnetToSkbOptions,
): Skb {
  const rx = options.direction === 'rx';
  validateVnetHdr(hdr, negotiated, options.direction, frame.ipVersion);
  const skb = options.out ? resetSkb(options.out) : createSkb();
  const base = frame.l2Offset;
  const frameLen = frame.frameLength;
  skb.len = frameLen;
  skb.macHeader = base;
  skb.networkHeader = frame.l3Offset;
  skb.transportHeader = frame.l4Offset;

  const rsc = (hdr.flags & VnetHdrFlag.RSC_INFO) !== 0;
  const needsCsum = (hdr.flags & VnetHdrFlag.NEEDS_CSUM) !== 0;
  if (rx && (hdr.flags & VnetHdrFlag.DATA_VALID) !== 0) skb.ipSummed = IpSummed.UNNECESSARY;

  let gsoType = 0;
  let thlen = 0;
  let nhMinLen = IPV4_MIN_HLEN;
  let ipProto = 0;
  const gso = hdr.gsoType & ~VNET_HDR_GSO_ECN;
  if (hdr.gsoType !== VnetGsoType.NONE) {
    switch (gso) {
      case VnetGsoType.TCPV4:
        gsoType = SKB_GSO_TCPV4;
        ipProto = IPPROTO_TCP;
        thlen = 20;
        break;
      case VnetGsoType.TCPV6:
        gsoType = SKB_GSO_TCPV6;
        ipProto = IPPROTO_TCP;
        thlen = 20;
        nhMinLen = IPV6_HLEN;
        break;
      case VnetGsoType.UDP:
        gsoType = SKB_GSO_UDP;
        ipProto = IPPROTO_UDP;
        thlen = 8;
        break;
      case VnetGsoType.UDP_L4:
        gsoType = SKB_GSO_UDP_L4;
        ipProto = IPPROTO_UDP;
        thlen = 8;
        break;
      default:
        reject('gso_type', 1, `0x${hdr.gsoType.toString(16)} is not a GSO type`);
    }
    if ((hdr.gsoType & VNET_HDR_GSO_ECN) !== 0) gsoType |= SKB_GSO_TCP_ECN;
  }

  // p_off: end of the minimal transport header, where the kernel considers the payload to start.
  let pOff = 0;
  if (needsCsum && !rsc) {
    const start = hdr.csumStart;
    const off = hdr.csumOffset;
    const needed = start + Math.max(thlen, off + 2);
    if (needed > frameLen) {
      reject('csum_start', 6, `checksum field at ${start}+${off} (needs ${needed} bytes) outside a ${frameLen}-byte frame`);
    }
    if (start < nhMinLen) reject('csum_start', 6, `${start} is before the end of a minimal network header (${nhMinLen})`);
    setPartialChecksum(skb, base + start, off);
    pOff = start + thlen;
    if (gsoType !== 0) {
      matchGsoProtocol(gso, frame, ipProto);
      if (base + start !== frame.l4Offset) {
        reject('csum_start', 6, `${start} is not the transport header (${frame.l4Offset - base}) of a GSO frame`);
      }
    }
  } else if (gsoType !== 0) {
    matchGsoProtocol(gso, frame, ipProto);
    pOff = frame.l4Offset - base + thlen;
    if (pOff > frameLen) reject('gso_type', 1, `frame ends inside the ${thlen}-byte transport header`);
    if (needsCsum) {
      // RSC_INFO reuses csum_start/offset as counters: the checksum field sits at the TCP header.
      setPartialChecksum(skb, frame.l4Offset, TCP_CSUM_OFFSET);
    }
  }

  if (gsoType !== 0) {
    if (!rx && negotiated.has('GUEST_HDRLEN') && hdr.hdrLenBytes !== frame.payloadOffset - base) {
      reject('hdr_len', 2, `${hdr.hdrLenBytes} with GUEST_HDRLEN; the headers are ${frame.payloadOffset - base} bytes`);
    }
    const gsoSize = hdr.gsoSizeBytes;
    let nhOff = pOff;
    switch (gsoType & ~SKB_GSO_TCP_ECN) {
      case SKB_GSO_UDP:
        nhOff -= thlen; // UFO: gso_size may include the UDP header
        break;
      case SKB_GSO_UDP_L4:
        if (!needsCsum) reject('flags', 0, 'UDP_L4 GSO without NEEDS_CSUM');
        if (skb.csumOffset !== UDP_CSUM_OFFSET) reject('csum_offset', 8, `${skb.csumOffset} on UDP_L4 GSO; must be 6`);
        if (frameLen - pOff > gsoSize * UDP_MAX_SEGMENTS) {
          reject('gso_size', 4, `${frameLen - pOff} payload bytes exceed ${UDP_MAX_SEGMENTS} segments of ${gsoSize}`);
        }
        break;
      case SKB_GSO_TCPV4:
      case SKB_GSO_TCPV6:
        if (skb.ipSummed === IpSummed.PARTIAL && skb.csumOffset !== TCP_CSUM_OFFSET) {
          reject('csum_offset', 8, `${skb.csumOffset} on TCP GSO; must be 16`);
        }
        break;
    }
    // Too-small "GSO" packets are plain packets.
    if (frameLen - nhOff > gsoSize) {
      skb.gsoSize = gsoSize;
      skb.gsoType = gsoType | SKB_GSO_DODGY;
      // UFO fragments the whole UDP datagram; TSO/USO segment the payload after the real L4 header.
      const ipEnd = frame.l4Offset + frame.l4LengthBytes;
      const segBytes = ipEnd - (gso === VnetGsoType.UDP ? frame.l4Offset : frame.payloadOffset);
      skb.gsoSegs = rsc ? hdr.csumStart : Math.max(1, Math.ceil(segBytes / gsoSize));
    }
  }

  if (rx && hdr.hashReport !== VnetHashReport.NONE && (options.rxHash ?? true)) {
    const kind = pktHashTypeForReport(hdr.hashReport);
    setSkbHash(skb, hdr.hashValue, kind === 'l4' ? PktHashType.L4 : kind === 'l3' ? PktHashType.L3 : PktHashType.NONE);
  }
  return skb;
}

function matchGsoProtocol(gso: number, frame: ParsedFrame, ipProto: number): void {
  const v = frame.ipVersion;
  const ok =
    gso === VnetGsoType.TCPV4 ? v === 4 : gso === VnetGsoType.TCPV6 ? v === 6 : v === 4 || v === 6;
  if (!ok) reject('gso_type', 1, `GSO type ${gso} on an IPv${v} frame`);
  if (frame.l4Proto !== ipProto) reject('gso_type', 1, `GSO type ${gso} on IP protocol ${frame.l4Proto}`);
}

export interface SkbToVnetOptions {
  direction: VnetDirection;
  /** 4 when a VLAN tag held in skb metadata is re-inserted into the frame (shifts csum_start). */
  vlanHlenBytes?: number;
  /** skb_headlen: bytes in the linear part. Default skb.len (a fully linear skb). */
  headLengthBytes?: number;
  /**
   * The skb's parsed frame. Needed only on transmit with GUEST_HDRLEN, where hdr_len must be the exact
   * header length (Ethernet + IP + full L4 header).
   */
  frame?: ParsedFrame;
  /** Receive: buffers the device used (num_buffers). Default 1 when the layout has the field. */
  numBuffers?: number;
  /** Receive with HASH_REPORT: the device's RSS result. */
  hash?: { value: number; report: number };
  out?: VnetHdr;
}

/**
 * virtio_net_hdr_from_skb: header for an skb leaving through a virtio/tap boundary. 'tx' is the guest
 * driver (has_data_valid false); 'rx' is the host handing a frame to the guest (has_data_valid true).
 * UFO skbs and offloads the other side did not negotiate are rejected (invalid-state): the sender must
 * have segmented or checksummed in software first.
 */
export function skbToVnetHdr(skb: Skb, negotiated: VnetFeatures, options: SkbToVnetOptions): VnetHdr {
  const tx = options.direction === 'tx';
  const hdr = options.out ?? emptyVnetHdr();
  hdr.flags = 0;
  hdr.gsoType = 0;
  hdr.hdrLenBytes = 0;
  hdr.gsoSizeBytes = 0;
  hdr.csumStart = 0;
  hdr.csumOffset = 0;
  hdr.numBuffers = 0;
  hdr.hashValue = 0;
  hdr.hashReport = 0;
  hdr.paddingReserved = 0;

  if (skbIsGso(skb)) {
    const t = skb.gsoType;
    let gso: number;
    if (t & SKB_GSO_TCPV4) gso = VnetGsoType.TCPV4;
    else if (t & SKB_GSO_TCPV6) gso = VnetGsoType.TCPV6;
    else if (t & SKB_GSO_UDP_L4) gso = VnetGsoType.UDP_L4;
    else if (t & SKB_GSO_UDP) reject('gso_type', 1, 'UFO skbs cannot be expressed (virtio_net_hdr_from_skb: -EINVAL)');
    else reject('gso_type', 1, `skb gso_type 0x${t.toString(16)} has no vnet equivalent`);
    if (t & SKB_GSO_TCP_ECN) gso |= VNET_HDR_GSO_ECN;
    if (skb.gsoSize > 0xffff) reject('gso_size', 4, `${skb.gsoSize} does not fit 16 bits`);
    hdr.gsoType = gso;
    hdr.gsoSizeBytes = skb.gsoSize;
    if (tx && negotiated.has('GUEST_HDRLEN')) {
      if (!options.frame) reject('hdr_len', 2, 'GUEST_HDRLEN needs the exact header length: pass the parsed frame');
      hdr.hdrLenBytes = options.frame.payloadOffset - options.frame.l2Offset;
    } else {
      hdr.hdrLenBytes = Math.min(options.headLengthBytes ?? skb.len, 0xffff);
    }
  }
  if (skb.ipSummed === IpSummed.PARTIAL) {
    hdr.flags = VnetHdrFlag.NEEDS_CSUM;
    hdr.csumStart = checksumStartOffset(skb) + (options.vlanHlenBytes ?? 0);
    hdr.csumOffset = skb.csumOffset;
    if (hdr.csumStart < 0 || hdr.csumStart > 0xffff) reject('csum_start', 6, `${hdr.csumStart} does not fit 16 bits`);
  } else if (!tx && skb.ipSummed === IpSummed.UNNECESSARY) {
    hdr.flags = VnetHdrFlag.DATA_VALID;
  }

  const lengthBytes = negotiated.hdrLengthBytes;
  if (!tx) {
    if (lengthBytes >= 12) hdr.numBuffers = options.numBuffers ?? 1;
    if (options.hash && options.hash.report !== VnetHashReport.NONE) {
      if (!negotiated.has('HASH_REPORT')) reject('hash_report', 16, 'hash report without HASH_REPORT negotiated');
      hdr.hashValue = options.hash.value >>> 0;
      hdr.hashReport = options.hash.report;
    }
  }
  validateVnetHdr(hdr, negotiated, options.direction, 0);
  return hdr;
}
