/**
 * The page's side of the engine worker: Comlink for control, the metrics ring for data. The only place
 * that creates workers; the UI reaches the engine through this client (never through workers/ directly).
 */
import * as Comlink from 'comlink';
import { METRICS_RING_CAPACITY, metricsRecordBytes, type CapturePointRef, type EngineApi, type EngineStatus, type LoadResult, type Speed } from '../core/protocol';
import { createRing, RingConsumer } from '../core/ring/spsc';
import { CaptureConsumer, createCaptureRing } from '../core/ring/frames';
import type { Scenario, TimelineChange, TimelineEvent } from '../core/scenario/types';
import type { RunResult } from '../core/metrics/result';
import { MetricsHistory } from './metrics-history';

export type Transport = 'shared-ring' | 'batched-transfer';

/** A worker that answers no call for this long is reported as hung (one pacing slice is ≤ 12 ms of work). */
export const ENGINE_HANG_TIMEOUT_MS = 10_000;
const WATCHDOG_PERIOD_MS = 1000;

export class EngineClient {
  readonly transport: Transport;
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<EngineApi>;
  private consumer: RingConsumer | null = null;
  private pulling = false;
  history: MetricsHistory | null = null;
  /** Set when the worker dies (uncaught error) or hangs (watchdog); the UI offers a restart. */
  workerError: string | null = null;
  onWorkerError?: (message: string) => void;
  private watchdog: ReturnType<typeof setInterval> | null;
  private probeSentMs: number | null = null;

  constructor() {
    this.transport = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined' ? 'shared-ring' : 'batched-transfer';
    this.worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'offload-lab-engine' });
    this.worker.addEventListener('error', (ev) => {
      this.workerError = ev.message || 'the engine worker stopped unexpectedly';
      this.stopWatchdog();
      this.onWorkerError?.(this.workerError);
    });
    this.api = Comlink.wrap<EngineApi>(this.worker);
    this.watchdog = setInterval(() => this.checkAlive(), WATCHDOG_PERIOD_MS);
  }

  /** A hang (an endless loop in the engine) raises no error event: notice it by a status call left unanswered. */
  private checkAlive(): void {
    if (this.workerError) return this.stopWatchdog();
    if (this.probeSentMs !== null) {
      if (performance.now() - this.probeSentMs > ENGINE_HANG_TIMEOUT_MS) {
        this.stopWatchdog();
        this.workerError = `the engine has not answered for ${ENGINE_HANG_TIMEOUT_MS / 1000} s (a hang in the simulation?)`;
        this.onWorkerError?.(this.workerError);
      }
      return;
    }
    this.probeSentMs = performance.now();
    void this.api.status().then(
      () => (this.probeSentMs = null),
      () => (this.probeSentMs = null),
    );
  }

  private stopWatchdog(): void {
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  async load(scenario: Scenario, seed?: number): Promise<LoadResult> {
    const res = await this.api.load(scenario, seed);
    if (!res.ok) return res;
    this.history = new MetricsHistory(res.channels, 4096, new Map(Object.entries(res.nodeCores)));
    this.consumer = null;
    if (this.transport === 'shared-ring') {
      const ring = createRing(METRICS_RING_CAPACITY, metricsRecordBytes(res.channels.length), true) as SharedArrayBuffer;
      await this.api.attachMetricsRing(ring);
      this.consumer = new RingConsumer(ring);
    }
    return res;
  }

  /** Moves whatever samples arrived into the history. Call once per animation frame. */
  poll(): void {
    const history = this.history;
    if (!history) return;
    const consumer = this.consumer;
    if (consumer) {
      consumer.drain((off) => history.push(consumer.f64, off / 8));
      return;
    }
    if (this.pulling) return;
    this.pulling = true;
    void this.api
      .takeSampleBatch()
      .then((batch) => {
        if (this.history !== history) return;
        const per = 1 + history.channels.length;
        for (let i = 0; i < batch.count; i++) history.push(batch.records, i * per);
      })
      .finally(() => {
        this.pulling = false;
      });
  }

  /**
   * Captured frames of the loaded scenario from now on (at every point, or those in `filter`), through a
   * shared capture ring; null without cross-origin isolation. Drain the consumer on animation frames.
   */
  async attachCaptureRing(filter: string[] = [], descriptorCapacity = 4096, poolBytes = 1 << 24): Promise<{ consumer: CaptureConsumer; points: CapturePointRef[] } | null> {
    if (this.transport !== 'shared-ring') return null;
    const buffers = createCaptureRing(descriptorCapacity, poolBytes, true);
    const points = await this.api.attachCaptureRing(buffers, filter);
    return { consumer: new CaptureConsumer(buffers), points };
  }
  detachCaptureRing(): Promise<void> {
    return this.api.detachCaptureRing();
  }

  start(): Promise<void> {
    return this.api.start();
  }
  pause(): Promise<void> {
    return this.api.pause();
  }
  resume(): Promise<void> {
    return this.api.resume();
  }
  stop(): Promise<void> {
    return this.api.stop();
  }
  step(): Promise<void> {
    return this.api.step();
  }
  setSpeed(speed: Speed): Promise<void> {
    return this.api.setSpeed(speed);
  }
  applyChange(change: TimelineChange): Promise<TimelineEvent> {
    return this.api.applyChange(change);
  }
  status(): Promise<EngineStatus> {
    return this.api.status();
  }
  result(): Promise<RunResult> {
    return this.api.result();
  }
  /** The loaded scenario with the timeline of live changes the engine recorded. */
  scenario(): Promise<Scenario | null> {
    return this.api.scenario();
  }

  terminate(): void {
    this.stopWatchdog();
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
