import { describe, expect, it } from 'vitest';
import type { TxChecksumCaps } from '../packet/skb';
import { F, LAYOUTS, LAYOUT_6_18, LAYOUT_PRE_6_12, maskOf } from './catalog';
import { devDisableLro, netGsoOk, netifNeedsGso, requestedOn, updateFeatures, withFixContext } from './device';
import { applyEthtoolCommand, formatEthtoolK } from './ethtool';
import APPENDIX_A from './fixtures/appendix-a-veth-linux-6.18.txt?raw';
import EXAMPLE_A from './fixtures/example-a-virtio-net.txt?raw';
import EXAMPLE_B from './fixtures/example-b-veth.txt?raw';
import { PRESETS, bridgeDevice, ixgbeLikeDevice, presetDevice, tapDevice, virtioNetDevice, vethDevice } from './presets';

const SKB_GSO_TCPV4 = 1 << 0;
const SKB_GSO_DODGY = 1 << 1;
const SKB_GSO_TCPV6 = 1 << 4;
const SKB_GSO_UDP_L4 = 1 << 17;
const SKB_GSO_TCP_FIXEDID = 1 << 3;
const SKB_GSO_UDP_TUNNEL = 1 << 10;
const SKB_GSO_PARTIAL = 1 << 12;

const lineAfter = (text: string, line: string): string => {
  const lines = text.split('\n');
  return lines[lines.indexOf(line) + 1];
};

describe('presets built from driver flags', () => {
  it('virtio-net prints reference Example A byte for byte', () => {
    expect(formatEthtoolK(virtioNetDevice(), 'ens3')).toBe(EXAMPLE_A);
  });

  it('veth prints reference Example B, and Appendix A on the 6.18 layout', () => {
    expect(formatEthtoolK(vethDevice(), 'veth0')).toBe(EXAMPLE_B);
    expect(formatEthtoolK(vethDevice({ layout: LAYOUT_6_18 }), 'veth0')).toBe(APPENDIX_A);
  });

  it('virtio-net variations of §4.4', () => {
    expect(formatEthtoolK(virtioNetDevice({ ctrlGuestOffloads: false }), 'ens3')).toContain('\nrx-gro-hw: on [fixed]\n');
    expect(formatEthtoolK(virtioNetDevice({ hostUso: false }), 'ens3')).toContain('\ntx-udp-segmentation: off [fixed]\n');
    expect(formatEthtoolK(virtioNetDevice({ rss: true }), 'ens3')).toContain('\nreceive-hashing: off\n');
  });

  it('kernels before 6.12 add tx-lockless after vlan-challenged', () => {
    expect(lineAfter(formatEthtoolK(virtioNetDevice({ layout: LAYOUT_PRE_6_12 }), 'ens3'), 'vlan-challenged: off [fixed]')).toBe('tx-lockless: off [fixed]');
    expect(lineAfter(formatEthtoolK(vethDevice({ layout: LAYOUT_PRE_6_12 }), 'veth0'), 'vlan-challenged: off [fixed]')).toBe('tx-lockless: on [fixed]');
  });

  it('every preset on every layout is already a fixpoint with nothing requested-but-off', () => {
    for (const p of PRESETS) {
      for (const layout of LAYOUTS) {
        const dev = presetDevice(p.name, { layout });
        expect(updateFeatures(dev), `${p.name} ${layout.id}`).toBe(dev);
        expect(requestedOn(dev).isEmpty()).toBe(true);
        expect(dev.active.andNot(layout.known).isEmpty()).toBe(true);
      }
    }
  });

  it('tap: offloads follow what the VMM enabled (TUNSETOFFLOAD)', () => {
    const tap = tapDevice();
    expect(tap.offloads.tso && tap.offloads.tso6 && tap.offloads.hwCsum && tap.offloads.uso && tap.offloads.gso).toBe(true);
    expect(tap.offloads.rxCsum).toBe(false);
    const noCsum = tapDevice({ vmmOffloads: { csum: false, tso4: true, tso6: true, tsoEcn: true, uso: true } });
    expect(noCsum.offloads.hwCsum || noCsum.offloads.tso).toBe(false);
    const r = applyEthtoolCommand(noCsum, 'ethtool -K tap0 tso on');
    expect(r.stdout).toContain('tx-tcp-segmentation: off [requested on]\n');
    expect(r.changes.find((c) => c.name === 'tx-tcp-segmentation')?.reason).toBe('the VMM did not enable this offload on the tap (TUNSETOFFLOAD)');
    expect(r.exitCode).toBe(1);
  });

  it('bridge: all segmentation toggleable, netns-local fixed on, no rx checksumming', () => {
    const text = formatEthtoolK(bridgeDevice(), 'br0');
    expect(text).toContain('\nnetns-local: on [fixed]\n');
    expect(text).toContain('\nrx-checksumming: off [fixed]\n');
    expect(text).toContain('\ntx-gso-partial: on\n');
    expect(text).toContain('\ttx-tcp-mangleid-segmentation: on\n');
    const noSg = applyEthtoolCommand(bridgeDevice(), 'ethtool -K br0 sg off').device;
    expect(noSg.offloads.gso || noSg.offloads.tso).toBe(false);
  });

  it('nic (ixgbe-like): LRO on, driver and core rules both bite', () => {
    const nic = ixgbeLikeDevice();
    expect(nic.offloads.lro && nic.offloads.rxHash && nic.offloads.tso && nic.offloads.gsoPartial).toBe(true);
    const rxOff = applyEthtoolCommand(nic, 'ethtool -K eth0 rx off');
    expect(rxOff.stdout).toBe('Actual changes:\nrx-lro: off [not requested]\nrx-checksum: off\n');
    expect(rxOff.changes[0].reason).toBe('the driver turns LRO (RSC) off when receive checksumming is off');
    const fcs = applyEthtoolCommand(nic, 'ethtool -K eth0 rx-fcs on');
    expect(fcs.stdout).toBe('Actual changes:\nrx-lro: off [not requested]\nrx-fcs: on\n');
    expect(fcs.changes[0].reason).toBe('receive aggregation (LRO, hardware GRO) cannot be combined with rx-fcs');
    const partialOff = applyEthtoolCommand(nic, 'ethtool -K eth0 tx-gso-partial off').device;
    expect(partialOff.active.hasAny(maskOf('GSO_GRE', 'GSO_UDP_TUNNEL'))).toBe(false);
    expect(formatEthtoolK(partialOff, 'eth0')).toContain('\ntx-udp_tnl-segmentation: off [requested on]\n');
  });

  it('forwarding and enslaving turn LRO off (dev_disable_lro, upper devices)', () => {
    const fwd = devDisableLro(ixgbeLikeDevice());
    expect(fwd.offloads.lro).toBe(false);
    expect(fwd.wanted.has(F.LRO)).toBe(false);
    const enslaved = withFixContext(ixgbeLikeDevice(), { ...ixgbeLikeDevice().fix, uppers: [bridgeDevice().wanted] });
    expect(enslaved.offloads.lro).toBe(false);
    expect(formatEthtoolK(enslaved, 'eth0')).toContain('\nlarge-receive-offload: off [requested on]\n');
    expect(enslaved.dropped.find((d) => d.bit === F.LRO)?.rule).toBe('upper-disables');
  });

  it('Offloads can stand in for packet/skb TxChecksumCaps', () => {
    const caps: TxChecksumCaps = virtioNetDevice().offloads;
    expect(caps.hwCsum && !caps.ipCsum && !caps.ipv6Csum).toBe(true);
    const nic = ixgbeLikeDevice();
    expect(nic.fixed.has(F.HIGHDMA) && !nic.fixed.has(F.TSO)).toBe(true);
  });

  it('netif_needs_gso: where a super-frame must be segmented in software', () => {
    const ok = { gsoType: SKB_GSO_TCPV4, csumPartialOrUnnecessary: true, protocolChecksummable: true, ipv4Df: true };
    const virtio = virtioNetDevice();
    expect(netifNeedsGso(virtio, ok)).toBe(false);
    expect(netifNeedsGso(virtio, { ...ok, protocolChecksummable: false })).toBe(true); // harmonize_features
    expect(netifNeedsGso(virtio, { ...ok, csumPartialOrUnnecessary: false })).toBe(true);
    expect(netifNeedsGso(virtio, { ...ok, hasFragList: true })).toBe(true); // no tx-scatter-gather-fraglist
    expect(netifNeedsGso(vethDevice(), { ...ok, hasFragList: true })).toBe(false);
    expect(netifNeedsGso(vethDevice(), { ...ok, gsoType: SKB_GSO_TCPV4 | SKB_GSO_DODGY })).toBe(true); // no tx-gso-robust
    expect(netifNeedsGso(applyEthtoolCommand(virtio, 'ethtool -K ens3 tso off').device, ok)).toBe(true);
    // a fixed-ID (GRO-merged) TCPv4 super-frame needs TSO_MANGLEID, usable only with DF
    const fixedId = { ...ok, gsoType: SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID };
    expect(netifNeedsGso(vethDevice(), fixedId)).toBe(false);
    expect(netifNeedsGso(vethDevice(), { ...fixedId, ipv4Df: false })).toBe(true);
    // tunnel types the NIC does only as GSO_PARTIAL
    expect(netifNeedsGso(ixgbeLikeDevice(), { ...ok, gsoType: SKB_GSO_TCPV4 | SKB_GSO_UDP_TUNNEL })).toBe(true);
    expect(netifNeedsGso(ixgbeLikeDevice(), { ...ok, gsoType: SKB_GSO_TCPV4 | SKB_GSO_UDP_TUNNEL | SKB_GSO_PARTIAL })).toBe(false);
  });

  it('net_gso_ok per gso_type', () => {
    const virtio = virtioNetDevice();
    expect(netGsoOk(virtio.active, SKB_GSO_TCPV4 | SKB_GSO_DODGY)).toBe(true); // tx-gso-robust fixed on
    expect(netGsoOk(virtio.active, SKB_GSO_TCPV6)).toBe(true);
    expect(netGsoOk(virtio.active, SKB_GSO_UDP_L4)).toBe(false); // tx-udp-segmentation off by default
    const veth = vethDevice();
    expect(netGsoOk(veth.active, SKB_GSO_TCPV4)).toBe(true);
    expect(netGsoOk(veth.active, SKB_GSO_TCPV4 | SKB_GSO_DODGY)).toBe(false);
    expect(netGsoOk(veth.active, SKB_GSO_UDP_L4)).toBe(true);
    expect(netGsoOk(applyEthtoolCommand(veth, 'ethtool -K veth0 tso off').device.active, SKB_GSO_TCPV4)).toBe(false);
  });
});
