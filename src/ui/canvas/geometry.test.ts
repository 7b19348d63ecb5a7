import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../core/scenario/presets';
import { nodeText } from './geometry';

const preset = (id: string) => {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return p.scenario;
};

describe('nodeText: what a node box says', () => {
  it('names nodes by id, so two nodes that share a title stay apart (gen and sink in vm-to-vm-vs-nic-to-vm)', () => {
    const s = preset('vm-to-vm-vs-nic-to-vm');
    const gen = s.nodes.find((n) => n.id === 'gen');
    const sink = s.nodes.find((n) => n.id === 'sink');
    if (!gen || !sink) throw new Error('preset changed');
    expect(gen.title).toBe(sink.title);
    expect(nodeText(gen).name).toBe('gen');
    expect(nodeText(sink).name).toBe('sink');
    // The title is shortened to fit the box's second line and given whole on hover.
    expect(nodeText(gen).sub.length).toBeLessThanOrEqual(16);
    expect(nodeText(gen).sub.endsWith('…')).toBe(true);
    expect(nodeText(gen).full).toBe('gen · bare-metal traffic endpoint · container');
  });
  it('keeps the kind and size on the second line when there is no title', () => {
    const vm1 = preset('vm-vm-offload').nodes.find((n) => n.id === 'vm1');
    if (!vm1) throw new Error('preset changed');
    expect(nodeText(vm1)).toEqual({ name: 'vm1', sub: 'VM · 2 vCPU', full: 'vm1 · VM · 2 vCPU' });
  });
});
