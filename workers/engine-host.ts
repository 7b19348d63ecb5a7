/**
 * The engine worker's behaviour, separate from its entry so Node tests can drive it without a Worker.
 * Wall-clock pacing lives here, never in src/core: the engine only ever sees virtual time.
 *
 * Threading contract: every method runs on the worker's own thread (Comlink queues calls); the pacing
 * loop is a chain of setTimeout slices, so a control call is served between two slices.
 */
import { Engine } from '../src/core/engine';
import { parseScenario, applyChange as applyScenarioChange } from '../src/core/scenario/validate';
import { RingConsumer, RingProducer, createRing } from '../src/core/ring/spsc';
import { CaptureProducer, FRAME_FLAG_TX, type CaptureBuffers, type FrameMeta } from '../src/core/ring/frames';
import {
  METRICS_RING_CAPACITY,
  capturePointsOf,
  metricsRecordBytes,
  type CapturePointRef,
  type EngineApi,
  type EngineStatus,
  type LoadResult,
  type RunState,
  type SampleBatch,
  type Speed,
} from '../src/core/protocol';
import type { Scenario, TimelineChange, TimelineEvent } from '../src/core/scenario/types';
import { ownCoresByNode, type RunResult } from '../src/core/metrics/result';

/** Wall time one pacing slice may spend simulating, so control calls stay responsive. */
const SLICE_BUDGET_MS = 12;
const SLICE_PERIOD_MS = 16;

export interface Clock {
  nowMs(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  nowMs: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class EngineHost implements EngineApi {
  private engine: Engine | null = null;
  private loaded: Scenario | null = null;
  private seed = 0;
  private state: RunState = 'empty';
  private speed: Speed = { kind: 'rate', virtualPerWall: 0.01 };
  private ring: RingProducer | null = null;
  private sharedRing = false;
  private timer: unknown = null;
  private anchorWallMs = 0;
  private anchorVirtualNs = 0;
  private wallMsSimulating = 0;
  private error: string | undefined;
  private capture: { producer: CaptureProducer; buffers: CaptureBuffers; filter: string[] } | null = null;

  constructor(private readonly clock: Clock = realClock) {}

  async load(json: unknown, seed?: number): Promise<LoadResult> {
    this.halt();
    const parsed = parseScenario(json);
    if (!parsed.ok) return { ok: false, errors: parsed.errors.map((e) => ({ path: e.path, message: e.message })) };
    this.loaded = parsed.scenario;
    this.seed = seed ?? parsed.scenario.seed;
    this.error = undefined;
    this.capture = null;
    try {
      this.engine = new Engine(this.loaded, { seed: this.seed });
    } catch (e) {
      return this.fail(e, { ok: false, errors: [{ path: '', message: `the engine could not build this scenario: ${describe(e)}` }] });
    }
    this.state = 'loaded';
    this.wallMsSimulating = 0;
    // Until the page attaches a shared ring, samples go to a private one drained by takeSampleBatch().
    this.ring = new RingProducer(createRing(METRICS_RING_CAPACITY, metricsRecordBytes(this.engine.channels.length), false));
    this.sharedRing = false;
    const nodeCores = ownCoresByNode(this.engine.result());
    return { ok: true, channels: [...this.engine.channels], durationNs: this.loaded.durationNs, sampleIntervalNs: this.loaded.sampleIntervalNs, nodeCores };
  }

  async attachMetricsRing(ring: SharedArrayBuffer): Promise<void> {
    const producer = new RingProducer(ring);
    if (this.engine && producer.recordBytes !== metricsRecordBytes(this.engine.channels.length)) {
      throw new Error(`metrics ring records are ${producer.recordBytes} B, this scenario needs ${metricsRecordBytes(this.engine.channels.length)} B`);
    }
    this.ring = producer;
    this.sharedRing = true;
  }

  async attachCaptureRing(buffers: CaptureBuffers, filter: string[] = []): Promise<CapturePointRef[]> {
    if (!this.engine || !this.loaded) throw new Error('load a scenario first');
    this.hookCapture(new CaptureProducer(buffers), buffers, filter);
    return capturePointsOf(this.loaded);
  }

  async detachCaptureRing(): Promise<void> {
    this.capture?.producer.flush();
    this.capture = null;
    if (this.engine) this.engine.onCapture = undefined;
  }

  private hookCapture(producer: CaptureProducer, buffers: CaptureBuffers, filter: string[]): void {
    const engine = this.engine!;
    const index = new Map(capturePointsOf(this.loaded!).map((p, i) => [`${p.node}/${p.iface}/${p.dir}`, i]));
    engine.captureFilter = filter;
    // The engine's skb carries the FrameMeta fields; a capture without one records zeros.
    engine.onCapture = (point, frame, skb, tNs) => {
      producer.capture(tNs, index.get(`${point.node}/${point.iface}/${point.dir}`) ?? 0xffff, frame, (skb ?? NO_META) as FrameMeta, point.dir === 'tx' ? FRAME_FLAG_TX : 0);
    };
    this.capture = { producer, buffers, filter };
  }

  async takeSampleBatch(): Promise<SampleBatch> {
    const ring = this.ring;
    if (!ring || this.sharedRing) return { records: new Float64Array(0), count: 0 };
    // The private ring's consumer lives on this thread too: drain it into one transferable array.
    const c = new RingConsumer(ring.buffer);
    const perRecord = ring.recordBytes / 8;
    const records = new Float64Array(c.size() * perRecord);
    let i = 0;
    const count = c.drain((off) => {
      records.set(c.f64.subarray(off / 8, off / 8 + perRecord), i);
      i += perRecord;
    });
    return { records, count };
  }

  async start(): Promise<void> {
    if (!this.engine || !this.loaded) throw new Error('load a scenario first');
    if (this.state === 'finished' || this.state === 'failed') {
      // Same scenario, same channels: keep streaming into the page's shared ring rather than a private one.
      const shared = this.sharedRing && this.ring ? this.ring.buffer : null;
      const capture = this.capture;
      const again = await this.load(this.loaded, this.seed);
      if (!again.ok) throw new Error(again.errors[0]?.message ?? 'reload failed');
      if (shared) await this.attachMetricsRing(shared as SharedArrayBuffer);
      if (capture) this.hookCapture(capture.producer, capture.buffers, capture.filter);
    }
    this.state = 'running';
    this.anchor();
    this.schedule(0);
  }

  async pause(): Promise<void> {
    if (this.state !== 'running') return;
    this.halt();
    this.state = 'paused';
  }

  async resume(): Promise<void> {
    if (this.state !== 'paused' && this.state !== 'loaded') return;
    this.state = 'running';
    this.anchor();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.halt();
    if (this.state === 'running' || this.state === 'paused') this.state = 'finished';
  }

  async step(): Promise<void> {
    if (!this.engine || !this.loaded) throw new Error('load a scenario first');
    if (this.state === 'running') await this.pause();
    this.advanceTo(this.engine.nowNs + this.loaded.sampleIntervalNs);
    if (this.state === 'loaded') this.state = 'paused';
  }

  async setSpeed(speed: Speed): Promise<void> {
    if (speed.kind === 'rate' && !(speed.virtualPerWall > 0 && speed.virtualPerWall <= 1000)) {
      throw new Error(`speed must be between 0 and 1000× real time, got ${speed.virtualPerWall}`);
    }
    this.speed = speed;
    this.anchor();
  }

  async applyChange(change: TimelineChange): Promise<TimelineEvent> {
    if (!this.engine || !this.loaded) throw new Error('load a scenario first');
    const checked = applyScenarioChange(this.loaded, change);
    if (!checked.ok) throw new Error(checked.error);
    const event: TimelineEvent = { atNs: this.engine.nowNs, change };
    this.engine.applyChange(change);
    // Record it so that loading the returned scenario replays the same run.
    this.loaded = { ...this.loaded, timeline: [...this.loaded.timeline, event] };
    return event;
  }

  async status(): Promise<EngineStatus> {
    return {
      state: this.state,
      nowNs: this.engine?.nowNs ?? 0,
      durationNs: this.loaded?.durationNs ?? 0,
      samplesDropped: this.ring?.dropped ?? 0,
      wallMsSimulating: this.wallMsSimulating,
      ...(this.error ? { error: this.error } : {}),
    };
  }

  async result(): Promise<RunResult> {
    if (!this.engine) throw new Error('load a scenario first');
    return this.engine.result();
  }

  async scenario(): Promise<Scenario | null> {
    return this.loaded;
  }

  private anchor(): void {
    this.anchorWallMs = this.clock.nowMs();
    this.anchorVirtualNs = this.engine?.nowNs ?? 0;
  }

  private schedule(delayMs: number): void {
    this.timer = this.clock.setTimeout(() => this.slice(), delayMs);
  }

  private halt(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One pacing slice: advance virtual time toward the wall-clock target within the slice budget. */
  private slice(): void {
    this.timer = null;
    const engine = this.engine;
    const scenario = this.loaded;
    if (!engine || !scenario || this.state !== 'running') return;
    const started = this.clock.nowMs();
    const end = scenario.durationNs;
    let target: number;
    if (this.speed.kind === 'max') {
      target = end;
    } else {
      target = Math.min(end, this.anchorVirtualNs + (started - this.anchorWallMs) * 1e6 * this.speed.virtualPerWall);
    }
    // Advance a sample interval at a time so the budget check can stop a slice that runs long.
    const stepNs = scenario.sampleIntervalNs;
    while (engine.nowNs < target && this.clock.nowMs() - started < SLICE_BUDGET_MS) {
      // Backpressure: when the page has not drained the ring, wait for it rather than drop samples.
      if (this.ring && this.ring.free() === 0) break;
      if (!this.advanceTo(Math.min(target, engine.nowNs + stepNs))) return;
    }
    if (this.speed.kind === 'rate' && engine.nowNs < target - stepNs) {
      // Slower than asked: re-anchor so we do not try to catch up in a burst.
      this.anchor();
    }
    if (engine.nowNs >= end) {
      this.state = 'finished';
      this.ring?.close();
      return;
    }
    this.schedule(Math.max(0, SLICE_PERIOD_MS - (this.clock.nowMs() - started)));
  }

  private advanceTo(tNs: number): boolean {
    const engine = this.engine!;
    const t0 = this.clock.nowMs();
    try {
      engine.runUntil(tNs);
    } catch (e) {
      this.fail(e, undefined);
      return false;
    } finally {
      this.wallMsSimulating += this.clock.nowMs() - t0;
    }
    const ring = this.ring;
    for (const sample of engine.takeSamples()) {
      if (ring) ring.pushF64(sample);
    }
    ring?.publish();
    this.capture?.producer.flush();
    return true;
  }

  private fail<T>(e: unknown, value: T): T {
    this.halt();
    this.state = 'failed';
    this.error = describe(e);
    return value;
  }
}

const NO_META: FrameMeta = { ipSummed: 0, csumStart: 0, csumOffset: 0, gsoSize: 0, gsoType: 0, gsoSegs: 0 };

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
