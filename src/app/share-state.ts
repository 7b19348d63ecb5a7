/**
 * The app's side of share links and the door: what the current state shares as, whether a link may replace
 * the autosaved work without asking, and the one backup slot kept when the user opens a link over their work.
 * No React here; the dialogs live in src/ui/share.
 */
import { canonicalJson, confirmOverwrite, encodeShareFile, openUntrusted, type OverwriteDecision, type ShareState } from '../share';
import { findPreset } from '../core/scenario/presets';
import type { Scenario } from '../core/scenario/types';
import { withPositions } from '../core/edit/ops';
import { AUTOSAVE_KEY, decodeAutosave, type KeyValueStore } from '../store/autosave';

/** Where "open the link and keep my work as a backup" puts the work it replaced (one slot, newest wins). */
export const SHARE_BACKUP_KEY = 'offload-lab:backup-before-link';

/** The shareable state: the scenario with the seed the user runs it with (the toolbar's seed wins). */
export function shareStateOf(scenario: Scenario, seed: number, view: ShareState['view'] = {}): ShareState {
  return { scenario: { ...scenario, seed }, view };
}

/** The autosaved work as a share state, or null when nothing (readable) is saved. */
export function autosavedState(store: KeyValueStore | null): ShareState | null {
  if (!store) return null;
  let text: string | null;
  try {
    text = store.getItem(AUTOSAVE_KEY);
  } catch {
    return null;
  }
  const r = decodeAutosave(text);
  if (r.kind !== 'restored') return null;
  const saved = shareStateOf(r.saved.scenario, r.saved.seed);
  // The app lays presets out before showing them; a preset only laid out (not edited) is not work.
  const preset = findPreset(r.saved.presetId);
  if (preset && r.saved.seed === preset.scenario.seed) {
    const shown = withPositions(preset.scenario, { relayoutCramped: true });
    if (canonicalJson(shown) === canonicalJson(r.saved.scenario)) return null;
  }
  return saved;
}

/** Whether opening `incoming` needs the user's answer (see confirmOverwrite). */
export function decideOpen(store: KeyValueStore | null, incoming: ShareState): OverwriteDecision {
  return confirmOverwrite(autosavedState(store), incoming);
}

/** Keeps `state` in the backup slot; returns an error text when storage refuses. */
export function writeBackup(store: KeyValueStore | null, state: ShareState): string | null {
  if (!store) return 'there is no storage in this browser';
  try {
    store.setItem(SHARE_BACKUP_KEY, encodeShareFile(state, { pretty: false }));
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Reads the backup slot back through the door (it is stored text, so it is untrusted like any other). */
export function readBackup(store: KeyValueStore | null): ReturnType<typeof openUntrusted> | null {
  let text: string | null = null;
  try {
    text = store?.getItem(SHARE_BACKUP_KEY) ?? null;
  } catch {
    return null;
  }
  return text === null ? null : openUntrusted({ kind: 'autosave', text });
}

/** Whether a location hash carries a share link (`#s=…`, possibly among other parameters). */
export function hasShareParam(hash: string): boolean {
  return /^#?(?:.*&)?s=/.test(hash);
}
