/** Resolves a CLI target (a preset id or a scenario file) to a validated scenario, applying a variant. */
import { readFileSync, statSync } from 'node:fs';
import { findPreset, PRESET_IDS, type PresetDef } from '../src/core/scenario/presets/index';
import type { Scenario } from '../src/core/scenario/types';
import { MAX_SCENARIO_JSON_CHARS, parseScenarioJson, type ScenarioError } from '../src/core/scenario/validate';
import { applyVariant } from '../src/core/scenario/variants';

export type LoadResult =
  | { ok: true; scenario: Scenario; preset?: PresetDef }
  | { ok: false; kind: 'unknown-preset' | 'unreadable' | 'invalid' | 'unknown-variant'; message: string; errors: ScenarioError[] };

/** A target is a file when it names an existing path or ends in `.json`; otherwise a preset id. */
function looksLikeFile(target: string): boolean {
  if (target.endsWith('.json') || target.includes('/') || target.includes('\\')) return true;
  try {
    return statSync(target).isFile();
  } catch {
    return false;
  }
}

export function readScenarioFile(file: string): LoadResult {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_SCENARIO_JSON_CHARS) return { ok: false, kind: 'unreadable', message: `${file}: ${size} bytes is larger than a scenario may be (${MAX_SCENARIO_JSON_CHARS})`, errors: [] };
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, kind: 'unreadable', message: `${file}: cannot read (${code ?? String(e)})`, errors: [] };
  }
  const r = parseScenarioJson(text);
  if (!r.ok) return { ok: false, kind: 'invalid', message: `${file} is not a valid scenario:`, errors: r.errors };
  return { ok: true, scenario: r.scenario };
}

export function loadTarget(target: string, variant?: string): LoadResult {
  let base: LoadResult;
  if (looksLikeFile(target)) {
    base = readScenarioFile(target);
  } else {
    const preset = findPreset(target);
    if (!preset) {
      return { ok: false, kind: 'unknown-preset', message: `no preset "${target}" and no such file. Presets:\n  ${PRESET_IDS.join('\n  ')}`, errors: [] };
    }
    base = { ok: true, scenario: preset.scenario, preset };
  }
  if (!base.ok || variant === undefined) return base;
  const variants = base.preset?.variants ?? [];
  const v = variants.find((x) => x.name === variant);
  if (!v) {
    const names = variants.map((x) => x.name);
    return {
      ok: false,
      kind: 'unknown-variant',
      message: names.length ? `no variant "${variant}" of ${target}; variants: ${names.join(', ')}` : `${target} has no variants`,
      errors: [],
    };
  }
  const r = applyVariant(base.scenario, v);
  if (!r.ok) return { ok: false, kind: 'invalid', message: `variant ${variant} of ${target} does not apply:`, errors: r.errors };
  return { ok: true, scenario: r.scenario, preset: base.preset };
}
