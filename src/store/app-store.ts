/**
 * Intent, not telemetry: which scenario the user has, its seed and pacing, the run's coarse state (for the
 * buttons), and the editor's undo/redo history and selection. Metric samples never pass through here; they
 * live in the app's MetricsHistory. Every scenario change goes through `edit` (one typed Edit, one undo step).
 */
import { create } from 'zustand';
import type { RunState, Speed } from '../core/protocol';
import type { Endpoint, Scenario } from '../core/scenario/types';
import { findPreset, PRESETS } from '../core/scenario/presets';
import { presetScenario } from '../core/scenario/presets/report';
import { applyEdit, describeEdit, type Edit } from '../core/edit/edit';
import { emptyScenario, withPositions } from '../core/edit/ops';
import { AUTOSAVE_BACKUP_KEY, AUTOSAVE_DEBOUNCE_MS, AUTOSAVE_KEY, browserStorage, encodeAutosave, restoreFrom } from './autosave';

export interface RunView {
  state: RunState;
  nowNs: number;
  durationNs: number;
  error?: string;
}

/** What the properties panel is about. Nodes can be multi-selected; the panel shows the first item. */
export type SelItem =
  | { kind: 'host'; id: string }
  | { kind: 'node'; id: string }
  | { kind: 'iface'; node: string; iface: string }
  | { kind: 'link'; id: string };

interface HistoryEntry {
  forward: Edit;
  inverse: Edit;
}

/** Undo depth; older steps are forgotten (each holds only the touched objects, so this is small). */
export const MAX_UNDO = 500;

export type Theme = 'system' | 'light' | 'dark';

export interface AppState {
  presetId: string;
  scenario: Scenario;
  seed: number;
  speed: Speed;
  run: RunView;
  /** A problem to show the user (bad input, a failed load); never silently dropped. */
  notice: string | null;
  /**
   * The scenario as the engine is running it when features were toggled live: its start state plus the
   * timeline of those changes (what a share link must carry to reproduce the run). Null otherwise.
   */
  liveRun: Scenario | null;
  setLiveRun(scenario: Scenario | null): void;
  undoStack: HistoryEntry[];
  redoStack: HistoryEntry[];
  selection: SelItem[];
  theme: Theme;
  helpOpen: boolean;
  /** An interface waiting for the other end of a new link (keyboard connect: `c`, then pick another). */
  connectFrom: Endpoint | null;
  /** Bumped to ask the canvas to fit the view to the topology. */
  fitRequest: number;
  /** Load a preset, or one of its named variants (the variant's changes applied to the preset's scenario). */
  selectPreset(id: string, variant?: string): void;
  setSeed(seed: number): void;
  setSpeed(speed: Speed): void;
  setRun(run: RunView): void;
  setNotice(notice: string | null): void;
  /** Applies one edit as one undo step; returns false (and says why) if it does not apply. */
  edit(edit: Edit): boolean;
  undo(): void;
  redo(): void;
  /** Replaces the document (new, import): history starts over. */
  replaceScenario(scenario: Scenario, presetId?: string): void;
  select(items: SelItem[]): void;
  setTheme(theme: Theme): void;
  setHelpOpen(open: boolean): void;
  setConnectFrom(at: Endpoint | null): void;
  requestFit(): void;
}

const first = PRESETS[0];
const THEME_KEY = 'offload-lab:theme';

function initial(): Pick<AppState, 'presetId' | 'scenario' | 'seed' | 'notice' | 'theme'> {
  const storage = browserStorage();
  let theme: Theme = 'system';
  try {
    const t = storage?.getItem(THEME_KEY);
    if (t === 'light' || t === 'dark') theme = t;
  } catch {
    // blocked storage: default theme
  }
  const fallback = { presetId: first.id, scenario: withPositions(first.scenario, { relayoutCramped: true }), seed: first.scenario.seed, notice: null, theme };
  const restored = restoreFrom(storage);
  switch (restored.kind) {
    case 'none':
      return fallback;
    case 'corrupt':
      return { ...fallback, notice: `Your autosaved scenario was not restored: ${restored.message}. It is kept in localStorage under "${AUTOSAVE_BACKUP_KEY}"; the ${first.id} preset is loaded instead.` };
    case 'restored':
      return { presetId: restored.saved.presetId, scenario: restored.saved.scenario, seed: restored.saved.seed, notice: null, theme };
    default: {
      const never: never = restored;
      return never;
    }
  }
}

export const useAppStore = create<AppState>()((set, get) => ({
  ...initial(),
  speed: { kind: 'rate', virtualPerWall: 0.01 },
  run: { state: 'empty', nowNs: 0, durationNs: first.scenario.durationNs },
  undoStack: [],
  redoStack: [],
  selection: [],
  helpOpen: false,
  connectFrom: null,
  fitRequest: 0,
  selectPreset: (id, variant) => {
    const preset = findPreset(id);
    if (!preset) {
      set({ notice: `No preset called "${id}".` });
      return;
    }
    let scenario: Scenario;
    try {
      scenario = presetScenario(preset, variant);
    } catch (e) {
      set({ notice: e instanceof Error ? e.message : String(e) });
      return;
    }
    set({ presetId: id, scenario: withPositions(scenario, { relayoutCramped: true }), seed: scenario.seed, notice: null, undoStack: [], redoStack: [], selection: [], connectFrom: null, fitRequest: get().fitRequest + 1 });
  },
  setSeed: (seed) => set({ seed }),
  setSpeed: (speed) => set({ speed }),
  setRun: (run) => set({ run }),
  setNotice: (notice) => set({ notice }),
  liveRun: null,
  setLiveRun: (liveRun) => set({ liveRun }),
  edit: (edit) => {
    const r = applyEdit(get().scenario, edit);
    if (!r.ok) {
      set({ notice: `Could not ${describeEdit(edit)}: ${r.error}` });
      return false;
    }
    set((s) => ({
      scenario: r.scenario,
      undoStack: [...s.undoStack.slice(-(MAX_UNDO - 1)), { forward: edit, inverse: r.inverse }],
      redoStack: [],
      selection: pruneSelection(followRename(s.selection, edit), r.scenario),
    }));
    return true;
  },
  undo: () => {
    const { undoStack, scenario } = get();
    const top = undoStack.at(-1);
    if (!top) return;
    const r = applyEdit(scenario, top.inverse);
    if (!r.ok) {
      set({ notice: `Could not undo ${describeEdit(top.forward)}: ${r.error}`, undoStack: [], redoStack: [] });
      return;
    }
    set((s) => ({ scenario: r.scenario, undoStack: s.undoStack.slice(0, -1), redoStack: [...s.redoStack, top], selection: pruneSelection(followRename(s.selection, top.inverse), r.scenario) }));
  },
  redo: () => {
    const { redoStack, scenario } = get();
    const top = redoStack.at(-1);
    if (!top) return;
    const r = applyEdit(scenario, top.forward);
    if (!r.ok) {
      set({ notice: `Could not redo ${describeEdit(top.forward)}: ${r.error}`, redoStack: [] });
      return;
    }
    set((s) => ({ scenario: r.scenario, redoStack: s.redoStack.slice(0, -1), undoStack: [...s.undoStack, { forward: top.forward, inverse: r.inverse }], selection: pruneSelection(followRename(s.selection, top.forward), r.scenario) }));
  },
  replaceScenario: (scenario, presetId = 'custom') =>
    set((s) => ({ scenario: withPositions(scenario), presetId, seed: scenario.seed, undoStack: [], redoStack: [], selection: [], connectFrom: null, fitRequest: s.fitRequest + 1 })),
  select: (items) => set({ selection: items }),
  setTheme: (theme) => {
    try {
      browserStorage()?.setItem(THEME_KEY, theme);
    } catch {
      // not persisted; still applied
    }
    set({ theme });
  },
  setHelpOpen: (open) => set({ helpOpen: open }),
  setConnectFrom: (at) => set({ connectFrom: at }),
  requestFit: () => set((s) => ({ fitRequest: s.fitRequest + 1 })),
}));

/** A renamed interface stays selected under its new name. */
function followRename(sel: SelItem[], edit: Edit): SelItem[] {
  if (edit.kind !== 'rename-iface') return sel;
  return sel.map((it) => (it.kind === 'iface' && it.node === edit.node && it.iface === edit.from ? { ...it, iface: edit.to } : it));
}

/** Drops selected items that an edit, undo or redo removed. */
export function pruneSelection(sel: SelItem[], s: Scenario): SelItem[] {
  return sel.filter((it) => {
    switch (it.kind) {
      case 'host':
        return s.hosts.some((h) => h.id === it.id);
      case 'node':
        return s.nodes.some((n) => n.id === it.id);
      case 'iface':
        return s.nodes.some((n) => n.id === it.node && n.interfaces.some((i) => i.name === it.iface));
      case 'link':
        return s.links.some((l) => l.id === it.id);
      default: {
        const never: never = it;
        return never;
      }
    }
  });
}

export function newEmptyScenario(): void {
  useAppStore.getState().replaceScenario(emptyScenario(), 'custom');
}

/** Debounced autosave of the document, preset id and seed; call once from the composition root. */
export function startAutosave(): () => void {
  const storage = browserStorage();
  if (!storage) return () => {};
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    timer = null;
    const { presetId, seed, scenario } = useAppStore.getState();
    try {
      storage.setItem(AUTOSAVE_KEY, encodeAutosave({ presetId, seed, scenario }));
    } catch (e) {
      useAppStore.getState().setNotice(`Autosave failed (${e instanceof Error ? e.message : String(e)}); export the scenario to keep it.`);
    }
  };
  const unsub = useAppStore.subscribe((s, prev) => {
    if (s.scenario === prev.scenario && s.seed === prev.seed && s.presetId === prev.presetId) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(write, AUTOSAVE_DEBOUNCE_MS);
  });
  // Leaving the page must not lose the last edit inside the debounce window.
  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      write();
    }
  };
  addEventListener('pagehide', flush);
  return () => {
    unsub();
    removeEventListener('pagehide', flush);
    flush();
  };
}
