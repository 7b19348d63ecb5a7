/**
 * Workshop mode: which guided workshop is open, the current step, the participant's predictions and the
 * measured values per step, and presenter view. Also the last finished run's RunResult (fetched once per run
 * by the share layer), which the run summary and the workshop reveal read.
 */
import { create } from 'zustand';
import type { RunResult } from '../core/metrics/result';

export interface StepRecord {
  /** Choice id the participant predicted (required before the reveal). */
  prediction?: string;
  /** The step's metric measured in this session's run of the step. */
  measured?: number;
}

export interface WorkshopState {
  workshopId: string | null;
  stepIndex: number;
  presenter: boolean;
  records: StepRecord[];
  /** The step whose run is in flight; the finished run's result is credited to it. */
  awaitingStep: number | null;
  open(workshopId: string, stepIndex?: number): void;
  close(): void;
  goTo(stepIndex: number): void;
  predict(stepIndex: number, choiceId: string): void;
  setAwaiting(stepIndex: number | null): void;
  recordMeasured(stepIndex: number, value: number): void;
  setPresenter(on: boolean): void;
}

export const useWorkshopStore = create<WorkshopState>()((set) => ({
  workshopId: null,
  stepIndex: 0,
  presenter: false,
  records: [],
  awaitingStep: null,
  open: (workshopId, stepIndex = 0) => set({ workshopId, stepIndex, records: [], awaitingStep: null }),
  close: () => set({ workshopId: null, stepIndex: 0, records: [], awaitingStep: null, presenter: false }),
  goTo: (stepIndex) => set({ stepIndex, awaitingStep: null }),
  predict: (stepIndex, choiceId) =>
    set((s) => {
      const records = s.records.slice();
      records[stepIndex] = { ...records[stepIndex], prediction: choiceId };
      return { records };
    }),
  setAwaiting: (awaitingStep) => set({ awaitingStep }),
  recordMeasured: (stepIndex, value) =>
    set((s) => {
      const records = s.records.slice();
      records[stepIndex] = { ...records[stepIndex], measured: value };
      return { records, awaitingStep: null };
    }),
  setPresenter: (presenter) => set({ presenter }),
}));

export interface RunResultState {
  /** The finished run's result and the engine key (scenario + seed) it belongs to. */
  last: { key: string; result: RunResult } | null;
  setLast(last: RunResultState['last']): void;
}

export const useRunResultStore = create<RunResultState>()((set) => ({
  last: null,
  setLast: (last) => set({ last }),
}));
