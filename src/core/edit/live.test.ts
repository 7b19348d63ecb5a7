import { describe, expect, it } from 'vitest';
import { liveFeatureChanges } from './live';
import { findPreset } from '../scenario/presets';
import type { Scenario } from '../scenario/types';

const base = (): Scenario => structuredClone(findPreset('vm-vm-offload')!.scenario);

describe('liveFeatureChanges', () => {
  it('turns feature toggles into ordered set-feature changes', () => {
    const a = base();
    const b = structuredClone(a);
    b.nodes[0].interfaces[0].features = { ...b.nodes[0].interfaces[0].features, 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false };
    expect(liveFeatureChanges(a, b)).toEqual([
      { kind: 'set-feature', at: { node: b.nodes[0].id, iface: b.nodes[0].interfaces[0].name }, feature: 'generic-segmentation-offload', on: false },
      { kind: 'set-feature', at: { node: b.nodes[0].id, iface: b.nodes[0].interfaces[0].name }, feature: 'tcp-segmentation-offload', on: false },
    ]);
  });

  it('ignores positions and timelines, and gives no changes for an identical scenario', () => {
    const a = base();
    const b = structuredClone(a);
    b.nodes[0].position = { x: 999, y: 1 };
    expect(liveFeatureChanges(a, b)).toEqual([]);
  });

  it('refuses anything that is not a feature state: topology, traffic, parameters, removed intent', () => {
    const a = base();
    const mtu = structuredClone(a);
    mtu.nodes[0].interfaces[0].mtu = 9000;
    expect(liveFeatureChanges(a, mtu)).toBeNull();
    const flows = structuredClone(a);
    flows.flows = [];
    expect(liveFeatureChanges(a, flows)).toBeNull();
    const on = structuredClone(a);
    on.nodes[0].interfaces[0].features = { 'tcp-segmentation-offload': false };
    expect(liveFeatureChanges(on, a)).toBeNull();
  });
});
