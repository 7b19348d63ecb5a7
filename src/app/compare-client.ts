/**
 * The B side of an A/B compare: a second engine worker running a variant of the loaded scenario with the
 * same seed. B follows A's run by virtual time rather than by mirrored button presses, so every way A is
 * driven (run, pause, step, stop, restart, a compare started mid-run) ends with B at A's virtual time:
 * behind A it runs flat out until it catches up, then at A's pace; when A pauses or stops, B stops there.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Speed } from '../core/protocol';
import type { Scenario } from '../core/scenario/types';
import { findPreset } from '../core/scenario/presets';
import { useAppStore, type RunView } from '../store/app-store';
import { useCompareStore } from '../store/compare';
import type { SeriesSource } from '../ui/charts/ChartsPanel';
import { EngineClient } from './engine-client';
import { compareChoices, variantScenario } from './compare-variants';

const SYNC_PERIOD_MS = 200;

export class CompareRun {
  private lastANowNs = 0;
  private busy = false;
  private paceKey = '';

  constructor(
    readonly client: EngineClient,
    private readonly sampleIntervalNs: number,
  ) {}

  /** One step of following A: called a few times a second with A's coarse run state. */
  async sync(a: RunView, speed: Speed): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const b = await this.client.status();
      const restarted = a.nowNs + this.sampleIntervalNs < this.lastANowNs;
      this.lastANowNs = a.nowNs;
      if (restarted && (b.state === 'running' || b.state === 'paused' || b.state === 'finished')) {
        // A started over: so does B, from an empty history.
        await this.client.stop();
        this.client.history?.clear();
        await this.client.start();
        await this.setPace('catch-up', speed);
        return;
      }
      const aGoing = a.state === 'running';
      // While A runs, B within a sample of it just follows; once A stops, B goes all the way to A's time.
      const behind = aGoing ? b.nowNs + this.sampleIntervalNs <= a.nowNs : b.nowNs < a.nowNs;
      if (!(aGoing || behind)) {
        if (b.state === 'running') await this.client.pause();
        return;
      }
      if (b.state === 'loaded') {
        this.client.history?.clear();
        await this.client.start();
      } else if (b.state === 'paused') await this.client.resume();
      else if (b.state !== 'running') return;
      await this.setPace(behind ? 'catch-up' : 'follow', speed);
    } finally {
      this.busy = false;
    }
  }

  private async setPace(pace: 'follow' | 'catch-up', speed: Speed): Promise<void> {
    const key = pace === 'follow' ? `follow:${JSON.stringify(speed)}` : pace;
    if (key === this.paceKey) return;
    await this.client.setSpeed(pace === 'catch-up' ? { kind: 'max' } : speed);
    this.paceKey = key;
  }
}

/**
 * Runs B while a compare variant is chosen; returns the `compare` source for the ChartsPanel (undefined
 * when not comparing). `runnable` is A's validated scenario, `seed` A's seed; B
 * paces itself with A's speed from the store.
 */
export function useCompareRun(runnable: Scenario | null, seed: number): (() => SeriesSource | null) | undefined {
  const variant = useCompareStore((s) => s.variant);
  const setError = useCompareStore((s) => s.setError);
  const presetId = useAppStore((s) => s.presetId);
  const [run, setRun] = useState<CompareRun | null>(null);
  const comparing = variant !== null;

  // (Re)load B whenever A's scenario, the seed or the variant changes.
  const clientRef = useRef<EngineClient | null>(null);
  useEffect(() => {
    if (!comparing || !runnable || variant === null) return;
    const choice = compareChoices(findPreset(presetId), runnable).find((c) => c.name === variant);
    if (!choice) {
      setError(`no variant "${variant}" for this scenario`);
      return;
    }
    const built = variantScenario(runnable, choice);
    if (!built.ok) {
      setError(`variant ${variant} does not apply to this scenario: ${built.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
      return;
    }
    let cancelled = false;
    let client = clientRef.current;
    if (!client) {
      client = new EngineClient();
      client.onWorkerError = (m) => setError(`run B stopped: ${m}`);
      clientRef.current = client;
    }
    const c = client;
    void c.load(built.scenario, seed).then(
      (res) => {
        if (cancelled) return;
        if (!res.ok) setError(`run B was not loaded: ${res.errors.map((e) => e.message).join('; ')}`);
        else {
          setError(null);
          setRun(new CompareRun(c, res.sampleIntervalNs));
        }
      },
      (e: unknown) => !cancelled && setError(`run B could not load: ${String(e)}`),
    );
    return () => {
      cancelled = true;
      setRun(null);
    };
  }, [comparing, runnable, seed, variant, presetId, setError]);

  // B's worker ends with the compare.
  useEffect(() => {
    if (comparing) return;
    clientRef.current?.terminate();
    clientRef.current = null;
  }, [comparing]);
  useEffect(
    () => () => {
      clientRef.current?.terminate();
      clientRef.current = null;
    },
    [],
  );

  // Follow A.
  useEffect(() => {
    if (!run) return;
    const id = setInterval(() => {
      void run.sync(useAppStore.getState().run, useAppStore.getState().speed).catch((e: unknown) => setError(`run B: ${String(e)}`));
    }, SYNC_PERIOD_MS);
    let raf = 0;
    const poll = () => {
      raf = requestAnimationFrame(poll);
      run.client.poll();
    };
    raf = requestAnimationFrame(poll);
    return () => {
      clearInterval(id);
      cancelAnimationFrame(raf);
    };
  }, [run, setError]);

  const source = useCallback(() => run?.client.history ?? null, [run]);
  return comparing ? source : undefined;
}
