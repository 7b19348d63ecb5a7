import { describe, expect, it } from 'vitest';
import { PacketError } from './errors';
import { Rng } from '../rng';
import {
  ByteSink,
  LINKTYPE_ETHERNET,
  PcapWriter,
  PcapngWriter,
  readCaptureFile,
  readPcap,
  readPcapng,
  type ByteOrder,
  type PcapTimestampResolution,
} from './pcap';

const hex = (h: string): Uint8Array => Uint8Array.from(h.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

// Reference §2.3, the completed 59-octet TCP frame.
const TCP_FULL = hex(
  '525400123456525400abcdef08004500002d1c46400040069b16c0a8010ac0a801149c400050000003e8000007d05018faf0454d000068656c6c6f',
);

function expectPacketError(fn: () => unknown, code: PacketError['code'], field?: string): PacketError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PacketError);
    const e = err as PacketError;
    expect(e.code).toBe(code);
    if (field !== undefined) expect(e.field).toBe(field);
    return e;
  }
  throw new Error('expected a PacketError');
}

function set32(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint32(at, v, true);
  return c;
}

function randomFrame(rng: Rng, maxBytes: number): Uint8Array {
  const frame = new Uint8Array(1 + (rng.nextU32() % maxBytes));
  for (let i = 0; i < frame.length; i++) frame[i] = rng.nextU32() & 0xff;
  return frame;
}

describe('pcap writer: reference §8.4 byte vectors', () => {
  it('little-endian µs header, snaplen 65535, Ethernet', () => {
    const w = new PcapWriter({ resolution: 'us', byteOrder: 'le', snaplenBytes: 65535 });
    expect(toHex(w.finish())).toBe(toHex(hex('d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00 ff ff 00 00 01 00 00 00')));
  });

  it('big-endian µs header', () => {
    const w = new PcapWriter({ resolution: 'us', byteOrder: 'be', snaplenBytes: 65535 });
    expect(toHex(w.finish())).toBe(toHex(hex('a1 b2 c3 d4 00 02 00 04 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 01')));
  });

  it('record header of the example 2.3 frame at 1700000000.250000', () => {
    const w = new PcapWriter({ resolution: 'us', snaplenBytes: 65535 });
    w.writePacket(1_700_000_000_250_000_000n, TCP_FULL);
    const file = w.finish();
    expect(file.length).toBe(24 + 16 + 59);
    expect(toHex(file.subarray(24, 40))).toBe(toHex(hex('00 f1 53 65 90 d0 03 00 3b 00 00 00 3b 00 00 00')));
    expect(toHex(file.subarray(40))).toBe(toHex(TCP_FULL));
  });

  it('the same record through a time origin and a number offset', () => {
    const w = new PcapWriter({ resolution: 'us', snaplenBytes: 65535, timeOriginNs: 1_700_000_000_000_000_000n });
    w.writePacket(250_000_999, TCP_FULL); // sub-µs part is truncated, as libpcap does
    expect(toHex(w.finish().subarray(24, 40))).toBe(toHex(hex('00 f1 53 65 90 d0 03 00 3b 00 00 00 3b 00 00 00')));
  });

  it('defaults: ns magic 0xA1B23C4D little-endian, snaplen 262144, LINKTYPE_ETHERNET', () => {
    const w = new PcapWriter();
    expect(toHex(w.finish())).toBe('4d3cb2a10200040000000000000000000000040001000000');
    w.writePacket(1_700_000_000_250_000_001n, TCP_FULL);
    expect(toHex(w.finish().subarray(24, 40))).toBe('00f1536581b2e60e3b0000003b000000');
  });
});

describe('pcap writer → reader round trip', () => {
  const cases: Array<[ByteOrder, PcapTimestampResolution]> = [
    ['le', 'ns'],
    ['be', 'ns'],
    ['le', 'us'],
    ['be', 'us'],
  ];
  for (const [byteOrder, resolution] of cases) {
    it(`${byteOrder} ${resolution}: lengths, timestamps and bytes survive`, () => {
      const rng = new Rng(7);
      const snaplenBytes = 1500;
      const w = new PcapWriter({ byteOrder, resolution, snaplenBytes });
      const sent: Array<{ ts: bigint; frame: Uint8Array }> = [];
      let ts = 0n;
      for (let i = 0; i < 300; i++) {
        ts += BigInt(rng.nextU32()) * 997n;
        const frame = randomFrame(rng, 3000);
        sent.push({ ts, frame });
        // Alternate number and bigint input for the same kind of value.
        w.writePacket(i % 2 === 0 && ts <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ts) : ts, frame);
      }
      const file = w.finish();
      expect(file.length).toBe(w.lengthBytes);
      const read = readPcap(file);
      expect(read.header).toMatchObject({ byteOrder, resolution, snaplenBytes, linkType: LINKTYPE_ETHERNET, versionMajor: 2, versionMinor: 4 });
      expect(read.header.fcsLengthBytes).toBeNull();
      expect(read.records.length).toBe(300);
      read.records.forEach((r, i) => {
        const { ts: sentTs, frame } = sent[i];
        expect(r.timestampNs).toBe(resolution === 'ns' ? sentTs : (sentTs / 1000n) * 1000n);
        expect(r.originalLengthBytes).toBe(frame.length);
        expect(r.capturedLengthBytes).toBe(Math.min(frame.length, snaplenBytes));
        expect(toHex(r.data)).toBe(toHex(frame.subarray(0, snaplenBytes)));
      });
    });
  }

  it('number timestamps on second boundaries split exactly', () => {
    const w = new PcapWriter();
    const stamps = [0, 999_999_999, 1_000_000_000, 1_000_000_001, 9_007_198_999_999_999, 9_007_199_000_000_000, Number.MAX_SAFE_INTEGER];
    for (const t of stamps) w.writePacket(t, TCP_FULL);
    expect(readPcap(w.finish()).records.map((r) => r.timestampNs)).toEqual(stamps.map(BigInt));
  });

  it('an explicit orig_len is kept and a 64 KiB super-frame spans chunks intact', () => {
    const rng = new Rng(3);
    const big = randomFrame(rng, 1);
    const superFrame = new Uint8Array(65_000).map((_, i) => (i * 7) & 0xff);
    const w = new PcapWriter();
    w.writePacket(1, big, 1514);
    for (let i = 0; i < 5; i++) w.writePacket(2 + i, superFrame);
    const records = readPcap(w.finish()).records;
    expect(records[0].originalLengthBytes).toBe(1514);
    expect(records[0].capturedLengthBytes).toBe(1);
    for (const r of records.slice(1)) {
      expect(r.capturedLengthBytes).toBe(superFrame.length);
      expect(r.data.every((byte, i) => byte === superFrame[i])).toBe(true);
    }
    expect(w.chunks().length).toBeGreaterThan(1);
  });

  it('finish() is a snapshot; writing may continue', () => {
    const w = new PcapWriter();
    w.writePacket(1, TCP_FULL);
    const first = w.finish();
    w.writePacket(2, TCP_FULL);
    expect(readPcap(first).records.length).toBe(1);
    expect(readPcap(w.finish()).records.length).toBe(2);
    expect(w.packetCount).toBe(2);
  });
});

describe('pcap writer rejects bad input with PacketError', () => {
  it('timestamps', () => {
    const w = new PcapWriter();
    expectPacketError(() => w.writePacket(-1, TCP_FULL), 'malformed', 'timestampNs');
    expectPacketError(() => w.writePacket(1.5, TCP_FULL), 'malformed', 'timestampNs');
    expectPacketError(() => w.writePacket(Number.NaN, TCP_FULL), 'malformed', 'timestampNs');
    expectPacketError(() => w.writePacket(-1n, TCP_FULL), 'malformed', 'timestampNs');
    expectPacketError(() => w.writePacket(4_294_967_296n * 1_000_000_000n, TCP_FULL), 'unsupported', 'ts_sec');
    w.writePacket(4_294_967_295_999_999_999n, TCP_FULL);
    expect(readPcap(w.finish()).records[0].timestampNs).toBe(4_294_967_295_999_999_999n);
  });

  it('lengths and options', () => {
    const w = new PcapWriter();
    expectPacketError(() => w.writePacket(0, TCP_FULL, 10), 'malformed', 'orig_len');
    expectPacketError(() => new PcapWriter({ snaplenBytes: 0 }), 'unsupported', 'snaplen');
    expectPacketError(() => new PcapWriter({ linkType: 70000 }), 'malformed', 'linktype');
    expect(w.packetCount).toBe(0);
    expect(w.lengthBytes).toBe(24);
  });
});

describe('pcap reader rejects malformed files with PacketError', () => {
  const good = (() => {
    const w = new PcapWriter();
    w.writePacket(1, TCP_FULL);
    w.writePacket(2, TCP_FULL);
    return w.finish();
  })();

  it('short or foreign headers', () => {
    expectPacketError(() => readPcap(good.subarray(0, 23)), 'truncated');
    const bad = good.slice();
    bad[0] = 0x00;
    expectPacketError(() => readPcap(bad), 'malformed', 'magic');
    const v3 = good.slice();
    v3[4] = 3;
    expectPacketError(() => readPcap(v3), 'unsupported', 'version_major');
    expectPacketError(() => readPcap(hex('0a0d0d0a1c000000')), 'truncated');
  });

  it('cut records: every truncation point of the last record', () => {
    const secondRecordAt = 24 + 16 + 59;
    for (let cut = secondRecordAt + 1; cut < good.length; cut++) {
      expectPacketError(() => readPcap(good.subarray(0, cut)), 'truncated');
    }
    expect(readPcap(good.subarray(0, secondRecordAt)).records.length).toBe(1);
  });

  it('an absurd incl_len', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(24 + 8, 0x7fffffff, true);
    expectPacketError(() => readPcap(bad), 'malformed', 'incl_len');
  });

  it('reads µs big-endian, FCS bits and the modified (0xA1B2CD34) format', () => {
    const fcs = new PcapWriter({ byteOrder: 'be', resolution: 'us' }).finish();
    new DataView(fcs.buffer).setUint32(20, 0x44000001, false); // FCS present, 4 × 16 bits
    expect(readPcap(fcs).header).toMatchObject({ linkType: 1, fcsLengthBytes: 8, byteOrder: 'be', resolution: 'us' });

    const modified = hex(
      '34cdb2a1 0200 0400 00000000 00000000 ffff0000 01000000' +
        '02000000 07000000 03000000 05000000 01000000 0008 00 00' + // 24-octet record header
        'aabbcc',
    );
    const read = readPcap(modified);
    expect(read.header.resolution).toBe('us');
    expect(read.records).toHaveLength(1);
    expect(read.records[0]).toMatchObject({ timestampNs: 2_000_007_000n, capturedLengthBytes: 3, originalLengthBytes: 5 });
    expect(toHex(read.records[0].data)).toBe('aabbcc');
  });
});

describe('pcapng writer', () => {
  it('writes SHB, IDB (if_name, if_tsresol=9) and EPB byte for byte', () => {
    const w = new PcapngWriter({ application: 'OL' });
    const id = w.addInterface({ name: 'tap0' });
    w.writePacket(id, 0x1_0000_0002n, hex('aabbccddee'), { comment: 'x', direction: 'out' });
    const expected = hex(
      // SHB: type, length 36, BOM, 1.0, section length -1, shb_userappl "OL", endofopt, length
      '0a0d0d0a 28000000 4d3c2b1a 0100 0000 ffffffff ffffffff 0400 0200 4f4c0000 00000000 28000000' +
        // IDB: type 1, length 40, linktype 1, reserved, snaplen 262144, if_name "tap0", if_tsresol 9, endofopt
        '01000000 28000000 0100 0000 00000400 0200 0400 74617030 0900 0100 09000000 00000000 28000000' +
        // EPB: type 6, length 60, if 0, ts hi 1, ts lo 2, caplen 5, origlen 5, data + 3 pad,
        // opt_comment "x" + pad, epb_flags outbound, endofopt, length
        '06000000 3c000000 00000000 01000000 02000000 05000000 05000000 aabbccddee000000' +
        '0100 0100 78000000 0200 0400 02000000 00000000 3c000000',
    );
    expect(toHex(w.finish())).toBe(toHex(expected));
  });

  it('big-endian sections mirror the little-endian layout', () => {
    const w = new PcapngWriter({ byteOrder: 'be' });
    w.addInterface({ name: 'a' });
    w.writePacket(0, 1, hex('01'));
    expect(toHex(w.finish())).toBe(
      toHex(
        hex(
          '0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffff ffffffff 0000001c' +
            '00000001 00000028 0001 0000 00040000 0002 0001 61000000 0009 0001 09000000 00000000 00000028' +
            '00000006 00000024 00000000 00000000 00000001 00000001 00000001 01000000 00000024',
        ),
      ),
    );
  });

  it('64-bit nanosecond split matches bigint arithmetic', () => {
    const rng = new Rng(11);
    const stamps: bigint[] = [0n, 4_294_967_295n, 4_294_967_296n, 18_446_744_072_999_999_999n, 1_700_000_000_123_456_789n];
    for (let i = 0; i < 500; i++) {
      const hi = BigInt(rng.nextU32() % 4_294_967_295);
      stamps.push(((hi << 32n) | BigInt(rng.nextU32())) % 18_446_744_072_000_000_000n);
    }
    const w = new PcapngWriter();
    w.addInterface({ name: 'eth0' });
    for (const t of stamps) w.writePacket(0, t, TCP_FULL);
    const file = w.finish();
    const view = new DataView(file.buffer);
    let at = 28 + 40; // SHB without options, IDB with a 4-octet name
    for (const t of stamps) {
      expect(view.getUint32(at + 12, true)).toBe(Number(t >> 32n));
      expect(view.getUint32(at + 16, true)).toBe(Number(t & 0xffffffffn));
      at += view.getUint32(at + 4, true);
    }
    expect(readPcapng(file).packets.map((p) => p.timestampNs)).toEqual(stamps);
    expectPacketError(() => w.writePacket(0, 18_446_744_073_000_000_000n, TCP_FULL), 'unsupported', 'timestamp');
  });

  it('rejects unknown interfaces and bad lengths', () => {
    const w = new PcapngWriter();
    expectPacketError(() => w.writePacket(0, 0, TCP_FULL), 'invalid-state', 'interface id');
    w.addInterface({ name: 'x', snaplenBytes: 16 });
    expectPacketError(() => w.writePacket(0, 0, TCP_FULL, { originalLengthBytes: 15 }), 'malformed', 'original length');
    expectPacketError(() => w.addInterface({ name: 'y', snaplenBytes: 300000 }), 'unsupported', 'snaplen');
    expect(w.interfaceCount).toBe(1);
    expect(w.packetCount).toBe(0);
  });
});

describe('pcapng writer → reader round trip', () => {
  for (const byteOrder of ['le', 'be'] as const) {
    it(`${byteOrder}: interfaces, packets, comments and directions survive`, () => {
      const rng = new Rng(5);
      const w = new PcapngWriter({ byteOrder, application: 'Offload Lab', timeOriginNs: 1_700_000_000_000_000_000n });
      const tap = w.addInterface({ name: 'tap0', description: 'vm1 → host' });
      const wire = w.addInterface({ name: 'eth0', snaplenBytes: 128 });
      const sent: Array<{ iface: number; ts: bigint; frame: Uint8Array; comment?: string; direction: 'in' | 'out' | 'unknown' }> = [];
      for (let i = 0; i < 200; i++) {
        const iface = i % 3 === 0 ? wire : tap;
        const ts = BigInt(i) * 1_234_567n + BigInt(rng.nextU32() % 1000);
        const frame = randomFrame(rng, 2000);
        const comment = i % 4 === 0 ? `csum_start=${i} ✓` : undefined;
        const direction = (['in', 'out', 'unknown'] as const)[i % 3];
        sent.push({ iface, ts, frame, comment, direction });
        w.writePacket(iface, Number(ts), frame, { comment, direction });
      }
      const read = readPcapng(w.finish());
      expect(read).toMatchObject({ byteOrder, sectionCount: 1, application: 'Offload Lab' });
      expect(read.interfaces).toEqual([
        { sectionIndex: 0, linkType: 1, snaplenBytes: 262144, name: 'tap0', description: 'vm1 → host', tsResolution: { base: 10, exponent: 9 }, tsOffsetSec: 0n },
        { sectionIndex: 0, linkType: 1, snaplenBytes: 128, name: 'eth0', description: null, tsResolution: { base: 10, exponent: 9 }, tsOffsetSec: 0n },
      ]);
      expect(read.packets).toHaveLength(200);
      read.packets.forEach((p, i) => {
        const s = sent[i];
        const snap = s.iface === wire ? 128 : 262144;
        expect(p.interfaceIndex).toBe(s.iface);
        expect(p.timestampNs).toBe(1_700_000_000_000_000_000n + s.ts);
        expect(p.originalLengthBytes).toBe(s.frame.length);
        expect(p.capturedLengthBytes).toBe(Math.min(snap, s.frame.length));
        expect(toHex(p.data)).toBe(toHex(s.frame.subarray(0, snap)));
        expect(p.comments).toEqual(s.comment ? [s.comment] : []);
        expect(p.direction).toBe(s.direction);
      });
    });
  }

  it('two concatenated sections (mixed byte order) flatten their interfaces', () => {
    const a = new PcapngWriter();
    a.addInterface({ name: 'a0' });
    a.writePacket(0, 1, hex('01'));
    const b = new PcapngWriter({ byteOrder: 'be' });
    b.addInterface({ name: 'b0' });
    b.addInterface({ name: 'b1' });
    b.writePacket(1, 2, hex('0203'));
    const fa = a.finish();
    const fb = b.finish();
    const both = new Uint8Array(fa.length + fb.length);
    both.set(fa);
    both.set(fb, fa.length);
    const read = readPcapng(both);
    expect(read.sectionCount).toBe(2);
    expect(read.interfaces.map((i) => [i.name, i.sectionIndex])).toEqual([['a0', 0], ['b0', 1], ['b1', 1]]);
    expect(read.packets.map((p) => [p.interfaceIndex, p.timestampNs, toHex(p.data)])).toEqual([
      [0, 1n, '01'],
      [2, 2n, '0203'],
    ]);
  });

  it('reads µs (default), power-of-two resolutions and if_tsoffset; skips unknown blocks', () => {
    const file = hex(
      '0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffff ffffffff 1c000000' +
        // IDB without if_tsresol → µs, with if_tsoffset = 10 s
        '01000000 24000000 0100 0000 ffff0000 0e00 0800 0a00000000000000 00000000 24000000' +
        // IDB with if_tsresol = 0x83 → 1/8 s
        '01000000 1c000000 0100 0000 ffff0000 0900 0100 83000000 1c000000' +
        // an unknown custom block, 16 octets
        'ad0b0000 10000000 deadbeef 10000000' +
        // EPB on if 0, ts 3 → 10 s + 3 µs ; EPB on if 1, ts 12 → 1.5 s
        '06000000 24000000 00000000 00000000 03000000 01000000 01000000 aa000000 24000000' +
        '06000000 24000000 01000000 00000000 0c000000 01000000 01000000 bb000000 24000000',
    );
    const read = readPcapng(file);
    expect(read.interfaces.map((i) => i.tsResolution)).toEqual([{ base: 10, exponent: 6 }, { base: 2, exponent: 3 }]);
    expect(read.packets.map((p) => p.timestampNs)).toEqual([10_000_003_000n, 1_500_000_000n]);
  });
});

describe('pcapng reader rejects malformed files with PacketError', () => {
  const good = (() => {
    const w = new PcapngWriter();
    w.addInterface({ name: 'tap0' });
    w.writePacket(0, 5, TCP_FULL, { comment: 'hello' });
    return w.finish();
  })();
  const epbAt = 28 + 40;

  it('every truncation point fails as truncated or malformed, never with another exception', () => {
    for (let cut = 0; cut < good.length; cut++) {
      if (cut === epbAt || cut === 28) continue; // whole blocks: legitimately shorter files
      let caught: unknown = null;
      try {
        readPcapng(good.subarray(0, cut));
      } catch (err) {
        caught = err;
      }
      expect(caught, `cut at ${cut}`).toBeInstanceOf(PacketError);
      expect(['truncated', 'malformed']).toContain((caught as PacketError).code);
    }
    expect(readPcapng(good.subarray(0, epbAt)).packets).toHaveLength(0);
  });

  it('structural errors', () => {
    expectPacketError(() => readPcapng(set32(good, 0, 6)), 'malformed', 'block type');
    expectPacketError(() => readPcapng(set32(good, 8, 0x12345678)), 'malformed', 'byte-order magic');
    expectPacketError(() => readPcapng(set32(good, 4, 30)), 'malformed', 'block total length');
    expectPacketError(() => readPcapng(set32(good, 24, 32)), 'malformed', 'block total length'); // trailer differs
    expectPacketError(() => readPcapng(set32(good, epbAt + 8, 1)), 'malformed', 'interface id');
    expectPacketError(() => readPcapng(set32(good, epbAt + 20, 200)), 'truncated', 'packet data');
    expectPacketError(() => readPcapng(set32(good, epbAt, 3)), 'unsupported', 'block type');
    // opt_comment length larger than what is left of the block
    const commentAt = epbAt + 28 + 60;
    const longComment = good.slice();
    new DataView(longComment.buffer).setUint16(commentAt + 2, 400, true);
    expectPacketError(() => readPcapng(longComment), 'truncated', 'option');
    expectPacketError(() => readPcapng(set32(good, 28 + 24, 0x00020009)), 'malformed', 'if_tsresol');
  });
});

describe('ByteSink', () => {
  it('keeps writes across chunk boundaries in order', () => {
    const sink = new ByteSink(8, 16);
    for (let i = 0; i < 10; i++) {
      sink.ensure(6);
      sink.u16(i, false);
      sink.u32(0x01020304, true);
    }
    sink.ensure(20);
    sink.bytes(new Uint8Array(20).fill(9));
    expect(sink.lengthBytes).toBe(80);
    expect(sink.chunks().length).toBeGreaterThan(5);
    const all = sink.toBytes();
    for (let i = 0; i < 10; i++) expect(toHex(all.subarray(i * 6, i * 6 + 6))).toBe(`00${i.toString(16).padStart(2, '0')}04030201`);
    expect(all.subarray(60).every((b) => b === 9)).toBe(true);
  });
});

describe('readCaptureFile', () => {
  it('tells pcap from pcapng and flattens both to packets', () => {
    const classic = new PcapWriter({ byteOrder: 'be', resolution: 'us' });
    classic.writePacket(5_000, TCP_FULL);
    const ng = new PcapngWriter();
    ng.addInterface({ name: 'tap0' });
    ng.writePacket(0, 7, TCP_FULL, { comment: 'c', direction: 'in' });
    expect(readCaptureFile(classic.finish())).toEqual({
      format: 'pcap',
      packets: [{ timestampNs: 5_000n, originalLengthBytes: 59, data: TCP_FULL, linkType: 1, interfaceName: null, comments: [], direction: 'unknown' }],
    });
    expect(readCaptureFile(ng.finish())).toEqual({
      format: 'pcapng',
      packets: [{ timestampNs: 7n, originalLengthBytes: 59, data: TCP_FULL, linkType: 1, interfaceName: 'tap0', comments: ['c'], direction: 'in' }],
    });
  });

  it('refuses anything else with PacketError', () => {
    expectPacketError(() => readCaptureFile(hex('504b0304')), 'truncated');
    expectPacketError(() => readCaptureFile(hex('504b0304 00000000 00000000 00000000 00000000 00000000')), 'malformed', 'magic');
    expectPacketError(() => readCaptureFile(hex('0a0d')), 'truncated');
  });
});

function mutate(rng: Rng, src: Uint8Array): Uint8Array {
  const out = src.slice(0, src.length - (rng.nextU32() % 4 === 0 ? rng.nextU32() % src.length : 0));
  const edits = 1 + (rng.nextU32() % 4);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = rng.nextU32() % out.length;
    // Favour length-ish fields: small or huge values rather than uniform noise.
    const kind = rng.nextU32() % 3;
    out[at] = kind === 0 ? rng.nextU32() & 0xff : kind === 1 ? 0xff : rng.nextU32() & 0x0f;
  }
  return out;
}

describe('readers on mutated files throw only PacketError', () => {
  it('2000 mutations of a pcap and a pcapng file', () => {
    const rng = new Rng(99);
    const classic = new PcapWriter();
    const ng = new PcapngWriter({ application: 'fuzz' });
    ng.addInterface({ name: 'a', description: 'b' });
    ng.addInterface({ name: 'c' });
    for (let i = 0; i < 6; i++) {
      const f = randomFrame(rng, 90);
      classic.writePacket(i, f);
      ng.writePacket(i % 2, i, f, { comment: i % 2 ? 'x' : undefined, direction: 'in' });
    }
    const files = [classic.finish(), ng.finish()];
    const outcomes = { parsed: 0, rejected: 0 };
    for (let i = 0; i < 2000; i++) {
      const bad = mutate(rng, files[i & 1]);
      for (const read of [readPcap, readPcapng, readCaptureFile]) {
        try {
          read(bad);
          outcomes.parsed++;
        } catch (err) {
          if (!(err instanceof PacketError)) throw err;
          outcomes.rejected++;
        }
      }
    }
    expect(outcomes.rejected).toBeGreaterThan(1000);
    expect(outcomes.parsed).toBeGreaterThan(100);
  });
});
