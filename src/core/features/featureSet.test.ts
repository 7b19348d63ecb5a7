import { describe, expect, it } from 'vitest';
import {
  F,
  FEATURES,
  LAYOUT_6_18,
  LAYOUT_MAINLINE,
  LAYOUT_PRE_6_12,
  LEGACY_FLAGS,
  featureByName,
  flagPatternMatch,
  gsoTypeFeatures,
  legacyFlagIndexOf,
  maskOf,
} from './catalog';
import { FeatureError } from './errors';
import { FeatureSet } from './featureSet';

const members = (short: string): string[] =>
  FEATURES.filter((f) => legacyFlagIndexOf(f.name) === LEGACY_FLAGS.findIndex((l) => l.short === short)).map((f) => f.name);
const names = (l: typeof LAYOUT_MAINLINE): string[] => l.entries.map((e) => e.name);

describe('FeatureSet', () => {
  it('holds bits on both sides of every word boundary', () => {
    const bits = [0, 1, 30, 31, 32, 33, 62, 63, 64, 65, 94, 95];
    const s = FeatureSet.of(...bits);
    expect(s.bits()).toEqual(bits);
    expect(s.size()).toBe(bits.length);
    for (let b = 0; b < 96; b++) expect(s.has(b)).toBe(bits.includes(b));
    expect(s.toHex()).toBe('0xc0000003_c0000003_c0000003');
  });

  it('with/without/set/or/and/andNot/xor behave as set algebra', () => {
    const a = FeatureSet.of(1, 40, 70);
    const b = FeatureSet.of(40, 71);
    expect(a.or(b).bits()).toEqual([1, 40, 70, 71]);
    expect(a.and(b).bits()).toEqual([40]);
    expect(a.andNot(b).bits()).toEqual([1, 70]);
    expect(a.xor(b).bits()).toEqual([1, 70, 71]);
    expect(a.with(2).without(40).bits()).toEqual([1, 2, 70]);
    expect(a.set(70, false).set(5, true).bits()).toEqual([1, 5, 40]);
    expect(a.hasAny(b)).toBe(true);
    expect(a.hasAll(b)).toBe(false);
    expect(a.hasAll(FeatureSet.of(1, 70))).toBe(true);
    expect(a.hasAll(FeatureSet.EMPTY)).toBe(true);
    expect(FeatureSet.of(31).hasAll(FeatureSet.of(31))).toBe(true);
  });

  it('compares by value and normalises empty sets', () => {
    expect(FeatureSet.of(63, 64).equals(FeatureSet.of(64).with(63))).toBe(true);
    expect(FeatureSet.of(3).without(3)).toBe(FeatureSet.EMPTY);
    expect(FeatureSet.of(3).without(3).isEmpty()).toBe(true);
    expect(FeatureSet.of(31).equals(FeatureSet.fromWords(0x80000000, 0, 0))).toBe(true);
  });

  it('rejects bits outside the space with a typed error', () => {
    expect(() => FeatureSet.of(96)).toThrow(FeatureError);
    expect(() => FeatureSet.of(-1)).toThrow(FeatureError);
    expect(() => FeatureSet.of(1.5)).toThrow(FeatureError);
    try {
      FeatureSet.of(200);
    } catch (e) {
      expect((e as FeatureError).code).toBe('bad-bit');
    }
  });
});

describe('catalog', () => {
  it('uses the reference §4.3 bit numbers and kernel strings', () => {
    const spot: Array<[number, string, string]> = [
      [0, 'NETIF_F_SG', 'tx-scatter-gather'],
      [1, 'NETIF_F_IP_CSUM', 'tx-checksum-ipv4'],
      [3, 'NETIF_F_HW_CSUM', 'tx-checksum-ip-generic'],
      [4, 'NETIF_F_IPV6_CSUM', 'tx-checksum-ipv6'],
      [11, 'NETIF_F_GSO', 'tx-generic-segmentation'],
      [14, 'NETIF_F_GRO', 'rx-gro'],
      [15, 'NETIF_F_LRO', 'rx-lro'],
      [16, 'NETIF_F_TSO', 'tx-tcp-segmentation'],
      [20, 'NETIF_F_TSO6', 'tx-tcp6-segmentation'],
      [26, 'NETIF_F_GSO_UDP_TUNNEL', 'tx-udp_tnl-segmentation'],
      [33, 'NETIF_F_GSO_UDP_L4', 'tx-udp-segmentation'],
      [34, 'NETIF_F_GSO_FRAGLIST', 'tx-gso-list'],
      [39, 'NETIF_F_RXHASH', 'rx-hashing'],
      [40, 'NETIF_F_RXCSUM', 'rx-checksum'],
      [55, 'NETIF_F_GRO_HW', 'rx-gro-hw'],
      [59, 'NETIF_F_GRO_UDP_FWD', 'rx-udp-gro-forwarding'],
      [63, 'NETIF_F_HW_HSR_DUP', 'hsr-dup-offload'],
    ];
    for (const [bit, netif, name] of spot) {
      const info = featureByName(name);
      expect(info?.bit).toBe(bit);
      expect(info?.netif).toBe(netif);
    }
    expect(FEATURES.find((f) => f.key === 'GSO_UDP')?.name).toBe('');
    const kernelNames = FEATURES.map((f) => f.name).filter((n) => n !== '');
    expect(new Set(kernelNames).size).toBe(kernelNames.length);
  });

  it('matches kernel strings to legacy flags with ethtool glob rules', () => {
    expect(flagPatternMatch('tx-tcp-segmentation', 'tx-tcp*-segmentation')).toBe(true);
    expect(flagPatternMatch('tx-tcp6-segmentation', 'tx-tcp*-segmentation')).toBe(true);
    expect(flagPatternMatch('tx-tcp-accecn-segmentation', 'tx-tcp*-segmentation')).toBe(true);
    expect(flagPatternMatch('tx-tcpsegmentation', 'tx-tcp*-segmentation')).toBe(false);
    expect(flagPatternMatch('tx-scatter-gather', 'tx-scatter-gather*')).toBe(true);
    expect(flagPatternMatch('rx-gro-hw', 'rx-gro')).toBe(false);
    expect(members('tx')).toEqual(['tx-checksum-ipv4', 'tx-checksum-ip-generic', 'tx-checksum-ipv6', 'tx-checksum-fcoe-crc', 'tx-checksum-sctp']);
    expect(members('sg')).toEqual(['tx-scatter-gather', 'tx-scatter-gather-fraglist']);
    expect(members('tso')).toEqual(['tx-tcp-segmentation', 'tx-tcp-ecn-segmentation', 'tx-tcp-mangleid-segmentation', 'tx-tcp6-segmentation', 'tx-tcp-accecn-segmentation']);
    expect(members('gro')).toEqual(['rx-gro']);
    expect(members('ufo')).toEqual([]);
  });

  it('maps SKB_GSO_* bits onto feature bits from NETIF_F_GSO_SHIFT', () => {
    expect(gsoTypeFeatures(1 << 0).equals(maskOf('TSO'))).toBe(true);
    expect(gsoTypeFeatures((1 << 0) | (1 << 2)).equals(maskOf('TSO', 'TSO_ECN'))).toBe(true);
    expect(gsoTypeFeatures(1 << 1).equals(maskOf('GSO_ROBUST'))).toBe(true);
    expect(gsoTypeFeatures(1 << 4).equals(maskOf('TSO6'))).toBe(true);
    expect(gsoTypeFeatures(1 << 16).equals(maskOf('GSO_UDP'))).toBe(true);
    expect(gsoTypeFeatures(1 << 17).equals(maskOf('GSO_UDP_L4'))).toBe(true);
    expect(gsoTypeFeatures(1 << 18).equals(maskOf('GSO_FRAGLIST'))).toBe(true);
    expect(gsoTypeFeatures(1 << 19).equals(maskOf('GSO_ACCECN'))).toBe(true);
  });

  it('layouts differ where the kernels do', () => {
    expect(names(LAYOUT_MAINLINE)).toContain('netns-local');
    expect(names(LAYOUT_MAINLINE)).not.toContain('tx-lockless');
    const pre = names(LAYOUT_PRE_6_12);
    expect(pre.indexOf('tx-lockless')).toBe(pre.indexOf('vlan-challenged') + 2); // tx-generic-segmentation sits between
    const l618 = names(LAYOUT_6_18);
    expect(l618).not.toContain('netns-local');
    expect(l618).not.toContain('fcoe-mtu');
    expect(l618.indexOf('tx-tcp-accecn-segmentation')).toBe(l618.indexOf('tx-gso-list') + 1);
    expect(LAYOUT_6_18.known.has(F.GSO_ACCECN)).toBe(true);
    expect(LAYOUT_MAINLINE.known.has(F.GSO_ACCECN)).toBe(false);
  });
});
