import { describe, expect, it } from 'vitest';
import {
  csumAdd,
  csumFold,
  csumPartial,
  csumReplace16,
  csumReplace32,
  csumSub,
  finishPartialChecksum,
  foldSum,
  internetChecksum,
  ipv4HeaderChecksum,
  naiveChecksum,
  partialFieldReplace16,
  partialFieldReplace32,
  pseudoHeaderSumV4,
  pseudoHeaderSumV6,
  verifyIpv4HeaderChecksum,
  verifyL4Checksum,
  writeIpv4HeaderChecksum,
  writePartialL4Checksum,
} from './checksum';
import { buildTcpFrame, buildUdpFrame, parseFrame, TCP_ACK, TCP_PSH } from './frame';
import { PacketError } from './errors';
import { createSkb, IpSummed } from './skb';
import { Rng } from '../rng';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Values are equal as one's-complement numbers (0x0000 and 0xFFFF are both zero). */
const onesEq = (a: number, b: number): boolean => a % 0xffff === b % 0xffff;

describe('RFC 1071 §1.2 example [V]', () => {
  const bytes = hex('00 01 f2 03 f4 f5 f6 f7');
  it('sums BE words to 0x2DDF0, folds to 0xDDF2, checksum 0x220D', () => {
    const sum = csumPartial(bytes, 0, 8, 0);
    expect(sum).toBe(0x2ddf0);
    expect(foldSum(sum)).toBe(0xddf2);
    expect(csumFold(sum)).toBe(0x220d);
    expect(internetChecksum(bytes, 0, 8)).toBe(0x220d);
    expect(naiveChecksum(bytes, 0, 8)).toBe(0x220d);
  });
  it('LE word order gives the byte-swapped fold 0xF2DD (raw 0x1F2DC)', () => {
    let le = 0;
    for (let i = 0; i < 8; i += 2) le += bytes[i] | (bytes[i + 1] << 8);
    expect(le).toBe(0x1f2dc);
    expect(foldSum(le)).toBe(0xf2dd);
  });
});

describe('IPv4 header checksum §1.3 [V]', () => {
  const header = hex('45 00 00 73 00 00 40 00 40 11 00 00 c0 a8 00 01 c0 a8 00 c7');
  it('raw 0x2479C, folded 0x479E, checksum 0xB861; verifies to 0xFFFF', () => {
    const sum = csumPartial(header, 0, 20, 0);
    expect(sum).toBe(0x2479c);
    expect(foldSum(sum)).toBe(0x479e);
    expect(ipv4HeaderChecksum(header, 0)).toBe(0xb861);
    const h = header.slice();
    expect(writeIpv4HeaderChecksum(h, 0)).toBe(0xb861);
    expect(toHex(h.subarray(10, 12))).toBe('b861');
    expect(foldSum(csumPartial(h, 0, 20, 0))).toBe(0xffff);
    // The stored field is ignored when recomputing.
    expect(ipv4HeaderChecksum(h, 0)).toBe(0xb861);
    expect(verifyIpv4HeaderChecksum(h, 0)).toBe(true);
    expect(verifyIpv4HeaderChecksum(header, 0)).toBe(false);
    h[8] = 0x3f; // TTL changed without fixing the checksum
    expect(verifyIpv4HeaderChecksum(h, 0)).toBe(false);
  });
  it('rejects IHL < 5 and truncated headers with PacketError', () => {
    const bad = header.slice();
    bad[0] = 0x44;
    expect(() => ipv4HeaderChecksum(bad, 0)).toThrow(PacketError);
    expect(() => ipv4HeaderChecksum(header.subarray(0, 19), 0)).toThrow(PacketError);
    const opts = header.slice();
    opts[0] = 0x46; // IHL 6 but only 20 bytes
    expect(() => ipv4HeaderChecksum(opts, 0)).toThrow(PacketError);
  });
});

describe('RFC 1624 §1.4 [V]', () => {
  it('eqn 3 turns 0xDD2F into 0x0000 when 0x5555 → 0x3285 (from-scratch also 0x0000)', () => {
    const others = 0xcd7a;
    const hc = ~foldSum(others + 0x5555) & 0xffff;
    expect(hc).toBe(0xdd2f);
    expect(~foldSum(others + 0x3285) & 0xffff).toBe(0x0000);
    expect(csumReplace16(hc, 0x5555, 0x3285)).toBe(0x0000);
    // RFC 1141 eqn 2 gives the wrong representation; shown so the contrast is pinned.
    const eqn2 = foldSum(hc + 0x5555 + (~0x3285 & 0xffff));
    expect(eqn2).toBe(0xffff);
  });
  it('erratum 4782 case: HC 0x0000, m = m\' = 0x5555 stays 0x0000', () => {
    expect(csumReplace16(0x0000, 0x5555, 0x5555)).toBe(0x0000);
  });
  it('eqn 3 equals recomputation for random IPv4 header word and address changes', () => {
    const rng = new Rng(1624);
    for (let iter = 0; iter < 3000; iter++) {
      const h = rng.bytes(20 + 4 * rng.int(11));
      h[0] = 0x40 | (h.length / 4);
      writeIpv4HeaderChecksum(h, 0);
      const check = (h[10] << 8) | h[11];
      if (rng.int(2) === 0) {
        let pos = 2 * rng.int(h.length / 2);
        if (pos === 10 || pos === 0) pos = 8; // not the checksum, not version/IHL
        const old = (h[pos] << 8) | h[pos + 1];
        const next = rng.int(4) === 0 ? old : rng.nextU32() & 0xffff;
        h[pos] = next >>> 8;
        h[pos + 1] = next & 0xff;
        expect(csumReplace16(check, old, next)).toBe(ipv4HeaderChecksum(h, 0));
      } else {
        const at = rng.int(2) === 0 ? 12 : 16;
        const old = ((h[at] << 24) | (h[at + 1] << 16) | (h[at + 2] << 8) | h[at + 3]) >>> 0;
        const next = rng.nextU32();
        h.set([next >>> 24, (next >>> 16) & 0xff, (next >>> 8) & 0xff, next & 0xff], at);
        expect(csumReplace32(check, old, next)).toBe(ipv4HeaderChecksum(h, 0));
      }
    }
  });
  it('edge words (all ones / all zeros) still match recomputation', () => {
    const h = new Uint8Array(20);
    h[0] = 0x45;
    for (const fill of [0x00, 0xff]) {
      h.fill(fill, 1);
      h[0] = 0x45;
      writeIpv4HeaderChecksum(h, 0);
      for (const next of [0x0000, 0xffff, 0x1234]) {
        const g = h.slice();
        const check = (g[10] << 8) | g[11];
        const old = (g[12] << 8) | g[13];
        g[12] = next >>> 8;
        g[13] = next & 0xff;
        expect(csumReplace16(check, old, next)).toBe(ipv4HeaderChecksum(g, 0));
      }
    }
  });
});

describe('__wsum arithmetic', () => {
  it('csumAdd/csumSub are one\'s-complement inverse', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 2000; i++) {
      const a = rng.nextU32();
      const b = rng.nextU32();
      const s = csumAdd(a, b);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(0xffffffff);
      expect(onesEq(foldSum(csumSub(s, b)), foldSum(a))).toBe(true);
      expect(onesEq(foldSum(s), (foldSum(a) + foldSum(b)) % 0xffff)).toBe(true);
    }
  });
  it('csumFold of 0 is 0xFFFF, of 0xFFFF is 0; carries wrap at 32 bits', () => {
    expect(csumFold(0)).toBe(0xffff);
    expect(csumFold(0xffff)).toBe(0);
    expect(csumAdd(0xffffffff, 1)).toBe(1);
    expect(csumAdd(0x80000000, 0x80000000)).toBe(1);
  });
});

describe('csumPartial fast path == naive', () => {
  it.each([320, 70_000])('every length 0..300 at every memory alignment 0..7 and region offset 0..3 (backing %i bytes)', (backingBytes) => {
    // A large backing buffer takes the word-view path even for short regions (slab/arena case).
    const rng = new Rng(1071);
    const backing = rng.bytes(backingBytes);
    for (let align = 0; align < 8; align++) {
      const view = backing.subarray(align);
      for (let off = 0; off < 4; off++) {
        for (let len = 0; len <= 300 && off + len <= view.length; len++) {
          const fast = csumFold(csumPartial(view, off, len, 0));
          const naive = naiveChecksum(view, off, len);
          if (fast !== naive) expect({ align, off, len, fast }).toEqual({ align, off, len, fast: naive });
        }
      }
    }
  });
  it('all-0xFF and all-0x00 buffers (carry extremes) of many sizes', () => {
    for (const fill of [0x00, 0xff, 0x80]) {
      for (const size of [1, 2, 3, 47, 48, 49, 1500, 65535, 65536, 65537, 262147]) {
        const b = new Uint8Array(size + 3).fill(fill);
        for (const off of [0, 1, 3]) {
          expect(csumFold(csumPartial(b, off, size, 0))).toBe(naiveChecksum(b, off, size));
        }
      }
    }
  });
  it('large random buffers (64 KiB, 1 MiB) at odd offsets', () => {
    const rng = new Rng(99);
    for (const size of [65536, 1 << 20]) {
      const b = rng.bytes(size + 8);
      for (const off of [0, 1, 2, 5, 7]) {
        expect(csumFold(csumPartial(b, off, size, 0))).toBe(naiveChecksum(b, off, size));
      }
    }
  });
  it('buffers beyond one 16 MiB accumulation chunk', () => {
    const size = (17 << 20) + 6;
    const b = new Uint8Array(size + 1).fill(0xff);
    expect(csumFold(csumPartial(b, 1, size, 0))).toBe(naiveChecksum(b, 1, size));
    const rng = new Rng(17);
    for (let i = 0; i < size; i += 4096) b[i + rng.int(4096)] = rng.int(256);
    expect(csumFold(csumPartial(b, 0, size, 0))).toBe(naiveChecksum(b, 0, size));
    expect(csumFold(csumPartial(b, 3, size - 2, 0))).toBe(naiveChecksum(b, 3, size - 2));
  });
  it('piecewise sums over even splits chain through the sum argument', () => {
    const rng = new Rng(3);
    const b = rng.bytes(4000);
    for (let i = 0; i < 200; i++) {
      const split = 2 * rng.int(2000);
      const seed = rng.nextU32();
      const chained = csumPartial(b, split, 4000 - split, csumPartial(b, 0, split, seed));
      expect(onesEq(foldSum(chained), foldSum(csumAdd(csumPartial(b, 0, 4000, 0), seed)))).toBe(true);
    }
  });
  it('out-of-range regions throw PacketError', () => {
    const b = new Uint8Array(10);
    expect(() => csumPartial(b, 5, 6, 0)).toThrow(PacketError);
    expect(() => csumPartial(b, -1, 2, 0)).toThrow(PacketError);
    expect(() => naiveChecksum(b, 0, 11)).toThrow(PacketError);
    for (const [o, l] of [[Number.NaN, 2], [1.5, 2], [0, Number.NaN], [0, 2.5], [Infinity, 0]]) {
      expect(() => csumPartial(b, o, l, 0)).toThrow(PacketError);
      expect(() => naiveChecksum(b, o, l)).toThrow(PacketError);
    }
    expect(() => finishPartialChecksum(b, Number.NaN, 2)).toThrow(PacketError);
    expect(() => finishPartialChecksum(b, 0, 2.5)).toThrow(PacketError);
  });
});

describe('pseudo-headers §1.5', () => {
  it('IPv4 TCP pseudo-header of example 2.3: raw 0x1838D, fold 0x838E', () => {
    const ip = hex('45 00 00 2d 1c 46 40 00 40 06 9b 16 c0 a8 01 0a c0 a8 01 14');
    const sum = pseudoHeaderSumV4(ip, 0, 6, 25);
    expect(sum).toBe(0x1838d);
    expect(foldSum(sum)).toBe(0x838e);
  });
  it('IPv4 UDP pseudo-header of example 2.4 folds to 0x838C', () => {
    const ip = hex('45 00 00 20 00 01 40 00 ff 11 f8 5c c0 a8 01 0a c0 a8 01 14');
    expect(foldSum(pseudoHeaderSumV4(ip, 0, 17, 12))).toBe(0x838c);
  });
  it('IPv6 pseudo-header equals the sum of the 40 explicit octets', () => {
    const rng = new Rng(6);
    for (let i = 0; i < 200; i++) {
      const ip = rng.bytes(40);
      const len = rng.nextU32();
      const nh = rng.int(256);
      const pseudo = new Uint8Array(40);
      pseudo.set(ip.subarray(8, 40), 0);
      pseudo.set([len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, 0, 0, 0, nh], 32);
      expect(foldSum(pseudoHeaderSumV6(ip, 0, nh, len))).toBe(foldSum(csumPartial(pseudo, 0, 40, 0)));
    }
  });
});

const PARTIAL_TCP = '525400123456525400abcdef08004500002d1c46400040069b16c0a8010ac0a801149c400050000003e8000007d05018faf0838e000068656c6c6f';
const FINAL_TCP = '525400123456525400abcdef08004500002d1c46400040069b16c0a8010ac0a801149c400050000003e8000007d05018faf0454d000068656c6c6f';
const FINAL_UDP = '525400123456525400abcdef08004500002000014000ff11f85cc0a8010ac0a8011414e914e9000c73c470696e67';

describe('CHECKSUM_PARTIAL worked examples §2.3/§2.4 [V]', () => {
  it('TCP: device sums frame[34..59) to raw 0x3BAAF / fold 0xBAB2 and stores 0x454D', () => {
    const f = hex(PARTIAL_TCP);
    expect(f.length).toBe(59);
    const sum = csumPartial(f, 34, 25, 0);
    expect(sum).toBe(0x3baaf);
    expect(foldSum(sum)).toBe(0xbab2);
    expect(finishPartialChecksum(f, 34, 16)).toBe(0x454d);
    expect(toHex(f)).toBe(FINAL_TCP);
    expect(verifyL4Checksum(f, parseFrame(f))).toBe(true);
  });
  it('TCP: writePartialL4Checksum stores fold(pseudo) = 0x838E and marks the skb PARTIAL', () => {
    const f = hex(FINAL_TCP);
    const skb = createSkb({ len: 59, networkHeader: 14, transportHeader: 34, csumStart: 34, csumOffset: 16 });
    expect(writePartialL4Checksum(f, skb)).toBe(0x838e);
    expect(skb.ipSummed).toBe(IpSummed.PARTIAL);
    expect(toHex(f)).toBe(PARTIAL_TCP);
    expect(verifyL4Checksum(f, parseFrame(f))).toBe(false);
  });
  it('TCP: the builder in partial mode produces the guest frame byte for byte', () => {
    const f = buildTcpFrame({
      srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x1c46, srcPort: 40000, dstPort: 80,
      seq: 1000, ack: 2000, flags: TCP_PSH | TCP_ACK, window: 64240, payload: ascii('hello'), checksum: 'partial',
    });
    expect(toHex(f)).toBe(PARTIAL_TCP);
  });
  it('UDP: pseudo field 0x838C, device fold 0x8C3B, final 0x73C4', () => {
    const f = buildUdpFrame({
      srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 1, ttl: 255, srcPort: 5353, dstPort: 5353,
      payload: ascii('ping'), checksum: 'partial',
    });
    expect(toHex(f.subarray(34, 42))).toBe('14e914e9000c838c');
    expect(foldSum(csumPartial(f, 34, f.length - 34, 0))).toBe(0x8c3b);
    expect(finishPartialChecksum(f, 34, 6)).toBe(0x73c4);
    expect(toHex(f)).toBe(FINAL_UDP);
  });
  it('software completion substitutes 0xFFFF for a computed 0x0000 (CSUM_MANGLED_0)', () => {
    // L4 region whose words sum (with the field) to 0xFFFF: field chosen as the complement of the rest.
    const b = new Uint8Array([0x12, 0x34, 0x00, 0x00, 0xab, 0xcd]);
    const rest = foldSum(csumPartial(b, 0, 6, 0));
    const field = ~rest & 0xffff;
    b[2] = field >>> 8;
    b[3] = field & 0xff;
    expect(foldSum(csumPartial(b, 0, 6, 0))).toBe(0xffff);
    expect(finishPartialChecksum(b, 0, 2)).toBe(0xffff);
  });
  it('finishPartialChecksum rejects a field outside the summed region', () => {
    const f = hex(PARTIAL_TCP);
    expect(() => finishPartialChecksum(f, 34, 24)).toThrow(PacketError);
    expect(() => finishPartialChecksum(f, 58, 0)).toThrow(PacketError);
    expect(() => finishPartialChecksum(f, 34, 16, 60)).toThrow(PacketError);
  });
});

describe('partial-field incremental updates', () => {
  it('address change under PARTIAL keeps the field = fold(pseudo)', () => {
    const rng = new Rng(11);
    for (let i = 0; i < 500; i++) {
      const ip = rng.bytes(20);
      ip[0] = 0x45;
      const len = rng.int(65536);
      const field = foldSum(pseudoHeaderSumV4(ip, 0, 6, len));
      const old = ((ip[12] << 24) | (ip[13] << 16) | (ip[14] << 8) | ip[15]) >>> 0;
      const next = rng.nextU32();
      ip.set([next >>> 24, (next >>> 16) & 0xff, (next >>> 8) & 0xff, next & 0xff], 12);
      const fresh = foldSum(pseudoHeaderSumV4(ip, 0, 6, len));
      expect(partialFieldReplace32(field, old, next)).toBe(fresh);
      const newLen = rng.int(65536);
      expect(partialFieldReplace16(fresh, len, newLen)).toBe(foldSum(pseudoHeaderSumV4(ip, 0, 6, newLen)));
    }
  });
});
