/**
 * Policy for opening a link (or file) over autosaved work: never replace work the user made without asking.
 * Returns a typed decision the UI shows; it does not touch storage itself.
 */
import { PRESETS } from '../core/scenario/presets/index';
import type { Scenario } from '../core/scenario/types';
import type { ShareState } from './link';

export type OverwriteChoice = 'keep-both' | 'replace' | 'cancel';

export type OverwriteDecision =
  | {
      kind: 'open';
      /** Why no question is needed: nothing saved, the saved scenario is the incoming one, or it is an untouched preset. */
      reason: 'nothing-autosaved' | 'same-scenario' | 'autosave-is-untouched-preset';
    }
  | {
      kind: 'ask';
      title: string;
      message: string;
      current: { id: string; title: string };
      incoming: { id: string; title: string };
      /** `keep-both`: open the incoming one and keep the autosaved work in a backup slot; `replace`: discard it. */
      choices: readonly OverwriteChoice[];
      defaultChoice: OverwriteChoice;
    };

/** JSON with sorted keys: equality that ignores key order. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (typeof x === 'object' && x !== null) {
    const rec = x as Record<string, unknown>;
    return `{${Object.keys(rec)
      .filter((k) => rec[k] !== undefined)
      .toSorted()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(rec[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

let presetKeys: Set<string> | undefined;

function isUntouchedPreset(s: Scenario): boolean {
  presetKeys ??= new Set(PRESETS.map((p) => canonicalJson(p.scenario)));
  return presetKeys.has(canonicalJson(s));
}

/**
 * What to do when `incoming` (from a link or a file) would replace `autosaved` (null when nothing is saved).
 * Only the scenario counts as work: a different chart selection alone never asks.
 */
export function confirmOverwrite(autosaved: ShareState | null | undefined, incoming: ShareState): OverwriteDecision {
  if (!autosaved) return { kind: 'open', reason: 'nothing-autosaved' };
  if (canonicalJson(autosaved.scenario) === canonicalJson(incoming.scenario)) return { kind: 'open', reason: 'same-scenario' };
  if (isUntouchedPreset(autosaved.scenario)) return { kind: 'open', reason: 'autosave-is-untouched-preset' };
  const current = { id: autosaved.scenario.id, title: autosaved.scenario.title };
  const next = { id: incoming.scenario.id, title: incoming.scenario.title };
  return {
    kind: 'ask',
    title: 'Open the shared scenario?',
    message:
      `You have unsaved work ("${current.title}"). Opening "${next.title}" would replace it. ` +
      'Keep both (your work is kept as a backup you can reopen), replace it, or cancel.',
    current,
    incoming: next,
    choices: ['keep-both', 'replace', 'cancel'],
    defaultChoice: 'keep-both',
  };
}
