/**
 * What B can be in an A/B compare: the preset's own variants, "offloads off" built for whatever scenario is
 * loaded, and "same as A" (a control: same seed, same numbers). Every choice is a list of typed changes
 * applied by applyVariant, so B is validated like any scenario.
 */
import { applyVariant, type ScenarioVariant } from '../core/scenario/variants';
import { applyChange, type ScenarioResult } from '../core/scenario/validate';
import { ALL_OFFLOAD_FEATURES } from '../core/scenario/presets/build';
import type { Scenario, TimelineChange } from '../core/scenario/types';
import type { PresetDef } from '../core/scenario/presets';

export const SAME_AS_A = 'same';
export const OFFLOADS_OFF = 'offloads-off';

/**
 * Turns every offload feature off on every interface; a change the scenario refuses (a feature an
 * interface does not have, or one that is fixed) is left out rather than failing the whole variant.
 */
export function offloadsOffChanges(scenario: Scenario): TimelineChange[] {
  const out: TimelineChange[] = [];
  let cur = scenario;
  for (const node of scenario.nodes) {
    for (const i of node.interfaces) {
      for (const feature of ALL_OFFLOAD_FEATURES) {
        const change: TimelineChange = { kind: 'set-feature', at: { node: node.id, iface: i.name }, feature, on: false };
        const r = applyChange(cur, change, { allowStructural: false });
        if (!r.ok) continue;
        cur = r.scenario;
        out.push(change);
      }
    }
  }
  return out;
}

const GENERIC: readonly { name: string; title: string }[] = [
  { name: OFFLOADS_OFF, title: 'Every offload off on every interface' },
  { name: SAME_AS_A, title: 'Same as A (control: identical numbers)' },
];

/** Names and titles of the B choices (cheap: for menus). */
export function compareChoiceList(preset: PresetDef | undefined): { name: string; title: string }[] {
  const own = preset ? preset.variants.filter((v) => v.changes.length > 0) : [];
  return [...own.map((v) => ({ name: v.name, title: v.title })), ...GENERIC];
}

/** The B choices for this scenario: the preset's variants when it is (derived from) a preset, then the two generic ones. */
export function compareChoices(preset: PresetDef | undefined, scenario: Scenario): ScenarioVariant[] {
  return compareChoiceList(preset).map(({ name, title }) => {
    const own = preset?.variants.find((v) => v.name === name && v.changes.length > 0);
    if (own) return own;
    return { name, title, changes: name === OFFLOADS_OFF ? offloadsOffChanges(scenario) : [] };
  });
}

/** B's scenario for a choice; the same seed is passed to both engines by the caller. */
export function variantScenario(scenario: Scenario, choice: ScenarioVariant): ScenarioResult {
  return applyVariant(scenario, choice);
}
