/**
 * The packet inspector's pure side: captured frames copied out of the capture ring, decoded for the list and
 * the detail view (vnet header, header fields, checksum state, "what tcpdump sees here" beside "what is on
 * the wire"), and written as pcap / pcapng files. No DOM: unit tests run it under Node and open the files
 * with tshark.
 */
import type { CapturePointRef } from '../../core/protocol';
import type { CapturedFrame } from '../../core/ring/frames';
import { FRAME_FLAG_TRUNCATED, FRAME_FLAG_TX } from '../../core/ring/frames';
import { PacketError } from '../../core/packet/errors';
import { parseFrame, type ParsedFrame } from '../../core/packet/frame';
import { frameSummary, headerFields, type HeaderField } from '../../core/packet/frame-describe';
import { annotateCapture, captureComment, tcpdumpBytes, wireFrames, type CaptureAnnotation, type CaptureView } from '../../core/packet/capture';
import { IpSummed, createSkb, ipSummedName, type IpSummed as IpSummedValue, type Skb } from '../../core/packet/skb';
import { VnetFeatures, VnetGsoType, VnetHdrFlag, VNET_HDR_GSO_ECN, skbToVnetHdr, vnetHdrBytes, type VnetHdr } from '../../core/packet/vnet';
import { PcapWriter, PcapngWriter } from '../../core/packet/pcap';

/** One captured frame, copied out of the ring (the ring's bytes are reused as soon as it is drained). */
export interface InspectedFrame {
  /** 1-based number in this capture, as Wireshark numbers frames. */
  no: number;
  tNs: number;
  pointIndex: number;
  point: CapturePointRef | null;
  bytes: Uint8Array;
  origLengthBytes: number;
  ipSummed: number;
  csumStart: number;
  csumOffset: number;
  gsoSize: number;
  gsoType: number;
  gsoSegs: number;
  truncated: boolean;
  tx: boolean;
}

export function copyCapturedFrame(f: CapturedFrame, no: number, points: readonly CapturePointRef[]): InspectedFrame {
  return {
    no,
    tNs: f.tNs,
    pointIndex: f.capturePoint,
    point: points[f.capturePoint] ?? null,
    bytes: f.data.slice(f.poolOffset, f.poolOffset + f.lengthBytes),
    origLengthBytes: f.origLengthBytes,
    ipSummed: f.ipSummed,
    csumStart: f.csumStart,
    csumOffset: f.csumOffset,
    gsoSize: f.gsoSize,
    gsoType: f.gsoType,
    gsoSegs: f.gsoSegs,
    truncated: (f.flags & FRAME_FLAG_TRUNCATED) !== 0,
    tx: (f.flags & FRAME_FLAG_TX) !== 0,
  };
}

export function pointLabel(p: CapturePointRef): string {
  return `${p.node}/${p.iface} ${p.dir}`;
}

/**
 * The L4 checksum as the stack sees it at this point:
 * - partial: CHECKSUM_PARTIAL, the field holds only the pseudo-header fold; the device (or software) finishes it.
 * - trusted: CHECKSUM_UNNECESSARY, nobody verifies the bytes again (right or not).
 * - verified: the field is the correct checksum of these bytes.
 * - bad: the field is wrong and nothing marks it as pending.
 * - absent: UDP over IPv4 without a checksum.
 * - none: no TCP/UDP header to check (or a truncated frame).
 */
export type ChecksumState = 'partial' | 'trusted' | 'verified' | 'bad' | 'absent' | 'none';

export function checksumState(a: CaptureAnnotation): ChecksumState {
  const l4 = a.l4;
  if (!l4) return 'none';
  if (a.ipSummed === IpSummed.PARTIAL) return l4.pendingOffload || l4.verdict === 'correct' ? 'partial' : 'bad';
  if (a.ipSummed === IpSummed.UNNECESSARY) return 'trusted';
  switch (l4.verdict) {
    case 'correct':
      return 'verified';
    case 'incorrect':
      return 'bad';
    case 'absent':
      return 'absent';
  }
}

/** The skb metadata the capture recorded, with header offsets taken from the parsed frame. */
export function skbOf(f: InspectedFrame, parsed: ParsedFrame | null): Skb {
  return createSkb({
    len: f.origLengthBytes,
    ipSummed: f.ipSummed as IpSummedValue,
    csumStart: f.csumStart,
    csumOffset: f.csumOffset,
    gsoSize: f.gsoSize,
    gsoType: f.gsoType,
    gsoSegs: f.gsoSegs,
    macHeader: 0,
    networkHeader: parsed?.l3Offset ?? 0,
    transportHeader: parsed?.l4Offset ?? 0,
  });
}

function tryParse(bytes: Uint8Array): ParsedFrame | null {
  try {
    return parseFrame(bytes);
  } catch (e) {
    if (e instanceof PacketError) return null;
    throw e;
  }
}

function problem(e: unknown): string {
  if (e instanceof PacketError) return e.message;
  throw e;
}

/** What the frame list shows for one frame. */
export interface FrameRow {
  summary: string;
  lengthBytes: number;
  checksum: ChecksumState;
  /** "gso 1448 × 45" for a super-frame, else "". */
  gso: string;
}

export function frameRow(f: InspectedFrame): FrameRow {
  const parsed = tryParse(f.bytes);
  const summary = parsed ? frameSummary(f.bytes, parsed) : `${f.bytes.length} bytes (not IPv4/IPv6 over Ethernet)`;
  let checksum: ChecksumState = 'none';
  let gso = f.gsoSize > 0 ? `gso ${f.gsoSize}` : '';
  if (!f.truncated && parsed) {
    try {
      const a = annotateCapture(f.bytes, skbOf(f, parsed));
      checksum = checksumState(a);
      if (a.gso) gso = `gso ${a.gso.sizeBytes} × ${a.gso.segments}`;
    } catch (e) {
      problem(e);
      checksum = 'bad';
    }
  }
  return { summary, lengthBytes: f.origLengthBytes, checksum, gso };
}

export interface VnetView {
  hdr: VnetHdr;
  /** The 12-byte (VERSION_1) header as it would cross a virtio/tap boundary. */
  bytes: Uint8Array;
  fields: { name: string; value: string }[];
}

const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, '0')}`;

function gsoTypeName(t: number): string {
  const base = t & ~VNET_HDR_GSO_ECN;
  const name = Object.entries(VnetGsoType).find(([, v]) => v === base)?.[0] ?? `0x${base.toString(16)}`;
  return `${name}${t & VNET_HDR_GSO_ECN ? ' | ECN' : ''}`;
}

function flagsName(flags: number): string {
  const names = Object.entries(VnetHdrFlag)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([n]) => n);
  return names.length ? names.join(' | ') : 'none';
}

/** Every offload both sides offer, so the header carries whatever the skb needs. */
const VNET_ALL = VnetFeatures.of('VERSION_1', 'CSUM', 'GUEST_CSUM', 'HOST_TSO4', 'HOST_TSO6', 'GUEST_TSO4', 'GUEST_TSO6', 'HOST_USO', 'GUEST_USO4', 'GUEST_USO6', 'MRG_RXBUF');

export function vnetView(f: InspectedFrame, skb: Skb, parsed: ParsedFrame | null): VnetView | { error: string } {
  try {
    const hdr = skbToVnetHdr(skb, VNET_ALL, { direction: f.tx ? 'tx' : 'rx', ...(parsed ? { frame: parsed } : {}) });
    const bytes = vnetHdrBytes(hdr, VNET_ALL.hdrFormat());
    return {
      hdr,
      bytes,
      fields: [
        { name: 'flags', value: `${hex(hdr.flags, 2)} ${flagsName(hdr.flags)}` },
        { name: 'gso_type', value: `${hex(hdr.gsoType, 2)} ${gsoTypeName(hdr.gsoType)}` },
        { name: 'hdr_len', value: String(hdr.hdrLenBytes) },
        { name: 'gso_size', value: String(hdr.gsoSizeBytes) },
        { name: 'csum_start', value: String(hdr.csumStart) },
        { name: 'csum_offset', value: String(hdr.csumOffset) },
        { name: 'num_buffers', value: String(hdr.numBuffers) },
      ],
    };
  } catch (e) {
    return { error: problem(e) };
  }
}

export interface WireSegment {
  summary: string;
  lengthBytes: number;
  checksum: ChecksumState;
  /** The final L4 checksum this segment carries on the wire (null without TCP/UDP). */
  checksumValue: number | null;
}

export interface FrameDetail {
  parsed: ParsedFrame | null;
  summary: string;
  fields: HeaderField[];
  ipSummed: string;
  annotation: CaptureAnnotation | null;
  checksum: ChecksumState;
  /** The L4 checksum field (for the hex highlight), when there is one. */
  checksumField: HeaderField | null;
  vnet: VnetView | { error: string };
  /** What tcpdump prints at this point (the skb's bytes as they are). */
  tcpdump: { summary: string; lengthBytes: number; comment: string } | null;
  /** What the NIC puts on the link: segmented, every checksum final, padded. */
  wire: WireSegment[];
  /** Why a view could not be built (truncated capture, inconsistent metadata). */
  problems: string[];
}

export function frameDetail(f: InspectedFrame): FrameDetail {
  const parsed = tryParse(f.bytes);
  const skb = skbOf(f, parsed);
  const problems: string[] = [];
  if (f.truncated) problems.push(`captured ${f.bytes.length} of ${f.origLengthBytes} bytes (snap length): checksums and segments are not computed`);
  const fields = parsed ? headerFields(f.bytes, parsed) : [];
  const summary = parsed ? frameSummary(f.bytes, parsed) : `${f.bytes.length} bytes`;
  let annotation: CaptureAnnotation | null = null;
  let tcpdump: FrameDetail['tcpdump'] = null;
  const wire: WireSegment[] = [];
  if (!f.truncated) {
    try {
      annotation = annotateCapture(f.bytes, skb);
      const seen = tcpdumpBytes(f.bytes, skb);
      tcpdump = { summary, lengthBytes: seen.length, comment: captureComment(annotation) };
      for (const w of wireFrames(f.bytes, skb)) {
        const p = tryParse(w);
        const wa = p ? annotateCapture(w, skbOf({ ...f, bytes: w, origLengthBytes: w.length, ipSummed: IpSummed.NONE, gsoSize: 0, gsoType: 0, gsoSegs: 0 }, p)) : null;
        wire.push({ summary: p ? frameSummary(w, p) : `${w.length} bytes`, lengthBytes: w.length, checksum: wa ? checksumState(wa) : 'none', checksumValue: wa?.l4?.fieldValue ?? null });
      }
    } catch (e) {
      problems.push(problem(e));
    }
  }
  const checksumField = fields.find((x) => (x.layer === 'tcp' || x.layer === 'udp') && x.name === 'checksum') ?? null;
  return {
    parsed,
    summary,
    fields,
    ipSummed: ipSummedName(f.ipSummed as IpSummedValue) ?? `ip_summed ${f.ipSummed}`,
    annotation,
    checksum: annotation ? checksumState(annotation) : 'none',
    checksumField,
    vnet: vnetView(f, skb, parsed),
    tcpdump,
    wire,
    problems,
  };
}

export type CaptureFileKind = 'pcap' | 'pcapng';
export type { CaptureView };

/** The frames of one capture as one view shows them: the bytes as captured, or what the NIC transmits. */
function viewFrames(f: InspectedFrame, view: CaptureView): { bytes: Uint8Array; origLengthBytes: number; comment: string | undefined }[] {
  if (f.truncated) return [{ bytes: f.bytes, origLengthBytes: f.origLengthBytes, comment: 'truncated capture (snap length)' }];
  try {
    const skb = skbOf(f, tryParse(f.bytes));
    switch (view) {
      case 'tcpdump':
        return [{ bytes: tcpdumpBytes(f.bytes, skb), origLengthBytes: f.origLengthBytes, comment: captureComment(annotateCapture(f.bytes, skb)) }];
      case 'wire': {
        const segs = wireFrames(f.bytes, skb);
        return segs.map((bytes, i) => ({ bytes, origLengthBytes: bytes.length, comment: segs.length > 1 ? `segment ${i + 1}/${segs.length} of captured frame ${f.no}` : undefined }));
      }
    }
  } catch (e) {
    return [{ bytes: f.bytes, origLengthBytes: f.origLengthBytes, comment: problem(e) }];
  }
}

/**
 * The frames as a capture file. 'tcpdump' view: the bytes as captured (super-frames whole, partial
 * checksums as they are); 'wire' view: segmented, every checksum final, padded, as the NIC sends them.
 * pcapng carries one interface per node/iface, the direction, and the skb metadata (ip_summed,
 * csum_start/offset, gso) or the segment number as a per-packet comment.
 */
export function captureFile(frames: readonly InspectedFrame[], kind: CaptureFileKind, points: readonly CapturePointRef[], view: CaptureView = 'tcpdump'): Uint8Array {
  switch (kind) {
    case 'pcap': {
      const w = new PcapWriter({ resolution: 'ns' });
      for (const f of frames) for (const x of viewFrames(f, view)) w.writePacket(f.tNs, x.bytes, x.origLengthBytes);
      return w.finish();
    }
    case 'pcapng': {
      const w = new PcapngWriter({ application: 'Offload Lab' });
      // One interface per node/iface, both directions on it (epb_flags), as a capture on a real device.
      const ids = new Map<string, number>();
      for (const f of frames) {
        const p = points[f.pointIndex];
        const name = p ? `${p.node}:${p.iface}` : `point ${f.pointIndex}`;
        let id = ids.get(name);
        if (id === undefined) {
          const description = view === 'tcpdump' ? 'Offload Lab capture, tcpdump view (skb bytes as they are at this point)' : 'Offload Lab capture, wire view (segmented, checksums final)';
          id = w.addInterface({ name, description });
          ids.set(name, id);
        }
        for (const x of viewFrames(f, view)) {
          w.writePacket(id, f.tNs, x.bytes, { originalLengthBytes: x.origLengthBytes, direction: f.tx ? 'out' : 'in', ...(x.comment ? { comment: x.comment } : {}) });
        }
      }
      return w.finish();
    }
  }
}

/** Hex dump rows of 16 bytes over [from, to). */
export function hexRows(bytes: Uint8Array, from: number, to: number): { offset: number; cells: string[] }[] {
  const rows: { offset: number; cells: string[] }[] = [];
  const end = Math.min(to, bytes.length);
  for (let off = from - (from % 16); off < end; off += 16) {
    const cells: string[] = [];
    for (let i = off; i < Math.min(off + 16, end); i++) cells.push(bytes[i].toString(16).padStart(2, '0'));
    rows.push({ offset: off, cells });
  }
  return rows;
}
