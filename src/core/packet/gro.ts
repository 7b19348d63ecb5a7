/**
 * GRO (§6): per-RX-queue coalescing of TCP segments into super-frames with the kernel's match and flush
 * rules (dev_gro_receive, inet_gro_receive / ipv6_gro_receive, tcp_gro_receive, napi_gro_complete), and a
 * looser LRO model (§6.5). A GroQueue is one NAPI instance: feed it frames with receive(), call flush() at
 * NAPI completion. It takes ownership of every frame and skb it is given.
 *
 * Held flow = first segment's headers + the concatenated payloads; completion (count > 1) patches
 *   IPv4 tot_len (+ RFC 1624 header-checksum update) / IPv6 payload length,
 *   TCP checksum field = fold(pseudo-header with the merged TCP length), CHECKSUM_PARTIAL at the TCP header,
 *   gso_size = MSS (first segment's payload), gso_type |= TCPV4|TCPV6 (+ECN if CWR, +FIXEDID), gso_segs.
 */
import { PacketError } from './errors';
import { csumFold, csumPartial, csumReplace16, foldSum, pseudoHeaderSumV4, pseudoHeaderSumV6 } from './checksum';
import {
  ETH_HLEN,
  ETH_P_8021AD,
  ETH_P_8021Q,
  ETH_P_IPV4,
  ETH_P_IPV6,
  IPPROTO_TCP,
  IPV6_HLEN,
  TCP_ACK,
  TCP_CWR,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  TCP_URG,
  createParsedFrame,
} from './frame';
import type { ParsedFrame } from './frame';
import {
  IpSummed,
  SKB_GSO_DODGY,
  SKB_GSO_TCP_ECN,
  SKB_GSO_TCP_FIXEDID,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  completeChecksumOk,
} from './skb';
import type { Skb } from './skb';

/** GRO_HASH_BUCKETS. */
export const GRO_HASH_BUCKETS = 8;
/** MAX_GRO_SKBS: held flows per bucket before the oldest is flushed. */
export const MAX_GRO_SKBS = 8;
/** GRO_LEGACY_MAX_SIZE: a merge may not make the IP packet reach this many bytes. */
export const GRO_LEGACY_MAX_SIZE = 65536;

/**
 * 'gro': software GRO with the exact kernel rules (also what GRO_HW promises: identical, reversible
 * results). 'lro': device aggregation — see receiveLro for the looser rules; its output is not reversible
 * and must not be forwarded (Linux disables LRO on bridged/forwarding devices).
 */
export type GroMode = 'gro' | 'lro';

export interface GroOptions {
  mode?: GroMode;
  /** gro_max_size (default 65536): merged IP packet stays below it. */
  maxSizeBytes?: number;
  /** MAX_GRO_SKBS per bucket (default 8). */
  maxFlowsPerBucket?: number;
  /** Not a kernel GRO limit: cap on segments per aggregate (hardware LRO engines have one). Default none. */
  maxSegments?: number;
}

/** dev_gro_receive's result for the packet just received. */
export type GroVerdict =
  | 'held' // GRO_HELD: became a new held flow
  | 'merged' // GRO_MERGED(_FREE): payload appended to a held flow that stays held
  | 'merged-flushed' // merged, then the flow hit a flush condition and was delivered
  | 'normal'; // GRO_NORMAL: delivered as is (not GRO-able, checksum bad, or a flush condition)

export interface GroPacket {
  frame: Uint8Array;
  skb: Skb;
  /** Wire segments this packet stands for (1 when delivered unmerged). */
  segments: number;
  /** Built by the LRO model: not reversible by GSO, must not be forwarded. */
  lro: boolean;
}

/** Counters for CPU charging and the inspector. */
export interface GroStats {
  received: number;
  held: number;
  merged: number;
  normal: number;
  /** Packets handed up the stack (merged aggregates and singles). */
  delivered: number;
  /** Deliveries that carried more than one segment. */
  aggregates: number;
  /** Held flows flushed because a 9th flow arrived in their bucket. */
  evictions: number;
  /** Bytes summed to validate NONE checksums in software. */
  checksumBytes: number;
  /** Payload bytes appended to held flows. */
  payloadBytesMerged: number;
}

interface HeldFlow {
  /** Original frame (count 1) or a scratch buffer holding headers + merged payload. */
  buf: Uint8Array;
  scratch: boolean;
  lengthBytes: number;
  skb: Skb;
  hash: number;
  ipVersion: 4 | 6;
  l3Offset: number;
  l4Offset: number;
  count: number;
  mssBytes: number;
  payloadBytes: number;
  seq: number;
  fixedId: boolean;
}

/** The fields of one received frame GRO looks at (reused; no allocation per packet). */
class RxHeaders {
  l3 = 0;
  l4 = 0;
  ipVersion: 4 | 6 = 4;
  tcpHeaderBytes = 0;
  payloadBytes = 0;
  /** inet_gro_receive / ipv6_gro_receive flush for the new packet itself (length or frag bits). */
  ipFlush = false;
  flags = 0;
  seq = 0;
}

const FLAG_WORD_IGNORED = TCP_CWR | TCP_FIN | TCP_PSH;
const FINAL_FLUSH_FLAGS = TCP_URG | TCP_PSH | TCP_RST | TCP_SYN | TCP_FIN;

function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function bytesEqual(a: Uint8Array, ao: number, b: Uint8Array, bo: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/**
 * Header parse for GRO: returns false when the frame is not a GRO candidate at all (delivered as is
 * without touching held flows): not IPv4/IPv6, IPv4 with options or fragmented or a bad header checksum,
 * not TCP (IPv6 extension headers included), or a TCP header that does not fit.
 */
function parseRx(buf: Uint8Array, h: RxHeaders): boolean {
  const len = buf.length;
  if (len < ETH_HLEN) return false;
  let typeAt = 12;
  let ethertype = u16(buf, typeAt);
  if (ethertype === ETH_P_8021Q || ethertype === ETH_P_8021AD) {
    if (len < 18) return false;
    typeAt = 16;
    ethertype = u16(buf, typeAt);
  }
  const l3 = typeAt + 2;
  h.l3 = l3;
  if (ethertype === ETH_P_IPV4) {
    if (len < l3 + 20 || buf[l3] !== 0x45) return false;
    const frag = u16(buf, l3 + 6);
    if ((frag & 0x3fff) !== 0) return false;
    if (foldSum(csumPartial(buf, l3, 20, 0)) !== 0xffff) return false;
    if (buf[l3 + 9] !== IPPROTO_TCP) return false;
    h.ipVersion = 4;
    h.l4 = l3 + 20;
    h.ipFlush = u16(buf, l3 + 2) !== len - l3 || (frag & 0x8000) !== 0;
  } else if (ethertype === ETH_P_IPV6) {
    if (len < l3 + IPV6_HLEN || buf[l3] >>> 4 !== 6 || buf[l3 + 6] !== IPPROTO_TCP) return false;
    h.ipVersion = 6;
    h.l4 = l3 + IPV6_HLEN;
    h.ipFlush = u16(buf, l3 + 4) + IPV6_HLEN !== len - l3;
  } else {
    return false;
  }
  const l4 = h.l4;
  if (len < l4 + 20) return false;
  const thlen = (buf[l4 + 12] >>> 4) * 4;
  if (thlen < 20 || len < l4 + thlen) return false;
  h.tcpHeaderBytes = thlen;
  h.payloadBytes = len - l4 - thlen;
  h.flags = buf[l4 + 13];
  h.seq = u32(buf, l4 + 4);
  return true;
}

/** Offsets handed to completeChecksumOk (only the fields it reads are filled in). */
const completeView: ParsedFrame = createParsedFrame();

/**
 * TCP checksum validation as skb_gro_checksum_validate does it: UNNECESSARY and PARTIAL trusted, COMPLETE
 * checked against skb.csum (software pass only if that disagrees), NONE summed in software and turned into
 * UNNECESSARY on success (skb_gro_incr_csum_unnecessary).
 */
function validateChecksum(buf: Uint8Array, skb: Skb, h: RxHeaders, stats: GroStats): boolean {
  switch (skb.ipSummed) {
    case IpSummed.UNNECESSARY:
      return true;
    case IpSummed.PARTIAL:
      if (skb.csumStart >= h.l4) return true;
      break;
    case IpSummed.COMPLETE:
    case IpSummed.NONE:
      if (skb.csumValid) return true;
      break;
  }
  const l4Bytes = buf.length - h.l4;
  if (skb.ipSummed === IpSummed.COMPLETE) {
    // The device's whole-packet sum plus the pseudo-header: no pass over the bytes when it agrees.
    const f = completeView;
    f.l2Offset = 0;
    f.frameLength = buf.length;
    f.l3Offset = h.l3;
    f.l4Offset = h.l4;
    f.l4LengthBytes = l4Bytes;
    f.ipVersion = h.ipVersion;
    f.l4Proto = IPPROTO_TCP;
    if (completeChecksumOk(buf, skb, f)) {
      skb.csumValid = true;
      return true;
    }
  }
  const pseudo = h.ipVersion === 4 ? pseudoHeaderSumV4(buf, h.l3, IPPROTO_TCP, l4Bytes) : pseudoHeaderSumV6(buf, h.l3, IPPROTO_TCP, l4Bytes);
  const ok = foldSum(csumPartial(buf, h.l4, l4Bytes, pseudo)) === 0xffff;
  stats.checksumBytes += l4Bytes;
  if (!ok) return false;
  if (skb.ipSummed === IpSummed.NONE) {
    skb.ipSummed = IpSummed.UNNECESSARY;
    skb.csumLevel = 0;
  } else {
    skb.csumValid = true;
  }
  return true;
}

/**
 * One NAPI instance's GRO state: 8 hash buckets of held flows. GRO_HW (`rx-gro-hw`) promises identical
 * results, so a device doing GRO_HW uses mode 'gro' too (charged as device work by the caller).
 */
export class GroQueue {
  readonly mode: GroMode;
  readonly maxSizeBytes: number;
  readonly maxFlowsPerBucket: number;
  readonly maxSegments: number;
  readonly stats: GroStats = {
    received: 0,
    held: 0,
    merged: 0,
    normal: 0,
    delivered: 0,
    aggregates: 0,
    evictions: 0,
    checksumBytes: 0,
    payloadBytesMerged: 0,
  };

  private readonly buckets: HeldFlow[][] = [];
  private readonly rx = new RxHeaders();
  private readonly scratchPool: Uint8Array[] = [];
  private heldCount = 0;

  constructor(opts: GroOptions = {}) {
    this.mode = opts.mode ?? 'gro';
    this.maxSizeBytes = opts.maxSizeBytes ?? GRO_LEGACY_MAX_SIZE;
    this.maxFlowsPerBucket = opts.maxFlowsPerBucket ?? MAX_GRO_SKBS;
    this.maxSegments = opts.maxSegments ?? Number.POSITIVE_INFINITY;
    if (!(this.maxSizeBytes > 0) || !(this.maxFlowsPerBucket >= 1) || !(this.maxSegments >= 1)) {
      throw new PacketError('invalid-state', 'gro options', 0, 'sizes and counts must be positive');
    }
    for (let i = 0; i < GRO_HASH_BUCKETS; i++) this.buckets.push([]);
  }

  /** Number of flows currently held. */
  get heldFlows(): number {
    return this.heldCount;
  }

  /**
   * napi_gro_receive for one frame. Delivered packets (a flushed held flow, then possibly this frame)
   * are appended to `out` in the order the stack would see them.
   */
  receive(frame: Uint8Array, skb: Skb, out: GroPacket[]): GroVerdict {
    this.stats.received++;
    const h = this.rx;
    if (!parseRx(frame, h)) return this.deliverNormal(frame, skb, out);
    return this.mode === 'gro' ? this.receiveGro(frame, skb, h, out) : this.receiveLro(frame, skb, h, out);
  }

  /** napi_gro_flush at NAPI completion: every held flow, bucket by bucket, oldest first. */
  flush(out: GroPacket[] = []): GroPacket[] {
    for (const bucket of this.buckets) {
      for (const p of bucket) out.push(this.complete(p));
      this.heldCount -= bucket.length;
      bucket.length = 0;
    }
    return out;
  }

  private receiveGro(frame: Uint8Array, skb: Skb, h: RxHeaders, out: GroPacket[]): GroVerdict {
    const gsoIn = skb.gsoSize !== 0;
    const countIn = gsoIn ? Math.max(1, skb.gsoSegs || Math.ceil(h.payloadBytes / skb.gsoSize)) : 1;
    // dev_gro_receive: GSO packets are only aggregated when TCP and not DODGY.
    let skbFlush = h.ipFlush || (gsoIn && ((skb.gsoType & SKB_GSO_DODGY) !== 0 || (skb.gsoType & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) === 0));
    if (!skbFlush && !validateChecksum(frame, skb, h, this.stats)) return this.deliverNormal(frame, skb, out);

    const bucket = this.buckets[skb.hash & (GRO_HASH_BUCKETS - 1)];
    const p = this.lookup(bucket, frame, skb, h, true);
    let merged = false;
    let mss = 1;
    if (p) {
      const l4 = h.l4;
      const pl4 = p.l4Offset;
      const pb = p.buf;
      let flush = skbFlush || (h.flags & TCP_CWR) !== 0;
      // Data offset, flags (except CWR/FIN/PSH) and window must be identical.
      flush ||= frame[l4 + 12] !== pb[pl4 + 12] || ((frame[l4 + 13] ^ pb[pl4 + 13]) & ~FLAG_WORD_IGNORED) !== 0 || u16(frame, l4 + 14) !== u16(pb, pl4 + 14);
      flush ||= u32(frame, l4 + 8) !== u32(pb, pl4 + 8);
      flush ||= !bytesEqual(frame, l4 + 20, pb, pl4 + 20, h.tcpHeaderBytes - 20);
      flush ||= this.networkFlush(frame, h, p);
      mss = p.mssBytes;
      if (gsoIn) flush ||= mss !== skb.gsoSize;
      else flush ||= h.payloadBytes === 0 || h.payloadBytes > mss;
      flush ||= ((p.seq + p.payloadBytes) >>> 0) !== h.seq;
      if (!flush && this.tryAppend(p, frame, h, countIn)) {
        merged = true;
        p.buf[pl4 + 13] |= h.flags & (TCP_FIN | TCP_PSH);
      } else {
        mss = 1;
      }
    }
    // out_check_final
    let flushFinal = gsoIn ? h.payloadBytes !== countIn * skb.gsoSize : h.payloadBytes < mss;
    flushFinal ||= (h.flags & FINAL_FLUSH_FLAGS) !== 0;
    if (p && (!merged || flushFinal)) {
      this.remove(bucket, p);
      out.push(this.complete(p));
    }
    if (merged) {
      this.stats.merged++;
      return flushFinal ? 'merged-flushed' : 'merged';
    }
    skbFlush ||= flushFinal;
    if (skbFlush) return this.deliverNormal(frame, skb, out);
    this.hold(bucket, frame, skb, h, countIn, gsoIn ? skb.gsoSize : h.payloadBytes, out);
    return 'held';
  }

  /**
   * LRO model (device aggregation, looser than GRO; §6.5): same 4-tuple and contiguous seq; only pure
   * ACK(|PSH) data segments with the same TCP header length aggregate; ACK, window and options (timestamps)
   * are taken from the newest segment and TTL/TOS/IP ID differences are ignored, so header information is
   * lost. PSH ends the aggregate. The result carries a complete, valid TCP checksum (UNNECESSARY).
   */
  private receiveLro(frame: Uint8Array, skb: Skb, h: RxHeaders, out: GroPacket[]): GroVerdict {
    const eligible = !h.ipFlush && skb.gsoSize === 0 && h.payloadBytes > 0 && (h.flags & ~(TCP_ACK | TCP_PSH)) === 0 && (h.flags & TCP_ACK) !== 0;
    if (eligible && !validateChecksum(frame, skb, h, this.stats)) return this.deliverNormal(frame, skb, out);
    const bucket = this.buckets[skb.hash & (GRO_HASH_BUCKETS - 1)];
    const p = this.lookup(bucket, frame, skb, h, false);
    if (!eligible) {
      if (p) {
        this.remove(bucket, p);
        out.push(this.complete(p));
      }
      return this.deliverNormal(frame, skb, out);
    }
    if (p) {
      const pl4 = p.l4Offset;
      const fits = (frame[h.l4 + 12] >>> 4) === (p.buf[pl4 + 12] >>> 4) && ((p.seq + p.payloadBytes) >>> 0) === h.seq;
      if (fits && this.tryAppend(p, frame, h, 1)) {
        const b = p.buf;
        for (let k = 8; k < 12; k++) b[pl4 + k] = frame[h.l4 + k];
        b[pl4 + 14] = frame[h.l4 + 14];
        b[pl4 + 15] = frame[h.l4 + 15];
        for (let k = 20; k < h.tcpHeaderBytes; k++) b[pl4 + k] = frame[h.l4 + k];
        b[pl4 + 13] |= h.flags & TCP_PSH;
        this.stats.merged++;
        if ((h.flags & TCP_PSH) === 0) return 'merged';
        this.remove(bucket, p);
        out.push(this.complete(p));
        return 'merged-flushed';
      }
      this.remove(bucket, p);
      out.push(this.complete(p));
    }
    if ((h.flags & TCP_PSH) !== 0) return this.deliverNormal(frame, skb, out);
    this.hold(bucket, frame, skb, h, 1, h.payloadBytes, out);
    return 'held';
  }

  /** Same-flow held packet (gro_list_prepare + inet/ipv6 + tcp_gro_lookup); newest first like list_add. */
  private lookup(bucket: HeldFlow[], frame: Uint8Array, skb: Skb, h: RxHeaders, strict: boolean): HeldFlow | null {
    for (let i = bucket.length - 1; i >= 0; i--) {
      const p = bucket[i];
      const b = p.buf;
      if (p.ipVersion !== h.ipVersion || p.l3Offset !== h.l3) continue;
      if (strict && (p.hash !== skb.hash || !bytesEqual(b, 0, frame, 0, h.l3))) continue;
      const l3 = h.l3;
      if (h.ipVersion === 4) {
        if (!bytesEqual(b, l3 + 12, frame, l3 + 12, 8)) continue;
      } else {
        // Version and flow label must match (traffic class only flushes); addresses; next header.
        if (strict && ((u32(b, l3) ^ u32(frame, l3)) & 0xf00fffff) !== 0) continue;
        if (!bytesEqual(b, l3 + 8, frame, l3 + 8, 32)) continue;
      }
      if (!bytesEqual(b, p.l4Offset, frame, h.l4, 4)) continue;
      return p;
    }
    return null;
  }

  /** gro_receive_network_flush: IPv4 inet_gro_flush (TTL, TOS, DF, ID rule) / IPv6 traffic class + hop limit. */
  private networkFlush(frame: Uint8Array, h: RxHeaders, p: HeldFlow): boolean {
    const l3 = h.l3;
    const b = p.buf;
    if (h.ipVersion === 6) {
      return ((u32(b, l3) ^ u32(frame, l3)) & 0x0ff00000) !== 0 || b[l3 + 7] !== frame[l3 + 7];
    }
    const df = u16(frame, l3 + 6) & 0x4000;
    if (frame[l3 + 8] !== b[l3 + 8] || frame[l3 + 1] !== b[l3 + 1] || df !== (u16(b, l3 + 6) & 0x4000)) return true;
    const ipidOffset = (u16(frame, l3 + 4) - u16(b, l3 + 4)) & 0xffff;
    // The second packet decides: same ID with DF → fixed-ID flow (SKB_GSO_TCP_FIXEDID on completion).
    if (p.count === 1 && df !== 0 && ipidOffset === 0) p.fixedId = true;
    return ipidOffset !== (p.fixedId ? 0 : p.count & 0xffff);
  }

  /** skb_gro_receive: append the payload unless the IP packet would reach maxSizeBytes. */
  private tryAppend(p: HeldFlow, frame: Uint8Array, h: RxHeaders, countIn: number): boolean {
    const len = h.payloadBytes;
    const ipLength = p.lengthBytes - p.l3Offset;
    if (ipLength + len >= this.maxSizeBytes || p.count + countIn > this.maxSegments) return false;
    if (!p.scratch) {
      const scratch = this.takeScratch(p.l3Offset + this.maxSizeBytes);
      scratch.set(p.buf.subarray(0, p.lengthBytes));
      p.buf = scratch;
      p.scratch = true;
    }
    const from = h.l4 + h.tcpHeaderBytes;
    p.buf.set(frame.subarray(from, from + len), p.lengthBytes);
    p.lengthBytes += len;
    p.payloadBytes += len;
    p.count += countIn;
    this.stats.payloadBytesMerged += len;
    return true;
  }

  private hold(bucket: HeldFlow[], frame: Uint8Array, skb: Skb, h: RxHeaders, count: number, mssBytes: number, out: GroPacket[]): void {
    if (bucket.length >= this.maxFlowsPerBucket) {
      const oldest = bucket.shift();
      if (oldest) {
        this.heldCount--;
        this.stats.evictions++;
        out.push(this.complete(oldest));
      }
    }
    bucket.push({
      buf: frame,
      scratch: false,
      lengthBytes: frame.length,
      skb,
      hash: skb.hash,
      ipVersion: h.ipVersion,
      l3Offset: h.l3,
      l4Offset: h.l4,
      count,
      mssBytes,
      payloadBytes: h.payloadBytes,
      seq: h.seq,
      fixedId: false,
    });
    this.heldCount++;
    this.stats.held++;
  }

  private remove(bucket: HeldFlow[], p: HeldFlow): void {
    const i = bucket.indexOf(p);
    if (i >= 0) {
      bucket.splice(i, 1);
      this.heldCount--;
    }
  }

  private deliverNormal(frame: Uint8Array, skb: Skb, out: GroPacket[]): GroVerdict {
    this.stats.normal++;
    this.stats.delivered++;
    out.push({ frame, skb, segments: Math.max(1, skb.gsoSize !== 0 ? skb.gsoSegs : 1), lro: false });
    return 'normal';
  }

  /** napi_gro_complete: a single segment goes up unchanged (gso_size 0); an aggregate gets its headers fixed. */
  private complete(p: HeldFlow): GroPacket {
    this.stats.delivered++;
    const skb = p.skb;
    if (p.count === 1) {
      skb.gsoSize = 0;
      return { frame: this.release(p), skb, segments: 1, lro: false };
    }
    this.stats.aggregates++;
    const frame = this.release(p);
    const l3 = p.l3Offset;
    const l4 = p.l4Offset;
    const l4Bytes = p.lengthBytes - l4;
    if (p.ipVersion === 4) {
      const oldTotal = u16(frame, l3 + 2);
      const newTotal = p.lengthBytes - l3;
      put16(frame, l3 + 2, newTotal);
      if (this.mode === 'lro') {
        put16(frame, l3 + 10, 0);
        put16(frame, l3 + 10, csumFold(csumPartial(frame, l3, 20, 0)));
      } else {
        put16(frame, l3 + 10, csumReplace16(u16(frame, l3 + 10), oldTotal, newTotal));
      }
    } else {
      put16(frame, l3 + 4, p.lengthBytes - l3 - IPV6_HLEN);
    }
    const pseudo = p.ipVersion === 4 ? pseudoHeaderSumV4(frame, l3, IPPROTO_TCP, l4Bytes) : pseudoHeaderSumV6(frame, l3, IPPROTO_TCP, l4Bytes);
    skb.len = p.lengthBytes;
    skb.gsoSize = p.mssBytes;
    skb.gsoSegs = p.count;
    skb.gsoType = (skb.gsoType & ~SKB_GSO_DODGY) | (p.ipVersion === 4 ? SKB_GSO_TCPV4 : SKB_GSO_TCPV6);
    if ((frame[l4 + 13] & TCP_CWR) !== 0) skb.gsoType |= SKB_GSO_TCP_ECN;
    if (p.fixedId) skb.gsoType |= SKB_GSO_TCP_FIXEDID;
    skb.networkHeader = l3;
    skb.transportHeader = l4;
    skb.csumStart = l4;
    skb.csumOffset = 16;
    skb.csumValid = false;
    if (this.mode === 'lro') {
      // The device computed a full checksum over the aggregate and reports it verified.
      put16(frame, l4 + 16, 0);
      put16(frame, l4 + 16, csumFold(csumPartial(frame, l4, l4Bytes, pseudo)));
      skb.ipSummed = IpSummed.UNNECESSARY;
      skb.csumLevel = 0;
      return { frame, skb, segments: p.count, lro: true };
    }
    put16(frame, l4 + 16, foldSum(pseudo));
    skb.ipSummed = IpSummed.PARTIAL;
    return { frame, skb, segments: p.count, lro: false };
  }

  /**
   * The held bytes as a standalone frame. A scratch buffer at least half full is handed over as is (no
   * copy; at most 2× its length retained); a small aggregate is copied out and its scratch reused.
   */
  private release(p: HeldFlow): Uint8Array {
    if (!p.scratch) return p.buf;
    if (p.lengthBytes * 2 >= p.buf.length) return p.buf.subarray(0, p.lengthBytes);
    const frame = p.buf.slice(0, p.lengthBytes);
    this.scratchPool.push(p.buf);
    return frame;
  }

  private takeScratch(capacityBytes: number): Uint8Array {
    const s = this.scratchPool.pop();
    return s && s.length >= capacityBytes ? s : new Uint8Array(capacityBytes);
  }
}
