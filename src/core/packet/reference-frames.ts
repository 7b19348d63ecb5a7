/**
 * Frames from the worked examples of the reference (linux-offload-semantics.md), built once here for the
 * tests and benchmarks that need them.
 */
import { buildTcpFrame, TCP_ACK, TCP_PSH } from './frame';

/**
 * The §5.4 TSO super-packet: 192.168.1.10:40000 → 192.168.1.20:80, IP ID 0x1234, DF, seq 1, ack 1,
 * ACK|PSH, window 502, CHECKSUM_PARTIAL. The reference uses 4000 payload bytes; benchmarks pass a
 * larger payload to get a 64 KiB super-frame.
 */
export function tsoExampleSuperFrame(payloadLength = 4000, payloadSeed?: number): Uint8Array {
  return buildTcpFrame({
    srcIp: '192.168.1.10',
    dstIp: '192.168.1.20',
    ipId: 0x1234,
    srcPort: 40000,
    dstPort: 80,
    seq: 1,
    ack: 1,
    flags: TCP_ACK | TCP_PSH,
    window: 502,
    payloadLength,
    ...(payloadSeed === undefined ? {} : { payloadSeed }),
    checksum: 'partial',
  });
}
