/**
 * The simulation engine: a deterministic discrete-event run of a validated Scenario in virtual time.
 * Throughput, event rates, CPU and latency emerge from the cost profile, queues, notification
 * suppression and TCP; nothing here knows what a preset is called.
 */
import type { Endpoint, Scenario, TimelineChange } from './scenario/types';
import { COST_CATEGORIES, EVENT_KINDS, RUN_RESULT_SCHEMA, type CostCategory, type DirectionStats, type EventKind, type RunResult } from './metrics/result';
import { EventQueue, type EventTarget } from './sim/eventQueue';
import { COST_PARAM_NAMES, resolveProfile, type CostParamName } from './sim/profiles';
import { CATEGORY_COUNT, Core, Task } from './sim/cpu';
import { Rng } from './rng';
import { G_ACCEPTED_CORRUPT, G_BAD, G_HOPS, G_SEG_HOPS, G_TRUSTED, G_VERIFIED, LineTx, Net, Shaper, PC_RX_BYTES, PC_RX_DROPS, PC_RX_EV, PC_RX_PKTS, PC_TX_BYTES, PC_TX_DROPS, PC_TX_EV, PC_TX_PKTS, type Port } from './model/net';
import { createFlow, FlowRt, pmtuDiscovery, ProbeFlow, TcpFlow } from './model/traffic';
import type { Pkt } from './model/pkt';
import { PacketError } from './packet/errors';
import { applyIntent } from './model/offloads';

const EVENT_KIND_LABELS: Record<EventKind, string> = {
  kick: 'kicks (guest → host)',
  interrupt: 'interrupts (host → guest)',
  wakeup: 'thread wake-ups',
  softirq: 'softirq raises (veth/tap backlog)',
  exit: 'VM exits',
};

export interface MetricChannel {
  id: string;
  label: string;
  unit: 'bit/s' | 'pkt/s' | 'event/s' | 'ratio' | 'ns' | 'packets' | 'count';
  group: 'throughput' | 'events' | 'cpu' | 'latency' | 'queue' | 'drops' | 'checksum';
}

export interface CapturePoint {
  node: string;
  iface: string;
  dir: 'rx' | 'tx';
}

type Reader = (dtNs: number) => number;

function rate(read: () => number, scale = 1): Reader {
  let last = 0;
  return (dtNs) => {
    const cur = read();
    const d = cur - last;
    last = cur;
    return dtNs > 0 ? (d * scale * 1e9) / dtNs : 0;
  };
}

function delta(read: () => number): Reader {
  let last = 0;
  return () => {
    const cur = read();
    const d = cur - last;
    last = cur;
    return d;
  };
}

const TIMELINE_BASE = 1;

/**
 * One partition of a partitioned run: this engine holds the whole model but fires only the events of
 * the hosts mapped to `self`; frames onto a wire whose far end is elsewhere leave through `send`.
 */
export interface EnginePartition {
  self: number;
  partitionOfHost: ReadonlyMap<string, number>;
  send: (linkIndex: number, side: 'a' | 'b', arrivalNs: number, key: number, p: Pkt) => void;
}

export class Engine implements EventTarget {
  readonly channels: readonly MetricChannel[];
  readonly seed: number;
  private captureCb: ((point: CapturePoint, frame: Uint8Array, skb: unknown, tNs: number) => void) | undefined;
  /** Capture hook (CLI, workers): frames at every point, or those in captureFilter. Frame buffers are not recycled while a hook is set, so it may keep them. */
  get onCapture(): ((point: CapturePoint, frame: Uint8Array, skb: unknown, tNs: number) => void) | undefined {
    return this.captureCb;
  }
  set onCapture(cb: ((point: CapturePoint, frame: Uint8Array, skb: unknown, tNs: number) => void) | undefined) {
    this.captureCb = cb;
    this.net.captureActive = cb !== undefined;
  }
  /** `node/iface` or `node/iface/dir` keys; empty or unset = every point. */
  captureFilter?: readonly string[];

  private readonly sim = new EventQueue(4096);
  private readonly net: Net;
  private readonly flows: FlowRt[] = [];
  private readonly readers: Reader[] = [];
  private readonly prev: Float64Array;
  private nextSampleNs: number;
  private lastSampleNs = 0;
  private samples: Float64Array[] = [];

  constructor(
    private readonly scenario: Scenario,
    opts: { seed?: number; partition?: EnginePartition } = {},
  ) {
    this.seed = opts.seed ?? scenario.seed;
    const rng = new Rng(this.seed);
    const costs = resolveProfile(scenario.profile, scenario.profileOverrides);
    const part = opts.partition;
    if (part !== undefined) {
      const mine = (host: string): boolean => part.partitionOfHost.get(host) === part.self;
      this.sim.admit = (t, arg) => {
        if (t === this) return true;
        if (t instanceof Task) return mine(t.core.hostId);
        if (t instanceof Core) return mine(t.hostId);
        if (t instanceof LineTx) return mine(arg === 1 ? t.peerHostId : t.hostId);
        if (t instanceof Shaper) return mine(t.hostId);
        if (t instanceof FlowRt) return mine(t.hostOfTimer(arg));
        throw new PacketError('invalid-state', 'event target', 0, 'an event target with no host in a partitioned run');
      };
    }
    this.net = new Net(this.sim, costs, rng.fork(), scenario);
    if (part !== undefined) {
      this.net.links.forEach((l, i) => {
        for (const [end, side] of [[l.a, 'a'], [l.b, 'b']] as const) {
          if (end.line === null || end.peer === null) continue;
          if (part.partitionOfHost.get(end.peer.node.spec.host) === part.self) continue;
          end.line.remote = (arrivalNs, key, p) => part.send(i, side, arrivalNs, key, p);
        }
      });
    }
    const byId = new Map(this.net.nodes.map((n) => [n.id, n]));
    scenario.flows.forEach((fs, i) => {
      const src = byId.get(fs.from);
      const dst = byId.get(fs.to);
      if (!src || !dst) return;
      const flow = createFlow(this.net, i, fs, src, dst, rng.fork());
      this.flows.push(flow);
    });
    this.net.tsqRelease = (flowIdx, bytes) => {
      const f = this.flows[flowIdx];
      if (f instanceof TcpFlow) f.onTsqRelease(bytes);
    };
    this.net.fragNeeded = pmtuDiscovery(this.net);
    this.net.captureHook = (port, dir, p) => this.capture(port, dir, p.frame, p.skb);
    for (const f of this.flows) f.start();
    scenario.timeline.forEach((ev, i) => this.sim.push(ev.atNs, this, TIMELINE_BASE + i));
    const channels: MetricChannel[] = [];
    this.buildChannels(channels);
    this.channels = channels;
    this.prev = new Float64Array(channels.length);
    this.nextSampleNs = Math.max(1, scenario.sampleIntervalNs);
  }

  get nowNs(): number {
    return this.sim.nowNs;
  }

  /** Time of the earliest pending event (+Infinity when none). */
  nextEventNs(): number {
    return this.sim.peekTimeNs();
  }

  /** A frame from another partition, onto the wire `side` of link `linkIndex` transmits on. */
  deliverRemote(linkIndex: number, side: 'a' | 'b', arrivalNs: number, key: number, p: Pkt): void {
    const link = this.net.links[linkIndex];
    const line = link === undefined ? null : (side === 'a' ? link.a : link.b).line;
    if (line === null) throw new PacketError('invalid-state', 'link', linkIndex, `link ${linkIndex} side ${side} has no wire transmitter`);
    line.deliverRemote(arrivalNs, key, p);
  }

  /** Notifications across every interface (the numerator of totals.eventsPerSec), for merging partitions. */
  get totalEventCount(): number {
    return this.totalEvents();
  }

  /** Advance virtual time to tNs (inclusive of events at tNs), taking samples on the interval grid. */
  runUntil(tNs: number): void {
    const sim = this.sim;
    for (;;) {
      const te = sim.peekTimeNs();
      if (this.nextSampleNs <= te && this.nextSampleNs <= tNs) {
        sim.nowNs = this.nextSampleNs;
        this.takeSample(this.nextSampleNs);
        this.nextSampleNs += Math.max(1, this.scenario.sampleIntervalNs);
        continue;
      }
      if (te > tNs) break;
      sim.popAndFire();
    }
    if (tNs > sim.nowNs) sim.nowNs = tNs;
  }

  takeSamples(): Float64Array[] {
    const out = this.samples;
    this.samples = [];
    return out;
  }

  onEvent(nowNs: number, arg: number): void {
    void nowNs;
    const ev = this.scenario.timeline[arg - TIMELINE_BASE];
    if (ev) this.applyChange(ev.change);
  }

  applyChange(change: TimelineChange): void {
    switch (change.kind) {
      case 'set-feature': {
        const port = this.net.portOf(change.at);
        port.dev = applyIntent(port.dev, change.feature, change.on);
        for (const p of this.net.ports) this.net.updateCaps(p);
        return;
      }
      case 'set-param': {
        if (typeof change.value !== 'number' || !Number.isFinite(change.value)) return;
        const name = change.path.replace(/^(profile|profileOverrides|costs)\./, '');
        if ((COST_PARAM_NAMES as readonly string[]).includes(name)) {
          this.net.c[name as CostParamName] = change.value;
          return;
        }
        // Live-tunable topology parameters (others need a new run: they change the structure).
        const q = /^nodes\[id=([^\]]+)\]\.interfaces\[name=([^\]]+)\]\.qdisc\.rateBitsPerSec$/.exec(change.path);
        if (q) {
          const port = this.net.portOf({ node: q[1] as Endpoint['node'], iface: q[2] });
          if (port.shaper !== null && change.value > 0) port.shaper.rateBitsPerSec = change.value;
          return;
        }
        const l = /^links\[id=([^\]]+)\]\.(rateBitsPerSec|delayNs)$/.exec(change.path);
        if (l) {
          const link = this.net.links.find((x) => x.spec.id === l[1]);
          for (const end of link ? [link.a, link.b] : []) {
            if (end.line === null) continue;
            if (l[2] === 'rateBitsPerSec' && change.value > 0) end.line.rateBitsPerSec = change.value;
            if (l[2] === 'delayNs' && change.value >= 0) end.line.delayNs = change.value;
          }
        }
        return;
      }
    }
  }

  private capture(port: Port, dir: 'rx' | 'tx', frame: Uint8Array, skb: unknown): void {
    const cb = this.onCapture;
    if (cb === undefined) return;
    const filter = this.captureFilter;
    if (filter !== undefined && filter.length > 0 && !filter.includes(port.id) && !filter.includes(`${port.id}/${dir}`)) return;
    cb({ node: port.node.id, iface: port.spec.name, dir }, frame, skb, this.sim.nowNs);
  }

  private buildChannels(ch: MetricChannel[]): void {
    const v = this.net.counters.values;
    const add = (c: MetricChannel, r: Reader): void => {
      ch.push(c);
      this.readers.push(r);
    };
    for (const f of this.flows) {
      const id = f.spec.id;
      add({ id: `flow/${id}/throughput`, label: `${id} goodput`, unit: 'bit/s', group: 'throughput' }, rate(() => f.bytesDelivered, 8));
      if (f instanceof ProbeFlow) {
        add({ id: `flow/${id}/rtt`, label: `${id} mean RTT`, unit: 'ns', group: 'latency' }, () => {
          const m = f.intervalCount > 0 ? f.intervalSumNs / f.intervalCount : 0;
          f.intervalSumNs = 0;
          f.intervalCount = 0;
          return m;
        });
        add({ id: `flow/${id}/jitter`, label: `${id} jitter (RFC 3550)`, unit: 'ns', group: 'latency' }, () => f.jitterNs);
      }
    }
    for (const p of this.net.ports) {
      const b = p.ctr;
      add({ id: `if/${p.id}/tx/bps`, label: `${p.id} tx`, unit: 'bit/s', group: 'throughput' }, rate(() => v[b + PC_TX_BYTES], 8));
      add({ id: `if/${p.id}/rx/bps`, label: `${p.id} rx`, unit: 'bit/s', group: 'throughput' }, rate(() => v[b + PC_RX_BYTES], 8));
      add({ id: `if/${p.id}/tx/pps`, label: `${p.id} tx packets`, unit: 'pkt/s', group: 'throughput' }, rate(() => v[b + PC_TX_PKTS]));
      add({ id: `if/${p.id}/rx/pps`, label: `${p.id} rx packets`, unit: 'pkt/s', group: 'throughput' }, rate(() => v[b + PC_RX_PKTS]));
      add(
        { id: `if/${p.id}/events`, label: `${p.id} events`, unit: 'event/s', group: 'events' },
        rate(() => {
          let s = 0;
          for (let k = 0; k < EVENT_KINDS.length; k++) if (EVENT_KINDS[k] !== 'exit') s += v[b + PC_TX_EV + k] + v[b + PC_RX_EV + k];
          return s;
        }),
      );
      add({ id: `if/${p.id}/drops`, label: `${p.id} drops`, unit: 'packets', group: 'drops' }, delta(() => v[b + PC_TX_DROPS] + v[b + PC_RX_DROPS]));
      add({ id: `if/${p.id}/queue`, label: `${p.id} queue depth`, unit: 'packets', group: 'queue' }, () => this.queueDepth(p));
    }
    for (const core of this.net.allCores) {
      for (let k = 0; k < CATEGORY_COUNT; k++) {
        const cat = COST_CATEGORIES[k];
        add({ id: `cpu/${core.label}/${cat}`, label: `${core.label} ${cat}`, unit: 'ratio', group: 'cpu' }, rate(() => core.nsByCategory[k], 1e-9));
      }
    }
    const g = this.net.g;
    add({ id: 'events/total', label: 'events', unit: 'event/s', group: 'events' }, rate(() => this.totalEvents()));
    // The same notifications by kind across every interface (VM exits are listed but not in the total:
    // each kick or interrupt into a guest already counts once).
    EVENT_KINDS.forEach((kind, k) => {
      add({ id: `events/kind/${kind}`, label: EVENT_KIND_LABELS[kind], unit: 'event/s', group: 'events' }, rate(() => this.eventsOfKind(k)));
    });
    add({ id: 'checksum/badDropped', label: 'bad checksums dropped', unit: 'count', group: 'checksum' }, delta(() => v[g + G_BAD]));
    add({ id: 'checksum/acceptedCorrupt', label: 'corrupt payloads accepted', unit: 'count', group: 'checksum' }, delta(() => v[g + G_ACCEPTED_CORRUPT]));
  }

  private queueDepth(p: Port): number {
    let d = p.shaper ? p.shaper.depth : 0;
    const l = p.link;
    if (l !== null && l.kind === 'virtio') {
      const qs = p.side === 'a' ? l.guestTx : l.tapQ;
      for (const q of qs) d += q.length;
    } else if (p.line !== null) d += p.line.q.length;
    return d;
  }

  private eventsOfKind(k: number): number {
    const v = this.net.counters.values;
    let s = 0;
    for (const p of this.net.ports) s += v[p.ctr + PC_TX_EV + k] + v[p.ctr + PC_RX_EV + k];
    return s;
  }

  private totalEvents(): number {
    const v = this.net.counters.values;
    let s = 0;
    for (const p of this.net.ports) for (let k = 0; k < EVENT_KINDS.length; k++) if (EVENT_KINDS[k] !== 'exit') s += v[p.ctr + PC_TX_EV + k] + v[p.ctr + PC_RX_EV + k];
    return s;
  }

  private takeSample(tNs: number): void {
    const dt = tNs - this.lastSampleNs;
    this.lastSampleNs = tNs;
    const row = new Float64Array(1 + this.readers.length);
    row[0] = tNs;
    for (let i = 0; i < this.readers.length; i++) row[i + 1] = this.readers[i](dt);
    this.samples.push(row);
    // Bound memory if nobody drains the samples (e.g. a headless run): keep the newest.
    if (this.samples.length > 100_000) this.samples.splice(0, this.samples.length - 50_000);
    void this.prev;
  }

  result(): RunResult {
    const net = this.net;
    const v = net.counters.values;
    const simNs = Math.max(1, this.sim.nowNs);
    const perSec = (x: number): number => (x * 1e9) / simNs;
    const dirStats = (p: Port, tx: boolean): DirectionStats => {
      const b = p.ctr;
      const pkts = v[b + (tx ? PC_TX_PKTS : PC_RX_PKTS)];
      const bytes = v[b + (tx ? PC_TX_BYTES : PC_RX_BYTES)];
      const evBase = b + (tx ? PC_TX_EV : PC_RX_EV);
      const byKind = {} as Record<EventKind, number>;
      let evTotal = 0;
      EVENT_KINDS.forEach((k, i) => {
        byKind[k] = perSec(v[evBase + i]);
        if (k !== 'exit') evTotal += v[evBase + i];
      });
      return {
        packetsPerSec: perSec(pkts),
        bitsPerSec: perSec(bytes * 8),
        meanFrameBytes: pkts > 0 ? bytes / pkts : 0,
        eventsPerSec: perSec(evTotal),
        eventsPerSecByKind: byKind,
        drops: v[b + (tx ? PC_TX_DROPS : PC_RX_DROPS)],
        dropsByReason: { ...p.dropReasons[tx ? 1 : 0] },
      };
    };
    const coreResult = (core: Core, polling: boolean) => {
      const ns = {} as Record<CostCategory, number>;
      COST_CATEGORIES.forEach((c, i) => (ns[c] = core.nsByCategory[i]));
      return { core: core.index, utilization: polling ? 1 : Math.min(1, core.busyNs / simNs), nsByCategory: ns };
    };
    return {
      schema: RUN_RESULT_SCHEMA,
      scenario: this.scenario.id,
      profile: this.scenario.profile,
      seed: this.seed,
      simulatedNs: this.sim.nowNs,
      flows: this.flows.map((f) => {
        const base = {
          id: f.spec.id as string,
          kind: f.spec.kind,
          throughputBitsPerSec: perSec(f.bytesDelivered * 8),
          bytesDelivered: f.bytesDelivered,
        };
        if (f instanceof ProbeFlow) {
          return {
            ...base,
            latencyNs: { p50: f.hist.quantile(0.5), p99: f.hist.quantile(0.99), max: f.hist.maxNs, mean: f.hist.meanNs, samples: f.hist.count },
            jitterNs: f.jitterNs,
            ...(f.deltaCount > 0 ? { meanJitterNs: f.absDeltaSumNs / f.deltaCount } : {}),
          };
        }
        return f instanceof TcpFlow ? { ...base, retransmits: f.retransmits } : base;
      }),
      interfaces: net.ports.map((p) => ({ id: p.id, tx: dirStats(p, true), rx: dirStats(p, false), queueDepthMaxPackets: this.maxDepth(p) })),
      nodes: net.nodes.map((n) => {
        const cores = [...new Set([...n.cores, ...n.extraCores])];
        return { id: n.id, kind: n.kind, memoryBytes: n.memoryBytes, cores: cores.map((c) => ({ ...coreResult(c, n.kind === 'forwarder' && n.cores.includes(c)), role: n.cores.includes(c) ? ('own' as const) : ('helper' as const) })) };
      }),
      checksum: {
        badDropped: v[net.g + G_BAD],
        acceptedCorrupt: v[net.g + G_ACCEPTED_CORRUPT],
        verifiedInSoftware: v[net.g + G_VERIFIED],
        trusted: v[net.g + G_TRUSTED],
      },
      totals: { eventsPerSec: perSec(this.totalEvents()), packetHops: v[net.g + G_HOPS], segmentHops: v[net.g + G_SEG_HOPS] },
    };
  }

  private maxDepth(p: Port): number {
    let d = p.shaper ? p.shaper.depthMax : 0;
    const l = p.link;
    if (l !== null && l.kind === 'virtio') for (const q of p.side === 'a' ? l.guestTx : l.tapQ) d = Math.max(d, q.maxDepth);
    else if (p.line !== null) d = Math.max(d, p.line.q.maxDepth);
    return d;
  }
}

export function runScenario(s: Scenario, opts: { durationNs?: number; seed?: number } = {}): RunResult {
  const e = new Engine(s, { seed: opts.seed });
  e.runUntil(opts.durationNs ?? s.durationNs);
  return e.result();
}
