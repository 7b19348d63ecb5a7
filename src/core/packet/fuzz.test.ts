import { describe, expect, it } from 'vitest';
import { buildTcpFrame, buildUdpFrame, createParsedFrame, parseFrame, parseFrameInto, type ParsedFrame } from './frame';
import { computeL4Checksum, verifyL4Checksum, writeIpv4HeaderChecksum } from './checksum';
import { PacketError } from './errors';
import { Rng } from '../rng';

/** Offsets must stay inside the parsed region and be ordered. */
function checkBounds(f: ParsedFrame, offset: number, length: number): void {
  const end = offset + length;
  const ok =
    f.l2Offset === offset &&
    f.frameLength === length &&
    f.l3Offset >= offset + 14 &&
    f.l4Offset >= f.l3Offset + 20 &&
    f.l4Offset === f.l3Offset + f.ipHeaderLengthBytes &&
    f.l3Offset + f.ipTotalLength <= end &&
    f.l4LengthBytes >= 0 &&
    f.l4Offset + f.l4LengthBytes <= end &&
    f.payloadOffset >= f.l4Offset &&
    f.payloadLength >= 0 &&
    f.payloadOffset + f.payloadLength <= f.l4Offset + f.l4LengthBytes &&
    f.srcAddrOffset + f.addrLengthBytes <= f.l4Offset &&
    f.dstAddrOffset + f.addrLengthBytes <= f.l4Offset &&
    (f.tcp === null || (f.tcp.headerLengthBytes >= 20 && f.l4Offset + f.tcp.headerLengthBytes <= end)) &&
    (f.udp === null || f.l4Offset + f.udp.lengthBytes <= end);
  if (!ok) throw new Error(`offsets out of bounds: ${JSON.stringify(f)} for [${offset}, ${end})`);
}

function seedFrame(rng: Rng): Uint8Array {
  const v6 = rng.int(2) === 1;
  const common = {
    srcIp: rng.bytes(v6 ? 16 : 4),
    dstIp: rng.bytes(v6 ? 16 : 4),
    srcPort: rng.int(65536),
    dstPort: rng.int(65536),
    payloadLength: rng.int(120),
    vlanTci: rng.int(4) === 0 ? rng.int(65536) : undefined,
  };
  if (rng.int(2) === 0) return buildUdpFrame(common);
  return buildTcpFrame({
    ...common,
    seq: rng.nextU32(),
    options: rng.int(2) ? { mss: 1460, sackPermitted: true, timestamps: { value: 1, echo: 2 }, wscale: 7 } : undefined,
  });
}

type Outcome = { kind: 'ok'; frame: ParsedFrame } | { kind: 'error'; code: string; field: string };

/** Parse the region placed inside a larger buffer whose surroundings are `fill`: any read outside the region shows up as a difference between fills. */
function parseInside(region: Uint8Array, fill: number, lead: number): Outcome {
  const big = new Uint8Array(lead + region.length + 64).fill(fill);
  big.set(region, lead);
  try {
    const frame = parseFrame(big, lead, region.length);
    checkBounds(frame, lead, region.length);
    if (!frame.isFragment && (frame.l4Proto === 6 || frame.l4Proto === 17) && (frame.tcp || frame.udp)) {
      verifyL4Checksum(big, frame);
      computeL4Checksum(big, frame);
    }
    return { kind: 'ok', frame };
  } catch (e) {
    if (!(e instanceof PacketError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(0);
    return { kind: 'error', code: e.code, field: e.field };
  }
}

/** Random bytes behind a plausible Ethernet/VLAN/IP prefix, so the parser gets past the first checks. */
function plausibleGarbage(rng: Rng): Uint8Array {
  const b = rng.bytes(rng.int(200));
  if (b.length < 16 || rng.int(4) === 0) return b;
  let at = 12;
  if (rng.int(4) === 0 && b.length >= 20) {
    b.set([0x81, 0x00], at);
    at += 4;
  }
  const v6 = rng.int(2) === 1;
  b.set(v6 ? [0x86, 0xdd] : [0x08, 0x00], at);
  if (at + 2 < b.length) b[at + 2] = v6 ? 0x60 | (b[at + 2] & 0x0f) : 0x40 | (5 + rng.int(11));
  if (v6 && at + 8 < b.length) b[at + 8] = [6, 17, 58, 59, 0, 43][rng.int(6)];
  if (!v6 && at + 11 < b.length) b[at + 11] = [6, 17, 1, 47][rng.int(4)];
  return b;
}

/** A valid frame with IPv4 options (IHL > 5), header checksum fixed up. */
function withIpv4Options(rng: Rng): Uint8Array {
  const f = buildTcpFrame({ srcIp: rng.bytes(4), dstIp: rng.bytes(4), srcPort: 1, dstPort: 2, seq: rng.nextU32(), payloadLength: rng.int(40) });
  const words = 1 + rng.int(10);
  const out = new Uint8Array(f.length + 4 * words);
  out.set(f.subarray(0, 34));
  out.fill(1, 34, 34 + 4 * words); // NOPs
  out.set(f.subarray(34), 34 + 4 * words);
  out[14] = 0x40 | (5 + words);
  const total = ((out[16] << 8) | out[17]) + 4 * words;
  out[16] = total >>> 8;
  out[17] = total & 0xff;
  writeIpv4HeaderChecksum(out, 14);
  return out;
}

function mutate(rng: Rng, frame: Uint8Array): Uint8Array {
  const m = frame.slice();
  const flips = 1 + rng.int(4);
  for (let i = 0; i < flips; i++) {
    const at = rng.int(Math.min(m.length, 80));
    switch (rng.int(3)) {
      case 0: m[at] ^= 1 << rng.int(8); break;
      case 1: m[at] = rng.int(256); break;
      case 2: m[at] = rng.int(2) ? 0xff : 0; break;
    }
  }
  const cut = rng.int(3) === 0 ? rng.int(m.length + 1) : m.length;
  return m.subarray(0, cut);
}

describe('parseFrame fuzz: a bounded result or a PacketError, nothing else', () => {
  it('mutated, truncated and random frames, independent of bytes outside the region', () => {
    const rng = new Rng(0xf022);
    let ok = 0;
    let errors = 0;
    const errorKinds = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      let region: Uint8Array;
      switch (i % 4) {
        case 0: region = rng.int(4) === 0 ? withIpv4Options(rng) : seedFrame(rng); break;
        case 3: region = plausibleGarbage(rng); break;
        default: region = mutate(rng, seedFrame(rng)); break;
      }
      const lead = rng.int(9);
      const a = parseInside(region, 0x00, lead);
      const b = parseInside(region, 0xff, lead);
      expect(b).toEqual(a);
      if (a.kind === 'ok') {
        ok++;
      } else {
        errors++;
        const key = `${a.code} ${a.field}`;
        errorKinds.set(key, (errorKinds.get(key) ?? 0) + 1);
      }
    }
    // The mix must exercise both outcomes.
    expect(ok).toBeGreaterThan(1000);
    expect(errors).toBeGreaterThan(1000);
    // ...and reach past the first headers into the L4 checks.
    for (const kind of ['malformed tcp option length', 'malformed udp length', 'malformed tcp data offset', 'unsupported ipv6 next header']) {
      expect(errorKinds.get(kind) ?? 0, kind).toBeGreaterThan(0);
    }
  });
});

describe('parseFrameInto with one reused record', () => {
  it('gives exactly what a fresh parse gives, whatever was parsed into the record before', () => {
    const rng = new Rng(0x5eed);
    const rec = createParsedFrame();
    for (let i = 0; i < 3000; i++) {
      const region = i % 3 === 0 ? seedFrame(rng) : mutate(rng, i % 3 === 1 ? withIpv4Options(rng) : seedFrame(rng));
      let fresh: ParsedFrame | PacketError;
      try {
        fresh = parseFrame(region);
      } catch (e) {
        if (!(e instanceof PacketError)) throw e;
        fresh = e;
      }
      if (fresh instanceof PacketError) {
        expect(() => parseFrameInto(rec, region)).toThrow(PacketError);
        continue;
      }
      expect(parseFrameInto(rec, region)).toEqual(fresh);
    }
  });
  it('the IPv4-options seed frames are themselves valid', () => {
    const rng = new Rng(9);
    for (let i = 0; i < 50; i++) {
      const f = withIpv4Options(rng);
      const p = parseFrame(f);
      expect(p.ipHeaderLengthBytes).toBeGreaterThan(20);
      expect(verifyL4Checksum(f, p)).toBe(true);
    }
  });
  it('fragments are refused by the L4 checksum helpers', () => {
    const f = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 30 });
    f[20] = 0x20;
    const p = parseFrame(f);
    expect(() => verifyL4Checksum(f, p)).toThrow(PacketError);
    expect(() => computeL4Checksum(f, p)).toThrow(PacketError);
  });
});
