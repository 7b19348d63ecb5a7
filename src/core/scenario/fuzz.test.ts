/**
 * Seeded fuzz of the one door for untrusted scenarios: thousands of mutated presets must come back either
 * valid or with errors that carry paths — never a throw, never a polluted prototype.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { PRESETS } from './presets/index';
import { parseScenario, parseScenarioJson } from './validate';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every container in the document with the path to it. */
function containers(root: Json): Json[] {
  const out: Json[] = [];
  const walk = (x: Json) => {
    if (typeof x !== 'object' || x === null) return;
    out.push(x);
    for (const v of Array.isArray(x) ? x : Object.values(x)) walk(v);
  };
  walk(root);
  return out;
}

const WEIRD: (() => unknown)[] = [
  () => null,
  () => -1,
  () => 0,
  () => 1e308,
  () => -1e308,
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => 2 ** 53 + 2,
  () => 0.5,
  () => '',
  () => 'x'.repeat(100_000),
  () => '10.0.0.1/33',
  () => '__proto__',
  () => true,
  () => [],
  () => [1, 2, 3],
  () => ({}),
  () => ({ kind: 'tcp' }),
  () => JSON.parse('{"__proto__": {"polluted": 1}}') as unknown,
  () => undefined,
];

function mutate(doc: Json, rng: Rng): void {
  const all = containers(doc);
  const target = all[rng.int(all.length)] as Record<string, unknown> | unknown[];
  const keys = Object.keys(target);
  const op = rng.int(6);
  if (keys.length === 0 || op === 5) {
    // Insert a hostile or unknown key.
    const key = ['__proto__', 'constructor', 'prototype', 'extra', 'toString', 'kind'][rng.int(6)];
    Object.defineProperty(target, key, { value: WEIRD[rng.int(WEIRD.length)](), enumerable: true, writable: true, configurable: true });
    return;
  }
  const key = keys[rng.int(keys.length)];
  const t = target as Record<string, unknown>;
  switch (op) {
    case 0:
      if (Array.isArray(target)) target.splice(Number(key), 1);
      else delete t[key];
      break;
    case 1:
    case 2:
      t[key] = WEIRD[rng.int(WEIRD.length)]();
      break;
    case 3: {
      // Swap in a value from elsewhere in the document (right type, wrong place).
      const other = all[rng.int(all.length)];
      t[key] = structuredClone(other);
      break;
    }
    default:
      if (typeof t[key] === 'number') t[key] = (t[key] as number) * (rng.next() < 0.5 ? -1 : 1e6);
      else if (typeof t[key] === 'string') t[key] = `${t[key] as string}\u0000"]`;
      else t[key] = null;
  }
}

describe('parseScenario fuzz', () => {
  it('never throws, always explains, never pollutes', () => {
    const rng = new Rng(0x5eed);
    let accepted = 0;
    let rejected = 0;
    const ROUNDS = 3000;
    for (let round = 0; round < ROUNDS; round++) {
      const preset = PRESETS[rng.int(PRESETS.length)];
      const doc = structuredClone(preset.scenario) as unknown as Json;
      const mutations = 1 + rng.int(4);
      for (let m = 0; m < mutations; m++) mutate(doc, rng);
      let r: ReturnType<typeof parseScenario>;
      try {
        r = parseScenario(doc);
      } catch (e) {
        throw new Error(`round ${round} (${preset.id}) threw: ${String(e)}`, { cause: e });
      }
      if (r.ok) {
        accepted++;
        expect(Object.hasOwn(r.scenario, '__proto__')).toBe(false);
        expect(Object.getPrototypeOf(r.scenario)).toBe(Object.prototype);
        // Valid output is stable: validating it again gives the same scenario.
        const again = parseScenario(r.scenario);
        expect(again.ok).toBe(true);
      } else {
        rejected++;
        expect(r.errors.length).toBeGreaterThan(0);
        for (const e of r.errors) {
          expect(typeof e.path).toBe('string');
          expect(e.message.length).toBeGreaterThan(0);
          expect(e.message.length).toBeLessThan(1000);
          if (e.path !== '') expect(e.message.startsWith(`${e.path}: `)).toBe(true);
        }
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    }
    // The fuzz must exercise both outcomes to mean anything.
    expect(rejected).toBeGreaterThan(ROUNDS / 2);
    expect(accepted).toBeGreaterThan(10);
  });

  it('survives hostile JSON text', () => {
    const rng = new Rng(7);
    const text = JSON.stringify(PRESETS[0].scenario);
    for (let round = 0; round < 500; round++) {
      const chars = text.split('');
      for (let k = 0; k < 3; k++) chars[rng.int(chars.length)] = String.fromCharCode(32 + rng.int(95));
      const r = parseScenarioJson(chars.join(''));
      if (!r.ok) expect(r.errors[0].message.length).toBeGreaterThan(0);
    }
    expect(parseScenarioJson('[]'.repeat(10)).ok).toBe(false);
    expect(parseScenarioJson('{"__proto__":{"polluted":1},"version":1}').ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
