import { ALL_TSO, F, GSO_ENCAP_ALL, GSO_MASK, GSO_SOFTWARE, LAYOUT_MAINLINE, maskOf, type FeatureLayout } from './catalog';
import { registerNetdevice, setWanted, type NetDevice } from './device';
import { FeatureSet } from './featureSet';
import type { DriverRule } from './fix';

/*
 * Device templates built the way the drivers build them (probe/setup flags, then register_netdevice), so the
 * same fix rules apply to them as to anything else. Provenance per template:
 * - virtio-net, veth: reference §4.4 Examples A and B; tests check they print those examples byte for byte
 *   (and veth on the 6.18 layout prints Appendix A).
 * - tap, bridge, nic: documented-plausible [D], from reading tun.c / br_device.c / ixgbe_main.c; no capture
 *   in the reference to check against.
 */

/** Same literals as scenario InterfaceTemplate. */
export type PresetName = 'virtio-net' | 'tap' | 'veth' | 'bridge' | 'nic';

export interface PresetInfo {
  readonly name: PresetName;
  readonly title: string;
  readonly provenance: 'reference' | 'plausible';
}

export const PRESETS: readonly PresetInfo[] = [
  { name: 'virtio-net', title: 'virtio-net guest interface (QEMU/vhost)', provenance: 'reference' },
  { name: 'tap', title: 'tap device (host side of a VM, vnet_hdr)', provenance: 'plausible' },
  { name: 'veth', title: 'veth pair end (container)', provenance: 'reference' },
  { name: 'bridge', title: 'Linux bridge', provenance: 'plausible' },
  { name: 'nic', title: 'physical NIC (ixgbe-like, 10 GbE)', provenance: 'plausible' },
];

export interface PresetOptions {
  readonly layout?: FeatureLayout;
}

export interface VirtioOptions extends PresetOptions {
  /** VIRTIO_NET_F_CTRL_GUEST_OFFLOADS: rx-gro-hw toggleable (else on [fixed]). */
  readonly ctrlGuestOffloads?: boolean;
  /** VIRTIO_NET_F_HOST_USO: tx-udp-segmentation toggleable (else off [fixed]). */
  readonly hostUso?: boolean;
  /** VIRTIO_NET_F_RSS / HASH_REPORT: receive-hashing toggleable. */
  readonly rss?: boolean;
}

/** virtnet_probe with CSUM, GUEST_CSUM, HOST_TSO4/6/ECN, HOST_USO, GUEST_TSO4/6, CTRL_VLAN (reference Example A). */
export function virtioNetDevice(opts: VirtioOptions = {}): NetDevice {
  const layout = opts.layout ?? LAYOUT_MAINLINE;
  let hw = maskOf('HW_CSUM', 'SG', 'TSO', 'TSO6', 'TSO_ECN');
  if (opts.hostUso ?? true) hw = hw.with(F.GSO_UDP_L4);
  if (opts.ctrlGuestOffloads ?? true) hw = hw.with(F.GRO_HW);
  if (opts.rss ?? false) hw = hw.with(F.RXHASH);
  const features = maskOf('HIGHDMA', 'HW_CSUM', 'SG', 'GSO_ROBUST', 'RXCSUM', 'GRO_HW', 'HW_VLAN_CTAG_FILTER').or(hw.and(ALL_TSO));
  return registerNetdevice({ layout, hwFeatures: hw, features });
}

/** VETH_FEATURES in veth_setup, then veth_disable_gro (reference Example B; Appendix A on the 6.18 layout). */
export function vethDevice(opts: PresetOptions = {}): NetDevice {
  const layout = opts.layout ?? LAYOUT_MAINLINE;
  const vethFeatures = maskOf('SG', 'FRAGLIST', 'HW_CSUM', 'RXCSUM', 'SCTP_CRC', 'HIGHDMA', 'HW_VLAN_CTAG_TX', 'HW_VLAN_CTAG_RX', 'HW_VLAN_STAG_TX', 'HW_VLAN_STAG_RX')
    .or(GSO_SOFTWARE)
    .or(GSO_ENCAP_ALL);
  const dev = registerNetdevice({ layout, hwFeatures: vethFeatures, features: vethFeatures.with(F.LLTX) });
  return setWanted(dev, maskOf('GRO'), FeatureSet.EMPTY);
}

/** TUN_USER_FEATURES: what TUNSETOFFLOAD controls (6.2+, USO included). */
const TUN_USER_FEATURES = maskOf('HW_CSUM', 'TSO_ECN', 'TSO', 'TSO6', 'GSO_UDP_L4');

export interface TapOptions extends PresetOptions {
  /** TUNSETOFFLOAD flags the VMM set (QEMU sets them from what the guest negotiated). Default: all. */
  readonly vmmOffloads?: { readonly csum: boolean; readonly tso4: boolean; readonly tso6: boolean; readonly tsoEcn: boolean; readonly uso: boolean };
}

/**
 * tun_set_iff for IFF_TAP | IFF_VNET_HDR: hw = SG | FRAGLIST | TUN_USER_FEATURES | VLAN TX; features = hw | LLTX;
 * tun_net_fix_features limits TUN_USER_FEATURES to what TUNSETOFFLOAD enabled, and tun_set_offload also puts
 * those into wanted. [D] plausible.
 */
export function tapDevice(opts: TapOptions = {}): NetDevice {
  const layout = opts.layout ?? LAYOUT_MAINLINE;
  const v = opts.vmmOffloads ?? { csum: true, tso4: true, tso6: true, tsoEcn: true, uso: true };
  let allowed = FeatureSet.EMPTY;
  if (v.csum) {
    allowed = allowed.with(F.HW_CSUM);
    if (v.tso4) allowed = allowed.with(F.TSO);
    if (v.tso6) allowed = allowed.with(F.TSO6);
    if (v.tsoEcn && (v.tso4 || v.tso6)) allowed = allowed.with(F.TSO_ECN);
    if (v.uso) allowed = allowed.with(F.GSO_UDP_L4);
  }
  const rules: DriverRule[] = [{ kind: 'allow-only', scope: TUN_USER_FEATURES, allowed, reason: 'the VMM did not enable this offload on the tap (TUNSETOFFLOAD)' }];
  const hw = maskOf('SG', 'FRAGLIST', 'HW_VLAN_CTAG_TX', 'HW_VLAN_STAG_TX').or(TUN_USER_FEATURES);
  const dev = registerNetdevice({ layout, hwFeatures: hw, features: hw.with(F.LLTX), fix: { driverRules: rules } });
  return setWanted(dev, TUN_USER_FEATURES, allowed);
}

/**
 * br_dev_setup: COMMON_FEATURES = SG | FRAGLIST | HIGHDMA | GSO_MASK | HW_CSUM, all toggleable, plus fixed LLTX
 * and NETNS_LOCAL; a bridge without ports keeps them all. [D] plausible.
 */
export function bridgeDevice(opts: PresetOptions = {}): NetDevice {
  const layout = opts.layout ?? LAYOUT_MAINLINE;
  const common = maskOf('SG', 'FRAGLIST', 'HIGHDMA', 'HW_CSUM').or(GSO_MASK);
  const hw = common.or(maskOf('HW_VLAN_CTAG_TX', 'HW_VLAN_STAG_TX'));
  return registerNetdevice({ layout, hwFeatures: hw, features: hw.or(maskOf('LLTX', 'NETNS_LOCAL')) });
}

/**
 * ixgbe_probe for an 82599 with RSC: checksum/TSO/USO/SCTP CRC, tunnel GSO as GSO_PARTIAL, RSS hash, LRO on,
 * VLAN offloads, ntuple/hw-tc/rx-all/l2-fwd toggleable; ixgbe_fix_features drops LRO without RXCSUM.
 * rx-fcs is borrowed from e1000e so §4.2 rule 9 can be tried on a NIC. [D] plausible.
 */
export function ixgbeLikeDevice(opts: PresetOptions = {}): NetDevice {
  const layout = opts.layout ?? LAYOUT_MAINLINE;
  const partial = maskOf('GSO_GRE', 'GSO_GRE_CSUM', 'GSO_IPXIP4', 'GSO_IPXIP6', 'GSO_UDP_TUNNEL', 'GSO_UDP_TUNNEL_CSUM');
  const base = maskOf('SG', 'TSO', 'TSO6', 'RXHASH', 'RXCSUM', 'HW_CSUM', 'GSO_PARTIAL', 'SCTP_CRC', 'GSO_UDP_L4').or(partial);
  const hw = base.or(maskOf('HW_VLAN_CTAG_FILTER', 'HW_VLAN_CTAG_RX', 'HW_VLAN_CTAG_TX', 'RXALL', 'HW_L2FW_DOFFLOAD', 'NTUPLE', 'HW_TC', 'LRO', 'RXFCS'));
  const features = base.or(maskOf('HIGHDMA', 'HW_VLAN_CTAG_FILTER', 'HW_VLAN_CTAG_RX', 'HW_VLAN_CTAG_TX', 'LRO'));
  const rules: DriverRule[] = [{ kind: 'requires', drops: maskOf('LRO'), needs: maskOf('RXCSUM'), reason: 'the driver turns LRO (RSC) off when receive checksumming is off' }];
  return registerNetdevice({ layout, hwFeatures: hw, features, fix: { gsoPartialFeatures: partial, driverRules: rules } });
}

export function presetDevice(name: PresetName, opts: PresetOptions = {}): NetDevice {
  switch (name) {
    case 'virtio-net':
      return virtioNetDevice(opts);
    case 'tap':
      return tapDevice(opts);
    case 'veth':
      return vethDevice(opts);
    case 'bridge':
      return bridgeDevice(opts);
    case 'nic':
      return ixgbeLikeDevice(opts);
    default: {
      const exhaustive: never = name;
      return exhaustive;
    }
  }
}
