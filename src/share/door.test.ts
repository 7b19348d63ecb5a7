import { describe, expect, it } from 'vitest';
import { deflateSync } from 'fflate';
import { Rng } from '../core/rng';
import { PRESETS } from '../core/scenario/presets/index';
import { DOOR_LIMITS, openUntrusted, type OpenResult, type UntrustedKind } from './door';
import { DICTIONARY_V1 } from './dictionary-v1';
import { base64urlEncode, encodeShareFile, encodeShareFragment, payloadJson } from './link';

const linkOf = (json: string, version = 1, dictionary: Uint8Array | undefined = DICTIONARY_V1) =>
  `#s=${version}.${base64urlEncode(deflateSync(new TextEncoder().encode(json), { dictionary }))}`;

const validState = { scenario: PRESETS[0].scenario, view: { charts: ['tcpThroughput'] } };
const validLink = encodeShareFragment(validState);
const validPayload = payloadJson(validState);

function refused(r: OpenResult): { message: string; details: string[] } {
  if (r.ok) throw new Error('expected a refusal');
  return r;
}

function assertWellFormed(r: OpenResult): void {
  expect(typeof r.ok).toBe('boolean');
  if (r.ok) {
    expect(typeof r.scenario).toBe('object');
    expect(typeof r.view).toBe('object');
  } else {
    expect(typeof r.message).toBe('string');
    expect(r.message.length).toBeGreaterThan(10);
    expect(r.message.length).toBeLessThan(1000);
    expect(Array.isArray(r.details)).toBe(true);
    expect(r.details.length).toBeLessThanOrEqual(DOOR_LIMITS.details);
  }
}

const prototypeKeys = () => ({ object: Object.getOwnPropertyNames(Object.prototype).toSorted(), array: Object.getOwnPropertyNames(Array.prototype).toSorted() });

describe('door: clear refusals', () => {
  const cases: [string, UntrustedKind, string, RegExp][] = [
    ['empty link', 'link', '   ', /is empty/],
    ['not a share link', 'link', 'https://example.com/page#top', /no "#s=" part/],
    ['no format number', 'link', '#s=abc', /format number/],
    ['newer format', 'link', '#s=9.AAAA', /newer Offload Lab.*format 9/],
    ['format 0', 'link', '#s=0.AAAA', /never existed/],
    ['bad character', 'link', `${validLink.slice(0, 30)}*${validLink.slice(31)}`, /damaged \(at character \d+.*"\*"/],
    ['truncated', 'link', validLink.slice(0, validLink.length - 40), /damaged|incomplete/],
    ['not deflate', 'link', `#s=1.${base64urlEncode(new TextEncoder().encode('hello world, plain text here'))}`, /damaged|incomplete/],
    ['JSON syntax error', 'link', linkOf('{"s": {"id": oops}}'), /not valid JSON: .*line 1, column \d+/],
    ['JSON cut short', 'file', '{"version": 1, "nodes": [', /not valid JSON: it ends early \(line 1, column 26\)/],
    ['JSON error on a later line', 'file', '{\n  "version": 1,\n  "nodes": [1,, 2]\n}', /line 3, column 15/],
    ['JSON trailing garbage', 'autosave', '{"a": 1} x', /after the end of the document at line 1, column 10/],
    ['JSON not an object', 'link', linkOf('[1,2,3]'), /wrong kind/],
    ['invalid UTF-8', 'link', `#s=1.${base64urlEncode(deflateSync(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), { dictionary: DICTIONARY_V1 }))}`, /UTF-8/],
    ['nested bomb', 'file', `${'['.repeat(100000)}${']'.repeat(100000)}`, /nested more than 32 levels/],
    ['__proto__ key', 'link', linkOf(validPayload.replace('"s":{', '"s":{"__proto__":{"polluted":true},')), /"__proto__"/],
    ['constructor key in view', 'file', JSON.stringify({ format: 'offload-lab', formatVersion: 1, scenario: PRESETS[0].scenario, view: JSON.parse('{"constructor":{"prototype":{"x":1}}}') }), /"constructor"/],
    ['other format', 'file', JSON.stringify({ format: 'something-else', scenario: {} }), /not an Offload Lab file/],
    ['newer file format', 'autosave', JSON.stringify({ format: 'offload-lab', formatVersion: 4, scenario: {} }), /newer Offload Lab \(format 4/],
    ['invalid scenario', 'link', linkOf(validPayload.replace('"vcpus":2', '"vcpus":9999')), /not valid \(\d+ problems?; the first: nodes\[0\]\.vcpus/],
    ['invalid view', 'link', linkOf(validPayload.replace('"charts":[', '"charts":[7,')), /display settings/],
    ['wrong dictionary', 'link', linkOf(validPayload, 1, new TextEncoder().encode(validPayload)), /damaged|incomplete|not valid|UTF-8|wrong kind/],
    ['no dictionary needed when none was used', 'link', linkOf(validPayload.replace('"vcpus":2', '"vcpus":0'), 1, undefined), /nodes\[0\]\.vcpus/],
    ['huge link', 'link', `#s=1.${'A'.repeat(DOOR_LIMITS.linkChars)}`, /too large \(257 KiB; at most 256 KiB/],
    ['huge file', 'file', ' '.repeat(DOOR_LIMITS.fileChars + 1), /too large/],
  ];
  for (const [name, kind, text, pattern] of cases) {
    it(`${name}: refused with a clear message`, () => {
      const r = refused(openUntrusted({ kind, text }));
      expect(r.message).toMatch(pattern);
      expect(r.message).toMatch(kind === 'autosave' ? /left as it is/ : /Nothing was opened/);
    });
  }

  it('the scenario problems are listed as details, by path', () => {
    const r = refused(openUntrusted({ kind: 'link', text: linkOf(validPayload.replace('"vcpus":2', '"vcpus":9999').replace('"mac":"52:54:00:00:00:01"', '"mac":"zz"')) }));
    expect(r.details.some((d) => d.startsWith('nodes[0].vcpus'))).toBe(true);
    expect(r.details.some((d) => d.startsWith('nodes[0].interfaces[0].mac'))).toBe(true);
  });

  it('a zip bomb stops inflating at the cap', () => {
    // 64 MiB of spaces compress to ~64 KiB: under the link limit, far over the inflate cap.
    const bomb = deflateSync(new Uint8Array(64 << 20).fill(0x20), { level: 9, dictionary: DICTIONARY_V1 });
    const text = `#s=1.${base64urlEncode(bomb)}`;
    expect(text.length).toBeLessThan(DOOR_LIMITS.linkChars);
    expect(refused(openUntrusted({ kind: 'link', text })).message).toMatch(/expands to more than 8\.0 MiB/);
  });

  it('hostile input objects (not text, unknown kind, null) are refused, not thrown', () => {
    for (const input of [null, undefined, 42, {}, { kind: 'link' }, { kind: 'eval', text: '1' }, { kind: 'file', text: 5 }]) {
      assertWellFormed(openUntrusted(input as never));
      expect(openUntrusted(input as never).ok).toBe(false);
    }
  });

  it('script in a title stays an inert string', () => {
    const s = structuredClone(PRESETS[0].scenario);
    s.title = '<img src=x onerror=alert(1)><script>globalThis.pwnedByShareLink = 1</script>';
    const r = openUntrusted({ kind: 'link', text: encodeShareFragment({ scenario: s, view: {} }) });
    expect(r.ok && r.scenario.title).toBe(s.title);
    expect((globalThis as Record<string, unknown>).pwnedByShareLink).toBeUndefined();
  });

  it('a bare scenario with a BOM opens as a file', () => {
    expect(openUntrusted({ kind: 'file', text: `\ufeff${encodeShareFile(validState)}` }).ok).toBe(true);
  });
});

describe('door: seeded fuzz (never throws, never pollutes)', () => {
  const before = prototypeKeys();
  const rng = new Rng(0x5eed);
  const int = (n: number) => rng.nextU32() % n;
  const validLinks = PRESETS.map((p) => encodeShareFragment({ scenario: p.scenario, view: { charts: ['a'] } }));
  const validFiles = PRESETS.slice(0, 3).map((p) => encodeShareFile({ scenario: p.scenario, view: {} }, { pretty: false }));
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  function randomBytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => rng.nextU32() & 0xff);
  }
  function flipBits(bytes: Uint8Array, flips: number): Uint8Array {
    const out = bytes.slice();
    for (let k = 0; k < flips && out.length > 0; k++) out[int(out.length)] ^= 1 << int(8);
    return out;
  }
  function mutateText(text: string): string {
    const k = int(text.length + 1);
    switch (int(5)) {
      case 0:
        return text.slice(0, k);
      case 1:
        return text.slice(0, k) + B64[int(64)] + text.slice(k + 1);
      case 2:
        return text.slice(0, k) + text.slice(k + 1 + int(20));
      case 3:
        return text.slice(0, k) + String.fromCharCode(int(0x3000)) + text.slice(k);
      default:
        return text + text.slice(0, int(50));
    }
  }
  function hostileJson(): string {
    switch (int(8)) {
      case 0:
        return '{"s":{"__proto__":{"polluted":1}}}';
      case 1:
        return `{"s":${'{"a":'.repeat(40 + int(200))}1${'}'.repeat(40 + int(200))}}`;
      case 2:
        return `{"s":{"version":${[0, -1, 2, 99, 1.5, '"1"', 'null'][int(7)]}}}`;
      case 3:
        return `{"s":{"nodes":[${'{"kind":"vm"},'.repeat(int(3000))}{}]}}`;
      case 4:
        return '{"v":{"__proto__":[]},"s":{}}';
      case 5:
        return validPayload.replace(/"[a-zA-Z]+":/, `"${['constructor', 'prototype', '__proto__'][int(3)]}":`);
      case 6:
        return validPayload.replace(/\d+/g, () => String([1e308, -0, 2 ** 53 + 1, 1e-320][int(4)]));
      default:
        return `{"s":${JSON.stringify('x'.repeat(int(100000)))}}`;
    }
  }

  const generators: (() => { kind: UntrustedKind; text: string })[] = [
    () => ({ kind: 'link', text: `#s=1.${base64urlEncode(randomBytes(int(400)))}` }),
    () => ({ kind: 'link', text: `#s=${int(4)}.${Array.from({ length: int(300) }, () => B64[int(64)]).join('')}` }),
    () => ({ kind: 'link', text: mutateText(validLinks[int(validLinks.length)]) }),
    () => {
      const link = validLinks[int(validLinks.length)];
      const bytes = Buffer.from(link.slice(5), 'base64url');
      return { kind: 'link', text: `#s=1.${base64urlEncode(flipBits(bytes, 1 + int(3)))}` };
    },
    () => ({ kind: 'link', text: linkOf(hostileJson(), 1, int(4) === 0 ? undefined : DICTIONARY_V1) }),
    () => ({ kind: 'link', text: linkOf(hostileJson(), int(3)) }),
    () => ({ kind: (['file', 'autosave'] as const)[int(2)], text: hostileJson() }),
    () => ({ kind: 'file', text: mutateText(validFiles[int(validFiles.length)]) }),
    () => ({ kind: 'autosave', text: new TextDecoder().decode(randomBytes(int(2000))) }),
    () => ({ kind: (['link', 'file', 'autosave'] as const)[int(3)], text: '['.repeat(int(5000)) + '{"a":'.repeat(int(5000)) }),
  ];

  it('3000 seeded cases: always a well-formed result object', () => {
    const counts = { ok: 0, refused: 0 };
    for (let k = 0; k < 3000; k++) {
      const input = generators[k % generators.length]();
      let r: OpenResult | undefined;
      expect(() => (r = openUntrusted(input))).not.toThrow();
      assertWellFormed(r as OpenResult);
      if ((r as OpenResult).ok) counts.ok++;
      else counts.refused++;
    }
    // Some mutations (e.g. appended garbage after a complete deflate stream) are harmless; most are refused.
    expect(counts.refused).toBeGreaterThan(2000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(prototypeKeys()).toEqual(before);
  });

  it('huge lengths are refused by the size check before any work', () => {
    const huge = 'A'.repeat(DOOR_LIMITS.autosaveChars + 1);
    for (const kind of ['link', 'file', 'autosave'] as const) expect(refused(openUntrusted({ kind, text: huge })).message).toMatch(/too large/);
  });
});
