/**
 * Zero-copy parsing and building of Ethernet / (802.1Q) / IPv4|IPv6 / TCP|UDP frames.
 *
 * Ethernet (14): dst MAC 6 | src MAC 6 | ethertype 2      (802.1Q/802.1ad tag: TPID 2 | TCI 2 before ethertype)
 * IPv4 (20+):   ver/IHL 1 | TOS 1 | total length 2 | ID 2 | flags/frag 2 | TTL 1 | proto 1 | csum 2 | src 4 | dst 4 | options
 * IPv6 (40):    ver/TC/flow label 4 | payload length 2 | next header 1 | hop limit 1 | src 16 | dst 16
 * TCP (20+):    sport 2 | dport 2 | seq 4 | ack 4 | data offset/flags 2 | window 2 | csum 2 | urg 2 | options
 * UDP (8):      sport 2 | dport 2 | length 2 | csum 2
 *
 * All offsets in a ParsedFrame are absolute indices into the buffer that was parsed.
 */
import { PacketError, need } from './errors';
import {
  checkRegion,
  csumReplace16,
  foldSum,
  pseudoHeaderSumV4,
  pseudoHeaderSumV6,
  writeIpv4HeaderChecksum,
  writeL4Checksum,
} from './checksum';
import { Rng } from '../rng';

export const ETH_HLEN = 14;
export const ETH_P_IPV4 = 0x0800;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;
export const IPPROTO_NONE_V6 = 59;
export const IPV6_HLEN = 40;
export const UDP_HLEN = 8;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

const IP_DF = 0x4000;
const IP_MF = 0x2000;

export interface TcpTimestamps {
  value: number;
  echo: number;
}

export interface TcpOptions {
  mss?: number;
  wscale?: number;
  sackPermitted?: boolean;
  timestamps?: TcpTimestamps;
  /** SACK blocks as [left, right) sequence pairs. */
  sackBlocks?: Array<[number, number]>;
}

export interface TcpInfo {
  seq: number;
  ack: number;
  /** The 8 flag bits of byte 13 (CWR ECE URG ACK PSH RST SYN FIN). */
  flags: number;
  window: number;
  /** Header length in 32-bit words, as in the header field. */
  dataOffset: number;
  headerLengthBytes: number;
  urgentPointer: number;
  checksum: number;
  optionsOffset: number;
  optionsLengthBytes: number;
  options: TcpOptions;
}

export interface UdpInfo {
  /** The UDP length field (header + payload). */
  lengthBytes: number;
  checksum: number;
}

export type IpVersion = 4 | 6;

export interface ParsedFrame {
  l2Offset: number;
  /** Bytes of the frame region that was parsed (may exceed the IP packet by Ethernet padding). */
  frameLength: number;
  /** Outermost VLAN TCI, or -1 when untagged. */
  vlanTci: number;
  ethertype: number;
  l3Offset: number;
  ipVersion: IpVersion;
  ipHeaderLengthBytes: number;
  /** IPv4 total length; for IPv6, 40 + payload length. */
  ipTotalLength: number;
  ttlOrHopLimit: number;
  /** IPv4 DSCP/ECN byte or IPv6 traffic class. */
  tos: number;
  /** IPv4 identification (0 for IPv6). */
  ipId: number;
  dontFragment: boolean;
  moreFragments: boolean;
  fragmentOffsetBytes: number;
  /** True for IPv4 fragments: the L4 header is then not parsed. */
  isFragment: boolean;
  ipChecksum: number;
  flowLabel: number;
  srcAddrOffset: number;
  dstAddrOffset: number;
  addrLengthBytes: number;
  l4Offset: number;
  l4Proto: number;
  /** L4 header + payload, per the IP header's length. */
  l4LengthBytes: number;
  srcPort: number;
  dstPort: number;
  payloadOffset: number;
  payloadLength: number;
  tcp: TcpInfo | null;
  udp: UdpInfo | null;
}

export function createParsedFrame(): ParsedFrame {
  return {
    l2Offset: 0,
    frameLength: 0,
    vlanTci: -1,
    ethertype: 0,
    l3Offset: 0,
    ipVersion: 4,
    ipHeaderLengthBytes: 0,
    ipTotalLength: 0,
    ttlOrHopLimit: 0,
    tos: 0,
    ipId: 0,
    dontFragment: false,
    moreFragments: false,
    fragmentOffsetBytes: 0,
    isFragment: false,
    ipChecksum: 0,
    flowLabel: 0,
    srcAddrOffset: 0,
    dstAddrOffset: 0,
    addrLengthBytes: 0,
    l4Offset: 0,
    l4Proto: 0,
    l4LengthBytes: 0,
    srcPort: 0,
    dstPort: 0,
    payloadOffset: 0,
    payloadLength: 0,
    tcp: null,
    udp: null,
  };
}

function u16(buf: Uint8Array, o: number): number {
  return (buf[o] << 8) | buf[o + 1];
}

function u32(buf: Uint8Array, o: number): number {
  return ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;
}

function put16(buf: Uint8Array, o: number, v: number): void {
  buf[o] = (v >>> 8) & 0xff;
  buf[o + 1] = v & 0xff;
}

function put32(buf: Uint8Array, o: number, v: number): void {
  buf[o] = (v >>> 24) & 0xff;
  buf[o + 1] = (v >>> 16) & 0xff;
  buf[o + 2] = (v >>> 8) & 0xff;
  buf[o + 3] = v & 0xff;
}

/** Parse a frame into a fresh ParsedFrame. Throws only PacketError. */
export function parseFrame(buf: Uint8Array, offset = 0, length = buf.length - offset): ParsedFrame {
  return parseFrameInto(createParsedFrame(), buf, offset, length);
}

/**
 * Parse into a caller-owned record. Allocation-free while consecutive frames have the same L4 kind: the
 * record's tcp/udp objects (and TCP option objects) are refilled in place, so a caller that needs one to
 * survive the next parse into the same record must copy it. On a PacketError the record is unspecified.
 */
export function parseFrameInto(out: ParsedFrame, buf: Uint8Array, offset = 0, length = buf.length - offset): ParsedFrame {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > buf.length) {
    throw new PacketError('truncated', 'frame', offset, `region of ${length} bytes does not fit a ${buf.length}-byte buffer`);
  }
  const end = offset + length;
  // Every check below is against the frame's end, not the buffer's.
  if (ETH_HLEN > length) throw new PacketError('truncated', 'ethernet header', offset, `frame is ${length} bytes`);
  out.l2Offset = offset;
  out.frameLength = length;
  out.vlanTci = -1;
  let typeAt = offset + 12;
  let ethertype = u16(buf, typeAt);
  for (let tags = 0; ethertype === ETH_P_8021Q || ethertype === ETH_P_8021AD; tags++) {
    if (tags === 2) throw new PacketError('unsupported', 'vlan tag', typeAt, 'more than two VLAN tags');
    if (typeAt + 6 > end) throw new PacketError('truncated', 'vlan tag', typeAt, 'frame ends inside a VLAN tag');
    if (out.vlanTci < 0) out.vlanTci = u16(buf, typeAt + 2);
    typeAt += 4;
    ethertype = u16(buf, typeAt);
  }
  out.ethertype = ethertype;
  const l3 = typeAt + 2;
  out.l3Offset = l3;
  let ipEnd: number;
  let proto: number;
  if (ethertype === ETH_P_IPV4) {
    if (l3 + 20 > end) throw new PacketError('truncated', 'ipv4 header', l3, 'frame ends inside the IPv4 header');
    const vihl = buf[l3];
    if (vihl >>> 4 !== 4) throw new PacketError('malformed', 'ipv4 version', l3, `version ${vihl >>> 4} under ethertype 0x0800`);
    const ihlBytes = (vihl & 0x0f) * 4;
    if (ihlBytes < 20) throw new PacketError('malformed', 'ipv4 ihl', l3, `IHL ${ihlBytes / 4} < 5`);
    const totalLength = u16(buf, l3 + 2);
    if (totalLength < ihlBytes) throw new PacketError('malformed', 'ipv4 total length', l3 + 2, `${totalLength} < header ${ihlBytes}`);
    if (l3 + totalLength > end) throw new PacketError('truncated', 'ipv4 packet', l3, `total length ${totalLength} exceeds frame`);
    const fragWord = u16(buf, l3 + 6);
    out.ipVersion = 4;
    out.ipHeaderLengthBytes = ihlBytes;
    out.ipTotalLength = totalLength;
    out.tos = buf[l3 + 1];
    out.ipId = u16(buf, l3 + 4);
    out.dontFragment = (fragWord & IP_DF) !== 0;
    out.moreFragments = (fragWord & IP_MF) !== 0;
    out.fragmentOffsetBytes = (fragWord & 0x1fff) * 8;
    out.isFragment = out.moreFragments || out.fragmentOffsetBytes !== 0;
    out.ttlOrHopLimit = buf[l3 + 8];
    out.ipChecksum = u16(buf, l3 + 10);
    out.flowLabel = 0;
    out.srcAddrOffset = l3 + 12;
    out.dstAddrOffset = l3 + 16;
    out.addrLengthBytes = 4;
    proto = buf[l3 + 9];
    ipEnd = l3 + totalLength;
  } else if (ethertype === ETH_P_IPV6) {
    if (l3 + IPV6_HLEN > end) throw new PacketError('truncated', 'ipv6 header', l3, 'frame ends inside the IPv6 header');
    const w0 = u32(buf, l3);
    if (w0 >>> 28 !== 6) throw new PacketError('malformed', 'ipv6 version', l3, `version ${w0 >>> 28} under ethertype 0x86dd`);
    const payloadLength = u16(buf, l3 + 4);
    if (l3 + IPV6_HLEN + payloadLength > end) {
      throw new PacketError('truncated', 'ipv6 packet', l3, `payload length ${payloadLength} exceeds frame`);
    }
    proto = buf[l3 + 6];
    if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP && proto !== IPPROTO_ICMPV6 && proto !== IPPROTO_NONE_V6) {
      throw new PacketError('unsupported', 'ipv6 next header', l3 + 6, `next header ${proto} (extension headers are not modelled)`);
    }
    out.ipVersion = 6;
    out.ipHeaderLengthBytes = IPV6_HLEN;
    out.ipTotalLength = IPV6_HLEN + payloadLength;
    out.tos = (w0 >>> 20) & 0xff;
    out.flowLabel = w0 & 0xfffff;
    out.ipId = 0;
    out.dontFragment = false;
    out.moreFragments = false;
    out.fragmentOffsetBytes = 0;
    out.isFragment = false;
    out.ttlOrHopLimit = buf[l3 + 7];
    out.ipChecksum = 0;
    out.srcAddrOffset = l3 + 8;
    out.dstAddrOffset = l3 + 24;
    out.addrLengthBytes = 16;
    ipEnd = l3 + IPV6_HLEN + payloadLength;
  } else {
    throw new PacketError('unsupported', 'ethertype', typeAt, `ethertype 0x${ethertype.toString(16).padStart(4, '0')}`);
  }
  const l4 = l3 + out.ipHeaderLengthBytes;
  out.l4Offset = l4;
  out.l4Proto = proto;
  out.l4LengthBytes = ipEnd - l4;
  out.srcPort = 0;
  out.dstPort = 0;
  out.payloadOffset = l4;
  out.payloadLength = ipEnd - l4;
  // The previous parse's L4 objects are refilled when the kind repeats, so steady parsing allocates nothing.
  const prevTcp = out.tcp;
  const prevUdp = out.udp;
  out.tcp = null;
  out.udp = null;
  if (out.isFragment) return out;
  if (proto === IPPROTO_TCP) {
    parseTcp(out, buf, l4, ipEnd, prevTcp);
  } else if (proto === IPPROTO_UDP) {
    if (l4 + UDP_HLEN > ipEnd) throw new PacketError('truncated', 'udp header', l4, 'IP packet ends inside the UDP header');
    const udpLength = u16(buf, l4 + 4);
    if (udpLength < UDP_HLEN || l4 + udpLength > ipEnd) {
      throw new PacketError('malformed', 'udp length', l4 + 4, `${udpLength} outside [8, ${ipEnd - l4}]`);
    }
    out.srcPort = u16(buf, l4);
    out.dstPort = u16(buf, l4 + 2);
    const udp = prevUdp ?? { lengthBytes: 0, checksum: 0 };
    udp.lengthBytes = udpLength;
    udp.checksum = u16(buf, l4 + 6);
    out.udp = udp;
    out.payloadOffset = l4 + UDP_HLEN;
    out.payloadLength = udpLength - UDP_HLEN;
  }
  return out;
}

function parseTcp(out: ParsedFrame, buf: Uint8Array, l4: number, ipEnd: number, prev: TcpInfo | null): void {
  if (l4 + 20 > ipEnd) throw new PacketError('truncated', 'tcp header', l4, 'IP packet ends inside the TCP header');
  const dataOffset = buf[l4 + 12] >>> 4;
  const headerLengthBytes = dataOffset * 4;
  if (dataOffset < 5) throw new PacketError('malformed', 'tcp data offset', l4 + 12, `${dataOffset} < 5`);
  if (l4 + headerLengthBytes > ipEnd) {
    throw new PacketError('truncated', 'tcp options', l4 + 20, `data offset ${dataOffset} exceeds the IP packet`);
  }
  const tcp = prev ?? newTcpInfo();
  const options = tcp.options;
  const ts = options.timestamps;
  options.mss = undefined;
  options.wscale = undefined;
  options.sackPermitted = undefined;
  options.timestamps = undefined;
  options.sackBlocks = undefined;
  parseTcpOptions(buf, l4 + 20, l4 + headerLengthBytes, options, ts);
  tcp.seq = u32(buf, l4 + 4);
  tcp.ack = u32(buf, l4 + 8);
  tcp.flags = buf[l4 + 13];
  tcp.window = u16(buf, l4 + 14);
  tcp.dataOffset = dataOffset;
  tcp.headerLengthBytes = headerLengthBytes;
  tcp.urgentPointer = u16(buf, l4 + 18);
  tcp.checksum = u16(buf, l4 + 16);
  tcp.optionsOffset = l4 + 20;
  tcp.optionsLengthBytes = headerLengthBytes - 20;
  out.srcPort = u16(buf, l4);
  out.dstPort = u16(buf, l4 + 2);
  out.tcp = tcp;
  out.payloadOffset = l4 + headerLengthBytes;
  out.payloadLength = ipEnd - out.payloadOffset;
}

function newTcpInfo(): TcpInfo {
  return {
    seq: 0,
    ack: 0,
    flags: 0,
    window: 0,
    dataOffset: 0,
    headerLengthBytes: 0,
    urgentPointer: 0,
    checksum: 0,
    optionsOffset: 0,
    optionsLengthBytes: 0,
    options: { mss: undefined, wscale: undefined, sackPermitted: undefined, timestamps: undefined, sackBlocks: undefined },
  };
}

/** Parse TCP options in [start, end) into `out`. Unknown kinds are skipped by their length. */
export function parseTcpOptions(buf: Uint8Array, start: number, end: number, out: TcpOptions, reuseTimestamps?: TcpTimestamps): TcpOptions {
  let i = start;
  while (i < end) {
    const kind = buf[i];
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 2 > end) throw new PacketError('malformed', 'tcp option length', i, `option ${kind} has no length byte`);
    const len = buf[i + 1];
    if (len < 2 || i + len > end) throw new PacketError('malformed', 'tcp option length', i + 1, `option ${kind} length ${len}`);
    switch (kind) {
      case 2:
        if (len !== 4) throw new PacketError('malformed', 'tcp mss option', i, `length ${len} != 4`);
        out.mss = u16(buf, i + 2);
        break;
      case 3:
        if (len !== 3) throw new PacketError('malformed', 'tcp wscale option', i, `length ${len} != 3`);
        out.wscale = buf[i + 2];
        break;
      case 4:
        if (len !== 2) throw new PacketError('malformed', 'tcp sack-permitted option', i, `length ${len} != 2`);
        out.sackPermitted = true;
        break;
      case 5: {
        if ((len - 2) % 8 !== 0 || len < 10) throw new PacketError('malformed', 'tcp sack option', i, `length ${len}`);
        const blocks: Array<[number, number]> = [];
        for (let b = i + 2; b < i + len; b += 8) blocks.push([u32(buf, b), u32(buf, b + 4)]);
        out.sackBlocks = blocks;
        break;
      }
      case 8:
        if (len !== 10) throw new PacketError('malformed', 'tcp timestamp option', i, `length ${len} != 10`);
        if (reuseTimestamps) {
          reuseTimestamps.value = u32(buf, i + 2);
          reuseTimestamps.echo = u32(buf, i + 6);
          out.timestamps = reuseTimestamps;
        } else {
          out.timestamps = { value: u32(buf, i + 2), echo: u32(buf, i + 6) };
        }
        break;
      default:
        break;
    }
    i += len;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Addresses

export type MacInput = Uint8Array | string;
export type IpInput = Uint8Array | string;

export function parseMac(mac: MacInput): Uint8Array {
  if (typeof mac !== 'string') {
    if (mac.length !== 6) throw new PacketError('malformed', 'mac address', 0, `${mac.length} bytes, expected 6`);
    return mac;
  }
  const parts = mac.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new PacketError('malformed', 'mac address', 0, `"${mac}" is not six hex octets`);
  }
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

/** Parsed text addresses, shared read-only by the builders (a model uses few distinct addresses). */
const macTextCache = new Map<string, Uint8Array>();
const ipTextCache = new Map<string, Uint8Array>();
const TEXT_ADDRESS_CACHE_MAX = 4096;

function cachedText(cache: Map<string, Uint8Array>, text: string, parse: (t: string) => Uint8Array): Uint8Array {
  let bytes = cache.get(text);
  if (!bytes) {
    bytes = parse(text);
    if (cache.size >= TEXT_ADDRESS_CACHE_MAX) cache.clear();
    cache.set(text, bytes);
  }
  return bytes;
}

function macBytes(mac: MacInput): Uint8Array {
  return typeof mac === 'string' ? cachedText(macTextCache, mac, parseMac) : parseMac(mac);
}

function ipBytes(ip: IpInput): Uint8Array {
  return typeof ip === 'string' ? cachedText(ipTextCache, ip, parseIp) : parseIp(ip);
}

export function formatMac(buf: Uint8Array, offset: number): string {
  need(buf, offset, 6, 'mac address');
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(buf[offset + i].toString(16).padStart(2, '0'));
  return parts.join(':');
}

/** Dotted IPv4 or RFC 4291 text IPv6 (with `::`, optional embedded IPv4 tail) → 4 or 16 bytes. */
export function parseIp(ip: IpInput): Uint8Array {
  if (typeof ip !== 'string') {
    if (ip.length !== 4 && ip.length !== 16) throw new PacketError('malformed', 'ip address', 0, `${ip.length} bytes, expected 4 or 16`);
    return ip;
  }
  if (!ip.includes(':')) {
    const v4 = parseIpv4Text(ip);
    if (!v4) throw new PacketError('malformed', 'ipv4 address', 0, `"${ip}" is not a dotted quad`);
    return v4;
  }
  const v6 = parseIpv6Text(ip);
  if (!v6) throw new PacketError('malformed', 'ipv6 address', 0, `"${ip}" is not an IPv6 address`);
  return v6;
}

function parseIpv4Text(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return null;
    const v = Number(parts[i]);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

function ipv6Words(s: string): number[] | null {
  if (s === '') return [];
  const words: number[] = [];
  const groups = s.split(':');
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (i === groups.length - 1 && g.includes('.')) {
      const v4 = parseIpv4Text(g);
      if (!v4) return null;
      words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      words.push(parseInt(g, 16));
    }
  }
  return words;
}

function parseIpv6Text(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = ipv6Words(halves[0]);
  const tail = halves.length === 2 ? ipv6Words(halves[1]) : [];
  if (!head || !tail) return null;
  const total = head.length + tail.length;
  if (halves.length === 2 ? total > 7 : total !== 8) return null;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) put16(out, i * 2, words[i]);
  return out;
}

function hexWords(ws: number[]): string {
  return ws.map((w) => w.toString(16)).join(':');
}

export function formatIp(buf: Uint8Array, offset: number, lengthBytes: 4 | 16): string {
  need(buf, offset, lengthBytes, 'ip address');
  if (lengthBytes === 4) return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(u16(buf, offset + i * 2));
  // RFC 5952: compress the longest run (≥ 2) of zero words, first one on ties.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return hexWords(words);
  return `${hexWords(words.slice(0, bestStart))}::${hexWords(words.slice(bestStart + bestLen))}`;
}

export function srcIpString(buf: Uint8Array, frame: ParsedFrame): string {
  return formatIp(buf, frame.srcAddrOffset, frame.addrLengthBytes === 4 ? 4 : 16);
}

export function dstIpString(buf: Uint8Array, frame: ParsedFrame): string {
  return formatIp(buf, frame.dstAddrOffset, frame.addrLengthBytes === 4 ? 4 : 16);
}

// ---------------------------------------------------------------------------------------------
// Builders

/** 'full': correct L4 checksum; 'partial': pseudo-header fold as CHECKSUM_PARTIAL leaves it; 'none': zero. */
export type ChecksumMode = 'full' | 'partial' | 'none';

export interface FrameSpecCommon {
  dstMac?: MacInput;
  srcMac?: MacInput;
  /** 802.1Q TCI to insert a tag; omitted = untagged. */
  vlanTci?: number;
  /** 4-byte/dotted → IPv4, 16-byte/colon text → IPv6; both must be the same family. */
  srcIp: IpInput;
  dstIp: IpInput;
  ipId?: number;
  /** TTL (IPv4) or hop limit (IPv6); default 64. */
  ttl?: number;
  /** IPv4 TOS byte or IPv6 traffic class. */
  tos?: number;
  /** IPv4 DF bit; default true. */
  dontFragment?: boolean;
  flowLabel?: number;
  srcPort: number;
  dstPort: number;
  /** Payload bytes; otherwise `payloadLength` bytes of a pattern (k mod 256, or seeded random when payloadSeed is set). */
  payload?: Uint8Array;
  payloadLength?: number;
  payloadSeed?: number;
  checksum?: ChecksumMode;
  /** Write into this buffer at outOffset instead of allocating; the returned view aliases it. */
  out?: Uint8Array;
  outOffset?: number;
}

export interface TcpFrameSpec extends FrameSpecCommon {
  seq: number;
  ack?: number;
  flags?: number;
  window?: number;
  urgentPointer?: number;
  options?: TcpOptions;
}

export type UdpFrameSpec = FrameSpecCommon;

const DEFAULT_DST_MAC = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
const DEFAULT_SRC_MAC = Uint8Array.of(0x52, 0x54, 0x00, 0xab, 0xcd, 0xef);

/** Fill buf[offset, offset+length) with the payload pattern: k mod 256, or Rng(seed) bytes. */
export function fillPayloadPattern(buf: Uint8Array, offset: number, length: number, seed?: number): void {
  need(buf, offset, length, 'payload');
  if (seed === undefined) {
    for (let k = 0; k < length; k++) buf[offset + k] = k & 0xff;
    return;
  }
  const rng = new Rng(seed);
  let k = 0;
  for (; k + 4 <= length; k += 4) put32(buf, offset + k, rng.nextU32());
  if (k < length) {
    const last = rng.nextU32();
    for (let s = 24; k < length; k++, s -= 8) buf[offset + k] = (last >>> s) & 0xff;
  }
}

/** Bytes the encoded options take (a multiple of 4); throws when over the 40-byte TCP limit. */
export function tcpOptionsLength(options: TcpOptions | undefined): number {
  if (!options) return 0;
  let n = options.mss !== undefined ? 4 : 0;
  if (options.timestamps || options.sackPermitted) n += options.timestamps ? 12 : 4;
  if (options.wscale !== undefined) n += 4;
  const blocks = options.sackBlocks ? options.sackBlocks.length : 0;
  if (blocks > 0) n += 4 + 8 * blocks;
  if (n > 40) throw new PacketError('malformed', 'tcp options', 0, `${n} bytes > 40`);
  return n;
}

/**
 * Write options in Linux's SYN layout (MSS, SACK-perm+TS / NOP NOP TS / NOP NOP SACK-perm, NOP WS), then
 * NOP NOP SACK blocks. Every group is 4-byte aligned, so no trailing padding is needed. Returns bytes written.
 */
export function writeTcpOptions(buf: Uint8Array, at: number, options: TcpOptions | undefined): number {
  const n = tcpOptionsLength(options);
  if (!options || n === 0) return 0;
  need(buf, at, n, 'tcp options');
  let i = at;
  if (options.mss !== undefined) {
    buf[i] = 2;
    buf[i + 1] = 4;
    put16(buf, i + 2, options.mss & 0xffff);
    i += 4;
  }
  const ts = options.timestamps;
  if (ts) {
    if (options.sackPermitted) {
      buf[i] = 4;
      buf[i + 1] = 2;
    } else {
      buf[i] = 1;
      buf[i + 1] = 1;
    }
    buf[i + 2] = 8;
    buf[i + 3] = 10;
    put32(buf, i + 4, ts.value);
    put32(buf, i + 8, ts.echo);
    i += 12;
  } else if (options.sackPermitted) {
    buf[i] = 1;
    buf[i + 1] = 1;
    buf[i + 2] = 4;
    buf[i + 3] = 2;
    i += 4;
  }
  if (options.wscale !== undefined) {
    buf[i] = 1;
    buf[i + 1] = 3;
    buf[i + 2] = 3;
    buf[i + 3] = options.wscale & 0xff;
    i += 4;
  }
  const blocks = options.sackBlocks;
  if (blocks && blocks.length > 0) {
    buf[i] = 1;
    buf[i + 1] = 1;
    buf[i + 2] = 5;
    buf[i + 3] = 2 + 8 * blocks.length;
    i += 4;
    for (const [left, right] of blocks) {
      put32(buf, i, left);
      put32(buf, i + 4, right);
      i += 8;
    }
  }
  return i - at;
}

/** Encoded TCP options as a fresh array (see writeTcpOptions for the layout). */
export function encodeTcpOptions(options: TcpOptions | undefined): Uint8Array {
  const out = new Uint8Array(tcpOptionsLength(options));
  writeTcpOptions(out, 0, options);
  return out;
}

function checkField(value: number, max: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new PacketError('malformed', field, 0, `${value} outside [0, ${max}]`);
  }
}

/**
 * Fresh zeroed frame memory. A separate ArrayBuffer costs ~0.7 µs in V8 (off-heap allocation and external
 * memory accounting), so frames up to SLAB_MAX_FRAME_BYTES are carved from shared 256 KiB slabs, 8-byte
 * aligned. A returned view may therefore share its ArrayBuffer with other frames: never transfer or
 * re-view `.buffer` beyond the view's own bounds.
 */
const SLAB_BYTES = 256 * 1024;
const SLAB_MAX_FRAME_BYTES = 16 * 1024;
let slab = new ArrayBuffer(0);
let slabTop = 0;

export function allocFrameBytes(lengthBytes: number): Uint8Array {
  if (lengthBytes > SLAB_MAX_FRAME_BYTES) return new Uint8Array(lengthBytes);
  const rounded = (lengthBytes + 7) & ~7;
  if (slabTop + rounded > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabTop = 0;
  }
  const view = new Uint8Array(slab, slabTop, lengthBytes);
  slabTop += rounded;
  return view;
}

interface Layout {
  buf: Uint8Array;
  base: number;
  l3: number;
  l4: number;
  total: number;
  version: IpVersion;
}

/** Writes Ethernet + IP headers; returns where L4 goes. `l4LengthBytes` = L4 header + payload. */
function writeL2L3(spec: FrameSpecCommon, proto: number, l4LengthBytes: number): Layout {
  const src = ipBytes(spec.srcIp);
  const dst = ipBytes(spec.dstIp);
  if (src.length !== dst.length) throw new PacketError('malformed', 'ip address', 0, 'source and destination families differ');
  const version: IpVersion = src.length === 4 ? 4 : 6;
  const l2Len = ETH_HLEN + (spec.vlanTci !== undefined ? 4 : 0);
  const l3Len = version === 4 ? 20 : IPV6_HLEN;
  const ipTotal = l3Len + l4LengthBytes;
  if (version === 4 && ipTotal > 0xffff) throw new PacketError('malformed', 'ipv4 total length', 0, `${ipTotal} > 65535`);
  if (version === 6 && l4LengthBytes > 0xffff) throw new PacketError('malformed', 'ipv6 payload length', 0, `${l4LengthBytes} > 65535`);
  const total = l2Len + ipTotal;
  const base = spec.outOffset ?? 0;
  let buf: Uint8Array;
  if (spec.out) {
    buf = spec.out;
    checkRegion(buf, base, total, 'output buffer');
  } else {
    buf = allocFrameBytes(base + total);
  }
  const ttl = spec.ttl ?? 64;
  const tos = spec.tos ?? 0;
  checkField(ttl, 0xff, 'ttl');
  checkField(tos, 0xff, 'tos');
  buf.set(macBytes(spec.dstMac ?? DEFAULT_DST_MAC), base);
  buf.set(macBytes(spec.srcMac ?? DEFAULT_SRC_MAC), base + 6);
  let t = base + 12;
  if (spec.vlanTci !== undefined) {
    checkField(spec.vlanTci, 0xffff, 'vlan tci');
    put16(buf, t, ETH_P_8021Q);
    put16(buf, t + 2, spec.vlanTci);
    t += 4;
  }
  put16(buf, t, version === 4 ? ETH_P_IPV4 : ETH_P_IPV6);
  const l3 = t + 2;
  if (version === 4) {
    const ipId = spec.ipId ?? 0;
    checkField(ipId, 0xffff, 'ip id');
    buf[l3] = 0x45;
    buf[l3 + 1] = tos;
    put16(buf, l3 + 2, ipTotal);
    put16(buf, l3 + 4, ipId);
    put16(buf, l3 + 6, spec.dontFragment === false ? 0 : IP_DF);
    buf[l3 + 8] = ttl;
    buf[l3 + 9] = proto;
    put16(buf, l3 + 10, 0);
    buf.set(src, l3 + 12);
    buf.set(dst, l3 + 16);
    writeIpv4HeaderChecksum(buf, l3);
  } else {
    const flowLabel = spec.flowLabel ?? 0;
    checkField(flowLabel, 0xfffff, 'flow label');
    put32(buf, l3, ((6 << 28) | (tos << 20) | flowLabel) >>> 0);
    put16(buf, l3 + 4, l4LengthBytes);
    buf[l3 + 6] = proto;
    buf[l3 + 7] = ttl;
    buf.set(src, l3 + 8);
    buf.set(dst, l3 + 24);
  }
  return { buf, base, l3, l4: l3 + l3Len, total, version };
}

function payloadLengthOf(spec: FrameSpecCommon): number {
  if (spec.payload) return spec.payload.length;
  const n = spec.payloadLength ?? 0;
  checkField(n, 0xffff, 'payload length');
  return n;
}

function writePayload(spec: FrameSpecCommon, buf: Uint8Array, at: number, length: number): void {
  if (spec.payload) buf.set(spec.payload, at);
  else fillPayloadPattern(buf, at, length, spec.payloadSeed);
}

function finishL4(lay: Layout, proto: number, l4LengthBytes: number, mode: ChecksumMode): void {
  const fieldAt = lay.l4 + (proto === IPPROTO_TCP ? 16 : 6);
  put16(lay.buf, fieldAt, 0);
  switch (mode) {
    case 'none':
      return;
    case 'partial': {
      const pseudo = lay.version === 4
        ? pseudoHeaderSumV4(lay.buf, lay.l3, proto, l4LengthBytes)
        : pseudoHeaderSumV6(lay.buf, lay.l3, proto, l4LengthBytes);
      put16(lay.buf, fieldAt, foldSum(pseudo));
      return;
    }
    case 'full':
      writeL4Checksum(lay.buf, parseFrame(lay.buf, lay.base, lay.total));
      return;
  }
}

/** Build an Ethernet/IP/TCP frame; returns exactly the frame's bytes (a view into spec.out if given). */
export function buildTcpFrame(spec: TcpFrameSpec): Uint8Array {
  const tcpHeaderLen = 20 + tcpOptionsLength(spec.options);
  const payloadLen = payloadLengthOf(spec);
  const l4Len = tcpHeaderLen + payloadLen;
  checkField(spec.srcPort, 0xffff, 'tcp source port');
  checkField(spec.dstPort, 0xffff, 'tcp destination port');
  checkField(spec.seq, 0xffffffff, 'tcp seq');
  checkField(spec.ack ?? 0, 0xffffffff, 'tcp ack');
  checkField(spec.flags ?? TCP_ACK, 0xff, 'tcp flags');
  checkField(spec.window ?? 0, 0xffff, 'tcp window');
  checkField(spec.urgentPointer ?? 0, 0xffff, 'tcp urgent pointer');
  const lay = writeL2L3(spec, IPPROTO_TCP, l4Len);
  const { buf, l4 } = lay;
  put16(buf, l4, spec.srcPort);
  put16(buf, l4 + 2, spec.dstPort);
  put32(buf, l4 + 4, spec.seq);
  put32(buf, l4 + 8, spec.ack ?? 0);
  buf[l4 + 12] = (tcpHeaderLen / 4) << 4;
  buf[l4 + 13] = spec.flags ?? TCP_ACK;
  put16(buf, l4 + 14, spec.window ?? 0);
  put16(buf, l4 + 18, spec.urgentPointer ?? 0);
  writeTcpOptions(buf, l4 + 20, spec.options);
  writePayload(spec, buf, l4 + tcpHeaderLen, payloadLen);
  finishL4(lay, IPPROTO_TCP, l4Len, spec.checksum ?? 'full');
  return buf.subarray(lay.base, lay.base + lay.total);
}

/** Build an Ethernet/IP/UDP frame; returns exactly the frame's bytes (a view into spec.out if given). */
export function buildUdpFrame(spec: UdpFrameSpec): Uint8Array {
  const payloadLen = payloadLengthOf(spec);
  const l4Len = UDP_HLEN + payloadLen;
  checkField(spec.srcPort, 0xffff, 'udp source port');
  checkField(spec.dstPort, 0xffff, 'udp destination port');
  if (l4Len > 0xffff) throw new PacketError('malformed', 'udp length', 0, `${l4Len} > 65535`);
  const lay = writeL2L3(spec, IPPROTO_UDP, l4Len);
  const { buf, l4 } = lay;
  put16(buf, l4, spec.srcPort);
  put16(buf, l4 + 2, spec.dstPort);
  put16(buf, l4 + 4, l4Len);
  writePayload(spec, buf, l4 + UDP_HLEN, payloadLen);
  finishL4(lay, IPPROTO_UDP, l4Len, spec.checksum ?? 'full');
  return buf.subarray(lay.base, lay.base + lay.total);
}

// ---------------------------------------------------------------------------------------------
// Forwarding-path field updates (incremental checksums, RFC 1624)

function requireIpv4(frame: ParsedFrame, what: string): void {
  if (frame.ipVersion !== 4) throw new PacketError('invalid-state', what, frame.l3Offset, 'not an IPv4 frame');
}

function storeIpv4Checksum(buf: Uint8Array, frame: ParsedFrame, check: number): void {
  put16(buf, frame.l3Offset + 10, check);
  frame.ipChecksum = check;
}

/**
 * Router TTL/hop-limit decrement. IPv4 header checksum updated by RFC 1624 eqn 3 on the TTL/protocol word.
 * Returns the new TTL; a TTL already 0 is an error (the router must drop before calling).
 */
export function decrementTtl(buf: Uint8Array, frame: ParsedFrame): number {
  const ttlAt = frame.l3Offset + (frame.ipVersion === 4 ? 8 : 7);
  need(buf, ttlAt, 1, 'ttl');
  const ttl = buf[ttlAt];
  if (ttl === 0) throw new PacketError('invalid-state', 'ttl', ttlAt, 'TTL already 0');
  buf[ttlAt] = ttl - 1;
  frame.ttlOrHopLimit = ttl - 1;
  if (frame.ipVersion === 4) {
    const proto = buf[ttlAt + 1];
    const check = csumReplace16(u16(buf, frame.l3Offset + 10), (ttl << 8) | proto, ((ttl - 1) << 8) | proto);
    storeIpv4Checksum(buf, frame, check);
  }
  return ttl - 1;
}

/** Set the IPv4 ID with an incremental header-checksum update. */
export function setIpv4Id(buf: Uint8Array, frame: ParsedFrame, id: number): void {
  requireIpv4(frame, 'ip id');
  checkField(id, 0xffff, 'ip id');
  const at = frame.l3Offset + 4;
  need(buf, at, 2, 'ip id');
  const old = u16(buf, at);
  put16(buf, at, id);
  frame.ipId = id;
  storeIpv4Checksum(buf, frame, csumReplace16(u16(buf, frame.l3Offset + 10), old, id));
}

/** Set the IPv4 total length (incremental header checksum) or IPv6 payload length (from a total). */
export function setIpTotalLength(buf: Uint8Array, frame: ParsedFrame, totalLengthBytes: number): void {
  if (frame.ipVersion === 4) {
    checkField(totalLengthBytes, 0xffff, 'ipv4 total length');
    const at = frame.l3Offset + 2;
    const old = u16(buf, at);
    put16(buf, at, totalLengthBytes);
    storeIpv4Checksum(buf, frame, csumReplace16(u16(buf, frame.l3Offset + 10), old, totalLengthBytes));
  } else {
    checkField(totalLengthBytes - IPV6_HLEN, 0xffff, 'ipv6 payload length');
    put16(buf, frame.l3Offset + 4, totalLengthBytes - IPV6_HLEN);
  }
  frame.ipTotalLength = totalLengthBytes;
}

/** Set the IPv4 TOS / IPv6 traffic class byte (e.g. ECN CE marking). */
export function setTos(buf: Uint8Array, frame: ParsedFrame, tos: number): void {
  checkField(tos, 0xff, 'tos');
  const l3 = frame.l3Offset;
  if (frame.ipVersion === 4) {
    const oldWord = u16(buf, l3);
    buf[l3 + 1] = tos;
    storeIpv4Checksum(buf, frame, csumReplace16(u16(buf, l3 + 10), oldWord, u16(buf, l3)));
  } else {
    const w0 = u32(buf, l3);
    put32(buf, l3, ((w0 & 0xf00fffff) | (tos << 20)) >>> 0);
  }
  frame.tos = tos;
}

/** How the L4 checksum field is maintained when a covered word changes. */
export type L4FieldState = 'full' | 'partial' | 'none';

function updateL4Field(buf: Uint8Array, frame: ParsedFrame, state: L4FieldState, oldWord: number, newWord: number, pseudo: boolean): void {
  if (state === 'none' || (frame.l4Proto !== IPPROTO_TCP && frame.l4Proto !== IPPROTO_UDP)) return;
  const at = frame.l4Offset + (frame.l4Proto === IPPROTO_TCP ? 16 : 6);
  const field = u16(buf, at);
  if (frame.l4Proto === IPPROTO_UDP && field === 0 && frame.ipVersion === 4) return; // no checksum
  switch (state) {
    case 'full': {
      let check = csumReplace16(field, oldWord, newWord);
      if (check === 0 && frame.l4Proto === IPPROTO_UDP) check = 0xffff;
      put16(buf, at, check);
      break;
    }
    case 'partial':
      // A PARTIAL field holds only the pseudo-header fold: only pseudo-header inputs change it.
      if (pseudo) put16(buf, at, ~csumReplace16(~field & 0xffff, oldWord, newWord) & 0xffff);
      break;
  }
  if (frame.tcp) frame.tcp.checksum = u16(buf, at);
  if (frame.udp) frame.udp.checksum = u16(buf, at);
}

/** Rewrite a 16-bit word inside the TCP/UDP header and keep the L4 checksum consistent with `state`. */
function setL4Word(buf: Uint8Array, frame: ParsedFrame, at: number, value: number, state: L4FieldState): void {
  need(buf, at, 2, 'l4 field');
  const old = u16(buf, at);
  put16(buf, at, value);
  updateL4Field(buf, frame, state, old, value, false);
}

export function setSrcPort(buf: Uint8Array, frame: ParsedFrame, port: number, state: L4FieldState = 'full'): void {
  checkField(port, 0xffff, 'source port');
  setL4Word(buf, frame, frame.l4Offset, port, state);
  frame.srcPort = port;
}

export function setDstPort(buf: Uint8Array, frame: ParsedFrame, port: number, state: L4FieldState = 'full'): void {
  checkField(port, 0xffff, 'destination port');
  setL4Word(buf, frame, frame.l4Offset + 2, port, state);
  frame.dstPort = port;
}

function requireTcp(frame: ParsedFrame): TcpInfo {
  if (!frame.tcp) throw new PacketError('invalid-state', 'tcp header', frame.l4Offset, 'not a TCP frame');
  return frame.tcp;
}

export function setTcpSeq(buf: Uint8Array, frame: ParsedFrame, seq: number, state: L4FieldState = 'full'): void {
  const tcp = requireTcp(frame);
  checkField(seq, 0xffffffff, 'tcp seq');
  const at = frame.l4Offset + 4;
  setL4Word(buf, frame, at, seq >>> 16, state);
  setL4Word(buf, frame, at + 2, seq & 0xffff, state);
  tcp.seq = seq;
}

export function setTcpAck(buf: Uint8Array, frame: ParsedFrame, ack: number, state: L4FieldState = 'full'): void {
  const tcp = requireTcp(frame);
  checkField(ack, 0xffffffff, 'tcp ack');
  const at = frame.l4Offset + 8;
  setL4Word(buf, frame, at, ack >>> 16, state);
  setL4Word(buf, frame, at + 2, ack & 0xffff, state);
  tcp.ack = ack;
}

export function setTcpFlags(buf: Uint8Array, frame: ParsedFrame, flags: number, state: L4FieldState = 'full'): void {
  const tcp = requireTcp(frame);
  checkField(flags, 0xff, 'tcp flags');
  const at = frame.l4Offset + 12;
  setL4Word(buf, frame, at, (buf[at] << 8) | flags, state);
  tcp.flags = flags;
}

export function setTcpWindow(buf: Uint8Array, frame: ParsedFrame, window: number, state: L4FieldState = 'full'): void {
  const tcp = requireTcp(frame);
  checkField(window, 0xffff, 'tcp window');
  setL4Word(buf, frame, frame.l4Offset + 14, window, state);
  tcp.window = window;
}

/** NAT-style IPv4 address rewrite: IPv4 header checksum and the L4 pseudo-header contribution updated. */
export function setIpv4Addr(buf: Uint8Array, frame: ParsedFrame, which: 'src' | 'dst', addr: IpInput, state: L4FieldState = 'full'): void {
  requireIpv4(frame, 'ipv4 address');
  const bytes = parseIp(addr);
  if (bytes.length !== 4) throw new PacketError('malformed', 'ipv4 address', 0, 'expected 4 bytes');
  const at = which === 'src' ? frame.srcAddrOffset : frame.dstAddrOffset;
  for (let half = 0; half < 4; half += 2) {
    const old = u16(buf, at + half);
    const next = (bytes[half] << 8) | bytes[half + 1];
    put16(buf, at + half, next);
    storeIpv4Checksum(buf, frame, csumReplace16(u16(buf, frame.l3Offset + 10), old, next));
    if (!frame.isFragment) updateL4Field(buf, frame, state, old, next, true);
  }
}
