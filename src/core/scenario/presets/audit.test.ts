import { describe, expect, it } from 'vitest';
import { runScenario } from '../../engine';
import { AUDITED_COSTS, auditCosts } from './audit';
import { PRESETS } from './index';

const MS = 1_000_000;

describe('cost audit', () => {
  it('audits CPU work only: no latency or TCP timer among the costs', () => {
    expect(AUDITED_COSTS).toContain('kickNs');
    expect(AUDITED_COSTS).toContain('copyNsPerByte');
    expect(AUDITED_COSTS).not.toContain('wakeupLatencyNs');
    expect(AUDITED_COSTS).not.toContain('rtoMinNs');
    expect(AUDITED_COSTS).not.toContain('napiWeightPackets');
  });

  it('makes one cost dearer at a time and measures goodput against the unchanged run', { timeout: 60_000 }, () => {
    const seen: string[] = [];
    const rows = auditCosts(
      (s) => {
        seen.push(JSON.stringify(s.profileOverrides ?? {}));
        return runScenario(s, { durationNs: 40 * MS });
      },
      { presets: PRESETS.filter((p) => p.id === 'vm-vm-offload'), params: ['copyNsPerByte', 'pollerPerPacketNs'] },
    );
    // Both costs are non-zero in kvm-2017, so each gets its run.
    expect(rows.map((r) => [r.param, r.baseValue, r.value])).toEqual([
      ['copyNsPerByte', 0.1, 0.2],
      ['pollerPerPacketNs', 40, 80],
    ]);
    expect(seen).toEqual(['{}', '{"copyNsPerByte":0.2}', '{"pollerPerPacketNs":80}']);
    // A third of vm-vm-offload's bottleneck (the sender's vCPU) is copying 64 KiB frames: twice the copy cost takes ≈ a quarter off.
    const copy = rows[0];
    expect(copy.ratio).toBeLessThan(0.9);
    // Nothing on this path polls: a dearer poller changes nothing.
    expect(rows[1].ratio).toBe(1);
  });
});
