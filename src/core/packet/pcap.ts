/*
 * libpcap capture files (reference §8).
 *
 * File header, 24 octets, in the writer's byte order:
 *   0 magic u32 (0xA1B2C3D4 µs | 0xA1B23C4D ns | 0xA1B2CD34 "modified", read only)
 *   4 version_major u16 = 2   6 version_minor u16 = 4
 *   8 thiszone u32 = 0        12 sigfigs u32 = 0
 *  16 snaplen u32             20 linktype u32 (low 16 bits; bits 28-31 FCS length if bit 26 set)
 * Record header, 16 octets (24 in the "modified" format), then incl_len packet octets, no padding:
 *   0 ts_sec u32   4 ts_frac u32 (µs or ns)   8 incl_len u32   12 orig_len u32
 */
import { PacketError, need } from './errors';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Kuznetzov "modified" format: 24-octet records (+ifindex, protocol, pkt_type, pad). Read only. */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;
const MODIFIED_RECORD_HEADER_BYTES = 24;

export const DEFAULT_SNAPLEN_BYTES = 262144;
/** libpcap refuses records longer than this whatever the snaplen says (MAXIMUM_SNAPLEN). */
const MAX_RECORD_BYTES = 262144;

export type ByteOrder = 'le' | 'be';
export type PcapTimestampResolution = 'us' | 'ns';

/** A virtual-time instant in nanoseconds. Numbers must be safe integers; use bigint past 2^53 ns (~104 days). */
export type TimestampNs = bigint | number;

const NS_PER_SEC = 1_000_000_000;
const TWO_POW_32 = 4294967296;

/* ---------------------------------------------------------------- byte sink */

const SINK_FIRST_CHUNK_BYTES = 1 << 16;
const SINK_MAX_CHUNK_BYTES = 1 << 22;

/**
 * Append-only byte buffer built from chunks (64 KiB doubling to 4 MiB), so a long capture never re-copies
 * what it already holds and a small one stays small. Callers `ensure(n)` before writing n contiguous bytes.
 */
export class ByteSink {
  private readonly done: Uint8Array[] = [];
  private doneBytes = 0;
  private chunk: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(
    private chunkBytes = SINK_FIRST_CHUNK_BYTES,
    private readonly maxChunkBytes = SINK_MAX_CHUNK_BYTES,
  ) {
    this.chunk = new Uint8Array(chunkBytes);
    this.view = new DataView(this.chunk.buffer);
  }

  get lengthBytes(): number {
    return this.doneBytes + this.pos;
  }

  ensure(lengthBytes: number): void {
    if (this.chunk.length - this.pos >= lengthBytes) return;
    if (this.pos > 0) {
      this.done.push(this.chunk.subarray(0, this.pos));
      this.doneBytes += this.pos;
    }
    this.chunkBytes = Math.min(this.chunkBytes * 2, this.maxChunkBytes);
    this.chunk = new Uint8Array(Math.max(this.chunkBytes, lengthBytes));
    this.view = new DataView(this.chunk.buffer);
    this.pos = 0;
  }

  u8(value: number): void {
    this.chunk[this.pos++] = value;
  }

  u16(value: number, littleEndian: boolean): void {
    this.view.setUint16(this.pos, value, littleEndian);
    this.pos += 2;
  }

  u32(value: number, littleEndian: boolean): void {
    this.view.setUint32(this.pos, value, littleEndian);
    this.pos += 4;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    this.chunk.set(src.subarray(start, end), this.pos);
    this.pos += end - start;
  }

  zeros(lengthBytes: number): void {
    this.chunk.fill(0, this.pos, this.pos + lengthBytes);
    this.pos += lengthBytes;
  }

  /** The chunks written so far, as views (no copy) — e.g. as Blob parts. */
  chunks(): Uint8Array[] {
    return this.pos > 0 ? [...this.done, this.chunk.subarray(0, this.pos)] : [...this.done];
  }

  /** Everything written so far in one fresh array; writing may continue afterwards. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.lengthBytes);
    let at = 0;
    for (const part of this.chunks()) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/* ---------------------------------------------------------------- timestamps */

/**
 * Splits origin + t into whole seconds and nanoseconds without allocating for number input.
 * Writes into `out` ([sec, ns]) and throws PacketError when t is not a non-negative integer.
 */
function splitTimestamp(timestampNs: TimestampNs, origin: SplitTime, fileOffset: number, out: SplitTime): void {
  let sec: number;
  let ns: number;
  if (typeof timestampNs === 'number') {
    if (!Number.isSafeInteger(timestampNs) || timestampNs < 0) {
      throw new PacketError('malformed', 'timestampNs', fileOffset, `must be a non-negative safe integer, got ${timestampNs}`);
    }
    sec = Math.floor(timestampNs / NS_PER_SEC);
    ns = timestampNs - sec * NS_PER_SEC;
    // Float division can land one second off near a boundary; sec * 1e9 itself is exact.
    if (ns < 0) {
      sec -= 1;
      ns += NS_PER_SEC;
    } else if (ns >= NS_PER_SEC) {
      sec += 1;
      ns -= NS_PER_SEC;
    }
  } else {
    if (timestampNs < 0n) {
      throw new PacketError('malformed', 'timestampNs', fileOffset, `must be non-negative, got ${timestampNs}`);
    }
    const secBig = timestampNs / 1_000_000_000n;
    if (secBig > 0xffffffffffffn) {
      throw new PacketError('unsupported', 'timestampNs', fileOffset, `${timestampNs} ns is beyond any capture format`);
    }
    sec = Number(secBig);
    ns = Number(timestampNs - secBig * 1_000_000_000n);
  }
  sec += origin.sec;
  ns += origin.ns;
  if (ns >= NS_PER_SEC) {
    sec += 1;
    ns -= NS_PER_SEC;
  }
  out.sec = sec;
  out.ns = ns;
}

interface SplitTime {
  sec: number;
  ns: number;
}

function splitOrigin(timeOriginNs: TimestampNs | undefined): SplitTime {
  const origin: SplitTime = { sec: 0, ns: 0 };
  if (timeOriginNs !== undefined) splitTimestamp(timeOriginNs, { sec: 0, ns: 0 }, 0, origin);
  return origin;
}

/* ---------------------------------------------------------------- pcap writer */

export interface PcapWriterOptions {
  /** 'ns' (default) writes magic 0xA1B23C4D; 'us' writes 0xA1B2C3D4 and truncates to microseconds. */
  resolution?: PcapTimestampResolution;
  byteOrder?: ByteOrder;
  snaplenBytes?: number;
  linkType?: number;
  /** Added to every packet timestamp, so virtual time 0 can be shown at a fixed, reproducible date. */
  timeOriginNs?: TimestampNs;
}

/** Writes a classic pcap file into memory. Deterministic: the file depends only on the calls made. */
export class PcapWriter {
  readonly resolution: PcapTimestampResolution;
  readonly byteOrder: ByteOrder;
  readonly snaplenBytes: number;
  readonly linkType: number;
  private readonly le: boolean;
  private readonly origin: SplitTime;
  private readonly sink = new ByteSink();
  private readonly split: SplitTime = { sec: 0, ns: 0 };
  private packets = 0;

  constructor(options: PcapWriterOptions = {}) {
    this.resolution = options.resolution ?? 'ns';
    this.byteOrder = options.byteOrder ?? 'le';
    this.snaplenBytes = options.snaplenBytes ?? DEFAULT_SNAPLEN_BYTES;
    this.linkType = options.linkType ?? LINKTYPE_ETHERNET;
    if (!Number.isInteger(this.snaplenBytes) || this.snaplenBytes < 1 || this.snaplenBytes > MAX_RECORD_BYTES) {
      throw new PacketError('unsupported', 'snaplen', 16, `must be 1..${MAX_RECORD_BYTES}, got ${this.snaplenBytes}`);
    }
    if (!Number.isInteger(this.linkType) || this.linkType < 0 || this.linkType > 0xffff) {
      throw new PacketError('malformed', 'linktype', 20, `must be a 16-bit LINKTYPE, got ${this.linkType}`);
    }
    this.le = this.byteOrder === 'le';
    this.origin = splitOrigin(options.timeOriginNs);
    const s = this.sink;
    s.ensure(PCAP_FILE_HEADER_BYTES);
    s.u32(this.resolution === 'ns' ? PCAP_MAGIC_NS : PCAP_MAGIC_US, this.le);
    s.u16(2, this.le);
    s.u16(4, this.le);
    s.u32(0, this.le);
    s.u32(0, this.le);
    s.u32(this.snaplenBytes, this.le);
    s.u32(this.linkType, this.le);
  }

  get packetCount(): number {
    return this.packets;
  }

  get lengthBytes(): number {
    return this.sink.lengthBytes;
  }

  /**
   * Appends one record. Frames longer than the snaplen are cut (incl_len) while orig_len keeps the full
   * length; `originalLengthBytes` overrides orig_len for frames already cut by the caller.
   */
  writePacket(timestampNs: TimestampNs, frame: Uint8Array, originalLengthBytes = frame.length): void {
    const fileOffset = this.sink.lengthBytes;
    splitTimestamp(timestampNs, this.origin, fileOffset, this.split);
    const { sec, ns } = this.split;
    if (sec > 0xffffffff) {
      throw new PacketError('unsupported', 'ts_sec', fileOffset, `${sec} s does not fit pcap's 32-bit seconds`);
    }
    const inclBytes = Math.min(frame.length, this.snaplenBytes);
    if (!Number.isInteger(originalLengthBytes) || originalLengthBytes < inclBytes || originalLengthBytes > 0xffffffff) {
      throw new PacketError('malformed', 'orig_len', fileOffset + 12, `${originalLengthBytes} is below the ${inclBytes} captured octets`);
    }
    const s = this.sink;
    s.ensure(PCAP_RECORD_HEADER_BYTES + inclBytes);
    s.u32(sec, this.le);
    s.u32(this.resolution === 'ns' ? ns : Math.floor(ns / 1000), this.le);
    s.u32(inclBytes, this.le);
    s.u32(originalLengthBytes, this.le);
    s.bytes(frame, 0, inclBytes);
    this.packets++;
  }

  /** The file so far as one array (a copy); more packets may be written afterwards. */
  finish(): Uint8Array {
    return this.sink.toBytes();
  }

  /** The file so far as chunk views without copying (valid until the next write). */
  chunks(): Uint8Array[] {
    return this.sink.chunks();
  }
}

/* ---------------------------------------------------------------- pcap reader */

export interface PcapHeader {
  magic: number;
  byteOrder: ByteOrder;
  resolution: PcapTimestampResolution;
  versionMajor: number;
  versionMinor: number;
  snaplenBytes: number;
  linkType: number;
  /** FCS octets at the end of each frame, when the file says so (bit 26 of the linktype field). */
  fcsLengthBytes: number | null;
}

export interface PcapRecord {
  /** Seconds * 1e9 + fraction, in ns (µs files are scaled). */
  timestampNs: bigint;
  capturedLengthBytes: number;
  originalLengthBytes: number;
  /** A view into the input file (not a copy). */
  data: Uint8Array;
}

export interface PcapFile {
  header: PcapHeader;
  records: PcapRecord[];
}

/** Parses a whole pcap file. Throws PacketError on anything malformed, including a cut-off last record. */
export function readPcap(file: Uint8Array): PcapFile {
  need(file, 0, PCAP_FILE_HEADER_BYTES, 'pcap file header');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magicBe = view.getUint32(0, false);
  const magicLe = view.getUint32(0, true);
  let le: boolean;
  let magic: number;
  if (isPcapMagic(magicLe)) {
    le = true;
    magic = magicLe;
  } else if (isPcapMagic(magicBe)) {
    le = false;
    magic = magicBe;
  } else {
    throw new PacketError('malformed', 'magic', 0, `0x${magicBe.toString(16).padStart(8, '0')} is not a pcap magic number`);
  }
  const versionMajor = view.getUint16(4, le);
  const versionMinor = view.getUint16(6, le);
  if (versionMajor !== 2) {
    throw new PacketError('unsupported', 'version_major', 4, `pcap version ${versionMajor}.${versionMinor}`);
  }
  const snaplenBytes = view.getUint32(16, le);
  const linkField = view.getUint32(20, le);
  const header: PcapHeader = {
    magic,
    byteOrder: le ? 'le' : 'be',
    resolution: magic === PCAP_MAGIC_NS ? 'ns' : 'us',
    versionMajor,
    versionMinor,
    snaplenBytes,
    linkType: linkField & 0xffff,
    fcsLengthBytes: linkField & 0x04000000 ? ((linkField >>> 28) & 0xf) * 2 : null,
  };
  const recordHeaderBytes = magic === PCAP_MAGIC_MODIFIED ? MODIFIED_RECORD_HEADER_BYTES : PCAP_RECORD_HEADER_BYTES;
  const fracToNs = header.resolution === 'ns' ? 1n : 1000n;
  const maxInclBytes = Math.max(snaplenBytes, MAX_RECORD_BYTES);
  const records: PcapRecord[] = [];
  let at = PCAP_FILE_HEADER_BYTES;
  while (at < file.length) {
    need(file, at, recordHeaderBytes, `record ${records.length} header`);
    const sec = view.getUint32(at, le);
    const frac = view.getUint32(at + 4, le);
    const inclBytes = view.getUint32(at + 8, le);
    const origBytes = view.getUint32(at + 12, le);
    if (inclBytes > maxInclBytes) {
      throw new PacketError('malformed', 'incl_len', at + 8, `record ${records.length} claims ${inclBytes} octets (max ${maxInclBytes})`);
    }
    const dataAt = at + recordHeaderBytes;
    need(file, dataAt, inclBytes, `record ${records.length} data`);
    records.push({
      timestampNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * fracToNs,
      capturedLengthBytes: inclBytes,
      originalLengthBytes: origBytes,
      data: file.subarray(dataAt, dataAt + inclBytes),
    });
    at = dataAt + inclBytes;
  }
  return { header, records };
}

function isPcapMagic(magic: number): boolean {
  return magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS || magic === PCAP_MAGIC_MODIFIED;
}

/* ---------------------------------------------------------------- pcapng */
/*
 * pcapng (draft-ietf-opsawg-pcapng). Every block:
 *   0 block type u32   4 block total length u32 (multiple of 4)   8 body ...   end-4 block total length u32
 * Options inside bodies: code u16, length u16, value padded to 4; list ends with opt_endofopt (0, 0).
 * SHB (0x0A0D0D0A): byte-order magic u32 0x1A2B3C4D, major u16 1, minor u16 0, section length i64 (-1), options.
 * IDB (1): linktype u16, reserved u16, snaplen u32, options (if_name 2, if_description 3, if_tsresol 9).
 * EPB (6): interface id u32, ts high u32, ts low u32 (units of if_tsresol), captured len u32, original len u32,
 *          packet data padded to 4, options (opt_comment 1, epb_flags 2).
 */

export const PCAPNG_SHB = 0x0a0d0d0a;
export const PCAPNG_IDB = 0x00000001;
export const PCAPNG_EPB = 0x00000006;
const PCAPNG_SPB = 0x00000003;
const PCAPNG_OBSOLETE_PB = 0x00000002;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;
const EPB_FLAGS = 2;

/** epb_flags bits 0-1. */
export type PacketDirection = 'unknown' | 'in' | 'out';

export interface PcapngInterfaceOptions {
  name: string;
  description?: string;
  linkType?: number;
  snaplenBytes?: number;
}

export interface PcapngPacketOptions {
  originalLengthBytes?: number;
  /** Free text stored as opt_comment — e.g. vnet-header or skb metadata that no link type can carry (§8.3). */
  comment?: string;
  direction?: PacketDirection;
}

export interface PcapngWriterOptions {
  byteOrder?: ByteOrder;
  /** shb_userappl; omitted when empty. */
  application?: string;
  timeOriginNs?: TimestampNs;
}

const utf8 = new TextEncoder();

function pad4(lengthBytes: number): number {
  return (4 - (lengthBytes & 3)) & 3;
}

function optionBytes(valueBytes: number): number {
  return 4 + valueBytes + pad4(valueBytes);
}

/** Largest whole second whose nanosecond count fits 64 bits. */
const MAX_PCAPNG_SEC = 18446744072;
const TWO_POW_20 = 1048576;

/**
 * sec * 1e9 + ns as two u32 halves, exactly, with doubles only: sec = sH·2^20 + sL, so the total is
 * (sH·1e9)·2^20 + (sL·1e9 + ns); every partial product stays below 2^53 for sec <= MAX_PCAPNG_SEC.
 */
function splitNs64(sec: number, ns: number, out: { hi: number; lo: number }): void {
  const sH = Math.floor(sec / TWO_POW_20);
  const low = (sec - sH * TWO_POW_20) * NS_PER_SEC + ns;
  const y = sH * NS_PER_SEC;
  const yHi = Math.floor(y / 4096);
  const z = (y - yHi * 4096) * TWO_POW_20 + low;
  const carry = Math.floor(z / TWO_POW_32);
  out.hi = yHi + carry;
  out.lo = z - carry * TWO_POW_32;
}

/** Writes a single-section pcapng file with nanosecond interfaces into memory. */
export class PcapngWriter {
  readonly byteOrder: ByteOrder;
  private readonly le: boolean;
  private readonly origin: SplitTime;
  private readonly sink = new ByteSink();
  private readonly split: SplitTime = { sec: 0, ns: 0 };
  private readonly snaplens: number[] = [];
  private readonly ts64 = { hi: 0, lo: 0 };
  private packets = 0;

  constructor(options: PcapngWriterOptions = {}) {
    this.byteOrder = options.byteOrder ?? 'le';
    this.le = this.byteOrder === 'le';
    this.origin = splitOrigin(options.timeOriginNs);
    const app = options.application ? utf8.encode(options.application) : null;
    if (app && app.length > 0xffff) throw new PacketError('unsupported', 'shb_userappl', 0, 'longer than 65535 octets');
    const totalBytes = 28 + (app ? optionBytes(app.length) + 4 : 0);
    const s = this.sink;
    s.ensure(totalBytes);
    s.u32(PCAPNG_SHB, this.le);
    s.u32(totalBytes, this.le);
    s.u32(PCAPNG_BYTE_ORDER_MAGIC, this.le);
    s.u16(1, this.le);
    s.u16(0, this.le);
    s.u32(0xffffffff, this.le); // section length -1: not given
    s.u32(0xffffffff, this.le);
    if (app) {
      this.option(SHB_USERAPPL, app);
      s.u32(0, this.le); // opt_endofopt
    }
    s.u32(totalBytes, this.le);
  }

  get packetCount(): number {
    return this.packets;
  }

  get interfaceCount(): number {
    return this.snaplens.length;
  }

  get lengthBytes(): number {
    return this.sink.lengthBytes;
  }

  /** Writes an IDB (if_tsresol = 9, i.e. ns) and returns its interface id for `writePacket`. */
  addInterface(options: PcapngInterfaceOptions): number {
    const linkType = options.linkType ?? LINKTYPE_ETHERNET;
    const snaplenBytes = options.snaplenBytes ?? DEFAULT_SNAPLEN_BYTES;
    const at = this.sink.lengthBytes;
    if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) {
      throw new PacketError('malformed', 'linktype', at + 8, `must be a 16-bit LINKTYPE, got ${linkType}`);
    }
    if (!Number.isInteger(snaplenBytes) || snaplenBytes < 1 || snaplenBytes > MAX_RECORD_BYTES) {
      throw new PacketError('unsupported', 'snaplen', at + 12, `must be 1..${MAX_RECORD_BYTES}, got ${snaplenBytes}`);
    }
    const name = utf8.encode(options.name);
    const description = options.description ? utf8.encode(options.description) : null;
    if (name.length > 0xffff || (description && description.length > 0xffff)) {
      throw new PacketError('unsupported', 'if_name', at + 16, 'option longer than 65535 octets');
    }
    const totalBytes =
      20 + optionBytes(name.length) + (description ? optionBytes(description.length) : 0) + optionBytes(1) + 4;
    const s = this.sink;
    s.ensure(totalBytes);
    s.u32(PCAPNG_IDB, this.le);
    s.u32(totalBytes, this.le);
    s.u16(linkType, this.le);
    s.u16(0, this.le);
    s.u32(snaplenBytes, this.le);
    this.option(IF_NAME, name);
    if (description) this.option(IF_DESCRIPTION, description);
    s.u16(IF_TSRESOL, this.le);
    s.u16(1, this.le);
    s.u8(9); // 10^-9 s
    s.zeros(3);
    s.u32(OPT_ENDOFOPT, this.le);
    s.u32(totalBytes, this.le);
    this.snaplens.push(snaplenBytes);
    return this.snaplens.length - 1;
  }

  /** Appends an EPB on `interfaceId`; frames longer than that interface's snaplen are cut. */
  writePacket(interfaceId: number, timestampNs: TimestampNs, frame: Uint8Array, options?: PcapngPacketOptions): void {
    const at = this.sink.lengthBytes;
    const snaplenBytes = this.snaplens[interfaceId];
    if (snaplenBytes === undefined) {
      throw new PacketError('invalid-state', 'interface id', at + 8, `interface ${interfaceId} was never added`);
    }
    splitTimestamp(timestampNs, this.origin, at, this.split);
    const { sec, ns } = this.split;
    if (sec > MAX_PCAPNG_SEC) throw new PacketError('unsupported', 'timestamp', at + 12, 'beyond 64-bit nanoseconds');
    splitNs64(sec, ns, this.ts64);
    const tsHi = this.ts64.hi;
    const tsLo = this.ts64.lo;
    const inclBytes = Math.min(frame.length, snaplenBytes);
    const origBytes = options?.originalLengthBytes ?? frame.length;
    if (!Number.isInteger(origBytes) || origBytes < inclBytes || origBytes > 0xffffffff) {
      throw new PacketError('malformed', 'original length', at + 24, `${origBytes} is below the ${inclBytes} captured octets`);
    }
    const comment = options?.comment ? utf8.encode(options.comment) : null;
    if (comment && comment.length > 0xffff) throw new PacketError('unsupported', 'opt_comment', at, 'longer than 65535 octets');
    const direction = options?.direction ?? 'unknown';
    const hasOptions = comment !== null || direction !== 'unknown';
    const optionsBytes = hasOptions ? (comment ? optionBytes(comment.length) : 0) + (direction !== 'unknown' ? 8 : 0) + 4 : 0;
    const padBytes = pad4(inclBytes);
    const totalBytes = 32 + inclBytes + padBytes + optionsBytes;
    const s = this.sink;
    s.ensure(totalBytes);
    s.u32(PCAPNG_EPB, this.le);
    s.u32(totalBytes, this.le);
    s.u32(interfaceId, this.le);
    s.u32(tsHi, this.le);
    s.u32(tsLo, this.le);
    s.u32(inclBytes, this.le);
    s.u32(origBytes, this.le);
    s.bytes(frame, 0, inclBytes);
    s.zeros(padBytes);
    if (hasOptions) {
      if (comment) this.option(OPT_COMMENT, comment);
      if (direction !== 'unknown') {
        s.u16(EPB_FLAGS, this.le);
        s.u16(4, this.le);
        s.u32(direction === 'in' ? 1 : 2, this.le);
      }
      s.u32(OPT_ENDOFOPT, this.le);
    }
    s.u32(totalBytes, this.le);
    this.packets++;
  }

  finish(): Uint8Array {
    return this.sink.toBytes();
  }

  chunks(): Uint8Array[] {
    return this.sink.chunks();
  }

  private option(code: number, value: Uint8Array): void {
    const s = this.sink;
    s.u16(code, this.le);
    s.u16(value.length, this.le);
    s.bytes(value);
    s.zeros(pad4(value.length));
  }
}

/* ---------------------------------------------------------------- pcapng reader */

export interface PcapngInterface {
  sectionIndex: number;
  linkType: number;
  snaplenBytes: number;
  name: string | null;
  description: string | null;
  /** if_tsresol: timestamp unit is base^-exponent seconds (default 10^-6). */
  tsResolution: { base: 10 | 2; exponent: number };
  /** if_tsoffset, seconds added to every timestamp. */
  tsOffsetSec: bigint;
}

export interface PcapngPacket {
  /** Index into `PcapngFile.interfaces` (all sections flattened). */
  interfaceIndex: number;
  timestampNs: bigint;
  capturedLengthBytes: number;
  originalLengthBytes: number;
  data: Uint8Array;
  comments: string[];
  direction: PacketDirection;
}

export interface PcapngFile {
  byteOrder: ByteOrder;
  sectionCount: number;
  application: string | null;
  interfaces: PcapngInterface[];
  packets: PcapngPacket[];
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Parses a pcapng file (any number of sections, either byte order). Unknown block types are skipped;
 * Simple/obsolete Packet Blocks are refused as unsupported rather than silently dropped.
 */
export function readPcapng(file: Uint8Array): PcapngFile {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  need(file, 0, 12, 'section header block');
  if (view.getUint32(0, true) !== PCAPNG_SHB) {
    throw new PacketError('malformed', 'block type', 0, 'a pcapng file starts with a Section Header Block');
  }
  const result: PcapngFile = { byteOrder: 'le', sectionCount: 0, application: null, interfaces: [], packets: [] };
  let le = true;
  let sectionFirstInterface = 0;
  let at = 0;
  while (at < file.length) {
    need(file, at, 12, 'block header');
    const typeLe = view.getUint32(at, true);
    if (typeLe === PCAPNG_SHB) {
      // The SHB type is a palindrome; its byte-order magic decides how to read everything in the section.
      const magicLe = view.getUint32(at + 8, true);
      if (magicLe === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (view.getUint32(at + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else throw new PacketError('malformed', 'byte-order magic', at + 8, `0x${magicLe.toString(16)} is not 0x1a2b3c4d`);
      if (result.sectionCount === 0) result.byteOrder = le ? 'le' : 'be';
    }
    const type = view.getUint32(at, le);
    const totalBytes = view.getUint32(at + 4, le);
    if (totalBytes < 12 || totalBytes % 4 !== 0) {
      throw new PacketError('malformed', 'block total length', at + 4, `${totalBytes} is not a multiple of 4 that is at least 12`);
    }
    need(file, at, totalBytes, `block at ${at}`);
    const trailer = view.getUint32(at + totalBytes - 4, le);
    if (trailer !== totalBytes) {
      throw new PacketError('malformed', 'block total length', at + totalBytes - 4, `trailing copy ${trailer} differs from ${totalBytes}`);
    }
    const bodyStart = at + 8;
    const bodyEnd = at + totalBytes - 4;
    switch (type) {
      case PCAPNG_SHB: {
        need(file.subarray(0, bodyEnd), bodyStart, 16, 'section header body');
        const major = view.getUint16(bodyStart + 4, le);
        if (major !== 1) throw new PacketError('unsupported', 'major version', bodyStart + 4, `pcapng ${major}`);
        result.sectionCount++;
        sectionFirstInterface = result.interfaces.length;
        readOptions(file, view, bodyStart + 16, bodyEnd, le, (code, value) => {
          if (code === SHB_USERAPPL && result.application === null) result.application = utf8Decoder.decode(value);
        });
        break;
      }
      case PCAPNG_IDB: {
        need(file.subarray(0, bodyEnd), bodyStart, 8, 'interface description body');
        const iface: PcapngInterface = {
          sectionIndex: result.sectionCount - 1,
          linkType: view.getUint16(bodyStart, le),
          snaplenBytes: view.getUint32(bodyStart + 4, le),
          name: null,
          description: null,
          tsResolution: { base: 10, exponent: 6 },
          tsOffsetSec: 0n,
        };
        readOptions(file, view, bodyStart + 8, bodyEnd, le, (code, value, valueAt) => {
          if (code === IF_NAME) iface.name = utf8Decoder.decode(value);
          else if (code === IF_DESCRIPTION) iface.description = utf8Decoder.decode(value);
          else if (code === IF_TSRESOL) {
            if (value.length !== 1) throw new PacketError('malformed', 'if_tsresol', valueAt, 'must be one octet');
            iface.tsResolution = { base: value[0] & 0x80 ? 2 : 10, exponent: value[0] & 0x7f };
          } else if (code === IF_TSOFFSET) {
            if (value.length !== 8) throw new PacketError('malformed', 'if_tsoffset', valueAt, 'must be eight octets');
            iface.tsOffsetSec = view.getBigInt64(valueAt, le);
          }
        });
        result.interfaces.push(iface);
        break;
      }
      case PCAPNG_EPB: {
        need(file.subarray(0, bodyEnd), bodyStart, 20, 'enhanced packet body');
        const interfaceId = view.getUint32(bodyStart, le);
        const interfaceIndex = sectionFirstInterface + interfaceId;
        const iface = result.interfaces[interfaceIndex];
        if (iface === undefined || iface.sectionIndex !== result.sectionCount - 1) {
          throw new PacketError('malformed', 'interface id', bodyStart, `no interface ${interfaceId} in this section`);
        }
        const ts = (BigInt(view.getUint32(bodyStart + 4, le)) << 32n) | BigInt(view.getUint32(bodyStart + 8, le));
        const capturedBytes = view.getUint32(bodyStart + 12, le);
        const originalBytes = view.getUint32(bodyStart + 16, le);
        const dataAt = bodyStart + 20;
        const paddedBytes = capturedBytes + pad4(capturedBytes);
        if (dataAt + paddedBytes > bodyEnd) {
          throw new PacketError('truncated', 'packet data', dataAt, `${capturedBytes} octets do not fit the block`);
        }
        const packet: PcapngPacket = {
          interfaceIndex,
          timestampNs: tsToNs(ts, iface),
          capturedLengthBytes: capturedBytes,
          originalLengthBytes: originalBytes,
          data: file.subarray(dataAt, dataAt + capturedBytes),
          comments: [],
          direction: 'unknown',
        };
        readOptions(file, view, dataAt + paddedBytes, bodyEnd, le, (code, value, valueAt) => {
          if (code === OPT_COMMENT) packet.comments.push(utf8Decoder.decode(value));
          else if (code === EPB_FLAGS) {
            if (value.length !== 4) throw new PacketError('malformed', 'epb_flags', valueAt, 'must be four octets');
            const bits = view.getUint32(valueAt, le) & 3;
            packet.direction = bits === 1 ? 'in' : bits === 2 ? 'out' : 'unknown';
          }
        });
        result.packets.push(packet);
        break;
      }
      case PCAPNG_SPB:
      case PCAPNG_OBSOLETE_PB:
        throw new PacketError('unsupported', 'block type', at, `block type ${type} (simple/obsolete packet block)`);
      default:
        break; // statistics, name resolution, custom, ...: nothing the app needs
    }
    at += totalBytes;
  }
  return result;
}

function tsToNs(ts: bigint, iface: PcapngInterface): bigint {
  const { base, exponent } = iface.tsResolution;
  const offsetNs = iface.tsOffsetSec * 1_000_000_000n;
  if (base === 10) {
    if (exponent <= 9) return ts * 10n ** BigInt(9 - exponent) + offsetNs;
    return ts / 10n ** BigInt(exponent - 9) + offsetNs;
  }
  return (ts * 1_000_000_000n) / (1n << BigInt(exponent)) + offsetNs;
}

/** Walks an option list in [start, end); stops at opt_endofopt or at the end of the body. */
function readOptions(
  file: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  le: boolean,
  onOption: (code: number, value: Uint8Array, valueAt: number) => void,
): void {
  let at = start;
  while (at + 4 <= end) {
    const code = view.getUint16(at, le);
    const lengthBytes = view.getUint16(at + 2, le);
    if (code === OPT_ENDOFOPT) return;
    const valueAt = at + 4;
    if (valueAt + lengthBytes > end) {
      throw new PacketError('truncated', 'option', at, `option ${code} of ${lengthBytes} octets overruns its block`);
    }
    onOption(code, file.subarray(valueAt, valueAt + lengthBytes), valueAt);
    at = valueAt + lengthBytes + pad4(lengthBytes);
  }
  if (at !== end) throw new PacketError('malformed', 'options', at, 'option list ends mid-word');
}

/* ---------------------------------------------------------------- either format */

export interface CapturedPacket {
  timestampNs: bigint;
  originalLengthBytes: number;
  data: Uint8Array;
  linkType: number;
  /** pcapng if_name; null for classic pcap or unnamed interfaces. */
  interfaceName: string | null;
  comments: string[];
  direction: PacketDirection;
}

export interface CaptureFile {
  format: 'pcap' | 'pcapng';
  packets: CapturedPacket[];
}

/** Opens a pcap or pcapng file, told apart by its first four octets; PacketError if it is neither. */
export function readCaptureFile(file: Uint8Array): CaptureFile {
  need(file, 0, 4, 'capture file magic');
  const first = new DataView(file.buffer, file.byteOffset, 4).getUint32(0, true);
  if (first === PCAPNG_SHB) {
    const ng = readPcapng(file);
    return {
      format: 'pcapng',
      packets: ng.packets.map((p) => {
        const iface = ng.interfaces[p.interfaceIndex];
        return {
          timestampNs: p.timestampNs,
          originalLengthBytes: p.originalLengthBytes,
          data: p.data,
          linkType: iface.linkType,
          interfaceName: iface.name,
          comments: p.comments,
          direction: p.direction,
        };
      }),
    };
  }
  const classic = readPcap(file);
  return {
    format: 'pcap',
    packets: classic.records.map((r) => ({
      timestampNs: r.timestampNs,
      originalLengthBytes: r.originalLengthBytes,
      data: r.data,
      linkType: classic.header.linkType,
      interfaceName: null,
      comments: [],
      direction: 'unknown' as const,
    })),
  };
}
