import { describe, expect, it } from 'vitest';
import { PacketError } from './errors';
import { Rng } from '../rng';
import { buildTcpFrame, buildUdpFrame, parseFrame } from './frame';
import { IpSummed, PktHashType, createSkb } from './skb';
import { VNET_HDR_FORMAT_HASH, VnetFeatures, VnetHashReport, skbToVnetHdr, vnetHdrBytes } from './vnet';
import {
  IndirectionTable,
  MICROSOFT_RSS_KEY,
  RSS_HASH_TYPES_LINUX_DEFAULT,
  RssHashType,
  ToeplitzHasher,
  buildRssInput,
  jhash2,
  reciprocalScale,
  rssHashFrame,
  rssInputForFrame,
  rssQueue,
  skbGetHash,
  skbTxQueue,
  softwareFlowHash,
  toeplitzHash,
} from './hash';

const hex = (s: string): Uint8Array => {
  const clean = s.replace(/[\s:]/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
};

// §7.2: input is source-first (addresses, then ports); published tables list the destination first.
const IPV4_VECTORS = [
  { input: '42 09 95 bb a1 8e 64 50 0a ea 06 e6', ipOnly: 0x323e8fc2, withTcp: 0x51ccc178 },
  { input: 'c7 5c 6f 02 41 45 8c 53 37 96 12 83', ipOnly: 0xd718262a, withTcp: 0xc626b0ea },
  { input: '18 13 c6 5f 0c 16 cf b8 32 62 94 88', ipOnly: 0xd2d0a5de, withTcp: 0x5c2b394a },
];
const IPV6_INPUT = '3ffe250102001fff0000000000000007 3ffe2501020000030000000000000001 0aea 06e6';

describe('Toeplitz §7.2 vectors', () => {
  const fast = new ToeplitzHasher(MICROSOFT_RSS_KEY);
  for (const v of IPV4_VECTORS) {
    it(`IPv4 ${v.input}`, () => {
      const input = hex(v.input);
      expect(toeplitzHash(MICROSOFT_RSS_KEY, input, 0, 8)).toBe(v.ipOnly);
      expect(toeplitzHash(MICROSOFT_RSS_KEY, input, 0, 12)).toBe(v.withTcp);
      expect(fast.hash(input, 0, 8)).toBe(v.ipOnly);
      expect(fast.hash(input, 0, 12)).toBe(v.withTcp);
    });
  }
  it('IPv4 destination-first input gives the documented wrong value', () => {
    const input = hex('a1 8e 64 50 42 09 95 bb 06 e6 0a ea');
    expect(toeplitzHash(MICROSOFT_RSS_KEY, input, 0, 12)).toBe(0xfde799b2);
  });
  it('IPv6 with and without ports', () => {
    const input = hex(IPV6_INPUT);
    expect(input.length).toBe(36);
    expect(toeplitzHash(MICROSOFT_RSS_KEY, input, 0, 32)).toBe(0x2cc18cd5);
    expect(toeplitzHash(MICROSOFT_RSS_KEY, input, 0, 36)).toBe(0x40207d3d);
    expect(fast.hash(input, 0, 32)).toBe(0x2cc18cd5);
    expect(fast.hash(input, 0, 36)).toBe(0x40207d3d);
  });
  it('hashes an input at a non-zero offset', () => {
    const input = hex('ff ff ff' + IPV4_VECTORS[0].input.replace(/ /g, '') + 'ee');
    expect(toeplitzHash(MICROSOFT_RSS_KEY, input, 3, 12)).toBe(0x51ccc178);
    expect(fast.hash(input, 3, 12)).toBe(0x51ccc178);
  });
  it('hashIpv4 / hashIpv6 read addresses and ports straight from frames', () => {
    // Minimal Ethernet + IPv4 + TCP with row 1's addresses and ports.
    const f4 = new Uint8Array(14 + 20 + 20);
    f4.set(hex('42 09 95 bb a1 8e 64 50'), 14 + 12);
    f4.set(hex('0a ea 06 e6'), 34);
    expect(fast.hashIpv4(f4, 14, 34)).toBe(0x51ccc178);
    expect(fast.hashIpv4(f4, 14, -1)).toBe(0x323e8fc2);
    const f6 = new Uint8Array(14 + 40 + 20);
    f6.set(hex(IPV6_INPUT).subarray(0, 32), 14 + 8);
    f6.set(hex('0aea06e6'), 54);
    expect(fast.hashIpv6(f6, 14, 54)).toBe(0x40207d3d);
    expect(fast.hashIpv6(f6, 14, -1)).toBe(0x2cc18cd5);
  });
});

describe('Toeplitz table-driven vs bit-serial', () => {
  it('agree on random keys, lengths and offsets (seeded)', () => {
    const rng = new Rng(0x7e57);
    for (let k = 0; k < 20; k++) {
      const key = rng.bytes(4 + rng.int(60));
      const fast = new ToeplitzHasher(key);
      for (let n = 0; n < 50; n++) {
        const len = rng.int(fast.maxInputBytes + 1);
        const buf = rng.bytes(len + 8);
        const off = rng.int(9);
        expect(fast.hash(buf, off, len)).toBe(toeplitzHash(key, buf, off, len));
      }
    }
  });
  it('is linear: pieces at positions XOR to the whole', () => {
    const rng = new Rng(11);
    const fast = new ToeplitzHasher();
    const buf = rng.bytes(36);
    expect((fast.hashAt(buf, 0, 20, 0) ^ fast.hashAt(buf, 20, 16, 20)) >>> 0).toBe(fast.hash(buf, 0, 36));
  });
  it('the key is copied, so mutating the caller array does not change the table', () => {
    const key = Uint8Array.from(MICROSOFT_RSS_KEY);
    const fast = new ToeplitzHasher(key);
    key.fill(0);
    expect(fast.hash(hex(IPV4_VECTORS[0].input), 0, 12)).toBe(0x51ccc178);
  });
});

describe('Toeplitz bad input', () => {
  const fast = new ToeplitzHasher();
  it('rejects inputs longer than key − 4 octets', () => {
    expect(() => toeplitzHash(MICROSOFT_RSS_KEY, new Uint8Array(37), 0, 37)).toThrow(PacketError);
    expect(() => fast.hash(new Uint8Array(37), 0, 37)).toThrow(PacketError);
    expect(() => fast.hashAt(new Uint8Array(8), 0, 8, 30)).toThrow(PacketError);
  });
  it('rejects reads outside the buffer', () => {
    expect(() => fast.hash(new Uint8Array(10), 0, 12)).toThrow(PacketError);
    expect(() => fast.hash(new Uint8Array(12), -1, 4)).toThrow(PacketError);
    expect(() => toeplitzHash(MICROSOFT_RSS_KEY, new Uint8Array(10), 2, 10)).toThrow(PacketError);
  });
  it('rejects keys shorter than 4 octets', () => {
    expect(() => new ToeplitzHasher(new Uint8Array(3))).toThrow(PacketError);
    expect(() => toeplitzHash(new Uint8Array(2), new Uint8Array(0), 0, 0)).toThrow(PacketError);
  });
});

describe('indirection table and reciprocal_scale (§7.3)', () => {
  // [hash, expected queue with 4 queues, with 3 queues]
  const rows: Array<[number, number, number]> = [
    [0x51ccc178, 0, 0],
    [0xc626b0ea, 2, 1],
    [0x5c2b394a, 2, 2],
    [0x323e8fc2, 2, 0],
  ];
  it('default 128-entry spread, entry i → i mod n', () => {
    const t4 = IndirectionTable.defaultSpread(4);
    const t3 = IndirectionTable.defaultSpread(3);
    expect(t4.entries.length).toBe(128);
    for (const [h, q4, q3] of rows) {
      expect(t4.queueFor(h)).toBe(q4);
      expect(t3.queueFor(h)).toBe(q3);
    }
  });
  it('custom tables and rejections', () => {
    const t = new IndirectionTable([3, 1]);
    expect(t.queueFor(0x51ccc178)).toBe(3);
    expect(t.queueFor(0xc626b0eb)).toBe(1);
    expect(() => new IndirectionTable([0, 1, 2])).toThrow(PacketError);
    expect(() => new IndirectionTable([])).toThrow(PacketError);
    expect(() => new IndirectionTable([0, -1])).toThrow(PacketError);
    expect(() => IndirectionTable.defaultSpread(0)).toThrow(PacketError);
    expect(() => IndirectionTable.defaultSpread(4, 100)).toThrow(PacketError);
    expect(() => IndirectionTable.defaultSpread(4, 1.5)).toThrow(PacketError);
  });
  it('reciprocal_scale uses the upper bits', () => {
    expect(reciprocalScale(0x51ccc178, 4)).toBe(1);
    expect(reciprocalScale(0xc626b0ea, 4)).toBe(3);
    expect(reciprocalScale(0x5c2b394a, 3)).toBe(1);
    expect(reciprocalScale(0xffffffff, 1 << 20)).toBe((1 << 20) - 1);
    expect(reciprocalScale(0, 7)).toBe(0);
  });
});

const ipv4Tcp = (src: string, dst: string, sport: number, dport: number): Uint8Array => {
  const f = new Uint8Array(14 + 20 + 20);
  f[14] = 0x45;
  f[14 + 9] = 6;
  f.set(hex(src), 26);
  f.set(hex(dst), 30);
  f[34] = sport >> 8; f[35] = sport & 0xff; f[36] = dport >> 8; f[37] = dport & 0xff;
  return f;
};
const ipv6Udp = (src: string, dst: string, sport: number, dport: number): Uint8Array => {
  const f = new Uint8Array(14 + 40 + 8);
  f[14] = 0x60;
  f[14 + 6] = 17;
  f.set(hex(src), 22);
  f.set(hex(dst), 38);
  f[54] = sport >> 8; f[55] = sport & 0xff; f[56] = dport >> 8; f[57] = dport & 0xff;
  return f;
};

describe('jhash2 and the software flow hash (§7.4)', () => {
  // Reference values from Linux's jhash2/__jhash_mix/__jhash_final macros compiled with gcc;
  // keys k[i] = 0x01020304·(i+1) + 0x9e3779b9·i (mod 2^32), initval 0 and 0xcafef00d.
  const C_REF = [
    3735928559, 2846666492, 3965393265, 2496951484, 1411194416, 1156087345, 1280292530, 727920231, 3712516559,
    1581510136, 573575889, 1803065002, 2662945202, 2567431563, 2887561161, 4020201025, 2633234829, 3286697770,
    1656603154, 44759294, 131583384, 668211753, 1114332433, 2912205206,
  ];
  it('matches the kernel macros for 0..11 words', () => {
    const k = new Uint32Array(11);
    for (let i = 0; i < 11; i++) k[i] = (Math.imul(0x01020304, i + 1) + Math.imul(0x9e3779b9, i)) >>> 0;
    for (let n = 0; n <= 11; n++) {
      expect(jhash2(k, n, 0)).toBe(C_REF[2 * n]);
      expect(jhash2(k, n, 0xcafef00d | 0)).toBe(C_REF[2 * n + 1]);
    }
  });

  it('is deterministic per seed, differs across seeds, and is symmetric', () => {
    const a = ipv4Tcp('c0a8010a', 'c0a80114', 40000, 80);
    const b = ipv4Tcp('c0a80114', 'c0a8010a', 80, 40000);
    const h1 = softwareFlowHash(a, 14, 34, 6, 1234);
    expect(softwareFlowHash(a, 14, 34, 6, 1234)).toBe(h1);
    expect(softwareFlowHash(b, 14, 34, 6, 1234)).toBe(h1);
    expect(softwareFlowHash(a, 14, 34, 6, 1235)).not.toBe(h1);
    expect(softwareFlowHash(a, 14, -1, 6, 1234)).not.toBe(h1);
    const v6a = ipv6Udp('20010db8000000000000000000000001', '20010db8000000000000000000000002', 5353, 53);
    const v6b = ipv6Udp('20010db8000000000000000000000002', '20010db8000000000000000000000001', 53, 5353);
    expect(softwareFlowHash(v6a, 14, 54, 17, 9)).toBe(softwareFlowHash(v6b, 14, 54, 17, 9));
    expect(softwareFlowHash(v6a, 14, 54, 17, 9)).not.toBe(softwareFlowHash(v6a, 14, 54, 6, 9));
  });
  it('spreads flows evenly over queues', () => {
    const counts = new Array<number>(4).fill(0);
    const f = ipv4Tcp('0a000001', '0a000002', 0, 80);
    for (let port = 1024; port < 1024 + 4000; port++) {
      f[34] = port >> 8; f[35] = port & 0xff;
      counts[reciprocalScale(softwareFlowHash(f, 14, 34, 6, 42), 4)]++;
    }
    for (const c of counts) expect(c).toBeGreaterThan(850);
  });
  it('rejects non-IP or short headers', () => {
    const bad = new Uint8Array(40);
    bad[14] = 0x55;
    expect(() => softwareFlowHash(bad, 14, -1, 0, 0)).toThrow(PacketError);
    const short = new Uint8Array(30);
    short[14] = 0x45;
    expect(() => softwareFlowHash(short, 14, -1, 6, 0)).toThrow(PacketError);
    expect(() => softwareFlowHash(ipv4Tcp('01020304', '05060708', 1, 2).subarray(0, 36), 14, 34, 6, 0)).toThrow(PacketError);
  });
});

// §7.2 row 1 as real frames: source 66.9.149.187:2794 → destination 161.142.100.80:1766.
const row1Tcp = (): Uint8Array =>
  buildTcpFrame({ srcIp: '66.9.149.187', dstIp: '161.142.100.80', srcPort: 2794, dstPort: 1766, seq: 1, payloadLength: 10 });
const row1Udp = (): Uint8Array =>
  buildUdpFrame({ srcIp: '66.9.149.187', dstIp: '161.142.100.80', srcPort: 2794, dstPort: 1766, payloadLength: 10 });
const row1V6Tcp = (): Uint8Array =>
  buildTcpFrame({ srcIp: '3ffe:2501:200:1fff::7', dstIp: '3ffe:2501:200:3::1', srcPort: 2794, dstPort: 1766, seq: 1, payloadLength: 10 });

describe('RSS over parsed frames', () => {
  const hasher = new ToeplitzHasher();
  it('IPv4 TCP / UDP / IP-only / none', () => {
    const tcp = row1Tcp();
    const f = parseFrame(tcp);
    expect(rssHashFrame(hasher, tcp, f, RSS_HASH_TYPES_LINUX_DEFAULT)).toEqual({ hash: 0x51ccc178, report: VnetHashReport.TCPV4 });
    expect(rssHashFrame(hasher, tcp, f, RssHashType.IPV4 | RssHashType.UDPV4)).toEqual({ hash: 0x323e8fc2, report: VnetHashReport.IPV4 });
    expect(rssHashFrame(hasher, tcp, f, RssHashType.UDPV4)).toEqual({ hash: 0, report: VnetHashReport.NONE });
    const udp = row1Udp();
    expect(rssHashFrame(hasher, udp, parseFrame(udp), RSS_HASH_TYPES_LINUX_DEFAULT)).toEqual({ hash: 0x51ccc178, report: VnetHashReport.UDPV4 });
  });
  it('IPv4 fragments use the 2-tuple', () => {
    const udp = row1Udp();
    udp[14 + 6] |= 0x20; // MF
    const f = parseFrame(udp);
    expect(f.isFragment).toBe(true);
    expect(rssHashFrame(hasher, udp, f, RSS_HASH_TYPES_LINUX_DEFAULT)).toEqual({ hash: 0x323e8fc2, report: VnetHashReport.IPV4 });
  });
  it('IPv6 TCP, IP-only and _EX types', () => {
    const b = row1V6Tcp();
    const f = parseFrame(b);
    expect(rssHashFrame(hasher, b, f, RSS_HASH_TYPES_LINUX_DEFAULT)).toEqual({ hash: 0x40207d3d, report: VnetHashReport.TCPV6 });
    expect(rssHashFrame(hasher, b, f, RssHashType.IPV6)).toEqual({ hash: 0x2cc18cd5, report: VnetHashReport.IPV6 });
    expect(rssHashFrame(hasher, b, f, RssHashType.TCP_EX | RssHashType.TCPV6)).toEqual({ hash: 0x40207d3d, report: VnetHashReport.TCPV6_EX });
    expect(rssHashFrame(hasher, b, f, RssHashType.IP_EX | RssHashType.IPV6)).toEqual({ hash: 0x2cc18cd5, report: VnetHashReport.IPV6_EX });
    expect(rssHashFrame(hasher, b, f, RssHashType.IPV4 | RssHashType.TCPV4).report).toBe(VnetHashReport.NONE);
  });
  it('input builders give the published byte strings', () => {
    const tcp = row1Tcp();
    const f = parseFrame(tcp);
    expect(rssInputForFrame(tcp, f, true)).toEqual(hex('42 09 95 bb a1 8e 64 50 0a ea 06 e6'));
    expect(rssInputForFrame(tcp, f, false)).toEqual(hex('42 09 95 bb a1 8e 64 50'));
    const v6 = row1V6Tcp();
    expect(rssInputForFrame(v6, parseFrame(v6), true)).toEqual(hex(IPV6_INPUT));
    expect(buildRssInput(tcp, 26, 30, 4, 34)).toEqual(hex('42 09 95 bb a1 8e 64 50 0a ea 06 e6'));
    expect(() => buildRssInput(tcp, 26, 30, 4, tcp.length - 2)).toThrow(PacketError);
  });
  it('queue selection: table, or the unclassified queue without a hash', () => {
    const tcp = row1Tcp();
    const table = IndirectionTable.defaultSpread(3);
    const r = rssHashFrame(hasher, tcp, parseFrame(tcp), RSS_HASH_TYPES_LINUX_DEFAULT);
    expect(rssQueue(r, table, 7)).toBe(0);
    expect(rssQueue(rssHashFrame(hasher, tcp, parseFrame(tcp), 0), table, 7)).toBe(7);
  });
  it('device RSS result carried in a hash-report vnet header (§3.6 vector)', () => {
    const tcp = row1Tcp();
    const r = rssHashFrame(hasher, tcp, parseFrame(tcp), RSS_HASH_TYPES_LINUX_DEFAULT);
    const skb = createSkb({ len: tcp.length, ipSummed: IpSummed.UNNECESSARY });
    const h = skbToVnetHdr(skb, VnetFeatures.of('VERSION_1', 'HASH_REPORT'), { direction: 'rx', hash: { value: r.hash, report: r.report } });
    expect(vnetHdrBytes(h, VNET_HDR_FORMAT_HASH)).toEqual(hex('02 00 00 00 00 00 00 00 00 00 01 00 78 c1 cc 51 02 00 00 00'));
  });
});

describe('skb_get_hash / skb_tx_hash', () => {
  it('keeps a device hash, otherwise stores a seeded software hash', () => {
    const tcp = row1Tcp();
    const f = parseFrame(tcp);
    const dev = createSkb({ hash: 0x51ccc178, hashType: PktHashType.L4 });
    expect(skbGetHash(dev, tcp, f, 1)).toBe(0x51ccc178);
    expect(dev.swHash).toBe(false);
    const sw = createSkb();
    const h = skbGetHash(sw, tcp, f, 1);
    expect(h).toBe(softwareFlowHash(tcp, 14, 34, 6, 1));
    expect(sw).toMatchObject({ hash: h, hashType: PktHashType.L4, swHash: true });
    const udp = row1Udp();
    udp[14 + 6] |= 0x20;
    const frag = createSkb();
    skbGetHash(frag, udp, parseFrame(udp), 1);
    expect(frag.hashType).toBe(PktHashType.L3);
    expect(frag.hash).toBe(softwareFlowHash(udp, 14, -1, 17, 1));
  });
  it('TX queue: recorded RX queue mod count, else reciprocal_scale of the hash', () => {
    const tcp = row1Tcp();
    const f = parseFrame(tcp);
    expect(skbTxQueue(createSkb({ rxQueue: 6 }), tcp, f, 1, 4)).toBe(2);
    expect(skbTxQueue(createSkb({ hash: 0x51ccc178, hashType: PktHashType.L4 }), tcp, f, 1, 4)).toBe(1);
    expect(skbTxQueue(createSkb({ hash: 0x5c2b394a, hashType: PktHashType.L4 }), tcp, f, 1, 3)).toBe(1);
    expect(() => skbTxQueue(createSkb(), tcp, f, 1, 0)).toThrow(PacketError);
  });
});
