/**
 * Traffic sources and sinks on endpoints: bulk TCP (Reno/NewReno with slow start, AIMD, ACK clocking,
 * delayed ACKs, fast retransmit, RTO, TSO autosizing, TSQ), UDP at a rate, and a request/response probe.
 * Every packet is a real frame; the stack's CPU costs are charged on the core that runs it.
 */
import { CAT_COPY, CAT_PACKET, CAT_EVENT, Task, type Core } from '../sim/cpu';
import type { EventTarget } from '../sim/eventQueue';
import type { Rng } from '../rng';
import type { FlowSpec, ProbeFlowSpec, TcpFlowSpec, UdpFlowSpec } from '../scenario/types';
import { LatencyHistogram } from '../metrics/stats';
import { buildTcpFrame, buildUdpFrame, createParsedFrame, parseFrameInto, TCP_ACK, TCP_PSH, type ParsedFrame } from '../packet/frame';
import { createSkb, IpSummed, SKB_GSO_TCPV4 } from '../packet/skb';
import { FRAME_POOL_BYTES, G_ACCEPTED_CORRUPT, ipBytes, type FlowSink, type Net, type NodeRt, type Port } from './net';
import { Pkt } from './pkt';

const PATTERN_BYTES = 65536;
const ETH_IP_TCP = 54;
const ETH_IP_UDP = 42;

interface Path {
  port: Port;
  srcIp: Uint8Array;
  dstIp: Uint8Array;
  srcMac: Uint8Array;
  dstMac: Uint8Array;
}

export abstract class FlowRt implements FlowSink {
  bytesDelivered = 0;
  retransmits = 0;
  readonly fwd: Path;
  readonly rev: Path;
  readonly sport: number;
  readonly dport: number;
  readonly pattern: Uint8Array;
  readonly appCore: Core;
  readonly peerCore: Core;
  ipId = 0;

  constructor(
    readonly net: Net,
    readonly idx: number,
    readonly spec: FlowSpec,
    readonly src: NodeRt,
    readonly dst: NodeRt,
    rng: Rng,
  ) {
    const f = net.pathBetween(src, dst);
    const r = net.pathBetween(dst, src);
    this.fwd = { port: f.port, srcIp: ipBytes(f.port.ip), dstIp: ipBytes(f.dstIp), srcMac: f.port.mac, dstMac: f.dstMac };
    this.rev = { port: r.port, srcIp: ipBytes(r.port.ip), dstIp: ipBytes(r.dstIp), srcMac: r.port.mac, dstMac: r.dstMac };
    this.sport = spec.srcPort ?? 40000 + idx;
    this.dport = spec.dstPort ?? (spec.kind === 'probe' ? 7 : 5001 + idx);
    // Periodic (second half = first half) so stream offset o always maps to pattern[o mod 64 KiB].
    this.pattern = new Uint8Array(2 * PATTERN_BYTES);
    for (let i = 0; i < PATTERN_BYTES; i += 4) {
      const v = rng.nextU32();
      this.pattern[i] = v & 0xff;
      this.pattern[i + 1] = (v >>> 8) & 0xff;
      this.pattern[i + 2] = (v >>> 16) & 0xff;
      this.pattern[i + 3] = v >>> 24;
    }
    this.pattern.copyWithin(PATTERN_BYTES, 0, PATTERN_BYTES);
    // A pinned application (taskset -c) runs where it is told; otherwise a node's applications take its CPUs in turn.
    this.appCore =
      (spec.senderCpu !== undefined ? src.cores[spec.senderCpu] : src.cores[src.nextAppCore++ % Math.max(1, src.cores.length)]) ??
      net.allocCore(src.spec.host, `${src.id}/app`);
    this.peerCore = (spec.receiverCpu !== undefined ? dst.cores[spec.receiverCpu] : dst.cores[0]) ?? net.allocCore(dst.spec.host, `${dst.id}/app`);
    const proto = spec.kind === 'tcp' ? 6 : 17;
    net.flowsByKey.set(proto * 4294967296 + this.sport * 65536 + this.dport, { sink: this, reverse: false });
    net.flowsByKey.set(proto * 4294967296 + this.dport * 65536 + this.sport, { sink: this, reverse: true });
  }

  abstract start(): void;
  /** Host whose events a timer with this arg belongs to (partitioned runs): the sender's by default. */
  hostOfTimer(arg: number): string {
    void arg;
    return this.src.spec.host;
  }
  abstract receive(node: NodeRt, port: Port, pkt: Pkt, parsed: ParsedFrame, core: Core, reverse: boolean): void;

  /** Payload bytes compared with what the sender wrote (only when a scenario corrupts frames). */
  protected checkPayload(frame: Uint8Array, f: ParsedFrame, streamOffset: number, skip: number): void {
    if (!this.net.verifyPayloads) return;
    const base = streamOffset % PATTERN_BYTES;
    for (let i = skip; i < f.payloadLength; i++) {
      if (frame[f.payloadOffset + i] !== this.pattern[base + i]) {
        this.net.gcount(G_ACCEPTED_CORRUPT);
        return;
      }
    }
  }

  protected active(nowNs: number): boolean {
    return nowNs >= this.spec.startNs && (this.spec.stopNs === undefined || nowNs < this.spec.stopNs);
  }

  /** sendmsg of one UDP datagram from an application: the syscall, the UDP/IP transmit and the copy of its payload. */
  protected chargeUdpSend(core: Core, payloadBytes: number): void {
    const c = this.net.c;
    core.charge(CAT_EVENT, c.syscallNs);
    core.charge(CAT_PACKET, c.udpTxPerSkbNs + c.skbAllocNs);
    core.charge(CAT_COPY, payloadBytes * c.copyNsPerByte);
  }

  protected udpFrame(path: Path, sport: number, dport: number, payload: Uint8Array, tos: number): Pkt {
    const frame = buildUdpFrame({
      srcMac: path.srcMac,
      dstMac: path.dstMac,
      srcIp: path.srcIp,
      dstIp: path.dstIp,
      srcPort: sport,
      dstPort: dport,
      payload,
      tos,
      ipId: this.ipId++ & 0xffff,
      checksum: 'partial',
    });
    const skb = createSkb({ len: frame.length, ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 6, networkHeader: 14, transportHeader: 34 });
    return new Pkt(frame, skb);
  }
}

// ---------------------------------------------------------------------------------------------
// TCP

class TcpSendTask extends Task {
  constructor(
    core: Core,
    private readonly flow: TcpFlow,
  ) {
    super(core);
    this.lowPriority = true;
  }
  hasWork(): boolean {
    return this.flow.canSend();
  }
  begin(nowNs: number): void {
    this.flow.prepare(this.core, nowNs);
  }
  finish(nowNs: number): void {
    this.flow.emit(this.core, nowNs);
  }
  endTurn(): boolean {
    return false;
  }
}

/**
 * The receiving application (process context on the receiver's first core): it sleeps in recv() while its
 * socket is empty and is woken by the softirq that queues data; each wake-up switches it in, then one recv()
 * copies up to readBytes to user space. A busy receiver reads many segments per wake-up, so the switch cost
 * per byte falls under load exactly as it does in Linux.
 */
/**
 * An application process sleeping in a syscall: softirq work on its CPU preempts it, each wake-up from sleep
 * switches it in (a context switch), and a wake-up from another CPU's softirq costs that CPU an IPI.
 */
abstract class ProcessTask extends Task {
  private slept = true;
  constructor(
    core: Core,
    protected readonly net: Net,
  ) {
    super(core);
    this.lowPriority = true;
  }
  override startTurn(): void {
    if (this.slept) {
      this.slept = false;
      this.core.charge(CAT_EVENT, this.net.c.contextSwitchNs);
    }
  }
  endTurn(): boolean {
    this.slept = true;
    return false;
  }
  /** Make it runnable: from its own CPU (or a timer there, `from` null) at once, from another CPU by an IPI. */
  wakeFrom(from: Core | null): void {
    if (this.active) return;
    if (from === null || from === this.core) this.runNow();
    else {
      from.charge(CAT_EVENT, this.net.c.wakeupWakerNs);
      this.wakeAfter(this.net.c.wakeupLatencyNs);
    }
  }
}

class TcpReadTask extends ProcessTask {
  private n = 0;
  constructor(
    core: Core,
    private readonly flow: TcpFlow,
  ) {
    super(core, flow.net);
  }
  hasWork(): boolean {
    return this.flow.rcvQueuedBytes > 0;
  }
  begin(): void {
    const c = this.net.c;
    this.n = Math.min(this.flow.rcvQueuedBytes, READ_BYTES);
    this.core.charge(CAT_EVENT, c.syscallNs);
    this.core.charge(CAT_COPY, this.n * c.copyNsPerByte);
  }
  finish(): void {
    this.flow.consume(this.n, this.core);
  }
}

/** recv() buffer of the reading application (iperf3's default read length). */
const READ_BYTES = 131072;
/** Window scale of the receiver's advertised window (bytes = field << 7, enough for a 6 MiB buffer). */
const WSCALE = 7;

const T_RTO = 1;
const T_DELACK = 2;
const T_START = 3;
const T_TLP = 4;
/** Tail loss probe floor (Linux uses 2·srtt with a 10 ms floor at HZ=1000; virtual links have µs RTTs). */
const TLP_MIN_NS = 1_000_000;
/** TCP_TIMEOUT_INIT: the probe timeout before the first RTT sample. */
const TLP_NO_RTT_NS = 1_000_000_000;

/**
 * Where a receiving application runs: on the CPU whose softirq delivered its data (wake-affine) unless that CPU
 * already has more readers than another; then on the next CPU with the fewest, as the scheduler's load balancing
 * would spread them.
 */
function readerCore(node: NodeRt, delivering: Core): Core {
  const cores = node.cores;
  const at = cores.indexOf(delivering);
  if (at < 0) return delivering;
  const count = node.readersPerCore;
  let best = at;
  for (let k = 1; k < cores.length; k++) {
    const i = (at + k) % cores.length;
    if (count[i] < count[best]) best = i;
  }
  count[best]++;
  return cores[best];
}

/**
 * ICMP "fragmentation needed" for a dropped frame → the TCP flow that sent it (by protocol and ports, as
 * icmp_unreach → tcp_v4_err looks up the socket from the quoted headers).
 */
export function pmtuDiscovery(net: Net): (frame: Uint8Array, mtu: number) => void {
  const f = createParsedFrame();
  return (frame, mtu) => {
    parseFrameInto(f, frame);
    if (f.tcp === null) return;
    const hit = net.flowsByKey.get(6 * 4294967296 + f.srcPort * 65536 + f.dstPort);
    if (hit !== undefined && !hit.reverse && hit.sink instanceof TcpFlow) hit.sink.onFragNeeded(mtu);
  };
}

export class TcpFlow extends FlowRt implements EventTarget {
  // sender
  private una = 0;
  private nxt = 0;
  private cwnd: number;
  private ssthresh = Number.POSITIVE_INFINITY;
  private dupAcks = 0;
  private inRecovery = false;
  private recover = 0;
  private srttNs = 0;
  private rttvarNs = 0;
  private rtoNs: number;
  private rtoDeadline = Number.POSITIVE_INFINITY;
  /** Time of the pending RTO / TLP timer event (-1: none). A deadline moved earlier gets its own event; a stale later one is ignored. */
  private rtoEventNs = -1;
  /**
   * Send times of the data in flight, one record per emitted unit in sequence order (start, end, time): the
   * timestamps option (on by default) lets every ACK that advances una give an RTT sample, retransmissions
   * included (the record of a re-sent range takes the new time), so srtt follows a queue as it builds.
   */
  private readonly txStart: number[] = [];
  private readonly txEnd: number[] = [];
  private readonly txAt: number[] = [];
  private txHead = 0;
  private tsqBytes = 0;
  /** SACK scoreboard: sorted, merged [start, end) stream ranges above una. */
  private sacked: number[] = [];
  private sackedBytes = 0;
  private highSack = 0;
  private rtxNext = 0;
  private rtxBytes = 0;
  /** Retransmissions allowed by ACKs arriving during recovery, whatever the pipe estimate says. */
  private rtxCredit = 0;
  /** When the hole at una was last retransmitted (a lost retransmission is re-sent after ≈ 2 RTT, as RACK would). */
  private unaRtxNs = 0;
  /** Tail loss probe: one retransmission of the first unacknowledged segment when ACKs stop coming. */
  private tlpDeadline = Number.POSITIVE_INFINITY;
  private tlpEventNs = -1;
  /** A loss probe was sent and no ACK has moved una since (Linux's tlp_high_seq): no second probe. */
  private tlpOutstanding = false;
  private tlpPending = false;
  private readonly limitBytes: number;
  private readonly isnS: number;
  private readonly isnR: number;
  private readonly task: TcpSendTask;
  // the unit being prepared
  private pSeq = 0;
  private pLen = 0;
  private pRtx = false;
  // receiver
  private rcvNxt = 0;
  /** Out-of-order ranges held by the receiver: sorted, merged [start, end). */
  private ooo: number[] = [];
  private lastOoo = -1;
  private unacked = 0;
  private delackArmed = false;
  private stopped = false;
  /** In-order bytes in the receiver's socket not yet read by the application. */
  rcvQueuedBytes = 0;
  /** Window the receiver advertised in its last ACK, and the window the sender last heard. */
  private rcvWndSent: number;
  private sndWnd: number;
  /** Created on the first delivery, on the core whose softirq delivered it (the scheduler's wake-affine choice). */
  private reader: TcpReadTask | null = null;

  constructor(net: Net, idx: number, readonly tcp: TcpFlowSpec, src: NodeRt, dst: NodeRt, rng: Rng) {
    super(net, idx, tcp, src, dst, rng);
    this.cwnd = net.c.initialCwndSegments * this.mss;
    this.rtoNs = Math.max(net.c.rtoMinNs, 1_000_000_000);
    this.limitBytes = tcp.bytes ?? Number.POSITIVE_INFINITY;
    this.isnS = rng.nextU32();
    this.isnR = rng.nextU32();
    this.task = new TcpSendTask(this.appCore, this);
    this.rcvWndSent = net.c.rcvWindowBytes;
    this.sndWnd = net.c.rcvWindowBytes;
  }

  /** Receive window the socket can offer now: buffer minus what the application has not read. */
  private rcvWndFree(): number {
    return Math.max(0, this.net.c.rcvWindowBytes - this.rcvQueuedBytes);
  }

  /** The application read `n` bytes; like tcp_cleanup_rbuf, a window that at least doubled is announced. */
  consume(n: number, core: Core): void {
    this.rcvQueuedBytes -= n;
    this.bytesDelivered += n;
    const free = this.rcvWndFree();
    if (this.rcvWndSent < this.net.c.rcvWindowBytes / 2 && free >= 2 * this.rcvWndSent && free >= 2 * this.mss) this.sendAck(core);
  }

  /** Path MTU learned from ICMP "fragmentation needed" (tcp_v4_mtu_reduced); the route's MTU until then. */
  private pmtu = Number.POSITIVE_INFINITY;

  /** Both ends' MTUs (each announces MTU − 40 as its MSS in its SYN) and what ICMP reported on the way. */
  private get pathMtu(): number {
    return Math.min(this.fwd.port.mtu, this.rev.port.mtu, this.pmtu);
  }

  get mss(): number {
    return this.pathMtu - 40;
  }

  /**
   * A router could not forward a segment (ICMP frag needed, quoting its egress MTU): lower the path MTU (not below
   * ip_rt_min_pmtu, 552) and, as tcp_simple_retransmit does, re-send what is in flight at the new size without
   * touching cwnd.
   */
  onFragNeeded(mtu: number): void {
    const next = Math.max(552, mtu);
    if (next >= this.pathMtu) return;
    this.pmtu = next;
    if (this.una < this.nxt) {
      this.nxt = this.una;
      this.inRecovery = false;
      this.clearSacks();
      this.dupAcks = 0;
    }
    if (this.canSend()) this.task.runNow();
  }

  start(): void {
    this.net.sim.push(this.tcp.startNs, this, T_START);
    if (this.tcp.stopNs !== undefined) this.net.sim.push(this.tcp.stopNs, this, T_START);
  }

  get cwndBytes(): number {
    return this.cwnd;
  }

  onTsqRelease(bytes: number): void {
    const wasThrottled = this.tsqBytes >= this.net.c.tsqLimitBytes;
    this.tsqBytes -= bytes;
    if (wasThrottled && this.tsqBytes < this.net.c.tsqLimitBytes && this.canSend()) this.task.runNow();
  }

  /** RFC 6675-style estimate of bytes in the network during recovery. */
  private pipe(): number {
    if (!this.inRecovery) return this.nxt - this.una;
    return Math.max(0, this.nxt - Math.max(this.highSack, this.una)) + Math.min(this.rtxBytes, Math.max(0, this.rtxNext - this.una));
  }

  /** First un-SACKed byte range at or after rtxNext below the highest SACK, or -1. */
  private nextHole(): number {
    let p = Math.max(this.rtxNext, this.una);
    if (p >= this.highSack) return -1;
    for (let i = 0; i < this.sacked.length; i += 2) {
      if (p < this.sacked[i]) return p;
      if (p < this.sacked[i + 1]) p = this.sacked[i + 1];
    }
    return p < this.highSack ? p : -1;
  }

  canSend(): boolean {
    if (this.stopped) return false;
    if (this.tsqBytes >= this.net.c.tsqLimitBytes) return false;
    const mss = this.mss;
    const wnd = Math.min(this.cwnd, this.sndWnd);
    const pipe = this.pipe();
    if (this.tlpPending) return true;
    if (this.inRecovery && this.nextHole() >= 0) return this.rtxCredit > 0 || pipe + mss <= Math.max(wnd, mss);
    const left = this.limitBytes - this.nxt;
    if (left <= 0) return false;
    if (this.nxt - this.una + Math.min(mss, left) > this.sndWnd) return false;
    return wnd - pipe >= Math.min(mss, left);
  }

  /** TSO autosizing (≈1 ms of data at the pacing rate, ≥ tcp_min_tso_segs), capped by cwnd/tso_win_divisor and GSO max. */
  private sizeGoal(): number {
    const mss = this.mss;
    const off = this.fwd.port.dev.offloads;
    if (!(off.sg && (off.gso || off.tso))) return mss;
    const c = this.net.c;
    const maxSegs = Math.max(1, Math.floor((c.gsoMaxBytes - 1 - 320) / mss));
    let segs = maxSegs;
    if (this.srttNs > 0) {
      const rate = (this.cwnd / this.srttNs) * 1e9 * (this.cwnd < this.ssthresh ? 2 : 1.2);
      segs = Math.min(segs, Math.max(c.minTsoSegs, Math.floor(rate / 1024 / mss)));
    }
    const cwndSegs = Math.max(1, Math.floor(this.cwnd / mss));
    segs = Math.min(segs, Math.max(1, Math.floor(cwndSegs / Math.max(1, c.tsoWinDivisor))));
    return segs * mss;
  }

  prepare(core: Core, nowNs: number): void {
    const c = this.net.c;
    const mss = this.mss;
    // A loss probe (tcp_send_loss_probe) sends one new segment if the receive window allows, else re-sends the last.
    const tlp = this.tlpPending;
    this.tlpPending = false;
    const probeNew = tlp && this.limitBytes > this.nxt && this.nxt - this.una + mss <= this.sndWnd;
    const hole = tlp ? (probeNew ? -1 : Math.max(this.una, this.nxt - mss)) : this.inRecovery ? this.nextHole() : -1;
    if (hole >= 0) {
      let end = this.highSack > hole ? this.highSack : this.nxt;
      for (let i = 0; i < this.sacked.length; i += 2) if (this.sacked[i] > hole) {
        end = this.sacked[i];
        break;
      }
      this.pSeq = hole;
      if (hole === this.una) this.unaRtxNs = nowNs;
      this.pLen = Math.max(1, Math.min(mss, end - hole));
      this.pRtx = true;
      this.stampSent(hole, hole + this.pLen, nowNs, true);
      this.rtxNext = hole + this.pLen;
      this.rtxBytes += this.pLen;
      if (this.rtxCredit > 0) this.rtxCredit--;
      this.retransmits++;
      core.charge(CAT_PACKET, c.tcpTxPerSkbNs + c.skbAllocNs);
      return;
    }
    const left = this.limitBytes - this.nxt;
    const room = Math.min(this.cwnd, this.sndWnd) - this.pipe();
    let len = Math.min(probeNew ? mss : this.sizeGoal(), left);
    if (room < len && !probeNew) len = room >= mss ? Math.floor(room / mss) * mss : Math.min(mss, left);
    len = Math.max(1, len);
    this.pSeq = this.nxt;
    this.pLen = len;
    this.pRtx = this.nxt < this.sentHigh;
    if (this.pRtx) this.retransmits++;
    this.nxt += len;
    if (this.nxt > this.sentHigh) this.sentHigh = this.nxt;
    this.stampSent(this.pSeq, this.pSeq + len, nowNs, this.pRtx);
    const writes = Math.max(1, Math.ceil(len / (this.tcp.writeBytes ?? 65536)));
    if (!this.pRtx) {
      core.charge(CAT_EVENT, writes * c.syscallNs);
      core.charge(CAT_COPY, len * c.copyNsPerByte);
    }
    core.charge(CAT_PACKET, c.tcpTxPerSkbNs + c.skbAllocNs);
  }

  private sentHigh = 0;

  emit(core: Core, nowNs: number): void {
    const mss = this.mss;
    const len = this.pLen;
    const base = this.pSeq % PATTERN_BYTES;
    const p = this.fwd;
    const frame = buildTcpFrame({
      srcMac: p.srcMac,
      dstMac: p.dstMac,
      srcIp: p.srcIp,
      dstIp: p.dstIp,
      srcPort: this.sport,
      dstPort: this.dport,
      seq: (this.isnS + this.pSeq) >>> 0,
      ack: (this.isnR + 1) >>> 0,
      flags: TCP_ACK | TCP_PSH,
      window: 65535,
      tos: this.tcp.tos ?? 0,
      ipId: this.ipId & 0xffff,
      payload: this.pattern.subarray(base, base + len),
      checksum: 'partial',
      // Only super-frames come from the pool: small frames are cheaper to allocate than to track.
      out: len > 4096 && len + ETH_IP_TCP <= FRAME_POOL_BYTES ? this.net.takeFrameBuffer() : undefined,
    });
    const segs = Math.ceil(len / mss);
    this.ipId += segs;
    const qm = this.src.cores.indexOf(core);
    const skb = createSkb({
      len: frame.length,
      ipSummed: IpSummed.PARTIAL,
      csumStart: 34,
      csumOffset: 16,
      networkHeader: 14,
      transportHeader: 34,
      gsoSize: len > mss ? mss : 0,
      gsoType: len > mss ? SKB_GSO_TCPV4 : 0,
      gsoSegs: len > mss ? segs : 0,
      queueMapping: qm < 0 ? 0 : qm,
    });
    const pkt = new Pkt(frame, skb);
    pkt.tsqFlow = this.idx;
    pkt.tsqBytes = frame.length;
    this.tsqBytes += frame.length;
    if (this.rtoDeadline === Number.POSITIVE_INFINITY) this.armRto(nowNs);
    this.armTlp(nowNs);
    this.net.transmit(p.port, pkt, core);
  }

  /** Record the send time of [s, e): new data appends a record; a re-sent range re-stamps the record holding s. */
  private stampSent(s: number, e: number, nowNs: number, resent: boolean): void {
    if (!resent) {
      this.txStart.push(s);
      this.txEnd.push(e);
      this.txAt.push(nowNs);
      return;
    }
    for (let i = this.txHead; i < this.txEnd.length; i++) {
      if (this.txEnd[i] > s) {
        if (this.txStart[i] <= s) this.txAt[i] = nowNs;
        return;
      }
    }
  }

  /** When `byte` was last sent (-1 if unknown), without forgetting anything. */
  private sendTimeAt(byte: number): number {
    for (let i = this.txHead; i < this.txEnd.length; i++) {
      if (this.txEnd[i] > byte) return this.txStart[i] <= byte ? this.txAt[i] : -1;
    }
    return -1;
  }

  /** Send time of the oldest newly acknowledged byte (the echoed timestamp), then forget what `ackOff` covers; -1 if unknown. */
  private sentTimeOf(firstByte: number, ackOff: number): number {
    let at = -1;
    let i = this.txHead;
    while (i < this.txEnd.length && this.txEnd[i] <= firstByte) i++;
    if (i < this.txEnd.length && this.txStart[i] <= firstByte) at = this.txAt[i];
    while (this.txHead < this.txEnd.length && this.txEnd[this.txHead] <= ackOff) this.txHead++;
    if (this.txHead > 1024 && this.txHead * 2 > this.txEnd.length) {
      this.txStart.splice(0, this.txHead);
      this.txEnd.splice(0, this.txHead);
      this.txAt.splice(0, this.txHead);
      this.txHead = 0;
    }
    return at;
  }

  private armTlp(nowNs: number): void {
    if (this.tlpOutstanding && !this.inRecovery) return;
    // Without an RTT sample Linux probes only after TCP_TIMEOUT_INIT (1 s): a first flight queued behind a slow
    // link must not be re-sent after 1 ms.
    this.tlpDeadline = nowNs + (this.srttNs > 0 ? Math.max(2 * this.srttNs, TLP_MIN_NS) : TLP_NO_RTT_NS);
    const at = Math.ceil(this.tlpDeadline);
    if (this.tlpEventNs < 0 || at < this.tlpEventNs) {
      this.tlpEventNs = at;
      this.net.sim.push(at, this, T_TLP);
    }
  }

  private armRto(nowNs: number): void {
    this.rtoDeadline = nowNs + this.rtoNs;
    this.scheduleRto();
  }

  private scheduleRto(): void {
    if (this.rtoDeadline === Number.POSITIVE_INFINITY) return;
    const at = Math.ceil(this.rtoDeadline);
    if (this.rtoEventNs < 0 || at < this.rtoEventNs) {
      this.rtoEventNs = at;
      this.net.sim.push(at, this, T_RTO);
    }
  }

  /** The delayed-ACK timer is the receiver's; the others are the sender's. */
  override hostOfTimer(arg: number): string {
    return arg === T_DELACK ? this.dst.spec.host : this.src.spec.host;
  }

  onEvent(nowNs: number, arg: number): void {
    switch (arg) {
      case T_START:
        if (this.tcp.stopNs !== undefined && nowNs >= this.tcp.stopNs) {
          this.stopped = true;
          return;
        }
        if (this.canSend()) this.task.runNow();
        return;
      case T_RTO:
        if (nowNs !== this.rtoEventNs) return; // superseded by an earlier deadline
        this.rtoEventNs = -1;
        if (this.rtoDeadline === Number.POSITIVE_INFINITY) return;
        if (nowNs < this.rtoDeadline) {
          this.scheduleRto();
          return;
        }
        this.onTimeout(nowNs);
        return;
      case T_TLP:
        if (nowNs !== this.tlpEventNs) return; // superseded by an earlier deadline
        this.tlpEventNs = -1;
        if (this.tlpDeadline === Number.POSITIVE_INFINITY) return;
        if (nowNs < this.tlpDeadline) {
          const at = Math.ceil(this.tlpDeadline);
          this.tlpEventNs = at;
          this.net.sim.push(at, this, T_TLP);
          return;
        }
        this.tlpDeadline = Number.POSITIVE_INFINITY;
        if (this.una < this.nxt && !this.stopped) {
          if (this.inRecovery) {
            // No ACK for 2·srtt while recovering: as RACK's reordering timer would (4.10+), everything not
            // SACKed is lost. srtt follows the queue (timestamps), so this does not fire behind a slow link.
            this.nxt = Math.max(this.highSack, this.una);
            this.rtxNext = this.una;
            this.rtxBytes = 0;
            this.armTlp(nowNs);
          } else {
            // One probe in the Open state (tcp_schedule_loss_probe); no second one until an ACK moves una.
            this.tlpPending = true;
            this.tlpOutstanding = true;
          }
          if (this.canSend()) this.task.runNow();
        }
        return;
      case T_DELACK:
        this.delackArmed = false;
        if (this.unacked > 0) this.sendAck(this.peerCore);
        return;
    }
  }

  private onTimeout(nowNs: number): void {
    if (this.una >= this.nxt || this.stopped) {
      this.rtoDeadline = Number.POSITIVE_INFINITY;
      return;
    }
    const mss = this.mss;
    this.ssthresh = Math.max((this.nxt - this.una) / 2, 2 * mss);
    this.cwnd = mss;
    this.nxt = this.una;
    this.inRecovery = false;
    this.clearSacks();
    this.dupAcks = 0;
    this.rtoNs = Math.min(this.rtoNs * 2, 60_000_000_000);
    this.rtoDeadline = Number.POSITIVE_INFINITY;
    this.armRto(nowNs);
    if (this.canSend()) this.task.runNow();
  }

  private clearSacks(): void {
    this.sacked.length = 0;
    this.sackedBytes = 0;
    this.highSack = this.una;
  }

  receive(node: NodeRt, port: Port, pkt: Pkt, f: ParsedFrame, core: Core, reverse: boolean): void {
    void node;
    void port;
    const tcp = f.tcp;
    if (tcp === null) return;
    if (reverse) {
      this.sndWnd = tcp.window << WSCALE;
      this.onAck(tcp.ack, pkt.frame, tcp.optionsOffset, tcp.optionsLengthBytes, core);
    }
    else this.onData(pkt, f, tcp.seq, core);
  }

  /** Latest send time of data newly SACKed by the ACK being processed (-1: none); an RTT sample as tcp_sacktag_one takes. */
  private sackSentAt = -1;

  private addSack(s: number, e: number): void {
    if (e <= this.una || s >= e || e > this.sentHigh) return;
    s = Math.max(s, this.una);
    const r = this.sacked;
    let i = 0;
    while (i < r.length && r[i + 1] < s) i += 2;
    if (i >= r.length || r[i] > s || r[i + 1] < e) {
      const at = this.sendTimeAt(e - 1);
      if (at > this.sackSentAt) this.sackSentAt = at;
    }
    let j = i;
    while (j < r.length && r[j] <= e) {
      s = Math.min(s, r[j]);
      e = Math.max(e, r[j + 1]);
      j += 2;
    }
    r.splice(i, j - i, s, e);
    if (e > this.highSack) this.highSack = e;
  }

  private pruneSacks(): void {
    const r = this.sacked;
    let k = 0;
    while (k < r.length && r[k + 1] <= this.una) k += 2;
    if (k > 0) r.splice(0, k);
    if (r.length > 0 && r[0] < this.una) r[0] = this.una;
    let bytes = 0;
    for (let i = 0; i < r.length; i += 2) bytes += r[i + 1] - r[i];
    this.sackedBytes = bytes;
    if (this.highSack < this.una) this.highSack = this.una;
  }

  /** tcp_rtt_estimator (RFC 6298): srtt, rttvar and the RTO from one sample. */
  private rttSample(r: number): void {
    if (this.srttNs === 0) {
      this.srttNs = r;
      this.rttvarNs = r / 2;
    } else {
      this.rttvarNs += (Math.abs(this.srttNs - r) - this.rttvarNs) / 4;
      this.srttNs += (r - this.srttNs) / 8;
    }
    this.rtoNs = Math.max(this.net.c.rtoMinNs, this.srttNs + 4 * this.rttvarNs);
  }

  private onAck(ack32: number, frame: Uint8Array, optOff: number, optLen: number, core: Core): void {
    const c = this.net.c;
    // While the sending process owns the socket (in sendmsg), tcp_v4_rcv queues the ACK to the socket's backlog and
    // the process handles it at release_sock, on its own CPU: that matters only when it runs off the interrupt's CPU.
    const owner = this.task.active && this.task.core !== core ? this.task.core : core;
    owner.charge(CAT_PACKET, c.ackRxPerSkbNs);
    const now = this.net.sim.nowNs;
    const ref = (this.isnS + this.una) >>> 0;
    const ackOff = this.una + ((ack32 - ref) | 0);
    const mss = this.mss;
    this.sackSentAt = -1;
    // SACK blocks (kind 5) from the ACK's real option bytes.
    for (let i = optOff, end = optOff + optLen; i < end; ) {
      const kind = frame[i];
      if (kind === 0) break;
      if (kind === 1) {
        i++;
        continue;
      }
      const len = frame[i + 1];
      if (len < 2) break;
      if (kind === 5) {
        for (let b = i + 2; b + 8 <= i + len; b += 8) {
          const l = readU32(frame, b);
          const r = readU32(frame, b + 4);
          this.addSack(this.una + ((l - ref) | 0), this.una + ((r - ref) | 0));
        }
      }
      i += len;
    }
    // Anything up to the highest byte ever sent is acceptable (tcp_ack checks against snd_nxt, which an RTO
    // does not rewind): after go-back-N, the receiver may acknowledge data queued before the loss.
    if (ackOff > this.una && ackOff <= this.sentHigh) {
      const acked = ackOff - this.una;
      this.una = ackOff;
      if (this.nxt < ackOff) this.nxt = ackOff;
      this.dupAcks = 0;
      this.tlpOutstanding = false;
      const sentAt = this.sentTimeOf(this.una - acked, ackOff);
      if (sentAt >= 0) this.rttSample(now - sentAt);
      if (this.inRecovery) {
        if (ackOff >= this.recover) {
          this.inRecovery = false;
          this.cwnd = this.ssthresh;
        }
      } else if (this.cwnd < this.ssthresh) {
        this.cwnd += acked;
      } else {
        this.cwnd += (acked * mss) / this.cwnd;
      }
      if (this.una < this.nxt) this.armTlp(now);
      else this.tlpDeadline = Number.POSITIVE_INFINITY;
      this.rtoDeadline = this.una < this.nxt ? now + this.rtoNs : Number.POSITIVE_INFINITY;
      this.scheduleRto();
    } else if (ackOff === this.una && this.nxt > this.una) {
      // No cumulative progress, but newly SACKed data still times the path (tcp_sacktag_one's sack RTT).
      if (this.sackSentAt >= 0) this.rttSample(now - this.sackSentAt);
      // An ACK pointing into a range we hold as SACKed: the receiver reneged (tcp_check_sack_reneging); forget the
      // scoreboard so the head is retransmitted instead of waiting for an RTO.
      if (this.sacked.length > 0 && this.sacked[0] <= this.una) {
        this.clearSacks();
        this.rtxNext = this.una;
      }
      this.dupAcks++;
      if (this.inRecovery && this.rtxNext > this.una && now - this.unaRtxNs > Math.max(2 * this.srttNs, 200_000)) this.rtxNext = this.una;
    }
    this.pruneSacks();
    if (this.inRecovery) this.rtxCredit = Math.min(2, this.rtxCredit + 1);
    // tcp_time_to_recover in 4.9: three dupacks or SACKed bytes, FACK (a SACK more than `reordering` = 3 segments
    // above una), or early retransmit (RFC 5827: with fewer than 4 segments out, fewer dupacks suffice).
    const outSegs = Math.ceil((this.nxt - this.una) / mss);
    const early = outSegs < 4 && this.sackedBytes > 0 && this.sackedBytes <= this.nxt - this.una - mss;
    const fack = this.highSack - this.una > 3 * mss;
    if (!this.inRecovery && this.nxt > this.una && (this.dupAcks >= 3 || this.sackedBytes >= 3 * mss || fack || early)) {
      // Fast retransmit / SACK recovery: halve once per window, retransmit the holes below the highest SACK.
      this.ssthresh = Math.max((this.nxt - this.una) / 2, 2 * mss);
      this.cwnd = this.ssthresh;
      this.inRecovery = true;
      this.recover = this.nxt;
      this.rtxNext = this.una;
      this.rtxBytes = 0;
      this.rtxCredit = 1;
      if (this.highSack <= this.una) this.highSack = Math.min(this.nxt, this.una + mss);
    }
    if (this.canSend()) this.task.runNow();
  }

  private onData(pkt: Pkt, f: ParsedFrame, seq32: number, core: Core): void {
    const c = this.net.c;
    const len = f.payloadLength;
    // 4.9 hands a segment to a reader blocked in recv() (tcp_prequeue) or owning the socket (the backlog): TCP's
    // receive work and the ACK it sends run in the reader's context, on its CPU. It matters only off the IRQ's CPU.
    const tcpCore = this.reader !== null && this.reader.core !== core ? this.reader.core : core;
    tcpCore.charge(CAT_PACKET, c.rxStackPerSkbNs);
    const off = this.rcvNxt + ((seq32 - ((this.isnS + this.rcvNxt) >>> 0)) | 0);
    let ackNow = false;
    if (off <= this.rcvNxt && off + len > this.rcvNxt) {
      const fresh = off + len - this.rcvNxt;
      this.checkPayload(pkt.frame, f, off, this.rcvNxt - off);
      this.rcvNxt += fresh;
      this.deliver(fresh, core);
      // Pull in out-of-order ranges now contiguous.
      while (this.ooo.length > 0 && this.ooo[0] <= this.rcvNxt) {
        if (this.ooo[1] > this.rcvNxt) {
          this.deliver(this.ooo[1] - this.rcvNxt, core);
          this.rcvNxt = this.ooo[1];
        }
        this.ooo.splice(0, 2);
        ackNow = true;
      }
      this.unacked += fresh;
      ackNow = ackNow || this.ooo.length > 0 || this.unacked >= 2 * this.mss;
    } else if (off > this.rcvNxt) {
      this.checkPayload(pkt.frame, f, off, 0);
      this.insertOoo(off, off + len);
      ackNow = true;
    } else {
      ackNow = true;
    }
    if (ackNow) this.sendAck(tcpCore);
    else if (!this.delackArmed) {
      this.delackArmed = true;
      this.net.sim.push(this.net.sim.nowNs + c.delayedAckNs, this, T_DELACK);
    }
  }

  private insertOoo(s: number, e: number): void {
    const r = this.ooo;
    let i = 0;
    while (i < r.length && r[i + 1] < s) i += 2;
    let j = i;
    while (j < r.length && r[j] <= e) {
      s = Math.min(s, r[j]);
      e = Math.max(e, r[j + 1]);
      j += 2;
    }
    r.splice(i, j - i, s, e);
    this.lastOoo = s;
  }

  /** Queue in-order bytes on the socket and wake the reader if it sleeps (the copy happens in its recv()). */
  private deliver(len: number, core: Core): void {
    this.rcvQueuedBytes += len;
    this.reader ??= new TcpReadTask(this.spec.receiverCpu !== undefined ? this.peerCore : readerCore(this.dst, core), this);
    // A reader on another CPU (load-balanced or pinned there) is woken by an IPI.
    this.reader.wakeFrom(core);
  }

  private readonly sackOut: Array<[number, number]> = [];

  private sendAck(core: Core): void {
    const c = this.net.c;
    core.charge(CAT_PACKET, c.tcpAckTxNs + c.skbAllocNs);
    this.unacked = 0;
    const wnd = Math.min(0xffff, this.rcvWndFree() >>> WSCALE);
    this.rcvWndSent = wnd << WSCALE;
    const r = this.rev;
    // Up to three SACK blocks, the most recently changed first (RFC 2018).
    const blocks = this.sackOut;
    blocks.length = 0;
    const o = this.ooo;
    for (let i = 0; i < o.length; i += 2) {
      if (o[i] === this.lastOoo || (o[i] <= this.lastOoo && this.lastOoo < o[i + 1])) blocks.push([(this.isnS + o[i]) >>> 0, (this.isnS + o[i + 1]) >>> 0]);
    }
    for (let i = o.length - 2; i >= 0 && blocks.length < 3; i -= 2) {
      const left = (this.isnS + o[i]) >>> 0;
      if (blocks.length === 0 || blocks[0][0] !== left) blocks.push([left, (this.isnS + o[i + 1]) >>> 0]);
    }
    const frame = buildTcpFrame({
      srcMac: r.srcMac,
      dstMac: r.dstMac,
      srcIp: r.srcIp,
      dstIp: r.dstIp,
      srcPort: this.dport,
      dstPort: this.sport,
      seq: (this.isnR + 1) >>> 0,
      ack: (this.isnS + this.rcvNxt) >>> 0,
      flags: TCP_ACK,
      window: wnd,
      ipId: this.ipId++ & 0xffff,
      options: blocks.length > 0 ? { sackBlocks: blocks.slice(0, 3) } : undefined,
      checksum: 'partial',
    });
    const skb = createSkb({ len: frame.length, ipSummed: IpSummed.PARTIAL, csumStart: 34, csumOffset: 16, networkHeader: 14, transportHeader: 34 });
    this.net.transmit(r.port, new Pkt(frame, skb), core);
  }
}

// ---------------------------------------------------------------------------------------------
// UDP stream and probe

class DueTask extends Task {
  due = 0;
  constructor(
    core: Core,
    private readonly onBegin: (core: Core) => void,
    private readonly onFinish: (core: Core) => void,
  ) {
    super(core);
  }
  hasWork(): boolean {
    return this.due > 0;
  }
  begin(): void {
    this.due--;
    this.onBegin(this.core);
  }
  finish(): void {
    this.onFinish(this.core);
  }
  endTurn(): boolean {
    return false;
  }
}

export class UdpFlow extends FlowRt implements EventTarget {
  private readonly task: DueTask;
  private readonly intervalNs: number;
  private readonly payloadBytes: number;
  private readonly payload: Uint8Array;
  private sent = 0;

  constructor(net: Net, idx: number, readonly udp: UdpFlowSpec, src: NodeRt, dst: NodeRt, rng: Rng) {
    super(net, idx, udp, src, dst, rng);
    this.payloadBytes = Math.max(4, Math.min(udp.payloadBytes, this.fwd.port.mtu - 28));
    this.payload = this.pattern.slice(0, this.payloadBytes);
    this.intervalNs = Math.max(1, Math.round((this.payloadBytes * 8 * 1e9) / Math.max(1, udp.rateBitsPerSec)));
    this.task = new DueTask(
      this.appCore,
      (core) => this.chargeUdpSend(core, this.payloadBytes),
      (core) => {
        writeU32(this.payload, 0, this.sent++);
        const pkt = this.udpFrame(this.fwd, this.sport, this.dport, this.payload, udp.tos ?? 0);
        this.net.transmit(this.fwd.port, pkt, core);
      },
    );
    // The sending application is a process: softirq work on its CPU preempts it.
    this.task.lowPriority = true;
  }

  start(): void {
    this.net.sim.push(this.udp.startNs, this, 0);
  }

  onEvent(nowNs: number): void {
    if (!this.active(nowNs)) return;
    this.task.due++;
    this.task.runNow();
    this.net.sim.push(nowNs + this.intervalNs, this, 0);
  }

  receive(node: NodeRt, port: Port, pkt: Pkt, f: ParsedFrame, core: Core, reverse: boolean): void {
    void node;
    void port;
    if (reverse) return;
    const c = this.net.c;
    core.charge(CAT_PACKET, c.rxStackPerSkbNs);
    core.charge(CAT_COPY, f.payloadLength * c.copyNsPerByte);
    core.charge(CAT_EVENT, c.syscallNs);
    this.checkPayload(pkt.frame, f, 0, 4);
    this.bytesDelivered += f.payloadLength;
  }
}

const PROBE_SLOTS = 4096;

/** What one end of the probe does: the bytes it receives, its sendto() cost, and what follows a send or a receive. */
interface ProbeEndRole {
  bytesIn: number;
  chargeSend: (core: Core) => void;
  /** The echo server answers each datagram it reads, in the same wake-up. */
  answers: boolean;
  /** Client: after sendto() (the request leaves). */
  sent: ((core: Core) => void) | null;
  /** After recvfrom() (and the answer's sendto() on the server). */
  received: (seq: number, core: Core) => void;
}

/**
 * One end of the probe: a process that sleeps in recvfrom() (and, on the client, in its interval timer). Woken, it
 * preempts a running CPU hog (it sleeps most of the time, so CFS favours it), but softirq work on its CPU still runs
 * first: that wait is the "task switching" jitter of a busy guest. Each unit charges its syscalls in `begin` and acts
 * in `finish`, so a datagram leaves after the CPU time that sends it.
 */
class ProbeEndTask extends ProcessTask {
  /** Sequence numbers whose datagram is queued on the socket, oldest first. */
  private readonly queued: number[] = [];
  /** Interval timer expiries not yet served (client only). */
  due = 0;
  private recv = false;
  private seq = 0;
  constructor(
    core: Core,
    net: Net,
    private readonly role: ProbeEndRole,
  ) {
    super(core, net);
    this.preemptsOnWake = true;
  }
  hasWork(): boolean {
    return this.queued.length > 0 || this.due > 0;
  }
  begin(): void {
    const c = this.net.c;
    this.recv = this.queued.length > 0;
    if (this.recv) {
      this.seq = this.queued.shift() as number;
      this.core.charge(CAT_EVENT, c.syscallNs);
      this.core.charge(CAT_COPY, this.role.bytesIn * c.copyNsPerByte);
      if (this.role.answers) this.role.chargeSend(this.core);
      return;
    }
    this.due--;
    this.role.chargeSend(this.core);
  }
  finish(): void {
    if (this.recv) this.role.received(this.seq, this.core);
    else this.role.sent?.(this.core);
  }
  /** Datagram `seq` queued on the socket by softirq on `from`: wake the process if it sleeps. */
  deliver(seq: number, from: Core): void {
    this.queued.push(seq);
    this.wakeFrom(from);
  }
}

export class ProbeFlow extends FlowRt implements EventTarget {
  readonly hist = new LatencyHistogram();
  jitterNs = 0;
  /** Σ |RTT_i − RTT_i−1| over the run, and how many differences: the mean is the run's jitter, every sample weighing alike. */
  absDeltaSumNs = 0;
  deltaCount = 0;
  private prevRttNs = -1;
  private seq = 0;
  private readonly sentNs = new Float64Array(PROBE_SLOTS).fill(-1);
  private readonly client: ProbeEndTask;
  private server: ProbeEndTask | null = null;
  private readonly reqBytes: number;
  private readonly respBytes: number;
  private readonly reqPayload: Uint8Array;
  private readonly respPayload: Uint8Array;
  /** Samples since the last metrics read (mean RTT per interval). */
  intervalSumNs = 0;
  intervalCount = 0;

  constructor(net: Net, idx: number, readonly probe: ProbeFlowSpec, src: NodeRt, dst: NodeRt, rng: Rng) {
    super(net, idx, probe, src, dst, rng);
    this.reqBytes = Math.max(4, Math.min(probe.requestBytes, this.fwd.port.mtu - 28));
    this.respBytes = Math.max(4, Math.min(probe.responseBytes, this.rev.port.mtu - 28));
    this.reqPayload = this.pattern.slice(0, this.reqBytes);
    this.respPayload = this.pattern.slice(0, this.respBytes);
    // The client (like ping or a netperf RR loop): sendto() on each timer expiry, then recvfrom() the answer.
    this.client = new ProbeEndTask(this.appCore, net, {
      bytesIn: this.respBytes,
      chargeSend: (core) => this.chargeUdpSend(core, this.reqBytes),
      answers: false,
      sent: (core) => {
        const s = this.seq++;
        writeU32(this.reqPayload, 0, s);
        this.sentNs[s % PROBE_SLOTS] = this.net.sim.nowNs;
        this.net.transmit(this.fwd.port, this.udpFrame(this.fwd, this.sport, this.dport, this.reqPayload, probe.tos ?? 0), core);
      },
      received: (s) => this.recordRtt(s),
    });
  }

  start(): void {
    this.net.sim.push(this.probe.startNs, this, 0);
  }

  onEvent(nowNs: number): void {
    if (!this.active(nowNs)) return;
    this.client.due++;
    this.client.wakeFrom(null);
    this.net.sim.push(nowNs + Math.max(1000, this.probe.intervalNs), this, 0);
  }

  /** The echo server: a process on the receiving node (pinned by receiverCpu, else where its softirq runs). */
  private serverOn(core: Core): ProbeEndTask {
    this.server ??= new ProbeEndTask(this.probe.receiverCpu !== undefined ? this.peerCore : readerCore(this.dst, core), this.net, {
      bytesIn: this.reqBytes,
      chargeSend: (at) => this.chargeUdpSend(at, this.respBytes),
      answers: true,
      sent: null,
      received: (s, at) => {
        writeU32(this.respPayload, 0, s);
        this.net.transmit(this.rev.port, this.udpFrame(this.rev, this.dport, this.sport, this.respPayload, this.probe.tos ?? 0), at);
      },
    });
    return this.server;
  }

  receive(node: NodeRt, port: Port, pkt: Pkt, f: ParsedFrame, core: Core, reverse: boolean): void {
    void node;
    void port;
    // UDP receive in softirq queues the datagram on the socket; the process copies it out in recvfrom().
    core.charge(CAT_PACKET, this.net.c.rxStackPerSkbNs);
    if (f.payloadLength < 4) return;
    const s = readU32(pkt.frame, f.payloadOffset);
    this.checkPayload(pkt.frame, f, 0, 4);
    if (reverse) {
      this.bytesDelivered += f.payloadLength;
      this.client.deliver(s, core);
    } else this.serverOn(core).deliver(s, core);
  }

  private recordRtt(s: number): void {
    const sent = this.sentNs[s % PROBE_SLOTS];
    if (sent < 0) return;
    this.sentNs[s % PROBE_SLOTS] = -1;
    const rtt = this.net.sim.nowNs - sent;
    this.hist.record(rtt);
    this.intervalSumNs += rtt;
    this.intervalCount++;
    if (this.prevRttNs >= 0) {
      const d = Math.abs(rtt - this.prevRttNs);
      this.jitterNs += (d - this.jitterNs) / 16;
      this.absDeltaSumNs += d;
      this.deltaCount++;
    }
    this.prevRttNs = rtt;
  }
}

function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

function readU32(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

export function createFlow(net: Net, idx: number, spec: FlowSpec, src: NodeRt, dst: NodeRt, rng: Rng): FlowRt {
  switch (spec.kind) {
    case 'tcp':
      return new TcpFlow(net, idx, spec, src, dst, rng);
    case 'udp':
      return new UdpFlow(net, idx, spec, src, dst, rng);
    case 'probe':
      return new ProbeFlow(net, idx, spec, src, dst, rng);
  }
}

export { ETH_IP_TCP, ETH_IP_UDP };
