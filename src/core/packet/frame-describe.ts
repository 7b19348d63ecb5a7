/**
 * Human-readable views of a parsed frame for the inspector: a tcpdump-style one-liner and a flat list of
 * header fields with their byte ranges (so a hex view can highlight them).
 */
import { IPPROTO_TCP, IPPROTO_UDP, dstIpString, formatMac, srcIpString, type ParsedFrame, type TcpOptions } from './frame';

/** tcpdump's flag letters in its print order (FIN SYN RST PSH ACK URG ECE CWR). */
const FLAG_LETTERS: ReadonlyArray<[number, string]> = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];

export function tcpFlagsText(flags: number): string {
  let out = '';
  for (const [bit, letter] of FLAG_LETTERS) if (flags & bit) out += letter;
  return out.length > 0 ? out : 'none';
}

const u16 = (buf: Uint8Array, o: number): number => (buf[o] << 8) | buf[o + 1];
const u32 = (buf: Uint8Array, o: number): number => ((buf[o] << 24) | (buf[o + 1] << 16) | (buf[o + 2] << 8) | buf[o + 3]) >>> 0;

/** Options as tcpdump prints them, in the order they appear on the wire. */
function tcpOptionsText(buf: Uint8Array, start: number, end: number): string {
  const parts: string[] = [];
  let i = start;
  while (i < end) {
    const kind = buf[i];
    if (kind === 0) {
      parts.push('eol');
      break;
    }
    if (kind === 1) {
      parts.push('nop');
      i++;
      continue;
    }
    const len = buf[i + 1];
    switch (kind) {
      case 2:
        parts.push(`mss ${u16(buf, i + 2)}`);
        break;
      case 3:
        parts.push(`wscale ${buf[i + 2]}`);
        break;
      case 4:
        parts.push('sackOK');
        break;
      case 5: {
        const blocks: string[] = [];
        for (let b = i + 2; b + 8 <= i + len; b += 8) blocks.push(`{${u32(buf, b)}:${u32(buf, b + 4)}}`);
        parts.push(`sack ${blocks.length} ${blocks.join('')}`);
        break;
      }
      case 8:
        parts.push(`TS val ${u32(buf, i + 2)} ecr ${u32(buf, i + 6)}`);
        break;
      default:
        parts.push(`unknown-${kind}`);
    }
    i += len;
  }
  return parts.join(',');
}

/**
 * One line in tcpdump's default format (absolute sequence numbers, as `tcpdump -S`), e.g.
 * `IP 192.168.1.10.40000 > 192.168.1.20.80: Flags [P.], seq 1000:1005, ack 2000, win 64240, length 5`.
 */
export function frameSummary(buf: Uint8Array, frame: ParsedFrame): string {
  const v6 = frame.ipVersion === 6;
  const family = v6 ? 'IP6' : 'IP';
  const src = srcIpString(buf, frame);
  const dst = dstIpString(buf, frame);
  if (frame.isFragment) {
    return `${family} ${src} > ${dst}: ip-proto-${frame.l4Proto} fragment id ${frame.ipId} offset ${frame.fragmentOffsetBytes}${frame.moreFragments ? '+' : ''}, length ${frame.l4LengthBytes}`;
  }
  const head = `${family} ${src}.${frame.srcPort} > ${dst}.${frame.dstPort}`;
  if (frame.tcp) {
    const t = frame.tcp;
    const parts = [`Flags [${tcpFlagsText(t.flags)}]`];
    if (frame.payloadLength > 0) parts.push(`seq ${t.seq}:${(t.seq + frame.payloadLength) >>> 0}`);
    else if (t.flags & 0x07) parts.push(`seq ${t.seq}`);
    if (t.flags & 0x10) parts.push(`ack ${t.ack}`);
    parts.push(`win ${t.window}`);
    if (t.optionsLengthBytes > 0) parts.push(`options [${tcpOptionsText(buf, t.optionsOffset, t.optionsOffset + t.optionsLengthBytes)}]`);
    parts.push(`length ${frame.payloadLength}`);
    return `${head}: ${parts.join(', ')}`;
  }
  if (frame.udp) return `${head}: UDP, length ${frame.payloadLength}`;
  return `${family} ${src} > ${dst}: ip-proto-${frame.l4Proto} ${frame.l4LengthBytes}`;
}

/** One header field for a tree or hex view. Offsets are absolute indices into the parsed buffer. */
export interface HeaderField {
  layer: 'eth' | 'vlan' | 'ipv4' | 'ipv6' | 'tcp' | 'udp';
  name: string;
  value: string;
  offset: number;
  lengthBytes: number;
}

const hex4 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

function optionsValue(o: TcpOptions): string {
  const parts: string[] = [];
  if (o.mss !== undefined) parts.push(`mss ${o.mss}`);
  if (o.sackPermitted) parts.push('sackOK');
  if (o.timestamps) parts.push(`TS val ${o.timestamps.value} ecr ${o.timestamps.echo}`);
  if (o.wscale !== undefined) parts.push(`wscale ${o.wscale}`);
  if (o.sackBlocks) parts.push(`sack ${o.sackBlocks.map(([l, r]) => `{${l}:${r}}`).join('')}`);
  return parts.join(', ');
}

/** The frame's header fields, outermost first. */
export function headerFields(buf: Uint8Array, frame: ParsedFrame): HeaderField[] {
  const f: HeaderField[] = [];
  const l2 = frame.l2Offset;
  f.push({ layer: 'eth', name: 'destination', value: formatMac(buf, l2), offset: l2, lengthBytes: 6 });
  f.push({ layer: 'eth', name: 'source', value: formatMac(buf, l2 + 6), offset: l2 + 6, lengthBytes: 6 });
  let at = l2 + 12;
  while (at + 2 < frame.l3Offset) {
    const tci = (buf[at + 2] << 8) | buf[at + 3];
    f.push({ layer: 'vlan', name: 'tpid', value: hex4((buf[at] << 8) | buf[at + 1]), offset: at, lengthBytes: 2 });
    f.push({ layer: 'vlan', name: 'tci', value: `pcp ${tci >>> 13} dei ${(tci >>> 12) & 1} id ${tci & 0xfff}`, offset: at + 2, lengthBytes: 2 });
    at += 4;
  }
  f.push({ layer: 'eth', name: 'ethertype', value: hex4(frame.ethertype), offset: at, lengthBytes: 2 });
  const l3 = frame.l3Offset;
  if (frame.ipVersion === 4) {
    f.push({ layer: 'ipv4', name: 'header length', value: `${frame.ipHeaderLengthBytes} bytes`, offset: l3, lengthBytes: 1 });
    f.push({ layer: 'ipv4', name: 'tos', value: `dscp ${frame.tos >>> 2} ecn ${frame.tos & 3}`, offset: l3 + 1, lengthBytes: 1 });
    f.push({ layer: 'ipv4', name: 'total length', value: String(frame.ipTotalLength), offset: l3 + 2, lengthBytes: 2 });
    f.push({ layer: 'ipv4', name: 'id', value: hex4(frame.ipId), offset: l3 + 4, lengthBytes: 2 });
    const flags = [frame.dontFragment ? 'DF' : '', frame.moreFragments ? 'MF' : ''].filter(Boolean).join(' ') || 'none';
    f.push({ layer: 'ipv4', name: 'flags / fragment offset', value: `${flags} / ${frame.fragmentOffsetBytes}`, offset: l3 + 6, lengthBytes: 2 });
    f.push({ layer: 'ipv4', name: 'ttl', value: String(frame.ttlOrHopLimit), offset: l3 + 8, lengthBytes: 1 });
    f.push({ layer: 'ipv4', name: 'protocol', value: String(frame.l4Proto), offset: l3 + 9, lengthBytes: 1 });
    f.push({ layer: 'ipv4', name: 'header checksum', value: hex4(frame.ipChecksum), offset: l3 + 10, lengthBytes: 2 });
    f.push({ layer: 'ipv4', name: 'source', value: srcIpString(buf, frame), offset: frame.srcAddrOffset, lengthBytes: 4 });
    f.push({ layer: 'ipv4', name: 'destination', value: dstIpString(buf, frame), offset: frame.dstAddrOffset, lengthBytes: 4 });
    if (frame.ipHeaderLengthBytes > 20) {
      f.push({ layer: 'ipv4', name: 'options', value: `${frame.ipHeaderLengthBytes - 20} bytes`, offset: l3 + 20, lengthBytes: frame.ipHeaderLengthBytes - 20 });
    }
  } else {
    f.push({ layer: 'ipv6', name: 'traffic class / flow label', value: `${frame.tos} / ${hex4(frame.flowLabel)}`, offset: l3, lengthBytes: 4 });
    f.push({ layer: 'ipv6', name: 'payload length', value: String(frame.ipTotalLength - 40), offset: l3 + 4, lengthBytes: 2 });
    f.push({ layer: 'ipv6', name: 'next header', value: String(frame.l4Proto), offset: l3 + 6, lengthBytes: 1 });
    f.push({ layer: 'ipv6', name: 'hop limit', value: String(frame.ttlOrHopLimit), offset: l3 + 7, lengthBytes: 1 });
    f.push({ layer: 'ipv6', name: 'source', value: srcIpString(buf, frame), offset: frame.srcAddrOffset, lengthBytes: 16 });
    f.push({ layer: 'ipv6', name: 'destination', value: dstIpString(buf, frame), offset: frame.dstAddrOffset, lengthBytes: 16 });
  }
  const l4 = frame.l4Offset;
  if (frame.tcp && frame.l4Proto === IPPROTO_TCP) {
    const t = frame.tcp;
    f.push({ layer: 'tcp', name: 'source port', value: String(frame.srcPort), offset: l4, lengthBytes: 2 });
    f.push({ layer: 'tcp', name: 'destination port', value: String(frame.dstPort), offset: l4 + 2, lengthBytes: 2 });
    f.push({ layer: 'tcp', name: 'sequence', value: String(t.seq), offset: l4 + 4, lengthBytes: 4 });
    f.push({ layer: 'tcp', name: 'acknowledgment', value: String(t.ack), offset: l4 + 8, lengthBytes: 4 });
    f.push({ layer: 'tcp', name: 'header length', value: `${t.headerLengthBytes} bytes`, offset: l4 + 12, lengthBytes: 1 });
    f.push({ layer: 'tcp', name: 'flags', value: `[${tcpFlagsText(t.flags)}]`, offset: l4 + 13, lengthBytes: 1 });
    f.push({ layer: 'tcp', name: 'window', value: String(t.window), offset: l4 + 14, lengthBytes: 2 });
    f.push({ layer: 'tcp', name: 'checksum', value: hex4(t.checksum), offset: l4 + 16, lengthBytes: 2 });
    f.push({ layer: 'tcp', name: 'urgent pointer', value: String(t.urgentPointer), offset: l4 + 18, lengthBytes: 2 });
    if (t.optionsLengthBytes > 0) {
      f.push({ layer: 'tcp', name: 'options', value: optionsValue(t.options), offset: t.optionsOffset, lengthBytes: t.optionsLengthBytes });
    }
  } else if (frame.udp && frame.l4Proto === IPPROTO_UDP) {
    f.push({ layer: 'udp', name: 'source port', value: String(frame.srcPort), offset: l4, lengthBytes: 2 });
    f.push({ layer: 'udp', name: 'destination port', value: String(frame.dstPort), offset: l4 + 2, lengthBytes: 2 });
    f.push({ layer: 'udp', name: 'length', value: String(frame.udp.lengthBytes), offset: l4 + 4, lengthBytes: 2 });
    f.push({ layer: 'udp', name: 'checksum', value: hex4(frame.udp.checksum), offset: l4 + 6, lengthBytes: 2 });
  }
  return f;
}
