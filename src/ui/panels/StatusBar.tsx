import { useEffect, useRef } from 'react';
import { useAppStore } from '../../store/app-store';
import { duration } from '../format';

export interface StatusSource {
  received: number;
  virtualNs: number;
  transport: string;
}

/** Run state from the store; sample counters read on animation frames (they change too often for React). */
export function StatusBar({ source }: { source: () => StatusSource }) {
  const run = useAppStore((s) => s.run);
  const samplesRef = useRef<HTMLSpanElement>(null);
  const transportRef = useRef<HTMLSpanElement>(null);

  useEffect(() => {
    let raf = 0;
    const frame = () => {
      const s = source();
      // Touch the DOM only when a value changed: an unconditional write costs a style/layout pass per frame.
      setText(samplesRef.current, String(s.received));
      setText(transportRef.current, s.transport === 'shared-ring' ? 'shared ring' : 'batched transfer');
      raf = requestAnimationFrame(frame);
    };
    raf = requestAnimationFrame(frame);
    return () => cancelAnimationFrame(raf);
  }, [source]);

  return (
    <footer className="statusbar" aria-label="Run status">
      <span>
        state <strong data-testid="run-state">{run.state}</strong>
      </span>
      <span>
        virtual time <strong>{duration(run.nowNs)}</strong> of {duration(run.durationNs)}
      </span>
      <span>
        samples <strong data-testid="samples-received" ref={samplesRef}>0</strong>
      </span>
      <span>
        metrics via <strong data-testid="transport" ref={transportRef}>–</strong>
      </span>
      {run.error && <span className="error">engine error: {run.error}</span>}
    </footer>
  );
}

function setText(el: HTMLElement | null, text: string): void {
  if (el && el.textContent !== text) el.textContent = text;
}
