/**
 * The guided workshop over the canvas: instructions, a "predict first" question that gates the run, then the
 * measured value next to the prediction and the preset's explanation of the kernel mechanism. Presenter view
 * (large type, no palette) is a toggle; each step has a participant link.
 */
import { useEffect, useLayoutEffect, useState, type CSSProperties } from 'react';
import { useAppStore } from '../../store/app-store';
import { useWorkshopStore } from '../../store/workshop';
import { duration, si } from '../format';
import type { MetricId } from '../../core/scenario/presets';
import { choiceFor, findWorkshop, judgedValue, presetCheck, stepPreset, stepScenarioId, workshopHash, type Workshop } from './workshop-def';
// oxlint-disable-next-line import/no-unassigned-import -- the stylesheet is imported for its side effect
import './workshop.css';

function fmtMetric(metric: MetricId, x: number): string {
  if (Number.isNaN(x)) return 'nothing to measure';
  if (metric.endsWith('BitsPerSec')) return si(x, 'bit/s');
  if (metric.endsWith('Ns')) return duration(x);
  if (metric.endsWith('Bytes')) return si(x, 'B');
  if (metric.startsWith('events')) return si(x, 'ev/s');
  return `${x.toLocaleString('en')}`;
}

export function WorkshopPanel({ onControl }: { onControl: (action: 'run' | 'pause' | 'resume' | 'stop' | 'step') => Promise<void> | void }) {
  const workshopId = useWorkshopStore((s) => s.workshopId);
  const presenter = useWorkshopStore((s) => s.presenter);
  const workshop = workshopId ? findWorkshop(workshopId) : undefined;

  useEffect(() => {
    const root = document.documentElement;
    if (workshop && presenter) root.dataset.presenter = '';
    else delete root.dataset.presenter;
    return () => {
      delete root.dataset.presenter;
    };
  }, [workshop, presenter]);

  if (!workshop) return null;
  return <WorkshopCard workshop={workshop} onControl={onControl} />;
}

/** The card sits just below the toolbar, whose height depends on how many rows its controls wrap to. */
function useWorkspaceTop(): number | undefined {
  const [top, setTop] = useState<number | undefined>(undefined);
  useLayoutEffect(() => {
    const measure = () => {
      const ws = document.querySelector('.workspace');
      if (ws) setTop(Math.round(ws.getBoundingClientRect().top) + 8);
    };
    measure();
    const toolbar = document.querySelector('.toolbar');
    const ro = typeof ResizeObserver === 'undefined' || !toolbar ? null : new ResizeObserver(measure);
    if (toolbar) ro?.observe(toolbar);
    addEventListener('resize', measure);
    return () => {
      ro?.disconnect();
      removeEventListener('resize', measure);
    };
  }, []);
  return top;
}

function WorkshopCard({ workshop, onControl }: { workshop: Workshop; onControl: (action: 'run' | 'pause' | 'resume' | 'stop' | 'step') => Promise<void> | void }) {
  const ws = useWorkshopStore();
  const presetId = useAppStore((s) => s.presetId);
  const runState = useAppStore((s) => s.run.state);
  const speed = useAppStore((s) => s.speed);
  const durationNs = useAppStore((s) => s.scenario.durationNs);
  // Wall-clock seconds the run will take at the chosen pace (max speed: unknown, and short).
  const wallSec = speed.kind === 'rate' ? durationNs / 1e9 / speed.virtualPerWall : null;
  const [finished, setFinished] = useState(false);
  const [collapsed, setCollapsed] = useState(false);
  const top = useWorkspaceTop();
  const placed: CSSProperties | undefined = top === undefined ? undefined : { top };
  const k = ws.stepIndex;
  const step = workshop.steps[k];
  const preset = stepPreset(step);
  const rec = ws.records[k] ?? {};
  const scenarioId = useAppStore((s) => s.scenario.id);
  const loaded = presetId === step.presetId && scenarioId === stepScenarioId(step);
  const awaiting = ws.awaitingStep === k;
  const revealed = rec.measured !== undefined;
  const canRun = loaded && rec.prediction !== undefined && !awaiting && !revealed && runState !== 'empty' && runState !== 'running';
  const total = workshop.steps.length;

  const load = (index: number) => {
    ws.goTo(index);
    useAppStore.getState().selectPreset(workshop.steps[index].presetId, workshop.steps[index].variant);
  };
  const run = () => {
    ws.setAwaiting(k);
    void onControl('run');
  };

  if (finished) {
    const matched = workshop.steps.filter((s, j) => {
      const r = ws.records[j];
      if (r?.measured === undefined) return false;
      const c = choiceFor(s, judgedValue(s, r.measured, ws.records.map((x) => x?.measured)));
      return c !== undefined && c.id === r.prediction;
    }).length;
    return (
      <section className="workshop panel" aria-label="Workshop" data-testid="workshop" style={placed}>
        <h2>Workshop complete</h2>
        <p data-testid="workshop-score">
          {matched} of {total} predictions matched the measurement.
        </p>
        <div className="buttons">
          <button type="button" onClick={() => { setFinished(false); ws.open(workshop.id, 0); load(0); }}>
            Start again
          </button>
          <button type="button" onClick={() => ws.close()}>
            Close workshop
          </button>
        </div>
      </section>
    );
  }

  const earlier = ws.records.map((r) => r?.measured);
  const judged = revealed ? judgedValue(step, rec.measured!, earlier) : undefined;
  const actual = choiceFor(step, judged);
  const predicted = step.choices.find((c) => c.id === rec.prediction);
  // The preset's own checks are about its base set-up, not a variant the step loads.
  const check = revealed && preset && step.variant === undefined ? presetCheck(preset, step.metric, rec.measured!) : undefined;
  const participantLink = `${location.origin}${location.pathname}${workshopHash(workshop.id, k)}`;

  return (
    <section className={`workshop panel${collapsed ? ' collapsed' : ''}`} aria-label="Workshop" data-testid="workshop" style={placed}>
      <header className="workshop-head">
        <p className="workshop-kicker">
          {workshop.title} · step {k + 1} of {total}
        </p>
        <div className="buttons">
          <button type="button" aria-expanded={!collapsed} onClick={() => setCollapsed(!collapsed)} aria-label={collapsed ? 'Show the step text' : 'Hide the step text'} title="Show or hide the step text (the canvas stays usable)">
            {collapsed ? '▸' : '▾'}
          </button>
          <button type="button" aria-pressed={ws.presenter} onClick={() => ws.setPresenter(!ws.presenter)} title="Large type, no palette">
            Presenter view
          </button>
          <button type="button" onClick={() => ws.close()} aria-label="Close workshop">
            ✕
          </button>
        </div>
      </header>
      <h2 data-testid="workshop-step-title">{step.title}</h2>
      {!collapsed && (
      <>
      <p>{step.instructions}</p>
      {!loaded ? (
        <button type="button" className="primary" onClick={() => load(k)}>
          Load this step’s scenario ({stepScenarioId(step)})
        </button>
      ) : (
        <>
          <fieldset className="workshop-predict" disabled={awaiting || revealed}>
            <legend>Predict first: {step.question}</legend>
            {step.choices.map((c) => (
              <label key={c.id}>
                <input type="radio" name={`predict-${k}`} value={c.id} checked={rec.prediction === c.id} onChange={() => ws.predict(k, c.id)} /> {c.label}
              </label>
            ))}
          </fieldset>
          {!revealed && (
            <button type="button" className="primary" disabled={!canRun} onClick={run} title={rec.prediction === undefined ? 'Answer the question first' : undefined}>
              {awaiting ? 'Running…' : rec.prediction === undefined ? 'Predict first, then run' : '▶ Run and reveal'}
            </button>
          )}
          {!revealed && wallSec !== null && wallSec > 15 && (
            <p className="workshop-hint">
              At the current speed this run takes about {Math.round(wallSec)} s; pick a faster speed in the toolbar to reveal sooner.
            </p>
          )}
          {revealed && (
            <div className="workshop-reveal" role="status" data-testid="workshop-reveal">
              <p>
                Measured: <strong data-testid="workshop-measured">{fmtMetric(step.metric, rec.measured!)}</strong>
                {step.relativeToStep !== undefined && judged !== undefined && (
                  <>
                    {' '}
                    — {judged.toPrecision(2)}× step {step.relativeToStep + 1}
                  </>
                )}
              </p>
              <p>
                You predicted: <strong>{predicted?.label ?? '—'}</strong>.{' '}
                {actual ? (
                  <>
                    The run says: <strong>{actual.label}</strong> {predicted && (actual.id === predicted.id ? '✓ right' : '✗ not this time')}
                  </>
                ) : step.relativeToStep !== undefined && judged === undefined ? (
                  <>Step {step.relativeToStep + 1} has not been run in this session, so there is nothing to compare with: go back and run it, then return.</>
                ) : (
                  <>This run has nothing to measure this on.</>
                )}
              </p>
              {check && (
                <p className="workshop-check">
                  Published / first principles: {check.text} — {check.holds ? 'holds here' : 'does NOT hold in this run'}
                </p>
              )}
              {preset && (
                <>
                  <h3>Why: the kernel mechanism</h3>
                  <p className="explanation">{preset.explanation}</p>
                </>
              )}
            </div>
          )}
        </>
      )}
      </>
      )}
      <footer className="workshop-foot">
        <div className="buttons" role="group" aria-label="Workshop steps">
          <button type="button" disabled={k === 0} onClick={() => load(k - 1)}>
            ← Previous step
          </button>
          {k + 1 < total ? (
            <button type="button" className={revealed ? 'primary' : ''} onClick={() => load(k + 1)}>
              Next step →
            </button>
          ) : (
            <button type="button" className={revealed ? 'primary' : ''} onClick={() => setFinished(true)}>
              Finish workshop
            </button>
          )}
        </div>
        <label className="workshop-link">
          <span>Participant link</span>
          <input readOnly value={participantLink} aria-label="Participant link for this step" onFocus={(e) => e.target.select()} />
        </label>
      </footer>
    </section>
  );
}
