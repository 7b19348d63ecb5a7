/**
 * skb-like metadata that travels beside a frame's bytes: checksum state (§2), GSO state (§5), flow hash
 * (§7.4), queue mapping and header offsets. Offsets are byte indices into the frame buffer (macHeader is
 * normally 0, so they equal frame offsets as carried in a vnet header).
 */
import { PacketError } from './errors';
import {
  csumAdd,
  csumPartial,
  csumSub,
  finishPartialChecksum,
  foldSum,
  pseudoHeaderSumV4,
  pseudoHeaderSumV6,
  verifyL4Checksum,
} from './checksum';
import type { ParsedFrame } from './frame';

/** Checksum state (include/linux/skbuff.h). */
export const IpSummed = {
  NONE: 0,
  UNNECESSARY: 1,
  COMPLETE: 2,
  PARTIAL: 3,
} as const;
export type IpSummed = (typeof IpSummed)[keyof typeof IpSummed];

export function ipSummedName(state: IpSummed): 'CHECKSUM_NONE' | 'CHECKSUM_UNNECESSARY' | 'CHECKSUM_COMPLETE' | 'CHECKSUM_PARTIAL' {
  switch (state) {
    case IpSummed.NONE:
      return 'CHECKSUM_NONE';
    case IpSummed.UNNECESSARY:
      return 'CHECKSUM_UNNECESSARY';
    case IpSummed.COMPLETE:
      return 'CHECKSUM_COMPLETE';
    case IpSummed.PARTIAL:
      return 'CHECKSUM_PARTIAL';
  }
}

/**
 * skb_shinfo(skb)->gso_type bits (include/linux/skbuff.h, the long-standing values; kernels from 6.18 move
 * TCP_FIXEDID to a high bit and keep 1<<3 as the MANGLEID-feature alias — the model uses 1<<3).
 */
export const SKB_GSO_TCPV4 = 1 << 0;
export const SKB_GSO_DODGY = 1 << 1;
export const SKB_GSO_TCP_ECN = 1 << 2;
export const SKB_GSO_TCP_FIXEDID = 1 << 3;
export const SKB_GSO_TCPV6 = 1 << 4;
export const SKB_GSO_PARTIAL = 1 << 12;
export const SKB_GSO_UDP = 1 << 16;
export const SKB_GSO_UDP_L4 = 1 << 17;
export const SKB_GSO_FRAGLIST = 1 << 18;
export const SKB_GSO_TCP_ACCECN = 1 << 19;

/** Max csum_level (skbuff.h SKB_MAX_CSUM_LEVEL). */
export const SKB_MAX_CSUM_LEVEL = 3;

/** enum pkt_hash_types. */
export const PktHashType = {
  NONE: 0,
  L2: 1,
  L3: 2,
  L4: 3,
} as const;
export type PktHashType = (typeof PktHashType)[keyof typeof PktHashType];

export interface Skb {
  /** Frame length in bytes (skb->len as seen at the MAC layer). */
  len: number;
  ipSummed: IpSummed;
  /** Byte index of where checksumming starts (PARTIAL). */
  csumStart: number;
  /** Offset of the checksum field from csumStart: 16 TCP, 6 UDP. */
  csumOffset: number;
  /** UNNECESSARY: number of additional verified checksums (0..3). */
  csumLevel: number;
  /** COMPLETE: __wsum of the packet from networkHeader to the end (after the Ethernet header pull). */
  csum: number;
  /** A COMPLETE value (or software check) has already validated the L4 checksum. */
  csumValid: boolean;
  gsoSize: number;
  gsoType: number;
  gsoSegs: number;
  hash: number;
  hashType: PktHashType;
  /** Software (flow-dissector) hash, as opposed to one supplied by a device. */
  swHash: boolean;
  queueMapping: number;
  /** Recorded RX queue for forwarded traffic, -1 when none (skb_rx_queue_recorded). */
  rxQueue: number;
  macHeader: number;
  networkHeader: number;
  transportHeader: number;
}

/** A new record; fields absent (or undefined) in `init` take their defaults. Field-by-field (no spread) because this runs per packet. */
export function createSkb(init: Partial<Skb> = {}): Skb {
  return {
    len: init.len ?? 0,
    ipSummed: init.ipSummed ?? IpSummed.NONE,
    csumStart: init.csumStart ?? 0,
    csumOffset: init.csumOffset ?? 0,
    csumLevel: init.csumLevel ?? 0,
    csum: init.csum ?? 0,
    csumValid: init.csumValid ?? false,
    gsoSize: init.gsoSize ?? 0,
    gsoType: init.gsoType ?? 0,
    gsoSegs: init.gsoSegs ?? 0,
    hash: init.hash ?? 0,
    hashType: init.hashType ?? PktHashType.NONE,
    swHash: init.swHash ?? false,
    queueMapping: init.queueMapping ?? 0,
    rxQueue: init.rxQueue ?? -1,
    macHeader: init.macHeader ?? 0,
    networkHeader: init.networkHeader ?? 0,
    transportHeader: init.transportHeader ?? 0,
  };
}

/** Metadata for a parsed frame: header offsets and length filled in, checksum state NONE. */
export function skbForFrame(frame: ParsedFrame, init: Partial<Skb> = {}): Skb {
  const skb = createSkb(init);
  if (init.len === undefined) skb.len = frame.frameLength;
  if (init.macHeader === undefined) skb.macHeader = frame.l2Offset;
  if (init.networkHeader === undefined) skb.networkHeader = frame.l3Offset;
  if (init.transportHeader === undefined) skb.transportHeader = frame.l4Offset;
  return skb;
}

/** Reset a pooled record in place (no allocation). */
export function resetSkb(skb: Skb): Skb {
  skb.len = 0;
  skb.ipSummed = IpSummed.NONE;
  skb.csumStart = 0;
  skb.csumOffset = 0;
  skb.csumLevel = 0;
  skb.csum = 0;
  skb.csumValid = false;
  skb.gsoSize = 0;
  skb.gsoType = 0;
  skb.gsoSegs = 0;
  skb.hash = 0;
  skb.hashType = PktHashType.NONE;
  skb.swHash = false;
  skb.queueMapping = 0;
  skb.rxQueue = -1;
  skb.macHeader = 0;
  skb.networkHeader = 0;
  skb.transportHeader = 0;
  return skb;
}

export function cloneSkb(skb: Skb): Skb {
  return createSkb(skb);
}

/** skb_is_gso: gso_size set. */
export function skbIsGso(skb: Skb): boolean {
  return skb.gsoSize !== 0;
}

/** skb_checksum_start_offset relative to the frame start (what a vnet header carries). */
export function checksumStartOffset(skb: Skb): number {
  return skb.csumStart - skb.macHeader;
}

/**
 * skb_partial_csum_set: bounds-checked switch to CHECKSUM_PARTIAL; transport header = csum_start.
 * Throws invalid-state when the field would not lie inside the frame.
 */
export function setPartialChecksum(skb: Skb, csumStart: number, csumOffset: number): void {
  if (!Number.isInteger(csumStart) || !Number.isInteger(csumOffset) || csumStart < skb.macHeader || csumOffset < 0 ||
    csumStart + csumOffset + 2 > skb.macHeader + skb.len) {
    throw new PacketError('invalid-state', 'csum_start/csum_offset', csumStart, `field at +${csumOffset} outside a ${skb.len}-byte frame`);
  }
  skb.ipSummed = IpSummed.PARTIAL;
  skb.csumStart = csumStart;
  skb.csumOffset = csumOffset;
  skb.transportHeader = csumStart;
}

/** Set a device-supplied hash (skb_set_hash); a zero hash type clears it. */
export function setSkbHash(skb: Skb, hash: number, hashType: PktHashType): void {
  skb.hash = hashType === PktHashType.NONE ? 0 : hash >>> 0;
  skb.hashType = hashType;
  skb.swHash = false;
}

/** l4_hash: the stored hash covers ports. */
export function skbL4Hash(skb: Skb): boolean {
  return skb.hashType === PktHashType.L4;
}

/**
 * __skb_incr_checksum_unnecessary: one more checksum verified (e.g. an outer one while decapsulating):
 * NONE becomes UNNECESSARY level 0; UNNECESSARY gains a level up to SKB_MAX_CSUM_LEVEL.
 */
export function incrChecksumUnnecessary(skb: Skb): void {
  if (skb.ipSummed === IpSummed.UNNECESSARY) {
    if (skb.csumLevel < SKB_MAX_CSUM_LEVEL) skb.csumLevel++;
  } else if (skb.ipSummed === IpSummed.NONE) {
    skb.ipSummed = IpSummed.UNNECESSARY;
    skb.csumLevel = 0;
  }
}

/** __skb_decr_checksum_unnecessary: a verified checksum consumed (header pulled); level 0 drops to NONE. */
export function decrChecksumUnnecessary(skb: Skb): void {
  if (skb.ipSummed !== IpSummed.UNNECESSARY) return;
  if (skb.csumLevel === 0) skb.ipSummed = IpSummed.NONE;
  else skb.csumLevel--;
}

// ---------------------------------------------------------------------------------------------
// Receive side (§2.5)

/**
 * skb_csum_unnecessary: UNNECESSARY, an already-validated value, or PARTIAL with csum_start at or after
 * the current data pointer (`dataOffset`, the transport header when L4 receive runs). True means TCP/UDP
 * receive does not look at the checksum at all — a payload corrupted after the PARTIAL mark is accepted.
 */
export function l4ChecksumTrusted(skb: Skb, dataOffset = skb.transportHeader): boolean {
  switch (skb.ipSummed) {
    case IpSummed.UNNECESSARY:
      return true;
    case IpSummed.PARTIAL:
      return skb.csumStart >= dataOffset;
    case IpSummed.NONE:
    case IpSummed.COMPLETE:
      return skb.csumValid;
  }
}

/** Result of L4 receive checksum handling, and who paid for it. */
export type RxChecksumVerdict =
  | 'trusted-unnecessary' // device said verified: no work
  | 'trusted-partial' // came in PARTIAL from a trusted kernel: no work, field not looked at
  | 'trusted-valid' // already validated earlier (csum_valid)
  | 'complete-valid' // CHECKSUM_COMPLETE + pseudo-header folded to 0: cheap
  | 'complete-fault' // COMPLETE value disagreed, software says valid (netdev_rx_csum_fault), accepted
  | 'software-valid' // full software checksum over the L4 bytes: valid
  | 'software-invalid'; // full software checksum: invalid → drop

export function rxVerdictAccepted(verdict: RxChecksumVerdict): boolean {
  return verdict !== 'software-invalid';
}

/** Whether the verdict cost a full software pass over the L4 bytes (for CPU charging). */
export function rxVerdictSoftwarePass(verdict: RxChecksumVerdict): boolean {
  return verdict === 'software-valid' || verdict === 'software-invalid' || verdict === 'complete-fault';
}

/**
 * Local TCP/UDP receive (__skb_checksum_validate + __skb_checksum_complete). Verifies only what Linux
 * verifies; sets csumValid on success. `frame` must be the parse of `buf` matching `skb`.
 */
export function validateRxL4Checksum(buf: Uint8Array, skb: Skb, frame: ParsedFrame): RxChecksumVerdict {
  switch (skb.ipSummed) {
    case IpSummed.UNNECESSARY:
      return 'trusted-unnecessary';
    case IpSummed.PARTIAL:
      if (l4ChecksumTrusted(skb, frame.l4Offset)) return 'trusted-partial';
      break;
    case IpSummed.COMPLETE:
      if (skb.csumValid) return 'trusted-valid';
      if (completeChecksumOk(buf, skb, frame)) {
        skb.csumValid = true;
        return 'complete-valid';
      }
      if (verifyL4Checksum(buf, frame)) {
        skb.csumValid = true;
        return 'complete-fault';
      }
      return 'software-invalid';
    case IpSummed.NONE:
      if (skb.csumValid) return 'trusted-valid';
      break;
  }
  if (verifyL4Checksum(buf, frame)) {
    skb.csumValid = true;
    return 'software-valid';
  }
  return 'software-invalid';
}

/**
 * CHECKSUM_COMPLETE check: skb.csum covers networkHeader..end; pull the IP header off it
 * (skb_postpull_rcsum), trim anything past the L4 data (Ethernet padding, bytes beyond the UDP length),
 * add the pseudo-header.
 */
export function completeChecksumOk(buf: Uint8Array, skb: Skb, frame: ParsedFrame): boolean {
  let sum = csumSub(skb.csum, csumPartial(buf, frame.l3Offset, frame.l4Offset - frame.l3Offset, 0));
  // UDP is validated over its own length (udp_rcv trims to it); TCP over the IP payload.
  const l4LengthBytes = frame.udp ? frame.udp.lengthBytes : frame.l4LengthBytes;
  const l4End = frame.l4Offset + l4LengthBytes;
  const frameEnd = frame.l2Offset + frame.frameLength;
  if (frameEnd > l4End) {
    // Trimmed bytes (padding, trailing data) were summed at their parity relative to l3Offset (pskb_trim_rcsum).
    const tailFolded = foldSum(csumPartial(buf, l4End, frameEnd - l4End, 0));
    const parityOdd = ((l4End - frame.l3Offset) & 1) === 1;
    sum = csumSub(sum, parityOdd ? ((tailFolded & 0xff) << 8) | (tailFolded >>> 8) : tailFolded);
  }
  const pseudo = frame.ipVersion === 4
    ? pseudoHeaderSumV4(buf, frame.l3Offset, frame.l4Proto, l4LengthBytes)
    : pseudoHeaderSumV6(buf, frame.l3Offset, frame.l4Proto, l4LengthBytes);
  return foldSum(csumAdd(sum, pseudo)) === 0xffff;
}

/** What a device that reports CHECKSUM_COMPLETE puts in skb.csum: sum from the network header to the end. */
export function computeCompleteChecksum(buf: Uint8Array, skb: Skb): number {
  return csumPartial(buf, skb.networkHeader, skb.macHeader + skb.len - skb.networkHeader, 0);
}

// ---------------------------------------------------------------------------------------------
// Transmit side (§2.6)

/** Device checksum capabilities relevant to can_checksum_protocol. */
export interface TxChecksumCaps {
  /** NETIF_F_HW_CSUM: any csum_start/offset. */
  hwCsum: boolean;
  /** NETIF_F_IP_CSUM: TCP/UDP over IPv4 only. */
  ipCsum: boolean;
  /** NETIF_F_IPV6_CSUM: TCP/UDP over IPv6 without extension headers. */
  ipv6Csum: boolean;
}

/** can_checksum_protocol(features, protocol) for a plain (non-encapsulated) frame. */
export function canChecksumProtocol(caps: TxChecksumCaps, ethertype: number, l4Proto: number): boolean {
  if (caps.hwCsum) return true;
  const plainL4 = l4Proto === 6 || l4Proto === 17;
  if (ethertype === 0x0800) return caps.ipCsum && plainL4;
  if (ethertype === 0x86dd) return caps.ipv6Csum && plainL4;
  return false;
}

/**
 * harmonize_features, checksum part: a frame whose protocol the device cannot checksum loses checksum
 * offload AND every GSO feature for this packet (no checksum offload ⇒ no TSO).
 */
export function harmonizeChecksumOffload(skb: Skb, caps: TxChecksumCaps, ethertype: number, l4Proto: number): { csumOffload: boolean; gsoAllowed: boolean } {
  if (skb.ipSummed !== IpSummed.PARTIAL) return { csumOffload: false, gsoAllowed: true };
  const ok = canChecksumProtocol(caps, ethertype, l4Proto);
  return { csumOffload: ok, gsoAllowed: ok };
}

/**
 * skb_checksum_help: finish a PARTIAL checksum in software and set ip_summed = NONE. A GSO skb must be
 * segmented first (the kernel refuses: skb_warn_bad_offload) → invalid-state.
 * Returns the number of bytes summed (for CPU charging).
 */
export function skbChecksumHelp(buf: Uint8Array, skb: Skb): number {
  if (skb.ipSummed !== IpSummed.PARTIAL) return 0;
  if (skbIsGso(skb)) throw new PacketError('invalid-state', 'gso_size', skb.csumStart, 'skb_checksum_help on a GSO skb');
  const end = skb.macHeader + skb.len;
  finishPartialChecksum(buf, skb.csumStart, skb.csumOffset, end);
  skb.ipSummed = IpSummed.NONE;
  return end - skb.csumStart;
}

/** What validate_xmit_skb's checksum step did to one (already segmented or non-GSO) skb. */
export type TxChecksumAction = 'not-partial' | 'offloaded' | 'software';

/**
 * Checksum step of validate_xmit_skb for a non-GSO skb: PARTIAL left to the device when it can checksum
 * the protocol, otherwise completed here by skbChecksumHelp.
 */
export function validateXmitChecksum(buf: Uint8Array, skb: Skb, caps: TxChecksumCaps, ethertype: number, l4Proto: number): TxChecksumAction {
  if (skb.ipSummed !== IpSummed.PARTIAL) return 'not-partial';
  if (canChecksumProtocol(caps, ethertype, l4Proto)) return 'offloaded';
  skbChecksumHelp(buf, skb);
  return 'software';
}
