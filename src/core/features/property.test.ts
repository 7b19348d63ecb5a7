import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { FEATURES, LAYOUTS, LEGACY_FLAGS, NEVER_CHANGE, maskOf } from './catalog';
import { fixedFeatures, requestedOn, type NetDevice } from './device';
import { applyFeatureRequests, formatEthtoolK, formatEthtoolKCommand, parseEthtoolK, type FeatureRequest } from './ethtool';
import { FeatureSet } from './featureSet';
import { netdevFixFeatures, type FixContext } from './fix';
import { PRESETS, presetDevice } from './presets';

function randomSet(rng: Rng, density: number): FeatureSet {
  const bits: number[] = [];
  for (const f of FEATURES) if (rng.next() < density) bits.push(f.bit);
  return FeatureSet.of(...bits);
}

function randomCtx(rng: Rng): FixContext {
  return {
    gsoPartialFeatures: rng.next() < 0.5 ? maskOf('GSO_GRE', 'GSO_UDP_TUNNEL', 'GSO_IPXIP4') : undefined,
    uppers: rng.next() < 0.3 ? [randomSet(rng, 0.5)] : undefined,
    driverRules:
      rng.next() < 0.3
        ? [
            { kind: 'requires', drops: maskOf('LRO'), needs: maskOf('RXCSUM'), reason: 'r' },
            { kind: 'allow-only', scope: maskOf('TSO', 'TSO6', 'HW_CSUM'), allowed: randomSet(rng, 0.5), reason: 'a' },
          ]
        : undefined,
  };
}

const SHORT_NAMES = LEGACY_FLAGS.map((l) => l.short);
/** Bits ethtool cannot show (no kernel string, e.g. GSO_UDP) do not survive a print/parse round. */
const UNPRINTABLE = FeatureSet.of(...FEATURES.filter((f) => f.name === '').map((f) => f.bit));

function randomRequests(rng: Rng, dev: NetDevice): FeatureRequest[] {
  // never-changeable features are refused outright (tested in ethtool.test.ts)
  const names = dev.layout.entries.filter((e) => e.name !== '' && !(e.kind === 'known' && NEVER_CHANGE.has(e.bit))).map((e) => e.name);
  const out: FeatureRequest[] = [];
  const n = 1 + rng.int(5);
  for (let i = 0; i < n; i++) {
    const name = rng.next() < 0.3 ? SHORT_NAMES[rng.int(SHORT_NAMES.length)] : names[rng.int(names.length)];
    out.push({ name, on: rng.next() < 0.5 });
  }
  return out;
}

describe('netdevFixFeatures properties (seeded)', () => {
  it('is idempotent, only removes bits, and explains every removal', () => {
    const rng = new Rng(0x5eed_f1c5);
    for (let i = 0; i < 3000; i++) {
      const x = randomSet(rng, rng.next());
      const ctx = randomCtx(rng);
      const once = netdevFixFeatures(x, ctx);
      const twice = netdevFixFeatures(once.features, ctx);
      expect(twice.features.equals(once.features), `seed step ${i}: ${x.toHex()}`).toBe(true);
      expect(twice.dropped).toEqual([]);
      expect(once.features.andNot(x).isEmpty()).toBe(true);
      const explained = FeatureSet.of(...once.dropped.map((d) => d.bit));
      expect(explained.equals(x.andNot(once.features))).toBe(true);
    }
  });
});

describe('device properties under random ethtool -K sequences (seeded)', () => {
  for (const preset of PRESETS) {
    for (const layout of LAYOUTS) {
      it(`${preset.name} on ${layout.id}`, () => {
        const rng = new Rng(0xfea7 + preset.name.length * 131 + layout.id.length);
        const base = presetDevice(preset.name, { layout });
        const fixedOn = base.active.andNot(base.hw);
        let dev = base;
        for (let step = 0; step < 60; step++) {
          dev = applyFeatureRequests(dev, randomRequests(rng, dev)).device;
          // active ⊆ hw ∪ fixed-on; wanted ⊆ hw; fixed bits never move
          expect(dev.active.andNot(dev.hw.or(fixedOn)).isEmpty()).toBe(true);
          expect(dev.wanted.andNot(dev.hw).isEmpty()).toBe(true);
          expect(dev.active.and(fixedFeatures(dev)).andNot(NEVER_CHANGE).andNot(fixedOn).isEmpty()).toBe(true);
          // active is the fix of wanted plus the fixed-on bits, and a fixpoint
          const again = netdevFixFeatures(dev.wanted.or(dev.active.andNot(dev.hw)), dev.fix).features;
          expect(again.equals(dev.active)).toBe(true);
          expect(netdevFixFeatures(dev.active, dev.fix).features.equals(dev.active)).toBe(true);
          // every [requested on] has a reason
          expect(requestedOn(dev).bits()).toEqual(dev.dropped.map((d) => d.bit));
          // the printed state parses back to the same sets and prints the same
          const text = formatEthtoolK(dev, 'if0');
          const parsed = parseEthtoolK(text).device;
          expect(formatEthtoolK(parsed, 'if0')).toBe(text);
          expect(parsed.active.equals(dev.active.andNot(UNPRINTABLE))).toBe(true);
          expect(parsed.hw.equals(dev.hw.andNot(NEVER_CHANGE).andNot(UNPRINTABLE))).toBe(true);
          expect(parsed.wanted.equals(dev.wanted.andNot(NEVER_CHANGE).andNot(UNPRINTABLE))).toBe(true);
          // the copy-to-clipboard command recreates wanted from the preset
          const cmd = formatEthtoolKCommand(dev, 'if0', base);
          const words = cmd === '' ? [] : cmd.split(' ').slice(3);
          const reqs: FeatureRequest[] = [];
          for (let w = 0; w < words.length; w += 2) reqs.push({ name: words[w], on: words[w + 1] === 'on' });
          expect(applyFeatureRequests(base, reqs).device.wanted.equals(dev.wanted)).toBe(true);
        }
      });
    }
  }
});
