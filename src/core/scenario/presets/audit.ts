/**
 * Cost audit: makes each CPU cost of a run's profile dearer in turn (× factor) on every preset and measures the
 * run's TCP goodput again. A dearer operation should never speed a run up by much; where it does, the model's
 * notification suppression is batching (a busier consumer is kicked or interrupted less). docs/fidelity.md lists
 * the known cases and why they stay. The CLI's `audit` prints these rows.
 */
import { COST_PARAM_NAMES, COST_PROFILES, DEFAULT_PROFILE_ID, resolveProfile, type CostParamName } from '../../sim/profiles';
import { metricValue } from './metrics';
import type { ScenarioRunner } from './report';
import { PRESETS, type PresetDef } from './index';

/** Costs in time per operation or per byte; latencies and TCP timers are not CPU work and are left out. */
const NOT_CPU_WORK: ReadonlySet<CostParamName> = new Set(['wakeupLatencyNs', 'delayedAckNs', 'rtoMinNs']);
export const AUDITED_COSTS: readonly CostParamName[] = COST_PARAM_NAMES.filter((name) => {
  const unit = COST_PROFILES[DEFAULT_PROFILE_ID].params[name].unit;
  return (unit === 'ns' || unit === 'ns/B') && !NOT_CPU_WORK.has(name);
});

export interface AuditRow {
  preset: string;
  param: CostParamName;
  /** The cost before and after (its unit: ns or ns/B). */
  baseValue: number;
  value: number;
  baseBitsPerSec: number;
  bitsPerSec: number;
  /** bitsPerSec ÷ baseBitsPerSec. */
  ratio: number;
}

export interface AuditOptions {
  /** Multiplier applied to one cost at a time (default 2). */
  factor?: number;
  presets?: readonly PresetDef[];
  params?: readonly CostParamName[];
}

/** One row per preset and cost that is not zero in the preset's profile. */
export function auditCosts(run: ScenarioRunner, opts: AuditOptions = {}, onRun?: (key: string) => void): AuditRow[] {
  const factor = opts.factor ?? 2;
  const rows: AuditRow[] = [];
  for (const preset of opts.presets ?? PRESETS) {
    const s = preset.scenario;
    onRun?.(preset.id);
    const baseBitsPerSec = metricValue(run(s), 'tcpThroughputBitsPerSec');
    const costs = resolveProfile(s.profile, s.profileOverrides);
    for (const param of opts.params ?? AUDITED_COSTS) {
      const baseValue = costs[param];
      if (baseValue === 0) continue;
      const value = baseValue * factor;
      onRun?.(`${preset.id} ${param}×${factor}`);
      const bitsPerSec = metricValue(run({ ...s, profileOverrides: { ...s.profileOverrides, [param]: value } }), 'tcpThroughputBitsPerSec');
      rows.push({ preset: preset.id, param, baseValue, value, baseBitsPerSec, bitsPerSec, ratio: baseBitsPerSec > 0 ? bitsPerSec / baseBitsPerSec : Number.NaN });
    }
  }
  return rows;
}
