import { describe, expect, it } from 'vitest';
import { PRESETS } from '../core/scenario/presets/index';
import { canonicalJson, confirmOverwrite } from './overwrite';

const preset = (k: number) => ({ scenario: PRESETS[k].scenario, view: {} });

describe('confirmOverwrite', () => {
  it('opens without asking when nothing is autosaved', () => {
    expect(confirmOverwrite(null, preset(0))).toEqual({ kind: 'open', reason: 'nothing-autosaved' });
    expect(confirmOverwrite(undefined, preset(0))).toEqual({ kind: 'open', reason: 'nothing-autosaved' });
  });
  it('opens when the autosaved scenario is the incoming one (key order and view do not matter)', () => {
    const s = structuredClone(PRESETS[2].scenario);
    const reordered = JSON.parse(canonicalJson(s)) as typeof s;
    expect(confirmOverwrite({ scenario: reordered, view: { charts: ['x'] } }, preset(2))).toEqual({ kind: 'open', reason: 'same-scenario' });
  });
  it('opens over an untouched preset (nothing of the user is lost)', () => {
    expect(confirmOverwrite(preset(0), preset(3))).toEqual({ kind: 'open', reason: 'autosave-is-untouched-preset' });
  });
  it('asks before replacing edited work, defaulting to keeping both', () => {
    const edited = structuredClone(PRESETS[0].scenario);
    edited.title = 'My edited lab';
    edited.seed = 42;
    const d = confirmOverwrite({ scenario: edited, view: {} }, preset(3));
    expect(d.kind).toBe('ask');
    if (d.kind !== 'ask') return;
    expect(d.choices).toEqual(['keep-both', 'replace', 'cancel']);
    expect(d.defaultChoice).toBe('keep-both');
    expect(d.current).toEqual({ id: edited.id, title: 'My edited lab' });
    expect(d.incoming.id).toBe(PRESETS[3].id);
    expect(d.message).toContain('My edited lab');
  });
  it('canonicalJson ignores key order and undefined fields', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: undefined, z: null }] })).toBe('{"a":[{"y":2,"z":null}],"b":1}');
  });
});
