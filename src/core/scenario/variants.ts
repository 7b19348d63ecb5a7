/**
 * Preset variants: a name and a list of typed changes (the same `set-feature` / `set-param` changes the
 * timeline uses) applied to a base scenario by a pure function. The result is validated like any input.
 */
import type { Scenario, TimelineChange } from './types';
import { applyChanges, type ScenarioResult } from './validate';

export interface ScenarioVariant {
  /** Short, stable, usable on a command line: `--variant 10g`. */
  name: string;
  title: string;
  changes: TimelineChange[];
}

/** Returns the base scenario (id suffixed `@name`, description noting the variant) with the variant's changes applied; `scenario` itself is not modified. */
export function applyVariant(scenario: Scenario, variant: ScenarioVariant): ScenarioResult {
  const note = `Variant ${variant.name}: ${variant.title}.`;
  const description = scenario.description ? `${scenario.description} ${note}` : note;
  const renamed: Scenario = { ...scenario, id: `${scenario.id}@${variant.name}`, description };
  return applyChanges(renamed, variant.changes, { allowStructural: false, label: `variant ${variant.name}: changes` });
}
