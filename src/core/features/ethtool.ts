import {
  FEATURES,
  LAYOUTS,
  LEGACY_FLAGS,
  NEVER_CHANGE,
  featureByName,
  featureInfo,
  flagPatternMatch,
  legacyFlagByName,
  legacyFlagIndexOf,
  makeLayout,
  type FeatureLayout,
  type LayoutEntry,
  type LegacyFlag,
} from './catalog';
import { createDevice, dropReason, isChangeable, setWanted, type NetDevice, type OpaqueFeature } from './device';
import { FeatureError } from './errors';
import { FeatureSet } from './featureSet';

// ---------------------------------------------------------------------------------------------
// `ethtool -k` rows (netlink ethtool's dump_features), shared by the text formatter and the UI panel.

export type Suffix = '' | ' [fixed]' | ' [requested on]' | ' [requested off]';

export interface FeatureRow {
  /** What ethtool prints: the legacy long name when it stands alone for one feature, else the kernel string. */
  readonly label: string;
  readonly kernelName: string;
  /** Catalogued bit, or null for a feature the model does not know. */
  readonly bit: number | null;
  readonly active: boolean;
  readonly wanted: boolean;
  /** ethtool prints [fixed]. */
  readonly fixed: boolean;
  /** The model lets the user toggle it (false for fixed and for unknown features). */
  readonly changeable: boolean;
  readonly suffix: Suffix;
  /** Short legacy name that also sets it (`tso`), if any. */
  readonly legacy: string | null;
  /** Why it is off although wanted ("[requested on]"). */
  readonly reason: string | null;
}

export type EthtoolRow =
  /** A legacy flag matching several (or zero) features: `LONG: on|off` then tab-indented features. */
  | { readonly kind: 'group'; readonly flag: LegacyFlag; readonly active: boolean; readonly children: readonly FeatureRow[] }
  | { readonly kind: 'feature'; readonly row: FeatureRow };

interface LayoutPlan {
  /** Per LEGACY_FLAGS index: layout entry indices whose name matches (first matching flag wins). */
  readonly groups: readonly (readonly number[])[];
  /** Entry indices not matching any legacy flag, in layout order. */
  readonly rest: readonly number[];
}

const PLANS = new WeakMap<FeatureLayout, LayoutPlan>();

function planOf(layout: FeatureLayout): LayoutPlan {
  let plan = PLANS.get(layout);
  if (plan) return plan;
  const groups: number[][] = LEGACY_FLAGS.map(() => []);
  const rest: number[] = [];
  layout.entries.forEach((e, i) => {
    if (e.name === '') return;
    const flag = legacyFlagIndexOf(e.name);
    if (flag >= 0) groups[flag].push(i);
    else rest.push(i);
  });
  plan = { groups, rest };
  PLANS.set(layout, plan);
  return plan;
}

function featureRow(dev: NetDevice, entry: LayoutEntry, label: string, legacy: string | null): FeatureRow {
  switch (entry.kind) {
    case 'known': {
      const bit = entry.bit;
      const active = dev.active.has(bit);
      const wanted = dev.wanted.has(bit);
      const fixed = !dev.hw.has(bit) || NEVER_CHANGE.has(bit);
      const suffix: Suffix = fixed ? ' [fixed]' : active !== wanted ? (wanted ? ' [requested on]' : ' [requested off]') : '';
      return { label, kernelName: entry.name, bit, active, wanted, fixed, changeable: isChangeable(dev, bit), suffix, legacy, reason: dropReason(dev, bit)?.reason ?? null };
    }
    case 'opaque': {
      const o = dev.opaque.get(entry.name) ?? { name: entry.name, active: false, wanted: false, changeable: false };
      const fixed = !o.changeable;
      const suffix: Suffix = fixed ? ' [fixed]' : o.active !== o.wanted ? (o.wanted ? ' [requested on]' : ' [requested off]') : '';
      return { label, kernelName: entry.name, bit: null, active: o.active, wanted: o.wanted, fixed, changeable: false, suffix, legacy, reason: null };
    }
    default: {
      const exhaustive: never = entry;
      return exhaustive;
    }
  }
}

/** The rows `ethtool -k` prints, in its order: legacy flags first (ufo hidden), then the remaining features. */
export function ethtoolRows(dev: NetDevice): EthtoolRow[] {
  const plan = planOf(dev.layout);
  const rows: EthtoolRow[] = [];
  LEGACY_FLAGS.forEach((flag, fi) => {
    if (flag.hiddenInDump) return;
    const members = plan.groups[fi];
    if (members.length === 1) {
      rows.push({ kind: 'feature', row: featureRow(dev, dev.layout.entries[members[0]], flag.long, flag.short) });
      return;
    }
    const children = members.map((i) => featureRow(dev, dev.layout.entries[i], dev.layout.entries[i].name, flag.short));
    rows.push({ kind: 'group', flag, active: children.some((c) => c.active), children });
  });
  for (const i of plan.rest) rows.push({ kind: 'feature', row: featureRow(dev, dev.layout.entries[i], dev.layout.entries[i].name, null) });
  return rows;
}

const onOff = (b: boolean): string => (b ? 'on' : 'off');

/** Exactly what `ethtool -k IFNAME` prints (netlink ethtool), trailing newline included. */
export function formatEthtoolK(dev: NetDevice, ifname: string): string {
  let out = `Features for ${ifname}:\n`;
  for (const r of ethtoolRows(dev)) {
    switch (r.kind) {
      case 'group':
        out += `${r.flag.long}: ${onOff(r.active)}\n`;
        for (const c of r.children) out += `\t${c.label}: ${onOff(c.active)}${c.suffix}\n`;
        break;
      case 'feature':
        out += `${r.row.label}: ${onOff(r.row.active)}${r.row.suffix}\n`;
        break;
      default: {
        const exhaustive: never = r;
        return exhaustive;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing `ethtool -k` text.

export interface ParsedEthtoolK {
  readonly ifname: string;
  readonly device: NetDevice;
}

interface ParsedFeature {
  readonly name: string;
  readonly bit: number | null;
  readonly active: boolean;
  readonly wanted: boolean;
  readonly changeable: boolean;
  readonly line: number;
  /** -1: the remaining-features section; else the LEGACY_FLAGS index it was listed under. */
  readonly section: number;
}

interface OpenGroup {
  readonly flagIndex: number;
  readonly line: number;
  readonly active: boolean;
  readonly suffix: string | undefined;
  readonly children: ParsedFeature[];
}

const HEADER_RE = /^\s*Features for (\S+):\s*$/;
const PROMPT_RE = /\bethtool\s+(?:-k|--show-features|--show-offload)\s+\S+\s*$/;
const LINE_RE = /^([ \t]*)([^\s:]+):[ \t]*(\S+)(?:[ \t]+\[([^\]]*)\])?[ \t]*$/;
const MAX_TEXT_CHARS = 1 << 20;

/**
 * Parses netlink `ethtool -k` output into a device record that formats back byte-identically. Tolerates CRLF,
 * blank lines and extra spaces; features the model does not know are kept as they are. Anything else is a
 * FeatureError('parse') naming the line and why.
 */
export function parseEthtoolK(text: string): ParsedEthtoolK {
  if (typeof text !== 'string') throw new FeatureError('parse', 1, 'input is not text');
  if (text.length > MAX_TEXT_CHARS) throw new FeatureError('parse', 1, `input is longer than ${MAX_TEXT_CHARS} characters`);
  const lines = text.split(/\r?\n/);
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  if (i === lines.length) throw new FeatureError('parse', 1, "empty input: expected 'Features for <interface>:'");
  // A pasted terminal line such as `$ sudo ethtool -k eth0` may precede the output.
  if (PROMPT_RE.test(lines[i])) {
    i++;
    while (i < lines.length && lines[i].trim() === '') i++;
    if (i === lines.length) throw new FeatureError('parse', i, "expected 'Features for <interface>:' after the command line");
  }
  const header = HEADER_RE.exec(lines[i]);
  if (!header) throw new FeatureError('parse', i + 1, `expected 'Features for <interface>:', got '${clip(lines[i])}'`);
  const ifname = header[1];

  const parsed: ParsedFeature[] = [];
  const seen = new Map<string, number>();
  let group: OpenGroup | null = null;
  const add = (pf: ParsedFeature): void => {
    const first = seen.get(pf.name);
    if (first !== undefined) throw new FeatureError('parse', pf.line, `'${pf.name}' is listed twice (first on line ${first})`);
    seen.set(pf.name, pf.line);
    parsed.push(pf);
  };
  const closeGroup = (): void => {
    if (group) closeLegacyGroup(group, add);
    group = null;
  };

  for (i = i + 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i];
    if (raw.trim() === '') continue;
    if (HEADER_RE.test(raw)) throw new FeatureError('parse', lineNo, "a second 'Features for' header: parse one interface at a time");
    const m = LINE_RE.exec(raw);
    if (!m) {
      const why = raw.includes(':') ? `expected 'name: on|off' with an optional [fixed], [requested on] or [requested off], got '${clip(raw)}'` : `not a feature line: '${clip(raw)}'`;
      throw new FeatureError('parse', lineNo, why);
    }
    const indented = m[1].length > 0;
    const name = m[2];
    const value = m[3];
    const suffix = m[4];
    if (value !== 'on' && value !== 'off') throw new FeatureError('parse', lineNo, `'${name}' must be 'on' or 'off', got '${clip(value)}'`);
    const active = value === 'on';
    const state = suffixState(suffix, active, name, lineNo);
    const legacyIndex = LEGACY_FLAGS.findIndex((l) => l.long === name);
    if (legacyIndex < 0 && LEGACY_FLAGS.some((l) => l.short === name)) {
      throw new FeatureError('parse', lineNo, `'${name}' is a short ethtool -K name; ethtool -k prints '${legacyFlagByName(name)?.long}'`);
    }

    if (indented) {
      if (legacyIndex >= 0) throw new FeatureError('parse', lineNo, `legacy name '${name}' cannot be indented under another one`);
      const open: OpenGroup | null = group;
      if (!open) throw new FeatureError('parse', lineNo, `'${name}' is indented but no group line (such as 'tx-checksumming: on') comes before it`);
      const flag = LEGACY_FLAGS[open.flagIndex];
      if (!flagPatternMatch(name, flag.glob)) throw new FeatureError('parse', lineNo, `'${name}' does not belong under '${flag.long}' (which lists ${flag.glob})`);
      const pf = parsedFeature(name, active, state, lineNo, open.flagIndex);
      checkNeverChange(pf);
      open.children.push(pf);
      add(pf);
      continue;
    }

    closeGroup();
    if (legacyIndex >= 0) {
      group = { flagIndex: legacyIndex, line: lineNo, active, suffix, children: [] };
      continue;
    }
    const flagOfName = legacyFlagIndexOf(name);
    if (flagOfName >= 0) {
      throw new FeatureError('parse', lineNo, `'${name}' belongs under '${LEGACY_FLAGS[flagOfName].long}' (ethtool lists it there)`);
    }
    const pf = parsedFeature(name, active, state, lineNo, -1);
    checkNeverChange(pf);
    add(pf);
  }
  closeGroup();

  const layout = layoutFromParsed(parsed);
  let hw = FeatureSet.EMPTY;
  let wanted = FeatureSet.EMPTY;
  let activeSet = FeatureSet.EMPTY;
  const opaque = new Map<string, OpaqueFeature>();
  for (const pf of parsed) {
    if (pf.bit === null) {
      opaque.set(pf.name, { name: pf.name, active: pf.active, wanted: pf.wanted, changeable: pf.changeable });
      continue;
    }
    if (pf.changeable) hw = hw.with(pf.bit);
    if (pf.changeable && pf.wanted) wanted = wanted.with(pf.bit);
    if (pf.active) activeSet = activeSet.with(pf.bit);
  }
  return { ifname, device: createDevice({ layout, hw, wanted, active: activeSet, opaque }) };
}

type SuffixState = { readonly changeable: boolean; readonly wanted: boolean };

function suffixState(suffix: string | undefined, active: boolean, name: string, line: number): SuffixState {
  if (suffix === undefined) return { changeable: true, wanted: active };
  const s = suffix.trim().replace(/\s+/g, ' ');
  if (s === 'fixed') return { changeable: false, wanted: false };
  if (s === 'requested on' || s === 'requested off') {
    const wanted = s === 'requested on';
    if (wanted === active) throw new FeatureError('parse', line, `'${name}: ${active ? 'on' : 'off'} [${s}]' contradicts itself`);
    return { changeable: true, wanted };
  }
  throw new FeatureError('parse', line, `unknown annotation '[${clip(suffix)}]' after '${name}' (ethtool prints [fixed], [requested on] or [requested off])`);
}

function parsedFeature(name: string, active: boolean, state: SuffixState, line: number, section: number): ParsedFeature {
  const info = featureByName(name);
  return { name, bit: info ? info.bit : null, active, wanted: state.wanted, changeable: state.changeable, line, section };
}

function checkNeverChange(pf: ParsedFeature): void {
  if (pf.bit !== null && NEVER_CHANGE.has(pf.bit) && pf.changeable) {
    throw new FeatureError('parse', pf.line, `'${pf.name}' can never change; ethtool always marks it [fixed]`);
  }
}

function closeLegacyGroup(g: OpenGroup, add: (pf: ParsedFeature) => void): void {
  const flag = LEGACY_FLAGS[g.flagIndex];
  if (g.children.length > 0) {
    if (g.suffix !== undefined) throw new FeatureError('parse', g.line, `'${flag.long}' lists features below it, so it carries no [${g.suffix}]`);
    const anyOn = g.children.some((c) => c.active);
    if (anyOn !== g.active) {
      throw new FeatureError('parse', g.line, `'${flag.long}: ${g.active ? 'on' : 'off'}' but ${anyOn ? 'one of its features is on' : 'none of its features is on'}`);
    }
    return;
  }
  // Old ioctl ethtool printed ufo; no kernel with netlink has it. Nothing to keep.
  if (flag.hiddenInDump) return;
  const state = suffixState(g.suffix, g.active, flag.long, g.line);
  const members = FEATURES.filter((f) => f.name !== '' && flagPatternMatch(f.name, flag.glob));
  if (!flag.glob.includes('*')) {
    const f = members[0];
    const pf: ParsedFeature = { name: f.name, bit: f.bit, active: g.active, wanted: state.wanted, changeable: state.changeable, line: g.line, section: g.flagIndex };
    add(pf);
    return;
  }
  // A wildcard flag on one line: netlink ethtool does that only when the kernel has none of its features.
  if (g.suffix !== undefined || g.active) {
    throw new FeatureError('parse', g.line, `cannot tell which ${flag.glob} feature '${flag.long}' stands for: list them indented below it`);
  }
}

/** Known entries in catalog order; unknown ones next to their neighbours in the same section. */
function layoutFromParsed(parsed: readonly ParsedFeature[]): FeatureLayout {
  const order = new Map(FEATURES.map((f) => [f.bit, f.order]));
  const entries: LayoutEntry[] = parsed
    .filter((p) => p.bit !== null)
    .toSorted((a, b) => (order.get(a.bit as number) ?? 0) - (order.get(b.bit as number) ?? 0))
    .map((p) => ({ kind: 'known', bit: p.bit as number, name: p.name }));
  parsed.forEach((p) => {
    if (p.bit !== null) return;
    const sameSection = parsed.filter((q) => q.section === p.section);
    const pos = sameSection.indexOf(p);
    const before = sameSection.slice(0, pos).toReversed().find((q) => entries.some((e) => e.name === q.name));
    let at: number;
    if (before) at = entries.findIndex((e) => e.name === before.name) + 1;
    else {
      const after = sameSection.slice(pos + 1).find((q) => q.bit !== null);
      at = after ? entries.findIndex((e) => e.name === after.name) : entries.length;
    }
    entries.splice(at, 0, { kind: 'opaque', name: p.name });
  });
  const sig = entries.map((e) => e.name).join('\n');
  return LAYOUT_BY_SIGNATURE.get(sig) ?? makeLayout('parsed', entries);
}

/** Printable names of each known layout, to hand back the shared layout object when a text matches one. */
const LAYOUT_BY_SIGNATURE: ReadonlyMap<string, FeatureLayout> = new Map(
  LAYOUTS.map((l) => [
    l.entries
      .filter((e) => e.name !== '')
      .map((e) => e.name)
      .join('\n'),
    l,
  ]),
);

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

// ---------------------------------------------------------------------------------------------
// `ethtool -K`.

export type FeatureChangeKind =
  | 'as-requested' // `NAME: VALUE`
  | 'not-honoured' // `NAME: VALUE [requested X]`
  | 'side-effect'; // `NAME: VALUE [not requested]`

export interface FeatureChange {
  readonly name: string;
  readonly bit: number | null;
  readonly active: boolean;
  readonly kind: FeatureChangeKind;
  /** Why it ended up off (a fix rule), or why it could not change ([fixed]). */
  readonly reason: string | null;
}

export interface EthtoolKResult {
  readonly device: NetDevice;
  /** `Actual changes:` block, or '' when ethtool prints nothing. */
  readonly stdout: string;
  /** `Could not change any device features\n` or ''. */
  readonly stderr: string;
  readonly exitCode: 0 | 1;
  readonly couldNotChange: boolean;
  readonly changes: readonly FeatureChange[];
}

/** Which ethtool user space runs the command: netlink (ethtool ≥ 5.6, the default) or ioctl (`--disable-netlink`). */
export type EthtoolFlavour = 'netlink' | 'ioctl';

export interface EthtoolKCommand {
  readonly ifname: string;
  readonly requests: readonly FeatureRequest[];
  readonly flavour: EthtoolFlavour;
}

export interface FeatureRequest {
  readonly name: string;
  readonly on: boolean;
}

const K_OPTIONS = new Set(['-K', '--features', '--offload']);
const BAD_ARGS = 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n';

/** Splits `[sudo] [ethtool] [--disable-netlink] -K|--features|--offload DEV FEATURE on|off ...` (syntax only). */
export function parseEthtoolKCommand(command: string): EthtoolKCommand {
  const tokens = command.trim().split(/\s+/).filter((t) => t !== '');
  let i = 0;
  if (tokens[i] === 'sudo') i++;
  if (tokens[i] !== undefined && (tokens[i] === 'ethtool' || tokens[i].endsWith('/ethtool'))) i++;
  let flavour: EthtoolFlavour = 'netlink';
  if (tokens[i] === '--disable-netlink') {
    flavour = 'ioctl';
    i++;
  }
  if (!K_OPTIONS.has(tokens[i] ?? '')) {
    throw new FeatureError('syntax', 0, `expected 'ethtool -K|--features|--offload DEVNAME FEATURE on|off ...', got '${clip(command.trim())}'`, BAD_ARGS);
  }
  i++;
  const ifname = tokens[i++];
  if (ifname === undefined) throw new FeatureError('syntax', 0, 'missing device name after -K', BAD_ARGS);
  const requests: FeatureRequest[] = [];
  while (i < tokens.length) {
    if (tokens[i] === '--' && flavour === 'netlink') {
      i++;
      break;
    }
    const name = tokens[i];
    const value = tokens[i + 1];
    if (value !== 'on' && value !== 'off') {
      if (flavour === 'ioctl') throw new FeatureError('syntax', 0, `'${name}' must be followed by 'on' or 'off'`, BAD_ARGS);
      throw new FeatureError(
        'syntax',
        0,
        `'${name}' must be followed by 'on' or 'off'`,
        `ethtool (-K): flag '${value ?? '(null)'}' for parameter '${name}' is not followed by 'on' or 'off'\n`,
      );
    }
    requests.push({ name, on: value === 'on' });
    i += 2;
  }
  if (i < tokens.length) throw new FeatureError('syntax', 0, `unexpected '${tokens[i]}' after '--'`, BAD_ARGS);
  return { ifname, requests, flavour };
}

/**
 * Runs `ethtool -K` against a device: ethtool's name resolution (legacy short/long names set every kernel
 * feature matching their glob), the kernel's FEATURES_SET (only hw bits change, then the fix rules), and
 * netlink ethtool's report. Unknown names throw FeatureError('unknown-feature'): the kernel refuses the whole
 * request. If `ifname` is given, a command for another interface throws 'no-such-device'.
 */
export function applyEthtoolCommand(dev: NetDevice, command: string, ifname?: string): EthtoolKResult & { readonly ifname: string } {
  const cmd = parseEthtoolKCommand(command);
  if (ifname !== undefined && cmd.ifname !== ifname) {
    throw new FeatureError('no-such-device', 0, `the command is for '${cmd.ifname}', this interface is '${ifname}'`, `netlink error: no device matches name (offset 24)\nnetlink error: No such device\n`);
  }
  return { ifname: cmd.ifname, ...applyFeatureRequests(dev, cmd.requests, cmd.flavour) };
}

/**
 * What `ethtool -K` would set for a name: a legacy short/long name gives every kernel feature matching its glob
 * (possibly none, e.g. ufo), a kernel string gives itself; null if the kernel has no such feature.
 */
export function resolveFeatureName(layout: FeatureLayout, name: string): LayoutEntry[] | null {
  const legacy = legacyFlagByName(name);
  if (legacy) return layout.entries.filter((e) => e.name !== '' && flagPatternMatch(e.name, legacy.glob));
  const e = layout.entries.find((x) => x.name === name && x.name !== '');
  return e ? [e] : null;
}

/**
 * A scenario's feature intent (`{ 'tcp-segmentation-offload': false, gro: true }`, any ethtool name) applied in
 * key order as one `ethtool -K`. Unknown names throw FeatureError('unknown-feature').
 */
export function applyFeatureIntent(dev: NetDevice, intent: Readonly<Record<string, boolean>>): EthtoolKResult {
  return applyFeatureRequests(
    dev,
    Object.entries(intent).map(([name, on]) => ({ name, on })),
  );
}

/** The kernel half of `ethtool -K` on already-split requests (also used for a scenario's feature intent). */
export function applyFeatureRequests(dev: NetDevice, requests: readonly FeatureRequest[], flavour: EthtoolFlavour = 'netlink'): EthtoolKResult {
  switch (flavour) {
    case 'netlink':
      return applyNetlink(dev, requests);
    case 'ioctl':
      return applyIoctl(dev, requests);
    default: {
      const exhaustive: never = flavour;
      return exhaustive;
    }
  }
}

/** ETHTOOL_MSG_FEATURES_SET and netlink ethtool's show_feature_changes. */
function applyNetlink(dev: NetDevice, requests: readonly FeatureRequest[]): EthtoolKResult {
  let reqMask = FeatureSet.EMPTY;
  let reqValues = FeatureSet.EMPTY;
  const opaqueReq = new Map<string, boolean>();
  const entries = dev.layout.entries;
  const request = (e: LayoutEntry, on: boolean): void => {
    switch (e.kind) {
      case 'known':
        reqMask = reqMask.with(e.bit);
        reqValues = reqValues.set(e.bit, on);
        break;
      case 'opaque':
        opaqueReq.set(e.name, on);
        break;
      default: {
        const exhaustive: never = e;
        return exhaustive;
      }
    }
  };
  for (const r of requests) {
    const matched = resolveFeatureName(dev.layout, r.name);
    if (!matched) {
      throw new FeatureError('unknown-feature', 0, `'${r.name}' is not a feature of this kernel (nor a legacy name such as tso, gso, gro)`, 'netlink error: bit name not found\nnetlink error: Operation not supported\n');
    }
    for (const e of matched) request(e, r.on);
  }

  if (reqMask.hasAny(NEVER_CHANGE)) {
    throw new FeatureError('refused', 0, `${neverChangeNames(reqMask)} can never be changed (NETIF_F_NEVER_CHANGE)`, 'netlink error: attempt to change non-ethtool features\nnetlink error: Invalid argument\n');
  }
  const oldActive = dev.active;
  const next = setWanted(dev, reqMask, reqValues);
  const newActive = next.active;
  const wantedDiff = reqValues.xor(newActive).and(reqMask);
  const activeDiff = oldActive.xor(newActive);
  const opaqueDiff = [...opaqueReq].filter(([name, on]) => (dev.opaque.get(name)?.active ?? false) !== on);

  const nothingChanged = wantedDiff.equals(reqMask) && opaqueDiff.length === opaqueReq.size;
  const diff = !wantedDiff.isEmpty() || !activeDiff.andNot(reqMask).isEmpty() || opaqueDiff.length > 0;

  const changes: FeatureChange[] = [];
  if (diff) {
    for (const e of entries) {
      if (e.name === '') continue;
      if (e.kind === 'opaque') {
        const on = opaqueReq.get(e.name);
        const act = dev.opaque.get(e.name)?.active ?? false;
        if (on !== undefined && on !== act) changes.push({ name: e.name, bit: null, active: act, kind: 'not-honoured', reason: 'this model does not know the feature, so it stays as the device reported it' });
        continue;
      }
      const bit = e.bit;
      if (wantedDiff.has(bit)) {
        changes.push({ name: e.name, bit, active: newActive.has(bit), kind: 'not-honoured', reason: whyNot(next, bit) });
      } else if (activeDiff.has(bit)) {
        const active = newActive.has(bit);
        changes.push({ name: e.name, bit, active, kind: reqMask.has(bit) ? 'as-requested' : 'side-effect', reason: active ? null : whyNot(next, bit) });
      }
    }
  }
  const stdout = changes.length > 0 ? `Actual changes:\n${changes.map(changeLine).join('')}` : '';
  return {
    device: next,
    stdout,
    stderr: nothingChanged ? 'Could not change any device features\n' : '',
    exitCode: nothingChanged ? 1 : 0,
    couldNotChange: nothingChanged,
    changes,
  };
}

/** Legacy flag values as the legacy get ioctls report them: bit i = LEGACY_FLAGS[i] has an active feature. */
function legacyFlagBits(dev: NetDevice): number {
  let bits = 0;
  LEGACY_FLAGS.forEach((flag, i) => {
    if (dev.active.hasAny(flag.kernelMask)) bits |= 1 << i;
  });
  return bits;
}

/**
 * ioctl ethtool's do_sfeatures (`--disable-netlink`): a legacy name requests only the changeable features it
 * covers ("Cannot change LONG" when there are none); afterwards the whole state is compared with the request,
 * so side effects count as a mismatch and print `Actual changes:` in the grouped `ethtool -k` layout, only
 * for features whose state changed. Like ethtool's parser, an `off` never cancels an earlier `on`.
 */
function applyIoctl(dev: NetDevice, requests: readonly FeatureRequest[]): EthtoolKResult {
  if (requests.length === 0) return { device: dev, stdout: 'no features changed\n', stderr: '', exitCode: 0, couldNotChange: false, changes: [] };
  const entries = dev.layout.entries;
  const plan = planOf(dev.layout);
  let flagsMask = 0;
  let flagsWanted = 0;
  let valid = FeatureSet.EMPTY;
  let requested = FeatureSet.EMPTY;
  const opaqueReq = new Map<string, boolean>();
  for (const r of requests) {
    const li = LEGACY_FLAGS.findIndex((l) => l.short === r.name || l.long === r.name);
    if (li >= 0) {
      flagsMask |= 1 << li;
      if (r.on) flagsWanted |= 1 << li;
      continue;
    }
    const e = entries.find((x) => x.name === r.name && x.name !== '');
    if (!e) throw new FeatureError('unknown-feature', 0, `'${r.name}' is not a feature of this kernel (nor a legacy name such as tso, gso, gro)`, BAD_ARGS);
    if (e.kind === 'known') {
      valid = valid.with(e.bit);
      if (r.on) requested = requested.with(e.bit);
    } else opaqueReq.set(e.name, (opaqueReq.get(e.name) ?? false) || r.on);
  }
  let stderr = '';
  LEGACY_FLAGS.forEach((flag, i) => {
    if (!(flagsMask & (1 << i))) return;
    let fixed = true;
    for (const idx of plan.groups[i]) {
      const e = entries[idx];
      if (e.kind !== 'known' || !isChangeable(dev, e.bit)) continue;
      fixed = false;
      if (!valid.has(e.bit)) {
        valid = valid.with(e.bit);
        if (flagsWanted & (1 << i)) requested = requested.with(e.bit);
      }
    }
    if (fixed) stderr += `Cannot change ${flag.long}\n`;
  });

  if (valid.hasAny(NEVER_CHANGE)) {
    throw new FeatureError('refused', 0, `${neverChangeNames(valid)} can never be changed (NETIF_F_NEVER_CHANGE)`, `${stderr}Cannot set device feature settings: Invalid argument\n`);
  }
  const next = setWanted(dev, valid, requested);
  const known = dev.layout.known;
  const oldFlags = legacyFlagBits(dev);
  const newFlags = legacyFlagBits(next);
  const changed = next.active.xor(dev.active);
  const anyChanged = newFlags !== oldFlags || !changed.isEmpty();
  const expected = dev.active.andNot(valid).or(requested).and(known);
  const opaqueMismatch = [...opaqueReq].some(([name, on]) => (dev.opaque.get(name)?.active ?? false) !== on);
  const anyMismatch = newFlags !== ((oldFlags & ~flagsMask) | flagsWanted) || !next.active.equals(expected) || opaqueMismatch;

  const changes: FeatureChange[] = [];
  for (const e of entries) {
    if (e.kind !== 'known' || e.name === '' || !(changed.has(e.bit) || (valid.has(e.bit) && requested.has(e.bit) !== next.active.has(e.bit)))) continue;
    const active = next.active.has(e.bit);
    const kind: FeatureChangeKind = !valid.has(e.bit) ? 'side-effect' : requested.has(e.bit) === active ? 'as-requested' : 'not-honoured';
    changes.push({ name: e.name, bit: e.bit, active, kind, reason: kind === 'as-requested' || active ? null : whyNot(next, e.bit) });
  }
  if (!anyMismatch) return { device: next, stdout: '', stderr, exitCode: 0, couldNotChange: false, changes };
  if (!anyChanged) {
    return { device: next, stdout: '', stderr: `${stderr}Could not change any device features\n`, exitCode: 1, couldNotChange: true, changes };
  }

  let stdout = 'Actual changes:\n';
  const line = (prefix: string, label: string, e: LayoutEntry): void => {
    if (e.kind !== 'known' || !changed.has(e.bit)) return;
    const row = featureRow(next, e, label, null);
    stdout += `${prefix}${label}: ${onOff(row.active)}${row.suffix}\n`;
  };
  LEGACY_FLAGS.forEach((flag, i) => {
    if (flag.hiddenInDump) return;
    const members = plan.groups[i];
    let prefix = '';
    if (members.length !== 1 && ((oldFlags ^ newFlags) & (1 << i)) !== 0) {
      stdout += `${flag.long}: ${onOff((newFlags & (1 << i)) !== 0)}\n`;
      prefix = '\t';
    }
    for (const idx of members) line(prefix, members.length === 1 ? flag.long : entries[idx].name, entries[idx]);
  });
  for (const idx of plan.rest) line('', entries[idx].name, entries[idx]);
  return { device: next, stdout, stderr, exitCode: 0, couldNotChange: false, changes };
}

function neverChangeNames(mask: FeatureSet): string {
  return mask
    .and(NEVER_CHANGE)
    .bits()
    .map((b) => `'${featureInfo(b)?.name ?? b}'`)
    .join(', ');
}

function whyNot(dev: NetDevice, bit: number): string | null {
  if (!isChangeable(dev, bit)) return 'fixed: the driver does not let it change';
  return dropReason(dev, bit)?.reason ?? null;
}

function changeLine(c: FeatureChange): string {
  switch (c.kind) {
    case 'not-honoured':
      return `${c.name}: ${onOff(c.active)} [requested ${onOff(!c.active)}]\n`;
    case 'side-effect':
      return `${c.name}: ${onOff(c.active)} [not requested]\n`;
    case 'as-requested':
      return `${c.name}: ${onOff(c.active)}\n`;
    default: {
      const exhaustive: never = c.kind;
      return exhaustive;
    }
  }
}

/**
 * An `ethtool -K IFNAME ...` line that sets this device's wanted features (relative to `baseline`, if given:
 * only what differs). Uses a short legacy name when every feature it covers agrees and the fixed ones already
 * have that value, else kernel strings. Returns '' when there is nothing to set.
 */
export function formatEthtoolKCommand(dev: NetDevice, ifname: string, baseline?: NetDevice): string {
  const plan = planOf(dev.layout);
  const entries = dev.layout.entries;
  const parts: string[] = [];
  const differs = (bit: number): boolean => !baseline || baseline.wanted.has(bit) !== dev.wanted.has(bit) || !baseline.hw.has(bit);
  const emitFeature = (e: LayoutEntry): void => {
    if (e.kind !== 'known' || !isChangeable(dev, e.bit) || !differs(e.bit)) return;
    parts.push(`${e.name} ${onOff(dev.wanted.has(e.bit))}`);
  };
  LEGACY_FLAGS.forEach((flag, fi) => {
    const members = plan.groups[fi].map((i) => entries[i]);
    const changeable = members.filter((e): e is Extract<LayoutEntry, { kind: 'known' }> => e.kind === 'known' && isChangeable(dev, e.bit));
    if (changeable.length === 0 || !changeable.some((e) => differs(e.bit))) return;
    const value = dev.wanted.has(changeable[0].bit);
    const uniform =
      changeable.every((e) => dev.wanted.has(e.bit) === value) &&
      members.every((e) => (e.kind === 'known' ? isChangeable(dev, e.bit) || dev.active.has(e.bit) === value : (dev.opaque.get(e.name)?.active ?? false) === value));
    if (uniform) parts.push(`${flag.short} ${onOff(value)}`);
    else for (const e of changeable) emitFeature(e);
  });
  for (const i of plan.rest) emitFeature(entries[i]);
  return parts.length === 0 ? '' : `ethtool -K ${ifname} ${parts.join(' ')}`;
}
