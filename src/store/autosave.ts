/**
 * Autosave: the scenario being edited (plus preset id and seed) in localStorage, restored on reload through
 * parseScenario. A draft that is well-formed but not yet runnable (a flow whose endpoint has no address yet)
 * is restored as a draft with its problems shown; anything else is refused with a clear message, and the
 * unreadable text is kept under a backup key so nothing is lost.
 */
import * as v from 'valibot';
import { ScenarioSchema } from '../core/scenario/schema';
import type { Scenario } from '../core/scenario/types';
import { migrateScenario, parseScenario } from '../core/scenario/validate';

export const AUTOSAVE_KEY = 'offload-lab:autosave:v1';
export const AUTOSAVE_BACKUP_KEY = 'offload-lab:autosave:unreadable';
export const AUTOSAVE_DEBOUNCE_MS = 250;

export interface Saved {
  presetId: string;
  seed: number;
  scenario: Scenario;
}

export type RestoreResult =
  | { kind: 'none' }
  | { kind: 'restored'; saved: Saved; problems: string[] }
  | { kind: 'corrupt'; message: string };

export function encodeAutosave(saved: Saved): string {
  return JSON.stringify({ format: 'offload-lab-autosave', ...saved });
}

/** Reads an autosave text; never throws. */
export function decodeAutosave(text: string | null): RestoreResult {
  if (text === null || text === '') return { kind: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { kind: 'corrupt', message: `the autosaved scenario is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof json !== 'object' || json === null || (json as { format?: unknown }).format !== 'offload-lab-autosave') {
    return { kind: 'corrupt', message: 'the autosaved data is not an Offload Lab autosave' };
  }
  const rec = json as { presetId?: unknown; seed?: unknown; scenario?: unknown };
  const presetId = typeof rec.presetId === 'string' ? rec.presetId : '';
  const seed = typeof rec.seed === 'number' && Number.isInteger(rec.seed) && rec.seed >= 0 && rec.seed <= 0xffffffff ? rec.seed : 1;
  const parsed = parseScenario(rec.scenario);
  if (parsed.ok) return { kind: 'restored', saved: { presetId, seed, scenario: parsed.scenario }, problems: [] };
  // Well-formed but with unresolved references: an unfinished draft, kept as it is with its problems listed.
  const migrated = migrateScenario(rec.scenario);
  const shape = migrated.ok ? v.safeParse(ScenarioSchema, migrated.json) : null;
  if (shape?.success) {
    return { kind: 'restored', saved: { presetId, seed, scenario: shape.output as unknown as Scenario }, problems: parsed.errors.map((e) => e.message) };
  }
  const first = parsed.errors.slice(0, 3).map((e) => e.message).join('; ');
  return { kind: 'corrupt', message: `the autosaved scenario could not be read: ${first}` };
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Restores from `store`; a corrupt autosave is moved to the backup key and reported. */
export function restoreFrom(store: KeyValueStore | null): RestoreResult {
  if (!store) return { kind: 'none' };
  let text: string | null = null;
  try {
    text = store.getItem(AUTOSAVE_KEY);
  } catch {
    return { kind: 'none' };
  }
  const r = decodeAutosave(text);
  if (r.kind === 'corrupt' && text !== null) {
    try {
      store.setItem(AUTOSAVE_BACKUP_KEY, text);
    } catch {
      // Storage full or blocked: the message still tells the user.
    }
  }
  return r;
}

export function browserStorage(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
