/** "Run partitioned" dialog: the scenario split by host over Web Workers vs the same run in one worker. */
import { useEffect, useRef, useState } from 'react';
import { useAppStore } from '../../store/app-store';
import { shareStateOf } from '../../app/share-state';
import { partitionedSupport, runPartitionedComparison, type PartitionedComparison } from '../../app/partitioned-client';
import { parseScenario } from '../../core/scenario/validate';
import type { Scenario } from '../../core/scenario/types';
import { duration, si } from '../format';

/** Long enough to carry traffic across hosts, short enough to answer in seconds. */
const MAX_PARTITIONED_NS = 20_000_000;

type State = { kind: 'running'; durationNs: number; workers: number } | { kind: 'done'; cmp: PartitionedComparison } | { kind: 'failed'; message: string };

interface Job {
  scenario: Scenario;
  seed: number;
  durationNs: number;
  workers: number;
}

/** What the dialog runs, read once when it opens (or why it cannot). */
function prepare(): { kind: 'job'; job: Job } | { kind: 'failed'; message: string } {
  const { scenario, seed } = useAppStore.getState();
  const support = partitionedSupport();
  if (!support.ok) return { kind: 'failed', message: support.reason };
  const checked = parseScenario(shareStateOf(scenario, seed).scenario);
  if (!checked.ok) return { kind: 'failed', message: `The scenario has problems: ${checked.errors.slice(0, 3).map((e) => e.message).join('; ')}` };
  const s = checked.scenario;
  return { kind: 'job', job: { scenario: s, seed, durationNs: Math.min(s.durationNs, MAX_PARTITIONED_NS), workers: Math.max(1, s.hosts.length) } };
}

export function PartitionedRunDialog({ onClose }: { onClose: () => void }) {
  const [prepared] = useState(prepare);
  const [state, setState] = useState<State>(() => (prepared.kind === 'job' ? { kind: 'running', durationNs: prepared.job.durationNs, workers: prepared.job.workers } : prepared));
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
    if (prepared.kind !== 'job') return;
    const { scenario, seed, durationNs, workers } = prepared.job;
    let live = true;
    const stop = new AbortController();
    runPartitionedComparison(scenario, { workers, durationNs, seed, signal: stop.signal }).then(
      (cmp) => live && setState({ kind: 'done', cmp }),
      (e: unknown) => live && setState({ kind: 'failed', message: e instanceof Error ? e.message : String(e) }),
    );
    return () => {
      live = false;
      stop.abort();
    };
  }, [prepared]);
  return (
    <div className="share-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className="share-dialog panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby="partitioned-title"
        data-testid="partitioned-dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <h2 id="partitioned-title">Partitioned run (one worker per host)</h2>
        {state.kind === 'running' && (
          <p role="status" data-testid="partitioned-state" data-state="running">
            Running the first {duration(state.durationNs)} in up to {state.workers} host workers over shared-memory rings, and in one worker for comparison…
          </p>
        )}
        {state.kind === 'failed' && (
          <p role="alert" data-testid="partitioned-state" data-state="failed">
            {state.message}
          </p>
        )}
        {state.kind === 'done' && <Comparison cmp={state.cmp} />}
        <div className="buttons">
          <button type="button" ref={closeRef} onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}

function Comparison({ cmp }: { cmp: PartitionedComparison }) {
  const { partitioned: p, single: s } = cmp;
  const rows: [string, string, string][] = [
    ...s.result.flows.map((f, i): [string, string, string] => [`flow ${f.id} goodput`, si(p.result.flows[i]?.throughputBitsPerSec ?? NaN, 'bit/s'), si(f.throughputBitsPerSec, 'bit/s')]),
    ['total events', p.totalEvents.toLocaleString('en'), s.totalEvents.toLocaleString('en')],
    ['wall time', `${p.wallMs.toFixed(0)} ms`, `${s.wallMs.toFixed(0)} ms`],
  ];
  return (
    <>
      <p data-testid="partitioned-state" data-state="done">
        {duration(cmp.durationNs)} simulated; {cmp.hosts} host(s) in {cmp.partitions} worker(s), {cmp.windows.toLocaleString('en')} lockstep windows,{' '}
        {cmp.messagesSent.toLocaleString('en')} frames crossed between workers.
      </p>
      <table className="partitioned-table">
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col">partitioned ({cmp.partitions} workers)</th>
            <th scope="col">single worker</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, a, b]) => (
            <tr key={label} data-row={label}>
              <th scope="row">{label}</th>
              <td data-side="partitioned">{a}</td>
              <td data-side="single">{b}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p role="status" data-testid="partitioned-verdict" data-identical={cmp.identical}>
        {cmp.identical ? 'Results identical: every number of the merged result equals the single-worker run.' : 'Results differ: the partitioned run does not reproduce the single-worker run (a bug; please report it).'}
      </p>
    </>
  );
}
