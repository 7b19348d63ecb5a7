/**
 * Per-interface netdev features: helper-4's driver templates (presetDevice), the scenario's `ethtool -K`
 * intent applied as one `ethtool -K` (applyFeatureIntent, netdev_fix_features), and the per-frame
 * `Offloads` the engine asks. Unknown feature names were rejected by scenario validation; if one slips
 * through, the device is left unchanged rather than failing the run.
 */
import { presetDevice } from '../features/presets';
import { applyFeatureIntent } from '../features/ethtool';
import { FeatureError } from '../features/errors';
import { devDisableLro, type NetDevice } from '../features/device';
import type { InterfaceTemplate, NodeSpec } from '../scenario/types';

/**
 * The device an interface starts as on a node of this kind: the driver template, and on a node that forwards
 * (a router with ip_forward on, a bridge's port, a forwarder) LRO switched off by dev_disable_lro — which runs
 * before any `ethtool -K`, so the scenario's intent may still turn it back on.
 */
export function baselineDevice(template: InterfaceTemplate, nodeKind: NodeSpec['kind']): NetDevice {
  const dev = presetDevice(template);
  return nodeKind === 'router' || nodeKind === 'bridge' || nodeKind === 'forwarder' ? devDisableLro(dev) : dev;
}

export function createInterfaceDevice(template: InterfaceTemplate, intent: Record<string, boolean>, nodeKind: NodeSpec['kind']): NetDevice {
  const dev = baselineDevice(template, nodeKind);
  return Object.keys(intent).length === 0 ? dev : applySafely(dev, intent);
}

export function applyIntent(dev: NetDevice, name: string, on: boolean): NetDevice {
  return applySafely(dev, { [name]: on });
}

function applySafely(dev: NetDevice, intent: Record<string, boolean>): NetDevice {
  try {
    return applyFeatureIntent(dev, intent).device;
  } catch (e) {
    if (e instanceof FeatureError) return dev;
    throw e;
  }
}
