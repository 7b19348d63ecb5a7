import { describe, expect, it } from 'vitest';
import { buildTcpFrame, buildUdpFrame, createParsedFrame, parseFrame, parseFrameInto, type ParsedFrame } from './frame';
import { computeL4Checksum, verifyL4Checksum } from './checksum';
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
    for (let i = 0; i < 6000; i++) {
      let region: Uint8Array;
      switch (i % 4) {
        case 0: region = seedFrame(rng); break;
        case 3: region = rng.bytes(rng.int(160)); break;
        default: region = mutate(rng, seedFrame(rng)); break;
      }
      const lead = rng.int(9);
      const a = parseInside(region, 0x00, lead);
      const b = parseInside(region, 0xff, lead);
      expect(b).toEqual(a);
      if (a.kind === 'ok') ok++;
      else errors++;
    }
    // The mix must exercise both outcomes.
    expect(ok).toBeGreaterThan(1000);
    expect(errors).toBeGreaterThan(1000);
  });
});

describe('parseFrameInto with one reused record', () => {
  it('gives exactly what a fresh parse gives, whatever was parsed into the record before', () => {
    const rng = new Rng(0x5eed);
    const rec = createParsedFrame();
    for (let i = 0; i < 3000; i++) {
      const region = i % 3 === 0 ? seedFrame(rng) : mutate(rng, seedFrame(rng));
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
  it('fragments are refused by the L4 checksum helpers', () => {
    const f = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 30 });
    f[20] = 0x20;
    const p = parseFrame(f);
    expect(() => verifyL4Checksum(f, p)).toThrow(PacketError);
    expect(() => computeL4Checksum(f, p)).toThrow(PacketError);
  });
});
