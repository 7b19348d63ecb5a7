/**
 * Cross-checks the capture writers against Wireshark's own dissectors: files written by PcapWriter /
 * PcapngWriter are opened with tshark, which verifies IPv4/TCP/UDP checksums and reports timestamps.
 * tshark missing ⇒ skipped with a message locally, a failure when CI is set.
 */
// Unit tests may use node:* (house rules); .oxlintrc.json's src/core override does not exempt *.test.ts yet.
/* oxlint-disable no-restricted-imports */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PcapWriter, PcapngWriter, readCaptureFile, readPcap, readPcapng, type TimestampNs } from './pcap';
import { CaptureRecorder, annotateCapture, type L4ChecksumVerdict } from './capture';
import { buildTcpFrame, buildUdpFrame, type ChecksumMode } from './frame';
import { IpSummed, SKB_GSO_TCPV4, SKB_GSO_TCPV6, SKB_GSO_UDP_L4, createSkb, type Skb } from './skb';
import { Rng } from '../rng';

function findTool(name: string, override: string | undefined): string | null {
  const candidates = override ? [override] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

const TSHARK = findTool('tshark', process.env.TSHARK);
const TCPDUMP = findTool('tcpdump', process.env.TCPDUMP);
// editcap ships with tshark (wireshark-common); used to re-write our files with Wireshark's own writers.
const EDITCAP = findTool('editcap', process.env.EDITCAP);
const IN_CI = Boolean(process.env.CI);
if (!TSHARK && !IN_CI) {
  console.warn('pcap.tshark.test.ts: tshark not found on PATH — skipping the Wireshark cross-checks (set CI=1 to make this a failure).');
}

/** Wireshark's proto_checksum_enum_e, as -T fields prints it. */
const CHECKSUM_BAD = '0';
const CHECKSUM_GOOD = '1';
const CHECKSUM_UNVERIFIED = '2';
const CHECKSUM_NOT_PRESENT = '3';

const dir = mkdtempSync(join(tmpdir(), 'offload-lab-pcap-'));
afterAll(() => {
  if (process.env.KEEP_CAPTURES) console.warn(`pcap.tshark.test.ts: captures kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
});

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Runs tshark with checksum validation on and returns one record (field name → text) per frame. */
function tsharkFields(path: string, fields: string[], validate = true): Array<Record<string, string>> {
  if (!TSHARK) throw new Error('tshark is not installed but CI is set: the capture cross-check must run in CI');
  const prefs = validate ? ['-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE'] : [];
  const out = execFileSync(TSHARK, ['-n', '-r', path, ...prefs, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  return out
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const values = line.split('\t');
      return Object.fromEntries(fields.map((f, i) => [f, values[i] ?? '']));
    });
}

const hex = (h: string): Uint8Array => Uint8Array.from(h.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Expected epoch text for a ns timestamp, the way tshark prints a nanosecond file. */
const epochText = (ns: bigint): string => `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;

// Reference vectors: §2.3 (TCP, partial and completed), §2.4 (UDP), §5.4 (TSO super-packet and segments).
const ETH = hex('525400123456525400abcdef0800');
const TCP_PARTIAL = hex('525400123456525400abcdef08004500002d1c46400040069b16c0a8010ac0a801149c400050000003e8000007d05018faf0838e000068656c6c6f');
const TCP_FULL = hex('525400123456525400abcdef08004500002d1c46400040069b16c0a8010ac0a801149c400050000003e8000007d05018faf0454d000068656c6c6f');
const UDP_FULL = hex('525400123456525400abcdef08004500002000014000ff11f85cc0a8010ac0a8011414e914e9000c73c470696e67');
const UDP_PARTIAL = hex('525400123456525400abcdef08004500002000014000ff11f85cc0a8010ac0a8011414e914e9000c838c70696e67');
const TSO_PAYLOAD = Uint8Array.from({ length: 4000 }, (_, k) => k % 256);
const TSO_SUPER_PARTIAL = concat(ETH, hex('45000fc812344000400695 8dc0a8010ac0a80114'), hex('9c400050000000010000000150 1801f693290000'), TSO_PAYLOAD);
const TSO_SEG0_FULL = concat(ETH, hex('450005d01234400040069f85c0a8010ac0a80114'), hex('9c4000500000000100000001501001f66f4b0000'), TSO_PAYLOAD.subarray(0, 1448));
const TSO_SEG2_PARTIAL = concat(ETH, hex('45000478123640004006a0dbc0a8010ac0a80114'), hex('9c40005000000b5100000001501801f687d90000'), TSO_PAYLOAD.subarray(2896));

function corruptPayload(frame: Uint8Array): Uint8Array {
  const c = frame.slice();
  c[c.length - 1] ^= 0x01;
  return c;
}

function corruptIpChecksum(frame: Uint8Array): Uint8Array {
  const c = frame.slice();
  c[14 + 11] ^= 0x40;
  return c;
}

interface Case {
  label: string;
  frame: Uint8Array;
  ts: TimestampNs;
  ip: string;
  tcp: string;
  udp: string;
  /** What Wireshark computes the L4 checksum should be (hex, e.g. '0x454d'), when we know it. */
  l4Calculated?: string;
  ipLen: string;
}

const G = CHECKSUM_GOOD;
const B = CHECKSUM_BAD;
const CASES: Case[] = [
  { label: 'TCP completed (§2.3)', frame: TCP_FULL, ts: 1_700_000_000_250_000_000n, ip: G, tcp: G, udp: '', ipLen: '45' },
  { label: 'TCP CHECKSUM_PARTIAL (§2.3)', frame: TCP_PARTIAL, ts: 1_700_000_000_250_000_001n, ip: G, tcp: B, udp: '', l4Calculated: '0x454d', ipLen: '45' },
  { label: 'UDP completed (§2.4)', frame: UDP_FULL, ts: 0, ip: G, tcp: '', udp: G, ipLen: '32' },
  { label: 'UDP CHECKSUM_PARTIAL (§2.4)', frame: UDP_PARTIAL, ts: 999_999_999, ip: G, tcp: '', udp: B, l4Calculated: '0x73c4', ipLen: '32' },
  { label: 'TCP payload corrupted after checksumming', frame: corruptPayload(TCP_FULL), ts: 1_000_000_000, ip: G, tcp: B, udp: '', ipLen: '45' },
  { label: 'IPv4 header checksum corrupted', frame: corruptIpChecksum(TCP_FULL), ts: Number.MAX_SAFE_INTEGER, ip: B, tcp: G, udp: '', ipLen: '45' },
  { label: 'TSO super-packet, partial (§5.4)', frame: TSO_SUPER_PARTIAL, ts: 4_294_967_295_999_999_999n, ip: G, tcp: B, udp: '', ipLen: '4040' },
  { label: 'TSO segment 0 completed (§5.4)', frame: TSO_SEG0_FULL, ts: 12_345, ip: G, tcp: G, udp: '', l4Calculated: '0x6f4b', ipLen: '1488' },
  { label: 'TSO segment 2 left partial (§5.4)', frame: TSO_SEG2_PARTIAL, ts: 12_346, ip: G, tcp: B, udp: '', l4Calculated: '0xd263', ipLen: '1144' },
];

const FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.len',
  'ip.len',
  'ip.checksum.status',
  'tcp.checksum.status',
  'udp.checksum.status',
  'tcp.checksum_calculated',
  'udp.checksum_calculated',
];

function expectCases(rows: Array<Record<string, string>>): void {
  expect(rows).toHaveLength(CASES.length);
  CASES.forEach((c, i) => {
    const row = rows[i];
    const msg = `frame ${i + 1}: ${c.label}`;
    expect(row['frame.number'], msg).toBe(String(i + 1));
    expect(row['frame.time_epoch'], msg).toBe(epochText(BigInt(c.ts)));
    expect(row['frame.len'], msg).toBe(String(c.frame.length));
    expect(row['ip.len'], msg).toBe(c.ipLen);
    expect(row['ip.checksum.status'], msg).toBe(c.ip);
    expect(row['tcp.checksum.status'], msg).toBe(c.tcp);
    expect(row['udp.checksum.status'], msg).toBe(c.udp);
    if (c.l4Calculated) expect(row[c.tcp ? 'tcp.checksum_calculated' : 'udp.checksum_calculated'], msg).toBe(c.l4Calculated);
  });
}

describe.skipIf(!TSHARK && !IN_CI)('pcap files read back by tshark', () => {
  it('pcap (ns, little-endian): Good / Bad checksum verdicts, super-frame lengths and exact ns timestamps', () => {
    const w = new PcapWriter();
    for (const c of CASES) w.writePacket(c.ts, c.frame);
    expectCases(tsharkFields(writeTemp('cases-le.pcap', w.finish()), FIELDS));
  });

  it('pcap big-endian reads the same', () => {
    const w = new PcapWriter({ byteOrder: 'be' });
    for (const c of CASES) w.writePacket(c.ts, c.frame);
    expectCases(tsharkFields(writeTemp('cases-be.pcap', w.finish()), FIELDS));
  });

  it('without checksum validation tshark reports every checksum as unverified (the verdicts above are real checks)', () => {
    const w = new PcapWriter();
    w.writePacket(0, TCP_PARTIAL);
    const [row] = tsharkFields(writeTemp('unverified.pcap', w.finish()), ['tcp.checksum.status'], false);
    expect(row['tcp.checksum.status']).toBe(CHECKSUM_UNVERIFIED);
  });

  it('µs pcap: timestamps truncated to microseconds, snaplen cuts the super-frame but frame.len keeps it', () => {
    const w = new PcapWriter({ resolution: 'us', snaplenBytes: 1514 });
    w.writePacket(1_700_000_000_250_000_999n, TSO_SUPER_PARTIAL);
    const [row] = tsharkFields(writeTemp('us.pcap', w.finish()), ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'ip.len']);
    expect(row).toEqual({ 'frame.time_epoch': '1700000000.250000000', 'frame.len': '4054', 'frame.cap_len': '1514', 'ip.len': '4040' });
  });

  it('pcapng: same verdicts, interface names, comments and directions', () => {
    const w = new PcapngWriter({ application: 'Offload Lab test' });
    const tap = w.addInterface({ name: 'tap0', description: 'vm1 vnet' });
    const wire = w.addInterface({ name: 'eth0' });
    CASES.forEach((c, i) => {
      w.writePacket(i % 2 === 0 ? tap : wire, c.ts, c.frame, { comment: `case ${i + 1}: ${c.label}`, direction: i % 2 === 0 ? 'out' : 'in' });
    });
    const path = writeTemp('cases.pcapng', w.finish());
    expectCases(tsharkFields(path, FIELDS));
    const meta = tsharkFields(path, ['frame.interface_name', 'frame.comment', 'frame.packet_flags_direction']);
    meta.forEach((row, i) => {
      expect(row['frame.interface_name']).toBe(i % 2 === 0 ? 'tap0' : 'eth0');
      expect(row['frame.comment']).toBe(`case ${i + 1}: ${CASES[i].label}`);
      expect(row['frame.packet_flags_direction']).toBe(i % 2 === 0 ? '0x00000002' : '0x00000001');
    });
  });

  it('pcapng big-endian with a time origin', () => {
    const origin = 1_700_000_000_000_000_000n;
    const w = new PcapngWriter({ byteOrder: 'be', timeOriginNs: origin });
    w.addInterface({ name: 'veth0' });
    w.writePacket(0, 1, TCP_FULL);
    w.writePacket(0, 1_500_000_000, UDP_PARTIAL);
    const rows = tsharkFields(writeTemp('be.pcapng', w.finish()), ['frame.time_epoch', 'tcp.checksum.status', 'udp.checksum.status']);
    expect(rows).toEqual([
      { 'frame.time_epoch': epochText(origin + 1n), 'tcp.checksum.status': G, 'udp.checksum.status': '' },
      { 'frame.time_epoch': epochText(origin + 1_500_000_000n), 'tcp.checksum.status': '', 'udp.checksum.status': B },
    ]);
  });
});

/** A random TCP/UDP skb over IPv4 or IPv6: full, partial or absent checksum; a third of the partial ones GSO. */
function randomSkb(rng: Rng, i: number): { frame: Uint8Array; skb: Skb } {
  const v6 = rng.nextU32() % 3 === 0;
  const tcp = rng.nextU32() % 3 !== 0;
  const modes: ChecksumMode[] = tcp || v6 ? ['full', 'partial'] : ['full', 'partial', 'none'];
  const checksum = modes[rng.nextU32() % modes.length];
  const gso = checksum === 'partial' && rng.nextU32() % 3 === 0;
  const payloadLength = gso ? 3000 + (rng.nextU32() % 20000) : rng.nextU32() % 1400;
  const common = {
    srcIp: v6 ? 'fd00::10' : '10.1.0.10',
    dstIp: v6 ? 'fd00::20' : '10.2.0.20',
    ipId: rng.nextU32() & 0xffff,
    srcPort: 1024 + (rng.nextU32() % 60000),
    dstPort: 1 + (rng.nextU32() % 1000),
    payloadLength,
    payloadSeed: i,
    checksum,
  };
  const frame = tcp ? buildTcpFrame({ ...common, seq: rng.nextU32(), ack: rng.nextU32(), window: 65535 }) : buildUdpFrame(common);
  const l4 = v6 ? 54 : 34;
  const skb = createSkb({ len: frame.length, networkHeader: 14, transportHeader: l4 });
  if (checksum === 'partial') {
    skb.ipSummed = IpSummed.PARTIAL;
    skb.csumStart = l4;
    skb.csumOffset = tcp ? 16 : 6;
  }
  if (gso) {
    skb.gsoSize = 500 + (rng.nextU32() % 900); // segments fit a 1500-octet MTU
    skb.gsoType = tcp ? (v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4) : SKB_GSO_UDP_L4;
  }
  return { frame, skb };
}

const VERDICT_STATUS: Record<L4ChecksumVerdict, string> = { correct: CHECKSUM_GOOD, incorrect: CHECKSUM_BAD, absent: CHECKSUM_NOT_PRESENT };

describe.skipIf(!TSHARK && !IN_CI)('capture views read back by tshark', () => {
  it('tcpdump view: Wireshark\'s verdict and computed checksum agree with annotateCapture; wire view: all Good', () => {
    const rng = new Rng(2026);
    const rec = new CaptureRecorder({ timeOriginNs: 1_700_000_000_000_000_000n });
    const tap = rec.addPoint({ name: 'vm1:tap0', view: 'tcpdump' });
    const eth = rec.addPoint({ name: 'host:eth0', view: 'wire', lineRateBitsPerSec: 25e9 });
    const expected: Array<{ iface: string; l4Status: string; calculated: string; ipLen: string }> = [];
    let partialSeen = 0;
    let gsoSeen = 0;
    for (let i = 0; i < 60; i++) {
      const { frame, skb } = randomSkb(rng, i);
      const a = annotateCapture(frame, skb);
      if (a.l4?.pendingOffload) partialSeen++;
      if (a.gso) gsoSeen++;
      rec.capture(tap, i * 100_000, frame, skb, 'out');
      const ipLen = String(frame.length - 14);
      expected.push({ iface: 'vm1:tap0', l4Status: VERDICT_STATUS[a.l4!.verdict], calculated: a.l4!.verdict === 'absent' ? '' : `0x${a.l4!.correctValue.toString(16).padStart(4, '0')}`, ipLen });
      const segments = rec.capture(eth, i * 100_000 + 50_000, frame, skb, 'out');
      for (let k = 0; k < segments; k++) expected.push({ iface: 'host:eth0', l4Status: a.l4!.verdict === 'absent' ? CHECKSUM_NOT_PRESENT : CHECKSUM_GOOD, calculated: '', ipLen: '' });
    }
    expect(partialSeen).toBeGreaterThan(10);
    expect(gsoSeen).toBeGreaterThan(3);
    const file = rec.finish();
    const rows = tsharkFields(writeTemp('views.pcapng', file), [
      'frame.interface_name',
      'frame.time_epoch',
      'ip.checksum.status',
      'tcp.checksum.status',
      'udp.checksum.status',
      'tcp.checksum_calculated',
      'udp.checksum_calculated',
      'ip.len',
      'ipv6.plen',
    ]);
    const packets = readPcapng(file).packets;
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => {
      const e = expected[i];
      const msg = `frame ${i + 1} on ${e.iface}`;
      expect(row['frame.interface_name'], msg).toBe(e.iface);
      expect(row['frame.time_epoch'], msg).toBe(epochText(packets[i].timestampNs));
      expect(row['ip.checksum.status'] === '' || row['ip.checksum.status'] === CHECKSUM_GOOD, msg).toBe(true);
      expect(row['tcp.checksum.status'] || row['udp.checksum.status'], msg).toBe(e.l4Status);
      if (e.iface === 'vm1:tap0') {
        if (e.calculated) expect(row['tcp.checksum_calculated'] || row['udp.checksum_calculated'], msg).toBe(e.calculated);
        // Super-frames stay whole: the IP length Wireshark reads is the whole super-frame's.
        const len = row['ip.len'] ? Number(row['ip.len']) : Number(row['ipv6.plen']) + 40;
        expect(String(len), msg).toBe(e.ipLen);
      } else {
        expect(Number(row['ip.len'] || Number(row['ipv6.plen']) + 40), msg).toBeLessThanOrEqual(1500);
      }
    });
  });
});

function editcap(input: string, format: string, output: string): Uint8Array {
  if (!EDITCAP) throw new Error('editcap is not installed but CI is set: the capture cross-check must run in CI');
  const path = join(dir, output);
  execFileSync(EDITCAP, ['-F', format, input, path], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  return new Uint8Array(readFileSync(path));
}

describe.skipIf(!EDITCAP && !IN_CI)('files re-written by Wireshark (editcap) read back by our readers', () => {
  const origin = 1_700_000_000_000_000_000n;
  const frames = CASES.map((c) => c.frame);
  const stamps = CASES.map((_, i) => origin + BigInt(i) * 1_000_001_001n);
  const source = (): string => {
    const w = new PcapngWriter();
    w.addInterface({ name: 'tap0' });
    frames.forEach((f, i) => w.writePacket(0, stamps[i], f, { comment: `n${i}` }));
    return writeTemp('editcap-src.pcapng', w.finish());
  };

  it('pcapng → nanosecond pcap, µs pcap and modified pcap', () => {
    const src = source();
    const ns = readPcap(editcap(src, 'nsecpcap', 'e.nsec.pcap'));
    expect(ns.header.resolution).toBe('ns');
    expect(ns.records.map((r) => r.timestampNs)).toEqual(stamps);
    expect(ns.records.map((r) => r.data)).toEqual(frames);
    const us = readPcap(editcap(src, 'pcap', 'e.us.pcap'));
    expect(us.header.resolution).toBe('us');
    expect(us.records.map((r) => r.timestampNs)).toEqual(stamps.map((t) => (t / 1000n) * 1000n));
    const mod = readPcap(editcap(src, 'modpcap', 'e.mod.pcap'));
    expect(mod.records.map((r) => r.data)).toEqual(frames);
  });

  it('our pcap → Wireshark pcapng (its own SHB/IDB options) → readPcapng / readCaptureFile', () => {
    const w = new PcapWriter();
    frames.forEach((f, i) => w.writePacket(stamps[i], f));
    const ng = editcap(writeTemp('e-src.pcap', w.finish()), 'pcapng', 'e.pcapng');
    const read = readPcapng(ng);
    expect(read.interfaces).toHaveLength(1);
    expect(read.interfaces[0].tsResolution).toEqual({ base: 10, exponent: 9 });
    expect(read.packets.map((p) => p.timestampNs)).toEqual(stamps);
    expect(read.packets.map((p) => p.data)).toEqual(frames);
    expect(readCaptureFile(ng).packets.map((p) => p.originalLengthBytes)).toEqual(frames.map((f) => f.length));
  });
});

describe.skipIf(!TCPDUMP)('pcap files read back by tcpdump (optional)', () => {
  it('prints the partial checksum as incorrect -> 0x454d, the completed one as correct', () => {
    const w = new PcapWriter({ resolution: 'us' });
    w.writePacket(1_700_000_000_250_000_000n, TCP_FULL);
    w.writePacket(1_700_000_000_250_001_000n, TCP_PARTIAL);
    const out = execFileSync(TCPDUMP!, ['-nn', '-vv', '-r', writeTemp('tcpdump.pcap', w.finish())], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toContain('cksum 0x454d (correct)');
    expect(out).toContain('cksum 0x838e (incorrect -> 0x454d)');
  });
});
