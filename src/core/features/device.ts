import { F, NEVER_CHANGE, SOFT_FEATURES, SOFT_FEATURES_OFF, featureInfo, gsoTypeFeatures, maskOf, type FeatureLayout } from './catalog';
import { FeatureSet } from './featureSet';
import { netdevFixFeatures, type DroppedFeature, type FixContext } from './fix';

/** A feature string the model does not know (e.g. from a newer kernel's `ethtool -k`): kept, never changed by it. */
export interface OpaqueFeature {
  readonly name: string;
  readonly active: boolean;
  readonly wanted: boolean;
  /** As the parsed text said; the model still treats it as fixed. */
  readonly changeable: boolean;
}

/**
 * What the engine asks per frame, precomputed whenever the active set changes. Field names of the checksum
 * trio match packet/skb.ts TxChecksumCaps so an Offloads can be passed where that is wanted.
 */
export interface Offloads {
  readonly sg: boolean;
  readonly fraglist: boolean;
  readonly hwCsum: boolean;
  readonly ipCsum: boolean;
  readonly ipv6Csum: boolean;
  readonly sctpCrc: boolean;
  /** IPv4 TCP/UDP can be checksummed by the device (IP_CSUM or HW_CSUM). */
  readonly csumIpv4: boolean;
  readonly csumIpv6: boolean;
  readonly tso: boolean;
  readonly tso6: boolean;
  readonly tsoEcn: boolean;
  readonly tsoMangleId: boolean;
  readonly gsoRobust: boolean;
  readonly gso: boolean;
  readonly gsoPartial: boolean;
  readonly uso: boolean;
  readonly ufo: boolean;
  readonly gsoFraglist: boolean;
  readonly gro: boolean;
  readonly lro: boolean;
  readonly groHw: boolean;
  readonly groFraglist: boolean;
  readonly groUdpFwd: boolean;
  readonly rxCsum: boolean;
  readonly rxHash: boolean;
  readonly rxFcs: boolean;
  readonly rxAll: boolean;
  readonly ntuple: boolean;
  readonly highDma: boolean;
  readonly vlanCtagTx: boolean;
  readonly vlanCtagRx: boolean;
}

/**
 * One interface's netdev features (reference §4.1). Immutable: every change returns a new record.
 * - hw: hw_features, what the user may toggle.
 * - wanted: wanted_features, what the user asked for (kept within hw).
 * - active: features, what is in effect after the driver's and the core's fix rules.
 * Bits outside hw keep whatever the driver set; they are "[fixed]".
 */
export interface NetDevice {
  readonly layout: FeatureLayout;
  readonly hw: FeatureSet;
  readonly wanted: FeatureSet;
  readonly active: FeatureSet;
  /** What ethtool prints "[fixed]": the kernel's bits outside hw_features, plus the never-changeable ones. */
  readonly fixed: FeatureSet;
  readonly fix: FixContext;
  /** Why each wanted, changeable bit is not active ("[requested on]"), for the UI. */
  readonly dropped: readonly DroppedFeature[];
  readonly opaque: ReadonlyMap<string, OpaqueFeature>;
  readonly offloads: Offloads;
}

export interface DeviceInit {
  readonly layout: FeatureLayout;
  readonly hw: FeatureSet;
  readonly wanted: FeatureSet;
  readonly active: FeatureSet;
  readonly fix?: FixContext;
  readonly opaque?: ReadonlyMap<string, OpaqueFeature>;
}

/** A device exactly as given (e.g. parsed from `ethtool -k`): no rule is re-run, so the text round-trips. */
export function createDevice(init: DeviceInit): NetDevice {
  const known = init.layout.known;
  const hw = init.hw.and(known);
  const wanted = init.wanted.and(hw);
  const active = init.active.and(known);
  const fix = init.fix ?? {};
  return {
    layout: init.layout,
    hw,
    wanted,
    active,
    fixed: known.andNot(hw).or(NEVER_CHANGE.and(known)),
    fix,
    dropped: explainDrops(hw, wanted, active, fix),
    opaque: init.opaque ?? new Map(),
    offloads: computeOffloads(active),
  };
}

export interface DriverSetup {
  readonly layout: FeatureLayout;
  /** dev->hw_features as the driver's probe/setup leaves them. */
  readonly hwFeatures: FeatureSet;
  /** dev->features as the driver's probe/setup leaves them. */
  readonly features: FeatureSet;
  readonly fix?: FixContext;
  /** IFF_LOOPBACK: no tx-nocache-copy toggle. */
  readonly loopback?: boolean;
}

/** register_netdevice (§4.1): add the soft features, derive wanted, run the fix rules once. */
export function registerNetdevice(setup: DriverSetup): NetDevice {
  let hw = setup.hwFeatures.or(SOFT_FEATURES).or(SOFT_FEATURES_OFF);
  if (!setup.loopback) hw = hw.with(F.NOCACHE_COPY);
  if (hw.has(F.TSO)) hw = hw.with(F.TSO_MANGLEID);
  const features = setup.features.or(SOFT_FEATURES);
  const known = setup.layout.known;
  return updateFeatures(createDevice({ layout: setup.layout, hw, wanted: features.and(hw), active: features.and(known), fix: setup.fix }));
}

/** __netdev_update_features: active = fix(wanted | (active & ~hw)). */
export function updateFeatures(dev: NetDevice): NetDevice {
  const candidate = dev.wanted.or(dev.active.andNot(dev.hw));
  const { features } = netdevFixFeatures(candidate, dev.fix);
  if (features.equals(dev.active)) return dev;
  return createDevice({ ...dev, active: features });
}

/** Changes wanted bits (only changeable ones take) and recomputes active, as ethtool's FEATURES_SET does. */
export function setWanted(dev: NetDevice, mask: FeatureSet, values: FeatureSet): NetDevice {
  const wanted = dev.wanted.andNot(mask).or(values.and(mask)).and(dev.hw);
  if (wanted.equals(dev.wanted)) return dev;
  return updateFeatures(createDevice({ ...dev, wanted }));
}

/** New fix context (e.g. the device got enslaved to a bridge: uppers), then recompute. */
export function withFixContext(dev: NetDevice, fix: FixContext): NetDevice {
  return updateFeatures(createDevice({ ...dev, fix }));
}

/** dev_disable_lro: forwarding or bridging turns LRO off in wanted (it stays off after forwarding ends). */
export function devDisableLro(dev: NetDevice): NetDevice {
  return setWanted(dev, maskOf('LRO'), FeatureSet.EMPTY);
}

/** Bits ethtool prints "[fixed]": not in hw_features, or never changeable. */
export function fixedFeatures(dev: NetDevice): FeatureSet {
  return dev.fixed;
}

export function isChangeable(dev: NetDevice, bit: number): boolean {
  return dev.hw.has(bit) && !NEVER_CHANGE.has(bit);
}

/** "[requested on]": wanted, changeable, not active. */
export function requestedOn(dev: NetDevice): FeatureSet {
  return dev.wanted.and(dev.hw).andNot(NEVER_CHANGE).andNot(dev.active);
}

/** "[requested off]": changeable, active, not wanted (only a driver can do this). */
export function requestedOff(dev: NetDevice): FeatureSet {
  return dev.active.and(dev.hw).andNot(NEVER_CHANGE).andNot(dev.wanted);
}

/** Why a bit is off although wanted, or undefined. */
export function dropReason(dev: NetDevice, bit: number): DroppedFeature | undefined {
  return dev.dropped.find((d) => d.bit === bit);
}

const GSO_OK_CACHE = new Map<number, FeatureSet>();

/** net_gso_ok: every feature the gso_type encodes is active. Cached per gso_type value. */
export function netGsoOk(active: FeatureSet, skbGsoType: number): boolean {
  let need = GSO_OK_CACHE.get(skbGsoType);
  if (need === undefined) {
    need = gsoTypeFeatures(skbGsoType);
    if (GSO_OK_CACHE.size < 1024) GSO_OK_CACHE.set(skbGsoType, need);
  }
  return active.hasAll(need);
}

/** What validate_xmit_skb needs to know about one GSO skb to decide whether the device takes it as is. */
export interface GsoSkbInfo {
  /** skb_shinfo(skb)->gso_type (SKB_GSO_* bits). */
  readonly gsoType: number;
  /** ip_summed is CHECKSUM_PARTIAL or CHECKSUM_UNNECESSARY (anything else forces software GSO). */
  readonly csumPartialOrUnnecessary: boolean;
  /** can_checksum_protocol for this frame: false strips every GSO feature (harmonize_features). */
  readonly protocolChecksummable: boolean;
  /** IPv4 DF bit; without it TSO_MANGLEID is not usable (gso_features_check). Ignored for IPv6. */
  readonly ipv4Df?: boolean;
  readonly hasFragList?: boolean;
}

const SKB_GSO_TCPV4 = 1 << 0;
const SKB_GSO_PARTIAL = 1 << 12;

/**
 * netif_needs_gso after harmonize_features and gso_features_check: true means this device cannot take the
 * super-frame and the stack segments it in software here (§2.6 step 1).
 */
export function netifNeedsGso(dev: NetDevice, skb: GsoSkbInfo): boolean {
  if (!skb.protocolChecksummable || !skb.csumPartialOrUnnecessary) return true;
  if (!netGsoOk(dev.active, skb.gsoType)) return true;
  const need = GSO_OK_CACHE.get(skb.gsoType) ?? gsoTypeFeatures(skb.gsoType);
  if ((skb.gsoType & SKB_GSO_TCPV4) !== 0 && skb.ipv4Df === false && need.has(F.TSO_MANGLEID)) return true;
  const partial = dev.fix.gsoPartialFeatures;
  if (partial && (skb.gsoType & SKB_GSO_PARTIAL) === 0 && need.hasAny(partial)) return true;
  if (skb.hasFragList && !dev.active.has(F.FRAGLIST)) return true;
  return false;
}

function explainDrops(hw: FeatureSet, wanted: FeatureSet, active: FeatureSet, fix: FixContext): DroppedFeature[] {
  const missing = wanted.and(hw).andNot(NEVER_CHANGE).andNot(active);
  if (missing.isEmpty()) return [];
  const { dropped } = netdevFixFeatures(wanted.or(active.andNot(hw)), fix);
  const out: DroppedFeature[] = [];
  for (const bit of missing.bits()) {
    const d = dropped.find((x) => x.bit === bit);
    out.push(d ?? { bit, name: nameOf(bit), rule: 'driver', reason: 'turned off by the driver' });
  }
  return out;
}

function nameOf(bit: number): string {
  return featureInfo(bit)?.name ?? `bit ${bit}`;
}

function computeOffloads(a: FeatureSet): Offloads {
  const hwCsum = a.has(F.HW_CSUM);
  return {
    sg: a.has(F.SG),
    fraglist: a.has(F.FRAGLIST),
    hwCsum,
    ipCsum: a.has(F.IP_CSUM),
    ipv6Csum: a.has(F.IPV6_CSUM),
    sctpCrc: a.has(F.SCTP_CRC),
    csumIpv4: hwCsum || a.has(F.IP_CSUM),
    csumIpv6: hwCsum || a.has(F.IPV6_CSUM),
    tso: a.has(F.TSO),
    tso6: a.has(F.TSO6),
    tsoEcn: a.has(F.TSO_ECN),
    tsoMangleId: a.has(F.TSO_MANGLEID),
    gsoRobust: a.has(F.GSO_ROBUST),
    gso: a.has(F.GSO),
    gsoPartial: a.has(F.GSO_PARTIAL),
    uso: a.has(F.GSO_UDP_L4),
    ufo: a.has(F.GSO_UDP),
    gsoFraglist: a.has(F.GSO_FRAGLIST),
    gro: a.has(F.GRO),
    lro: a.has(F.LRO),
    groHw: a.has(F.GRO_HW),
    groFraglist: a.has(F.GRO_FRAGLIST),
    groUdpFwd: a.has(F.GRO_UDP_FWD),
    rxCsum: a.has(F.RXCSUM),
    rxHash: a.has(F.RXHASH),
    rxFcs: a.has(F.RXFCS),
    rxAll: a.has(F.RXALL),
    ntuple: a.has(F.NTUPLE),
    highDma: a.has(F.HIGHDMA),
    vlanCtagTx: a.has(F.HW_VLAN_CTAG_TX),
    vlanCtagRx: a.has(F.HW_VLAN_CTAG_RX),
  };
}
