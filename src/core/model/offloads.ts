/**
 * Per-interface netdev features: helper-4's driver templates (presetDevice), the scenario's `ethtool -K`
 * intent applied as one `ethtool -K` (applyFeatureIntent, netdev_fix_features), and the per-frame
 * `Offloads` the engine asks. Unknown feature names were rejected by scenario validation; if one slips
 * through, the device is left unchanged rather than failing the run.
 */
import { presetDevice } from '../features/presets';
import { applyFeatureIntent } from '../features/ethtool';
import { FeatureError } from '../features/errors';
import type { NetDevice } from '../features/device';
import type { InterfaceTemplate } from '../scenario/types';

export function createInterfaceDevice(template: InterfaceTemplate, intent: Record<string, boolean>): NetDevice {
  const dev = presetDevice(template);
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
