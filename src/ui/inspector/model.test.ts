// Unit tests may use node:* (house rules): tshark opens the files the inspector downloads.
/* oxlint-disable no-restricted-imports */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../core/engine';
import { capturePointsOf, type CapturePointRef } from '../../core/protocol';
import { CaptureConsumer, CaptureProducer, FRAME_FLAG_TX, createCaptureRing, type FrameMeta } from '../../core/ring/frames';
import { findPreset } from '../../core/scenario/presets';
import { readPcap, readPcapng } from '../../core/packet/pcap';
import { IpSummed } from '../../core/packet/skb';
import { captureFile, checksumState, copyCapturedFrame, frameDetail, frameRow, hexRows, type InspectedFrame } from './model';
import type { CaptureAnnotation } from '../../core/packet/capture';

const TSHARK = (process.env.PATH ?? '')
  .split(delimiter)
  .map((d) => join(d, 'tshark'))
  .find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** Runs router-club for a few ms and returns what the page would copy out of the capture ring. */
function captureRun(filter: string[], untilNs: number): { frames: InspectedFrame[]; points: CapturePointRef[] } {
  const preset = findPreset('router-club')!;
  const engine = new Engine(preset.scenario, { seed: 1 });
  const points = capturePointsOf(preset.scenario);
  const index = new Map(points.map((p, i) => [`${p.node}/${p.iface}/${p.dir}`, i]));
  const buffers = createCaptureRing(4096, 1 << 24, false);
  const producer = new CaptureProducer(buffers);
  const consumer = new CaptureConsumer(buffers);
  engine.captureFilter = filter;
  engine.onCapture = (point, frame, skb, tNs) => {
    producer.capture(tNs, index.get(`${point.node}/${point.iface}/${point.dir}`)!, frame, skb as FrameMeta, point.dir === 'tx' ? FRAME_FLAG_TX : 0);
  };
  const frames: InspectedFrame[] = [];
  for (let t = 1e6; t <= untilNs; t += 1e6) {
    engine.runUntil(t);
    producer.flush();
    consumer.drain((f) => frames.push(copyCapturedFrame(f, frames.length + 1, points)));
  }
  return { frames, points };
}

let run: { frames: InspectedFrame[]; points: CapturePointRef[] };
beforeAll(() => {
  run = captureRun(['r1/eth0', 'vm1/eth0/tx'], 6e6);
});

const dir = mkdtempSync(join(tmpdir(), 'offload-lab-inspector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inspector model over real engine captures (router-club)', () => {
  it('copies frames with their point, direction and skb metadata', () => {
    expect(run.frames.length).toBeGreaterThan(10);
    const labels = new Set(run.frames.map((f) => `${f.point?.node}/${f.point?.iface}/${f.point?.dir}`));
    expect([...labels].every((l) => l === 'vm1/eth0/tx' || l.startsWith('r1/eth0/'))).toBe(true);
    for (const f of run.frames) expect(f.tx).toBe(f.point?.dir === 'tx');
    // The sender hands the stack 64 KiB super-frames with a partial checksum.
    const sent = run.frames.filter((f) => f.point?.node === 'vm1' && f.gsoSize > 0);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((f) => f.ipSummed === IpSummed.PARTIAL && f.bytes.length > 1514)).toBe(true);
  });

  it('a super-frame: partial checksum (pseudo-header), vnet header with NEEDS_CSUM and GSO, segments on the wire with final checksums', () => {
    const f = run.frames.find((x) => x.point?.node === 'vm1' && x.gsoSize > 0 && !x.truncated)!;
    const row = frameRow(f);
    expect(row.checksum).toBe('partial');
    expect(row.gso).toMatch(/^gso \d+ × \d+$/);
    expect(row.summary).toMatch(/^IP \d+\.\d+\.\d+\.\d+\.\d+ > .*Flags \[/);
    const d = frameDetail(f);
    expect(d.problems).toEqual([]);
    expect(d.ipSummed).toBe('CHECKSUM_PARTIAL');
    expect(d.annotation?.l4?.pendingOffload).toBe(true);
    expect(d.annotation?.l4?.verdict).toBe('incorrect');
    expect(d.tcpdump?.comment).toContain('completed by the device');
    expect(d.tcpdump?.lengthBytes).toBe(f.bytes.length);
    expect('hdr' in d.vnet && d.vnet.hdr.flags & 1).toBe(1);
    expect('hdr' in d.vnet && d.vnet.hdr.gsoSizeBytes).toBe(f.gsoSize);
    expect('bytes' in d.vnet && d.vnet.bytes.length).toBe(12);
    expect(d.wire.length).toBe(d.annotation!.gso!.segments);
    expect(d.wire.length).toBeGreaterThan(1);
    expect(d.wire.every((w) => w.checksum === 'verified' && w.lengthBytes <= 1514)).toBe(true);
    // Each segment carries its own final checksum; none is the pseudo-header value of the super-frame.
    expect(new Set(d.wire.map((w) => w.checksumValue)).size).toBeGreaterThan(1);
    expect(d.wire.some((w) => w.checksumValue === d.annotation!.l4!.fieldValue)).toBe(false);
    const field = d.checksumField!;
    expect(field.layer).toBe('tcp');
    expect((f.bytes[field.offset] << 8) | f.bytes[field.offset + 1]).toBe(d.annotation!.l4!.fieldValue);
  });

  it('a small frame sent without offload state is verified and one wire frame', () => {
    const acks = run.frames.filter((x) => x.point?.node === 'r1' && x.gsoSize === 0 && x.bytes.length < 200);
    expect(acks.length).toBeGreaterThan(0);
    for (const f of acks) {
      const d = frameDetail(f);
      expect(d.wire).toHaveLength(1);
      expect(['verified', 'partial', 'trusted']).toContain(d.checksum);
    }
  });

  it('hex rows cover the asked range in rows of 16', () => {
    const f = run.frames[0];
    const rows = hexRows(f.bytes, 0, 54);
    expect(rows).toHaveLength(4);
    expect(rows[3].cells).toHaveLength(54 - 48);
    expect(rows[0].cells[12] + rows[0].cells[13]).toBe('0800');
  });

  it('pcap and pcapng files read back with every frame, timestamp and length', () => {
    const pcap = readPcap(captureFile(run.frames, 'pcap', run.points));
    expect(pcap.records).toHaveLength(run.frames.length);
    expect(pcap.records[3].data).toEqual(run.frames[3].bytes);
    const ng = readPcapng(captureFile(run.frames, 'pcapng', run.points));
    expect(ng.packets).toHaveLength(run.frames.length);
    expect(ng.interfaces.map((i) => i.name).toSorted()).toEqual(['r1:eth0', 'vm1:eth0']);
  });

  it.skipIf(!TSHARK)('tshark opens both files: every frame, TCP decoded, the super-frame checksum flagged, comments carried', () => {
    const pcapPath = join(dir, 'cap.pcap');
    writeFileSync(pcapPath, captureFile(run.frames, 'pcap', run.points));
    const out = execFileSync(TSHARK!, ['-r', pcapPath, '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.len', '-e', 'tcp.checksum.status'], { encoding: 'utf8' });
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(run.frames.length);
    lines.forEach((line, i) => expect(Number(line.split('\t')[0])).toBe(run.frames[i].origLengthBytes));
    const superIdx = run.frames.findIndex((x) => x.gsoSize > 0 && !x.truncated);
    // Wireshark flags the pseudo-header-only checksum of a partial frame as bad (status 0), like tcpdump.
    expect(lines[superIdx].split('\t')[1]).toBe('0');
    const ngPath = join(dir, 'cap.pcapng');
    writeFileSync(ngPath, captureFile(run.frames, 'pcapng', run.points));
    const ng = execFileSync(TSHARK!, ['-r', ngPath, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.comment'], { encoding: 'utf8' }).trimEnd().split('\n');
    expect(ng).toHaveLength(run.frames.length);
    expect(ng[superIdx]).toMatch(/^vm1:eth0\tip_summed=CHECKSUM_PARTIAL.*gso_size=/);
  });

  it.skipIf(!TSHARK)('the wire view: every super-frame segmented, every TCP checksum good in tshark, no frame above the MTU', () => {
    const segments = run.frames.reduce((n, f) => n + frameDetail(f).wire.length, 0);
    expect(segments).toBeGreaterThan(run.frames.length);
    for (const kind of ['pcap', 'pcapng'] as const) {
      const path = join(dir, `wire.${kind}`);
      writeFileSync(path, captureFile(run.frames, kind, run.points, 'wire'));
      const out = execFileSync(TSHARK!, ['-r', path, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.len', '-e', 'tcp.checksum.status', '-e', 'ip.checksum.status'], { encoding: 'utf8' });
      const rows = out.trimEnd().split('\n').map((l) => l.split('\t'));
      expect(rows).toHaveLength(segments);
      for (const [len, tcp, ip] of rows) {
        expect(Number(len)).toBeLessThanOrEqual(1514);
        expect(tcp).toBe('1');
        expect(ip).toBe('1');
      }
    }
  });
});

const ann = (ipSummed: number, verdict: 'correct' | 'incorrect' | 'absent', pendingOffload = false): CaptureAnnotation => ({
  ipSummed: ipSummed as CaptureAnnotation['ipSummed'],
  partial: null,
  gso: null,
  ipHeaderChecksum: 'good',
  l4: { protocol: 'tcp', fieldValue: 1, correctValue: verdict === 'correct' ? 1 : 2, verdict, pendingOffload },
});
describe('checksum state', () => {
  it('names what the stack does with the field', () => {
    expect(checksumState(ann(IpSummed.PARTIAL, 'incorrect', true))).toBe('partial');
    expect(checksumState(ann(IpSummed.PARTIAL, 'incorrect', false))).toBe('bad');
    expect(checksumState(ann(IpSummed.UNNECESSARY, 'incorrect'))).toBe('trusted');
    expect(checksumState(ann(IpSummed.UNNECESSARY, 'correct'))).toBe('trusted');
    expect(checksumState(ann(IpSummed.NONE, 'correct'))).toBe('verified');
    expect(checksumState(ann(IpSummed.NONE, 'incorrect'))).toBe('bad');
    expect(checksumState(ann(IpSummed.COMPLETE, 'absent'))).toBe('absent');
    expect(checksumState({ ...ann(IpSummed.NONE, 'correct'), l4: null })).toBe('none');
  });
});
