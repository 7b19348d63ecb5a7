import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineHost, type Clock } from './engine-host';
import { Engine } from '../src/core/engine';
import { METRICS_RING_CAPACITY, capturePointsOf, metricsRecordBytes } from '../src/core/protocol';
import { CaptureConsumer, FRAME_FLAG_TX, createCaptureRing } from '../src/core/ring/frames';
import { RingConsumer, createRing } from '../src/core/ring/spsc';
import { findPreset } from '../src/core/scenario/presets';
import type { Endpoint, NodeId, Scenario, TimelineChange } from '../src/core/scenario/types';

const MS = 1_000_000;

/** Wall time that moves only when the test says so; timers fire in due order inside advance(). */
class FakeClock implements Clock {
  private now = 1000;
  private nextId = 1;
  private timers = new Map<number, { atMs: number; fn: () => void }>();
  nowMs(): number {
    return this.now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { atMs: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** Moves wall time forward by `ms`, firing every timer that falls due (and those they schedule). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let due: [number, { atMs: number; fn: () => void }] | undefined;
      for (const t of this.timers) if (t[1].atMs <= end && (!due || t[1].atMs < due[1].atMs)) due = t;
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = Math.max(this.now, due[1].atMs);
      due[1].fn();
    }
    this.now = end;
  }
}

/** The QoS preset is the cheapest to simulate (a 10 Mbit/s shaped egress); shortened to keep tests fast. */
function smallScenario(): Scenario {
  const preset = findPreset('qos-slow-egress');
  if (!preset) throw new Error('preset qos-slow-egress is missing');
  return { ...structuredClone(preset.scenario), durationNs: 200 * MS };
}

const R1_ETH1: Endpoint = { node: 'r1' as NodeId, iface: 'eth1' };
const TSO_OFF: TimelineChange = { kind: 'set-feature', at: R1_ETH1, feature: 'tcp-segmentation-offload', on: false };
const RATE_UP: TimelineChange = { kind: 'set-param', path: 'nodes[id=r1].interfaces[name=eth1].qdisc.rateBitsPerSec', value: 25_000_000 };

async function drainSamples(host: EngineHost, into: number[][]): Promise<void> {
  const batch = await host.takeSampleBatch();
  const per = batch.count > 0 ? batch.records.length / batch.count : 0;
  for (let i = 0; i < batch.count; i++) into.push(Array.from(batch.records.subarray(i * per, (i + 1) * per)));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EngineHost', () => {
  it('refuses an invalid scenario with errors that name the fields, and stays empty', async () => {
    const host = new EngineHost(new FakeClock());
    const bad = { ...smallScenario(), durationNs: -5, sampleIntervalNs: 'often' };
    const res = await host.load(bad);
    expect(res.ok).toBe(false);
    if (res.ok) return;
    const paths = res.errors.map((e) => e.path);
    expect(paths).toContain('durationNs');
    expect(paths).toContain('sampleIntervalNs');
    expect((await host.status()).state).toBe('empty');
    await expect(host.start()).rejects.toThrow(/load a scenario first/);

    const notAScenario = await host.load('{"version": 1');
    expect(notAScenario.ok).toBe(false);
  });

  it('loads, runs paced by the clock, pauses, steps one interval, resumes, stops and runs again from zero', async () => {
    const clock = new FakeClock();
    const host = new EngineHost(clock);
    const res = await host.load(smallScenario());
    expect(res).toMatchObject({ ok: true, durationNs: 200 * MS, sampleIntervalNs: 10 * MS });
    expect(await host.status()).toMatchObject({ state: 'loaded', nowNs: 0 });

    await host.setSpeed({ kind: 'rate', virtualPerWall: 0.1 });
    await host.start();
    expect((await host.status()).state).toBe('running');
    clock.advance(200); // 200 ms of wall time at 0.1× ≈ 20 ms of virtual time
    const running = await host.status();
    expect(running.nowNs).toBeGreaterThan(10 * MS);
    expect(running.nowNs).toBeLessThanOrEqual(20 * MS);

    await host.pause();
    const paused = await host.status();
    expect(paused.state).toBe('paused');
    clock.advance(500);
    expect((await host.status()).nowNs).toBe(paused.nowNs); // paused means paused
    expect(clock.pending).toBe(0);

    await host.step();
    expect(await host.status()).toMatchObject({ state: 'paused', nowNs: paused.nowNs + 10 * MS });
    await host.step();
    expect((await host.status()).nowNs).toBe(paused.nowNs + 20 * MS);

    await host.resume();
    expect((await host.status()).state).toBe('running');
    clock.advance(100);
    expect((await host.status()).nowNs).toBeGreaterThan(paused.nowNs + 20 * MS);

    await host.stop();
    expect((await host.status()).state).toBe('finished');
    expect(clock.pending).toBe(0);
    await host.resume(); // a finished run is not resumed
    expect((await host.status()).state).toBe('finished');

    await host.start(); // from finished: a fresh run from virtual time zero
    expect(await host.status()).toMatchObject({ state: 'running', nowNs: 0 });
    await host.setSpeed({ kind: 'max' });
    clock.advance(20);
    expect(await host.status()).toMatchObject({ state: 'finished', nowNs: 200 * MS });
  });

  it('step from loaded leaves the run paused after exactly one interval', async () => {
    const host = new EngineHost(new FakeClock());
    await host.load(smallScenario());
    await host.step();
    expect(await host.status()).toMatchObject({ state: 'paused', nowNs: 10 * MS });
    const samples: number[][] = [];
    await drainSamples(host, samples);
    expect(samples.map((s) => s[0])).toEqual([10 * MS]);
  });

  it('a run started again after it finished keeps streaming into the shared ring the page attached', async () => {
    const clock = new FakeClock();
    const host = new EngineHost(clock);
    const res = await host.load(smallScenario());
    if (!res.ok) throw new Error('load failed');
    const ring = createRing(METRICS_RING_CAPACITY, metricsRecordBytes(res.channels.length), true) as SharedArrayBuffer;
    await host.attachMetricsRing(ring);
    const consumer = new RingConsumer(ring);
    const times = (): number[] => {
      const t: number[] = [];
      consumer.drain((off) => t.push(consumer.f64[off / 8]));
      return t;
    };
    await host.setSpeed({ kind: 'max' });
    await host.start();
    clock.advance(20);
    expect(times()).toHaveLength(20);
    await host.start(); // finished → a fresh run
    clock.advance(20);
    expect(await host.status()).toMatchObject({ state: 'finished' });
    expect(times()).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 10 * MS));
  });

  it('streams captured frames into an attached capture ring, in step with a direct engine run, and keeps it across a restart', async () => {
    const clock = new FakeClock();
    const host = new EngineHost(clock);
    const scenario = { ...smallScenario(), durationNs: 60 * MS };
    await host.load(scenario);
    const buffers = createCaptureRing(8192, 1 << 24, true);
    const points = await host.attachCaptureRing(buffers, ['r1/eth1/tx', 'vm2/eth0']);
    expect(points).toEqual(capturePointsOf(scenario));
    const consumer = new CaptureConsumer(buffers);
    const drain = () => {
      const seen: { point: string; length: number; tNs: number; ethertype: number; tx: boolean }[] = [];
      consumer.drain((f) => {
        const p = points[f.capturePoint];
        seen.push({ point: `${p.node}/${p.iface}/${p.dir}`, length: f.origLengthBytes, tNs: f.tNs, ethertype: (f.data[f.poolOffset + 12] << 8) | f.data[f.poolOffset + 13], tx: (f.flags & FRAME_FLAG_TX) !== 0 });
      });
      return seen;
    };
    await host.setSpeed({ kind: 'max' });
    await host.start();
    clock.advance(20);
    const live = drain();

    // The same frames, at the same points and times, as the engine's own capture hook reports.
    const direct = new Engine(scenario);
    const expected: { point: string; length: number; tNs: number }[] = [];
    direct.captureFilter = ['r1/eth1/tx', 'vm2/eth0'];
    direct.onCapture = (p, frame, _skb, tNs) => expected.push({ point: `${p.node}/${p.iface}/${p.dir}`, length: frame.length, tNs });
    direct.runUntil(scenario.durationNs);
    expect(live.length).toBeGreaterThan(10);
    expect(consumer.stats()).toMatchObject({ droppedPoolFull: 0, droppedRingFull: 0 });
    expect(live.map(({ point, length, tNs }) => ({ point, length, tNs }))).toEqual(expected);
    expect(new Set(live.map((f) => f.point))).toEqual(new Set(['r1/eth1/tx', 'vm2/eth0/rx', 'vm2/eth0/tx']));
    for (const f of live) {
      expect(f.ethertype).toBe(0x0800);
      expect(f.tx).toBe(f.point.endsWith('/tx'));
    }

    await host.start(); // finished → run again: same ring, same frames
    clock.advance(20);
    expect(drain()).toEqual(live);
    await host.load(scenario); // a new load detaches it
    await host.start();
    clock.advance(20);
    expect(drain()).toEqual([]);
  });

  it('validates speed: a rate in (0, 1000] or max', async () => {
    const host = new EngineHost(new FakeClock());
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1000.5]) {
      await expect(host.setSpeed({ kind: 'rate', virtualPerWall: bad })).rejects.toThrow(/speed must be between/);
    }
    await expect(host.setSpeed({ kind: 'rate', virtualPerWall: 1000 })).resolves.toBeUndefined();
    await expect(host.setSpeed({ kind: 'rate', virtualPerWall: 1e-6 })).resolves.toBeUndefined();
    await expect(host.setSpeed({ kind: 'max' })).resolves.toBeUndefined();
  });

  it('records a live change in the timeline at the virtual time it took effect; refuses an invalid one', async () => {
    const host = new EngineHost(new FakeClock());
    await host.load(smallScenario());
    await host.step();
    await host.step();
    const ev = await host.applyChange(TSO_OFF);
    expect(ev).toEqual({ atNs: 20 * MS, change: TSO_OFF });
    const sc = await host.scenario();
    expect(sc?.timeline.at(-1)).toEqual(ev);
    await expect(host.applyChange({ kind: 'set-feature', at: R1_ETH1, feature: 'warp-drive', on: true })).rejects.toThrow(/unknown ethtool feature/);
    await expect(host.applyChange({ kind: 'set-param', path: 'nodes[id=r1].id', value: 'x' })).rejects.toThrow(/identity or structural/);
    expect((await host.scenario())?.timeline).toHaveLength(sc!.timeline.length);
  });

  it('DETERMINISM: the returned scenario (live changes in its timeline) replayed from scratch gives the same samples and result', async () => {
    const clock = new FakeClock();
    const host = new EngineHost(clock);
    const seed = 4242;
    await host.load(smallScenario(), seed);
    const live: number[][] = [];
    await host.setSpeed({ kind: 'rate', virtualPerWall: 0.1 });
    await host.start();
    clock.advance(173); // an arbitrary, off-grid virtual time
    await drainSamples(host, live);
    await host.pause();
    await host.applyChange(TSO_OFF);
    await host.step(); // and one on the sample grid after a step
    await host.step();
    await host.applyChange(RATE_UP);
    await drainSamples(host, live);
    await host.resume();
    clock.advance(311);
    await host.applyChange({ ...RATE_UP, value: 5_000_000 }); // while running, between two slices
    await host.setSpeed({ kind: 'max' });
    clock.advance(50);
    await drainSamples(host, live);
    expect((await host.status()).state).toBe('finished');
    const liveResult = await host.result();
    const recorded = (await host.scenario())!;
    expect(recorded.timeline.length).toBe(3);

    const replay = new Engine(recorded, { seed });
    replay.runUntil(recorded.durationNs);
    const replayed = replay.takeSamples().map((s) => Array.from(s));
    expect(live.length).toBe(20);
    expect(replayed).toEqual(live);
    expect(replay.result()).toEqual(liveResult);

    // And the changes mattered: without them the run differs.
    const plain = new Engine({ ...recorded, timeline: [] }, { seed });
    plain.runUntil(recorded.durationNs);
    expect(plain.takeSamples().map((s) => Array.from(s))).not.toEqual(live);
  });

  it('DETERMINISM on the sample grid: a change made after stepping to exactly 20 ms (when the probe starts) replays the same', async () => {
    const clock = new FakeClock();
    const host = new EngineHost(clock);
    await host.load(smallScenario(), 7);
    const live: number[][] = [];
    await host.step();
    await host.step();
    await host.applyChange(TSO_OFF);
    await host.step();
    await host.applyChange(RATE_UP);
    await host.setSpeed({ kind: 'max' });
    await host.resume();
    clock.advance(50);
    await drainSamples(host, live);
    const recorded = (await host.scenario())!;
    expect(recorded.timeline.map((e) => e.atNs)).toEqual([20 * MS, 30 * MS]);
    const replay = new Engine(recorded, { seed: 7 });
    replay.runUntil(recorded.durationNs);
    expect(replay.takeSamples().map((s) => Array.from(s))).toEqual(live);
    expect(replay.result()).toEqual(await host.result());
  });

  it('an engine exception fails the run with its message; start() again recovers', async () => {
    const clock = new FakeClock();
    const host = new EngineHost(clock);
    await host.load(smallScenario());
    await host.setSpeed({ kind: 'max' });
    const spy = vi.spyOn(Engine.prototype, 'runUntil').mockImplementationOnce(() => {
      throw new RangeError('event queue exploded');
    });
    await host.start();
    clock.advance(20);
    expect(spy).toHaveBeenCalled();
    expect(await host.status()).toMatchObject({ state: 'failed', error: 'RangeError: event queue exploded' });
    expect(clock.pending).toBe(0);

    await host.start();
    expect(await host.status()).toMatchObject({ state: 'running', nowNs: 0 });
    expect((await host.status()).error).toBeUndefined();
    clock.advance(20);
    expect(await host.status()).toMatchObject({ state: 'finished', nowNs: 200 * MS });
  });
});
