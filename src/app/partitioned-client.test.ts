import { afterEach, describe, expect, it } from 'vitest';
import { findPreset } from '../core/scenario/presets/index';
import { partitionedSupport, runPartitionedComparison } from './partitioned-client';

const g = globalThis as { crossOriginIsolated?: boolean };

describe('partitioned-client: cross-origin isolation', () => {
  afterEach(() => {
    delete g.crossOriginIsolated;
  });

  it('without isolation it refuses and says why, before starting any worker', async () => {
    const support = partitionedSupport();
    expect(support.ok).toBe(false);
    if (!support.ok) expect(support.reason).toMatch(/cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
    const s = findPreset('vm-to-vm-vs-nic-to-vm')!.scenario;
    await expect(runPartitionedComparison(s, { workers: 2, durationNs: 1_000_000 })).rejects.toThrow(/SharedArrayBuffer/);
  });

  it('an isolated page with SharedArrayBuffer is supported', () => {
    g.crossOriginIsolated = true;
    expect(partitionedSupport()).toEqual({ ok: true });
  });
});
