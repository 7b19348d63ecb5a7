import { describe, expect, it } from 'vitest';
import { findPreset } from '../core/scenario/presets';
import { applyEdit } from '../core/edit/edit';
import { addFlowEdit, addNodeEdit, emptyScenario } from '../core/edit/ops';
import { AUTOSAVE_BACKUP_KEY, AUTOSAVE_KEY, decodeAutosave, encodeAutosave, restoreFrom } from './autosave';

function memory(init: Record<string, string> = {}) {
  const m = new Map(Object.entries(init));
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m };
}

describe('autosave', () => {
  const scenario = findPreset('router-club')?.scenario ?? emptyScenario();

  it('round-trips a valid scenario exactly', () => {
    const r = decodeAutosave(encodeAutosave({ presetId: 'router-club', seed: 7, scenario }));
    expect(r).toEqual({ kind: 'restored', saved: { presetId: 'router-club', seed: 7, scenario }, problems: [] });
  });

  it('keeps an unfinished but well-formed draft, listing its problems', () => {
    let s = emptyScenario();
    for (const k of ['vm', 'vm'] as const) {
      const r = applyEdit(s, addNodeEdit(s, k, undefined, { x: 1, y: 2 }).edit);
      if (r.ok) s = r.scenario;
    }
    const r2 = applyEdit(s, addFlowEdit(s, 'tcp', 'vm1', 'vm2').edit);
    if (!r2.ok) throw new Error(r2.error);
    const r = decodeAutosave(encodeAutosave({ presetId: 'custom', seed: 1, scenario: r2.scenario }));
    expect(r.kind).toBe('restored');
    if (r.kind !== 'restored') return;
    expect(r.saved.scenario).toEqual(r2.scenario);
    expect(r.problems.join('\n')).toMatch(/no interface with an ipv4/);
  });

  it('refuses corrupt text with a clear message and keeps it under the backup key', () => {
    const bad = '{"format":"offload-lab-autosave","scenario":{"version":1,"nodes":"x"';
    const store = memory({ [AUTOSAVE_KEY]: bad });
    const r = restoreFrom(store);
    expect(r.kind).toBe('corrupt');
    expect(r.kind === 'corrupt' && r.message).toMatch(/not valid JSON/);
    expect(store.m.get(AUTOSAVE_BACKUP_KEY)).toBe(bad);
    const wrongShape = decodeAutosave(JSON.stringify({ format: 'offload-lab-autosave', scenario: { ...scenario, hosts: 'h1' } }));
    expect(wrongShape.kind === 'corrupt' && wrongShape.message).toMatch(/hosts/);
    expect(decodeAutosave(null)).toEqual({ kind: 'none' });
    expect(decodeAutosave('[1]').kind).toBe('corrupt');
  });
});
