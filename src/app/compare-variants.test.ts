import { describe, expect, it } from 'vitest';
import { Engine } from '../core/engine';
import { PRESETS, findPreset } from '../core/scenario/presets';
import type { Scenario } from '../core/scenario/types';
import { OFFLOADS_OFF, SAME_AS_A, compareChoices, offloadsOffChanges, variantScenario } from './compare-variants';

function samples(s: Scenario, seed: number, untilNs: number): { channels: string[]; rows: number[][] } {
  const e = new Engine(s, { seed });
  e.runUntil(untilNs);
  return { channels: e.channels.map((c) => c.id), rows: e.takeSamples().map((r) => [...r]) };
}

describe('A/B compare choices', () => {
  it('every preset offers its own variants, offloads off and the control, and each builds a valid B', () => {
    for (const p of PRESETS) {
      const choices = compareChoices(p, p.scenario);
      expect(choices.map((c) => c.name)).toEqual([...p.variants.filter((v) => v.changes.length > 0).map((v) => v.name), OFFLOADS_OFF, SAME_AS_A]);
      for (const c of choices) {
        const r = variantScenario(p.scenario, c);
        expect(r.ok, `${p.id} @ ${c.name}: ${r.ok ? '' : JSON.stringify(r.errors)}`).toBe(true);
      }
    }
  });

  it('offloads off turns features off on every interface that has them, skipping refused ones', () => {
    const p = findPreset('vm-vm-offload')!;
    const changes = offloadsOffChanges(p.scenario);
    expect(changes.length).toBeGreaterThan(4);
    expect(changes.every((c) => c.kind === 'set-feature' && !c.on)).toBe(true);
    const b = variantScenario(p.scenario, { name: OFFLOADS_OFF, title: '', changes });
    if (!b.ok) throw new Error('variant failed');
    const vm1 = b.scenario.nodes.find((n) => n.id === 'vm1')!.interfaces[0];
    expect(vm1.features['tcp-segmentation-offload']).toBe(false);
    expect(vm1.features['tx-checksumming']).toBe(false);
  });

  it('same seed, B = A: identical samples (in a preset whose numbers depend on the seed); offloads off: different numbers', () => {
    // checksum-trust corrupts a random 1 % of frames: another seed gives other numbers, so equality means the same seed.
    const p = findPreset('checksum-trust')!;
    const [offChoice, same] = compareChoices(p, p.scenario).slice(-2);
    expect(same.name).toBe(SAME_AS_A);
    const a = samples(p.scenario, 7, 60e6);
    const sameB = variantScenario(p.scenario, same);
    const offB = variantScenario(p.scenario, offChoice);
    if (!sameB.ok || !offB.ok) throw new Error('variant failed');
    const b = samples(sameB.scenario, 7, 60e6);
    expect(b.channels).toEqual(a.channels);
    expect(a.rows.length).toBeGreaterThan(2);
    expect(b.rows).toEqual(a.rows);
    expect(samples(sameB.scenario, 8, 60e6).rows).not.toEqual(a.rows);
    const off = samples(offB.scenario, 7, 60e6);
    expect(off.rows).not.toEqual(a.rows);
  });
});
