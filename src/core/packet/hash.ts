import { PacketError, need } from './errors';
import { IPPROTO_TCP, IPPROTO_UDP, type ParsedFrame } from './frame';
import { PktHashType, type Skb } from './skb';
import { VnetHashReport, type VnetHashReportValue } from './vnet';

/** Microsoft's published RSS verification key (40 octets), also the virtio/DPDK test key. */
export const MICROSOFT_RSS_KEY: Uint8Array = Uint8Array.of(
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
  0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
);

/** Linux's NETDEV_RSS_KEY_LEN: the key length the kernel fills at boot. */
export const LINUX_RSS_KEY_LENGTH_BYTES = 52;

function checkKey(key: Uint8Array): void {
  if (key.length < 4) throw new PacketError('malformed', 'rss key', 0, `key has ${key.length} octets, needs at least 4`);
}

function checkInputFits(key: Uint8Array, inputPosBytes: number, lengthBytes: number): void {
  const maxBytes = key.length - 4;
  if (inputPosBytes < 0 || inputPosBytes + lengthBytes > maxBytes) {
    throw new PacketError(
      'malformed',
      'toeplitz input',
      inputPosBytes,
      `input bytes ${inputPosBytes}..${inputPosBytes + lengthBytes} exceed the ${maxBytes} a ${key.length}-octet key covers`,
    );
  }
}

/** 32-bit key window starting at key bit `bit` (MSB of byte 0 is bit 0). */
function keyWindow(key: Uint8Array, bit: number): number {
  let w = 0;
  for (let i = 0; i < 32; i++) {
    const k = bit + i;
    const byte = k >>> 3 < key.length ? key[k >>> 3] : 0;
    w = (w << 1) | ((byte >>> (7 - (k & 7))) & 1);
  }
  return w >>> 0;
}

/**
 * Bit-serial Toeplitz hash (the reference algorithm of §7.1): for each set input bit i, XOR in the key's
 * 32-bit window starting at bit i. Slow; kept as the oracle for the table-driven hasher.
 */
export function toeplitzHash(key: Uint8Array, input: Uint8Array, offset: number, lengthBytes: number): number {
  checkKey(key);
  need(input, offset, lengthBytes, 'toeplitz input');
  checkInputFits(key, 0, lengthBytes);
  let result = 0;
  let window = ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
  for (let i = 0; i < lengthBytes; i++) {
    const b = input[offset + i];
    const nextKeyByte = key[i + 4];
    for (let bit = 7; bit >= 0; bit--) {
      if ((b >>> bit) & 1) result ^= window;
      window = ((window << 1) | ((nextKeyByte >>> bit) & 1)) >>> 0;
    }
  }
  return result >>> 0;
}

/**
 * Table-driven Toeplitz for one key. Toeplitz is linear over XOR, so the hash is the XOR of one
 * precomputed 32-bit value per input byte: table[pos * 256 + byte]. Input may also be hashed in pieces
 * placed at any input position (`hashAt`), which lets callers hash addresses and ports straight out of a
 * frame without assembling the tuple.
 */
export class ToeplitzHasher {
  readonly key: Uint8Array;
  /** Longest input this key covers: key length − 4 octets. */
  readonly maxInputBytes: number;
  /** Flattened [position][byte] → partial hash. */
  readonly table: Uint32Array;

  constructor(key: Uint8Array = MICROSOFT_RSS_KEY) {
    checkKey(key);
    this.key = Uint8Array.from(key);
    this.maxInputBytes = key.length - 4;
    const table = new Uint32Array(this.maxInputBytes * 256);
    for (let pos = 0; pos < this.maxInputBytes; pos++) {
      const bitWindows = new Uint32Array(8);
      for (let bit = 0; bit < 8; bit++) bitWindows[bit] = keyWindow(key, pos * 8 + bit);
      const base = pos << 8;
      for (let b = 1; b < 256; b++) {
        // b's highest set bit is input bit (7 - msb) of this byte; the rest was already computed.
        const msb = 31 - Math.clz32(b);
        table[base + b] = table[base + (b ^ (1 << msb))] ^ bitWindows[7 - msb];
      }
    }
    this.table = table;
  }

  /** Hash of `lengthBytes` octets of `input` from `offset`, as a tuple starting at input position 0. */
  hash(input: Uint8Array, offset: number, lengthBytes: number): number {
    return this.hashAt(input, offset, lengthBytes, 0);
  }

  /** Contribution of `lengthBytes` octets placed at tuple position `inputPosBytes`; XOR pieces together. */
  hashAt(input: Uint8Array, offset: number, lengthBytes: number, inputPosBytes: number): number {
    if (offset < 0 || offset + lengthBytes > input.length) need(input, offset, lengthBytes, 'toeplitz input');
    if (inputPosBytes < 0 || inputPosBytes + lengthBytes > this.maxInputBytes) {
      checkInputFits(this.key, inputPosBytes, lengthBytes);
    }
    const t = this.table;
    let h = 0;
    let idx = inputPosBytes << 8;
    for (let i = 0; i < lengthBytes; i++, idx += 256) h ^= t[idx | input[offset + i]];
    return h >>> 0;
  }

  /**
   * IPv4 hash straight from a frame: addresses at l3Offset+12..+20; ports at l4Offset..+4 when l4Offset ≥ 0
   * (4-tuple), else the 2-tuple. Offsets must have been validated by the parser.
   */
  hashIpv4(frame: Uint8Array, l3Offset: number, l4Offset: number): number {
    const addrs = this.hashAt(frame, l3Offset + 12, 8, 0);
    return l4Offset < 0 ? addrs : (addrs ^ this.hashAt(frame, l4Offset, 4, 8)) >>> 0;
  }

  /** IPv6 hash from a frame: addresses at l3Offset+8..+40 (32 octets), ports as for IPv4 at position 32. */
  hashIpv6(frame: Uint8Array, l3Offset: number, l4Offset: number): number {
    const addrs = this.hashAt(frame, l3Offset + 8, 32, 0);
    return l4Offset < 0 ? addrs : (addrs ^ this.hashAt(frame, l4Offset, 4, 32)) >>> 0;
  }
}

/** Linux ethtool_rxfh_indir_default table size used by most drivers and virtio_net. */
export const DEFAULT_INDIRECTION_TABLE_SIZE = 128;

/** RSS indirection table: queue = entries[hash & (size − 1)]; size is a power of two (§7.3). */
export class IndirectionTable {
  readonly entries: Uint16Array;
  readonly mask: number;

  constructor(entries: ArrayLike<number>) {
    const size = entries.length;
    if (size === 0 || (size & (size - 1)) !== 0 || size > 65536) {
      throw new PacketError('malformed', 'indirection table', 0, `size ${size} is not a power of two in 1..65536`);
    }
    for (let i = 0; i < size; i++) {
      const q = entries[i];
      if (!Number.isInteger(q) || q < 0 || q > 0xffff) {
        throw new PacketError('malformed', 'indirection table', i, `entry ${q} is not a queue index in 0..65535`);
      }
    }
    this.entries = Uint16Array.from(entries);
    this.mask = size - 1;
  }

  /** ethtool_rxfh_indir_default: entry i → queue i mod queueCount. */
  static defaultSpread(queueCount: number, size: number = DEFAULT_INDIRECTION_TABLE_SIZE): IndirectionTable {
    if (!Number.isInteger(queueCount) || queueCount < 1 || queueCount > 65536) {
      throw new PacketError('malformed', 'queue count', 0, `${queueCount} is not in 1..65536`);
    }
    if (!Number.isInteger(size) || size < 1 || size > 65536) {
      throw new PacketError('malformed', 'indirection table', 0, `size ${size} is not a power of two in 1..65536`);
    }
    const e = new Uint16Array(size);
    for (let i = 0; i < size; i++) e[i] = i % queueCount;
    return new IndirectionTable(e);
  }

  queueFor(hash: number): number {
    return this.entries[hash & this.mask];
  }
}

/** Linux reciprocal_scale: maps a 32-bit hash onto [0, n) by its upper bits ((hash × n) >> 32). */
export function reciprocalScale(hash: number, n: number): number {
  // hash < 2^32 and n < 2^21 keep the product exact in a double.
  return Math.floor(((hash >>> 0) * n) / 4294967296);
}

const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Linux jhash2 (Bob Jenkins' lookup3 hashword) over `lengthWords` 32-bit words from `words[0]`.
 * Returns an unsigned 32-bit value.
 */
export function jhash2(words: Uint32Array, lengthWords: number, initval: number): number {
  let a = (JHASH_INITVAL + (lengthWords << 2) + initval) | 0;
  let b = a;
  let c = a;
  let k = 0;
  let len = lengthWords;
  while (len > 3) {
    a = (a + words[k]) | 0;
    b = (b + words[k + 1]) | 0;
    c = (c + words[k + 2]) | 0;
    a = (a - c) | 0; a ^= rol32(c, 4); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 6); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 8); b = (b + a) | 0;
    a = (a - c) | 0; a ^= rol32(c, 16); c = (c + b) | 0;
    b = (b - a) | 0; b ^= rol32(a, 19); a = (a + c) | 0;
    c = (c - b) | 0; c ^= rol32(b, 4); b = (b + a) | 0;
    len -= 3;
    k += 3;
  }
  if (len === 0) return c >>> 0;
  if (len === 3) c = (c + words[k + 2]) | 0;
  if (len >= 2) b = (b + words[k + 1]) | 0;
  a = (a + words[k]) | 0;
  c ^= b; c = (c - rol32(b, 14)) | 0;
  a ^= c; a = (a - rol32(c, 11)) | 0;
  b ^= a; b = (b - rol32(a, 25)) | 0;
  c ^= b; c = (c - rol32(b, 16)) | 0;
  a ^= c; a = (a - rol32(c, 4)) | 0;
  b ^= a; b = (b - rol32(a, 14)) | 0;
  c ^= b; c = (c - rol32(b, 24)) | 0;
  return c >>> 0;
}

const IPPROTO_SCTP = 132;
const IPPROTO_UDPLITE = 136;
const flowWords = new Uint32Array(11);

function be32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/**
 * Linux's software flow hash (`__skb_get_hash`) modelled as a seeded jhash2 over the dissected flow
 * keys: protocol, ports (TCP/UDP/UDP-Lite/SCTP only), addresses. Keys are made direction-independent
 * first as newer kernels do (addresses and ports each ordered low-first), and 0 becomes 1. Linux today
 * uses SipHash with a per-boot secret, so the exact value is opaque there too; only its properties
 * (deterministic per seed, symmetric, spread) are modelled.
 *
 * `l3Offset` points at an IPv4 or IPv6 header (version nibble decides), `l4Offset` at the transport header
 * or −1, `ipProto` is the final transport protocol the parser found (after IPv6 extension headers).
 */
export function softwareFlowHash(
  frame: Uint8Array,
  l3Offset: number,
  l4Offset: number,
  ipProto: number,
  seed: number,
): number {
  need(frame, l3Offset, 1, 'ip version');
  const version = frame[l3Offset] >>> 4;
  const hasPorts =
    l4Offset >= 0 &&
    (ipProto === IPPROTO_TCP || ipProto === IPPROTO_UDP || ipProto === IPPROTO_SCTP || ipProto === IPPROTO_UDPLITE);
  let srcPort = 0;
  let dstPort = 0;
  if (hasPorts) {
    need(frame, l4Offset, 4, 'l4 ports');
    srcPort = (frame[l4Offset] << 8) | frame[l4Offset + 1];
    dstPort = (frame[l4Offset + 2] << 8) | frame[l4Offset + 3];
    if (dstPort < srcPort) {
      const t = srcPort;
      srcPort = dstPort;
      dstPort = t;
    }
  }
  const w = flowWords;
  let n: number;
  if (version === 4) {
    need(frame, l3Offset, 20, 'ipv4 header');
    let src = be32(frame, l3Offset + 12);
    let dst = be32(frame, l3Offset + 16);
    if (dst < src) {
      const t = src;
      src = dst;
      dst = t;
    }
    w[0] = (0x0800 << 16) | (ipProto << 8);
    w[1] = src;
    w[2] = dst;
    n = 3;
  } else if (version === 6) {
    need(frame, l3Offset, 40, 'ipv6 header');
    const s = l3Offset + 8;
    const d = l3Offset + 24;
    let cmp = 0;
    for (let i = 0; i < 16 && cmp === 0; i++) cmp = frame[d + i] - frame[s + i];
    const lo = cmp < 0 ? d : s;
    const hi = cmp < 0 ? s : d;
    w[0] = ((0x86dd << 16) | (ipProto << 8)) >>> 0;
    for (let i = 0; i < 4; i++) {
      w[1 + i] = be32(frame, lo + 4 * i);
      w[5 + i] = be32(frame, hi + 4 * i);
    }
    n = 9;
  } else {
    throw new PacketError('unsupported', 'ip version', l3Offset, `version ${version} is neither 4 nor 6`);
  }
  w[n++] = ((srcPort << 16) | dstPort) >>> 0;
  const h = jhash2(w, n, seed | 0);
  return h === 0 ? 1 : h;
}

// ---------------------------------------------------------------------------------------------
// RSS over parsed frames (§7.1, virtio "hash calculation for incoming packets")

/** VIRTIO_NET_RSS_HASH_TYPE_* bits (also what `ethtool -N rx-flow-hash` toggles, per protocol). */
export const RssHashType = {
  IPV4: 1 << 0,
  TCPV4: 1 << 1,
  UDPV4: 1 << 2,
  IPV6: 1 << 3,
  TCPV6: 1 << 4,
  UDPV6: 1 << 5,
  IP_EX: 1 << 6,
  TCP_EX: 1 << 7,
  UDP_EX: 1 << 8,
} as const;

/** What virtio_net enables by default: every supported type except the _EX ones. */
export const RSS_HASH_TYPES_LINUX_DEFAULT =
  RssHashType.IPV4 | RssHashType.TCPV4 | RssHashType.UDPV4 | RssHashType.IPV6 | RssHashType.TCPV6 | RssHashType.UDPV6;

export interface RssResult {
  hash: number;
  /** VnetHashReport: NONE when no enabled type applies (packet goes to the unclassified queue). */
  report: VnetHashReportValue;
}

export function createRssResult(): RssResult {
  return { hash: 0, report: VnetHashReport.NONE };
}

/**
 * RSS hash of a parsed frame under the enabled `hashTypes` (virtio spec order): the 4-tuple if the
 * frame has the enabled L4 header (never for IPv4 fragments), else the 2-tuple if the IP type is
 * enabled, else no hash. IPv6 extension headers are not modelled, so an _EX type hashes the plain
 * addresses (the spec's fallback when no Home Address / type-2 Routing header is present) and reports _EX.
 * Writes into `out` (no allocation).
 */
export function rssHashFrame(
  hasher: ToeplitzHasher,
  buf: Uint8Array,
  frame: ParsedFrame,
  hashTypes: number,
  out: RssResult = createRssResult(),
): RssResult {
  const tcp = frame.l4Proto === IPPROTO_TCP && frame.tcp !== null;
  const udp = frame.l4Proto === IPPROTO_UDP && frame.udp !== null;
  let report: VnetHashReportValue = VnetHashReport.NONE;
  let withPorts = false;
  if (frame.ipVersion === 4) {
    if (tcp && !frame.isFragment && hashTypes & RssHashType.TCPV4) {
      report = VnetHashReport.TCPV4;
      withPorts = true;
    } else if (udp && !frame.isFragment && hashTypes & RssHashType.UDPV4) {
      report = VnetHashReport.UDPV4;
      withPorts = true;
    } else if (hashTypes & RssHashType.IPV4) {
      report = VnetHashReport.IPV4;
    }
  } else {
    if (tcp && hashTypes & RssHashType.TCP_EX) report = VnetHashReport.TCPV6_EX;
    else if (tcp && hashTypes & RssHashType.TCPV6) report = VnetHashReport.TCPV6;
    else if (udp && hashTypes & RssHashType.UDP_EX) report = VnetHashReport.UDPV6_EX;
    else if (udp && hashTypes & RssHashType.UDPV6) report = VnetHashReport.UDPV6;
    withPorts = report !== VnetHashReport.NONE;
    if (!withPorts) {
      if (hashTypes & RssHashType.IP_EX) report = VnetHashReport.IPV6_EX;
      else if (hashTypes & RssHashType.IPV6) report = VnetHashReport.IPV6;
    }
  }
  out.report = report;
  if (report === VnetHashReport.NONE) {
    out.hash = 0;
    return out;
  }
  const l4 = withPorts ? frame.l4Offset : -1;
  out.hash = frame.ipVersion === 4 ? hasher.hashIpv4(buf, frame.l3Offset, l4) : hasher.hashIpv6(buf, frame.l3Offset, l4);
  return out;
}

/**
 * The Toeplitz input bytes from raw offsets (for display and cross-checks): source address ‖
 * destination address ‖ (source port ‖ destination port when l4Offset ≥ 0).
 */
export function buildRssInput(
  buf: Uint8Array,
  srcAddrOffset: number,
  dstAddrOffset: number,
  addrLengthBytes: 4 | 16,
  l4Offset: number,
): Uint8Array {
  need(buf, srcAddrOffset, addrLengthBytes, 'source address');
  need(buf, dstAddrOffset, addrLengthBytes, 'destination address');
  const ports = l4Offset >= 0 ? 4 : 0;
  if (ports) need(buf, l4Offset, 4, 'l4 ports');
  const out = new Uint8Array(2 * addrLengthBytes + ports);
  out.set(buf.subarray(srcAddrOffset, srcAddrOffset + addrLengthBytes), 0);
  out.set(buf.subarray(dstAddrOffset, dstAddrOffset + addrLengthBytes), addrLengthBytes);
  if (ports) out.set(buf.subarray(l4Offset, l4Offset + 4), 2 * addrLengthBytes);
  return out;
}

/** Toeplitz input of a parsed frame: 2-tuple, or 4-tuple when `withPorts` and the frame has TCP/UDP ports. */
export function rssInputForFrame(buf: Uint8Array, frame: ParsedFrame, withPorts: boolean): Uint8Array {
  const hasPorts = withPorts && (frame.tcp !== null || frame.udp !== null);
  return buildRssInput(buf, frame.srcAddrOffset, frame.dstAddrOffset, frame.addrLengthBytes === 16 ? 16 : 4, hasPorts ? frame.l4Offset : -1);
}

/** Receive queue for an RSS result: the indirection table, or `unclassifiedQueue` when nothing was hashed. */
export function rssQueue(result: RssResult, table: IndirectionTable, unclassifiedQueue: number): number {
  return result.report === VnetHashReport.NONE ? unclassifiedQueue : table.queueFor(result.hash);
}

// ---------------------------------------------------------------------------------------------
// skb_get_hash / skb_tx_hash (§7.4, §7.3)

/**
 * skb_get_hash: a device-supplied hash (RSS, vnet hash report) is used as is; otherwise the software
 * flow hash is computed with `seed`, stored in the skb (sw_hash, L4 when ports were hashed) and returned.
 */
export function skbGetHash(skb: Skb, buf: Uint8Array, frame: ParsedFrame, seed: number): number {
  if (skb.hashType !== PktHashType.NONE) return skb.hash;
  const hasPorts = !frame.isFragment && (frame.tcp !== null || frame.udp !== null);
  const h = softwareFlowHash(buf, frame.l3Offset, hasPorts ? frame.l4Offset : -1, frame.l4Proto, seed);
  skb.hash = h;
  skb.hashType = hasPorts ? PktHashType.L4 : PktHashType.L3;
  skb.swHash = true;
  return h;
}

/**
 * skb_tx_hash without XPS: a forwarded skb with a recorded receive queue keeps that queue (mod the
 * count); otherwise reciprocal_scale(skb_get_hash, queueCount).
 */
export function skbTxQueue(skb: Skb, buf: Uint8Array, frame: ParsedFrame, seed: number, queueCount: number): number {
  if (!Number.isInteger(queueCount) || queueCount < 1) {
    throw new PacketError('malformed', 'queue count', 0, `${queueCount} is not a positive integer`);
  }
  if (skb.rxQueue >= 0) return skb.rxQueue % queueCount;
  return reciprocalScale(skbGetHash(skb, buf, frame, seed), queueCount);
}
