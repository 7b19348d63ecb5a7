import { describe, expect, it } from 'vitest';
import { AUDITED_COSTS } from '../scenario/presets/audit';
import { COST_PROFILES } from './profiles';
import { KVM_2017_RANGES, RANGED_COSTS, inRange } from './ranges';

describe('sourced cost ranges', () => {
  it('every kvm-2017 CPU cost sits inside its range: the profile bends nothing', () => {
    for (const name of RANGED_COSTS) {
      expect(inRange(name, COST_PROFILES['kvm-2017'].params[name].value), name).toBe(true);
      expect(KVM_2017_RANGES[name].min, name).toBeGreaterThanOrEqual(0);
    }
  });

  it('every CPU cost the audit doubles has a range, so a calibration search covers them all', () => {
    expect(new Set(AUDITED_COSTS.filter((c) => !(RANGED_COSTS as string[]).includes(c)))).toEqual(new Set());
  });

  it('the exit penalty may reach E2’s 10× of a 2,000-cycle exit at 2.5 GHz, not more', () => {
    expect(KVM_2017_RANGES.exitPenaltyNs.max).toBe(((10 - 1) * 2000) / 2.5);
  });

  it('an interrupt’s direct cost is per exit it takes: none with posted interrupts', () => {
    expect(inRange('interruptNs', 0, { interruptExits: 0 })).toBe(true);
    expect(inRange('interruptNs', 100, { interruptExits: 0 })).toBe(false);
    expect(inRange('interruptNs', 600, { interruptExits: 1 })).toBe(true);
    expect(inRange('interruptNs', 1440, { interruptExits: 1 })).toBe(false);
    // Counts come first, so a sampler can scale the costs per unit of them.
    expect(RANGED_COSTS.indexOf('interruptExits')).toBeLessThan(RANGED_COSTS.indexOf('interruptNs'));
  });
});
