/**
 * docs/cost-profile-kvm-2017.md's parameter table is generated from the code: every parameter's kvm-2017 value,
 * its sourced 2017 range (./ranges.ts), unit, modern value, source and reasoning. This test fails when the doc
 * drifted. After a deliberate change:
 *   UPDATE_COST_DOC=1 npx vitest run src/core/sim/profiles.doc.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COST_PARAM_NAMES, COST_PROFILES } from './profiles';
import { KVM_2017_RANGES, type CostRange } from './ranges';

const DOC = fileURLToPath(new URL('../../../docs/cost-profile-kvm-2017.md', import.meta.url));
const BEGIN = '<!-- params:begin (generated from src/core/sim/profiles.ts and ranges.ts) -->';
const END = '<!-- params:end -->';

const cell = (text: string) => text.replaceAll('|', '\\|');
const rangeOf = (name: string): CostRange | undefined => (KVM_2017_RANGES as Record<string, CostRange>)[name];

function paramTable(): string {
  const kvm = COST_PROFILES['kvm-2017'].params;
  const modern = COST_PROFILES.modern.params;
  const lines = ['| parameter | kvm-2017 | 2017 range | unit | modern | source | reasoning |', '|---|---|---|---|---|---|---|'];
  for (const name of COST_PARAM_NAMES) {
    const k = kvm[name];
    const range = rangeOf(name);
    const per = range?.perUnitOf ? ` × \`${range.perUnitOf}\`` : '';
    const rangeCell = range ? `${range.min} – ${range.max}${per} (${cell(range.basis)})` : '—';
    lines.push(`| \`${name}\` | ${k.value} | ${rangeCell} | ${k.unit} | ${modern[name].value} | ${cell(k.source)} | ${cell(k.reasoning)} |`);
  }
  return lines.join('\n');
}

describe('docs/cost-profile-kvm-2017.md', () => {
  it('lists every parameter as the code has it', () => {
    const doc = readFileSync(DOC, 'utf8');
    const a = doc.indexOf(BEGIN);
    const b = doc.indexOf(END);
    if (a < 0 || b < a) throw new Error(`the doc lacks the ${BEGIN} … ${END} markers`);
    const table = paramTable();
    if (process.env.UPDATE_COST_DOC === '1') {
      writeFileSync(DOC, `${doc.slice(0, a + BEGIN.length)}\n${table}\n${doc.slice(b)}`);
      return;
    }
    expect(doc.slice(a + BEGIN.length, b).trim()).toBe(table);
  });
});
