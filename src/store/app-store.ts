/**
 * Intent, not telemetry: which scenario the user has, its seed and pacing, and the run's coarse state
 * (for the buttons). Metric samples never pass through here; they live in the app's MetricsHistory.
 */
import { create } from 'zustand';
import type { RunState, Speed } from '../core/protocol';
import type { Scenario } from '../core/scenario/types';
import { findPreset, PRESETS } from '../core/scenario/presets';

export interface RunView {
  state: RunState;
  nowNs: number;
  durationNs: number;
  error?: string;
}

export interface AppState {
  presetId: string;
  scenario: Scenario;
  seed: number;
  speed: Speed;
  run: RunView;
  /** A problem to show the user (bad input, a failed load); never silently dropped. */
  notice: string | null;
  selectPreset(id: string): void;
  setSeed(seed: number): void;
  setSpeed(speed: Speed): void;
  setRun(run: RunView): void;
  setNotice(notice: string | null): void;
}

const first = PRESETS[0];

export const useAppStore = create<AppState>()((set) => ({
  presetId: first.id,
  scenario: first.scenario,
  seed: first.scenario.seed,
  speed: { kind: 'rate', virtualPerWall: 0.01 },
  run: { state: 'empty', nowNs: 0, durationNs: first.scenario.durationNs },
  notice: null,
  selectPreset: (id) => {
    const preset = findPreset(id);
    if (!preset) {
      set({ notice: `No preset called "${id}".` });
      return;
    }
    set({ presetId: id, scenario: preset.scenario, seed: preset.scenario.seed, notice: null });
  },
  setSeed: (seed) => set({ seed }),
  setSpeed: (speed) => set({ speed }),
  setRun: (run) => set({ run }),
  setNotice: (notice) => set({ notice }),
}));
