/**
 * The packet inspector's intent: whether its drawer is open and where to capture. Captured frames are not
 * app state; the inspector keeps them while it is open.
 */
import { create } from 'zustand';

export interface InspectorState {
  open: boolean;
  /** Capture filter: '' for every point, `node/iface` for both directions, `node/iface/dir` for one. */
  point: string;
  setOpen(open: boolean): void;
  toggle(): void;
  setPoint(point: string): void;
}

export const useInspectorStore = create<InspectorState>()((set) => ({
  open: false,
  point: '',
  setOpen: (open) => set({ open }),
  toggle: () => set((s) => ({ open: !s.open })),
  setPoint: (point) => set({ point }),
}));
