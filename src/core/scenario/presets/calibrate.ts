/**
 * Calibration search: runs the whole fidelity report at points drawn inside every cost's sourced range
 * (KVM_2017_RANGES) and counts, per point, the checks that hold. It answers "is there a plausible 2017 host on
 * which every row holds?" and, where there is none, which rows exclude each other. Points are drawn with the
 * engine's seeded Rng (log-uniform where a range spans more than 4×), so a search is reproducible. The CLI's
 * `calibrate` prints the summary.
 */
import { Rng } from '../../rng';
import { KVM_2017_RANGES, RANGED_COSTS, unitsAt, type CostPoint, type CostRange, type RangedCost } from '../../sim/ranges';
import { computeReport, type ReportRow, type ScenarioRunner } from './report';
import { PRESETS, type PresetDef } from './index';

export type { CostPoint } from '../../sim/ranges';

export interface CalibrationPoint {
  /** `profile` (the unchanged profile), `low` / `high` (every cost at its range's end) or `sample N`. */
  label: string;
  costs: CostPoint;
  rows: ReportRow[];
  held: number;
}

export interface CalibrationOptions {
  /** Random points after the three fixed ones (profile, all low, all high). */
  points: number;
  seed: number;
  costs?: readonly RangedCost[];
  presets?: readonly PresetDef[];
}

/** A range spanning more than this ratio is sampled log-uniformly, so its low decades are not starved. */
const LOG_SAMPLING_RATIO = 4;

const rangeOf = (name: RangedCost): CostRange => KVM_2017_RANGES[name];

function draw(rng: Rng, range: CostRange): number {
  const { min, max } = range;
  const u = rng.next();
  if (range.integer) return Math.min(max, min + Math.floor(u * (max - min + 1)));
  const value = min > 0 && max / min > LOG_SAMPLING_RATIO ? min * (max / min) ** u : min + (max - min) * u;
  return Number(value.toPrecision(3));
}

/** One point inside every range of `costs` (counts are drawn before the costs per unit of them). */
export function samplePoint(rng: Rng, costs: readonly RangedCost[] = RANGED_COSTS): CostPoint {
  const point: CostPoint = {};
  for (const name of costs) {
    const range = rangeOf(name);
    point[name] = Number((draw(rng, range) * unitsAt(point, range)).toPrecision(3));
  }
  return point;
}

function cornerPoint(costs: readonly RangedCost[], end: 'min' | 'max'): CostPoint {
  const point: CostPoint = {};
  for (const name of costs) point[name] = rangeOf(name)[end] * unitsAt(point, rangeOf(name));
  return point;
}

/** The report run with `costs` laid over each scenario's own overrides. */
export function reportAt(run: ScenarioRunner, costs: CostPoint, presets: readonly PresetDef[] = PRESETS): ReportRow[] {
  return computeReport((s) => run({ ...s, profileOverrides: { ...s.profileOverrides, ...costs } }), presets);
}

export function calibrationSearch(run: ScenarioRunner, opts: CalibrationOptions, onPoint?: (p: CalibrationPoint, index: number, total: number) => void): CalibrationPoint[] {
  const costs = opts.costs ?? RANGED_COSTS;
  const rng = new Rng(opts.seed);
  const plan: { label: string; costs: CostPoint }[] = [
    { label: 'profile', costs: {} },
    { label: 'low', costs: cornerPoint(costs, 'min') },
    { label: 'high', costs: cornerPoint(costs, 'max') },
  ];
  for (let i = 1; i <= opts.points; i++) plan.push({ label: `sample ${i}`, costs: samplePoint(rng, costs) });
  const out: CalibrationPoint[] = [];
  for (const p of plan) {
    const rows = reportAt(run, p.costs, opts.presets);
    const point = { ...p, rows, held: rows.filter((x) => x.holds).length };
    out.push(point);
    onPoint?.(point, out.length, plan.length);
  }
  return out;
}

export const rowKey = (r: ReportRow): string => `${r.variant ? `${r.preset}@${r.variant}` : r.preset} ${r.metric}${r.relativeTo ? ` ÷ ${r.relativeTo}` : ''}`;

export interface RowTally {
  key: string;
  /** Points at which this row holds. */
  heldAt: number;
  /** Among the points where this row holds, how many hold every other row that failed somewhere. */
  withAllOthers: number;
}

/** Per row that failed at some point: where it holds, and whether it ever holds together with all the others. */
export function tallyRows(points: readonly CalibrationPoint[]): RowTally[] {
  if (points.length === 0) return [];
  const keys = points[0].rows.map(rowKey);
  const contested = keys.filter((_, i) => points.some((p) => !p.rows[i].holds));
  const holdsAt = (p: CalibrationPoint, key: string) => p.rows[keys.indexOf(key)].holds;
  return contested.map((key) => {
    const where = points.filter((p) => holdsAt(p, key));
    return { key, heldAt: where.length, withAllOthers: where.filter((p) => contested.every((k) => holdsAt(p, k))).length };
  });
}
