/**
 * Parameter paths into a scenario: `links[0].rateBitsPerSec`, `nodes[id=r1].interfaces[name=eth1].mtu`,
 * `nodes[id=vm1].interfaces[name=eth0].features.tcp-segmentation-offload`. Used by sweeps, preset
 * variants and `set-param` timeline changes. Pure: setting returns a new object and shares untouched parts.
 */

export type PathSegment =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  /** `[field=value]`: the one array element whose `field` (a string) equals `value`. */
  | { kind: 'select'; field: string; value: string };

export type PathResult<T> = { ok: true; value: T } | { ok: false; error: string };

const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_PATH_CHARS = 512;
const KEY_CHARS = /[A-Za-z0-9_-]/;

/** Parses a path; keys are `[A-Za-z0-9_-]+` (ethtool names included), indices are decimal. */
export function parsePath(path: string): PathResult<PathSegment[]> {
  if (typeof path !== 'string' || path.length === 0) return { ok: false, error: 'path is empty' };
  if (path.length > MAX_PATH_CHARS) return { ok: false, error: `path is longer than ${MAX_PATH_CHARS} characters` };
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (why: string): PathResult<PathSegment[]> => ({ ok: false, error: `bad path "${path}" at character ${i}: ${why}` });
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      if (segments.length === 0) return fail('a path cannot start with "."');
      i++;
      if (i >= path.length || !KEY_CHARS.test(path[i])) return fail('expected a field name after "."');
      continue;
    }
    if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) return fail('unclosed "["');
      const inner = path.slice(i + 1, close);
      if (/^\d+$/.test(inner)) {
        const index = Number(inner);
        if (!Number.isSafeInteger(index)) return fail('index too large');
        segments.push({ kind: 'index', index });
      } else {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)=([^\]]+)$/.exec(inner);
        if (!m) return fail('expected [number] or [field=value]');
        if (FORBIDDEN_KEYS.has(m[1])) return fail(`"${m[1]}" is not allowed`);
        segments.push({ kind: 'select', field: m[1], value: m[2] });
      }
      i = close + 1;
      if (i < path.length && path[i] !== '.' && path[i] !== '[') return fail('expected "." or "[" after "]"');
      continue;
    }
    if (segments.length > 0 && path[i - 1] !== '.') return fail('expected "." or "["');
    let end = i;
    while (end < path.length && KEY_CHARS.test(path[end])) end++;
    if (end === i) return fail(`unexpected character "${c}"`);
    const key = path.slice(i, end);
    if (FORBIDDEN_KEYS.has(key)) return fail(`"${key}" is not allowed`);
    segments.push({ kind: 'key', key });
    i = end;
  }
  return { ok: true, value: segments };
}

export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    switch (s.kind) {
      case 'key':
        out += out.length === 0 ? s.key : `.${s.key}`;
        break;
      case 'index':
        out += `[${s.index}]`;
        break;
      case 'select':
        out += `[${s.field}=${s.value}]`;
        break;
      default: {
        const never: never = s;
        throw new Error(`unreachable ${String(never)}`);
      }
    }
  }
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Resolves one segment against a container: the array index or object key it names. */
function step(container: unknown, seg: PathSegment, where: string): PathResult<number | string> {
  switch (seg.kind) {
    case 'key':
      if (!isRecord(container)) return { ok: false, error: `${where || 'the scenario'} is not an object, cannot take field "${seg.key}"` };
      return { ok: true, value: seg.key };
    case 'index':
      if (!Array.isArray(container)) return { ok: false, error: `${where} is not a list, cannot take [${seg.index}]` };
      if (seg.index >= container.length) return { ok: false, error: `${where}[${seg.index}] does not exist (${where} has ${container.length} entries)` };
      return { ok: true, value: seg.index };
    case 'select': {
      if (!Array.isArray(container)) return { ok: false, error: `${where} is not a list, cannot select [${seg.field}=${seg.value}]` };
      let found = -1;
      for (let k = 0; k < container.length; k++) {
        const item: unknown = container[k];
        if (isRecord(item) && Object.hasOwn(item, seg.field) && String(item[seg.field]) === seg.value) {
          if (found >= 0) return { ok: false, error: `${where}[${seg.field}=${seg.value}] matches more than one entry` };
          found = k;
        }
      }
      if (found < 0) return { ok: false, error: `${where} has no entry with ${seg.field}=${seg.value}` };
      return { ok: true, value: found };
    }
    default: {
      const never: never = seg;
      return { ok: false, error: `unknown segment ${String(never)}` };
    }
  }
}

/** Reads the value at a path; a missing final object field reads as `undefined` (optional fields). */
export function getAtPath(root: unknown, path: string): PathResult<unknown> {
  const parsed = parsePath(path);
  if (!parsed.ok) return parsed;
  let cur: unknown = root;
  const segs = parsed.value;
  for (let k = 0; k < segs.length; k++) {
    const where = formatPath(segs.slice(0, k));
    const r = step(cur, segs[k], where);
    if (!r.ok) return r;
    const container = cur as Record<string | number, unknown>;
    const key = r.value;
    if (typeof key === 'string' && !Object.hasOwn(container, key)) {
      if (k === segs.length - 1) return { ok: true, value: undefined };
      return { ok: false, error: `${formatPath(segs.slice(0, k + 1))} does not exist` };
    }
    cur = container[key];
  }
  return { ok: true, value: cur };
}

/**
 * Returns a copy of `root` with the value at `path` replaced (or an absent final object field created).
 * The input is never modified; only the containers along the path are copied.
 */
export function setAtPath<T>(root: T, path: string, value: unknown): PathResult<T> {
  const parsed = parsePath(path);
  if (!parsed.ok) return parsed;
  const segs = parsed.value;
  const rec = (cur: unknown, k: number): PathResult<unknown> => {
    if (k === segs.length) return { ok: true, value };
    const where = formatPath(segs.slice(0, k));
    const r = step(cur, segs[k], where);
    if (!r.ok) return r;
    const key = r.value;
    if (typeof key === 'string') {
      const obj = cur as Record<string, unknown>;
      const present = Object.hasOwn(obj, key);
      if (!present && k < segs.length - 1) return { ok: false, error: `${formatPath(segs.slice(0, k + 1))} does not exist` };
      const inner = rec(present ? obj[key] : undefined, k + 1);
      if (!inner.ok) return inner;
      const copy: Record<string, unknown> = { ...obj };
      Object.defineProperty(copy, key, { value: inner.value, enumerable: true, writable: true, configurable: true });
      return { ok: true, value: copy };
    }
    const arr = cur as unknown[];
    const inner = rec(arr[key], k + 1);
    if (!inner.ok) return inner;
    const copy = arr.slice();
    copy[key] = inner.value;
    return { ok: true, value: copy };
  };
  return rec(root, 0) as PathResult<T>;
}

/** Parses a command-line value: numbers (incl. `1e9`), `true`/`false`, otherwise the string itself. */
export function parseParamValue(text: string): number | string | boolean {
  const t = text.trim();
  if (t === 'true') return true;
  if (t === 'false') return false;
  if (t !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return t;
}
