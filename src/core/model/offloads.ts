/**
 * Per-interface netdev features: a template's driver defaults (hw_features / features), the scenario's
 * `ethtool -K` intent, resolved through helper-4's register/update rules (netdev_fix_features), and the
 * per-frame `Offloads` the engine asks.
 */
import { LAYOUT_MAINLINE, LEGACY_FLAGS, FEATURES, flagPatternMatch, maskOf, featureByName, type FeatureKey } from '../features/catalog';
import { FeatureSet } from '../features/featureSet';
import { registerNetdevice, setWanted, type NetDevice } from '../features/device';
import type { InterfaceTemplate } from '../scenario/types';

interface TemplateDefaults {
  hw: readonly FeatureKey[];
  on: readonly FeatureKey[];
}

// TODO(helper-4): replace with the features library's interface templates once they land.
const TEMPLATES: Record<InterfaceTemplate, TemplateDefaults> = {
  // virtio_net probe with CSUM, GUEST_CSUM, HOST_TSO4/6/ECN, GUEST_TSO4/6, CTRL_GUEST_OFFLOADS (§3.5).
  'virtio-net': {
    hw: ['SG', 'HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'GRO_HW'],
    on: ['SG', 'HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'GSO_ROBUST', 'RXCSUM', 'GRO_HW', 'HIGHDMA'],
  },
  // tun/tap: offloads the VMM enabled with TUNSETOFFLOAD (all, when the guest negotiated them).
  tap: {
    hw: ['SG', 'HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'HW_VLAN_CTAG_TX'],
    on: ['SG', 'HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'HIGHDMA'],
  },
  veth: {
    hw: ['SG', 'HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'RXCSUM', 'HIGHDMA', 'FRAGLIST'],
    on: ['SG', 'HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'RXCSUM', 'HIGHDMA', 'FRAGLIST', 'LLTX'],
  },
  bridge: {
    hw: ['SG', 'HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'HIGHDMA', 'FRAGLIST'],
    on: ['SG', 'HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'HIGHDMA', 'FRAGLIST', 'LLTX'],
  },
  nic: {
    hw: ['SG', 'IP_CSUM', 'IPV6_CSUM', 'TSO', 'TSO6', 'RXCSUM', 'RXHASH', 'LRO', 'NTUPLE'],
    on: ['SG', 'IP_CSUM', 'IPV6_CSUM', 'TSO', 'TSO6', 'RXCSUM', 'RXHASH', 'HIGHDMA'],
  },
};

/** Feature bits an `ethtool -K` name addresses: a legacy long/short name (glob) or one kernel string. */
export function featureBitsForName(name: string): number[] {
  const legacy = LEGACY_FLAGS.find((l) => l.short === name || l.long === name);
  if (legacy) return FEATURES.filter((f) => flagPatternMatch(f.name, legacy.glob)).map((f) => f.bit);
  const f = featureByName(name);
  return f ? [f.bit] : [];
}

export function createInterfaceDevice(template: InterfaceTemplate, intent: Record<string, boolean>): NetDevice {
  const t = TEMPLATES[template];
  let dev = registerNetdevice({ layout: LAYOUT_MAINLINE, hwFeatures: maskOf(...t.hw), features: maskOf(...t.on) });
  for (const [name, on] of Object.entries(intent)) dev = applyIntent(dev, name, on);
  return dev;
}

export function applyIntent(dev: NetDevice, name: string, on: boolean): NetDevice {
  const bits = featureBitsForName(name);
  if (bits.length === 0) return dev;
  const mask = FeatureSet.of(...bits);
  return setWanted(dev, mask, on ? mask : FeatureSet.EMPTY);
}
