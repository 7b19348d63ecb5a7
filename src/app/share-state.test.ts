import { describe, expect, it } from 'vitest';
import { PRESETS } from '../core/scenario/presets';
import { withPositions } from '../core/edit/ops';
import { encodeShareFragment } from '../share';
import { AUTOSAVE_KEY, encodeAutosave, type KeyValueStore } from '../store/autosave';
import { autosavedState, decideOpen, hasShareParam, readBackup, shareStateOf, writeBackup } from './share-state';

function memory(init: Record<string, string> = {}): KeyValueStore & { data: Map<string, string> } {
  const data = new Map(Object.entries(init));
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const [a, b] = PRESETS;
const shown = (id: string) => withPositions(PRESETS.find((p) => p.id === id)!.scenario, { relayoutCramped: true });

describe('share state', () => {
  it('shares the toolbar seed with the scenario', () => {
    expect(shareStateOf(a.scenario, 77).scenario.seed).toBe(77);
    expect(a.scenario.seed).not.toBe(77);
  });
  it('a preset that was only laid out is not work; an edited one or another seed is', () => {
    expect(autosavedState(memory())).toBeNull();
    const untouched = memory({ [AUTOSAVE_KEY]: encodeAutosave({ presetId: a.id, seed: a.scenario.seed, scenario: shown(a.id) }) });
    expect(autosavedState(untouched)).toBeNull();
    expect(decideOpen(untouched, shareStateOf(b.scenario, 1)).kind).toBe('open');
    const reseeded = memory({ [AUTOSAVE_KEY]: encodeAutosave({ presetId: a.id, seed: 4242, scenario: shown(a.id) }) });
    expect(autosavedState(reseeded)?.scenario.seed).toBe(4242);
    const d = decideOpen(reseeded, shareStateOf(b.scenario, 1));
    expect(d.kind).toBe('ask');
    // The same work arriving by link does not ask.
    expect(decideOpen(reseeded, shareStateOf(shown(a.id), 4242)).kind).toBe('open');
  });
  it('a corrupt autosave is not work to protect here (the store keeps its own backup of it)', () => {
    expect(autosavedState(memory({ [AUTOSAVE_KEY]: '{"format":' }))).toBeNull();
  });
  it('the backup slot round-trips through the door', () => {
    const store = memory();
    expect(readBackup(store)).toBeNull();
    const state = shareStateOf(b.scenario, 9);
    expect(writeBackup(store, state)).toBeNull();
    const r = readBackup(store);
    expect(r?.ok && r.scenario.seed).toBe(9);
    expect(r?.ok && r.scenario.id).toBe(b.scenario.id);
    store.data.set('offload-lab:backup-before-link', '<script>');
    const bad = readBackup(store);
    expect(bad?.ok).toBe(false);
    const full: KeyValueStore = { getItem: () => null, setItem: () => { throw new Error('quota'); } };
    expect(writeBackup(full, state)).toBe('quota');
  });
  it('recognises a share parameter in a location hash', () => {
    expect(hasShareParam(encodeShareFragment(shareStateOf(a.scenario, 1)))).toBe(true);
    expect(hasShareParam('#workshop=offloads&step=2')).toBe(false);
    expect(hasShareParam('#x=1&s=1.abc')).toBe(true);
    expect(hasShareParam('')).toBe(false);
  });
});
