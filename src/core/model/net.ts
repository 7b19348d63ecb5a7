/**
 * The network runtime: ports, links, nodes and the consumers that move packets between them, with the
 * offload decisions Linux makes at every hop. Costs are charged on the core doing the work; notifications
 * are paid only when the consumer is idle (event-idx / NAPI semantics), so suppression under load emerges.
 */
import { CAT_CHECKSUM, CAT_COPY, CAT_EVENT, CAT_GRO, CAT_HASH, CAT_LOOKUP, CAT_PACKET, CAT_SEGMENTATION, Core, Task } from '../sim/cpu';
import type { EventQueue, EventTarget } from '../sim/eventQueue';
import type { ResolvedCosts } from '../sim/profiles';
import type { Rng } from '../rng';
import { Counters } from '../metrics/stats';
import type { Endpoint, FaultSpec, InterfaceSpec, LinkSpec, NodeSpec, Scenario } from '../scenario/types';
import type { NetDevice } from '../features/device';
import { createInterfaceDevice } from './offloads';
import { Pkt, PktQueue } from './pkt';
import { IpSummed, PktHashType, skbChecksumHelp, skbIsGso, validateRxL4Checksum } from '../packet/skb';
import { IndirectionTable, ToeplitzHasher, softwareFlowHash } from '../packet/hash';
import { createParsedFrame, decrementTtl, parseFrameInto, type ParsedFrame } from '../packet/frame';
import { segmentTcp, segmentUdp } from '../packet/gso';
import { GroQueue, type GroPacket } from '../packet/gro';
import { verifyL4Checksum, writeL4Checksum } from '../packet/checksum';
import { PacketError } from '../packet/errors';
import { VnetFeatures, VnetHashReport, decodeVnetHdr, emptyVnetHdr, encodeVnetHdr, skbToVnetHdr, vnetHdrToSkb, type VnetDirection } from '../packet/vnet';

export const EV_KICK = 0;
export const EV_INTERRUPT = 1;
export const EV_WAKEUP = 2;
export const EV_SOFTIRQ = 3;
export const EV_EXIT = 4;

/** Per-port counter layout (monotonic). */
export const PC_TX_PKTS = 0;
export const PC_TX_BYTES = 1;
export const PC_TX_EV = 2; // +kind (5)
export const PC_TX_DROPS = 7;
export const PC_RX_PKTS = 8;
export const PC_RX_BYTES = 9;
export const PC_RX_EV = 10; // +kind (5)
export const PC_RX_DROPS = 15;
export const PORT_STRIDE = 16;

export type Dir = 'rx' | 'tx';

export interface FaultRt {
  kind: 'corrupt' | 'drop';
  fraction: number;
  payloadOffsetBytes: number;
  rng: Rng;
}

/** A flow's receive side as the network sees it. */
export interface FlowSink {
  receive(node: NodeRt, port: Port, pkt: Pkt, parsed: ParsedFrame, core: Core, reverse: boolean): void;
}

export class Port {
  readonly id: string;
  dev: NetDevice;
  mac: Uint8Array;
  ip = 0;
  prefixLen = 24;
  hasIp = false;
  link: LinkRt | null = null;
  peer: Port | null = null;
  /** Guest side of a virtio link. */
  side: 'a' | 'b' | null = null;
  vnet = false;
  canCsum = false;
  canGso = false;
  readonly ctr: number;
  readonly dropReasons: [Record<string, number>, Record<string, number>] = [{}, {}];
  faultsRx: FaultRt[] = [];
  faultsTx: FaultRt[] = [];
  shaper: Shaper | null = null;
  line: LineTx | null = null;
  /** Hardware receive ring of a NIC port on a wire (its NAPI consumer). */
  /** Receive rings of a NIC port on a wire (one per queue) and their NAPI consumers. */
  nicRx: PktQueue[] = [];
  nicNapi: NapiTask[] = [];
  rss: IndirectionTable | null = null;
  /** Static FDB of an L2 node's port: MACs (as numbers) reachable through it. */
  domain = -1;

  constructor(
    readonly node: NodeRt,
    readonly spec: InterfaceSpec,
    readonly index: number,
    counters: Counters,
  ) {
    this.id = `${node.id}/${spec.name}`;
    this.dev = createInterfaceDevice(spec.template, spec.features, node.kind);
    this.mac = spec.mac ? macBytes(spec.mac) : Uint8Array.of(0x52, 0x54, 0x00, node.index & 0xff, index & 0xff, (node.index >> 8) & 0xff);
    this.ctr = counters.alloc(PORT_STRIDE);
    if (spec.ipv4) {
      const [addr, len] = spec.ipv4.split('/');
      this.ip = ipU32(addr);
      this.prefixLen = len === undefined ? 24 : Number(len);
      this.hasIp = true;
    }
  }

  get mtu(): number {
    return this.spec.mtu;
  }
}

export interface NodeRt {
  id: string;
  index: number;
  spec: NodeSpec;
  kind: NodeSpec['kind'];
  ports: Port[];
  cores: Core[];
  /** Cores of helper threads serving this node (vhost workers), for reporting. */
  extraCores: Core[];
  /** Router/forwarder input queues and their consumers (one per core). */
  input: PktQueue[];
  inputTasks: RouterTask[];
  routes: RouteRt[];
  fdb: Map<number, Port>;
  memoryBytes: number;
  isEndpoint: boolean;
  /** Rotates the app core for flows that start here. */
  nextAppCore: number;
  /** Receiving applications placed on each of `cores` (the scheduler spreads them). */
  readersPerCore: number[];
}

interface RouteRt {
  net: number;
  mask: number;
  len: number;
  port: Port;
  via: number;
}

/** A virtio link: per queue pair a guest TX ring, a tap queue, a guest RX ring and their consumers. */
export class LinkRt {
  guestTx: PktQueue[] = [];
  /** Per guest TX queue: stopped by the driver (ring full), woken when vhost has used enough descriptors. */
  txStopped: boolean[] = [];
  tapQ: PktQueue[] = [];
  guestRx: PktQueue[] = [];
  /** Per guest RX ring, in descriptors: filled and waiting for the guest; consumed and not yet posted again (num_free). */
  rxFilledDescs: number[] = [];
  rxUnposted: number[] = [];
  /** Per guest RX ring: EWMA of received packet lengths, which sizes its mergeable buffers (bytes). */
  rxAvgLenBytes: number[] = [];
  vhostTx: VhostTxTask[] = [];
  vhostRx: VhostRxTask[] = [];
  napi: NapiTask[] = [];
  constructor(
    readonly spec: LinkSpec,
    readonly a: Port,
    readonly b: Port,
  ) {}
  get kind(): LinkSpec['kind'] {
    return this.spec.kind;
  }
}

// ---------------------------------------------------------------------------------------------
// Consumers

/** virtio_net_hdr_mrg_rxbuf, at the start of every mergeable receive buffer. */
const MRG_HDR_BYTES = 12;
/** ETH_HLEN + VLAN_HLEN + ETH_DATA_LEN: the smallest mergeable buffer's payload. */
const GOOD_PACKET_LEN = 1518;
const PAGE_BYTES = 4096;
/** MERGEABLE_BUFFER_ALIGN (L1_CACHE_BYTES on x86). */
const MERGEABLE_BUFFER_ALIGN = 64;
const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/**
 * A vhost worker thread for one queue of a virtio link: one turn moves packets until its queue is empty or
 * the vhost weight (bytes, packets) is spent, then it requeues itself (vhost_net's fairness rule).
 */
abstract class VhostTask extends Task {
  protected turnBytes = 0;
  protected turnPkts = 0;
  protected cur: Pkt | null = null;
  constructor(
    core: Core,
    protected readonly net: Net,
    protected readonly link: LinkRt,
    protected readonly q: number,
    protected readonly polling: boolean,
  ) {
    super(core);
    if (polling) this.pinned = true;
  }
  override startTurn(): void {
    this.turnBytes = 0;
    this.turnPkts = 0;
    this.chargeWake(this.net.c.contextSwitchNs);
  }
  protected withinWeight(): boolean {
    const c = this.net.c;
    return this.turnBytes < c.vhostWeightBytes && this.turnPkts < c.vhostWeightPackets;
  }
  /** Takes `p` as the packet in hand, charging the per-packet stage cost and the copy. */
  protected take(p: Pkt, perPacketNs: number): void {
    const c = this.net.c;
    const len = p.frame.length;
    this.core.charge(CAT_PACKET, this.polling ? c.pollerPerPacketNs : perPacketNs);
    this.core.charge(CAT_COPY, len * c.copyNsPerByte);
    this.turnBytes += len;
    this.turnPkts++;
    this.cur = p;
  }
  /** Hands back the packet in hand, with its TSQ budget released. */
  protected release(): Pkt {
    const p = this.cur as Pkt;
    this.cur = null;
    this.net.releaseTsq(p);
    return p;
  }
}

/** vhost TX worker: drains a guest TX ring into the host side (tap → bridge/router...). */
export class VhostTxTask extends VhostTask {
  hasWork(): boolean {
    return this.link.guestTx[this.q].length > 0 && this.withinWeight();
  }
  begin(): void {
    const c = this.net.c;
    this.take(this.link.guestTx[this.q].shift() as Pkt, c.vhostTxPerPacketNs + c.skbAllocNs);
    this.net.txRingConsumed(this.link, this.q, this.core);
  }
  finish(): void {
    const p = this.release();
    if (!this.net.crossVirtio(this.link, 'tx', p, this.core)) return;
    this.net.ingress(this.link.b, p, this.core);
  }
  endTurn(): boolean {
    return this.link.guestTx[this.q].length > 0;
  }
}

/** vhost RX worker: moves packets from the tap queue into the guest RX ring and interrupts the guest. */
export class VhostRxTask extends VhostTask {
  /** Stopped without enough posted guest RX buffers for the next packet; the guest's refill wakes it. */
  blocked = false;
  /** The guest is a polling PMD (MTU mbufs, one descriptor each, refilled as it goes), not a kernel driver. */
  private readonly guestPolls = this.link.a.node.kind === 'forwarder';
  hasWork(): boolean {
    return this.link.tapQ[this.q].length > 0 && !this.noBuffer() && this.withinWeight();
  }
  /** Too few free descriptors for the packet at the head of the tap queue (vhost's get_rx_bufs gives up). */
  private noBuffer(): boolean {
    const head = this.link.tapQ[this.q].peek() as Pkt;
    const free = this.link.guestRx[this.q].capacity - this.link.rxFilledDescs[this.q] - this.link.rxUnposted[this.q];
    return free < this.descsFor(head);
  }
  /**
   * Descriptors a packet fills: a kernel guest posts mergeable buffers sized by the EWMA of what it received,
   * clamped to GOOD_PACKET_LEN … PAGE_SIZE − header (get_mergeable_buf_len), so a 64 KiB GSO frame takes 16.
   */
  private descsFor(p: Pkt): number {
    if (this.guestPolls) return 1;
    const avg = this.link.rxAvgLenBytes[this.q];
    const bufBytes = alignUp(MRG_HDR_BYTES + Math.min(Math.max(avg, GOOD_PACKET_LEN), PAGE_BYTES - MRG_HDR_BYTES), MERGEABLE_BUFFER_ALIGN);
    // At most half the ring: the guest refills only past half free, so a frame needing more (a tiny configured
    // ring; QEMU's minimum is 256) would never fit. Rings of 32 or more are unaffected.
    return Math.min(Math.max(1, this.link.guestRx[this.q].capacity >> 1), Math.ceil((p.frame.length + MRG_HDR_BYTES) / bufBytes));
  }
  /**
   * The guest took a packet off its RX ring. A kernel guest posts its buffers again only at the end of a NAPI
   * poll that leaves more than half the ring free (virtnet_receive → try_fill_recv), then kicks if vhost ran out
   * (it enabled notification); a polling PMD refills as it goes.
   */
  consumed(p: Pkt, core: Core): void {
    const q = this.q;
    this.link.rxFilledDescs[q] -= p.ringDescs;
    this.link.rxUnposted[q] += p.ringDescs;
    // ewma_pkt_len (weight 64), fed the length of every packet received.
    const avg = this.link.rxAvgLenBytes[q];
    this.link.rxAvgLenBytes[q] = avg === 0 ? p.frame.length : avg + (p.frame.length - avg) / 64;
    if (this.guestPolls) this.refill(core);
  }
  /** End of a kernel guest's NAPI poll: the refill rule of virtnet_receive. */
  pollDone(core: Core): void {
    const ring = this.link.guestRx[this.q];
    if (this.link.rxUnposted[this.q] > ring.capacity / 2) this.refill(core);
  }
  private refill(core: Core): void {
    this.link.rxUnposted[this.q] = 0;
    if (!this.blocked) return;
    this.blocked = false;
    this.net.notify(this, core, EV_KICK, this.link.a, 'rx');
  }
  begin(): void {
    const p = this.link.tapQ[this.q].shift() as Pkt;
    // Sized now, against the buffers hasWork found free: the guest only frees more until finish().
    p.ringDescs = this.descsFor(p);
    this.take(p, this.net.c.vhostRxPerPacketNs);
  }
  finish(): void {
    const p = this.release();
    const guest = this.link.a;
    if (!this.net.crossVirtio(this.link, 'rx', p, this.core)) return;
    this.link.rxFilledDescs[this.q] += p.ringDescs;
    this.link.guestRx[this.q].push(p);
    this.net.notify(this.link.napi[this.q], this.core, EV_INTERRUPT, guest, 'rx');
  }
  endTurn(): boolean {
    const tq = this.link.tapQ[this.q];
    if (tq.length > 0 && this.noBuffer()) {
      this.blocked = true;
      return false;
    }
    return tq.length > 0;
  }
}

/**
 * Softirq work started by an interrupt (a NAPI poll, net_tx_action): the first turn after one pays for taking it
 * — a guest without posted interrupts exits to take it and again on EOI, each exit paying its penalty too. A
 * polling consumer (DPDK PMD) takes no interrupts.
 */
abstract class IrqTask extends Task {
  interrupted = false;
  constructor(
    core: Core,
    protected readonly net: Net,
    polling: boolean,
    /** A guest vCPU (interrupts cost exits) rather than a host core. */
    protected readonly guest: boolean,
  ) {
    super(core);
    if (polling) this.pinned = true;
  }
  protected takeInterrupt(): void {
    if (!this.interrupted) return;
    this.interrupted = false;
    const c = this.net.c;
    this.core.charge(CAT_EVENT, (this.guest ? c.interruptNs + c.interruptExits * c.exitPenaltyNs : 0) + c.interruptHandlerNs);
  }
}

/**
 * NAPI poll of one receive ring (virtio guest RX or a NIC ring): up to napiWeight packets per turn, GRO
 * per ring when the port has it, held GRO flows flushed when the poll completes.
 */
export class NapiTask extends IrqTask {
  private budget = 0;
  private readonly out: Pkt[] = [];
  private outHead = 0;
  private readonly gro: GroQueue;
  private readonly groOut: GroPacket[] = [];
  private cur: Pkt | null = null;
  private curIsDelivery = false;
  guestSide = false;
  /** A NIC ring's LRO engine: held aggregates are closed (flushed to the ring) when the poll finds it empty. */
  lro: GroQueue | null = null;
  constructor(
    core: Core,
    net: Net,
    private readonly port: Port,
    private readonly ring: PktQueue,
    private readonly polling: boolean,
    guest: boolean,
    /** The vhost RX worker that feeds this ring (woken when the guest refills). */
    private readonly feeder: VhostRxTask | null,
  ) {
    super(core, net, polling, guest);
    this.gro = new GroQueue();
  }
  override startTurn(): void {
    this.budget = 0;
    this.takeInterrupt();
    this.chargeWake(this.net.c.contextSwitchNs);
  }
  hasWork(): boolean {
    if (this.outHead < this.out.length) return true;
    if (this.budget >= this.net.c.napiWeightPackets) return false;
    return this.ring.length > 0 || this.lroHeld();
  }
  private lroHeld(): boolean {
    return this.lro !== null && this.lro.heldFlows > 0;
  }
  begin(): void {
    const c = this.net.c;
    if (this.outHead < this.out.length) {
      this.cur = this.out[this.outHead];
      this.out[this.outHead++] = null as unknown as Pkt;
      if (this.outHead === this.out.length) {
        this.out.length = 0;
        this.outHead = 0;
      }
      this.curIsDelivery = true;
      return;
    }
    if (this.ring.length === 0) this.closeLro();
    const p = this.ring.shift() as Pkt;
    this.budget++;
    this.core.charge(CAT_PACKET, this.polling ? c.pollerPerPacketNs : c.rxNetdevPerPacketNs + c.rxBufferPerPacketNs + c.skbAllocNs);
    this.cur = p;
    this.curIsDelivery = false;
  }
  finish(): void {
    const p = this.cur as Pkt;
    this.cur = null;
    if (this.curIsDelivery) {
      this.net.ingress(this.port, p, this.core);
      return;
    }
    this.feeder?.consumed(p, this.core);
    const off = this.port.dev.offloads;
    if (off.gro && !this.polling && isTcp(p.frame)) {
      const summed = this.gro.stats.checksumBytes;
      const verdict = this.gro.receive(p.frame, p.skb, this.groOut);
      // One skb_gro_receive per packet merged: an arriving aggregate (LRO, GSO) moves its frags in one call.
      if (verdict === 'merged' || verdict === 'merged-flushed') this.core.charge(CAT_GRO, this.net.c.groMergePerSegmentNs);
      const verified = this.gro.stats.checksumBytes - summed;
      if (verified > 0) {
        // GRO validates a CHECKSUM_NONE segment in software before it may merge it.
        this.core.charge(CAT_CHECKSUM, verified * this.net.c.checksumNsPerByte);
        this.net.gcount(G_VERIFIED);
      }
      this.takeGro();
      return;
    }
    this.out.push(p);
  }
  endTurn(): boolean {
    if (this.gro.heldFlows > 0) {
      this.gro.flush(this.groOut);
      this.takeGro();
    }
    this.feeder?.pollDone(this.core);
    if (this.outHead < this.out.length) return true;
    return this.ring.length > 0 || this.lroHeld();
  }
  /** The ring ran dry: the device closes its open aggregates and writes them back. */
  private closeLro(): void {
    this.net.writeBackLro(this.port, this.ring, (this.lro as GroQueue).flush(this.net.lroDone));
  }
  private takeGro(): void {
    for (let i = 0; i < this.groOut.length; i++) {
      const g = this.groOut[i];
      this.out.push(new Pkt(g.frame, g.skb));
    }
    this.groOut.length = 0;
  }
}

/** Per-core backlog (netif_rx → process_backlog) for veth/tap crossings: softirq on the pushing core. */
export class BacklogTask extends Task {
  readonly q: PktQueue;
  private budget = 0;
  private cur: Pkt | null = null;
  constructor(
    core: Core,
    private readonly net: Net,
  ) {
    super(core);
    this.q = new PktQueue(net.c.backlogPackets);
  }
  override startTurn(): void {
    this.budget = 0;
  }
  hasWork(): boolean {
    return this.q.length > 0 && this.budget < this.net.c.napiWeightPackets;
  }
  begin(): void {
    const p = this.q.shift() as Pkt;
    this.budget++;
    this.core.charge(CAT_PACKET, this.net.c.vethPerPacketNs);
    this.cur = p;
  }
  finish(): void {
    const p = this.cur as Pkt;
    this.cur = null;
    this.net.releaseTsq(p);
    this.net.ingress(p.port as Port, p, this.core);
  }
  endTurn(): boolean {
    return this.q.length > 0;
  }
}

/** A router's (or forwarder's) forwarding thread on one of its cores, fed by its input queue. */
export class RouterTask extends Task {
  private budget = 0;
  private cur: Pkt | null = null;
  constructor(
    core: Core,
    private readonly net: Net,
    private readonly node: NodeRt,
    private readonly q: PktQueue,
    polling: boolean,
  ) {
    super(core);
    if (polling) this.pinned = true;
  }
  override startTurn(): void {
    this.budget = 0;
    this.chargeWake(this.net.c.contextSwitchNs);
  }
  hasWork(): boolean {
    return this.q.length > 0 && this.budget < this.net.c.napiWeightPackets;
  }
  begin(): void {
    this.cur = this.q.shift() as Pkt;
    this.budget++;
  }
  finish(): void {
    const p = this.cur as Pkt;
    this.cur = null;
    this.net.forward(this.node, p.port as Port, p, this.core);
  }
  endTurn(): boolean {
    return this.q.length > 0;
  }
}

/**
 * qdisc_pkt_len (qdisc_pkt_len_init): the bytes a qdisc charges for a packet. A GSO skb counts its payload
 * plus one set of headers (MAC to the end of the TCP/UDP header) per segment: skb->len + (gso_segs − 1) × hdr_len.
 */
export function qdiscPktLen(p: Pkt): number {
  const len = p.frame.length;
  const skb = p.skb;
  if (skb.gsoSize <= 0) return len;
  const fr = p.frame;
  let l4: number;
  let proto: number;
  if (fr[12] === 0x86 && fr[13] === 0xdd) {
    l4 = 54;
    proto = fr[20];
  } else {
    l4 = 14 + (fr[14] & 0x0f) * 4;
    proto = fr[23];
  }
  const hdr = proto === 6 ? l4 + (fr[l4 + 12] >> 4) * 4 : l4 + 8;
  const segs = skb.gsoSegs > 0 ? skb.gsoSegs : Math.max(1, Math.ceil((len - hdr) / skb.gsoSize));
  return len + (segs - 1) * hdr;
}

/** A flow of an fq qdisc (sch_fq's struct fq_flow): its packets, DRR credit and which list it is on. */
interface FqFlow {
  q: PktQueue;
  credit: number;
  /** 0 detached, 1 on new_flows, 2 on old_flows. */
  list: 0 | 1 | 2;
  /** When it was last detached (ns). */
  ageNs: number;
}

/** sch_fq's flow_refill_delay (40 ms): a flow idle that long re-enters new_flows with at least a quantum. */
const FQ_FLOW_REFILL_DELAY_NS = 40_000_000;

/**
 * One qdisc instance's queues and scheduling (no timing): pfifo, prio (a child pfifo per band, prio_enqueue →
 * qdisc_enqueue(child)), or fq (per-flow queues, DRR by bytes with new flows served first, fq_dequeue).
 * `requeued` is dev_requeue_skb's slot: a packet dequeued while the driver queue turned out stopped.
 */
class QdiscQueues {
  private readonly bands: PktQueue[] = [];
  private readonly flows = new Map<number, FqFlow>();
  private readonly newFlows: FqFlow[] = [];
  private readonly oldFlows: FqFlow[] = [];
  requeued: Pkt | null = null;
  count = 0;
  constructor(
    readonly kind: 'pfifo' | 'prio' | 'fq',
    private readonly limitPackets: number,
    bands: number,
    private readonly flowLimitPackets: number,
    private readonly quantumBytes: number,
    private readonly initialQuantumBytes: number,
  ) {
    // prio's default children are pfifo with limit = txqueuelen: each band holds its own `limit` packets.
    for (let i = 0; i < (kind === 'prio' ? Math.max(1, bands) : 1); i++) this.bands.push(new PktQueue(kind === 'fq' ? 0 : limitPackets));
  }
  /** Enqueue; returns the drop reason, or null when queued. */
  enqueue(p: Pkt, nowNs: number): string | null {
    if (this.kind === 'prio') {
      // pfifo_fast/prio: TOS → skb priority (ip_tos2prio) → band (default priomap).
      const tos = p.frame.length > 15 ? p.frame[15] : 0;
      const band = PRIOMAP[IP_TOS2PRIO[(tos & 0x1e) >> 1]];
      if (!this.bands[Math.min(band, this.bands.length - 1)].push(p)) return 'qdisc-full';
    } else if (this.kind === 'fq') {
      // fq_enqueue: the qdisc-wide limit first, then the flow's flow_limit.
      if (this.count >= this.limitPackets) return 'qdisc-full';
      const key = flowKeyOf(p.frame);
      let f = this.flows.get(key);
      if (f === undefined) {
        f = { q: new PktQueue(this.flowLimitPackets), credit: this.initialQuantumBytes, list: 0, ageNs: nowNs };
        this.flows.set(key, f);
      }
      if (!f.q.push(p)) return 'qdisc-flow-limit';
      if (f.list === 0) {
        // A detached flow goes on new_flows; idle longer than flow_refill_delay it gets at least a quantum back.
        if (nowNs - f.ageNs > FQ_FLOW_REFILL_DELAY_NS) f.credit = Math.max(f.credit, this.quantumBytes);
        f.list = 1;
        this.newFlows.push(f);
      }
    } else if (!this.bands[0].push(p)) {
      return 'qdisc-full';
    }
    this.count++;
    return null;
  }
  /** Next packet to transmit (the requeued one first), or null. `count` still includes it until `sent`. */
  dequeue(nowNs: number): Pkt | null {
    if (this.requeued !== null) {
      const p = this.requeued;
      this.requeued = null;
      return p;
    }
    if (this.kind !== 'fq') {
      for (const b of this.bands) if (b.length > 0) return b.shift();
      return null;
    }
    for (;;) {
      const head = this.newFlows.length > 0 ? this.newFlows : this.oldFlows;
      if (head.length === 0) return null;
      const f = head[0];
      if (f.credit <= 0) {
        f.credit += this.quantumBytes;
        head.shift();
        f.list = 2;
        this.oldFlows.push(f);
        continue;
      }
      const p = f.q.shift();
      if (p === null) {
        head.shift();
        if (head === this.newFlows && this.oldFlows.length > 0) {
          f.list = 2;
          this.oldFlows.push(f);
        } else {
          f.list = 0;
          f.ageNs = nowNs;
        }
        continue;
      }
      f.credit -= qdiscPktLen(p);
      return p;
    }
  }
  get empty(): boolean {
    return this.count === 0;
  }
}

/**
 * A port's qdisc in front of its driver queue: pfifo / prio / fq, optionally rate-limited (a shaper releasing
 * packets at `rateBitsPerSec` on a timer). It dequeues only while the driver queue runs: a full virtio TX ring
 * stops the queue (start_xmit → netif_stop_subqueue) and packets wait here until vhost has consumed
 * descriptors and the TX interrupt wakes it (skb_xmit_done → netif_wake_subqueue → net_tx_action → qdisc_run).
 * Unshaped on a multiqueue device it is mq: one child per TX queue.
 */
export class Shaper implements EventTarget {
  private readonly children: QdiscQueues[] = [];
  /** Unshaped: per TX queue, the NET_TX softirq that drains the child after a wake-up. */
  private readonly runners: QdiscRunTask[] = [];
  private rr = 0;
  private busyUntilNs = 0;
  private armed = false;
  /** The virtio link whose guest TX rings this qdisc feeds (null: a NIC, a tap or a veth). */
  private readonly guestLink: LinkRt | null;
  depthMax = 0;
  get hostId(): string {
    return this.port.node.spec.host;
  }
  constructor(
    private readonly net: Net,
    private readonly port: Port,
    readonly kind: 'pfifo' | 'prio' | 'fq',
    limitPackets: number,
    /** 0: not rate-limited. */
    public rateBitsPerSec: number,
    bands: number,
    flowLimitPackets: number,
    quantumBytes: number,
  ) {
    const link = port.link;
    this.guestLink = link !== null && link.kind === 'virtio' && port.side === 'a' ? link : null;
    const txqs = this.guestLink !== null ? this.guestLink.guestTx.length : 1;
    const children = rateBitsPerSec > 0 ? 1 : txqs;
    // sch_fq: initial_quantum = 10 × psched_mtu (MTU + link header).
    const initialQuantum = 10 * (port.mtu + 14);
    for (let i = 0; i < children; i++) this.children.push(new QdiscQueues(kind, limitPackets, bands, flowLimitPackets, quantumBytes, initialQuantum));
    if (this.guestLink !== null) {
      const napi = this.guestLink.napi;
      for (let q = 0; q < txqs; q++) this.runners.push(new QdiscRunTask(napi[q].core, net, this, q, napi[q].pinned, true));
    } else if (port.line !== null && port.nicNapi.length > 0) {
      // A NIC: the TX completion (its interrupt/NAPI on queue 0's core) wakes the queue and runs the qdisc.
      this.runners.push(new QdiscRunTask(port.nicNapi[0].core, net, this, 0, port.nicNapi[0].pinned, false));
    }
  }
  get depth(): number {
    let n = 0;
    for (const c of this.children) n += c.count;
    return n;
  }
  /** The driver TX queue a packet uses (virtio guest ring index; 0 elsewhere). */
  private txqOf(p: Pkt): number {
    return this.guestLink !== null ? p.skb.queueMapping % this.guestLink.guestTx.length : 0;
  }
  /** netif_xmit_stopped for TX queue `q`. */
  private stopped(q: number): boolean {
    const line = this.port.line;
    if (line !== null) return line.stopped;
    const link = this.guestLink;
    return link !== null && (link.txStopped[q] || link.guestTx[q].full);
  }
  /** Whether the driver can take `p` now (a NIC ring needs a descriptor per frame of it). */
  private fits(p: Pkt): boolean {
    const line = this.port.line;
    return line === null || line.fits(p);
  }
  private childOf(q: number): QdiscQueues {
    return this.children[this.children.length > 1 ? q : 0];
  }
  enqueue(p: Pkt, core: Core): void {
    const q = this.txqOf(p);
    const child = this.childOf(q);
    if (this.rateBitsPerSec <= 0 && child.empty && !this.stopped(q) && this.fits(p)) {
      // __dev_xmit_skb with an empty qdisc and a running queue: straight to the driver (TCQ_F_CAN_BYPASS).
      this.net.linkSend(this.port, p, core);
      return;
    }
    const reason = child.enqueue(p, this.net.sim.nowNs);
    if (reason !== null) this.net.drop(this.port, 'tx', reason, p);
    const depth = this.depth;
    if (depth > this.depthMax) this.depthMax = depth;
    if (this.rateBitsPerSec > 0) this.arm();
    else if (!this.stopped(q)) this.runInline(q, core); // whether or not the enqueue dropped
  }
  /**
   * __dev_xmit_skb → __qdisc_run in the sender's own context: dequeue while the queue runs, up to the
   * dev_tx_weight quota; what is left goes to the NET_TX softirq (__netif_schedule).
   */
  private runInline(q: number, core: Core): void {
    for (let n = 0; n < this.net.c.napiWeightPackets; n++) {
      const p = this.dequeueTxq(q);
      if (p === null || !this.xmit(p, core)) return;
    }
    if (this.hasWork(q)) this.runners[q]?.runNow();
  }
  /**
   * Hand a dequeued packet to the driver; false (and the packet requeued, the queue stopped) when its TX
   * ring is full.
   */
  xmit(p: Pkt, core: Core | null): boolean {
    const q = this.txqOf(p);
    const child = this.childOf(q);
    if (this.stopped(q) || !this.fits(p)) {
      child.requeued = p;
      if (this.port.line !== null) this.port.line.stop(p);
      else if (this.guestLink !== null) this.guestLink.txStopped[q] = true;
      return false;
    }
    child.count--;
    this.net.linkSend(this.port, p, core);
    return true;
  }
  /** Unshaped: dequeue one packet of TX queue `q`'s child (null when empty or stopped). */
  dequeueTxq(q: number): Pkt | null {
    return this.stopped(q) ? null : this.childOf(q).dequeue(this.net.sim.nowNs);
  }
  hasWork(q: number): boolean {
    return !this.childOf(q).empty && !this.stopped(q);
  }
  /**
   * TX queue `q` was woken (enough of its ring is free again): resume dequeueing. A virtio guest's queue is
   * woken by vhost signalling its used buffers (irqfd, paid on `vhostCore`), and the guest's TX interrupt runs
   * skb_xmit_done after the wake-up latency; a NIC's (vhostCore null) by its own TX completion interrupt
   * (netif_wake_queue → __netif_schedule → net_tx_action).
   */
  wake(q: number, vhostCore: Core | null): void {
    if (this.rateBitsPerSec > 0) {
      if (this.depth > 0) this.arm();
      return;
    }
    const t = this.runners[q];
    if (t === undefined || t.active || this.childOf(q).empty) return;
    if (t.pinned) {
      t.runNow();
      return;
    }
    if (vhostCore !== null) vhostCore.charge(CAT_EVENT, this.net.c.irqSignalNs);
    this.net.event(this.port, 'tx', EV_INTERRUPT);
    t.interrupted = true;
    t.wakeAfter(vhostCore !== null ? this.net.c.wakeupLatencyNs : 0);
  }
  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    const now = this.net.sim.nowNs;
    this.net.sim.push(Math.max(now, this.busyUntilNs), this, 0);
  }
  onEvent(nowNs: number): void {
    this.armed = false;
    if (this.rateBitsPerSec <= 0) return;
    for (let i = 0; i < this.children.length; i++) {
      const child = this.children[(this.rr + i) % this.children.length];
      const p = child.dequeue(nowNs);
      if (p === null) continue;
      this.rr = (this.rr + i + 1) % this.children.length;
      // A stopped driver queue keeps the packet here; the wake-up re-arms the timer.
      if (!this.xmit(p, null)) return;
      this.busyUntilNs = nowNs + Math.ceil((qdiscPktLen(p) * 8 * 1e9) / this.rateBitsPerSec);
      if (this.depth > 0) this.arm();
      return;
    }
  }
}

/** net_tx_action → qdisc_run for one TX queue of an unshaped qdisc, on the core that took the TX interrupt. */
export class QdiscRunTask extends IrqTask {
  private budget = 0;
  private cur: Pkt | null = null;
  constructor(
    core: Core,
    net: Net,
    private readonly qdisc: Shaper,
    private readonly q: number,
    polling: boolean,
    /** A guest's TX interrupt (exits) rather than a host NIC's. */
    guest: boolean,
  ) {
    super(core, net, polling, guest);
  }
  override startTurn(): void {
    this.budget = 0;
    this.takeInterrupt();
  }
  hasWork(): boolean {
    // dev_tx_weight (64) packets per qdisc_run, then __netif_schedule again.
    return this.budget < this.net.c.napiWeightPackets && this.qdisc.hasWork(this.q);
  }
  begin(): void {
    this.budget++;
    this.cur = this.qdisc.dequeueTxq(this.q);
  }
  finish(): void {
    const p = this.cur;
    this.cur = null;
    if (p !== null) this.qdisc.xmit(p, this.core);
  }
  endTurn(): boolean {
    return this.qdisc.hasWork(this.q);
  }
}

const ARRIVAL_KEY_BASE = -(2 ** 52);

/**
 * A NIC port's transmitter on a wire: its TX ring (one descriptor per wire frame: hardware TSO cuts a
 * super-frame into the ring) drains at line rate, then the far port receives after the delay. A frame keeps
 * its descriptor until the line has sent it (TX completion), which frees the skb (its TSQ budget) and wakes a
 * stopped queue. With a qdisc on the port the driver stops the queue instead of overflowing the ring
 * (netif_stop_queue when too few descriptors are free; the qdisc holds the packets); without one (noqueue, a
 * polling forwarder's PMD) frames that do not fit are dropped.
 */
export class LineTx implements EventTarget {
  readonly q: PktQueue;
  private readonly inFlight: PktQueue;
  private readonly arriveNs: number[] = [];
  private arriveHead = 0;
  private busyUntilNs = 0;
  /** The frame on the line (still holding its descriptor). */
  private cur: Pkt | null = null;
  private arrivals = 0;
  /** netif_stop_queue: set by the qdisc's xmit when the next packet does not fit; TX completion clears it. */
  stopped = false;
  /** Free descriptors needed before TX completion wakes the queue. */
  private wakeFree = 0;
  /** Set when the far port lives in another partition: frames leave through it instead of the local queue. */
  remote: ((arrivalNs: number, key: number, p: Pkt) => void) | null = null;
  get hostId(): string {
    return this.port.node.spec.host;
  }
  get peerHostId(): string {
    return (this.port.peer as Port).node.spec.host;
  }
  constructor(
    private readonly net: Net,
    private readonly port: Port,
    public rateBitsPerSec: number,
    public delayNs: number,
    ringDescriptors: number,
  ) {
    this.q = new PktQueue(Math.max(1, ringDescriptors));
    this.inFlight = new PktQueue(1 << 30);
  }
  /** Descriptors in use: frames waiting plus the one on the line. */
  get used(): number {
    return this.q.length + (this.cur !== null ? 1 : 0);
  }
  /** Whether a packet's frames fit the ring now (an empty ring takes any packet). */
  fits(p: Pkt): boolean {
    const used = this.used;
    return used === 0 || used + p.segments <= this.q.capacity;
  }
  /** The driver stops the queue: `p` did not fit; wake when a quarter of the ring (at least its frames) is free. */
  stop(p: Pkt): void {
    this.stopped = true;
    this.wakeFree = Math.min(this.q.capacity, Math.max(this.q.capacity >> 2, p.segments));
  }
  /** The NIC puts complete frames on the wire: hardware TSO cuts super-frames and finishes checksums (no CPU). */
  send(p: Pkt): void {
    if (skbIsGso(p.skb)) {
      const isUdp = p.frame[23] === 17;
      const res = isUdp ? segmentUdp(p.frame, p.skb, { deviceChecksum: false }) : segmentTcp(p.frame, p.skb, { deviceChecksum: false });
      const n = res.frames.length;
      for (let i = 0; i < n; i++) {
        const s = new Pkt(res.frames[i], res.skbs[i]);
        if (i === n - 1 && p.tsqFlow >= 0) {
          // The skb is freed (its TSQ budget released) when its last frame has been sent.
          s.tsqFlow = p.tsqFlow;
          s.tsqBytes = p.tsqBytes;
          p.tsqFlow = -1;
        }
        this.sendOne(s);
      }
      return;
    }
    if (p.skb.ipSummed === IpSummed.PARTIAL) skbChecksumHelp(p.frame, p.skb);
    this.sendOne(p);
  }

  private sendOne(p: Pkt): void {
    if (this.used >= this.q.capacity || !this.q.push(p)) {
      this.net.drop(this.port, 'tx', 'txqueue-full', p);
      return;
    }
    if (this.cur === null) this.startNext(this.net.sim.nowNs);
  }
  private startNext(nowNs: number): void {
    const p = this.q.shift();
    this.cur = p;
    if (p === null) return;
    const start = Math.max(nowNs, this.busyUntilNs);
    // Preamble, SFD, FCS and inter-frame gap: 24 octets per frame on Ethernet.
    const txNs = Math.ceil(((p.frame.length + 24) * 8 * 1e9) / this.rateBitsPerSec);
    this.busyUntilNs = start + txNs;
    this.net.sim.push(this.busyUntilNs, this, 0);
    const key = ARRIVAL_KEY_BASE + this.port.ctr * 4294967296 + this.arrivals++;
    if (this.remote !== null) this.remote(this.busyUntilNs + this.delayNs, key, p);
    else this.deliverRemote(this.busyUntilNs + this.delayNs, key, p);
  }
  /** TX completion of the frame on the line: free its skb, start the next, wake a stopped queue. */
  private completed(nowNs: number): void {
    const done = this.cur;
    if (done !== null) this.net.releaseTsq(done);
    this.cur = null;
    this.startNext(nowNs);
    if (this.stopped && this.q.capacity - this.used >= this.wakeFree) {
      this.stopped = false;
      this.port.shaper?.wake(0, null);
    }
  }
  /** A frame in flight on this wire, scheduled to arrive at the far port (also the entry for frames from another partition). */
  deliverRemote(arrivalNs: number, key: number, p: Pkt): void {
    this.inFlight.push(p);
    this.arriveNs.push(arrivalNs);
    this.net.sim.pushKeyed(arrivalNs, this, 1, key);
  }
  onEvent(nowNs: number, arg: number): void {
    if (arg === 0) {
      this.completed(nowNs);
      return;
    }
    const p = this.inFlight.shift() as Pkt;
    this.arriveHead++;
    if (this.arriveHead > 1024) {
      this.arriveNs.splice(0, this.arriveHead);
      this.arriveHead = 0;
    }
    this.net.wireArrive(this.port.peer as Port, p);
  }
}

/** net/ipv4/route.c ip_tos2prio and the default prio/pfifo_fast priomap (TC_PRIO_* → band). */
const IP_TOS2PRIO = [0, 1, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4];
const PRIOMAP = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];

// ---------------------------------------------------------------------------------------------

export class Net {
  readonly counters = new Counters();
  readonly nodes: NodeRt[] = [];
  readonly ports: Port[] = [];
  readonly links: LinkRt[] = [];
  readonly coresByHost = new Map<string, Core[]>();
  readonly allCores: Core[] = [];
  readonly backlogs = new Map<Core, BacklogTask>();
  readonly flowsByKey = new Map<number, { sink: FlowSink; reverse: boolean }>();
  readonly parsed = createParsedFrame();
  private readonly toeplitz = new ToeplitzHasher();
  private readonly hashSeed: number;
  /** Global counters: checksum outcomes, packet-hops. */
  readonly g: number;
  verifyPayloads = false;
  captureHook: ((port: Port, dir: Dir, p: Pkt) => void) | null = null;
  private readonly coreCursor = new Map<string, number>();

  constructor(
    readonly sim: EventQueue,
    readonly c: ResolvedCosts,
    private readonly rng: Rng,
    scenario: Scenario,
  ) {
    this.g = this.counters.alloc(G_COUNT);
    this.hashSeed = rng.nextU32();
    this.build(scenario);
  }

  // ---- statistics ------------------------------------------------------------------------------

  count(port: Port, idx: number, n: number): void {
    this.counters.values[port.ctr + idx] += n;
  }

  event(port: Port, dir: Dir, kind: number, n = 1): void {
    this.counters.values[port.ctr + (dir === 'tx' ? PC_TX_EV : PC_RX_EV) + kind] += n;
  }

  drop(port: Port, dir: Dir, reason: string, p: Pkt): void {
    this.releaseTsq(p);
    this.recycle(p.frame);
    this.counters.values[port.ctr + (dir === 'tx' ? PC_TX_DROPS : PC_RX_DROPS)]++;
    const m = port.dropReasons[dir === 'tx' ? 1 : 0];
    m[reason] = (m[reason] ?? 0) + 1;
  }

  gcount(idx: number, n = 1): void {
    this.counters.values[this.g + idx] += n;
  }

  tsqRelease: ((flow: number, bytes: number) => void) | null = null;

  /** ICMP "fragmentation needed" for a frame a router could not forward: called with the dropped frame and the egress MTU. */
  fragNeeded: ((frame: Uint8Array, mtu: number) => void) | null = null;

  releaseTsq(p: Pkt): void {
    if (p.tsqFlow >= 0) {
      const f = p.tsqFlow;
      p.tsqFlow = -1;
      if (this.tsqRelease) this.tsqRelease(f, p.tsqBytes);
    }
  }

  // ---- notifications ---------------------------------------------------------------------------

  /**
   * Tell `task` that work arrived, from `producer`. Suppressed while the consumer is already runnable or
   * polling; otherwise the event costs the producer (exit, IPI) and the consumer (interrupt, switch-in).
   */
  notify(task: Task, producer: Core, kind: number, port: Port, dir: Dir): void {
    if (task.pinned) {
      task.runNow();
      return;
    }
    if (task.active) return;
    const c = this.c;
    switch (kind) {
      case EV_KICK:
        producer.charge(CAT_EVENT, c.kickNs + c.exitPenaltyNs + c.wakeupWakerNs);
        this.event(port, dir, EV_KICK);
        this.event(port, dir, EV_EXIT);
        task.wakeAfter(c.wakeupLatencyNs);
        return;
      case EV_INTERRUPT: {
        const t = task as NapiTask;
        producer.charge(CAT_EVENT, c.irqSignalNs);
        this.event(port, dir, EV_INTERRUPT);
        if (c.interruptExits > 0 && t.guestSide) this.event(port, dir, EV_EXIT, c.interruptExits);
        t.interrupted = true;
        task.wakeAfter(c.wakeupLatencyNs);
        return;
      }
      case EV_WAKEUP:
        producer.charge(CAT_EVENT, c.wakeupWakerNs);
        this.event(port, dir, EV_WAKEUP);
        task.wakeAfter(c.wakeupLatencyNs);
        return;
      case EV_SOFTIRQ:
        producer.charge(CAT_EVENT, c.softirqRaiseNs);
        this.event(port, dir, EV_SOFTIRQ);
        task.runNow();
        return;
      default:
        throw new PacketError('invalid-state', 'event kind', kind, 'unknown notification');
    }
  }

  // ---- transmit path ---------------------------------------------------------------------------

  /** dev_queue_xmit on `port`, running on `core`: validate_xmit (GSO / checksum fallback), then the link. */
  transmit(port: Port, p: Pkt, core: Core): void {
    if (port.link === null) {
      this.drop(port, 'tx', 'no-link', p);
      return;
    }
    const c = this.c;
    if (skbIsGso(p.skb) && !port.canGso && !(port.link.kind === 'wire' && port.dev.offloads.tso && port.dev.offloads.sg)) {
      const isUdp = p.frame[23] === 17;
      const res = isUdp ? segmentUdp(p.frame, p.skb, { deviceChecksum: port.canCsum }) : segmentTcp(p.frame, p.skb, { deviceChecksum: port.canCsum });
      const n = res.frames.length;
      core.charge(CAT_SEGMENTATION, c.gsoPerSegmentNs * n);
      if (res.cost.checksumBytes > 0) core.charge(CAT_CHECKSUM, res.cost.checksumBytes * c.checksumNsPerByte);
      const tsqFlow = p.tsqFlow;
      let tsqLeft = tsqFlow >= 0 ? p.tsqBytes : 0;
      p.tsqFlow = -1;
      for (let i = 0; i < n; i++) {
        const s = new Pkt(res.frames[i], res.skbs[i]);
        if (tsqFlow >= 0) {
          // The segments carry the super-frame's TSQ charge between them.
          const share = i === n - 1 ? tsqLeft : Math.min(tsqLeft, s.frame.length);
          tsqLeft -= share;
          s.tsqFlow = tsqFlow;
          s.tsqBytes = share;
        }
        this.txOne(port, s, core);
      }
      return;
    }
    if (p.skb.ipSummed === IpSummed.PARTIAL && !port.canCsum) {
      const bytes = skbChecksumHelp(p.frame, p.skb);
      core.charge(CAT_CHECKSUM, bytes * c.checksumNsPerByte);
    }
    this.txOne(port, p, core);
  }

  private txOne(port: Port, p: Pkt, core: Core): void {
    if (port.faultsTx.length > 0 && this.applyFaults(port, 'tx', p)) return;
    const link = port.link as LinkRt;
    if (link.kind === 'virtio' && port.side === 'a' && link.guestTx.length > 1 && port.node.kind !== 'forwarder') {
      // netdev_pick_tx with XPS: virtio-net maps vCPU i to TX queue i (virtnet_set_affinity), so a packet
      // leaves on the queue of the vCPU sending it (an ACK from the RX softirq's vCPU, a forwarded packet).
      const i = port.node.cores.indexOf(core);
      if (i >= 0) p.skb.queueMapping = i;
    }
    if (port.shaper !== null) {
      port.shaper.enqueue(p, core);
      return;
    }
    this.linkSend(port, p, core);
  }

  /**
   * The driver took a packet: the device's tx counters and the capture tap (dev_hard_start_xmit →
   * dev_queue_xmit_nit) see what leaves the qdisc, as `ip -s link` and tcpdump do; drops are counted where they happen.
   */
  private transmitted(port: Port, p: Pkt): void {
    this.count(port, PC_TX_PKTS, 1);
    this.count(port, PC_TX_BYTES, p.frame.length);
    if (this.captureHook) this.captureHook(port, 'tx', p);
  }

  /** Put a packet on the link out of `port` (the qdisc, if any, already released it). */
  linkSend(port: Port, p: Pkt, core: Core | null): void {
    const link = port.link as LinkRt;
    this.gcount(G_HOPS);
    this.gcount(G_SEG_HOPS, p.segments);
    switch (link.kind) {
      case 'virtio': {
        if (port.side === 'a') {
          if (core !== null) core.charge(CAT_PACKET, this.c.driverTxPerPacketNs);
          const q = p.skb.queueMapping % link.guestTx.length;
          const ring = link.guestTx[q];
          if (!ring.push(p)) {
            // Only without a qdisc (noqueue): a stopped queue drops ("Virtual device asks to queue packet").
            this.drop(port, 'tx', 'txqueue-full', p);
            return;
          }
          this.transmitted(port, p);
          // virtio-net start_xmit: no room for another packet → netif_stop_subqueue; the qdisc holds the rest.
          if (ring.full) link.txStopped[q] = true;
          this.notifyOrPoll(link.vhostTx[q], core, EV_KICK, port, 'tx');
        } else {
          // tun picks the queue from the flow hash (skb_get_hash), computed here if nobody carried one.
          const q = link.tapQ.length > 1 ? (core !== null ? this.flowHash(p, core) : p.skb.hash >>> 0) % link.tapQ.length : 0;
          if (!link.tapQ[q].push(p)) {
            this.drop(port, 'tx', 'tap-queue-full', p);
            return;
          }
          this.transmitted(port, p);
          this.notifyOrPoll(link.vhostRx[q], core, EV_WAKEUP, port, 'tx');
        }
        return;
      }
      case 'veth':
      case 'tap': {
        const peer = port.peer as Port;
        const bl = this.backlogOf(core ?? this.firstCoreOf(peer.node));
        p.port = peer;
        // veth_xmit counts the packet sent before netif_rx (a full backlog is the peer's rx drop).
        this.transmitted(port, p);
        if (!bl.q.push(p)) {
          this.drop(peer, 'rx', 'backlog-full', p);
          return;
        }
        this.notifyOrPoll(bl, bl.core, EV_SOFTIRQ, peer, 'rx');
        return;
      }
      case 'wire':
        // Counted as the skb the driver took (a TSO super-frame is one packet); frames the ring could not take are drops.
        this.transmitted(port, p);
        (port.line as LineTx).send(p);
        return;
    }
  }

  /**
   * vhost used a guest TX descriptor. A stopped queue armed a delayed callback (virtqueue_enable_cb_delayed:
   * after 3/4 of the outstanding buffers are used); it fires skb_xmit_done → netif_wake_subqueue.
   */
  txRingConsumed(link: LinkRt, q: number, vhostCore: Core): void {
    if (!link.txStopped[q] || link.guestTx[q].length > link.guestTx[q].capacity >> 2) return;
    link.txStopped[q] = false;
    link.a.shaper?.wake(q, vhostCore);
  }

  private notifyOrPoll(task: Task, producer: Core | null, kind: number, port: Port, dir: Dir): void {
    if (producer === null) {
      // Released by a timer (shaper): the kernel raises the softirq on the shaper's core; charge nothing.
      if (!task.active) {
        this.event(port, dir, kind);
        task.wakeAfter(0);
      }
      return;
    }
    this.notify(task, producer, kind, port, dir);
  }

  wireArrive(port: Port, p: Pkt): void {
    if (port.nicRx.length === 0) {
      this.drop(port, 'rx', 'no-receiver', p);
      return;
    }
    // A NIC with rx-checksumming verifies TCP/UDP checksums in hardware: good → CHECKSUM_UNNECESSARY.
    p.skb.ipSummed = IpSummed.NONE;
    p.skb.csumValid = false;
    p.skb.hash = 0;
    const f = this.parsed;
    parseFrameInto(f, p.frame);
    const l4 = f.l4Proto === 6 || f.l4Proto === 17;
    if (port.dev.offloads.rxCsum && l4 && verifyL4Checksum(p.frame, f)) p.skb.ipSummed = IpSummed.UNNECESSARY;
    // RSS: Toeplitz over the IPv4 4-tuple, indirection table → queue; the hash travels with the skb.
    let q = 0;
    if (port.nicRx.length > 1 && port.dev.offloads.rxHash && f.ipVersion === 4) {
      const h = this.toeplitz.hashIpv4(p.frame, f.l3Offset, l4 ? f.l4Offset : -1);
      p.skb.hash = h;
      p.skb.hashType = l4 ? PktHashType.L4 : PktHashType.L3;
      q = (port.rss as IndirectionTable).queueFor(h);
    }
    const t = port.nicNapi[q];
    if (!t.pinned && port.dev.offloads.lro && f.l4Proto === 6 && t.lro !== null) {
      // Hardware LRO: segments of a flow join the open aggregate while the ring waits for the poll.
      t.lro.receive(p.frame, p.skb, this.lroDone);
      this.writeBackLro(port, port.nicRx[q], this.lroDone);
    } else if (!port.nicRx[q].push(p)) {
      this.drop(port, 'rx', 'rx-ring-full', p);
      return;
    }
    if (t.pinned) {
      t.runNow();
      return;
    }
    if (!t.active) {
      this.event(port, 'rx', EV_INTERRUPT);
      t.interrupted = true;
      t.wakeAfter(0);
    }
  }

  /** Scratch for what a NIC's LRO engine completes (emptied by writeBackLro at once). */
  readonly lroDone: GroPacket[] = [];

  /** Write back what a NIC's LRO engine completed: one ring entry (one skb for the driver) per aggregate. */
  writeBackLro(port: Port, ring: PktQueue, done: GroPacket[]): void {
    for (let i = 0; i < done.length; i++) {
      const g = done[i];
      const p = new Pkt(g.frame, g.skb);
      if (!ring.push(p)) this.drop(port, 'rx', 'rx-ring-full', p);
    }
    done.length = 0;
  }

  // ---- virtio boundary ----------------------------------------------------------------------------

  private readonly vnetScratch = new Uint8Array(20);
  private readonly vnetHdr = emptyVnetHdr();
  private readonly vnetFeatureCache = new Map<number, VnetFeatures>();

  /** Negotiated virtio-net features for what this link direction can carry (cached; BigInt sets are slow). */
  private vnetFeatures(csum: boolean, gso: boolean, rx: boolean, hashReport: boolean): VnetFeatures {
    const key = (csum ? 1 : 0) | (gso ? 2 : 0) | (rx ? 4 : 0) | (hashReport ? 8 : 0);
    let f = this.vnetFeatureCache.get(key);
    if (f === undefined) {
      f = VnetFeatures.of('VERSION_1', 'MRG_RXBUF');
      if (hashReport) f = f.with('HASH_REPORT');
      if (rx) {
        if (csum) f = f.with('GUEST_CSUM');
        if (gso) f = f.with('GUEST_TSO4', 'GUEST_TSO6');
      } else {
        if (csum) f = f.with('CSUM');
        if (gso) f = f.with('HOST_TSO4', 'HOST_TSO6');
      }
      this.vnetFeatureCache.set(key, f);
    }
    return f;
  }

  /**
   * A frame crossing a virtio boundary: with vnet headers the skb state travels as real header bytes
   * (virtio_net_hdr_from_skb → 12 octets → virtio_net_hdr_to_skb); without them the far side learns
   * nothing (CHECKSUM_NONE, no GSO). Returns false (and drops) if the header is invalid for the frame.
   */
  crossVirtio(link: LinkRt, dir: VnetDirection, p: Pkt, core: Core): boolean {
    if (!link.a.vnet) {
      p.skb.ipSummed = IpSummed.NONE;
      p.skb.csumValid = false;
      return true;
    }
    const from = dir === 'tx' ? link.a : link.b;
    // receive-hashing on the guest port: the host reports the flow hash in a 20-octet header (HASH_REPORT).
    const report = dir === 'rx' && link.a.dev.offloads.rxHash && isIpv4Tcp(p.frame);
    const feats = this.vnetFeatures(from.canCsum, from.canGso, dir === 'rx', report);
    const fmt = feats.hdrFormat();
    try {
      const hash = report ? { value: this.flowHash(p, core), report: VnetHashReport.TCPV4 } : undefined;
      const hdr = skbToVnetHdr(p.skb, feats, { direction: dir, out: this.vnetHdr, numBuffers: 1, hash });
      encodeVnetHdr(hdr, fmt, this.vnetScratch, 0);
      decodeVnetHdr(this.vnetScratch, 0, fmt, hdr);
      parseFrameInto(this.parsed, p.frame);
      const qm = p.skb.queueMapping;
      // A hash crosses the boundary only inside the header (hash report); otherwise the far side recomputes.
      p.skb = vnetHdrToSkb(hdr, this.parsed, feats, { direction: dir, out: p.skb });
      p.skb.queueMapping = qm;
      return true;
    } catch (e) {
      if (!(e instanceof PacketError)) throw e;
      this.drop(dir === 'tx' ? link.a : link.b, 'tx', 'vnet-header-invalid', p);
      return false;
    }
  }

  // ---- receive path ----------------------------------------------------------------------------

  ingress(port: Port, p: Pkt, core: Core): void {
    if (port.faultsRx.length > 0 && this.applyFaults(port, 'rx', p)) return;
    this.count(port, PC_RX_PKTS, 1);
    this.count(port, PC_RX_BYTES, p.frame.length);
    if (this.captureHook) this.captureHook(port, 'rx', p);
    const node = port.node;
    switch (node.kind) {
      case 'bridge':
        core.charge(CAT_PACKET, this.c.bridgePerPacketNs);
        this.l2Forward(node, port, p, core);
        return;
      case 'nic': {
        const other = node.ports.find((x) => x !== port);
        if (!other) {
          this.drop(port, 'rx', 'no-route', p);
          return;
        }
        if (other.link?.kind === 'wire') core.charge(CAT_PACKET, this.c.nicTxPerPacketNs);
        this.transmit(other, p, core);
        return;
      }
      case 'router':
      case 'forwarder': {
        if (node.cores.includes(core)) {
          this.forward(node, port, p, core);
          return;
        }
        const q = node.input.length > 1 ? (this.flowHash(p, core) >>> 0) % node.input.length : 0;
        p.port = port;
        if (!node.input[q].push(p)) {
          this.drop(port, 'rx', 'input-queue-full', p);
          return;
        }
        this.notify(node.inputTasks[q], core, EV_WAKEUP, port, 'rx');
        return;
      }
      case 'vm':
      case 'container':
        this.deliverLocal(node, port, p, core);
        return;
    }
  }

  /** skb_get_hash: a carried hash (RSS, vnet hash report) or the software flow hash over cache-hot headers. */
  flowHash(p: Pkt, core: Core): number {
    if (p.skb.hash !== 0) return p.skb.hash;
    core.charge(CAT_HASH, this.c.hashHotNs);
    const f = this.parsed;
    parseFrameInto(f, p.frame);
    p.skb.hash = softwareFlowHash(p.frame, f.l3Offset, f.l4Proto === 6 || f.l4Proto === 17 ? f.l4Offset : -1, f.l4Proto, this.hashSeed);
    p.skb.hashType = PktHashType.L4;
    p.skb.swHash = true;
    return p.skb.hash;
  }

  private l2Forward(node: NodeRt, inPort: Port, p: Pkt, core: Core): void {
    const out = node.fdb.get(macKey(p.frame, 0));
    if (out === undefined || out === inPort) {
      this.drop(inPort, 'rx', out === undefined ? 'fdb-miss' : 'hairpin', p);
      return;
    }
    this.transmit(out, p, core);
  }

  /** Router / forwarder work on its own core: L3 forwarding (TTL, route, firewall) or L2 switching. */
  forward(node: NodeRt, inPort: Port, p: Pkt, core: Core): void {
    const c = this.c;
    if (node.kind === 'forwarder') {
      core.charge(CAT_PACKET, c.pollerPerPacketNs);
      this.l2Forward(node, inPort, p, core);
      return;
    }
    const spec = node.spec;
    if (spec.kind !== 'router') return;
    // A user-space router reading a tap pays the read (syscall + tap + copy); in-kernel links do not.
    if (inPort.link?.kind === 'virtio' && inPort.side === 'b') {
      core.charge(CAT_PACKET, c.tapPerPacketNs + c.syscallNs);
      core.charge(CAT_COPY, p.frame.length * c.copyNsPerByte);
    }
    core.charge(CAT_PACKET, c.forwardPerPacketNs);
    // The forwarding decision is a flow-cache lookup by hash: taken from the skb when the device reported
    // one, computed over the (cache-hot) headers otherwise.
    this.flowHash(p, core);
    const f = this.parsed;
    parseFrameInto(f, p.frame);
    if (f.ttlOrHopLimit <= 1) {
      this.drop(inPort, 'rx', 'ttl-exceeded', p);
      return;
    }
    // Without vnet headers the router cannot carry "checksum pending": it verifies on ingress...
    if (!inPort.vnet && p.skb.ipSummed === IpSummed.NONE && (f.l4Proto === 6 || f.l4Proto === 17)) {
      core.charge(CAT_CHECKSUM, f.l4LengthBytes * c.checksumNsPerByte);
      this.gcount(G_VERIFIED);
      if (!verifyL4Checksum(p.frame, f)) {
        this.gcount(G_BAD);
        this.drop(inPort, 'rx', 'bad-checksum', p);
        return;
      }
      p.skb.csumValid = true;
    }
    const dst = u32At(p.frame, f.dstAddrOffset);
    let route: RouteRt | null = null;
    for (const r of node.routes) if ((dst & r.mask) >>> 0 === r.net && (route === null || r.len > route.len)) route = r;
    if (node.routes.length > 1) core.charge(CAT_LOOKUP, c.routeLookupNs);
    if (route === null) {
      this.drop(inPort, 'rx', 'no-route', p);
      return;
    }
    // ip_forward → ip_exceeds_mtu: a packet larger than the egress MTU (a GSO packet whose segments would be,
    // skb_gso_validate_network_len) is not forwarded; with DF (always for IPv6) the sender gets ICMP
    // "fragmentation needed" / "packet too big" quoting the egress MTU. Fragmentation (no DF) is not modelled.
    const egressMtu = route.port.mtu;
    const l3Bytes = skbIsGso(p.skb) ? p.skb.gsoSize + (f.payloadOffset - f.l3Offset) : f.ipTotalLength;
    if (l3Bytes > egressMtu) {
      if (f.ipVersion === 6 || f.dontFragment) this.fragNeeded?.(p.frame, egressMtu);
      this.drop(route.port, 'tx', 'mtu-exceeded', p);
      return;
    }
    let walked = 0;
    for (const rule of spec.firewall) {
      walked++;
      if (ruleMatches(rule, f, p.frame)) {
        if (rule.action === 'drop') {
          core.charge(CAT_LOOKUP, walked * c.firewallRuleNs);
          this.drop(inPort, 'rx', 'firewall', p);
          return;
        }
        break;
      }
    }
    if (walked > 0) core.charge(CAT_LOOKUP, walked * c.firewallRuleNs);
    decrementTtl(p.frame, f);
    const out = route.port;
    const nextHop = route.via !== 0 ? route.via : dst;
    const mac = this.arp(out, nextHop);
    if (mac === null) {
      this.drop(inPort, 'rx', 'no-neighbour', p);
      return;
    }
    p.frame.set(mac, 0);
    p.frame.set(out.mac, 6);
    // ...and emits fully checksummed frames on egress.
    if (!out.vnet && (f.l4Proto === 6 || f.l4Proto === 17) && !skbIsGso(p.skb)) {
      if (p.skb.ipSummed === IpSummed.PARTIAL) {
        const bytes = skbChecksumHelp(p.frame, p.skb);
        core.charge(CAT_CHECKSUM, bytes * c.checksumNsPerByte);
      } else {
        writeL4Checksum(p.frame, f);
        core.charge(CAT_CHECKSUM, f.l4LengthBytes * c.checksumNsPerByte);
      }
    }
    if (out.link?.kind === 'virtio' && out.side === 'b') {
      core.charge(CAT_PACKET, c.tapPerPacketNs + c.syscallNs);
      core.charge(CAT_COPY, p.frame.length * c.copyNsPerByte);
    }
    this.transmit(out, p, core);
  }

  private arp(port: Port, ip: number): Uint8Array | null {
    const m = this.arpTables[port.domain];
    const target = m?.get(ip);
    return target ? target.mac : null;
  }

  /** Local delivery on an endpoint: L4 checksum as Linux validates it, then the socket. */
  deliverLocal(node: NodeRt, port: Port, p: Pkt, core: Core): void {
    const f = this.parsed;
    parseFrameInto(f, p.frame);
    if (f.l4Proto !== 6 && f.l4Proto !== 17) {
      this.drop(port, 'rx', 'not-l4', p);
      return;
    }
    const verdict = validateRxL4Checksum(p.frame, p.skb, f);
    switch (verdict) {
      case 'software-valid':
      case 'complete-fault':
        core.charge(CAT_CHECKSUM, f.l4LengthBytes * this.c.checksumNsPerByte);
        this.gcount(G_VERIFIED);
        break;
      case 'software-invalid':
        core.charge(CAT_CHECKSUM, f.l4LengthBytes * this.c.checksumNsPerByte);
        this.gcount(G_VERIFIED);
        this.gcount(G_BAD);
        this.drop(port, 'rx', 'bad-checksum', p);
        return;
      case 'trusted-partial':
      case 'trusted-unnecessary':
      case 'trusted-valid':
      case 'complete-valid':
        this.gcount(G_TRUSTED);
        break;
    }
    const key = f.l4Proto * 4294967296 + f.srcPort * 65536 + f.dstPort;
    const sink = this.flowsByKey.get(key);
    if (sink === undefined) {
      this.drop(port, 'rx', 'no-socket', p);
      return;
    }
    sink.sink.receive(node, port, p, f, core, sink.reverse);
    this.recycle(p.frame);
  }

  // ---- frame buffer pool (super-frames are the only large allocations) ----------------------------

  private readonly framePool: ArrayBuffer[] = [];
  private readonly pooled = new Set<ArrayBuffer>();
  private readonly free = new Set<ArrayBuffer>();
  /** A capture consumer may keep frames: recycling stops while one is attached. */
  captureActive = false;

  /** A buffer for a frame of up to FRAME_POOL_BYTES (contents are stale; the builder overwrites them). */
  takeFrameBuffer(): Uint8Array {
    const ab = this.framePool.pop();
    if (ab !== undefined) {
      this.free.delete(ab);
      return new Uint8Array(ab);
    }
    const fresh = new ArrayBuffer(FRAME_POOL_BYTES);
    if (this.pooled.size < 4096) this.pooled.add(fresh);
    return new Uint8Array(fresh);
  }

  /** Return a dead frame's buffer, if it came from the pool and nobody else can hold it. */
  recycle(frame: Uint8Array): void {
    if (this.captureActive) return;
    const ab = frame.buffer as ArrayBuffer;
    if (ab.byteLength !== FRAME_POOL_BYTES || !this.pooled.has(ab) || this.framePool.length >= 1024) return;
    if (this.free.has(ab)) return;
    this.free.add(ab);
    this.framePool.push(ab);
  }

  // ---- faults ------------------------------------------------------------------------------------

  /** Returns true when the packet was dropped. Corruption flips real payload bytes (the checksum is not fixed). */
  private applyFaults(port: Port, dir: Dir, p: Pkt): boolean {
    const list = dir === 'rx' ? port.faultsRx : port.faultsTx;
    for (const fault of list) {
      if (fault.rng.next() >= fault.fraction) continue;
      if (fault.kind === 'drop') {
        this.drop(port, dir, 'fault-drop', p);
        return true;
      }
      const f = this.parsed;
      parseFrameInto(f, p.frame);
      const at = f.payloadOffset + fault.payloadOffsetBytes;
      if (f.payloadLength > fault.payloadOffsetBytes && at < p.frame.length) {
        p.frame[at] ^= 0x5a;
        this.gcount(G_CORRUPTED);
      }
    }
    return false;
  }

  // ---- building ----------------------------------------------------------------------------------

  private arpTables: Map<number, Port>[] = [];

  backlogOf(core: Core): BacklogTask {
    let b = this.backlogs.get(core);
    if (b === undefined) {
      b = new BacklogTask(core, this);
      this.backlogs.set(core, b);
    }
    return b;
  }

  private firstCoreOf(node: NodeRt): Core {
    return node.cores[0] ?? this.allocCore(node.spec.host, `${node.id}`);
  }

  /**
   * Next core of a host for a new thread: unused cores first; when the host is full, threads share, first
   * the cores of secondary vCPUs (idle unless an app runs there), then round-robin.
   */
  allocCore(host: string, label: string, secondary = false): Core {
    const cores = this.coresByHost.get(host);
    if (cores === undefined || cores.length === 0) throw new PacketError('invalid-state', 'host', 0, `unknown host ${host} for ${label}`);
    const i = this.coreCursor.get(host) ?? 0;
    this.coreCursor.set(host, i + 1);
    const core = i < cores.length ? cores[i] : this.sharedCore(host, cores);
    if (secondary) this.secondaryCores.push(core);
    return core;
  }

  private readonly secondaryCores: Core[] = [];
  private shareCursor = 0;

  private sharedCore(host: string, cores: Core[]): Core {
    const candidates = this.secondaryCores.filter((c) => c.hostId === host);
    const pool = candidates.length > 0 ? candidates : cores;
    return pool[this.shareCursor++ % pool.length];
  }

  portOf(ep: Endpoint): Port {
    const node = this.nodes.find((n) => n.id === ep.node);
    const port = node?.ports.find((p) => p.spec.name === ep.iface);
    if (!port) throw new PacketError('invalid-state', 'endpoint', 0, `no interface ${ep.node}/${ep.iface}`);
    return port;
  }

  /** Recompute what a port's outgoing direction can carry (after a feature change). */
  updateCaps(port: Port): void {
    const off = port.dev.offloads;
    const link = port.link;
    const csum = off.hwCsum || off.csumIpv4;
    const tso = off.tso && off.sg;
    if (link === null) {
      port.canCsum = csum;
      port.canGso = csum && tso;
      return;
    }
    switch (link.kind) {
      case 'virtio':
        if (port.side === 'a') {
          port.canCsum = port.vnet && csum;
          port.canGso = port.canCsum && tso;
        } else {
          // The tap delivers to the guest what the guest accepted (GUEST_CSUM / GUEST_TSO via guest offloads).
          const guest = link.a.dev.offloads;
          port.canCsum = port.vnet && csum;
          port.canGso = port.canCsum && tso && (guest.groHw || guest.lro);
        }
        return;
      case 'veth':
      case 'tap':
        port.canCsum = csum;
        port.canGso = csum && tso;
        return;
      case 'wire':
        // The NIC finishes checksums and segments in hardware; the wire carries complete frames.
        port.canCsum = csum;
        port.canGso = false;
        return;
    }
  }

  private build(s: Scenario): void {
    for (const h of s.hosts) {
      const cores: Core[] = [];
      for (let i = 0; i < Math.max(1, h.cores); i++) {
        const core = new Core(this.sim, this.allCores.length, h.id, `${h.id}/cpu${i}`);
        cores.push(core);
        this.allCores.push(core);
      }
      this.coresByHost.set(h.id, cores);
    }
    const c = this.c;
    s.nodes.forEach((spec, index) => {
      const node: NodeRt = {
        id: spec.id,
        index,
        spec,
        kind: spec.kind,
        ports: [],
        cores: [],
        extraCores: [],
        input: [],
        inputTasks: [],
        routes: [],
        fdb: new Map(),
        memoryBytes: 0,
        isEndpoint: spec.kind === 'vm' || spec.kind === 'container',
        nextAppCore: 0,
        readersPerCore: [],
      };
      spec.interfaces.forEach((ifs, i) => {
        const port = new Port(node, ifs, i, this.counters);
        node.ports.push(port);
        this.ports.push(port);
      });
      this.nodes.push(node);
    });
    // Cores: execution contexts first, helper threads after (so a small host shares vhost cores).
    for (const node of this.nodes) {
      const spec = node.spec;
      switch (spec.kind) {
        case 'vm':
          for (let i = 0; i < Math.max(1, spec.vcpus); i++) node.cores.push(this.allocCore(spec.host, `${node.id}/vcpu${i}`, i > 0));
          node.memoryBytes = c.vmMemoryBytes;
          break;
        case 'router':
          for (let i = 0; i < Math.max(1, spec.cores); i++) node.cores.push(this.allocCore(spec.host, `${node.id}/core${i}`));
          node.memoryBytes = c.routerMemoryBytes;
          break;
        case 'forwarder':
          for (let i = 0; i < Math.max(1, spec.cores); i++) node.cores.push(this.allocCore(spec.host, `${node.id}/pmd${i}`));
          node.memoryBytes = spec.memoryBytes;
          break;
        case 'container':
          node.cores.push(this.allocCore(spec.host, `${node.id}/core`));
          node.memoryBytes = c.containerMemoryBytes;
          break;
        case 'nic':
          node.cores.push(this.allocCore(spec.host, `${node.id}/irq`));
          break;
        case 'bridge':
          break;
      }
      node.readersPerCore = node.cores.map(() => 0);
      for (let i = 0; i < node.cores.length && (node.kind === 'router' || node.kind === 'forwarder'); i++) {
        const q = new PktQueue(c.backlogPackets);
        node.input.push(q);
        node.inputTasks.push(new RouterTask(node.cores[i], this, node, q, node.kind === 'forwarder'));
      }
    }
    for (const ls of s.links) {
      const a = this.portOf(ls.a);
      const b = this.portOf(ls.b);
      const link = new LinkRt(ls, a, b);
      a.link = link;
      b.link = link;
      a.peer = b;
      b.peer = a;
      this.links.push(link);
      if (ls.kind === 'virtio') {
        a.side = 'a';
        b.side = 'b';
        a.vnet = b.vnet = a.spec.vnetHdr && b.spec.vnetHdr;
        const pairs = Math.max(1, a.spec.queues);
        const ring = ls.ringSize ?? c.ringSizeDescriptors;
        const hostPolls = b.node.kind === 'forwarder';
        const guestPolls = a.node.kind === 'forwarder';
        // The tap's ring holds txqueuelen packets (tun sizes it from tx_queue_len): the port's queue limit.
        const tapPackets = b.spec.qdisc.kind === 'noqueue' ? c.tapQueuePackets : b.spec.qdisc.limitPackets;
        for (let q = 0; q < pairs; q++) {
          // The ring only: packets beyond it wait in the port's qdisc (its own limit), see Shaper.
          link.guestTx.push(new PktQueue(ring));
          link.txStopped.push(false);
          link.tapQ.push(new PktQueue(hostPolls ? ring : tapPackets));
          link.guestRx.push(new PktQueue(ring));
          link.rxFilledDescs.push(0);
          link.rxUnposted.push(0);
          link.rxAvgLenBytes.push(0);
          const hostCore = hostPolls ? b.node.cores[q % b.node.cores.length] : this.allocCore(b.node.spec.host, `${a.node.id}/vhost${q}`);
          if (!hostPolls) a.node.extraCores.push(hostCore);
          link.vhostTx.push(new VhostTxTask(hostCore, this, link, q, hostPolls));
          const vrx = new VhostRxTask(hostCore, this, link, q, hostPolls);
          link.vhostRx.push(vrx);
          const guestCore = a.node.cores.length > 0 ? a.node.cores[q % a.node.cores.length] : hostCore;
          const napi = new NapiTask(guestCore, this, a, link.guestRx[q], guestPolls, true, vrx);
          napi.guestSide = true;
          link.napi.push(napi);
        }
      } else if (ls.kind === 'wire') {
        for (const [x] of [[a], [b]] as const) {
          x.line = new LineTx(this, x, ls.rateBitsPerSec ?? 10e9, ls.delayNs ?? 0, ls.ringSize ?? c.ringSizeDescriptors);
          const polls = x.node.kind === 'forwarder';
          const queues = Math.max(1, x.spec.queues);
          x.rss = IndirectionTable.defaultSpread(queues);
          for (let q = 0; q < queues; q++) {
            const ring = new PktQueue(ls.ringSize ?? c.ringSizeDescriptors);
            const core = x.node.cores.length > 0 ? x.node.cores[q % x.node.cores.length] : this.allocCore(x.node.spec.host, `${x.id}/irq${q}`);
            const napi = new NapiTask(core, this, x, ring, polls, false, null);
            if (!polls) napi.lro = new GroQueue({ mode: 'lro' });
            x.nicRx.push(ring);
            x.nicNapi.push(napi);
          }
        }
      }
    }
    for (const port of this.ports) {
      this.updateCaps(port);
      const q = port.spec.qdisc;
      if (q.kind === 'noqueue') continue;
      const rate = q.rateBitsPerSec ?? 0;
      // A qdisc is modelled where it shapes or where a kernel driver's queue can stop: a guest's virtio TX ring, a
      // NIC's TX ring. A polling forwarder's PMD has no qdisc on any port: when its ring is full, the burst drops.
      const kernelDriver = port.node.kind !== 'forwarder';
      const stoppable = kernelDriver && ((port.link?.kind === 'virtio' && port.side === 'a') || port.link?.kind === 'wire');
      if (rate > 0 || stoppable) {
        port.shaper = new Shaper(
          this,
          port,
          q.kind,
          q.limitPackets,
          rate,
          q.kind === 'prio' ? q.bands : 1,
          q.kind === 'fq' ? q.flowLimitPackets : q.limitPackets,
          q.kind === 'fq' ? q.quantumBytes : 2 * (port.mtu + 14),
        );
      }
    }
    this.buildL2();
    for (const f of s.faults) this.addFault(f);
  }

  private addFault(f: FaultSpec): void {
    const port = this.portOf(f.at);
    const rt: FaultRt = {
      kind: f.kind,
      fraction: f.fraction,
      payloadOffsetBytes: f.kind === 'corrupt' ? f.payloadOffsetBytes : 0,
      rng: this.rng.fork(),
    };
    (f.direction === 'rx' ? port.faultsRx : port.faultsTx).push(rt);
    if (f.kind === 'corrupt') this.verifyPayloads = true;
  }

  /** L2 domains (ports joined by links and by L2 nodes), auto addresses, ARP tables, static FDBs, routes. */
  private buildL2(): void {
    const parent = this.ports.map((_, i) => i);
    const find = (i: number): number => {
      while (parent[i] !== i) i = parent[i] = parent[parent[i]];
      return i;
    };
    const idx = new Map<Port, number>(this.ports.map((p, i) => [p, i]));
    const union = (x: Port, y: Port): void => {
      parent[find(idx.get(x) as number)] = find(idx.get(y) as number);
    };
    for (const l of this.links) union(l.a, l.b);
    for (const n of this.nodes) if (isL2(n)) for (const p of n.ports) union(p, n.ports[0]);
    const domIds = new Map<number, number>();
    for (const p of this.ports) {
      const r = find(idx.get(p) as number);
      if (!domIds.has(r)) domIds.set(r, domIds.size);
      p.domain = domIds.get(r) as number;
    }
    this.arpTables = [];
    for (let d = 0; d < domIds.size; d++) this.arpTables.push(new Map());
    const autoNext = new Array<number>(domIds.size).fill(1);
    for (const p of this.ports) {
      if (isL2(p.node)) continue;
      if (!p.hasIp) {
        p.ip = ipU32(`10.${(100 + p.domain) & 0xff}.0.${autoNext[p.domain]++}`);
        p.prefixLen = 24;
        p.hasIp = true;
      }
      this.arpTables[p.domain].set(p.ip, p);
    }
    for (const n of this.nodes) {
      if (isL2(n)) {
        for (const p of n.ports) {
          const seen = new Set<Port>([p]);
          const stack: Port[] = p.peer ? [p.peer] : [];
          while (stack.length > 0) {
            const x = stack.pop() as Port;
            if (seen.has(x)) continue;
            seen.add(x);
            if (x.node === n) continue;
            if (isL2(x.node)) {
              for (const y of x.node.ports) if (y !== x && y.peer && !seen.has(y)) {
                seen.add(y);
                stack.push(y.peer);
              }
            } else {
              n.fdb.set(macKey(x.mac, 0), p);
            }
          }
        }
      }
      if (n.spec.kind === 'router') {
        for (const p of n.ports) {
          const mask = prefixMask(p.prefixLen);
          n.routes.push({ net: (p.ip & mask) >>> 0, mask, len: p.prefixLen, port: p, via: 0 });
        }
        for (const r of n.spec.routes) {
          const [addr, len] = r.prefix.split('/');
          const l = Number(len ?? 32);
          const mask = prefixMask(l);
          const port = n.ports.find((p) => p.spec.name === r.iface);
          if (!port) continue;
          n.routes.push({ net: (ipU32(addr) & mask) >>> 0, mask, len: l, port, via: r.via ? ipU32(r.via) : 0 });
        }
      }
    }
  }

  /** Source/destination addressing for traffic from node `from` to node `to`. */
  pathBetween(from: NodeRt, to: NodeRt): { port: Port; dstIp: number; dstMac: Uint8Array } {
    const dstPort = to.ports.find((p) => p.hasIp) ?? to.ports[0];
    const dstIp = dstPort.ip;
    let port = from.ports.find((p) => (p.ip & prefixMask(p.prefixLen)) >>> 0 === (dstIp & prefixMask(p.prefixLen)) >>> 0 && p.domain === dstPort.domain);
    port ??= from.ports.find((p) => p.domain === dstPort.domain) ?? from.ports[0];
    let dstMac: Uint8Array | null = port.domain === dstPort.domain ? dstPort.mac : null;
    if (dstMac === null) {
      // Gateway: a router port in this L2 domain.
      for (const p of this.arpTables[port.domain]?.values() ?? []) if (p.node.kind === 'router') {
        dstMac = p.mac;
        break;
      }
    }
    return { port, dstIp, dstMac: dstMac ?? Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff) };
  }
}

export const FRAME_POOL_BYTES = 65536 + 256;

export const G_BAD = 0;
export const G_ACCEPTED_CORRUPT = 1;
export const G_VERIFIED = 2;
export const G_TRUSTED = 3;
export const G_HOPS = 4;
export const G_CORRUPTED = 5;
export const G_SEG_HOPS = 6;
const G_COUNT = 7;

function isL2(n: NodeRt): boolean {
  return n.kind === 'bridge' || n.kind === 'nic' || n.kind === 'forwarder';
}

function isIpv4Tcp(frame: Uint8Array): boolean {
  return frame.length > 23 && frame[12] === 0x08 && frame[13] === 0x00 && frame[23] === 6;
}

function isTcp(frame: Uint8Array): boolean {
  return frame.length > 23 && frame[12] === 0x08 && frame[13] === 0x00 && frame[23] === 6;
}

export function ipU32(s: string): number {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) {
    throw new PacketError('malformed', 'ipv4 address', 0, `bad address ${s}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function ipBytes(ip: number): Uint8Array {
  return Uint8Array.of(ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff);
}

function prefixMask(len: number): number {
  return len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
}

function macBytes(s: string): Uint8Array {
  const parts = s.split(':').map((x) => Number.parseInt(x, 16));
  if (parts.length !== 6 || parts.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) {
    throw new PacketError('malformed', 'mac address', 0, `bad MAC ${s}`);
  }
  return Uint8Array.from(parts);
}

function macKey(b: Uint8Array, off: number): number {
  return b[off] * 2 ** 40 + b[off + 1] * 2 ** 32 + b[off + 2] * 2 ** 24 + ((b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5]);
}

function u32At(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** 5-tuple digest of an IPv4 TCP/UDP frame (for fq and flow hashing). */
export function flowKeyOf(frame: Uint8Array): number {
  if (frame.length < 38) return 0;
  const ihl = (frame[14] & 0x0f) * 4;
  const l4 = 14 + ihl;
  let h = u32At(frame, 26) ^ Math.imul(u32At(frame, 30), 0x9e3779b1);
  h ^= Math.imul(((frame[l4] << 8) | frame[l4 + 1]) * 65536 + ((frame[l4 + 2] << 8) | frame[l4 + 3]), 0x85ebca6b);
  return (h ^ frame[23]) >>> 0;
}

function ruleMatches(rule: { proto?: 'tcp' | 'udp'; srcPrefix?: string; dstPrefix?: string; dstPort?: number }, f: ParsedFrame, frame: Uint8Array): boolean {
  if (rule.proto !== undefined && (rule.proto === 'tcp' ? 6 : 17) !== f.l4Proto) return false;
  if (rule.dstPort !== undefined && rule.dstPort !== f.dstPort) return false;
  for (const [pfx, off] of [[rule.srcPrefix, f.srcAddrOffset], [rule.dstPrefix, f.dstAddrOffset]] as const) {
    if (pfx === undefined) continue;
    const [addr, len] = pfx.split('/');
    const mask = prefixMask(Number(len ?? 32));
    if ((u32At(frame, off) & mask) >>> 0 !== (ipU32(addr) & mask) >>> 0) return false;
  }
  return true;
}
