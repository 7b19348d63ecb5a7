import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { finishPartialChecksum, foldSum, ipv4HeaderChecksum, pseudoHeaderSumV4, pseudoHeaderSumV6, verifyL4Checksum } from './checksum';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, buildTcpFrame, buildUdpFrame, parseFrame } from './frame';
import type { ParsedFrame } from './frame';
import { GroQueue } from './gro';
import type { GroPacket } from './gro';
import { segment, segmentTcp, segmentUdp } from './gso';
import { PacketError } from './errors';
import { IpSummed, SKB_GSO_TCP_ECN, SKB_GSO_TCP_FIXEDID, SKB_GSO_TCPV4, SKB_GSO_TCPV6, SKB_GSO_UDP_L4, createSkb } from './skb';
import type { Skb } from './skb';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface Case {
  superFrame: Uint8Array;
  skb: Skb;
  v6: boolean;
  mss: number;
  payloadBytes: number;
  df: boolean;
  mangleId: boolean;
  deviceChecksum: boolean;
  flags: number;
}

function randomTcpCase(rng: Rng): Case {
  const v6 = rng.int(2) === 1;
  const vlan = rng.int(4) === 0;
  const withTs = rng.int(2) === 1;
  const tcpHeaderBytes = withTs ? 32 : 20;
  const ipHeaderBytes = v6 ? 40 : 20;
  // IPv4 tot_len ≤ 65535; the merged IPv6 packet (40 + payload length) must also stay below GRO's 65536.
  const maxPayload = 65535 - ipHeaderBytes - tcpHeaderBytes;
  const payloadBytes = rng.int(4) === 0 ? 1 + rng.int(3000) : 1 + rng.int(maxPayload);
  const mss = rng.int(3) === 0 ? 1448 : 200 + rng.int(8800);
  let flags = TCP_ACK;
  if (rng.int(2)) flags |= TCP_PSH;
  if (rng.int(5) === 0) flags |= TCP_FIN;
  if (rng.int(4) === 0) flags |= TCP_CWR;
  if (rng.int(4) === 0) flags |= TCP_ECE;
  const df = rng.int(4) !== 0;
  const fixedId = df && rng.int(4) === 0;
  const l3 = vlan ? 18 : 14;
  const l4 = l3 + ipHeaderBytes;
  const superFrame = buildTcpFrame({
    srcIp: v6 ? Uint8Array.from(rng.bytes(16)) : Uint8Array.from(rng.bytes(4)),
    dstIp: v6 ? Uint8Array.from(rng.bytes(16)) : Uint8Array.from(rng.bytes(4)),
    vlanTci: vlan ? rng.int(4096) : undefined,
    ipId: rng.int(65536),
    dontFragment: df,
    ttl: 1 + rng.int(255),
    tos: rng.int(256),
    flowLabel: v6 ? rng.int(1 << 20) : undefined,
    srcPort: rng.int(65536),
    dstPort: rng.int(65536),
    seq: rng.nextU32(),
    ack: rng.nextU32(),
    flags,
    window: rng.int(65536),
    options: withTs ? { timestamps: { value: rng.nextU32(), echo: rng.nextU32() } } : undefined,
    payload: rng.bytes(payloadBytes),
    checksum: 'partial',
  });
  let gsoType = v6 ? SKB_GSO_TCPV6 : SKB_GSO_TCPV4;
  if (flags & TCP_CWR) gsoType |= SKB_GSO_TCP_ECN;
  if (fixedId) gsoType |= SKB_GSO_TCP_FIXEDID;
  const skb = createSkb({
    len: superFrame.length,
    ipSummed: IpSummed.PARTIAL,
    csumStart: l4,
    csumOffset: 16,
    gsoSize: mss,
    gsoType,
    hash: rng.nextU32(),
    networkHeader: l3,
    transportHeader: l4,
  });
  return { superFrame, skb, v6, mss, payloadBytes, df, mangleId: rng.int(4) === 0, deviceChecksum: rng.int(2) === 1, flags };
}

function pseudoFold(f: Uint8Array, p: ParsedFrame): number {
  const sum = p.ipVersion === 4 ? pseudoHeaderSumV4(f, p.l3Offset, p.l4Proto, p.l4LengthBytes) : pseudoHeaderSumV6(f, p.l3Offset, p.l4Proto, p.l4LengthBytes);
  return foldSum(sum);
}

/** Every segment parses, its IP header checksum is right, and its L4 checksum verifies (after the device finishes it). */
function checkSegment(f: Uint8Array, skb: Skb, c: Case): ParsedFrame {
  const p = parseFrame(f);
  expect(p.frameLength).toBe(p.l3Offset + p.ipTotalLength);
  if (p.ipVersion === 4) expect(ipv4HeaderChecksum(f, p.l3Offset)).toBe(p.ipChecksum);
  if (c.deviceChecksum) {
    expect(skb.ipSummed).toBe(IpSummed.PARTIAL);
    const field = p.l4Offset + skb.csumOffset;
    expect((f[field] << 8) | f[field + 1]).toBe(pseudoFold(f, p));
    const done = f.slice();
    finishPartialChecksum(done, skb.csumStart, skb.csumOffset);
    expect(verifyL4Checksum(done, p)).toBe(true);
  } else {
    expect(skb.ipSummed).toBe(IpSummed.NONE);
    expect(verifyL4Checksum(f, p)).toBe(true);
  }
  return p;
}

describe('GSO → GRO round trip (seeded property)', () => {
  it('random IPv4/IPv6 super-frames up to 64 KiB segment correctly and GRO rebuilds them exactly', () => {
    const rng = new Rng(0x5eed_0001);
    const runs = 120;
    let multi = 0;
    for (let run = 0; run < runs; run++) {
      const c = randomTcpCase(rng);
      const sup = parseFrame(c.superFrame);
      const r = segmentTcp(c.superFrame, c.skb, { deviceChecksum: c.deviceChecksum, mangleId: c.mangleId });
      const n = Math.max(1, Math.ceil(c.payloadBytes / c.mss));
      expect(r.frames.length).toBe(n);
      const payload: Uint8Array[] = [];
      r.frames.forEach((f, i) => {
        const p = checkSegment(f, r.skbs[i], c);
        expect(p.payloadLength).toBe(Math.min(c.mss, c.payloadBytes - i * c.mss));
        expect(p.tcp?.seq).toBe(((sup.tcp?.seq ?? 0) + i * c.mss) >>> 0);
        expect(p.tcp?.ack).toBe(sup.tcp?.ack);
        const want = (c.flags & ~(i < n - 1 ? TCP_FIN | TCP_PSH : 0) & ~(i > 0 ? TCP_CWR : 0)) & 0xff;
        expect(p.tcp?.flags).toBe(want);
        if (p.ipVersion === 4) {
          const fixed = (c.skb.gsoType & SKB_GSO_TCP_FIXEDID) !== 0 || (c.mangleId && c.df);
          expect(p.ipId).toBe(fixed ? sup.ipId : (sup.ipId + i) & 0xffff);
        }
        payload.push(f.subarray(p.payloadOffset));
      });
      expect(hex(Buffer.concat(payload))).toBe(hex(c.superFrame.subarray(sup.payloadOffset)));

      const q = new GroQueue();
      const out: GroPacket[] = [];
      r.frames.forEach((f, i) => q.receive(f, { ...r.skbs[i], hash: c.skb.hash }, out));
      q.flush(out);
      expect(out.length).toBe(1);
      const [m] = out;
      if (n === 1) {
        expect(m.frame).toBe(r.frames[0]);
        expect(m.skb.gsoSize).toBe(0);
        continue;
      }
      multi++;
      expect(hex(m.frame)).toBe(hex(c.superFrame));
      expect(m.skb.ipSummed).toBe(IpSummed.PARTIAL);
      expect(m.skb.csumStart).toBe(c.skb.csumStart);
      expect(m.skb.gsoSize).toBe(c.mss);
      expect(m.skb.gsoSegs).toBe(n);
      const fixedOnWire = !c.v6 && c.df && ((c.skb.gsoType & SKB_GSO_TCP_FIXEDID) !== 0 || c.mangleId);
      const wantType = (c.skb.gsoType & ~SKB_GSO_TCP_FIXEDID) | (fixedOnWire ? SKB_GSO_TCP_FIXEDID : 0);
      expect(m.skb.gsoType).toBe(wantType);
    }
    // The generator must actually exercise merging, not just single segments.
    expect(multi).toBeGreaterThan(runs / 2);
  });

  it('two flows interleaved at random on one queue each come back whole', () => {
    const rng = new Rng(0x5eed_0002);
    for (let run = 0; run < 30; run++) {
      const cases = [randomTcpCase(rng), randomTcpCase(rng)];
      const segs = cases.map((c) => segmentTcp(c.superFrame, c.skb, { deviceChecksum: c.deviceChecksum }));
      const next = [0, 0];
      const q = new GroQueue();
      const out: GroPacket[] = [];
      while (next[0] < segs[0].frames.length || next[1] < segs[1].frames.length) {
        let k = rng.int(2);
        if (next[k] >= segs[k].frames.length) k = 1 - k;
        const i = next[k]++;
        q.receive(segs[k].frames[i], { ...segs[k].skbs[i], hash: cases[k].skb.hash }, out);
      }
      q.flush(out);
      const wants = segs.map((r, k) => (r.frames.length === 1 ? r.frames[0] : cases[k].superFrame));
      expect(out.map((p) => hex(p.frame)).toSorted()).toEqual(wants.map(hex).toSorted());
    }
  });

  it('USO: random datagrams split into valid UDP datagrams whose payloads concatenate to the original', () => {
    const rng = new Rng(0x5eed_0003);
    for (let run = 0; run < 60; run++) {
      const v6 = rng.int(2) === 1;
      const mss = 500 + rng.int(8000);
      const payloadBytes = 1 + rng.int(Math.min(63 * mss, 65535 - 48));
      const superFrame = buildUdpFrame({
        srcIp: v6 ? '2001:db8::a' : '10.1.2.3',
        dstIp: v6 ? '2001:db8::b' : '10.3.2.1',
        ipId: rng.int(65536),
        srcPort: rng.int(65536),
        dstPort: rng.int(65536),
        payload: rng.bytes(payloadBytes),
        checksum: 'partial',
      });
      const l4 = v6 ? 54 : 34;
      const skb = createSkb({ len: superFrame.length, ipSummed: IpSummed.PARTIAL, csumStart: l4, csumOffset: 6, gsoSize: mss, gsoType: SKB_GSO_UDP_L4, networkHeader: 14, transportHeader: l4 });
      const deviceChecksum = rng.int(2) === 1;
      const r = segmentUdp(superFrame, skb, { deviceChecksum });
      expect(r.frames.length).toBe(Math.max(1, Math.ceil(payloadBytes / mss)));
      const parts: Uint8Array[] = [];
      const first = parseFrame(superFrame);
      r.frames.forEach((f, i) => {
        const p = parseFrame(f);
        expect(p.udp?.lengthBytes).toBe(8 + p.payloadLength);
        if (!v6) expect(p.ipId).toBe((first.ipId + i) & 0xffff);
        if (deviceChecksum) {
          const done = f.slice();
          finishPartialChecksum(done, l4, 6);
          expect(verifyL4Checksum(done, p)).toBe(true);
        } else {
          expect(verifyL4Checksum(f, p)).toBe(true);
          expect(p.udp?.checksum).not.toBe(0);
        }
        parts.push(f.subarray(p.payloadOffset));
      });
      expect(hex(Buffer.concat(parts))).toBe(hex(superFrame.subarray(l4 + 8)));
    }
  });
});

describe('hostile input', () => {
  it('GRO never throws on mangled or truncated frames, and conserves packets', () => {
    const rng = new Rng(0x5eed_0004);
    const c = randomTcpCase(rng);
    const base = segmentTcp(c.superFrame, c.skb, { deviceChecksum: false });
    for (const mode of ['gro', 'lro'] as const) {
      const q = new GroQueue({ mode });
      const out: GroPacket[] = [];
      let fed = 0;
      for (let run = 0; run < 400; run++) {
        const src = base.frames[rng.int(base.frames.length)];
        let f: Uint8Array = src.slice(0, rng.int(4) === 0 ? rng.int(src.length + 1) : src.length);
        for (let k = rng.int(4); k > 0 && f.length > 0; k--) f[rng.int(f.length)] = rng.int(256);
        if (rng.int(8) === 0) f = rng.bytes(rng.int(80));
        const skb = createSkb({ len: f.length, hash: rng.int(16), ipSummed: [IpSummed.NONE, IpSummed.UNNECESSARY, IpSummed.PARTIAL, IpSummed.COMPLETE][rng.int(4)] as IpSummed, csumStart: rng.int(80), csumOffset: 16, gsoSize: rng.int(8) === 0 ? rng.int(3000) : 0, gsoType: rng.int(8) === 0 ? SKB_GSO_TCPV4 : 0 });
        expect(() => q.receive(f, skb, out)).not.toThrow();
        fed++;
      }
      q.flush(out);
      expect(q.heldFlows).toBe(0);
      // Every frame was held, merged or passed through, and every held flow came out exactly once.
      expect(q.stats.held + q.stats.merged + q.stats.normal).toBe(fed);
      expect(out.length).toBe(q.stats.held + q.stats.normal);
    }
  });

  it('GSO throws only PacketError on mangled super-frames', () => {
    const rng = new Rng(0x5eed_0005);
    for (let run = 0; run < 300; run++) {
      const c = randomTcpCase(rng);
      const f = c.superFrame.slice(0, rng.int(3) === 0 ? rng.int(c.superFrame.length + 1) : c.superFrame.length);
      for (let k = rng.int(4); k > 0 && f.length > 0; k--) f[rng.int(Math.min(f.length, 80))] = rng.int(256);
      const skb = { ...c.skb, gsoSize: rng.int(6) === 0 ? rng.int(70000) - 10 : c.skb.gsoSize, gsoType: rng.int(6) === 0 ? rng.nextU32() : c.skb.gsoType };
      try {
        const r = segment(f, skb, { deviceChecksum: rng.int(2) === 1 });
        expect(r.frames.length).toBe(r.skbs.length);
      } catch (e) {
        expect(e).toBeInstanceOf(PacketError);
      }
    }
  });
});
