/**
 * Between an interface spec's feature intent and the device the offload panel shows: the template's preset
 * with the intent applied, and back, the minimal intent (kernel feature names) that yields a device's wanted
 * set. Kernel names only, so a group name and one of its members never conflict in the scenario.
 */
import { applyFeatureIntent, isChangeable, type NetDevice } from '../../core/features';
import { baselineDevice } from '../../core/model/offloads';
import type { InterfaceSpec, NodeSpec } from '../../core/scenario/types';

export function deviceOf(
  iface: Pick<InterfaceSpec, 'template' | 'features'>,
  nodeKind: NodeSpec['kind'],
): { device: NetDevice; baseline: NetDevice; error: string | null } {
  const baseline = baselineDevice(iface.template, nodeKind);
  try {
    return { device: applyFeatureIntent(baseline, iface.features).device, baseline, error: null };
  } catch (e) {
    return { device: baseline, baseline, error: e instanceof Error ? e.message : String(e) };
  }
}

export function intentOf(dev: NetDevice, baseline: NetDevice): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const e of baseline.layout.entries) {
    // Unnamed bits cannot be named in a scenario (nor survive an ethtool -k dump).
    if (e.kind !== 'known' || e.name === '' || !isChangeable(baseline, e.bit)) continue;
    const want = dev.wanted.has(e.bit);
    if (want !== baseline.wanted.has(e.bit)) out[e.name] = want;
  }
  return out;
}
