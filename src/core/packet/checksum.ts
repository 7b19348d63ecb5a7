/**
 * Internet checksum (RFC 1071), incremental update (RFC 1624) and the CHECKSUM_PARTIAL contract.
 *
 * Sums are the kernel's `__wsum`: an unfolded 32-bit one's-complement accumulator (unsigned number), whose
 * 16-bit fold is the sum of the covered octets taken as big-endian words. Only the fold is meaningful;
 * two sums over the same octets may differ before folding.
 */
import { PacketError } from './errors';
import type { ParsedFrame } from './frame';
import type { Skb } from './skb';

/** Every JS engine we target is little-endian; checked once so the Uint32Array fast path stays honest. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Below this many bytes the unrolled byte-pair loop wins even when the word view is cached. */
const WORD_PATH_MIN_BYTES = 128;
/** A new Uint32Array view costs ~50–100 ns: only worth creating for regions at least this long... */
const NEW_VIEW_MIN_BYTES = 512;
/** ...or when the backing buffer is big enough to be a slab shared by many frames. */
const SHARED_BUFFER_MIN_BYTES = 64 * 1024;

/**
 * 8-word iterations per chunk: each of the four double accumulators gains < 2^33 per iteration, so
 * 2^17 iterations keep each below 2^50 and their total exact. One chunk covers 4 MiB.
 */
const ITERATIONS_PER_CHUNK = 1 << 17;

/** `x` a non-negative integer below 2^53 → congruent value in [0, 2^32) with end-around carry at bit 32. */
function reduceTo32(x: number): number {
  if (x <= 0xffffffff) return x;
  const hi = Math.floor(x / 4294967296);
  let r = (x >>> 0) + hi;
  if (r > 0xffffffff) r -= 0xffffffff;
  return r;
}

/**
 * Bounds check for a byte region that, unlike errors.need, also rejects NaN and fractional offsets
 * (which would otherwise index as `undefined` and sum silently to garbage).
 */
export function checkRegion(buf: Uint8Array, offset: number, length: number, field: string): void {
  if ((offset | 0) !== offset || (length | 0) !== length || offset < 0 || length < 0 || offset + length > buf.length) {
    throw new PacketError('truncated', field, Number.isFinite(offset) ? Math.max(0, Math.trunc(offset)) : 0, `region [${offset}, +${length}) outside a ${buf.length}-byte buffer`);
  }
}

/** One's-complement add of two __wsum values (kernel csum_add). */
export function csumAdd(a: number, b: number): number {
  let r = (a >>> 0) + (b >>> 0);
  if (r > 0xffffffff) r -= 0xffffffff;
  return r;
}

/** One's-complement subtract (kernel csum_sub): a + ~b. */
export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** Fold a __wsum to 16 bits with end-around carry, NOT complemented (= ~csum_fold). */
export function foldSum(sum: number): number {
  let s = (sum & 0xffff) + (sum >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}

/** Kernel csum_fold: the complemented fold, i.e. the value a checksum field holds. */
export function csumFold(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

function swap16(x: number): number {
  return ((x & 0xff) << 8) | (x >>> 8);
}

/** Byte-pair sum of [start, end) where `firstHigh` says whether buf[start] is the high byte of its word. */
function byteSum(buf: Uint8Array, start: number, end: number, firstHigh: boolean): number {
  let acc = 0;
  let i = start;
  if (!firstHigh && i < end) acc += buf[i++];
  const pairEnd = end - ((end - i) & 1);
  for (; i < pairEnd; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  if (i < end) acc += buf[i] << 8;
  return acc;
}

/** Big-endian word sum of [start, end) starting on a high byte, unrolled ×8 bytes, two accumulators. */
function pairSum(buf: Uint8Array, start: number, end: number): number {
  let a = 0;
  let b = 0;
  let i = start;
  const unrolledEnd = end - ((end - i) & 7);
  for (; i < unrolledEnd; i += 8) {
    a += ((buf[i] << 8) | buf[i + 1]) + ((buf[i + 4] << 8) | buf[i + 5]);
    b += ((buf[i + 2] << 8) | buf[i + 3]) + ((buf[i + 6] << 8) | buf[i + 7]);
  }
  const pairEnd = end - ((end - i) & 1);
  for (; i < pairEnd; i += 2) a += (buf[i] << 8) | buf[i + 1];
  if (i < end) a += buf[i] << 8;
  return a + b;
}

/**
 * Sum of aligned little-endian 32-bit words, folded to 16 bits: the LE-word sum (byte-swapped relative to
 * the big-endian sum). 32-bit words are added whole in four exact double accumulators (independent
 * dependency chains); since 2^16 ≡ 1 mod 0xFFFF, the fold of the u32 total equals the 16-bit word sum.
 */
function wordSumLe(words: Uint32Array, start: number, end: number): number {
  let total = 0;
  let i = start;
  while (i < end) {
    const stop = end - i > ITERATIONS_PER_CHUNK * 8 ? i + ITERATIONS_PER_CHUNK * 8 : end;
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    const unrolledStop = stop - ((stop - i) & 7);
    for (; i < unrolledStop; i += 8) {
      a += words[i] + words[i + 4];
      b += words[i + 1] + words[i + 5];
      c += words[i + 2] + words[i + 6];
      d += words[i + 3] + words[i + 7];
    }
    for (; i < stop; i++) a += words[i];
    total = reduceTo32(total + a + b + c + d);
  }
  return foldSum(total);
}

/** One-entry cache of a word view over the last ArrayBuffer seen (frames usually come from one pool). */
let cachedBuffer: ArrayBufferLike | null = null;
let cachedWords: Uint32Array = new Uint32Array(0);

/** Same contract as csumPartial; registered by an optional accelerated implementation (wasm/). */
export type ChecksumKernel = (buf: Uint8Array, offset: number, length: number, sum: number) => number;

let largeKernel: ChecksumKernel | null = null;
let largeKernelMinBytes = Infinity;

/**
 * Route regions of at least `minBytes` to `kernel` (null restores pure JS). Kernels must give exactly the
 * csumPartial result (the sums are exact integers, so determinism does not depend on which one ran).
 */
export function setLargeChecksumKernel(kernel: ChecksumKernel | null, minBytes = 1024): void {
  largeKernel = kernel;
  largeKernelMinBytes = kernel ? minBytes : Infinity;
}

/**
 * RFC 1071 accumulate of buf[offset, offset+length) onto `sum` (kernel csum_partial). The region's first
 * octet is always the high byte of its first word, whatever the offset's alignment in memory.
 */
export function csumPartial(buf: Uint8Array, offset: number, length: number, sum: number): number {
  if (length >= largeKernelMinBytes && largeKernel !== null) return largeKernel(buf, offset, length, sum);
  return csumPartialJs(buf, offset, length, sum);
}

/** The pure-JS csumPartial: unrolled byte pairs for short regions, 32-bit word view for long ones. */
export function csumPartialJs(buf: Uint8Array, offset: number, length: number, sum: number): number {
  if ((offset | 0) !== offset || (length | 0) !== length || offset < 0 || length < 0 || offset + length > buf.length) {
    checkRegion(buf, offset, length, 'checksum region');
  }
  const end = offset + length;
  if (length < WORD_PATH_MIN_BYTES || !HOST_LITTLE_ENDIAN) return csumAdd(sum, reduceTo32(pairSum(buf, offset, end)));
  const abs = buf.byteOffset + offset;
  const head = (4 - (abs & 3)) & 3;
  const firstWord = (abs + head) >>> 2;
  const wordCount = (length - head) >>> 2;
  let words = cachedWords;
  if (buf.buffer !== cachedBuffer || words.length < firstWord + wordCount) {
    const buffer = buf.buffer;
    // A large backing buffer is a slab or arena shared by many frames: its view will be reused.
    if (length < NEW_VIEW_MIN_BYTES && buffer.byteLength < SHARED_BUFFER_MIN_BYTES) {
      return csumAdd(sum, reduceTo32(pairSum(buf, offset, end)));
    }
    words = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    cachedBuffer = buffer;
    cachedWords = words;
  }
  const bodyStart = offset + head;
  const bodyEnd = bodyStart + wordCount * 4;
  // An odd head shifts the body by one byte: its LE-word sum is then already in big-endian position.
  const headOdd = (head & 1) === 1;
  let acc = byteSum(buf, offset, bodyStart, true);
  const bodyLe = wordSumLe(words, firstWord, firstWord + wordCount);
  acc += headOdd ? bodyLe : swap16(bodyLe);
  acc += byteSum(buf, bodyEnd, end, !headOdd);
  return csumAdd(sum, reduceTo32(acc));
}

/**
 * Straightforward RFC 1071 checksum (complemented fold): big-endian byte pairs added in one wide
 * accumulator (exact below 2^53, i.e. for any buffer under 2^37 bytes), folded once at the end.
 * The reference the fast path is tested and benchmarked against.
 */
export function naiveChecksum(buf: Uint8Array, offset: number, length: number): number {
  checkRegion(buf, offset, length, 'checksum region');
  let acc = 0;
  const end = offset + length;
  let i = offset;
  for (; i + 1 < end; i += 2) acc += buf[i] * 256 + buf[i + 1];
  if (i < end) acc += buf[i] * 256;
  while (acc > 0xffff) acc = (acc % 65536) + Math.floor(acc / 65536);
  return ~acc & 0xffff;
}

/** Final checksum field value over a region (complemented fold of its sum). */
export function internetChecksum(buf: Uint8Array, offset: number, length: number): number {
  return csumFold(csumPartial(buf, offset, length, 0));
}

/** IPv4 TCP/UDP pseudo-header sum (saddr, daddr, zero, proto, L4 length) read from the IPv4 header in buf. */
export function pseudoHeaderSumV4(buf: Uint8Array, ipOffset: number, proto: number, l4LengthBytes: number): number {
  checkRegion(buf, ipOffset + 12, 8, 'ipv4 addresses');
  const o = ipOffset + 12;
  let acc = ((buf[o] << 8) | buf[o + 1]) + ((buf[o + 2] << 8) | buf[o + 3]);
  acc += ((buf[o + 4] << 8) | buf[o + 5]) + ((buf[o + 6] << 8) | buf[o + 7]);
  acc += (proto & 0xff) + (l4LengthBytes & 0xffff) + Math.floor(l4LengthBytes / 65536);
  return reduceTo32(acc);
}

/** IPv6 pseudo-header sum (saddr, daddr, 32-bit upper-layer length, next header) read from the IPv6 header. */
export function pseudoHeaderSumV6(buf: Uint8Array, ipOffset: number, nextHeader: number, l4LengthBytes: number): number {
  checkRegion(buf, ipOffset + 8, 32, 'ipv6 addresses');
  let acc = 0;
  const end = ipOffset + 40;
  for (let i = ipOffset + 8; i < end; i += 2) acc += (buf[i] << 8) | buf[i + 1];
  const len32 = l4LengthBytes >>> 0;
  acc += (len32 >>> 16) + (len32 & 0xffff) + (nextHeader & 0xff);
  return reduceTo32(acc);
}

/** IPv4 header checksum as it should be stored, computed as if the field (bytes 10–11) were zero. */
export function ipv4HeaderChecksum(buf: Uint8Array, ipOffset: number): number {
  checkRegion(buf, ipOffset, 20, 'ipv4 header');
  const ihlBytes = (buf[ipOffset] & 0x0f) * 4;
  if (ihlBytes < 20) throw new PacketError('malformed', 'ipv4 ihl', ipOffset, `IHL ${ihlBytes / 4} < 5`);
  checkRegion(buf, ipOffset, ihlBytes, 'ipv4 header');
  const field = (buf[ipOffset + 10] << 8) | buf[ipOffset + 11];
  const sum = csumSub(csumPartial(buf, ipOffset, ihlBytes, 0), field);
  return csumFold(sum);
}

/** ip_rcv's header check (never offloaded in Linux): the header, field included, folds to 0xFFFF. */
export function verifyIpv4HeaderChecksum(buf: Uint8Array, ipOffset: number): boolean {
  checkRegion(buf, ipOffset, 20, 'ipv4 header');
  const ihlBytes = (buf[ipOffset] & 0x0f) * 4;
  if (ihlBytes < 20) throw new PacketError('malformed', 'ipv4 ihl', ipOffset, `IHL ${ihlBytes / 4} < 5`);
  checkRegion(buf, ipOffset, ihlBytes, 'ipv4 header');
  return foldSum(csumPartial(buf, ipOffset, ihlBytes, 0)) === 0xffff;
}

/** Recompute and store the IPv4 header checksum; returns the stored value. */
export function writeIpv4HeaderChecksum(buf: Uint8Array, ipOffset: number): number {
  const check = ipv4HeaderChecksum(buf, ipOffset);
  buf[ipOffset + 10] = check >>> 8;
  buf[ipOffset + 11] = check & 0xff;
  return check;
}

/** RFC 1624 eqn 3: HC' = ~(~HC + ~m + m') with end-around carry; all 16-bit. */
export function csumReplace16(check: number, oldWord: number, newWord: number): number {
  const s = (~check & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~foldSum(s) & 0xffff;
}

/** RFC 1624 eqn 3 for a 32-bit field (e.g. an IPv4 address): both halves replaced at once. */
export function csumReplace32(check: number, oldValue: number, newValue: number): number {
  const o = oldValue >>> 0;
  const n = newValue >>> 0;
  const s = (~check & 0xffff) + (~(o >>> 16) & 0xffff) + (~o & 0xffff) + (n >>> 16) + (n & 0xffff);
  return ~foldSum(s) & 0xffff;
}

/**
 * Same update for a field that holds an UN-complemented fold (a CHECKSUM_PARTIAL pseudo-header value):
 * F' = fold(F + ~m + m'). Used when a pseudo-header input (address, length) changes under PARTIAL.
 */
export function partialFieldReplace16(field: number, oldWord: number, newWord: number): number {
  return ~csumReplace16(~field & 0xffff, oldWord, newWord) & 0xffff;
}

export function partialFieldReplace32(field: number, oldValue: number, newValue: number): number {
  return ~csumReplace32(~field & 0xffff, oldValue, newValue) & 0xffff;
}

/** Offset of the L4 checksum field inside the L4 header: 16 for TCP, 6 for UDP. */
export function l4ChecksumFieldOffset(proto: number): number {
  if (proto === 6) return 16;
  if (proto === 17) return 6;
  throw new PacketError('unsupported', 'l4 protocol', 0, `no Internet checksum field for protocol ${proto}`);
}

/** Pseudo-header sum for the IP header at `ipOffset` (version read from the header). */
function pseudoSumAt(buf: Uint8Array, ipOffset: number, proto: number, l4LengthBytes: number): number {
  checkRegion(buf, ipOffset, 1, 'ip version');
  const version = buf[ipOffset] >>> 4;
  if (version === 4) return pseudoHeaderSumV4(buf, ipOffset, proto, l4LengthBytes);
  if (version === 6) return pseudoHeaderSumV6(buf, ipOffset, proto, l4LengthBytes);
  throw new PacketError('unsupported', 'ip version', ipOffset, `version ${version}`);
}

/** L4 protocol and L4 length (from the IP header's own length field) for the IP header at `ipOffset`. */
function l4FromIpHeader(buf: Uint8Array, ipOffset: number, l4Offset: number): { proto: number; l4LengthBytes: number } {
  checkRegion(buf, ipOffset, 1, 'ip version');
  const version = buf[ipOffset] >>> 4;
  if (version === 4) {
    checkRegion(buf, ipOffset, 20, 'ipv4 header');
    const totalLength = (buf[ipOffset + 2] << 8) | buf[ipOffset + 3];
    return { proto: buf[ipOffset + 9], l4LengthBytes: ipOffset + totalLength - l4Offset };
  }
  if (version === 6) {
    checkRegion(buf, ipOffset, 40, 'ipv6 header');
    const payloadLength = (buf[ipOffset + 4] << 8) | buf[ipOffset + 5];
    return { proto: buf[ipOffset + 6], l4LengthBytes: ipOffset + 40 + payloadLength - l4Offset };
  }
  throw new PacketError('unsupported', 'ip version', ipOffset, `version ${version}`);
}

/**
 * Prepare a CHECKSUM_PARTIAL frame as the stack does (§2.2): the L4 checksum field at
 * skb.csumStart + skb.csumOffset gets fold(pseudo-header sum) — the UN-complemented value,
 * `~csum_tcpudp_magic(...)`. L4 length comes from the IP header at skb.networkHeader.
 * Sets skb.ipSummed = PARTIAL. Returns the stored field value.
 */
export function writePartialL4Checksum(buf: Uint8Array, skb: Skb): number {
  const { proto, l4LengthBytes } = l4FromIpHeader(buf, skb.networkHeader, skb.csumStart);
  if (l4LengthBytes < 0) {
    throw new PacketError('invalid-state', 'csum_start', skb.csumStart, 'lies beyond the IP packet');
  }
  const fieldAt = skb.csumStart + skb.csumOffset;
  checkRegion(buf, fieldAt, 2, 'l4 checksum field');
  const field = foldSum(pseudoSumAt(buf, skb.networkHeader, proto, l4LengthBytes));
  buf[fieldAt] = field >>> 8;
  buf[fieldAt + 1] = field & 0xff;
  skb.ipSummed = 3;
  return field;
}

/**
 * Software completion of a CHECKSUM_PARTIAL frame (kernel skb_checksum_help): sum from csumStart to
 * `endOffset` (the field's pseudo-header value included), fold, complement, store at
 * csumStart + csumOffset. A 0x0000 result is stored as 0xFFFF (CSUM_MANGLED_0) as Linux does for every
 * checksum it finishes. Returns the stored value.
 */
export function finishPartialChecksum(buf: Uint8Array, csumStart: number, csumOffset: number, endOffset = buf.length): number {
  if (!Number.isInteger(csumStart) || !Number.isInteger(csumOffset) || !Number.isInteger(endOffset) ||
    csumStart < 0 || csumOffset < 0 || endOffset > buf.length || csumStart + csumOffset + 2 > endOffset) {
    throw new PacketError('invalid-state', 'csum_start/csum_offset', csumStart, `field at +${csumOffset} outside [${csumStart}, ${endOffset})`);
  }
  let check = csumFold(csumPartial(buf, csumStart, endOffset - csumStart, 0));
  if (check === 0) check = 0xffff;
  const fieldAt = csumStart + csumOffset;
  buf[fieldAt] = check >>> 8;
  buf[fieldAt + 1] = check & 0xff;
  return check;
}

/** UDP is checked over its own length field (udp_rcv trims the skb to it); TCP over the IP payload. */
function checkedL4Length(frame: ParsedFrame): number {
  return frame.udp ? frame.udp.lengthBytes : frame.l4LengthBytes;
}

function rejectFragment(frame: ParsedFrame): void {
  if (frame.isFragment) {
    throw new PacketError('unsupported', 'ip fragment', frame.l3Offset, 'the L4 checksum covers the reassembled datagram');
  }
}

/** Full L4 checksum value for a parsed TCP/UDP frame, computed with the field treated as zero. */
export function computeL4Checksum(buf: Uint8Array, frame: ParsedFrame): number {
  rejectFragment(frame);
  const fieldOffset = l4ChecksumFieldOffset(frame.l4Proto);
  const l4LengthBytes = checkedL4Length(frame);
  const pseudo = frame.ipVersion === 4
    ? pseudoHeaderSumV4(buf, frame.l3Offset, frame.l4Proto, l4LengthBytes)
    : pseudoHeaderSumV6(buf, frame.l3Offset, frame.l4Proto, l4LengthBytes);
  const fieldAt = frame.l4Offset + fieldOffset;
  const field = (buf[fieldAt] << 8) | buf[fieldAt + 1];
  let check = csumFold(csumSub(csumPartial(buf, frame.l4Offset, l4LengthBytes, pseudo), field));
  if (check === 0 && frame.l4Proto === 17) check = 0xffff;
  return check;
}

/** Store the full L4 checksum (UDP 0 → 0xFFFF); returns the stored value. */
export function writeL4Checksum(buf: Uint8Array, frame: ParsedFrame): number {
  const check = computeL4Checksum(buf, frame);
  const fieldAt = frame.l4Offset + l4ChecksumFieldOffset(frame.l4Proto);
  buf[fieldAt] = check >>> 8;
  buf[fieldAt + 1] = check & 0xff;
  return check;
}

/**
 * Receiver-side software verification of a TCP/UDP checksum: pseudo-header + L4 bytes fold to 0xFFFF.
 * A zero UDP checksum over IPv4 means "none" and passes; over IPv6 it is invalid.
 */
export function verifyL4Checksum(buf: Uint8Array, frame: ParsedFrame): boolean {
  rejectFragment(frame);
  if (frame.l4Proto !== 6 && frame.l4Proto !== 17) {
    throw new PacketError('unsupported', 'l4 protocol', frame.l4Offset, `cannot verify protocol ${frame.l4Proto}`);
  }
  const l4LengthBytes = checkedL4Length(frame);
  if (frame.l4Proto === 17) {
    const fieldAt = frame.l4Offset + 6;
    if (buf[fieldAt] === 0 && buf[fieldAt + 1] === 0) return frame.ipVersion === 4;
  }
  const pseudo = frame.ipVersion === 4
    ? pseudoHeaderSumV4(buf, frame.l3Offset, frame.l4Proto, l4LengthBytes)
    : pseudoHeaderSumV6(buf, frame.l3Offset, frame.l4Proto, l4LengthBytes);
  return foldSum(csumPartial(buf, frame.l4Offset, l4LengthBytes, pseudo)) === 0xffff;
}
