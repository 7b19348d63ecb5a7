/**
 * A/B compare intent: which variant runs as B beside the scenario (A). The second engine and its samples
 * live in the app's compare client, never here.
 */
import { create } from 'zustand';

export interface CompareState {
  /** Id of the chosen B variant (see compareChoices), or null when not comparing. */
  variant: string | null;
  /** Why B could not be built or loaded; shown beside the control. */
  error: string | null;
  start(variant: string): void;
  stop(): void;
  setError(error: string | null): void;
}

export const useCompareStore = create<CompareState>()((set) => ({
  variant: null,
  error: null,
  start: (variant) => set({ variant, error: null }),
  stop: () => set({ variant: null, error: null }),
  setError: (error) => set({ error }),
}));
