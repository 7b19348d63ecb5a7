import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../src/core/scenario/presets/index';
import { applyVariant } from '../src/core/scenario/variants';
import { parseScenario } from '../src/core/scenario/validate';
import { Rng } from '../src/core/rng';
import { SCHEMA_FILE, scenarioSchemaText } from './gen-scenario-schema';

type S = Record<string, unknown>;

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);

/** Just enough of JSON Schema 2020-12 for the keywords scenario.schema.json uses. */
function validate(schema: S, x: unknown, root: S, path = ''): string[] {
  if (typeof schema.$ref === 'string') {
    const target = (root.$defs as Record<string, S>)[schema.$ref.replace('#/$defs/', '')];
    return validate(target, x, root, path);
  }
  const errs: string[] = [];
  const fail = (why: string) => errs.push(`${path || '(root)'}: ${why}`);
  if (schema.oneOf) {
    const ok = (schema.oneOf as S[]).filter((s) => validate(s, x, root, path).length === 0).length;
    if (ok !== 1) fail(`matches ${ok} of oneOf`);
    return errs;
  }
  if ('const' in schema && x !== schema.const) fail('const');
  if (schema.enum && !(schema.enum as unknown[]).includes(x)) fail('enum');
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  if (types.length > 0 && !types.some((t) => t === typeOf(x) || (t === 'number' && typeOf(x) === 'integer'))) return [...errs, `${path}: type ${typeOf(x)}`];
  if (typeof x === 'number') {
    if (typeof schema.minimum === 'number' && x < schema.minimum) fail('minimum');
    if (typeof schema.maximum === 'number' && x > schema.maximum) fail('maximum');
    if (typeof schema.exclusiveMinimum === 'number' && x <= schema.exclusiveMinimum) fail('exclusiveMinimum');
    if (typeof schema.multipleOf === 'number' && x % schema.multipleOf !== 0) fail('multipleOf');
  }
  if (typeof x === 'string') {
    if (typeof schema.maxLength === 'number' && x.length > schema.maxLength) fail('maxLength');
    if (typeof schema.minLength === 'number' && x.length < schema.minLength) fail('minLength');
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(x)) fail('pattern');
  }
  if (Array.isArray(x)) {
    if (typeof schema.maxItems === 'number' && x.length > schema.maxItems) fail('maxItems');
    if (typeof schema.minItems === 'number' && x.length < schema.minItems) fail('minItems');
    if (schema.items) x.forEach((v, i) => errs.push(...validate(schema.items as S, v, root, `${path}[${i}]`)));
  } else if (typeof x === 'object' && x !== null) {
    const o = x as S;
    const props = (schema.properties ?? {}) as Record<string, S>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in o)) fail(`missing ${r}`);
    if (typeof schema.maxProperties === 'number' && Object.keys(o).length > schema.maxProperties) fail('maxProperties');
    for (const [k, v] of Object.entries(o)) {
      if (schema.propertyNames) errs.push(...validate(schema.propertyNames as S, k, root, `${path}.${k}(name)`));
      if (Object.hasOwn(props, k)) errs.push(...validate(props[k], v, root, `${path}.${k}`));
      else if (schema.additionalProperties === false) fail(`unknown ${k}`);
      else if (typeof schema.additionalProperties === 'object') errs.push(...validate(schema.additionalProperties as S, v, root, `${path}.${k}`));
    }
  }
  if (schema.not && validate(schema.not as S, x, root, path).length === 0) fail('not');
  return errs;
}

const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as S;

describe('scenario.schema.json', () => {
  it('is up to date (regenerate: node --import tsx cli/gen-scenario-schema.ts)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(scenarioSchemaText());
  });

  it('accepts every preset and variant', () => {
    for (const p of PRESETS) {
      expect(validate(schema, JSON.parse(JSON.stringify(p.scenario)), schema), p.id).toEqual([]);
      for (const v of p.variants) {
        const r = applyVariant(p.scenario, v);
        if (r.ok) expect(validate(schema, JSON.parse(JSON.stringify(r.scenario)), schema), `${p.id}@${v.name}`).toEqual([]);
      }
    }
  });

  it('agrees with parseScenario on shape errors of mutated presets', () => {
    // Mutations that only touch shape (not cross-references): both must reject, or both accept.
    const rng = new Rng(99);
    const mutations: ((s: S & { nodes: S[]; flows: S[]; links: S[] }) => void)[] = [
      (s) => ((s.nodes[0].interfaces as S[])[0].mtu = 67),
      (s) => ((s.nodes[0].interfaces as S[])[0].mtu = 65536),
      (s) => ((s.nodes[0].interfaces as S[])[0].queues = 0),
      (s) => (s.seed = 2 ** 32),
      (s) => (s.durationNs = 0),
      (s) => (s.flows[0].kind = 'sctp'),
      (s) => (s.flows[0].tos = 256),
      (s) => (s.links[0].eventIdx = 'yes'),
      (s) => (s.extra = 1),
      (s) => ((s.nodes[0].interfaces as S[])[0].features = { 'not-a-feature': true }),
      (s) => ((s.nodes[0].interfaces as S[])[0].qdisc = { kind: 'fq', limitPackets: 10 }),
      (s) => (s.hosts = []),
      (s) => (s.title = 'x'.repeat(201)),
      (s) => (s.id = 'a@b@c'),
    ];
    for (let k = 0; k < 60; k++) {
      const s = structuredClone(PRESETS[rng.int(PRESETS.length)].scenario) as unknown as S & { nodes: S[]; flows: S[]; links: S[] };
      const m = mutations[k % mutations.length];
      m(s);
      expect(validate(schema, s, schema).length > 0, `mutation ${k % mutations.length}`).toBe(true);
      expect(parseScenario(s).ok, `mutation ${k % mutations.length}`).toBe(false);
    }
  });
});
