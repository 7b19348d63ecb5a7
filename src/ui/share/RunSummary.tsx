/** One line after a run finishes: each flow's goodput and the total event rate (exact values in data attributes). */
import { useRunResultStore } from '../../store/workshop';
import { si } from '../format';

export function RunSummary() {
  const last = useRunResultStore((s) => s.last);
  if (!last) return null;
  const r = last.result;
  return (
    <section className="run-summary" aria-label="Run summary" role="status" data-testid="run-summary">
      <strong>Run summary</strong>
      {r.flows.map((f) => (
        <span key={f.id} data-flow={f.id} data-goodput-bps={String(f.throughputBitsPerSec)}>
          {f.id} ({f.kind}) goodput {si(f.throughputBitsPerSec, 'bit/s')}
        </span>
      ))}
      <span data-events-per-sec={String(r.totals.eventsPerSec)}>events {si(r.totals.eventsPerSec, 'ev/s')}</span>
    </section>
  );
}
