/**
 * What a capture shows at a point in the topology, versus what the wire carries (reference §2.2, §2.5, §5,
 * §6.4, §8.3).
 *
 * - "tcpdump" view: AF_PACKET on a tap/veth/virtio-facing device sees the skb's bytes as they are: a GSO
 *   super-frame stays one frame larger than the MTU (IP length = the whole super-frame), and a
 *   CHECKSUM_PARTIAL frame carries only the pseudo-header fold in its L4 checksum field, so tcpdump prints
 *   `cksum 0x838e (incorrect -> 0x454d)` and Wireshark flags it — expected, the device finishes it later.
 * - "wire" view: what a NIC puts on the link: segmented per gso_size, every checksum finished, short frames
 *   padded to the Ethernet minimum.
 *
 * `frame` is always the frame's bytes starting at the MAC header; skb offsets are taken relative to
 * skb.macHeader, as a vnet header carries them.
 */
import { PacketError } from './errors';
import { computeL4Checksum, finishPartialChecksum, foldSum, ipv4HeaderChecksum, pseudoHeaderSumV4, pseudoHeaderSumV6 } from './checksum';
import { IPPROTO_TCP, IPPROTO_UDP, createParsedFrame, parseFrameInto, type ParsedFrame } from './frame';
import { IpSummed, checksumStartOffset, ipSummedName, skbIsGso, type Skb } from './skb';
import { gsoSegmentCount, segment } from './gso';
import { PcapngWriter, type PacketDirection, type PcapngWriterOptions, type TimestampNs } from './pcap';

/** Minimum Ethernet frame without FCS (ETH_ZLEN); shorter frames are zero-padded by the sending NIC. */
export const ETH_ZLEN = 60;
/** Per-frame wire overhead beyond the captured bytes: FCS 4 + preamble/SFD 8 + inter-frame gap 12. */
export const ETH_WIRE_OVERHEAD_BYTES = 24;

export type CaptureView = 'tcpdump' | 'wire';

export type L4ChecksumVerdict = 'correct' | 'incorrect' | 'absent';

export interface L4ChecksumReport {
  protocol: 'tcp' | 'udp';
  /** What the checksum field holds in these bytes. */
  fieldValue: number;
  /** What a receiver verifying these bytes expects — tcpdump's "incorrect -> X". */
  correctValue: number;
  /** 'absent': UDP over IPv4 with checksum 0 (none computed). */
  verdict: L4ChecksumVerdict;
  /**
   * CHECKSUM_PARTIAL and the field holds fold(pseudo-header) for this frame's L4 length: the 'incorrect'
   * verdict is the normal state of an offloaded frame, not corruption.
   */
  pendingOffload: boolean;
}

export interface CaptureAnnotation {
  ipSummed: IpSummed;
  /** Frame-relative csum_start and csum_offset when PARTIAL. */
  partial: { csumStart: number; csumOffset: number } | null;
  /** GSO metadata when the frame is a super-frame (gso_size set). */
  gso: { sizeBytes: number; type: number; segments: number } | null;
  /** IPv4 header checksum state; 'not-present' for IPv6 and non-IP frames. */
  ipHeaderChecksum: 'good' | 'bad' | 'not-present';
  /** Null for frames without TCP/UDP (non-IP, fragments, other protocols). */
  l4: L4ChecksumReport | null;
}

const scratch: ParsedFrame = createParsedFrame();

/** Parses into the module scratch record; null for frames the parser does not model (ARP, ...). */
function tryParse(frame: Uint8Array): ParsedFrame | null {
  try {
    return parseFrameInto(scratch, frame);
  } catch (err) {
    if (err instanceof PacketError && err.code === 'unsupported') return null;
    throw err;
  }
}

/** Frame-relative csum_start, checked to put the 2-octet field inside the frame. */
function partialFieldOf(frame: Uint8Array, skb: Skb): { csumStart: number; csumOffset: number } {
  const csumStart = checksumStartOffset(skb);
  if (csumStart < 0 || skb.csumOffset < 0 || csumStart + skb.csumOffset + 2 > frame.length) {
    throw new PacketError('invalid-state', 'csum_start/csum_offset', csumStart, `field at +${skb.csumOffset} lies outside the ${frame.length}-octet frame`);
  }
  return { csumStart, csumOffset: skb.csumOffset };
}

function checkGso(frame: Uint8Array, skb: Skb, parsed: ParsedFrame | null): ParsedFrame {
  if (parsed === null || (parsed.l4Proto !== IPPROTO_TCP && parsed.l4Proto !== IPPROTO_UDP) || parsed.isFragment) {
    throw new PacketError('invalid-state', 'gso_size', 0, 'a GSO super-frame must be TCP or UDP over IP');
  }
  if (skb.ipSummed !== IpSummed.PARTIAL) {
    throw new PacketError('invalid-state', 'ip_summed', 0, `a GSO super-frame is CHECKSUM_PARTIAL, not ${ipSummedName(skb.ipSummed)}`);
  }
  if (parsed.l3Offset + parsed.ipTotalLength !== frame.length) {
    throw new PacketError('invalid-state', 'ip total length', parsed.l3Offset + 2, `IP length ${parsed.ipTotalLength} does not cover the ${frame.length}-octet super-frame`);
  }
  return parsed;
}

/** Describes the frame's checksum and GSO state the way tcpdump and the skb would. */
export function annotateCapture(frame: Uint8Array, skb: Skb): CaptureAnnotation {
  const partial = skb.ipSummed === IpSummed.PARTIAL ? partialFieldOf(frame, skb) : null;
  const parsed = tryParse(frame);
  const gso = skbIsGso(skb) ? { sizeBytes: skb.gsoSize, type: skb.gsoType, segments: gsoSegmentCount(checkGso(frame, skb, parsed).payloadLength, skb.gsoSize) } : null;
  const annotation: CaptureAnnotation = { ipSummed: skb.ipSummed, partial, gso, ipHeaderChecksum: 'not-present', l4: null };
  if (parsed === null) return annotation;
  if (parsed.ipVersion === 4) {
    annotation.ipHeaderChecksum = ipv4HeaderChecksum(frame, parsed.l3Offset) === parsed.ipChecksum ? 'good' : 'bad';
  }
  if (parsed.isFragment || (parsed.l4Proto !== IPPROTO_TCP && parsed.l4Proto !== IPPROTO_UDP)) return annotation;
  const isTcp = parsed.l4Proto === IPPROTO_TCP;
  const fieldValue = isTcp ? parsed.tcp!.checksum : parsed.udp!.checksum;
  const correctValue = computeL4Checksum(frame, parsed);
  const pseudo = parsed.ipVersion === 4
    ? pseudoHeaderSumV4(frame, parsed.l3Offset, parsed.l4Proto, parsed.l4LengthBytes)
    : pseudoHeaderSumV6(frame, parsed.l3Offset, parsed.l4Proto, parsed.l4LengthBytes);
  const pendingOffload = partial !== null && partial.csumStart === parsed.l4Offset && partial.csumOffset === (isTcp ? 16 : 6) &&
    fieldValue === foldSum(pseudo);
  let verdict: L4ChecksumVerdict;
  if (!isTcp && fieldValue === 0 && parsed.ipVersion === 4) verdict = 'absent';
  else verdict = fieldValue === correctValue ? 'correct' : 'incorrect';
  annotation.l4 = { protocol: isTcp ? 'tcp' : 'udp', fieldValue, correctValue, verdict, pendingOffload };
  return annotation;
}

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

/** One-line text for a pcapng opt_comment: the skb metadata no link type can carry (§8.3). */
export function captureComment(annotation: CaptureAnnotation): string {
  const parts = [`ip_summed=${ipSummedName(annotation.ipSummed)}`];
  if (annotation.partial) parts.push(`csum_start=${annotation.partial.csumStart} csum_offset=${annotation.partial.csumOffset}`);
  if (annotation.gso) {
    parts.push(`gso_size=${annotation.gso.sizeBytes} gso_type=0x${annotation.gso.type.toString(16)} segs=${annotation.gso.segments}`);
  }
  if (annotation.ipHeaderChecksum === 'bad') parts.push('ip header cksum bad');
  const l4 = annotation.l4;
  if (l4) {
    let text: string;
    switch (l4.verdict) {
      case 'correct':
        text = `${l4.protocol} cksum ${hex4(l4.fieldValue)} (correct)`;
        break;
      case 'absent':
        text = `${l4.protocol} cksum none`;
        break;
      case 'incorrect':
        text = `${l4.protocol} cksum ${hex4(l4.fieldValue)} (incorrect -> ${hex4(l4.correctValue)})`;
        if (l4.pendingOffload) text += ' pseudo-header only, completed by the device';
        break;
    }
    parts.push(text);
  }
  return parts.join('; ');
}

/**
 * The bytes tcpdump shows at this point: the skb's bytes unchanged (super-frames whole, partial checksums
 * in pseudo-header form). Returns `frame` itself (no copy) after checking the metadata against it.
 */
export function tcpdumpBytes(frame: Uint8Array, skb: Skb): Uint8Array {
  if (skb.ipSummed === IpSummed.PARTIAL) partialFieldOf(frame, skb);
  if (skbIsGso(skb)) checkGso(frame, skb, tryParse(frame));
  return frame;
}

export interface WireOptions {
  /** Pad frames shorter than this with zeros (default ETH_ZLEN = 60; 0 = no padding). */
  minFrameBytes?: number;
  /** The segmenting device has NETIF_F_TSO_MANGLEID: DF segments keep the super-frame's IPv4 ID. */
  mangleId?: boolean;
}

/**
 * The frames a NIC would transmit for this skb: GSO super-frames segmented per gso_size, CHECKSUM_PARTIAL
 * completed (as the device or skb_checksum_help would), short frames padded. The input is never modified;
 * a frame that needs no change is returned as is.
 */
export function wireFrames(frame: Uint8Array, skb: Skb, options: WireOptions = {}): Uint8Array[] {
  const minFrameBytes = options.minFrameBytes ?? ETH_ZLEN;
  if (skbIsGso(skb)) {
    checkGso(frame, skb, tryParse(frame));
    // TSO and software GSO produce identical segments (§5.1); on the wire every checksum is final.
    const frames = segment(frame, skb, { deviceChecksum: false, mangleId: options.mangleId }).frames;
    for (let i = 0; i < frames.length; i++) frames[i] = padded(frames[i], minFrameBytes);
    return frames;
  }
  if (skb.ipSummed !== IpSummed.PARTIAL) return [padded(frame, minFrameBytes)];
  const { csumStart, csumOffset } = partialFieldOf(frame, skb);
  // Checksum up to the end of the IP packet: Ethernet padding of a received frame is not part of it.
  const parsed = tryParse(frame);
  const end = parsed === null ? frame.length : parsed.l3Offset + parsed.ipTotalLength;
  const out = new Uint8Array(Math.max(frame.length, minFrameBytes));
  out.set(frame);
  finishPartialChecksum(out, csumStart, csumOffset, end);
  return [out];
}

function padded(frame: Uint8Array, minFrameBytes: number): Uint8Array {
  if (frame.length >= minFrameBytes) return frame;
  const out = new Uint8Array(minFrameBytes);
  out.set(frame);
  return out;
}

/** Serialization time of one frame at a line rate, preamble, FCS and inter-frame gap included. */
export function wireTimeNs(frameBytes: number, lineRateBitsPerSec: number): number {
  return Math.ceil(((frameBytes + ETH_WIRE_OVERHEAD_BYTES) * 8 * 1e9) / lineRateBitsPerSec);
}

export interface CapturePointSpec {
  /** Interface name shown by Wireshark (if_name), e.g. "vm1:tap0". */
  name: string;
  description?: string;
  view: CaptureView;
  /** Wire view only: space segments of one super-frame by their serialization time at this rate. */
  lineRateBitsPerSec?: number;
  /** Wire view only: the segmenting device keeps DF segments' IPv4 ID fixed (NETIF_F_TSO_MANGLEID). */
  mangleId?: boolean;
  /** Attach the skb metadata as a per-packet comment (default true). */
  comments?: boolean;
}

/**
 * A pcapng capture with one interface per capture point; each point records either the tcpdump view or
 * the wire view of the frames handed to it.
 */
export class CaptureRecorder {
  private readonly writer: PcapngWriter;
  private readonly points: CapturePointSpec[] = [];

  constructor(options: PcapngWriterOptions = {}) {
    this.writer = new PcapngWriter({ application: 'Offload Lab', ...options });
  }

  get packetCount(): number {
    return this.writer.packetCount;
  }

  addPoint(spec: CapturePointSpec): number {
    if (spec.lineRateBitsPerSec !== undefined && !(spec.lineRateBitsPerSec > 0 && Number.isFinite(spec.lineRateBitsPerSec))) {
      throw new PacketError('malformed', 'lineRateBitsPerSec', 0, `must be a positive rate, got ${spec.lineRateBitsPerSec}`);
    }
    const id = this.writer.addInterface({ name: spec.name, description: spec.description ?? `${spec.view} view` });
    this.points[id] = { ...spec };
    return id;
  }

  /** Records the skb at a capture point; returns how many frames were written (segments for the wire view). */
  capture(pointId: number, timestampNs: TimestampNs, frame: Uint8Array, skb: Skb, direction: PacketDirection = 'unknown'): number {
    const point = this.points[pointId];
    if (point === undefined) throw new PacketError('invalid-state', 'capture point', 0, `point ${pointId} was never added`);
    const withComments = point.comments ?? true;
    switch (point.view) {
      case 'tcpdump': {
        const bytes = tcpdumpBytes(frame, skb);
        const comment = withComments ? captureComment(annotateCapture(bytes, skb)) : undefined;
        this.writer.writePacket(pointId, timestampNs, bytes, { comment, direction });
        return 1;
      }
      case 'wire': {
        const frames = wireFrames(frame, skb, { mangleId: point.mangleId });
        let offsetNs = 0;
        for (let i = 0; i < frames.length; i++) {
          const ts = typeof timestampNs === 'bigint' ? timestampNs + BigInt(offsetNs) : timestampNs + offsetNs;
          const comment = withComments && frames.length > 1 ? `segment ${i + 1}/${frames.length}` : undefined;
          this.writer.writePacket(pointId, ts, frames[i], { comment, direction });
          if (point.lineRateBitsPerSec) offsetNs += wireTimeNs(frames[i].length, point.lineRateBitsPerSec);
        }
        return frames.length;
      }
    }
  }

  finish(): Uint8Array {
    return this.writer.finish();
  }

  chunks(): Uint8Array[] {
    return this.writer.chunks();
  }
}
