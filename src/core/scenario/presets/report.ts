/**
 * The fidelity report: every expectation of every preset, measured. The CLI's `report` prints these rows;
 * `docs/fidelity.md` commits them and a test regenerates them in-process. Each run (preset or preset@variant)
 * executes once however many rows read it.
 */
import type { RunResult } from '../../metrics/result';
import type { Scenario } from '../types';
import { applyVariant } from '../variants';
import { holds, metricValue, type Expectation } from './metrics';
import { PRESETS, type PresetDef } from './index';

export interface ReportRow {
  preset: string;
  variant: string | null;
  metric: string;
  comparator: string;
  expected: number;
  relativeTo: string | null;
  measured: number;
  holds: boolean;
  text: string;
}

/** Runs one scenario (the engine's runScenario, or a worker/CLI wrapper). */
export type ScenarioRunner = (s: Scenario) => RunResult;

/** The scenario of `preset`, with `variant` applied when named. Throws when the variant does not apply. */
export function presetScenario(preset: PresetDef, variant?: string): Scenario {
  if (variant === undefined) return preset.scenario;
  const v = preset.variants.find((x) => x.name === variant);
  const r = v ? applyVariant(preset.scenario, v) : undefined;
  if (!r?.ok) throw new Error(`variant ${variant} of ${preset.id} does not apply`);
  return r.scenario;
}

/** Measures every expectation of `presets` (default: all), running each distinct run once. */
export function computeReport(run: ScenarioRunner, presets: readonly PresetDef[] = PRESETS, onRun?: (key: string) => void): ReportRow[] {
  const cache = new Map<string, RunResult>();
  const resultOf = (preset: PresetDef, variant?: string): RunResult => {
    const key = variant === undefined ? preset.id : `${preset.id}@${variant}`;
    const hit = cache.get(key);
    if (hit) return hit;
    onRun?.(key);
    const result = run(presetScenario(preset, variant));
    cache.set(key, result);
    return result;
  };
  const rows: ReportRow[] = [];
  for (const p of presets) {
    for (const e of [p.expectation, ...p.moreExpectations] as Expectation[]) {
      let measured = metricValue(resultOf(p, e.variant), e.metric);
      let relativeTo: string | null = null;
      if (e.relativeTo) {
        const ref = PRESETS.find((x) => x.id === e.relativeTo?.preset);
        if (!ref) throw new Error(`${p.id}: relativeTo names unknown preset ${e.relativeTo.preset}`);
        measured /= metricValue(resultOf(ref, e.relativeTo.variant), e.metric);
        relativeTo = e.relativeTo.variant ? `${ref.id}@${e.relativeTo.variant}` : ref.id;
      }
      rows.push({ preset: p.id, variant: e.variant ?? null, metric: e.metric, comparator: e.comparator, expected: e.value, relativeTo, measured, holds: holds(e, measured), text: e.text });
    }
  }
  return rows;
}
