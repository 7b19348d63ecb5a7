import { describe, expect, it } from 'vitest';
import { METRIC_IDS } from '../../core/scenario/presets';
import type { RunResult } from '../../core/metrics/result';
import { choiceFor, judgedValue, measure, parseWorkshopHash, presetCheck, stepPreset, workshopHash, WORKSHOPS } from './workshop-def';

describe('workshop definitions', () => {
  it('every step names a preset and a metric, refers only to earlier steps, and its choices tile [0, ∞)', () => {
    for (const w of WORKSHOPS) {
      w.steps.forEach((s, k) => {
        expect(stepPreset(s), `${w.id} step ${k + 1}`).toBeDefined();
        if (s.variant !== undefined) expect(stepPreset(s)?.variants.map((v) => v.name), `${w.id} step ${k + 1}`).toContain(s.variant);
        expect(METRIC_IDS).toContain(s.metric);
        if (s.relativeToStep !== undefined) expect(s.relativeToStep).toBeLessThan(k);
        const sorted = s.choices.toSorted((a, b) => a.min - b.min);
        expect(sorted[0].min).toBe(0);
        expect(sorted.at(-1)!.max).toBe(Infinity);
        for (let j = 1; j < sorted.length; j++) expect(sorted[j].min).toBe(sorted[j - 1].max);
        expect(new Set(s.choices.map((c) => c.id)).size).toBe(s.choices.length);
      });
    }
  });
  it('links open a participant at a step; junk never throws', () => {
    const w = WORKSHOPS[0];
    expect(parseWorkshopHash(workshopHash(w.id, 2))).toEqual({ workshop: w, stepIndex: 2 });
    expect(parseWorkshopHash(`#workshop=${w.id}`)?.stepIndex).toBe(0);
    expect(parseWorkshopHash(`#workshop=${w.id}&step=999`)?.stepIndex).toBe(w.steps.length - 1);
    expect(parseWorkshopHash(`#workshop=${w.id}&step=0`)?.stepIndex).toBe(0);
    expect(parseWorkshopHash(`#workshop=${w.id}&step=-3`)?.stepIndex).toBe(0);
    expect(parseWorkshopHash(`#workshop=${w.id}&step=<img src=x onerror=alert(1)>`)?.stepIndex).toBe(0);
    for (const junk of ['', '#', '#workshop=', '#workshop=nope&step=2', '#workshop=%E0%A4%A', '#step=2', `#workshop=${w.id}`.repeat(50), '#__proto__=1&workshop=constructor']) {
      expect(() => parseWorkshopHash(junk)).not.toThrow();
    }
    expect(parseWorkshopHash('#workshop=nope&step=2')).toBeNull();
    expect(parseWorkshopHash('#workshop=constructor')).toBeNull();
  });
  it('judges ratios against the earlier step and picks the choice the value falls in', () => {
    const s = WORKSHOPS[0].steps[1];
    expect(judgedValue(s, 5e9, [50e9])).toBeCloseTo(0.1);
    expect(judgedValue(s, 5e9, [])).toBeUndefined();
    expect(judgedValue(s, 5e9, [0])).toBeUndefined();
    expect(choiceFor(s, 0.1)?.id).toBe('down-lots');
    expect(choiceFor(s, 1)?.id).toBe('same');
    expect(choiceFor(s, 1.5)?.id).toBe('up');
    expect(choiceFor(s, Number.NaN)).toBeUndefined();
  });
  it('measures from a RunResult and uses the preset’s base-scenario check', () => {
    const step = WORKSHOPS[0].steps[0];
    const result = { flows: [{ kind: 'tcp', throughputBitsPerSec: 12e9 }], nodes: [], interfaces: [], totals: { eventsPerSec: 1 }, checksum: { acceptedCorrupt: 0, badDropped: 0 } } as unknown as RunResult;
    expect(measure(step, result)).toBe(12e9);
    expect(presetCheck(stepPreset(step)!, step.metric, 12e9)).toEqual({ text: expect.stringContaining('10 Gbit/s'), holds: true });
    expect(presetCheck(stepPreset(step)!, step.metric, 2e9)?.holds).toBe(false);
    // checksum-trust's headline check names the `partial` variant, which changes nothing: it applies.
    const trust = WORKSHOPS[0].steps.find((s) => s.presetId === 'checksum-trust')!;
    expect(presetCheck(stepPreset(trust)!, trust.metric, 3)?.holds).toBe(true);
    expect(presetCheck(stepPreset(trust)!, 'eventsPerSec', 3)).toBeUndefined();
  });
});
