import { describe, expect, it } from 'vitest';
import { PacketError } from './errors';
import { Rng } from '../rng';
import { MICROSOFT_RSS_KEY, ToeplitzHasher, toeplitzHash } from './hash';

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
