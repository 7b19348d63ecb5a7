import { describe, expect, it } from 'vitest';
import { applyFeatureRequests, F, formatEthtoolK, parseEthtoolK } from '../../core/features';
import { findPreset } from '../../core/scenario/presets';
import { parseScenario } from '../../core/scenario/validate';
import type { InterfaceTemplate } from '../../core/scenario/types';
import { deviceOf, intentOf } from './offload-intent';

describe('offload intent', () => {
  it('TSO off on virtio-net: the whole TSO group goes, nothing else, and the scenario stays valid', () => {
    const { device, baseline } = deviceOf({ template: 'virtio-net', features: {} }, 'vm');
    const off = applyFeatureRequests(device, [{ name: 'tso', on: false }]).device;
    const intent = intentOf(off, baseline);
    expect(Object.keys(intent).toSorted()).toEqual(['tx-tcp-ecn-segmentation', 'tx-tcp-segmentation', 'tx-tcp6-segmentation']);
    expect(Object.values(intent).every((v) => v === false)).toBe(true);
    const again = deviceOf({ template: 'virtio-net', features: intent }, 'vm').device;
    expect(again.active.has(F.TSO)).toBe(false);
    expect(again.active.has(F.SG)).toBe(true);
    const club = findPreset('router-club')?.scenario;
    if (!club) throw new Error('router-club missing');
    const edited = { ...club, nodes: club.nodes.map((n) => (n.id === 'r1' ? { ...n, interfaces: n.interfaces.map((i) => (i.name === 'eth1' ? { ...i, features: intent } : i)) } : n)) };
    expect(parseScenario(edited).ok).toBe(true);
  });

  it('scatter-gather off leaves TSO wanted but off ([requested on]); turning SG back on restores it', () => {
    const { device, baseline } = deviceOf({ template: 'virtio-net', features: {} }, 'vm');
    const sgOff = applyFeatureRequests(device, [{ name: 'sg', on: false }]).device;
    expect(sgOff.active.has(F.TSO)).toBe(false);
    expect(sgOff.wanted.has(F.TSO)).toBe(true);
    const intent = intentOf(sgOff, baseline);
    expect(intent).toEqual({ 'tx-scatter-gather': false });
    const back = applyFeatureRequests(deviceOf({ template: 'virtio-net', features: intent }, 'vm').device, [{ name: 'sg', on: true }]).device;
    expect(intentOf(back, baseline)).toEqual({});
    expect(back.active.has(F.TSO)).toBe(true);
  });

  it('an ethtool -k dump of any changed device pastes back to the same intent', () => {
    const templates: InterfaceTemplate[] = ['virtio-net', 'tap', 'veth', 'bridge', 'nic'];
    for (const [template, nodeKind] of templates.flatMap((t) => [[t, 'container'], [t, 'router']] as const)) {
      const { device, baseline } = deviceOf({ template, features: {} }, nodeKind);
      for (const name of ['tx', 'sg', 'tso', 'gso', 'gro', 'rx']) {
        const r = applyFeatureRequests(device, [{ name, on: false }]);
        if (r.exitCode !== 0) continue;
        const intent = intentOf(r.device, baseline);
        const pasted = parseEthtoolK(formatEthtoolK(r.device, 'eth0')).device;
        expect(intentOf(pasted, baseline), `${template} ${name} off`).toEqual(intent);
      }
    }
  });

  it('a router’s NIC starts with LRO off (dev_disable_lro), a host’s keeps the driver default; intent is relative to that', () => {
    const host = deviceOf({ template: 'nic', features: {} }, 'container');
    const router = deviceOf({ template: 'nic', features: {} }, 'router');
    expect(host.device.active.has(F.LRO)).toBe(true);
    expect(router.device.active.has(F.LRO)).toBe(false);
    // Turning LRO back on is allowed (the kernel then drops what it would forward) and is recorded as intent.
    const on = applyFeatureRequests(router.device, [{ name: 'lro', on: true }]).device;
    expect(intentOf(on, router.baseline)).toEqual({ 'rx-lro': true });
  });

  it('a bad intent is reported, not thrown', () => {
    const r = deviceOf({ template: 'veth', features: { 'no-such-feature': true } }, 'container');
    expect(r.error).toMatch(/no-such-feature/);
  });
});
