/** Toolbar control for the A/B compare: pick B (a variant of the loaded scenario), or none. */
import { useEffect, useMemo } from 'react';
import { findPreset } from '../../core/scenario/presets';
import { compareChoiceList } from '../../app/compare-variants';
import { useAppStore } from '../../store/app-store';
import { useCompareStore } from '../../store/compare';
// oxlint-disable-next-line import/no-unassigned-import -- the stylesheet is imported for its side effect
import './compare.css';

export function CompareControl() {
  const presetId = useAppStore((s) => s.presetId);
  const variant = useCompareStore((s) => s.variant);
  const error = useCompareStore((s) => s.error);
  const start = useCompareStore((s) => s.start);
  const stop = useCompareStore((s) => s.stop);
  // Names and titles only; the changes are built for the loaded scenario when B loads.
  const choices = useMemo(() => compareChoiceList(findPreset(presetId)), [presetId]);
  // Another preset without the chosen variant ends the compare rather than leaving B undefined.
  useEffect(() => {
    if (variant !== null && !choices.some((c) => c.name === variant)) stop();
  }, [variant, choices, stop]);
  return (
    <span className="ol-compare">
      <select aria-label="Compare with variant" value={variant ?? ''} onChange={(e) => (e.target.value ? start(e.target.value) : stop())} title={error ?? 'A/B compare: run a variant (B) beside this scenario (A) with the same seed; charts overlaid, A/B ratio shown'}>
        <option value="">⇄ Compare: off</option>
        {choices.map((c) => (
          <option key={c.name} value={c.name}>
            ⇄ B = {c.name} — {c.title}
          </option>
        ))}
      </select>
      {error && (
        <span className="ol-compare-error" role="alert" title={error}>
          {error}
        </span>
      )}
    </span>
  );
}
