/**
 * The share layer of the app: opens `#s=…` links (at start-up and when the fragment changes) through the one
 * door, asks before a link replaces autosaved work, offers the backup back, fetches the RunResult of each
 * finished run (for the run summary and the workshop reveal) and shows the workshop panel. Everything
 * untrusted is rendered as text only.
 */
import { useCallback, useEffect, useState } from 'react';
import { useAppStore } from '../../store/app-store';
import { useRunResultStore, useWorkshopStore } from '../../store/workshop';
import { browserStorage } from '../../store/autosave';
import { openUntrusted, type OpenResult, type OverwriteDecision } from '../../share';
import { decideOpen, hasShareParam, readBackup, shareStateOf, writeBackup } from '../../app/share-state';
import { applyView } from '../../app/share-view';
import type { ShareView } from '../../share';
import type { EngineClient } from '../../app/engine-client';
import type { Scenario } from '../../core/scenario/types';
import { findWorkshop, measure, parseWorkshopHash } from '../workshop/workshop-def';
import { WorkshopPanel } from '../workshop/WorkshopPanel';
// oxlint-disable-next-line import/no-unassigned-import -- the stylesheet is imported for its side effect
import './share.css';

type Opened = Extract<OpenResult, { ok: true }>;
type Refused = Extract<OpenResult, { ok: false }>;

function openScenario(scenario: Scenario, view: ShareView = {}): void {
  useAppStore.getState().replaceScenario(scenario, 'custom');
  // After the panels have rendered the new scenario.
  requestAnimationFrame(() => applyView(view));
}

function clearHash(): void {
  history.replaceState(null, '', `${location.pathname}${location.search}`);
}

/** Same key as the App's engine key plus the seed: a result belongs to exactly this scenario and seed. */
function runKey(s: Scenario, seed: number): string {
  return `${seed}|${JSON.stringify(s, (k, v: unknown) => (k === 'position' ? undefined : v))}`;
}

export function ShareLayer({ client, onControl }: { client: EngineClient | null; onControl: (action: 'run' | 'pause' | 'resume' | 'stop' | 'step') => Promise<void> | void }) {
  const [refused, setRefused] = useState<Refused | null>(null);
  const [asking, setAsking] = useState<{ opened: Opened; decision: Extract<OverwriteDecision, { kind: 'ask' }> } | null>(null);
  const [backupKept, setBackupKept] = useState(false);

  const handleHash = useCallback(() => {
    const hash = location.hash;
    if (hasShareParam(hash)) {
      clearHash();
      const r = openUntrusted({ kind: 'link', text: hash });
      if (!r.ok) {
        setRefused(r);
        return;
      }
      setRefused(null);
      const decision = decideOpen(browserStorage(), shareStateOf(r.scenario, r.scenario.seed, r.view));
      if (decision.kind === 'open') openScenario(r.scenario, r.view);
      else setAsking({ opened: r, decision });
      return;
    }
    const ws = parseWorkshopHash(hash);
    if (ws) useWorkshopStore.getState().open(ws.workshop.id, ws.stepIndex);
  }, []);

  useEffect(() => {
    // oxlint-disable-next-line react/set-state-in-effect -- the location fragment is an external system read once at start
    handleHash();
    addEventListener('hashchange', handleHash);
    return () => removeEventListener('hashchange', handleHash);
  }, [handleHash]);

  // One RunResult per finished run; cleared as soon as anything else happens.
  useEffect(() => {
    let fetching = false;
    return useAppStore.subscribe((s, prev) => {
      if (s.run.state === prev.run.state) return;
      if (s.run.state !== 'finished') {
        if (useRunResultStore.getState().last) useRunResultStore.getState().setLast(null);
        return;
      }
      if (!client || fetching) return;
      fetching = true;
      const key = runKey(s.scenario, s.seed);
      void client.result().then(
        (result) => {
          fetching = false;
          const now = useAppStore.getState();
          if (now.run.state !== 'finished' || runKey(now.scenario, now.seed) !== key) return;
          useRunResultStore.getState().setLast({ key, result });
          const ws = useWorkshopStore.getState();
          const w = ws.workshopId ? findWorkshop(ws.workshopId) : undefined;
          if (w && ws.awaitingStep !== null) ws.recordMeasured(ws.awaitingStep, measure(w.steps[ws.awaitingStep], result));
        },
        (e: unknown) => {
          fetching = false;
          useAppStore.getState().setNotice(`The run's result could not be read: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
    });
  }, [client]);

  const choose = (choice: 'keep-both' | 'replace' | 'cancel') => {
    if (!asking) return;
    if (choice === 'keep-both') {
      const { scenario, seed } = useAppStore.getState();
      const err = writeBackup(browserStorage(), shareStateOf(scenario, seed));
      if (err) {
        useAppStore.getState().setNotice(`Your work could not be kept as a backup (${err}), so the link was not opened.`);
        setAsking(null);
        return;
      }
      setBackupKept(true);
    }
    if (choice !== 'cancel') openScenario(asking.opened.scenario, asking.opened.view);
    setAsking(null);
  };

  const reopenBackup = () => {
    const r = readBackup(browserStorage());
    if (!r) useAppStore.getState().setNotice('There is no backup to reopen.');
    else if (!r.ok) useAppStore.getState().setNotice(r.message);
    else openScenario(r.scenario);
    setBackupKept(false);
  };

  return (
    <>
      {refused && (
        <div className="banner banner-error share-refused" role="alert" data-testid="link-refused">
          <strong>The share link was not opened.</strong> {refused.message}
          {refused.details.length > 0 && (
            <ul>
              {refused.details.slice(0, 5).map((d, k) => (
                <li key={k}>{d}</li>
              ))}
            </ul>
          )}{' '}
          <button type="button" onClick={() => setRefused(null)} aria-label="Dismiss link message">
            Dismiss
          </button>
        </div>
      )}
      {backupKept && (
        <div className="banner banner-warn" role="status">
          The shared scenario is open; your previous work is kept as a backup.{' '}
          <button type="button" onClick={reopenBackup}>
            Reopen my previous work
          </button>{' '}
          <button type="button" onClick={() => setBackupKept(false)} aria-label="Dismiss backup message">
            Dismiss
          </button>
        </div>
      )}
      {asking && <AskDialog decision={asking.decision} onChoose={choose} />}
      <WorkshopPanel onControl={onControl} />
    </>
  );
}

function AskDialog({ decision, onChoose }: { decision: Extract<OverwriteDecision, { kind: 'ask' }>; onChoose: (c: 'keep-both' | 'replace' | 'cancel') => void }) {
  return (
    <div className="share-backdrop">
      <div
        className="share-dialog panel"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="ask-title"
        aria-describedby="ask-text"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onChoose('cancel');
          }
        }}
      >
        <h2 id="ask-title">{decision.title}</h2>
        <p id="ask-text">
          You have autosaved work (“{decision.current.title}”). Opening the shared scenario “{decision.incoming.title}” would replace it.
        </p>
        <div className="buttons share-choices">
          {/* The safe default takes the focus. */}
          {/* oxlint-disable-next-line jsx-a11y/no-autofocus -- a modal question: focus belongs on its default answer */}
          <button type="button" className="primary" autoFocus onClick={() => onChoose('keep-both')}>
            Open it and keep a backup of my work
          </button>
          <button type="button" onClick={() => onChoose('replace')}>
            Open the link
          </button>
          <button type="button" onClick={() => onChoose('cancel')}>
            Keep my work
          </button>
        </div>
      </div>
    </div>
  );
}
