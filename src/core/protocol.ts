/**
 * The engine worker's control API: one module both sides import. Control goes over Comlink (low-rate,
 * typed calls); data goes over SharedArrayBuffer rings (src/core/ring) or, without cross-origin isolation,
 * over batches the page pulls and the worker transfers.
 *
 * Metrics ring records: recordBytes = 8 × (1 + channels.length), as float64:
 *   [0] tNs (virtual time at the end of the sample interval), [1 + i] value of channels[i] over the interval.
 * Channels are fixed for a loaded scenario (LoadOk.channels); a new load means a new ring.
 */
import type { MetricChannel } from './engine';
import type { CaptureBuffers } from './ring/frames';
import type { RunResult } from './metrics/result';
import type { Scenario, TimelineChange, TimelineEvent } from './scenario/types';

export type { MetricChannel };

export const METRICS_RING_CAPACITY = 1024;

export function metricsRecordBytes(channelCount: number): number {
  return 8 * (1 + channelCount);
}

export type RunState = 'empty' | 'loaded' | 'running' | 'paused' | 'finished' | 'failed';

/** Pacing: a fixed virtual-time rate (1 = real time; 0.001 = a thousand times slower) or flat out. */
export type Speed = { kind: 'rate'; virtualPerWall: number } | { kind: 'max' };

export type LoadResult =
  | {
      ok: true;
      channels: MetricChannel[];
      durationNs: number;
      sampleIntervalNs: number;
      /** Host core indices each node runs its own work on (vCPUs, router/forwarder cores), for hot-spot marks. */
      nodeCores: Record<string, number[]>;
    }
  | { ok: false; errors: { path: string; message: string }[] };

export interface EngineStatus {
  state: RunState;
  nowNs: number;
  durationNs: number;
  /** Samples refused because the page had not drained the ring (whole samples, never torn). */
  samplesDropped: number;
  /** Wall-clock milliseconds the worker spent simulating, for the UI's "model speed" readout. */
  wallMsSimulating: number;
  error?: string;
}

/** One capture point; a captured frame's descriptor carries its index in capturePointsOf(scenario). */
export interface CapturePointRef {
  node: string;
  iface: string;
  dir: 'rx' | 'tx';
}

/** Every capture point of a scenario in a fixed order: nodes, their interfaces, then rx before tx. */
export function capturePointsOf(scenario: Scenario): CapturePointRef[] {
  return scenario.nodes.flatMap((n) => n.interfaces.flatMap((i) => [{ node: n.id, iface: i.name, dir: 'rx' as const }, { node: n.id, iface: i.name, dir: 'tx' as const }]));
}

/** A drained batch of metric records (fallback transport without SharedArrayBuffer). */
export interface SampleBatch {
  records: Float64Array;
  count: number;
}

export interface EngineApi {
  /** Validates (through the one door, parseScenario) and loads; seed overrides the scenario's. */
  load(scenario: unknown, seed?: number): Promise<LoadResult>;
  /** Shared ring the worker writes metric samples into (cross-origin isolated pages). */
  attachMetricsRing(ring: SharedArrayBuffer): Promise<void>;
  /**
   * Captured frames go into this capture ring (./ring/frames.ts) from now on, for every point or those in
   * `filter` (`node/iface` or `node/iface/dir`); returns the capture points the descriptors index into.
   * Survives a restart of the same scenario; a new load detaches it.
   */
  attachCaptureRing(buffers: CaptureBuffers, filter?: string[]): Promise<CapturePointRef[]>;
  detachCaptureRing(): Promise<void>;
  /** Fallback: records since the last call, transferred. */
  takeSampleBatch(): Promise<SampleBatch>;
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  /** Advances exactly one sample interval while paused. */
  step(): Promise<void>;
  setSpeed(speed: Speed): Promise<void>;
  /** Applies a change now; returns it as recorded in the timeline so a replay gives the same result. */
  applyChange(change: TimelineChange): Promise<TimelineEvent>;
  status(): Promise<EngineStatus>;
  result(): Promise<RunResult>;
  /** The loaded scenario with its timeline of live changes (what a share link must carry). */
  scenario(): Promise<Scenario | null>;
}
