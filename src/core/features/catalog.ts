import { FeatureSet } from './featureSet';

/*
 * Every netdev feature of reference §4.3: kernel bit (include/linux/netdev_features.h as the reference
 * tabulates it), NETIF_F_* name, and the kernel string `ethtool -k` prints and `ethtool -K` accepts.
 * GSO_ACCECN (Linux 6.18, seen in Appendix A) has no slot in that table; it lives at model bit 64 and prints
 * where the 6.18 kernel puts it: right after GSO_FRAGLIST.
 */

export const F = {
  SG: 0,
  IP_CSUM: 1,
  HW_CSUM: 3,
  IPV6_CSUM: 4,
  HIGHDMA: 5,
  FRAGLIST: 6,
  HW_VLAN_CTAG_TX: 7,
  HW_VLAN_CTAG_RX: 8,
  HW_VLAN_CTAG_FILTER: 9,
  VLAN_CHALLENGED: 10,
  GSO: 11,
  LLTX: 12,
  NETNS_LOCAL: 13,
  GRO: 14,
  LRO: 15,
  TSO: 16,
  GSO_ROBUST: 17,
  TSO_ECN: 18,
  TSO_MANGLEID: 19,
  TSO6: 20,
  FSO: 21,
  GSO_GRE: 22,
  GSO_GRE_CSUM: 23,
  GSO_IPXIP4: 24,
  GSO_IPXIP6: 25,
  GSO_UDP_TUNNEL: 26,
  GSO_UDP_TUNNEL_CSUM: 27,
  GSO_PARTIAL: 28,
  GSO_TUNNEL_REMCSUM: 29,
  GSO_SCTP: 30,
  GSO_ESP: 31,
  GSO_UDP: 32,
  GSO_UDP_L4: 33,
  GSO_FRAGLIST: 34,
  FCOE_CRC: 35,
  SCTP_CRC: 36,
  FCOE_MTU: 37,
  NTUPLE: 38,
  RXHASH: 39,
  RXCSUM: 40,
  NOCACHE_COPY: 41,
  LOOPBACK: 42,
  RXFCS: 43,
  RXALL: 44,
  HW_VLAN_STAG_TX: 45,
  HW_VLAN_STAG_RX: 46,
  HW_VLAN_STAG_FILTER: 47,
  HW_L2FW_DOFFLOAD: 48,
  HW_TC: 49,
  HW_ESP: 50,
  HW_ESP_TX_CSUM: 51,
  RX_UDP_TUNNEL_PORT: 52,
  HW_TLS_TX: 53,
  HW_TLS_RX: 54,
  GRO_HW: 55,
  HW_TLS_RECORD: 56,
  GRO_FRAGLIST: 57,
  HW_MACSEC: 58,
  GRO_UDP_FWD: 59,
  HW_HSR_TAG_INS: 60,
  HW_HSR_TAG_RM: 61,
  HW_HSR_FWD: 62,
  HW_HSR_DUP: 63,
  GSO_ACCECN: 64,
} as const;

export type FeatureKey = keyof typeof F;

/** Kernel strings (net/ethtool/common.c netdev_features_strings). GSO_UDP has none in current kernels. */
const KERNEL_NAMES: Record<FeatureKey, string> = {
  SG: 'tx-scatter-gather',
  IP_CSUM: 'tx-checksum-ipv4',
  HW_CSUM: 'tx-checksum-ip-generic',
  IPV6_CSUM: 'tx-checksum-ipv6',
  HIGHDMA: 'highdma',
  FRAGLIST: 'tx-scatter-gather-fraglist',
  HW_VLAN_CTAG_TX: 'tx-vlan-hw-insert',
  HW_VLAN_CTAG_RX: 'rx-vlan-hw-parse',
  HW_VLAN_CTAG_FILTER: 'rx-vlan-filter',
  VLAN_CHALLENGED: 'vlan-challenged',
  GSO: 'tx-generic-segmentation',
  LLTX: 'tx-lockless',
  NETNS_LOCAL: 'netns-local',
  GRO: 'rx-gro',
  LRO: 'rx-lro',
  TSO: 'tx-tcp-segmentation',
  GSO_ROBUST: 'tx-gso-robust',
  TSO_ECN: 'tx-tcp-ecn-segmentation',
  TSO_MANGLEID: 'tx-tcp-mangleid-segmentation',
  TSO6: 'tx-tcp6-segmentation',
  FSO: 'tx-fcoe-segmentation',
  GSO_GRE: 'tx-gre-segmentation',
  GSO_GRE_CSUM: 'tx-gre-csum-segmentation',
  GSO_IPXIP4: 'tx-ipxip4-segmentation',
  GSO_IPXIP6: 'tx-ipxip6-segmentation',
  GSO_UDP_TUNNEL: 'tx-udp_tnl-segmentation',
  GSO_UDP_TUNNEL_CSUM: 'tx-udp_tnl-csum-segmentation',
  GSO_PARTIAL: 'tx-gso-partial',
  GSO_TUNNEL_REMCSUM: 'tx-tunnel-remcsum-segmentation',
  GSO_SCTP: 'tx-sctp-segmentation',
  GSO_ESP: 'tx-esp-segmentation',
  GSO_UDP: '',
  GSO_UDP_L4: 'tx-udp-segmentation',
  GSO_FRAGLIST: 'tx-gso-list',
  FCOE_CRC: 'tx-checksum-fcoe-crc',
  SCTP_CRC: 'tx-checksum-sctp',
  FCOE_MTU: 'fcoe-mtu',
  NTUPLE: 'rx-ntuple-filter',
  RXHASH: 'rx-hashing',
  RXCSUM: 'rx-checksum',
  NOCACHE_COPY: 'tx-nocache-copy',
  LOOPBACK: 'loopback',
  RXFCS: 'rx-fcs',
  RXALL: 'rx-all',
  HW_VLAN_STAG_TX: 'tx-vlan-stag-hw-insert',
  HW_VLAN_STAG_RX: 'rx-vlan-stag-hw-parse',
  HW_VLAN_STAG_FILTER: 'rx-vlan-stag-filter',
  HW_L2FW_DOFFLOAD: 'l2-fwd-offload',
  HW_TC: 'hw-tc-offload',
  HW_ESP: 'esp-hw-offload',
  HW_ESP_TX_CSUM: 'esp-tx-csum-hw-offload',
  RX_UDP_TUNNEL_PORT: 'rx-udp_tunnel-port-offload',
  HW_TLS_TX: 'tls-hw-tx-offload',
  HW_TLS_RX: 'tls-hw-rx-offload',
  GRO_HW: 'rx-gro-hw',
  HW_TLS_RECORD: 'tls-hw-record',
  GRO_FRAGLIST: 'rx-gro-list',
  HW_MACSEC: 'macsec-hw-offload',
  GRO_UDP_FWD: 'rx-udp-gro-forwarding',
  HW_HSR_TAG_INS: 'hsr-tag-ins-offload',
  HW_HSR_TAG_RM: 'hsr-tag-rm-offload',
  HW_HSR_FWD: 'hsr-fwd-offload',
  HW_HSR_DUP: 'hsr-dup-offload',
  GSO_ACCECN: 'tx-tcp-accecn-segmentation',
};

export interface FeatureInfo {
  readonly bit: number;
  readonly key: FeatureKey;
  /** `NETIF_F_TSO`. */
  readonly netif: string;
  /** Kernel string; '' when the kernel has none (GSO_UDP). */
  readonly name: string;
  /** Position in the union of all modelled kernels' bit orders (ethtool prints in bit order). */
  readonly order: number;
}

const FEATURE_LIST: readonly FeatureInfo[] = (Object.keys(F) as FeatureKey[]).map((key) => {
  const bit = F[key];
  return { bit, key, netif: `NETIF_F_${key}`, name: KERNEL_NAMES[key], order: bit === F.GSO_ACCECN ? F.GSO_FRAGLIST * 2 + 1 : bit * 2 };
});

const BY_BIT: ReadonlyArray<FeatureInfo | undefined> = (() => {
  const a: Array<FeatureInfo | undefined> = new Array(FeatureSet.CAPACITY).fill(undefined);
  for (const f of FEATURE_LIST) a[f.bit] = f;
  return a;
})();

const BY_NAME: ReadonlyMap<string, FeatureInfo> = new Map(FEATURE_LIST.filter((f) => f.name !== '').map((f) => [f.name, f]));

/** All catalogued features, in kernel print order. */
export const FEATURES: readonly FeatureInfo[] = FEATURE_LIST.toSorted((a, b) => a.order - b.order);

export function featureInfo(bit: number): FeatureInfo | undefined {
  return BY_BIT[bit];
}

export function featureByName(kernelName: string): FeatureInfo | undefined {
  return BY_NAME.get(kernelName);
}

export function featureByKey(key: FeatureKey): FeatureInfo {
  return BY_BIT[F[key]] as FeatureInfo;
}

export function maskOf(...keys: readonly FeatureKey[]): FeatureSet {
  return FeatureSet.of(...keys.map((k) => F[k]));
}

// Masks from include/linux/netdev_features.h.
export const ALL_TSO = maskOf('TSO', 'TSO6', 'TSO_ECN', 'TSO_MANGLEID');
export const CSUM_MASK = maskOf('IP_CSUM', 'IPV6_CSUM', 'HW_CSUM');
export const GSO_ENCAP_ALL = maskOf('GSO_GRE', 'GSO_GRE_CSUM', 'GSO_IPXIP4', 'GSO_IPXIP6', 'GSO_UDP_TUNNEL', 'GSO_UDP_TUNNEL_CSUM');
/** Segmentation types with a software fallback (6.18 adds GSO_ACCECN; absent bits are masked by the layout). */
export const GSO_SOFTWARE = ALL_TSO.or(maskOf('GSO_SCTP', 'GSO_UDP_L4', 'GSO_FRAGLIST', 'GSO_ACCECN'));
/** NETIF_F_GSO_MASK: every GSO type bit, TSO..GSO_FRAGLIST (+ GSO_ACCECN on 6.18). */
export const GSO_MASK = FeatureSet.of(...FEATURE_LIST.filter((f) => (f.bit >= F.TSO && f.bit <= F.GSO_FRAGLIST) || f.bit === F.GSO_ACCECN).map((f) => f.bit));
/** Turned on by register_netdevice (NETIF_F_SOFT_FEATURES). */
export const SOFT_FEATURES = maskOf('GSO', 'GRO');
/** Made toggleable but left off by register_netdevice (NETIF_F_SOFT_FEATURES_OFF). */
export const SOFT_FEATURES_OFF = maskOf('GRO_FRAGLIST', 'GRO_UDP_FWD');
/** NETIF_F_NEVER_CHANGE: ethtool shows these [fixed] whatever hw_features says. */
export const NEVER_CHANGE = maskOf('VLAN_CHALLENGED', 'LLTX', 'NETNS_LOCAL');
/** NETIF_F_UPPER_DISABLES: an upper device with these off forces them off below. */
export const UPPER_DISABLES = maskOf('LRO');

/**
 * SKB_GSO_* bit i (include/linux/skbuff.h) ↔ feature bit: NETIF_F_GSO_SHIFT = TSO, so SKB_GSO_TCPV4 (1<<0)
 * is TSO, SKB_GSO_DODGY is GSO_ROBUST, ... SKB_GSO_FRAGLIST (1<<18) is GSO_FRAGLIST, and SKB_GSO_TCP_ACCECN
 * (1<<19) is GSO_ACCECN.
 */
const SKB_GSO_TO_FEATURE: readonly number[] = [...Array.from({ length: 19 }, (_, i) => F.TSO + i), F.GSO_ACCECN];

/** The feature bits a gso_type needs (skb_gso_type_encoding); bits beyond SKB_GSO_TCP_ACCECN are ignored. */
export function gsoTypeFeatures(skbGsoType: number): FeatureSet {
  let set = FeatureSet.EMPTY;
  for (let i = 0; i < SKB_GSO_TO_FEATURE.length; i++) {
    if ((skbGsoType >>> i) & 1) set = set.with(SKB_GSO_TO_FEATURE[i]);
  }
  return set;
}

// ---------------------------------------------------------------------------------------------
// Legacy flags (ethtool common.c off_flag_def): short name, long name printed by `ethtool -k`, kernel glob.

export interface LegacyFlag {
  readonly short: string;
  readonly long: string;
  readonly glob: string;
  /** ufo: netlink ethtool never prints it (no kernel with netlink has UFO). */
  readonly hiddenInDump: boolean;
  /** What the kernel's legacy get ioctl reports as this flag (ethtool_get_feature_mask): on if any is active. */
  readonly kernelMask: FeatureSet;
}

export const LEGACY_FLAGS: readonly LegacyFlag[] = [
  { short: 'rx', long: 'rx-checksumming', glob: 'rx-checksum', hiddenInDump: false, kernelMask: maskOf('RXCSUM') },
  { short: 'tx', long: 'tx-checksumming', glob: 'tx-checksum-*', hiddenInDump: false, kernelMask: CSUM_MASK.or(maskOf('FCOE_CRC', 'SCTP_CRC')) },
  { short: 'sg', long: 'scatter-gather', glob: 'tx-scatter-gather*', hiddenInDump: false, kernelMask: maskOf('SG') },
  { short: 'tso', long: 'tcp-segmentation-offload', glob: 'tx-tcp*-segmentation', hiddenInDump: false, kernelMask: ALL_TSO },
  { short: 'ufo', long: 'udp-fragmentation-offload', glob: 'tx-udp-fragmentation', hiddenInDump: true, kernelMask: FeatureSet.EMPTY },
  { short: 'gso', long: 'generic-segmentation-offload', glob: 'tx-generic-segmentation', hiddenInDump: false, kernelMask: maskOf('GSO') },
  { short: 'gro', long: 'generic-receive-offload', glob: 'rx-gro', hiddenInDump: false, kernelMask: maskOf('GRO') },
  { short: 'lro', long: 'large-receive-offload', glob: 'rx-lro', hiddenInDump: false, kernelMask: maskOf('LRO') },
  { short: 'rxvlan', long: 'rx-vlan-offload', glob: 'rx-vlan-hw-parse', hiddenInDump: false, kernelMask: maskOf('HW_VLAN_CTAG_RX') },
  { short: 'txvlan', long: 'tx-vlan-offload', glob: 'tx-vlan-hw-insert', hiddenInDump: false, kernelMask: maskOf('HW_VLAN_CTAG_TX') },
  { short: 'ntuple', long: 'ntuple-filters', glob: 'rx-ntuple-filter', hiddenInDump: false, kernelMask: maskOf('NTUPLE') },
  { short: 'rxhash', long: 'receive-hashing', glob: 'rx-hashing', hiddenInDump: false, kernelMask: maskOf('RXHASH') },
];

/** ethtool's flag_pattern_match: a pattern with at most one '*'. */
export function flagPatternMatch(name: string, pattern: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return name === pattern;
  if (name.length + 1 < pattern.length) return false;
  const prefix = pattern.slice(0, star);
  const suffix = pattern.slice(star + 1);
  return name.startsWith(prefix) && name.slice(name.length - suffix.length) === suffix;
}

/** Index into LEGACY_FLAGS of the first flag whose glob matches a kernel string, or -1. */
export function legacyFlagIndexOf(kernelName: string): number {
  if (kernelName === '') return -1;
  for (let i = 0; i < LEGACY_FLAGS.length; i++) if (flagPatternMatch(kernelName, LEGACY_FLAGS[i].glob)) return i;
  return -1;
}

export function legacyFlagByName(name: string): LegacyFlag | undefined {
  return LEGACY_FLAGS.find((l) => l.short === name || l.long === name);
}

// ---------------------------------------------------------------------------------------------
// Layouts: which feature strings a kernel exposes, in its bit order. `ethtool -k` prints exactly these.

/** One feature a kernel exposes: a catalogued bit, or a string this model does not know (kept verbatim). */
export type LayoutEntry = { readonly kind: 'known'; readonly bit: number; readonly name: string } | { readonly kind: 'opaque'; readonly name: string };

export interface FeatureLayout {
  /** e.g. 'linux-6.x' (reference §4.4 examples), 'linux-6.18' (Appendix A), 'parsed'. */
  readonly id: string;
  readonly entries: readonly LayoutEntry[];
  /** Catalogued bits this kernel has; device sets never hold bits outside it. */
  readonly known: FeatureSet;
}

export function makeLayout(id: string, entries: readonly LayoutEntry[]): FeatureLayout {
  let known = FeatureSet.EMPTY;
  for (const e of entries) if (e.kind === 'known') known = known.with(e.bit);
  return { id, entries, known };
}

function layoutFromCatalog(id: string, exclude: readonly FeatureKey[]): FeatureLayout {
  const skip = new Set<number>(exclude.map((k) => F[k]));
  return makeLayout(
    id,
    FEATURES.filter((f) => !skip.has(f.bit)).map((f): LayoutEntry => ({ kind: 'known', bit: f.bit, name: f.name })),
  );
}

/** Recent mainline as reference §4.3/§4.4 Examples A and B show it (no tx-lockless, no AccECN). */
export const LAYOUT_MAINLINE = layoutFromCatalog('linux-6.x', ['LLTX', 'GSO_ACCECN']);
/** Kernels before ~6.12: also tx-lockless after vlan-challenged. */
export const LAYOUT_PRE_6_12 = layoutFromCatalog('linux-pre-6.12', ['GSO_ACCECN']);
/** Linux 6.18 as captured in Appendix A: no netns-local, no fcoe-mtu, tx-tcp-accecn-segmentation added. */
export const LAYOUT_6_18 = layoutFromCatalog('linux-6.18', ['LLTX', 'NETNS_LOCAL', 'FCOE_MTU']);

export const LAYOUTS: readonly FeatureLayout[] = [LAYOUT_MAINLINE, LAYOUT_PRE_6_12, LAYOUT_6_18];
