/**
 * Software GSO / hardware TSO and USO (§5): cut one super-frame into wire-sized frames.
 *
 * Every segment = the super-frame's headers (Ethernet/VLAN, IP, TCP|UDP) + a slice of the payload, then
 *   TCP: seq += i·mss; FIN/PSH only on the last; CWR only on the first (unless SKB_GSO_TCP_ACCECN)
 *   UDP (USO, SKB_GSO_UDP_L4): UDP length = 8 + slice
 *   IPv4: tot_len per segment, ID + i (fixed with SKB_GSO_TCP_FIXEDID, or by a MANGLEID device for DF
 *         packets), header checksum recomputed; IPv6: payload length per segment
 *   UFO (SKB_GSO_UDP, IPv4): the UDP datagram is checksummed once in software and cut into IP fragments
 *         (same ID, frag_off = offset/8, MF on all but the last, UDP header only in the first).
 *   L4 checksum field: the kernel's length-delta update of the pseudo-header fold (tcp_gso_segment,
 *         __udp_gso_segment), then either left CHECKSUM_PARTIAL for the device or finished in software.
 * Hardware TSO and software GSO produce identical segments, so one routine models both.
 */
import { PacketError } from './errors';
import { csumAdd, csumFold, csumPartial, csumSub, foldSum, pseudoHeaderSumV4, pseudoHeaderSumV6, writeIpv4HeaderChecksum } from './checksum';
import { TCP_CWR, TCP_FIN, TCP_PSH, UDP_HLEN, createParsedFrame, parseFrameInto } from './frame';
import type { ParsedFrame } from './frame';
import {
  IpSummed,
  SKB_GSO_TCP_ACCECN,
  SKB_GSO_TCP_FIXEDID,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  SKB_GSO_UDP,
  SKB_GSO_UDP_L4,
  cloneSkb,
} from './skb';
import type { Skb } from './skb';

/** UDP_MAX_SEGMENTS (1 << 6); some 2024-era kernels use 128. */
export const UDP_MAX_SEGMENTS = 64;

export interface GsoOptions {
  /**
   * The egress device completes L4 checksums (HW_CSUM, or IP(V6)_CSUM for this protocol): segments leave
   * CHECKSUM_PARTIAL with the pseudo-header fold in the field. Otherwise software finishes each one.
   */
  deviceChecksum: boolean;
  /** Hardware TSO with NETIF_F_TSO_MANGLEID: keep the IPv4 ID fixed on DF packets instead of incrementing. */
  mangleId?: boolean;
  /** USO only: refuse super-frames that would need more segments (UDP_MAX_SEGMENTS). */
  udpMaxSegments?: number;
}

/** What segmentation cost, for CPU charging. Software checksum bytes are 0 when the device finishes them. */
export interface GsoCost {
  segments: number;
  /** Header bytes replicated into segments (n × header length). */
  headerBytesCopied: number;
  /** Payload bytes copied (the super-frame's L4 payload, once). */
  payloadBytesCopied: number;
  /** Bytes summed by software L4 checksums (0 with deviceChecksum). */
  checksumBytes: number;
}

export interface GsoResult {
  /** Views into one buffer shared by all segments of this call. */
  frames: Uint8Array[];
  /** One record per frame, not GSO any more: PARTIAL (device) or NONE (software); UFO fragments UNNECESSARY. */
  skbs: Skb[];
  cost: GsoCost;
}

/** Which segmentation a super-frame needs, from its gso_type. */
export type GsoKind = 'tcp' | 'udp-l4' | 'udp-ufo';

const TCP_FLAGS_NOT_FIRST = TCP_CWR;
const TCP_FLAGS_NOT_LAST = TCP_FIN | TCP_PSH;

/** Everything the per-segment writer needs, computed once per super-frame. */
interface SegmentPlan {
  kind: GsoKind;
  ipVersion: 4 | 6;
  l3Offset: number;
  l4Offset: number;
  /** Header bytes copied into every segment (= payload offset). */
  headerBytes: number;
  payloadBytes: number;
  mssBytes: number;
  segments: number;
  /** L4 field of segment i before completion = fold(field + newLen − oldLen) (kernel delta update). */
  baseField: number;
  baseL4Bytes: number;
  /** UDP: the super-frame's UDP length field (csum16_sub'd by __udp_gso_segment). */
  oldUdpLength: number;
  seq: number;
  flags: number;
  clearCwr: boolean;
  ipId: number;
  fixedId: boolean;
  finishChecksum: boolean;
  /** UFO: the datagram's final UDP checksum, computed once; written into the first fragment. */
  ufoCheck: number;
  /** UFO: bytes summed for ufoCheck. */
  planChecksumBytes: number;
}

const scratchFrame: ParsedFrame = createParsedFrame();

function gsoKindOf(gsoType: number): GsoKind {
  if ((gsoType & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) !== 0) return 'tcp';
  if ((gsoType & SKB_GSO_UDP_L4) !== 0) return 'udp-l4';
  if ((gsoType & SKB_GSO_UDP) !== 0) return 'udp-ufo';
  throw new PacketError('invalid-state', 'gso_type', 0, `gso_type 0x${gsoType.toString(16)} names no segmentation`);
}

/** 16-bit one's-complement add (kernel csum16_add). */
function csum16Add(a: number, b: number): number {
  const r = a + b;
  return (r & 0xffff) + (r >>> 16);
}

function plan(buf: Uint8Array, skb: Skb, kind: GsoKind, opts: GsoOptions): SegmentPlan {
  const f = parseFrameInto(scratchFrame, buf, 0, buf.length);
  if (f.isFragment) throw new PacketError('invalid-state', 'ip fragment', f.l3Offset, 'a GSO super-frame cannot be an IP fragment');
  const mssBytes = skb.gsoSize;
  if (!Number.isInteger(mssBytes) || mssBytes <= 0 || mssBytes >= 0xffff) {
    throw new PacketError('invalid-state', 'gso_size', 0, `gso_size ${mssBytes} must be in [1, 65534]`);
  }
  const gsoType = skb.gsoType;
  const partialIn = skb.ipSummed === IpSummed.PARTIAL;
  if (partialIn && skb.csumStart !== f.l4Offset) {
    throw new PacketError('invalid-state', 'csum_start', skb.csumStart, `checksum start is not the L4 header (${f.l4Offset})`);
  }
  const ipEnd = f.l4Offset + f.l4LengthBytes;
  const base = f.ipVersion === 4 ? pseudoHeaderSumV4(buf, f.l3Offset, f.l4Proto, 0) : pseudoHeaderSumV6(buf, f.l3Offset, f.l4Proto, 0);
  let headerBytes: number;
  let seq = 0;
  let flags = 0;
  let oldUdpLength = 0;
  let fieldAt: number;
  let ufoCheck = 0;
  let planChecksumBytes = 0;
  if (kind === 'tcp') {
    const tcp = f.tcp;
    if (!tcp) throw new PacketError('invalid-state', 'gso_type', f.l4Offset, 'TCP GSO on a frame that is not TCP');
    const wantV6 = (gsoType & SKB_GSO_TCPV6) !== 0;
    if (wantV6 !== (f.ipVersion === 6)) {
      throw new PacketError('invalid-state', 'gso_type', f.l3Offset, `gso_type says TCPv${wantV6 ? 6 : 4} but the frame is IPv${f.ipVersion}`);
    }
    headerBytes = f.l4Offset + tcp.headerLengthBytes;
    seq = tcp.seq;
    flags = tcp.flags;
    fieldAt = f.l4Offset + 16;
  } else if (kind === 'udp-ufo') {
    const udp = f.udp;
    if (!udp) throw new PacketError('invalid-state', 'gso_type', f.l4Offset, 'UFO on a frame that is not UDP');
    if (f.ipVersion === 6) throw new PacketError('unsupported', 'gso_type', f.l3Offset, 'IPv6 UFO needs a fragment extension header (not modelled)');
    if (mssBytes % 8 !== 0) throw new PacketError('invalid-state', 'gso_size', 0, `UFO fragment size ${mssBytes} is not a multiple of 8`);
    // udp4_ufo_fragment: field zeroed, whole datagram summed with the pseudo-header, 0 sent as 0xFFFF.
    headerBytes = f.l4Offset;
    fieldAt = f.l4Offset + 6;
    const field = (buf[fieldAt] << 8) | buf[fieldAt + 1];
    const ulen = ipEnd - f.l4Offset;
    ufoCheck = csumFold(csumSub(csumPartial(buf, f.l4Offset, ulen, csumAdd(base, ulen)), field));
    if (ufoCheck === 0) ufoCheck = 0xffff;
    planChecksumBytes = ulen;
  } else {
    const udp = f.udp;
    if (!udp) throw new PacketError('invalid-state', 'gso_type', f.l4Offset, 'UDP_L4 GSO on a frame that is not UDP');
    if (!partialIn && skb.ipSummed !== IpSummed.NONE) {
      throw new PacketError('invalid-state', 'ip_summed', 0, 'USO super-frame must be CHECKSUM_PARTIAL or NONE');
    }
    headerBytes = f.l4Offset + UDP_HLEN;
    oldUdpLength = udp.lengthBytes;
    fieldAt = f.l4Offset + 6;
  }
  const payloadBytes = ipEnd - headerBytes;
  const segments = Math.max(1, Math.ceil(payloadBytes / mssBytes));
  if (kind === 'udp-l4') {
    const max = opts.udpMaxSegments ?? UDP_MAX_SEGMENTS;
    if (segments > max) {
      throw new PacketError('invalid-state', 'gso_size', 0, `USO needs ${segments} segments > UDP_MAX_SEGMENTS ${max}`);
    }
  }
  const baseL4Bytes = ipEnd - f.l4Offset;
  // Non-PARTIAL input: the kernel first loads the pseudo-header fold (tcp4_gso_segment); PARTIAL input is
  // trusted as is, so a wrong pseudo value in a guest's super-frame stays wrong in every segment.
  const baseField = partialIn ? (buf[fieldAt] << 8) | buf[fieldAt + 1] : foldSum(csumAdd(base, kind === 'udp-l4' ? oldUdpLength : baseL4Bytes));
  let fixedId = false;
  if (f.ipVersion === 4 && kind !== 'udp-ufo') {
    const fixedFlag = (gsoType & SKB_GSO_TCP_FIXEDID) !== 0;
    if (fixedFlag && !f.dontFragment) {
      throw new PacketError('invalid-state', 'gso_type', f.l3Offset + 6, 'SKB_GSO_TCP_FIXEDID without DF (inet_gso_segment refuses)');
    }
    fixedId = fixedFlag || (kind === 'tcp' && opts.mangleId === true && f.dontFragment);
  }
  return {
    kind,
    ipVersion: f.ipVersion,
    l3Offset: f.l3Offset,
    l4Offset: f.l4Offset,
    headerBytes,
    payloadBytes,
    mssBytes,
    segments,
    baseField,
    baseL4Bytes,
    oldUdpLength,
    seq,
    flags,
    clearCwr: (gsoType & SKB_GSO_TCP_ACCECN) === 0,
    ipId: f.ipId,
    fixedId,
    finishChecksum: kind === 'udp-ufo' || !opts.deviceChecksum,
    ufoCheck,
    planChecksumBytes,
  };
}

/** Bytes segment i occupies. */
function segmentLength(p: SegmentPlan, i: number): number {
  return p.headerBytes + Math.min(p.mssBytes, p.payloadBytes - i * p.mssBytes);
}

/** Total bytes of all segments (what a caller-provided buffer must hold). */
function totalLength(p: SegmentPlan): number {
  return p.segments * p.headerBytes + Math.max(0, p.payloadBytes);
}

/**
 * Write segment i of `src` into dst at `at`. Returns the number of bytes summed by a software checksum.
 * The header copy is a byte loop (≤ ~100 bytes: cheaper than a subarray view); the payload is one set().
 */
function writeSegment(src: Uint8Array, p: SegmentPlan, i: number, dst: Uint8Array, at: number): number {
  const hdr = p.headerBytes;
  for (let k = 0; k < hdr; k++) dst[at + k] = src[k];
  const from = hdr + i * p.mssBytes;
  const sliceBytes = Math.min(p.mssBytes, p.payloadBytes - i * p.mssBytes);
  if (sliceBytes > 0) dst.set(src.subarray(from, from + sliceBytes), at + hdr);
  const l3 = at + p.l3Offset;
  const l4 = at + p.l4Offset;
  const l4Bytes = hdr - p.l4Offset + sliceBytes;
  if (p.kind === 'udp-ufo') return writeUfoFragment(p, i, dst, at, sliceBytes);
  if (p.ipVersion === 4) {
    const totalLengthBytes = hdr - p.l3Offset + sliceBytes;
    dst[l3 + 2] = totalLengthBytes >>> 8;
    dst[l3 + 3] = totalLengthBytes & 0xff;
    if (!p.fixedId) {
      const id = (p.ipId + i) & 0xffff;
      dst[l3 + 4] = id >>> 8;
      dst[l3 + 5] = id & 0xff;
    }
    writeIpv4HeaderChecksum(dst, l3);
  } else {
    const payloadLengthBytes = hdr - p.l3Offset - 40 + sliceBytes;
    dst[l3 + 4] = payloadLengthBytes >>> 8;
    dst[l3 + 5] = payloadLengthBytes & 0xff;
  }
  let fieldAt: number;
  let field: number;
  if (p.kind === 'tcp') {
    const seq = (p.seq + i * p.mssBytes) >>> 0;
    dst[l4 + 4] = seq >>> 24;
    dst[l4 + 5] = (seq >>> 16) & 0xff;
    dst[l4 + 6] = (seq >>> 8) & 0xff;
    dst[l4 + 7] = seq & 0xff;
    let flags = p.flags;
    if (i < p.segments - 1) flags &= ~TCP_FLAGS_NOT_LAST;
    if (i > 0 && p.clearCwr) flags &= ~TCP_FLAGS_NOT_FIRST;
    dst[l4 + 13] = flags;
    fieldAt = l4 + 16;
    // tcp_gso_segment: newcheck = ~csum_fold(check + htonl(~oldlen + newlen)).
    field = foldSum(csumAdd(p.baseField, csumAdd(~p.baseL4Bytes >>> 0, l4Bytes)));
  } else {
    dst[l4 + 4] = l4Bytes >>> 8;
    dst[l4 + 5] = l4Bytes & 0xff;
    fieldAt = l4 + 6;
    // __udp_gso_segment: check = csum16_add(csum16_sub(uh->check, uh->len), newlen).
    field = csum16Add(csum16Add(p.baseField, ~p.oldUdpLength & 0xffff), l4Bytes);
  }
  dst[fieldAt] = field >>> 8;
  dst[fieldAt + 1] = field & 0xff;
  if (!p.finishChecksum) return 0;
  // gso_make_checksum: sum from the L4 header with the pseudo fold in place; UDP never sends 0.
  let check = csumFold(csumPartial(dst, l4, l4Bytes, 0));
  if (check === 0 && p.kind === 'udp-l4') check = 0xffff;
  dst[fieldAt] = check >>> 8;
  dst[fieldAt + 1] = check & 0xff;
  return l4Bytes;
}

/** Fragment i of a UFO datagram: the IP header is the only per-fragment header. */
function writeUfoFragment(p: SegmentPlan, i: number, dst: Uint8Array, at: number, sliceBytes: number): number {
  const l3 = at + p.l3Offset;
  const totalLengthBytes = p.headerBytes - p.l3Offset + sliceBytes;
  dst[l3 + 2] = totalLengthBytes >>> 8;
  dst[l3 + 3] = totalLengthBytes & 0xff;
  if (p.segments > 1) {
    // inet_gso_segment overwrites the whole frag_off word (DF included) with offset/8 | MF.
    const fragWord = ((i * p.mssBytes) >>> 3) | (i < p.segments - 1 ? 0x2000 : 0);
    dst[l3 + 6] = fragWord >>> 8;
    dst[l3 + 7] = fragWord & 0xff;
  }
  writeIpv4HeaderChecksum(dst, l3);
  if (i === 0) {
    dst[at + p.l4Offset + 6] = p.ufoCheck >>> 8;
    dst[at + p.l4Offset + 7] = p.ufoCheck & 0xff;
  }
  return 0;
}

function segmentSkb(skb: Skb, p: SegmentPlan, lengthBytes: number): Skb {
  const s = cloneSkb(skb);
  s.len = lengthBytes;
  s.gsoSize = 0;
  s.gsoType = 0;
  s.gsoSegs = 0;
  s.csumValid = false;
  s.networkHeader = p.l3Offset;
  s.transportHeader = p.l4Offset;
  s.csumStart = p.l4Offset;
  s.csumOffset = p.kind === 'tcp' ? 16 : 6;
  // UFO leaves the fragments CHECKSUM_UNNECESSARY (udp4_ufo_fragment); on transmit that equals NONE.
  s.ipSummed = p.kind === 'udp-ufo' ? IpSummed.UNNECESSARY : p.finishChecksum ? IpSummed.NONE : IpSummed.PARTIAL;
  return s;
}

function run(superFrame: Uint8Array, skb: Skb, kind: GsoKind, opts: GsoOptions): GsoResult {
  const p = plan(superFrame, skb, kind, opts);
  const frames: Uint8Array[] = new Array(p.segments);
  const skbs: Skb[] = new Array(p.segments);
  let checksumBytes = 0;
  // One backing buffer for all segments (a typed-array allocation per segment costs more than the copy).
  const backing = new Uint8Array(totalLength(p));
  let at = 0;
  for (let i = 0; i < p.segments; i++) {
    const len = segmentLength(p, i);
    checksumBytes += writeSegment(superFrame, p, i, backing, at);
    frames[i] = backing.subarray(at, at + len);
    skbs[i] = segmentSkb(skb, p, len);
    at += len;
  }
  return {
    frames,
    skbs,
    cost: {
      segments: p.segments,
      headerBytesCopied: p.segments * p.headerBytes,
      payloadBytesCopied: Math.max(0, p.payloadBytes),
      checksumBytes: checksumBytes + p.planChecksumBytes,
    },
  };
}

/** TSO/GSO for TCP over IPv4 (SKB_GSO_TCPV4) or IPv6 (SKB_GSO_TCPV6); gso_size from skb.gsoSize. */
export function segmentTcp(superFrame: Uint8Array, skb: Skb, opts: GsoOptions): GsoResult {
  return run(superFrame, skb, 'tcp', opts);
}

/** USO (SKB_GSO_UDP_L4): each segment a complete UDP datagram of up to gso_size payload bytes. */
export function segmentUdp(superFrame: Uint8Array, skb: Skb, opts: GsoOptions): GsoResult {
  return run(superFrame, skb, 'udp-l4', opts);
}

/**
 * UFO (SKB_GSO_UDP, deprecated; still received from tun/tap/virtio): IPv4 fragments of one UDP datagram,
 * gso_size = fragment payload bytes (a multiple of 8). The checksum is always finished in software.
 */
export function segmentUfo(superFrame: Uint8Array, skb: Skb): GsoResult {
  return run(superFrame, skb, 'udp-ufo', { deviceChecksum: false });
}

/** skb_gso_segment: dispatch on gso_type. */
export function segment(superFrame: Uint8Array, skb: Skb, opts: GsoOptions): GsoResult {
  return run(superFrame, skb, gsoKindOf(skb.gsoType), opts);
}

/**
 * Reusable output for the allocation-free path: segments are written back to back into `bytes`;
 * segment i is bytes[offsets[i], offsets[i] + lengths[i]). Grows (rarely) when a super-frame needs more.
 */
export class SegmentBuffer {
  bytes: Uint8Array;
  offsets: Uint32Array;
  lengths: Uint32Array;
  count = 0;
  /** Per-segment metadata shared by all segments of the last call (they differ only in len). */
  ipSummed: IpSummed = IpSummed.NONE;
  csumStart = 0;
  csumOffset = 0;
  readonly cost: GsoCost = { segments: 0, headerBytesCopied: 0, payloadBytesCopied: 0, checksumBytes: 0 };

  constructor(capacityBytes = 70000, maxSegments = 64) {
    this.bytes = new Uint8Array(capacityBytes);
    this.offsets = new Uint32Array(maxSegments);
    this.lengths = new Uint32Array(maxSegments);
  }

  /** A view of segment i (allocates the view object; hot loops can use bytes/offsets/lengths directly). */
  frame(i: number): Uint8Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) {
      throw new PacketError('invalid-state', 'segment index', i, `only ${this.count} segments`);
    }
    return this.bytes.subarray(this.offsets[i], this.offsets[i] + this.lengths[i]);
  }

  /** A standalone copy of segment i, safe to keep after the buffer is reused. */
  copyFrame(i: number): Uint8Array {
    return this.frame(i).slice();
  }

  ensure(totalBytes: number, segments: number): void {
    if (totalBytes > this.bytes.length) this.bytes = new Uint8Array(Math.max(totalBytes, this.bytes.length * 2));
    if (segments > this.offsets.length) {
      const n = Math.max(segments, this.offsets.length * 2);
      this.offsets = new Uint32Array(n);
      this.lengths = new Uint32Array(n);
    }
  }
}

/**
 * Allocation-light segmentation into a reusable SegmentBuffer (contents of the previous call are
 * overwritten). `kind` defaults to what skb.gsoType says. Returns the segment count; cost is in out.cost.
 */
export function segmentInto(superFrame: Uint8Array, skb: Skb, opts: GsoOptions, out: SegmentBuffer, kind?: GsoKind): number {
  const p = plan(superFrame, skb, kind ?? gsoKindOf(skb.gsoType), opts);
  out.ensure(totalLength(p), p.segments);
  let at = 0;
  let checksumBytes = 0;
  for (let i = 0; i < p.segments; i++) {
    const len = segmentLength(p, i);
    checksumBytes += writeSegment(superFrame, p, i, out.bytes, at);
    out.offsets[i] = at;
    out.lengths[i] = len;
    at += len;
  }
  out.count = p.segments;
  out.ipSummed = p.kind === 'udp-ufo' ? IpSummed.UNNECESSARY : p.finishChecksum ? IpSummed.NONE : IpSummed.PARTIAL;
  out.csumStart = p.l4Offset;
  out.csumOffset = p.kind === 'tcp' ? 16 : 6;
  out.cost.segments = p.segments;
  out.cost.headerBytesCopied = p.segments * p.headerBytes;
  out.cost.payloadBytesCopied = Math.max(0, p.payloadBytes);
  out.cost.checksumBytes = checksumBytes + p.planChecksumBytes;
  return p.segments;
}

/** Number of segments a super-frame would become (gso_segs), without writing anything. */
export function gsoSegmentCount(payloadBytes: number, mssBytes: number): number {
  if (mssBytes <= 0) throw new PacketError('invalid-state', 'gso_size', 0, `gso_size ${mssBytes}`);
  return Math.max(1, Math.ceil(payloadBytes / mssBytes));
}
