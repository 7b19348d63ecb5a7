import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inflateSync } from 'fflate';
import { runScenario } from '../core/engine';
import { applyVariant, PRESETS } from '../core/scenario/presets/index';
import type { NodeId, Scenario } from '../core/scenario/types';
import { decodeShareLink, openUntrusted } from './door';
import { DICTIONARY_V1 } from './dictionary-v1';
import {
  SHARE_FORMAT_VERSION,
  base64urlDecode,
  base64urlEncode,
  compactScenario,
  encodeShareFile,
  encodeShareFragment,
  encodeShareUrl,
  expandScenarioV1,
  migratePayload,
  payloadJson,
  validateView,
  type ShareState,
} from './link';
import { Rng } from '../core/rng';

const here = dirname(fileURLToPath(import.meta.url));
const chartView = { charts: ['tcpThroughput', 'eventsPerSec'] };

function decodeOk(text: string) {
  const r = decodeShareLink(text);
  if (!r.ok) throw new Error(`${r.message}\n${r.details.join('\n')}`);
  return r;
}

describe('base64url', () => {
  it('round-trips every length 0..64 of random bytes and uses only the URL-safe alphabet', () => {
    const rng = new Rng(3);
    for (let n = 0; n <= 64; n++) {
      const bytes = Uint8Array.from({ length: n }, () => rng.nextU32() & 0xff);
      const text = base64urlEncode(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(text.length).toBe(Math.ceil((n * 4) / 3));
      const back = base64urlDecode(text);
      expect(back.ok && [...back.bytes]).toEqual([...bytes]);
    }
  });
  it('agrees with Node Buffer base64url', () => {
    const bytes = new TextEncoder().encode('Offload Lab ~~~ ??? >>> \u00ff\u2603');
    expect(base64urlEncode(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
  });
  it('reports the position of a bad character and impossible lengths', () => {
    expect(base64urlDecode('abc+def')).toMatchObject({ ok: false, position: 3 });
    expect(base64urlDecode('abcde')).toMatchObject({ ok: false, position: 5 });
    expect(base64urlDecode('ab\u00e9d')).toMatchObject({ ok: false, position: 2 });
  });
});

describe('share links: presets', () => {
  const sizes: { id: string; scenarioJsonChars: number; payloadChars: number; linkChars: number }[] = [];

  for (const p of PRESETS) {
    it(`${p.id}: decode(encode(x)) deep-equals x, and the link is short`, () => {
      const state: ShareState = { scenario: p.scenario, view: chartView };
      const fragment = encodeShareFragment(state);
      expect(fragment).toMatch(/^#s=1\.[A-Za-z0-9_-]+$/);
      const back = decodeOk(fragment);
      expect(back.scenario).toEqual(p.scenario);
      expect(back.view).toEqual(chartView);
      expect(back.migratedFrom).toBeUndefined();
      // Deterministic: the same state always gives the same link (links can be compared and cached).
      expect(encodeShareFragment(state)).toBe(fragment);
      expect(fragment.length).toBeLessThan(2048);
      sizes.push({ id: p.id, scenarioJsonChars: JSON.stringify(p.scenario).length, payloadChars: payloadJson(state).length, linkChars: fragment.length });
    });
  }

  it('prints the link-size table', () => {
    expect(sizes.length).toBe(PRESETS.length);
    console.log(['preset | scenario JSON chars | compact payload chars | link chars (#s=…)', ...sizes.map((s) => `${s.id} | ${s.scenarioJsonChars} | ${s.payloadChars} | ${s.linkChars}`)].join('\n'));
  });

  // "Opening it reproduces identical numbers": the engine's RunResult from the decoded scenario equals the original's.
  for (const p of PRESETS) {
    it(`${p.id}: opening the link reproduces identical numbers (RunResult, 20 ms simulated)`, () => {
      const back = decodeOk(encodeShareFragment({ scenario: p.scenario, view: {} }));
      expect(JSON.stringify(runScenario(back.scenario, { durationNs: 20e6 }))).toBe(JSON.stringify(runScenario(p.scenario, { durationNs: 20e6 })));
    });
  }

  it('live changes recorded in the timeline replay identically from the link', () => {
    const s = structuredClone(PRESETS[0].scenario) as Scenario;
    const at = { node: 'vm1' as NodeId, iface: 'eth0' };
    s.seed = 99;
    s.timeline = [
      { atNs: 5e6, change: { kind: 'set-feature', at, feature: 'tcp-segmentation-offload', on: false } },
      { atNs: 12e6, change: { kind: 'set-feature', at, feature: 'tcp-segmentation-offload', on: true } },
    ];
    const back = decodeOk(encodeShareFragment({ scenario: s, view: {} }));
    expect(back.scenario.timeline).toEqual(s.timeline);
    const original = runScenario(s, { durationNs: 20e6 });
    expect(JSON.stringify(runScenario(back.scenario, { durationNs: 20e6 }))).toBe(JSON.stringify(original));
    // The timeline matters: without it the numbers differ, so the equality above is not vacuous.
    expect(JSON.stringify(runScenario({ ...s, timeline: [] }, { durationNs: 20e6 }))).not.toBe(JSON.stringify(original));
  });
});

describe('share links: variants and migrations', () => {
  it('every preset variant round-trips exactly', () => {
    let n = 0;
    for (const p of PRESETS) {
      for (const v of p.variants) {
        const r = applyVariant(p.scenario, v);
        if (!r.ok) throw new Error(`${p.id}/${v.name}: ${r.errors[0].message}`);
        expect(decodeOk(encodeShareFragment({ scenario: r.scenario, view: {} })).scenario, `${p.id}/${v.name}`).toEqual(r.scenario);
        n++;
      }
    }
    expect(n).toBeGreaterThan(5);
  });
  it('migratePayload runs the steps in order and reports a missing or failing step', () => {
    const table = {
      1: (p: Record<string, unknown>) => ({ ...p, steps: ['1→2'] }),
      2: (p: Record<string, unknown>) => ({ ...p, steps: [...(p.steps as string[]), '2→3'] }),
    };
    expect(migratePayload({ s: 1 }, 1, table, 3)).toEqual({ ok: true, payload: { s: 1, steps: ['1→2', '2→3'] } });
    expect(migratePayload({ s: 1 }, 3, table, 3)).toEqual({ ok: true, payload: { s: 1 } });
    expect(migratePayload({}, 1, { 1: table[1] }, 3)).toEqual({ ok: false, error: 'no conversion from format 2 to 3' });
    const failing = migratePayload({}, 1, { 1: () => { throw new Error('bad field'); } }, 2);
    expect(failing).toEqual({ ok: false, error: 'converting format 1 to 2 failed: bad field' });
  });
});

describe('share links: compaction', () => {
  it('keeps values that differ from the defaults and restores the defaults it dropped', () => {
    const s = structuredClone(PRESETS[0].scenario) as Scenario;
    s.seed = 0;
    s.profile = 'kvm-2017';
    const nic = s.nodes[0].interfaces[0];
    nic.mtu = 9000;
    nic.queues = 4;
    nic.vnetHdr = false;
    nic.qdisc = { kind: 'noqueue' };
    nic.features = { 'generic-receive-offload': false };
    s.flows[0].startNs = 5;
    s.timeline = [{ atNs: 1e6, change: { kind: 'set-feature', at: { node: 'vm1' as NodeId, iface: 'eth0' }, feature: 'tcp-segmentation-offload', on: false } }];
    const compact = compactScenario(s);
    const ifaceJson = (compact.nodes as { interfaces: Record<string, unknown>[] }[])[0].interfaces[0];
    expect(ifaceJson).toMatchObject({ mtu: 9000, queues: 4, vnetHdr: false, qdisc: { kind: 'noqueue' } });
    expect(compact.seed).toBe(0);
    expect(compact.profile).toBeUndefined();
    expect(expandScenarioV1(JSON.parse(JSON.stringify(compact)))).toEqual(s);
    expect(decodeOk(encodeShareFragment({ scenario: s, view: {} })).scenario).toEqual(s);
  });

  it('drops template defaults (the vm-vm-offload payload has no mtu/queues/qdisc fields)', () => {
    const json = payloadJson({ scenario: PRESETS[0].scenario, view: {} });
    expect(json).not.toMatch(/"mtu"|"queues"|"qdisc"|"vnetHdr"|"timeline"|"faults"/);
  });
});

describe('share links: view and URLs', () => {
  it('encodeShareUrl replaces an existing fragment and keeps the rest of the URL', () => {
    const url = encodeShareUrl('https://lab.example/app/?x=1#old', { scenario: PRESETS[0].scenario, view: {} });
    expect(url.startsWith('https://lab.example/app/?x=1#s=1.')).toBe(true);
    expect(decodeOk(url).scenario).toEqual(PRESETS[0].scenario);
  });
  it('accepts the bare value, "s=…", whitespace-wrapped links and other fragment parameters', () => {
    const frag = encodeShareFragment({ scenario: PRESETS[1].scenario, view: chartView });
    const value = frag.slice(3);
    for (const text of [value, `s=${value}`, `#step=3&s=${value}`, `https://a.example/#${frag.slice(1, 40)}\n  ${frag.slice(40)}`]) {
      expect(decodeOk(text).scenario, text.slice(0, 30)).toEqual(PRESETS[1].scenario);
    }
  });
  it('validateView: open record of small values, bad names and values refused', () => {
    expect(validateView({ charts: ['a', 'b'], zoom: 2, log: true, node: 'r1', 'x.y-z_1': 'ok' })).toEqual({
      ok: true,
      view: { charts: ['a', 'b'], zoom: 2, log: true, node: 'r1', 'x.y-z_1': 'ok' },
    });
    expect(validateView(undefined)).toEqual({ ok: true, view: {} });
    for (const bad of [[], 'x', null, { '1x': 1 }, { a: { b: 1 } }, { a: [1] }, { a: 'x'.repeat(201) }, { a: Number.NaN }, JSON.parse('{"constructor": "x"}')]) {
      expect(validateView(bad).ok, JSON.stringify(bad)).toBe(false);
    }
  });
  it('files and autosave blobs carry the full scenario and view', () => {
    const state = { scenario: PRESETS[3].scenario, view: chartView };
    for (const kind of ['file', 'autosave'] as const) {
      const r = openUntrusted({ kind, text: encodeShareFile(state) });
      expect(r.ok && r.scenario).toEqual(state.scenario);
      expect(r.ok && r.view).toEqual(chartView);
    }
    // A bare scenario document (what `offload-lab show` prints) opens as a file too.
    const bare = openUntrusted({ kind: 'file', text: JSON.stringify(PRESETS[3].scenario) });
    expect(bare.ok && bare.scenario).toEqual(PRESETS[3].scenario);
  });
});

describe('share links: golden fixtures (decoded forever)', () => {
  const versions = readdirSync(join(here, 'fixtures')).filter((d) => /^v\d+$/.test(d));
  it('there are goldens for every format version up to the current one', () => {
    for (let v = 1; v <= SHARE_FORMAT_VERSION; v++) expect(versions).toContain(`v${v}`);
  });
  for (const dir of versions) {
    const files = readdirSync(join(here, 'fixtures', dir)).filter((f) => f.endsWith('.link.txt'));
    it(`${dir}: has goldens`, () => expect(files.length).toBeGreaterThanOrEqual(3));
    for (const file of files) {
      it(`${dir}/${file} decodes to its expected state`, () => {
        const link = readFileSync(join(here, 'fixtures', dir, file), 'utf8').trim();
        const expected = JSON.parse(readFileSync(join(here, 'fixtures', dir, file.replace('.link.txt', '.expected.json')), 'utf8')) as ShareState;
        const r = decodeOk(link);
        expect(r.scenario).toEqual(expected.scenario);
        expect(r.view).toEqual(expected.view);
        const version = Number(dir.slice(1));
        if (version < SHARE_FORMAT_VERSION) expect(r.migratedFrom).toBe(version);
        else expect(r.migratedFrom).toBeUndefined();
      });
    }
  }
  it('the format-1 dictionary is frozen (its bytes hash to the value links were made with)', () => {
    let h = 0x811c9dc5;
    for (const b of DICTIONARY_V1) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    expect({ length: DICTIONARY_V1.length, fnv1a: h.toString(16) }).toEqual({ length: 3640, fnv1a: 'cd15b8e7' });
  });
  it('links really are deflate-raw with that dictionary (any inflater can read them)', () => {
    const frag = encodeShareFragment({ scenario: PRESETS[0].scenario, view: chartView });
    const bytes = Buffer.from(frag.slice('#s=1.'.length), 'base64url');
    const text = new TextDecoder().decode(inflateSync(bytes, { dictionary: DICTIONARY_V1 }));
    expect(text).toBe(payloadJson({ scenario: PRESETS[0].scenario, view: chartView }));
  });
});
