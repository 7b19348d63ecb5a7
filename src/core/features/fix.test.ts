import { describe, expect, it } from 'vitest';
import { maskOf, type FeatureKey } from './catalog';
import { FeatureSet } from './featureSet';
import { netdevFixFeatures, REASONS, type FixContext, type FixRule } from './fix';

const set = (...keys: FeatureKey[]): FeatureSet => maskOf(...keys);
const fix = (keys: FeatureKey[], ctx?: FixContext) => netdevFixFeatures(set(...keys), ctx);
const droppedBy = (r: ReturnType<typeof netdevFixFeatures>): Record<string, FixRule> => Object.fromEntries(r.dropped.map((d) => [d.name, d.rule]));

describe('netdevFixFeatures: each §4.2 rule alone', () => {
  it('a consistent set passes unchanged', () => {
    const ok = set('SG', 'HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'GSO', 'GRO', 'RXCSUM', 'GRO_HW');
    const r = netdevFixFeatures(ok);
    expect(r.features.equals(ok)).toBe(true);
    expect(r.dropped).toEqual([]);
  });

  it('rule 1: HW_CSUM with IP_CSUM/IPV6_CSUM drops the IP ones', () => {
    const r = fix(['HW_CSUM', 'IP_CSUM', 'IPV6_CSUM', 'SG']);
    expect(r.features.equals(set('HW_CSUM', 'SG'))).toBe(true);
    expect(droppedBy(r)).toEqual({ 'tx-checksum-ipv4': 'mixed-csum', 'tx-checksum-ipv6': 'mixed-csum' });
  });

  it('rule 2: no SG drops every TSO bit, with the reason the UI shows', () => {
    const r = fix(['HW_CSUM', 'TSO', 'TSO6', 'TSO_ECN', 'TSO_MANGLEID']);
    expect(r.features.equals(set('HW_CSUM'))).toBe(true);
    expect(r.dropped.map((d) => d.rule)).toEqual(['tso-needs-sg', 'tso-needs-sg', 'tso-needs-sg', 'tso-needs-sg']);
    expect(r.dropped[0].name).toBe('tx-tcp-segmentation');
    expect(r.dropped[0].reason).toBe('TSO needs scatter-gather and checksum offload: tx-scatter-gather is off');
  });

  it('rule 3: TSO without IPv4-capable checksum drops TSO and TSO_ECN; TSO6 needs an IPv6-capable one', () => {
    const r = fix(['SG', 'IPV6_CSUM', 'TSO', 'TSO_ECN', 'TSO6']);
    expect(r.features.equals(set('SG', 'IPV6_CSUM', 'TSO6'))).toBe(true);
    expect(droppedBy(r)).toEqual({ 'tx-tcp-segmentation': 'tso-needs-csum', 'tx-tcp-ecn-segmentation': 'tso-needs-csum' });
    const r6 = fix(['SG', 'IP_CSUM', 'TSO', 'TSO6']);
    expect(r6.features.equals(set('SG', 'IP_CSUM', 'TSO'))).toBe(true);
    expect(droppedBy(r6)).toEqual({ 'tx-tcp6-segmentation': 'tso6-needs-csum' });
    expect(r6.dropped[0].reason).toContain('IPv6 TSO needs tx-checksum-ipv6 or tx-checksum-ip-generic');
    // HW_CSUM covers both
    expect(fix(['SG', 'HW_CSUM', 'TSO', 'TSO6']).dropped).toEqual([]);
  });

  it('rule 4: TSO_MANGLEID without TSO is dropped', () => {
    const r = fix(['SG', 'HW_CSUM', 'TSO6', 'TSO_MANGLEID']);
    expect(droppedBy(r)).toEqual({ 'tx-tcp-mangleid-segmentation': 'mangleid-needs-tso' });
  });

  it('rule 5: TSO_ECN as the only TSO bit is dropped', () => {
    const r = fix(['SG', 'HW_CSUM', 'TSO_ECN']);
    expect(r.features.equals(set('SG', 'HW_CSUM'))).toBe(true);
    expect(droppedBy(r)).toEqual({ 'tx-tcp-ecn-segmentation': 'ecn-needs-tso' });
    // ECN with TSO6 survives
    expect(fix(['SG', 'HW_CSUM', 'TSO_ECN', 'TSO6']).dropped).toEqual([]);
  });

  it('rules run in kernel order: rule 3 leaves ECN alone with nothing, rule 5 then drops it', () => {
    // TSO6 dropped by rule 3 (no IPv6 csum), TSO dropped too; ECN went with TSO in rule 3 already.
    const r = fix(['SG', 'TSO', 'TSO_ECN', 'TSO6']);
    expect(r.features.equals(set('SG'))).toBe(true);
    expect(r.dropped.map((d) => `${d.name}:${d.rule}`)).toEqual([
      'tx-tcp-segmentation:tso-needs-csum',
      'tx-tcp-ecn-segmentation:tso-needs-csum',
      'tx-tcp6-segmentation:tso6-needs-csum',
    ]);
    // IPv4 csum only: TSO6 goes (rule 3), ECN stays with TSO.
    const r2 = fix(['SG', 'IP_CSUM', 'TSO_ECN', 'TSO6']);
    expect(r2.dropped.map((d) => `${d.name}:${d.rule}`)).toEqual(['tx-tcp6-segmentation:tso6-needs-csum', 'tx-tcp-ecn-segmentation:ecn-needs-tso']);
  });

  it('rule 6: GSO without SG is dropped', () => {
    const r = fix(['GSO', 'GRO', 'HW_CSUM']);
    expect(r.features.equals(set('GRO', 'HW_CSUM'))).toBe(true);
    expect(droppedBy(r)).toEqual({ 'tx-generic-segmentation': 'gso-needs-sg' });
    expect(r.dropped[0].reason).toBe(REASONS['gso-needs-sg']);
  });

  it('rule 7: gso_partial_features need GSO_PARTIAL', () => {
    const ctx: FixContext = { gsoPartialFeatures: set('GSO_GRE', 'GSO_UDP_TUNNEL') };
    const r = fix(['SG', 'GSO_GRE', 'GSO_UDP_TUNNEL', 'GSO_IPXIP4'], ctx);
    expect(r.features.equals(set('SG', 'GSO_IPXIP4'))).toBe(true);
    expect(droppedBy(r)).toEqual({ 'tx-gre-segmentation': 'gso-partial', 'tx-udp_tnl-segmentation': 'gso-partial' });
    expect(fix(['SG', 'GSO_GRE', 'GSO_PARTIAL'], ctx).dropped).toEqual([]);
  });

  it('rule 8: GRO_HW needs RXCSUM', () => {
    const r = fix(['GRO_HW', 'GRO']);
    expect(r.features.equals(set('GRO'))).toBe(true);
    expect(droppedBy(r)).toEqual({ 'rx-gro-hw': 'gro-hw-needs-rxcsum' });
  });

  it('rule 9: RXFCS drops LRO and GRO_HW (before rule 10 can)', () => {
    const r = fix(['RXFCS', 'RXCSUM', 'LRO', 'GRO_HW']);
    expect(r.features.equals(set('RXFCS', 'RXCSUM'))).toBe(true);
    expect(droppedBy(r)).toEqual({ 'rx-lro': 'rxfcs-excludes-aggregation', 'rx-gro-hw': 'rxfcs-excludes-aggregation' });
  });

  it('rule 10: GRO_HW with LRO drops LRO', () => {
    const r = fix(['RXCSUM', 'LRO', 'GRO_HW']);
    expect(r.features.equals(set('RXCSUM', 'GRO_HW'))).toBe(true);
    expect(droppedBy(r)).toEqual({ 'rx-lro': 'gro-hw-excludes-lro' });
  });

  it('rule 8 before 10: without RXCSUM, GRO_HW goes and LRO stays', () => {
    const r = fix(['LRO', 'GRO_HW']);
    expect(r.features.equals(set('LRO'))).toBe(true);
  });

  it('rule 11: an upper device with LRO off forces LRO off', () => {
    const r = fix(['RXCSUM', 'LRO'], { uppers: [set('SG', 'GRO')] });
    expect(droppedBy(r)).toEqual({ 'rx-lro': 'upper-disables' });
    expect(fix(['RXCSUM', 'LRO'], { uppers: [set('LRO')] }).dropped).toEqual([]);
  });

  it('driver rules run first and carry their own reason', () => {
    const ctx: FixContext = {
      driverRules: [
        { kind: 'allow-only', scope: set('TSO', 'TSO6', 'HW_CSUM'), allowed: set('HW_CSUM', 'TSO6'), reason: 'vmm says no' },
        { kind: 'requires', drops: set('LRO'), needs: set('RXCSUM'), reason: 'lro needs rx csum' },
      ],
    };
    const r = fix(['SG', 'HW_CSUM', 'TSO', 'TSO6', 'LRO'], ctx);
    expect(r.features.equals(set('SG', 'HW_CSUM', 'TSO6'))).toBe(true);
    expect(r.dropped.map((d) => [d.name, d.rule, d.reason])).toEqual([
      ['tx-tcp-segmentation', 'driver', 'vmm says no'],
      ['rx-lro', 'driver', 'lro needs rx csum'],
    ]);
  });

  it('never adds a bit', () => {
    const all = FeatureSet.fromWords(0xffffffff, 0xffffffff, 1);
    const r = netdevFixFeatures(all, { gsoPartialFeatures: set('GSO_GRE') });
    expect(r.features.andNot(all).isEmpty()).toBe(true);
    // and everything dropped is accounted for exactly once
    expect(r.dropped.length).toBe(all.size() - r.features.size());
  });
});
