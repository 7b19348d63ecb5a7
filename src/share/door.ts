/**
 * THE one door for untrusted input: share-link fragments, imported files and autosave blobs. Order of work:
 * size limit → (links) version, base64url, capped inflate → UTF-8 → nesting depth scan → JSON.parse with
 * position → forbidden keys (`__proto__`, `constructor`, `prototype`) → format migrations → view check →
 * parseScenario (shape, cross-references, scenario migrations). Nothing is evaluated; nothing throws.
 * Every refusal says what is wrong in words for a person and that nothing was opened.
 */
import { Inflate } from 'fflate';
import { parseScenario } from '../core/scenario/validate';
import type { Scenario } from '../core/scenario/types';
import {
  FILE_FORMAT,
  LINK_PARAM,
  FORMAT_DICTIONARIES,
  SHARE_FORMAT_VERSION,
  base64urlDecode,
  expandPayload,
  migratePayload,
  validateView,
  type ShareView,
} from './link';

export type UntrustedKind = 'link' | 'file' | 'autosave';

export interface UntrustedInput {
  kind: UntrustedKind;
  text: string;
}

export type OpenResult =
  | {
      ok: true;
      scenario: Scenario;
      view: ShareView;
      /** Share format version the input was written in, when older than the current one. */
      migratedFrom?: number;
    }
  | { ok: false; message: string; details: string[] };

export const DOOR_LIMITS = {
  /** Characters of a pasted link / fragment. */
  linkChars: 256 << 10,
  /** Characters of an imported file. */
  fileChars: 4 << 20,
  /** Characters of an autosave blob. */
  autosaveChars: 8 << 20,
  /** Bytes a link may inflate to (zip-bomb guard: inflating stops past this). */
  inflatedBytes: 8 << 20,
  /** Compressed bytes pushed per inflate step; deflate expands at most ~1032:1, so one step overshoots the cap by ≤ ~1 MiB. */
  inflateChunkBytes: 1024,
  /** Nesting of objects/arrays (a scenario needs 6). */
  jsonDepth: 32,
  /** Detail lines returned at most. */
  details: 50,
} as const;

const NOTHING_OPENED = 'Nothing was opened; your current work is unchanged.';
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const WHAT: Record<UntrustedKind, string> = { link: 'This share link', file: 'This file', autosave: 'The autosaved work' };

class Refusal {
  constructor(
    readonly message: string,
    readonly details: string[] = [],
  ) {}
}

function refuse(kind: UntrustedKind, problem: string, details: string[] = []): Refusal {
  return new Refusal(`${WHAT[kind]} ${problem} ${kind === 'autosave' ? 'It was left as it is.' : NOTHING_OPENED}`, details);
}

function kib(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Opens untrusted text as a scenario + view. Never throws, never evaluates anything. */
export function openUntrusted(input: UntrustedInput): OpenResult {
  try {
    const r = openInner(input);
    return r instanceof Refusal ? { ok: false, message: r.message, details: r.details.slice(0, DOOR_LIMITS.details) } : r;
  } catch (e) {
    // Unreachable by design; kept so the promise "never throws" holds even for a bug in a dependency.
    return { ok: false, message: `The input could not be read (internal error). ${NOTHING_OPENED}`, details: [e instanceof Error ? e.message.slice(0, 200) : 'unknown error'] };
  }
}

/** Shorthand for the app's start-up: `decodeShareLink(location.hash)`. */
export function decodeShareLink(text: string): OpenResult {
  return openUntrusted({ kind: 'link', text });
}

function openInner(input: UntrustedInput): OpenResult | Refusal {
  if (!isRecord(input) || (input.kind !== 'link' && input.kind !== 'file' && input.kind !== 'autosave')) {
    return new Refusal(`The input is of an unknown kind. ${NOTHING_OPENED}`);
  }
  const kind = input.kind;
  const text = input.text;
  if (typeof text !== 'string') return refuse(kind, 'is not text.');
  const limit = kind === 'link' ? DOOR_LIMITS.linkChars : kind === 'file' ? DOOR_LIMITS.fileChars : DOOR_LIMITS.autosaveChars;
  if (text.length > limit) return refuse(kind, `is too large (${kib(text.length)}; at most ${kib(limit)} is accepted).`);
  return kind === 'link' ? openLink(text) : openDocument(kind, text);
}

// ---- links ----

/** The `<version>.<data>` part of whatever was pasted: a whole URL, `#s=…`, `s=…` or the bare value. */
function linkValue(text: string): string | Refusal {
  // Chat clients wrap long links; whitespace is never part of a link.
  const t = text.replace(/\s+/g, '');
  if (t === '') return refuse('link', 'is empty.');
  const hash = t.indexOf('#');
  const fragment = hash >= 0 ? t.slice(hash + 1) : t;
  if (/^\d+\./.test(fragment)) return fragment;
  for (const part of fragment.split('&')) {
    if (part.startsWith(`${LINK_PARAM}=`)) return part.slice(LINK_PARAM.length + 1);
  }
  return refuse('link', `is not an Offload Lab share link: it has no "#${LINK_PARAM}=" part.`);
}

function openLink(text: string): OpenResult | Refusal {
  const value = linkValue(text);
  if (value instanceof Refusal) return value;
  const m = /^(\d{1,6})\.(.*)$/s.exec(value);
  if (!m) return refuse('link', `is damaged: it should start with a format number and a dot (like "${SHARE_FORMAT_VERSION}.…").`);
  const version = Number(m[1]);
  if (version < 1) return refuse('link', `has format ${version}, which never existed.`);
  if (version > SHARE_FORMAT_VERSION) {
    return refuse('link', `was made by a newer Offload Lab (link format ${version}; this one reads formats up to ${SHARE_FORMAT_VERSION}). Update Offload Lab and open it again.`);
  }
  const b64 = base64urlDecode(m[2]);
  if (!b64.ok) return refuse('link', `is damaged (at character ${m[1].length + 1 + b64.position} of the data: ${b64.why}). It may have been cut or altered when it was copied; copy the whole link again.`);
  if (b64.bytes.length === 0) return refuse('link', 'is empty after the format number; copy the whole link again.');
  const inflated = inflateCapped(b64.bytes, DOOR_LIMITS.inflatedBytes, FORMAT_DICTIONARIES[version]);
  if (inflated instanceof Refusal) return inflated;
  const json = parseJsonText('link', inflated);
  if (json instanceof Refusal) return json;
  if (!isRecord(json)) return refuse('link', 'holds data of the wrong kind (not an Offload Lab scenario).');
  const migrated = migratePayload(json, version);
  if (!migrated.ok) return refuse('link', `has format ${version}, which this Offload Lab cannot convert (${migrated.error}).`);
  const { scenario, view } = expandPayload(migrated.payload);
  return finish('link', scenario, view, version < SHARE_FORMAT_VERSION ? version : undefined);
}

/** deflate-raw → bytes, stopping as soon as the output passes `capBytes`. */
function inflateCapped(bytes: Uint8Array, capBytes: number, dictionary: Uint8Array | undefined): Uint8Array | Refusal {
  const chunks: Uint8Array[] = [];
  // Set from the inflater's callback, so the loop below reads them through an object.
  const st = { total: 0, over: false, ended: false };
  const inflater = new Inflate({ dictionary }, (data, final) => {
    st.total += data.length;
    if (st.total > capBytes) st.over = true;
    else chunks.push(data.slice());
    if (final) st.ended = true;
  });
  try {
    const step = DOOR_LIMITS.inflateChunkBytes;
    for (let off = 0; off < bytes.length && !st.over && !st.ended; off += step) {
      inflater.push(bytes.subarray(off, off + step), off + step >= bytes.length);
    }
  } catch (e) {
    const why = e instanceof Error ? e.message : 'corrupt data';
    return refuse('link', `is damaged or incomplete (its compressed data is corrupt: ${why}). Copy the whole link again.`);
  }
  if (st.over) return refuse('link', `expands to more than ${kib(capBytes)}; it was refused to protect your browser.`);
  if (!st.ended) return refuse('link', 'is incomplete (its compressed data stops early). Copy the whole link again.');
  const total = st.total;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

// ---- files and autosave ----

function openDocument(kind: 'file' | 'autosave', text: string): OpenResult | Refusal {
  const json = parseJsonText(kind, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (json instanceof Refusal) return json;
  if (!isRecord(json)) return refuse(kind, 'is not an Offload Lab scenario (its JSON is not an object).');
  if (!Object.hasOwn(json, 'format')) return finish(kind, json, undefined, undefined); // a bare scenario document
  if (json.format !== FILE_FORMAT) return refuse(kind, `is not an Offload Lab file (its "format" is ${JSON.stringify(String(json.format).slice(0, 40))}).`);
  const version = json.formatVersion;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return refuse(kind, 'has no valid "formatVersion".');
  if (version > SHARE_FORMAT_VERSION) {
    return refuse(kind, `was written by a newer Offload Lab (format ${version}; this one reads up to ${SHARE_FORMAT_VERSION}). Update Offload Lab and open it again.`);
  }
  // Files carry the full scenario (no compaction); their scenario versions migrate in parseScenario.
  return finish(kind, json.scenario, json.view, version < SHARE_FORMAT_VERSION ? version : undefined);
}

// ---- shared steps ----

function parseJsonText(kind: UntrustedKind, source: string | Uint8Array): unknown {
  let text: string;
  if (typeof source === 'string') text = source;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(source);
    } catch {
      return refuse(kind, 'is damaged (its text is not valid UTF-8).');
    }
  }
  const depth = nestingError(text);
  if (depth) return refuse(kind, depth);
  try {
    return JSON.parse(text);
  } catch (e) {
    return refuse(kind, `is not valid JSON: ${jsonErrorAt(text, e)}.`);
  }
}

/** Linear scan (outside strings) so a deeply nested bomb never reaches a recursive parser or validator. */
function nestingError(text: string): string | null {
  let depth = 0;
  let inString = false;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (inString) {
      if (c === 0x5c) k++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > DOOR_LIMITS.jsonDepth) return `is nested more than ${DOOR_LIMITS.jsonDepth} levels deep (at ${lineCol(text, k)}); a scenario never is.`;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return null;
}

function lineCol(text: string, pos: number): string {
  let line = 1;
  let col = 1;
  const end = Math.min(pos, text.length);
  for (let k = 0; k < end; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return `line ${line}, column ${col}`;
}

function jsonErrorAt(text: string, e: unknown): string {
  const found = locateJsonError(text);
  if (found) {
    if (found.pos >= text.length) return `it ends early (${lineCol(text, text.length)}), probably cut short`;
    return `${found.why} at ${lineCol(text, found.pos)}`;
  }
  // Engines word errors differently and may echo the input; keep only a short reason.
  return (e instanceof Error ? e.message : String(e)).slice(0, 120);
}

/**
 * Where JSON.parse failed, for the message: a small JSON grammar walk (run only after a failure; depth is
 * already bounded by nestingError, so recursion is safe).
 */
function locateJsonError(text: string): { pos: number; why: string } | null {
  let k = 0;
  const ws = () => {
    while (k < text.length && (text[k] === ' ' || text[k] === '\t' || text[k] === '\n' || text[k] === '\r')) k++;
  };
  const fail = (why: string): never => {
    throw new JsonSyntax(k, why);
  };
  const shown = () => (k < text.length ? JSON.stringify(text[k]) : 'the end');
  const value = (): void => {
    ws();
    const c = text[k];
    if (c === '{') {
      k++;
      ws();
      if (text[k] === '}') return void k++;
      for (;;) {
        ws();
        if (text[k] !== '"') fail(`expected a quoted field name, found ${shown()}`);
        string();
        ws();
        if (text[k] !== ':') fail(`expected ":" after a field name, found ${shown()}`);
        k++;
        value();
        ws();
        if (text[k] === ',') k++;
        else if (text[k] === '}') return void k++;
        else fail(`expected "," or "}", found ${shown()}`);
      }
    } else if (c === '[') {
      k++;
      ws();
      if (text[k] === ']') return void k++;
      for (;;) {
        value();
        ws();
        if (text[k] === ',') k++;
        else if (text[k] === ']') return void k++;
        else fail(`expected "," or "]", found ${shown()}`);
      }
    } else if (c === '"') string();
    else if (c !== undefined && /[-0-9]/.test(c)) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(k, k + 400));
      if (!m) fail('malformed number');
      k += (m as RegExpExecArray)[0].length;
    } else {
      for (const word of ['true', 'false', 'null']) if (text.startsWith(word, k)) return void (k += word.length);
      fail(`unexpected ${shown()}`);
    }
  };
  const string = (): void => {
    k++;
    while (k < text.length) {
      const c = text.charCodeAt(k);
      if (c === 0x22) return void k++;
      if (c < 0x20) fail('a control character inside a string');
      if (c === 0x5c) {
        const esc = text[k + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(k + 2, k + 6))) fail('a bad \\u escape');
          k += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) k += 2;
        else fail('a bad escape');
      } else k++;
    }
    fail('an unterminated string');
  };
  try {
    value();
    ws();
    if (k < text.length) fail(`unexpected ${shown()} after the end of the document`);
    return null;
  } catch (e) {
    return e instanceof JsonSyntax ? { pos: e.pos, why: e.why } : null;
  }
}

class JsonSyntax {
  constructor(
    readonly pos: number,
    readonly why: string,
  ) {}
}

/** Paths of own keys that could alter prototypes if a later step copied them carelessly. */
function forbiddenKeyPaths(root: unknown): string[] {
  const out: string[] = [];
  const stack: { value: unknown; path: string }[] = [{ value: root, path: '' }];
  while (stack.length > 0 && out.length < 10) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    if (Array.isArray(value)) value.forEach((item, k) => stack.push({ value: item, path: `${path}[${k}]` }));
    else if (isRecord(value)) {
      for (const key of Object.keys(value)) {
        const at = path ? `${path}.${key}` : key;
        if (FORBIDDEN_KEYS.has(key)) out.push(at);
        else stack.push({ value: value[key], path: at });
      }
    }
  }
  return out;
}

function finish(kind: UntrustedKind, scenarioJson: unknown, viewJson: unknown, migratedFrom: number | undefined): OpenResult | Refusal {
  const bad = [...forbiddenKeyPaths(scenarioJson).map((p) => `scenario: ${p}`), ...forbiddenKeyPaths(viewJson).map((p) => `view: ${p}`)];
  if (bad.length > 0) {
    return refuse(kind, `contains a field named "__proto__", "constructor" or "prototype", which is refused (such names can tamper with the app).`, bad.map((p) => `${p}: forbidden field name`));
  }
  const view = validateView(viewJson);
  if (!view.ok) return refuse(kind, 'has display settings that are not valid.', view.errors);
  const parsed = parseScenario(scenarioJson);
  if (!parsed.ok) {
    const n = parsed.errors.length;
    return refuse(kind, `holds a scenario that is not valid (${n} problem${n === 1 ? '' : 's'}; the first: ${parsed.errors[0].message}).`, parsed.errors.map((e) => e.message));
  }
  return migratedFrom === undefined ? { ok: true, scenario: parsed.scenario, view: view.view } : { ok: true, scenario: parsed.scenario, view: view.view, migratedFrom };
}
