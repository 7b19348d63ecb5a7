/**
 * Share links: the whole shareable state (a Scenario, including its timeline of live changes, plus the
 * `view` — chart selection and other open display settings) in a URL fragment
 *
 *   #s=<formatVersion>.<base64url(deflate-raw(UTF-8 JSON payload, preset dictionary of that format))>
 *
 * Payload of format 1: `{ "s": <scenario, compacted>, "v": <view> }` ("v" omitted when empty). Compaction
 * drops fields equal to their format-1 default (see DEFAULTS_V1) before compressing; `expandPayloadV1`
 * restores them. The defaults of a format version are frozen forever: a change means a new format version
 * and a step in PAYLOAD_MIGRATIONS. Decoding untrusted text goes through ./door (openUntrusted).
 */
import { deflateSync } from 'fflate';
import type { InterfaceSpec, InterfaceTemplate, NodeSpec, QdiscSpec, Scenario } from '../core/scenario/types';
import { DICTIONARY_V1 } from './dictionary-v1';

/** Current share-link format version (the number before the dot). */
export const SHARE_FORMAT_VERSION = 1 as const;
/** Fragment parameter name: `#s=...`. */
export const LINK_PARAM = 's';

// ---- view ----

export type ViewValue = string | number | boolean | string[];
/** Display state that travels with a link: an open record of small values (e.g. `charts: ['tcpThroughput']`). */
export type ShareView = Record<string, ViewValue>;

export interface ShareState {
  scenario: Scenario;
  view: ShareView;
}

export const VIEW_LIMITS = {
  keys: 64,
  keyPattern: /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
  stringChars: 200,
  listItems: 256,
} as const;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Checks a view from anywhere (a link, a file, the UI); returns a fresh copy or the reasons it is refused. */
export function validateView(x: unknown): { ok: true; view: ShareView } | { ok: false; errors: string[] } {
  if (x === undefined) return { ok: true, view: {} };
  if (!isRecord(x)) return { ok: false, errors: ['view: must be an object of display settings'] };
  const keys = Object.keys(x);
  const errors: string[] = [];
  if (keys.length > VIEW_LIMITS.keys) return { ok: false, errors: [`view: must have at most ${VIEW_LIMITS.keys} entries, got ${keys.length}`] };
  const out: ShareView = {};
  for (const key of keys) {
    const shown = JSON.stringify(key.slice(0, 40));
    if (!VIEW_LIMITS.keyPattern.test(key) || FORBIDDEN_KEYS.has(key)) {
      errors.push(`view[${shown}]: is not a valid setting name (letters, digits, "_", "." or "-", starting with a letter, at most 64 characters)`);
      continue;
    }
    const value = x[key];
    const str = (s: unknown, at: string): s is string => {
      if (typeof s !== 'string') return false;
      if (s.length > VIEW_LIMITS.stringChars) {
        errors.push(`${at}: must be at most ${VIEW_LIMITS.stringChars} characters, got ${s.length}`);
        return false;
      }
      return true;
    };
    if (typeof value === 'boolean') out[key] = value;
    else if (typeof value === 'number') {
      if (Number.isFinite(value)) out[key] = value;
      else errors.push(`view.${key}: must be a finite number`);
    } else if (typeof value === 'string') {
      if (str(value, `view.${key}`)) out[key] = value;
    } else if (Array.isArray(value)) {
      if (value.length > VIEW_LIMITS.listItems) {
        errors.push(`view.${key}: must have at most ${VIEW_LIMITS.listItems} entries, got ${value.length}`);
        continue;
      }
      const items: string[] = [];
      value.forEach((item, k) => {
        if (str(item, `view.${key}[${k}]`)) items.push(item);
        else if (typeof item !== 'string') errors.push(`view.${key}[${k}]: must be a string (an id)`);
      });
      out[key] = items;
    } else errors.push(`view.${key}: must be a string, number, true/false or a list of strings`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, view: out };
}

// ---- base64url (RFC 4648 §5, no padding) ----

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let k = 0; k < ALPHABET.length; k++) DECODE[ALPHABET.charCodeAt(k)] = k;

export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  let k = 0;
  for (; k + 2 < bytes.length; k += 3) {
    const n = (bytes[k] << 16) | (bytes[k + 1] << 8) | bytes[k + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - k;
  if (rest === 1) {
    const n = bytes[k] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[k] << 16) | (bytes[k + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63];
  }
  return out;
}

/** Strict decoder: any character outside the alphabet (or an impossible length) is reported by position. */
export function base64urlDecode(text: string): { ok: true; bytes: Uint8Array } | { ok: false; position: number; why: string } {
  const len = text.length;
  if (len % 4 === 1) return { ok: false, position: len, why: 'its length is impossible for the encoding (it was probably cut short)' };
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let k = 0; k < len; k++) {
    const c = text.charCodeAt(k);
    const d = c < 128 ? DECODE[c] : -1;
    if (d < 0) return { ok: false, position: k, why: `character ${JSON.stringify(text[k])} never appears in a share link` };
    acc = ((acc << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return { ok: true, bytes: out.subarray(0, o) };
}

// ---- compaction (format 1) ----

/** tun/tap's txqueuelen 500; other queued devices 1000; veth and bridge are noqueue (see presets/build.ts). */
function defaultQdisc(template: InterfaceTemplate): QdiscSpec {
  switch (template) {
    case 'bridge':
    case 'veth':
      return { kind: 'noqueue' };
    case 'tap':
      return { kind: 'pfifo', limitPackets: 500 };
    case 'virtio-net':
    case 'nic':
      return { kind: 'pfifo', limitPackets: 1000 };
    default: {
      const never: never = template;
      return never;
    }
  }
}

/** Format-1 defaults: frozen. Only required fields, so "absent" always means "the default". */
export const DEFAULTS_V1 = {
  scenario: { version: 1, profile: 'kvm-2017', seed: 1, faults: [] as unknown[], timeline: [] as unknown[] },
  iface: (template: InterfaceTemplate) => ({
    mtu: 1500,
    queues: 1,
    features: {} as Record<string, boolean>,
    vnetHdr: template === 'virtio-net' || template === 'tap',
    qdisc: defaultQdisc(template),
  }),
  router: { firewall: [] as unknown[] },
  flow: { startNs: 0 },
} as const;

/** Equality of small JSON values, independent of key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, k) => sameJson(x, b[k]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
  }
  return false;
}

function omitDefaults<T extends object>(obj: T, defaults: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(obj)) if (!(Object.hasOwn(defaults, k) && sameJson(value, defaults[k]))) out[k] = value;
  return out;
}

/** Fills absent keys from defaults (fresh copies); present keys, valid or not, are left for validation. */
function restoreDefaults(obj: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...obj };
  for (const [k, value] of Object.entries(defaults)) if (!Object.hasOwn(out, k)) out[k] = structuredCloneJson(value);
  return out;
}

function structuredCloneJson<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

function compactIface(i: InterfaceSpec): Record<string, unknown> {
  return omitDefaults(i, DEFAULTS_V1.iface(i.template));
}

function compactNode(n: NodeSpec): Record<string, unknown> {
  const out = { ...n, interfaces: n.interfaces.map(compactIface) };
  return n.kind === 'router' ? omitDefaults(out, DEFAULTS_V1.router) : out;
}

/** Scenario → format-1 compact JSON value (fields equal to DEFAULTS_V1 dropped). */
export function compactScenario(s: Scenario): Record<string, unknown> {
  const top = omitDefaults(s, DEFAULTS_V1.scenario);
  top.nodes = s.nodes.map(compactNode);
  top.flows = s.flows.map((f) => omitDefaults(f, DEFAULTS_V1.flow));
  return top;
}

const TEMPLATES: readonly string[] = ['virtio-net', 'tap', 'veth', 'bridge', 'nic'];

/**
 * Format-1 compact JSON (untrusted) → scenario JSON with defaults restored, still unvalidated. Anything of
 * the wrong shape is passed through unchanged so that validation names it.
 */
export function expandScenarioV1(x: unknown): unknown {
  if (!isRecord(x)) return x;
  const top = restoreDefaults(x, DEFAULTS_V1.scenario);
  if (Array.isArray(top.nodes)) {
    top.nodes = top.nodes.map((n: unknown) => {
      if (!isRecord(n)) return n;
      const node = n.kind === 'router' ? restoreDefaults(n, DEFAULTS_V1.router) : { ...n };
      if (Array.isArray(node.interfaces)) {
        node.interfaces = node.interfaces.map((i: unknown) =>
          isRecord(i) && typeof i.template === 'string' && TEMPLATES.includes(i.template) ? restoreDefaults(i, DEFAULTS_V1.iface(i.template as InterfaceTemplate)) : i,
        );
      }
      return node;
    });
  }
  if (Array.isArray(top.flows)) top.flows = top.flows.map((f: unknown) => (isRecord(f) ? restoreDefaults(f, DEFAULTS_V1.flow) : f));
  return top;
}

// ---- payload versions ----

/**
 * Steps from format n to n + 1 on the parsed payload (before expansion), keyed by n. Empty while format 1 is
 * the only one; a format-2 link reader adds `1: (p) => ...` and keeps the format-1 goldens decoding.
 */
export const PAYLOAD_MIGRATIONS: Readonly<Record<number, (payload: Record<string, unknown>) => Record<string, unknown>>> = {};

/**
 * Runs the steps from `fromVersion` up to `toVersion` (the current format unless testing a table). Returns
 * an error text when a step is missing or a step rejects the payload (throws).
 */
export function migratePayload(
  payload: Record<string, unknown>,
  fromVersion: number,
  migrations: Readonly<Record<number, (p: Record<string, unknown>) => Record<string, unknown>>> = PAYLOAD_MIGRATIONS,
  toVersion: number = SHARE_FORMAT_VERSION,
): { ok: true; payload: Record<string, unknown> } | { ok: false; error: string } {
  let cur = payload;
  for (let v = fromVersion; v < toVersion; v++) {
    const step = migrations[v];
    if (!step) return { ok: false, error: `no conversion from format ${v} to ${v + 1}` };
    try {
      cur = step(cur);
    } catch (e) {
      return { ok: false, error: `converting format ${v} to ${v + 1} failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return { ok: true, payload: cur };
}

/** Deflate dictionary of each format version (all versions still readable). */
export const FORMAT_DICTIONARIES: Readonly<Record<number, Uint8Array>> = { 1: DICTIONARY_V1 };

/** Current-format payload → `{ scenario, view }` JSON, both still unvalidated. */
export function expandPayload(payload: Record<string, unknown>): { scenario: unknown; view: unknown } {
  return { scenario: expandScenarioV1(payload.s), view: payload.v };
}

/** The JSON text compressed into a link (exported for size measurements and fixtures). */
export function payloadJson(state: ShareState): string {
  const payload: Record<string, unknown> = { s: compactScenario(state.scenario) };
  if (Object.keys(state.view).length > 0) payload.v = state.view;
  return JSON.stringify(payload);
}

/** `#s=1.<base64url>`: the fragment for this state (deterministic: same state, same link). */
export function encodeShareFragment(state: ShareState): string {
  const bytes = new TextEncoder().encode(payloadJson(state));
  return `#${LINK_PARAM}=${SHARE_FORMAT_VERSION}.${base64urlEncode(deflateSync(bytes, { level: 9, mem: 8, dictionary: DICTIONARY_V1 }))}`;
}

/** A full URL: `base` with any existing fragment replaced by the share fragment. */
export function encodeShareUrl(base: string, state: ShareState): string {
  const hash = base.indexOf('#');
  return `${hash < 0 ? base : base.slice(0, hash)}${encodeShareFragment(state)}`;
}

// ---- file / autosave envelope ----

/** Marks a JSON file or autosave blob as ours; a bare scenario document is accepted too. */
export const FILE_FORMAT = 'offload-lab' as const;

export interface ShareFile {
  format: typeof FILE_FORMAT;
  formatVersion: number;
  scenario: Scenario;
  view: ShareView;
}

/** Text for a downloaded file or an autosave slot (readable JSON, full scenario, no compaction). */
export function encodeShareFile(state: ShareState, opts: { pretty?: boolean } = {}): string {
  const file: ShareFile = { format: FILE_FORMAT, formatVersion: SHARE_FORMAT_VERSION, scenario: state.scenario, view: state.view };
  return JSON.stringify(file, null, opts.pretty === false ? undefined : 2);
}
