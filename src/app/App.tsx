import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { startAutosave, useAppStore } from '../store/app-store';
import { parseScenario } from '../core/scenario/validate';
import { liveFeatureChanges } from '../core/edit/live';
import type { Scenario } from '../core/scenario/types';
import { PRESETS } from '../core/scenario/presets';
import type { Speed } from '../core/protocol';
import { EngineClient } from './engine-client';
import { ChartsPanel } from '../ui/charts/ChartsPanel';
import { InspectorPanel } from '../ui/inspector/InspectorPanel';
import { useCompareRun } from './compare-client';
// oxlint-disable-next-line import/no-unassigned-import -- the stylesheet is imported for its side effect
import './panels.css';
import { IsolationBanner } from '../ui/panels/IsolationBanner';
import { EditorBar } from '../ui/panels/EditorBar';
import { HelpOverlay } from '../ui/panels/HelpOverlay';
import { Palette } from '../ui/panels/Palette';
import { Properties } from '../ui/panels/Properties';
import { TrafficPanel } from '../ui/panels/TrafficPanel';
import { TopologyCanvas } from '../ui/canvas/TopologyCanvas';
import { useEditorShortcuts } from '../ui/canvas/shortcuts';
import { StatusBar, type StatusSource } from '../ui/panels/StatusBar';
import { Toolbar } from '../ui/panels/Toolbar';
import { ShareLayer } from '../ui/share/ShareLayer';
import { RunSummary } from '../ui/share/RunSummary';

/** What the engine sees: editor positions are ignored, so moving a node does not reload (and restart) a run. */
function engineKey(s: Scenario): string {
  return JSON.stringify(s, (k, v: unknown) => (k === 'position' ? undefined : v));
}

function newClient(onError: (message: string) => void): EngineClient {
  const client = new EngineClient();
  client.onWorkerError = onError;
  return client;
}

export function App() {
  const scenario = useAppStore((s) => s.scenario);
  const seed = useAppStore((s) => s.seed);
  const speed = useAppStore((s) => s.speed);
  const setRun = useAppStore((s) => s.setRun);
  const setNotice = useAppStore((s) => s.setNotice);
  const [client, setClient] = useState<EngineClient | null>(null);
  const [workerError, setWorkerError] = useState<string | null>(null);
  const theme = useAppStore((s) => s.theme);
  useEditorShortcuts();
  useEffect(() => startAutosave(), []);
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  // The editor may hold an unfinished draft; only a valid scenario goes to the engine.
  // Keyed on what the engine sees, so dragging a node neither revalidates nor reloads.
  const key = useMemo(() => engineKey(scenario), [scenario]);
  const checked = useMemo(() => parseScenario(JSON.parse(key)), [key]);
  const problems = checked.ok ? [] : checked.errors;
  const runnable = checked.ok ? checked.scenario : null;
  const valid = checked.ok;

  // One worker per mount, created in the effect and terminated in its cleanup (StrictMode runs it twice).
  useEffect(() => {
    const created = newClient(setWorkerError);
    // oxlint-disable-next-line react/set-state-in-effect -- the worker is an external resource born in this effect
    setClient(created);
    return () => created.terminate();
  }, []);

  // What the engine has now, so a feature toggle during a run can go to it live instead of reloading.
  const loadedRef = useRef<{ client: EngineClient; seed: number; scenario: Scenario } | null>(null);

  // (Re)load whenever what the engine sees, the seed or the worker changes.
  useEffect(() => {
    const toLoad = runnable;
    if (!client || !toLoad) return;
    const prev = loadedRef.current;
    const state = useAppStore.getState().run.state;
    if (prev && prev.client === client && prev.seed === seed && (state === 'running' || state === 'paused')) {
      // `ethtool -K` on a live system: applied at the engine's current virtual time and recorded in its timeline.
      const live = liveFeatureChanges(prev.scenario, toLoad);
      if (live) {
        loadedRef.current = { client, seed, scenario: toLoad };
        void (async () => {
          for (const change of live) await client.applyChange(change);
          useAppStore.getState().setLiveRun(await client.scenario());
        })().catch((e: unknown) => setNotice(`The change could not be applied live: ${e instanceof Error ? e.message : String(e)}`));
        return;
      }
    }
    loadedRef.current = { client, seed, scenario: toLoad };
    useAppStore.getState().setLiveRun(null);
    let cancelled = false;
    void client.load(toLoad, seed).then(
      (res) => {
        if (cancelled) return;
        if (!res.ok) setNotice(`This scenario was not loaded: ${res.errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ')}`);
        else setRun({ state: 'loaded', nowNs: 0, durationNs: res.durationNs });
      },
      (e: unknown) => !cancelled && setNotice(`The engine could not load the scenario: ${String(e)}`),
    );
    return () => {
      cancelled = true;
    };
  }, [client, runnable, seed, setRun, setNotice]);

  useEffect(() => {
    void client?.setSpeed(speed);
  }, [client, speed]);

  useEffect(() => {
    if (!valid) setRun({ state: 'empty', nowNs: 0, durationNs: scenario.durationNs });
  }, [valid, scenario.durationNs, setRun]);

  // Coarse run state for the buttons, a few times a second (control plane, not telemetry).
  useEffect(() => {
    // A draft with problems is not loaded: nothing to run until it is fixed.
    if (!client || !valid) return;
    let cancelled = false;
    const id = setInterval(() => {
      void client.status().then((st) => !cancelled && setRun({ state: st.state, nowNs: st.nowNs, durationNs: st.durationNs, ...(st.error ? { error: st.error } : {}) }), () => {});
    }, 250);
    return () => {
      cancelled = true;
      clearInterval(id);
    };
  }, [client, valid, setRun]);

  const history = useCallback(() => client?.history ?? null, [client]);
  const compare = useCompareRun(runnable, seed);
  const poll = useCallback(() => client?.poll(), [client]);
  const statusSource = useCallback(
    (): StatusSource => ({ received: client?.history?.received ?? 0, virtualNs: client?.history?.latestTimeNs() ?? 0, transport: client?.transport ?? 'batched-transfer' }),
    [client],
  );

  const control = useCallback(
    async (action: 'run' | 'pause' | 'resume' | 'stop' | 'step') => {
      if (!client) return;
      try {
        if (action === 'run') {
          client.history?.clear();
          await client.start();
        } else await client[action]();
      } catch (e) {
        setNotice(e instanceof Error ? e.message : String(e));
      }
    },
    [client, setNotice],
  );

  const restartWorker = useCallback(() => {
    client?.terminate();
    setWorkerError(null);
    setClient(newClient(setWorkerError));
  }, [client]);

  return (
    <div className="app">
      <Toolbar presets={PRESETS} onControl={control} onSpeed={(s: Speed) => useAppStore.getState().setSpeed(s)} />
      <IsolationBanner />
      {workerError && (
        <div className="banner banner-error" role="alert">
          The engine stopped: {workerError}. Your scenario and settings are untouched.{' '}
          <button type="button" onClick={restartWorker}>
            Restart engine
          </button>
        </div>
      )}
      <Notice />
      <ShareLayer client={client} onControl={control} />
      <main className="workspace">
        <Palette />
        <section className="editor" aria-label="Topology editor">
          <EditorBar problems={problems} />
          <TopologyCanvas live={history} />
        </section>
        <aside className="side" aria-label="Inspector">
          <Properties />
          <TrafficPanel />
        </aside>
        <ChartsPanel className="app-charts" source={history} beforeFrame={poll} compare={compare} chartHeight={84} />
      </main>
      <InspectorPanel client={client} />
      <RunSummary />
      <StatusBar source={statusSource} />
      <HelpOverlay />
    </div>
  );
}

function Notice() {
  const notice = useAppStore((s) => s.notice);
  const setNotice = useAppStore((s) => s.setNotice);
  if (!notice) return null;
  return (
    <div className="banner banner-warn" role="alert">
      {notice}{' '}
      <button type="button" onClick={() => setNotice(null)} aria-label="Dismiss message">
        Dismiss
      </button>
    </div>
  );
}
