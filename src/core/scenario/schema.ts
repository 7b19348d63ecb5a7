/**
 * Shape of a version-1 scenario document (valibot), mirroring ./types.ts field for field, with bounds that
 * keep absurd input away from the engine. Cross-references (ids, links, routes) are checked in ./validate.ts
 * after this shape check passes. `scenario.schema.json` at the repo root is the same contract as JSON Schema.
 */
import * as v from 'valibot';
import { FEATURES, flagPatternMatch, LEGACY_FLAGS } from '../features/catalog';
import type { FlowId, HostId, LinkId, NodeId, Scenario } from './types';

/** Bounds, exported so docs, the JSON Schema test and the UI's inputs use the same numbers. */
export const LIMITS = {
  idChars: 64,
  titleChars: 200,
  descriptionChars: 4000,
  hosts: 64,
  nodes: 2000,
  links: 8000,
  flows: 4096,
  faults: 1024,
  timeline: 100_000,
  interfacesPerNode: 64,
  routesPerRouter: 10_000,
  firewallRulesPerRouter: 10_000,
  profileOverrides: 256,
  cores: { min: 1, max: 256 },
  queues: { min: 1, max: 256 },
  mtu: { min: 68, max: 65535 },
  /** Simulated time: nothing longer than 60 s. */
  maxSimulatedNs: 60e9,
  sampleIntervalNs: { min: 1e3, max: 60e9 },
  rateBitsPerSec: { max: 1e12 },
  /** One-way propagation delay of a wire: up to 1 s (a geostationary hop is ~0.27 s). */
  delayNs: { max: 1e9 },
  ringSize: { min: 2, max: 32768 },
  limitPackets: { min: 1, max: 1_000_000 },
  prioBands: { min: 2, max: 16 },
  quantumBytes: { min: 64, max: 1 << 20 },
  memoryBytes: { max: 2 ** 50 },
  tcpBytes: { min: 1, max: Number.MAX_SAFE_INTEGER },
  writeBytes: { min: 1, max: 16 << 20 },
  udpPayloadBytes: { min: 1, max: 65507 },
  probeBytes: { min: 1, max: 1 << 20 },
  probeIntervalNs: { min: 1e3, max: 60e9 },
  payloadOffsetBytes: { max: 65535 },
  seed: { max: 0xffffffff },
  position: { max: 1e7 },
} as const;

/**
 * ethtool feature names accepted in `features` and `set-feature`: the legacy long names `ethtool -k` prints
 * as group headers (`tcp-segmentation-offload`) and the kernel strings (`tx-tcp-segmentation`), taken from
 * the features catalog so the scenario accepts exactly what the engine's features library knows.
 */
export const ETHTOOL_FEATURE_NAMES: readonly string[] = [
  ...LEGACY_FLAGS.filter((l) => !l.hiddenInDump).map((l) => l.long),
  ...FEATURES.map((f) => f.name).filter((n) => n !== ''),
];
const FEATURE_SET = new Set(ETHTOOL_FEATURE_NAMES);

// ---- address parsing (shared with validate.ts) ----

/** Dotted-quad IPv4 → 32-bit unsigned, or null. No leading zeros (they mean octal to some parsers). */
export function parseIpv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  let out = 0;
  for (let k = 1; k <= 4; k++) {
    const part = m[k];
    if (part.length > 1 && part[0] === '0') return null;
    const n = Number(part);
    if (n > 255) return null;
    out = out * 256 + n;
  }
  return out;
}

function parseIpv6Groups(s: string, allowV4: boolean): number[] | null {
  if (s === '') return [];
  const parts = s.split(':');
  const groups: number[] = [];
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k];
    if (allowV4 && k === parts.length - 1 && p.includes('.')) {
      const v4 = parseIpv4(p);
      if (v4 === null) return null;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
    } else {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return null;
      groups.push(parseInt(p, 16));
    }
  }
  return groups;
}

/** IPv6 text (RFC 4291 §2.2, incl. `::` and an embedded dotted quad) → 8 groups, or null. */
export function parseIpv6(text: string): number[] | null {
  if (text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  if (halves.length === 1) {
    const g = parseIpv6Groups(halves[0], true);
    return g && g.length === 8 ? g : null;
  }
  const head = parseIpv6Groups(halves[0], false);
  const tail = parseIpv6Groups(halves[1], true);
  if (!head || !tail || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

export type ParsedCidr = { family: 4 | 6; prefixLength: number; hostBitsZero: boolean };

/** `addr/len` for either family; `hostBitsZero` tells a network prefix from an interface address. */
export function parseCidr(text: string): ParsedCidr | null {
  const slash = text.indexOf('/');
  if (slash < 0 || text.indexOf('/', slash + 1) >= 0) return null;
  const addr = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText) || (lenText.length > 1 && lenText[0] === '0')) return null;
  const len = Number(lenText);
  const v4 = parseIpv4(addr);
  if (v4 !== null) {
    if (len > 32) return null;
    const hostBits = len === 32 ? 0 : v4 % 2 ** (32 - len);
    return { family: 4, prefixLength: len, hostBitsZero: hostBits === 0 };
  }
  const v6 = parseIpv6(addr);
  if (v6 === null || len > 128) return null;
  let zero = true;
  for (let bit = len; bit < 128; bit++) {
    if ((v6[bit >> 4] >> (15 - (bit & 15))) & 1) {
      zero = false;
      break;
    }
  }
  return { family: 6, prefixLength: len, hostBitsZero: zero };
}

// ---- building blocks with messages that say why ----

const show = (x: unknown): string => {
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  return String(x);
};

/** A finite number in [min, max], optionally an integer; one message naming the range and the value. */
function num(min: number, max: number, opts: { integer?: boolean; exclusiveMin?: boolean; unit?: string } = {}) {
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const range = opts.exclusiveMin ? `greater than ${min} and at most ${max}${unit}` : `between ${min} and ${max}${unit}`;
  const kind = opts.integer ? 'an integer ' : '';
  return v.pipe(
    v.number(),
    v.check(
      (n: number) =>
        Number.isFinite(n) && (opts.exclusiveMin ? n > min : n >= min) && n <= max && (!opts.integer || Number.isInteger(n)),
      (issue) => `must be ${kind}${range}, got ${show(issue.input)}`,
    ),
  );
}
const int = (min: number, max: number, unit?: string) => num(min, max, { integer: true, unit });
const rate = () => num(0, LIMITS.rateBitsPerSec.max, { exclusiveMin: true, unit: 'bit/s' });
const timeNs = () => num(0, LIMITS.maxSimulatedNs, { unit: 'ns (60 s)' });

function str(maxChars: number, opts: { pattern?: RegExp; patternText?: string; nonEmpty?: boolean } = {}) {
  return v.pipe(
    v.string(),
    v.check((s: string) => s.length <= maxChars, (issue) => `must be at most ${maxChars} characters, got ${(issue.input as string).length}`),
    v.check((s: string) => !opts.nonEmpty || s.length > 0, 'must not be empty'),
    v.check(
      (s: string) => !opts.pattern || opts.pattern.test(s),
      (issue) => `must be ${opts.patternText ?? `like ${String(opts.pattern)}`}, got ${show(issue.input)}`,
    ),
  );
}

/** Identifiers: short, printable, usable in paths (`nodes[id=r1]`) and file names. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const id = () => str(LIMITS.idChars, { nonEmpty: true, pattern: ID_PATTERN, patternText: 'letters, digits, "_", "." or "-", starting with a letter or digit' });
const ifaceName = () => str(15, { nonEmpty: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, patternText: 'a Linux interface name (at most 15 characters of letters, digits, "_", "." or "-")' });

function list<T extends v.GenericSchema>(item: T, max: number) {
  return v.pipe(
    v.array(item),
    v.maxLength(max, (issue) => `must have at most ${max} entries, got ${issue.received}`),
  );
}

function cidr(kind: 'address' | 'prefix', family?: 4 | 6) {
  const what = family === 4 ? 'an IPv4' : family === 6 ? 'an IPv6' : 'an IPv4 or IPv6';
  return v.pipe(
    v.string(),
    v.check((s: string) => {
      if (s.length > 64) return false;
      const c = parseCidr(s);
      return c !== null && (family === undefined || c.family === family);
    }, (issue) => `must be ${what} ${kind === 'address' ? 'address with prefix length, like 10.0.0.1/24' : 'prefix, like 10.0.2.0/24'}, got ${show(issue.input)}`),
    v.check((s: string) => kind === 'address' || (parseCidr(s)?.hostBitsZero ?? false), (issue) => `must have no bits set after the prefix length (did you mean the network address?), got ${show(issue.input)}`),
  );
}

const ipAddress = () =>
  v.pipe(
    v.string(),
    v.check((s: string) => s.length <= 45 && (parseIpv4(s) !== null || parseIpv6(s) !== null), (issue) => `must be an IPv4 or IPv6 address, got ${show(issue.input)}`),
  );

/** A JSON object used as a map: not an array, no prototype-altering keys. */
function plainMap<T extends v.GenericSchema>(keyCheck: (k: string) => string | null, value: T, maxEntries: number) {
  return v.pipe(
    v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), (issue) => `must be an object, got ${issue.received}`),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const keys = Object.keys(dataset.value);
      if (keys.length > maxEntries) addIssue({ message: `must have at most ${maxEntries} entries, got ${keys.length}` });
      for (const k of keys) {
        const why = keyCheck(k);
        if (why) addIssue({ message: why, path: [{ type: 'object', origin: 'key', input: dataset.value, key: k, value: dataset.value[k] }] });
      }
    }),
    v.record(v.string(), value),
  );
}

/** A legacy name and one of the kernel strings it covers, asked for with different values, is ambiguous. */
export function featureConflicts(features: Record<string, boolean>): string[] {
  const out: string[] = [];
  for (const flag of LEGACY_FLAGS) {
    const want = features[flag.long];
    if (want === undefined || !Object.hasOwn(features, flag.long)) continue;
    for (const name of Object.keys(features)) {
      if (name !== flag.long && flagPatternMatch(name, flag.glob) && features[name] !== want) {
        out.push(`"${flag.long}": ${want} conflicts with "${name}": ${features[name]}, which it covers`);
      }
    }
  }
  return out;
}

const featureKey = (k: string): string | null =>
  FEATURE_SET.has(k) ? null : `unknown ethtool feature ${show(k)} (use a name that \`ethtool -k\` prints, e.g. tcp-segmentation-offload)`;
const overrideKey = (k: string): string | null =>
  /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(k) && k !== 'constructor' && k !== 'prototype'
    ? null
    : `is not a valid cost-parameter name (letters, digits, "_", "." or "-", starting with a letter, at most 64 characters)`;

// ---- the document ----

const HostSchema = v.strictObject({
  id: id(),
  title: v.optional(str(LIMITS.titleChars)),
  cores: int(LIMITS.cores.min, LIMITS.cores.max),
});

const QdiscSchema = v.variant('kind', [
  v.strictObject({ kind: v.literal('noqueue') }),
  v.strictObject({
    kind: v.literal('pfifo'),
    limitPackets: int(LIMITS.limitPackets.min, LIMITS.limitPackets.max, 'packets'),
    rateBitsPerSec: v.optional(rate()),
  }),
  v.strictObject({
    kind: v.literal('prio'),
    bands: int(LIMITS.prioBands.min, LIMITS.prioBands.max),
    limitPackets: int(LIMITS.limitPackets.min, LIMITS.limitPackets.max, 'packets'),
    rateBitsPerSec: v.optional(rate()),
  }),
  v.strictObject({
    kind: v.literal('fq'),
    limitPackets: int(LIMITS.limitPackets.min, LIMITS.limitPackets.max, 'packets'),
    flowLimitPackets: int(LIMITS.limitPackets.min, LIMITS.limitPackets.max, 'packets'),
    quantumBytes: int(LIMITS.quantumBytes.min, LIMITS.quantumBytes.max, 'bytes'),
    rateBitsPerSec: v.optional(rate()),
  }),
]);

const InterfaceSchema = v.strictObject({
  name: ifaceName(),
  template: v.picklist(['virtio-net', 'tap', 'veth', 'bridge', 'nic']),
  mtu: int(LIMITS.mtu.min, LIMITS.mtu.max, 'bytes'),
  queues: int(LIMITS.queues.min, LIMITS.queues.max),
  ipv4: v.optional(cidr('address', 4)),
  ipv6: v.optional(cidr('address', 6)),
  mac: v.optional(
    v.pipe(
      v.string(),
      v.check((s: string) => /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(s), (issue) => `must be a MAC address like 52:54:00:12:34:56, got ${show(issue.input)}`),
      v.check((s: string) => (parseInt(s.slice(0, 2), 16) & 1) === 0, (issue) => `must be a unicast MAC (lowest bit of the first octet clear), got ${show(issue.input)}`),
    ),
  ),
  features: v.pipe(
    plainMap(featureKey, v.boolean(), ETHTOOL_FEATURE_NAMES.length),
    v.rawCheck(({ dataset, addIssue }) => {
      if (dataset.typed) for (const why of featureConflicts(dataset.value)) addIssue({ message: why });
    }),
  ),
  vnetHdr: v.boolean(),
  qdisc: QdiscSchema,
});

const position = () => v.optional(v.strictObject({ x: num(-LIMITS.position.max, LIMITS.position.max), y: num(-LIMITS.position.max, LIMITS.position.max) }));
const nodeBase = {
  id: id(),
  host: id(),
  title: v.optional(str(LIMITS.titleChars)),
  interfaces: list(InterfaceSchema, LIMITS.interfacesPerNode),
  position: position(),
};

const RouteSchema = v.strictObject({
  prefix: cidr('prefix'),
  iface: ifaceName(),
  via: v.optional(ipAddress()),
});

const FirewallRuleSchema = v.strictObject({
  action: v.picklist(['accept', 'drop']),
  proto: v.optional(v.picklist(['tcp', 'udp'])),
  srcPrefix: v.optional(cidr('prefix')),
  dstPrefix: v.optional(cidr('prefix')),
  dstPort: v.optional(int(1, 65535)),
});

const NodeSchema = v.variant('kind', [
  v.strictObject({ ...nodeBase, kind: v.literal('vm'), vcpus: int(LIMITS.cores.min, LIMITS.cores.max) }),
  v.strictObject({ ...nodeBase, kind: v.literal('container') }),
  v.strictObject({
    ...nodeBase,
    kind: v.literal('router'),
    cores: int(LIMITS.cores.min, LIMITS.cores.max),
    routes: list(RouteSchema, LIMITS.routesPerRouter),
    firewall: list(FirewallRuleSchema, LIMITS.firewallRulesPerRouter),
  }),
  v.strictObject({ ...nodeBase, kind: v.literal('bridge') }),
  v.strictObject({ ...nodeBase, kind: v.literal('nic') }),
  v.strictObject({
    ...nodeBase,
    kind: v.literal('forwarder'),
    cores: int(LIMITS.cores.min, LIMITS.cores.max),
    memoryBytes: num(0, LIMITS.memoryBytes.max, { integer: true, unit: 'bytes' }),
  }),
]);

const EndpointSchema = v.strictObject({ node: id(), iface: ifaceName() });

const LinkSchema = v.strictObject({
  id: id(),
  kind: v.picklist(['virtio', 'veth', 'tap', 'wire']),
  a: EndpointSchema,
  b: EndpointSchema,
  rateBitsPerSec: v.optional(rate()),
  delayNs: v.optional(num(0, LIMITS.delayNs.max, { unit: 'ns' })),
  ringSize: v.optional(
    v.pipe(
      int(LIMITS.ringSize.min, LIMITS.ringSize.max, 'descriptors'),
      v.check((n: number) => (n & (n - 1)) === 0, (issue) => `must be a power of two (virtio split rings), got ${show(issue.input)}`),
    ),
  ),
  eventIdx: v.optional(v.boolean()),
});

const port = () => v.optional(int(1, 65535));
const flowBase = {
  id: id(),
  from: id(),
  to: id(),
  startNs: timeNs(),
  stopNs: v.optional(timeNs()),
  srcPort: port(),
  dstPort: port(),
  tos: v.optional(int(0, 255)),
  senderCpu: v.optional(int(LIMITS.cores.min - 1, LIMITS.cores.max - 1, 'CPU index')),
  receiverCpu: v.optional(int(LIMITS.cores.min - 1, LIMITS.cores.max - 1, 'CPU index')),
};

const FlowSchema = v.variant('kind', [
  v.strictObject({
    ...flowBase,
    kind: v.literal('tcp'),
    bytes: v.optional(int(LIMITS.tcpBytes.min, LIMITS.tcpBytes.max, 'bytes')),
    writeBytes: v.optional(int(LIMITS.writeBytes.min, LIMITS.writeBytes.max, 'bytes')),
  }),
  v.strictObject({
    ...flowBase,
    kind: v.literal('udp'),
    rateBitsPerSec: rate(),
    payloadBytes: int(LIMITS.udpPayloadBytes.min, LIMITS.udpPayloadBytes.max, 'bytes'),
  }),
  v.strictObject({
    ...flowBase,
    kind: v.literal('probe'),
    intervalNs: num(LIMITS.probeIntervalNs.min, LIMITS.probeIntervalNs.max, { unit: 'ns' }),
    requestBytes: int(LIMITS.probeBytes.min, LIMITS.probeBytes.max, 'bytes'),
    responseBytes: int(LIMITS.probeBytes.min, LIMITS.probeBytes.max, 'bytes'),
  }),
]);

const fraction = () => num(0, 1);
const FaultSchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('corrupt'),
    at: EndpointSchema,
    direction: v.picklist(['rx', 'tx']),
    fraction: fraction(),
    payloadOffsetBytes: int(0, LIMITS.payloadOffsetBytes.max, 'bytes'),
  }),
  v.strictObject({ kind: v.literal('drop'), at: EndpointSchema, direction: v.picklist(['rx', 'tx']), fraction: fraction() }),
]);

const featureName = () => v.pipe(v.string(), v.check((s: string) => FEATURE_SET.has(s), (issue) => featureKey(String(issue.input)) ?? ''));

export const TimelineChangeSchema = v.variant('kind', [
  v.strictObject({ kind: v.literal('set-feature'), at: EndpointSchema, feature: featureName(), on: v.boolean() }),
  v.strictObject({
    kind: v.literal('set-param'),
    path: str(512, { nonEmpty: true }),
    value: v.union([v.pipe(v.number(), v.finite('must be a finite number')), str(LIMITS.titleChars), v.boolean()], 'must be a number, a string or a boolean'),
  }),
]);

const TimelineEventSchema = v.strictObject({ atNs: timeNs(), change: TimelineChangeSchema });

export const ScenarioSchema = v.strictObject({
  version: v.literal(1),
  // A variant of a preset is named `preset@variant`.
  id: str(LIMITS.idChars * 2 + 1, { nonEmpty: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*(@[A-Za-z0-9][A-Za-z0-9_.-]*)?$/, patternText: 'letters, digits, "_", "." or "-" (optionally "@variant"), starting with a letter or digit' }),
  title: str(LIMITS.titleChars),
  description: v.optional(str(LIMITS.descriptionChars)),
  profile: id(),
  seed: int(0, LIMITS.seed.max),
  durationNs: num(0, LIMITS.maxSimulatedNs, { exclusiveMin: true, unit: 'ns (60 s)' }),
  sampleIntervalNs: num(LIMITS.sampleIntervalNs.min, LIMITS.sampleIntervalNs.max, { unit: 'ns' }),
  hosts: v.pipe(list(HostSchema, LIMITS.hosts), v.minLength(1, 'must list at least one host')),
  nodes: list(NodeSchema, LIMITS.nodes),
  links: list(LinkSchema, LIMITS.links),
  flows: list(FlowSchema, LIMITS.flows),
  faults: list(FaultSchema, LIMITS.faults),
  timeline: list(TimelineEventSchema, LIMITS.timeline),
  profileOverrides: v.optional(plainMap(overrideKey, num(-1e15, 1e15), LIMITS.profileOverrides)),
});

// ---- compile-time proof that the schema's output is exactly types.ts (brands aside) ----

type Unbrand<T> = T extends HostId | NodeId | LinkId | FlowId
  ? string
  : T extends string | number | boolean
    ? T
    : T extends readonly (infer U)[]
        ? Unbrand<U>[]
      : T extends object
        ? { [K in keyof T]: Unbrand<T[K]> }
        : T;
type SchemaOutput = v.InferOutput<typeof ScenarioSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesTypes: Same<SchemaOutput, Unbrand<Scenario>> = true;
void schemaMatchesTypes;
