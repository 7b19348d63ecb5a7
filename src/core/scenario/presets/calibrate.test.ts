import { describe, expect, it } from 'vitest';
import { Rng } from '../../rng';
import { KVM_2017_RANGES, RANGED_COSTS, inRange } from '../../sim/ranges';
import { samplePoint, tallyRows, type CalibrationPoint } from './calibrate';
import type { ReportRow } from './report';

describe('calibration sampling', () => {
  it('draws every cost inside its range, the same points for the same seed', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    for (let i = 0; i < 200; i++) {
      const p = samplePoint(a);
      expect(p).toEqual(samplePoint(b));
      for (const name of RANGED_COSTS) expect(inRange(name, p[name] ?? Number.NaN, p), `${name}=${p[name]}`).toBe(true);
      expect([0, 1, 2]).toContain(p.interruptExits);
    }
  });

  it('samples a range spanning decades log-uniformly: the bottom decade of the wake-up latency gets its share', () => {
    const rng = new Rng(3);
    const draws = Array.from({ length: 2000 }, () => samplePoint(rng, ['wakeupLatencyNs']).wakeupLatencyNs ?? 0);
    const { min, max } = KVM_2017_RANGES.wakeupLatencyNs;
    const belowGeometricMid = draws.filter((v) => v < Math.sqrt(min * max)).length / draws.length;
    expect(belowGeometricMid).toBeGreaterThan(0.45);
    expect(belowGeometricMid).toBeLessThan(0.55);
  });
});

const row = (preset: string, holds: boolean): ReportRow => ({ preset, variant: null, metric: 'm', comparator: '<=', expected: 1, relativeTo: null, measured: holds ? 0 : 2, holds, text: '' });
const point = (label: string, a: boolean, b: boolean, c: boolean): CalibrationPoint => {
  const rows = [row('a', a), row('b', b), row('c', c)];
  return { label, costs: {}, rows, held: rows.filter((r) => r.holds).length };
};

describe('tallyRows', () => {
  it('lists only checks that failed somewhere, and whether they ever hold together', () => {
    // c always holds; a and b each hold somewhere, never at the same point.
    const t = tallyRows([point('p1', true, false, true), point('p2', false, true, true), point('p3', false, false, true)]);
    expect(t).toEqual([
      { key: 'a m', heldAt: 1, withAllOthers: 0 },
      { key: 'b m', heldAt: 1, withAllOthers: 0 },
    ]);
    expect(tallyRows([point('p1', true, false, true), point('p2', true, true, true)])).toEqual([{ key: 'b m', heldAt: 1, withAllOthers: 1 }]);
  });
});
