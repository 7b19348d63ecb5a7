import { describe, expect, it } from 'vitest';
import { frameSummary, headerFields, tcpFlagsText } from './frame-describe';
import { buildTcpFrame, buildUdpFrame, parseFrame, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from './frame';
import { Rng } from '../rng';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('tcpdump-style summary', () => {
  it('example 2.3 and 2.4 frames', () => {
    const tcp = buildTcpFrame({
      srcIp: '192.168.1.10', dstIp: '192.168.1.20', ipId: 0x1c46, srcPort: 40000, dstPort: 80,
      seq: 1000, ack: 2000, flags: TCP_PSH | TCP_ACK, window: 64240, payload: ascii('hello'),
    });
    expect(frameSummary(tcp, parseFrame(tcp))).toBe('IP 192.168.1.10.40000 > 192.168.1.20.80: Flags [P.], seq 1000:1005, ack 2000, win 64240, length 5');
    const udp = buildUdpFrame({ srcIp: '192.168.1.10', dstIp: '192.168.1.20', srcPort: 5353, dstPort: 5353, payload: ascii('ping') });
    expect(frameSummary(udp, parseFrame(udp))).toBe('IP 192.168.1.10.5353 > 192.168.1.20.5353: UDP, length 4');
  });
  it('SYN with Linux options, IPv6 FIN-ACK, fragments', () => {
    const syn = buildTcpFrame({
      srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 33000, dstPort: 443, seq: 7, flags: TCP_SYN, window: 64240,
      options: { mss: 1460, sackPermitted: true, timestamps: { value: 1, echo: 0 }, wscale: 7 },
    });
    expect(frameSummary(syn, parseFrame(syn))).toBe('IP 10.0.0.1.33000 > 10.0.0.2.443: Flags [S], seq 7, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0');
    const fin = buildTcpFrame({ srcIp: 'fd00::1', dstIp: 'fd00::2', srcPort: 1, dstPort: 2, seq: 9, ack: 10, flags: TCP_FIN | TCP_ACK, window: 5 });
    expect(frameSummary(fin, parseFrame(fin))).toBe('IP6 fd00::1.1 > fd00::2.2: Flags [F.], seq 9, ack 10, win 5, length 0');
    const frag = buildUdpFrame({ srcIp: '10.0.0.1', dstIp: '10.0.0.2', srcPort: 1, dstPort: 2, payloadLength: 20, ipId: 5 });
    frag[20] = 0x20;
    expect(frameSummary(frag, parseFrame(frag))).toBe('IP 10.0.0.1 > 10.0.0.2: ip-proto-17 fragment id 5 offset 0+, length 28');
    expect(tcpFlagsText(0)).toBe('none');
    expect(tcpFlagsText(0xff)).toBe('FSRP.UEW');
  });
});

describe('header fields', () => {
  it('tile the headers in order, inside the frame, without overlap', () => {
    const rng = new Rng(12);
    for (let i = 0; i < 200; i++) {
      const v6 = rng.int(2) === 1;
      const common = { srcIp: rng.bytes(v6 ? 16 : 4), dstIp: rng.bytes(v6 ? 16 : 4), srcPort: rng.int(65536), dstPort: rng.int(65536), payloadLength: rng.int(50), vlanTci: rng.int(2) ? rng.int(65536) : undefined };
      const buf = rng.int(2)
        ? buildTcpFrame({ ...common, seq: rng.nextU32(), options: rng.int(2) ? { mss: 1460, timestamps: { value: 1, echo: 2 } } : undefined })
        : buildUdpFrame(common);
      const p = parseFrame(buf);
      const fields = headerFields(buf, p);
      let end = p.l2Offset;
      for (const f of fields) {
        expect(f.offset).toBe(end);
        expect(f.lengthBytes).toBeGreaterThan(0);
        end = f.offset + f.lengthBytes;
      }
      expect(end).toBe(p.payloadOffset);
      expect(fields.find((f) => f.name === 'source' && f.layer !== 'eth')!.value).toMatch(v6 ? /:/ : /^\d+\.\d+\.\d+\.\d+$/);
    }
  });
});
