import { ALL_TSO, F, UPPER_DISABLES, featureInfo, maskOf } from './catalog';
import { FeatureSet } from './featureSet';

/** Which rule dropped a feature: the driver's ndo_fix_features, one of netdev_fix_features' rules (§4.2), or an upper device. */
export type FixRule =
  | 'driver'
  | 'mixed-csum' // §4.2 rule 1
  | 'tso-needs-sg' // rule 2
  | 'tso-needs-csum' // rule 3, IPv4
  | 'tso6-needs-csum' // rule 3, IPv6
  | 'mangleid-needs-tso' // rule 4
  | 'ecn-needs-tso' // rule 5
  | 'gso-needs-sg' // rule 6
  | 'gso-partial' // rule 7
  | 'gro-hw-needs-rxcsum' // rule 8
  | 'rxfcs-excludes-aggregation' // rule 9
  | 'gro-hw-excludes-lro' // rule 10
  | 'upper-disables'; // rule 11 (netdev_sync_upper_features)

export interface DroppedFeature {
  readonly bit: number;
  /** Kernel string, e.g. `tx-tcp-segmentation`. */
  readonly name: string;
  readonly rule: FixRule;
  /** One line for the UI. */
  readonly reason: string;
}

/**
 * A driver's ndo_fix_features, reduced to two shapes the presets need. Tagged so the fixer can switch on it.
 * - allow-only: bits in `scope` survive only if also in `allowed` (tun: offloads the VMM enabled with TUNSETOFFLOAD).
 * - requires: bits in `drops` are cleared unless every bit of `needs` is on (ixgbe: LRO needs RXCSUM).
 */
export type DriverRule =
  | { readonly kind: 'allow-only'; readonly scope: FeatureSet; readonly allowed: FeatureSet; readonly reason: string }
  | { readonly kind: 'requires'; readonly drops: FeatureSet; readonly needs: FeatureSet; readonly reason: string };

export interface FixContext {
  /** dev->gso_partial_features (rule 7). */
  readonly gsoPartialFeatures?: FeatureSet;
  /** ndo_fix_features, applied before the core rules as the kernel does. */
  readonly driverRules?: readonly DriverRule[];
  /** wanted_features of each upper device (bridge, bond); UPPER_DISABLES bits off there are forced off here. */
  readonly uppers?: readonly FeatureSet[];
}

export interface FixResult {
  readonly features: FeatureSet;
  /** Bits of the input that the rules removed, in the order the rules removed them. */
  readonly dropped: readonly DroppedFeature[];
}

const SG = maskOf('SG');
const IP_OR_HW_CSUM = maskOf('IP_CSUM', 'HW_CSUM');
const IPV6_OR_HW_CSUM = maskOf('IPV6_CSUM', 'HW_CSUM');
const IP_AND_IPV6_CSUM = maskOf('IP_CSUM', 'IPV6_CSUM');
const TSO_AND_ECN = maskOf('TSO', 'TSO_ECN');
const LRO_AND_GRO_HW = maskOf('LRO', 'GRO_HW');
const TSO6 = maskOf('TSO6');
const TSO_MANGLEID = maskOf('TSO_MANGLEID');
const TSO_ECN = maskOf('TSO_ECN');
const GSO = maskOf('GSO');
const GRO_HW = maskOf('GRO_HW');
const LRO = maskOf('LRO');

export const REASONS: Readonly<Record<Exclude<FixRule, 'driver'>, string>> = {
  'mixed-csum': 'tx-checksum-ipv4/ipv6 cannot be combined with tx-checksum-ip-generic (mixed HW and IP checksum settings)',
  'tso-needs-sg': 'TSO needs scatter-gather and checksum offload: tx-scatter-gather is off',
  'tso-needs-csum': 'TSO needs scatter-gather and checksum offload: IPv4 TSO needs tx-checksum-ipv4 or tx-checksum-ip-generic',
  'tso6-needs-csum': 'TSO needs scatter-gather and checksum offload: IPv6 TSO needs tx-checksum-ipv6 or tx-checksum-ip-generic',
  'mangleid-needs-tso': 'IPv4 ID mangling is a mode of IPv4 TSO: tx-tcp-segmentation is off',
  'ecn-needs-tso': 'ECN-aware TSO needs IPv4 or IPv6 TSO on as well',
  'gso-needs-sg': 'software GSO needs scatter-gather: tx-scatter-gather is off',
  'gso-partial': 'the device segments this type only as partial GSO: tx-gso-partial is off',
  'gro-hw-needs-rxcsum': 'hardware GRO needs receive checksum offload: rx-checksum is off',
  'rxfcs-excludes-aggregation': 'receive aggregation (LRO, hardware GRO) cannot be combined with rx-fcs',
  'gro-hw-excludes-lro': 'LRO is replaced by hardware GRO while rx-gro-hw is on',
  'upper-disables': 'an upper device (bridge, bond) has LRO off, so it must be off here too',
};

/**
 * netdev_fix_features (net/core/dev.c) as reference §4.2 orders it, preceded by the driver's rules and followed
 * by the upper-device sync, exactly as __netdev_update_features runs them. Pure: same input, same output.
 */
export function netdevFixFeatures(input: FeatureSet, ctx: FixContext = {}): FixResult {
  const dropped: DroppedFeature[] = [];
  let f = input;
  const drop = (mask: FeatureSet, rule: FixRule, reason: string): void => {
    const gone = f.and(mask);
    if (gone.isEmpty()) return;
    for (const bit of gone.bits()) dropped.push({ bit, name: featureInfo(bit)?.name ?? `bit ${bit}`, rule, reason });
    f = f.andNot(mask);
  };

  for (const r of ctx.driverRules ?? []) {
    switch (r.kind) {
      case 'allow-only':
        drop(r.scope.andNot(r.allowed), 'driver', r.reason);
        break;
      case 'requires':
        if (!f.hasAll(r.needs)) drop(r.drops, 'driver', r.reason);
        break;
      default: {
        const exhaustive: never = r;
        return exhaustive;
      }
    }
  }

  // 1. mixed HW and IP checksum settings
  if (f.has(F.HW_CSUM) && f.hasAny(IP_AND_IPV6_CSUM)) drop(IP_AND_IPV6_CSUM, 'mixed-csum', REASONS['mixed-csum']);
  // 2. TSO requires SG
  if (f.hasAny(ALL_TSO) && !f.has(F.SG)) drop(ALL_TSO, 'tso-needs-sg', REASONS['tso-needs-sg']);
  // 3. TSO requires a checksum offload that covers its protocol
  if (f.has(F.TSO) && !f.hasAny(IP_OR_HW_CSUM)) drop(TSO_AND_ECN, 'tso-needs-csum', REASONS['tso-needs-csum']);
  if (f.has(F.TSO6) && !f.hasAny(IPV6_OR_HW_CSUM)) drop(TSO6, 'tso6-needs-csum', REASONS['tso6-needs-csum']);
  // 4. TSO_MANGLEID requires TSO
  if (f.has(F.TSO_MANGLEID) && !f.has(F.TSO)) drop(TSO_MANGLEID, 'mangleid-needs-tso', REASONS['mangleid-needs-tso']);
  // 5. TSO_ECN alone is meaningless
  if (f.and(ALL_TSO).equals(TSO_ECN)) drop(TSO_ECN, 'ecn-needs-tso', REASONS['ecn-needs-tso']);
  // 6. software GSO requires SG
  if (f.has(F.GSO) && !f.hasAny(SG)) drop(GSO, 'gso-needs-sg', REASONS['gso-needs-sg']);
  // 7. gso_partial_features require GSO_PARTIAL
  const partial = ctx.gsoPartialFeatures ?? FeatureSet.EMPTY;
  if (f.hasAny(partial) && !f.has(F.GSO_PARTIAL)) drop(partial, 'gso-partial', REASONS['gso-partial']);
  // 8. GRO_HW requires RXCSUM
  if (!f.has(F.RXCSUM) && f.has(F.GRO_HW)) drop(GRO_HW, 'gro-hw-needs-rxcsum', REASONS['gro-hw-needs-rxcsum']);
  // 9. RXFCS excludes LRO and GRO_HW
  if (f.has(F.RXFCS) && f.hasAny(LRO_AND_GRO_HW)) drop(LRO_AND_GRO_HW, 'rxfcs-excludes-aggregation', REASONS['rxfcs-excludes-aggregation']);
  // 10. GRO_HW excludes LRO
  if (f.has(F.GRO_HW) && f.has(F.LRO)) drop(LRO, 'gro-hw-excludes-lro', REASONS['gro-hw-excludes-lro']);
  // 11. netdev_sync_upper_features
  for (const upperWanted of ctx.uppers ?? []) {
    const forced = UPPER_DISABLES.andNot(upperWanted);
    if (f.hasAny(forced)) drop(forced, 'upper-disables', REASONS['upper-disables']);
  }

  return { features: f, dropped };
}
