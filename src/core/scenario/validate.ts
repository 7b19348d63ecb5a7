/**
 * The one door for untrusted scenario input (files, share links, the CLI, the UI's import): migrate to the
 * current version, check the shape (./schema.ts), then check cross-references. Never throws; every error
 * names the field by path (`nodes[2].interfaces[0].mtu`) and says why.
 */
import * as v from 'valibot';
import { COST_PARAM_NAMES, COST_PROFILES, DEFAULT_PROFILE_ID, type CostParamName } from '../sim/profiles';
import { getAtPath, parsePath, setAtPath } from './param-path';
import { ETHTOOL_FEATURE_NAMES, parseCidr, parseIpv4, ScenarioSchema } from './schema';
import { SCENARIO_VERSION, type Endpoint, type NodeSpec, type Scenario, type TimelineChange } from './types';

export interface ScenarioError {
  /** Where, as a path usable with `sweep --param` (empty for the document itself). */
  path: string;
  /** Names the field and says why, e.g. `nodes[2].interfaces[0].mtu: must be an integer between 68 and 65535 bytes, got 9`. */
  message: string;
}

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioError[] };
export type MigrateResult = { ok: true; json: Record<string, unknown> } | { ok: false; errors: ScenarioError[] };

/** Errors past this many are summarised in one line: a broken 2000-node file should not print 2000 lines. */
export const MAX_REPORTED_ERRORS = 50;
/** Largest scenario text accepted (a 2000-node scenario is well under 2 MiB). */
export const MAX_SCENARIO_JSON_CHARS = 16 << 20;

/** Messages echo input values; a 100 kB string in a file must not become a 100 kB error line. */
const MAX_MESSAGE_CHARS = 400;

function err(path: string, why: string): ScenarioError {
  const shortPath = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  const text = shortPath ? `${shortPath}: ${why}` : why;
  return { path, message: text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Brings a document of any known version to the current one. Version 1 is current, so this only checks the
 * version; later versions add their steps here (each a pure function from version n to n + 1).
 */
export function migrateScenario(json: unknown): MigrateResult {
  if (!isRecord(json)) return { ok: false, errors: [err('', `a scenario must be a JSON object, got ${describe(json)}`)] };
  if (!Object.hasOwn(json, 'version')) return { ok: false, errors: [err('version', `is required (this Offload Lab reads version ${SCENARIO_VERSION})`)] };
  const version = json.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { ok: false, errors: [err('version', `must be a positive integer scenario version, got ${describe(version)}`)] };
  }
  if (version > SCENARIO_VERSION) {
    return {
      ok: false,
      errors: [err('version', `scenario version ${version} is newer than this Offload Lab understands (up to ${SCENARIO_VERSION}); update Offload Lab`)],
    };
  }
  return { ok: true, json };
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  if (typeof x === 'string') return JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x);
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${String(x)}`;
}

/** Valibot issue path → `nodes[2].interfaces[0].mtu`. */
function issuePath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (item.type === 'array' && typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key)).slice(0, 60)}]`;
  }
  return out;
}

function typeName(expected: string | null): string {
  switch (expected) {
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'Array':
      return 'a list';
    case 'Object':
      return 'an object';
    default:
      return expected ?? 'something else';
  }
}

function issueMessage(issue: v.BaseIssue<unknown>): string {
  const isKeyIssue = issue.path?.[issue.path.length - 1]?.type === 'object' && issue.kind === 'schema';
  if (issue.type === 'object' || issue.type === 'strict_object') {
    if (issue.expected === 'never') return 'is not a field of scenario version 1 (misspelt or from another version?)';
    if (isKeyIssue && issue.received === 'undefined' && issue.expected !== 'Object') return 'is required';
  }
  switch (issue.type) {
    case 'number':
      if (issue.received === 'NaN') return 'must be a number, got NaN';
      return `must be a number, got ${issue.received}`;
    case 'string':
    case 'boolean':
    case 'array':
    case 'object':
    case 'strict_object':
      if (issue.received === 'undefined') return 'is required';
      return `must be ${typeName(issue.expected)}, got ${issue.received}`;
    case 'literal':
      return `must be ${issue.expected}, got ${issue.received}`;
    case 'picklist':
    case 'variant':
      if (issue.received === 'undefined') return `is required: one of ${(issue.expected ?? '').replace(/^\(|\)$/g, '').split(' | ').join(', ')}`;
      return `must be one of ${(issue.expected ?? '').replace(/^\(|\)$/g, '').split(' | ').join(', ')}, got ${issue.received}`;
    default:
      return issue.message;
  }
}

function shapeErrors(json: unknown): { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioError[] } {
  const r = v.safeParse(ScenarioSchema, json);
  if (r.success) return { ok: true, scenario: r.output as unknown as Scenario };
  return { ok: false, errors: r.issues.map((issue) => err(issuePath(issue), issueMessage(issue))) };
}

function capErrors(errors: ScenarioError[]): ScenarioError[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
  if (unique.length <= MAX_REPORTED_ERRORS) return unique;
  const extra = unique.length - MAX_REPORTED_ERRORS;
  return [...unique.slice(0, MAX_REPORTED_ERRORS), err('', `… and ${extra} more error${extra === 1 ? '' : 's'}`)];
}

/** Validates untrusted JSON (already parsed) as a scenario. The returned scenario is a fresh copy. */
export function parseScenario(json: unknown): ScenarioResult {
  const migrated = migrateScenario(json);
  if (!migrated.ok) return migrated;
  const shape = shapeErrors(migrated.json);
  if (!shape.ok) return { ok: false, errors: capErrors(shape.errors) };
  const xref = crossReferenceErrors(shape.scenario, true);
  if (xref.length > 0) return { ok: false, errors: capErrors(xref) };
  return shape;
}

/** Parses scenario text (a file, a decoded share link); JSON syntax errors come back as errors too. */
export function parseScenarioJson(text: string): ScenarioResult {
  if (text.length > MAX_SCENARIO_JSON_CHARS) {
    return { ok: false, errors: [err('', `scenario text is ${text.length} characters, more than the ${MAX_SCENARIO_JSON_CHARS} allowed`)] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [err('', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`)] };
  }
  return parseScenario(json);
}

// ---- changes (timeline set-param / set-feature, preset variants, sweeps) ----

/** Fields a change may not touch: identities and structure, not parameters. */
const IMMUTABLE_LEAVES = new Set(['id', 'kind', 'version', 'host', 'template', 'node', 'iface', 'name']);

export function featurePath(at: Endpoint, feature: string): string {
  return `nodes[id=${at.node}].interfaces[name=${at.iface}].features.${feature}`;
}

/**
 * Applies one change to a scenario without modifying it. Checks that the target exists and keeps its type;
 * the caller re-validates the whole result (see applyChanges).
 */
export function applyChange(scenario: Scenario, change: TimelineChange, opts: { allowStructural?: boolean } = {}): { ok: true; scenario: Scenario } | { ok: false; error: string } {
  switch (change.kind) {
    case 'set-feature': {
      if (!ETHTOOL_FEATURE_NAMES.includes(change.feature)) return { ok: false, error: `unknown ethtool feature "${change.feature}"` };
      const r = setAtPath(scenario, featurePath(change.at, change.feature), change.on);
      return r.ok ? { ok: true, scenario: r.value } : { ok: false, error: r.error };
    }
    case 'set-param': {
      const segs = parsePath(change.path);
      if (!segs.ok) return { ok: false, error: segs.error };
      const last = segs.value[segs.value.length - 1];
      if (!opts.allowStructural && last.kind === 'key' && IMMUTABLE_LEAVES.has(last.key)) {
        return { ok: false, error: `${change.path} names an identity or structural field ("${last.key}"), not a parameter` };
      }
      // A cost parameter can be overridden before any override exists: `profileOverrides.kickNs`.
      const first = segs.value[0];
      if (first.kind === 'key' && first.key === 'profileOverrides' && segs.value.length === 2 && scenario.profileOverrides === undefined) {
        scenario = { ...scenario, profileOverrides: {} };
      }
      const old = getAtPath(scenario, change.path);
      if (!old.ok) return { ok: false, error: old.error };
      if (old.value !== undefined && typeof old.value !== typeof change.value) {
        return { ok: false, error: `${change.path} holds ${describe(old.value)}; cannot set it to ${describe(change.value)}` };
      }
      if (old.value === undefined && last.kind !== 'key') return { ok: false, error: `${change.path} does not exist` };
      const r = setAtPath(scenario, change.path, change.value);
      return r.ok ? { ok: true, scenario: r.value } : { ok: false, error: r.error };
    }
    default: {
      const never: never = change;
      return { ok: false, error: `unknown change ${describe(never)}` };
    }
  }
}

/** Applies changes in order, then validates the result as a whole: a change can never yield a bad scenario. */
export function applyChanges(scenario: Scenario, changes: readonly TimelineChange[], opts: { allowStructural?: boolean; label?: string } = {}): ScenarioResult {
  let cur = scenario;
  for (let k = 0; k < changes.length; k++) {
    const r = applyChange(cur, changes[k], opts);
    if (!r.ok) return { ok: false, errors: [err(`${opts.label ?? 'changes'}[${k}]`, r.error)] };
    cur = r.scenario;
  }
  return parseScenario(cur);
}

// ---- cross-reference checks ----

const DEEP_TIMELINE_CHECKS = 256;

const hasAddress = (n: NodeSpec) => n.interfaces.some((i) => i.ipv4 !== undefined || i.ipv6 !== undefined);

function endpointKey(e: Endpoint): string {
  return `${e.node}/${e.iface}`;
}

/** Checks everything the shape cannot: ids, references, link kinds, routes, flows, timeline targets. */
function crossReferenceErrors(s: Scenario, checkTimeline: boolean): ScenarioError[] {
  const out: ScenarioError[] = [];
  const unique = (items: readonly { id: string }[], what: string) => {
    const first = new Map<string, number>();
    items.forEach((item, k) => {
      const prev = first.get(item.id);
      if (prev !== undefined) out.push(err(`${what}[${k}].id`, `duplicates ${what}[${prev}].id "${item.id}"; ids must be unique`));
      else first.set(item.id, k);
    });
    return first;
  };
  const hostIndex = unique(s.hosts, 'hosts');
  const nodeIndex = unique(s.nodes, 'nodes');
  unique(s.links, 'links');
  unique(s.flows, 'flows');

  if (!Object.hasOwn(COST_PROFILES, s.profile)) out.push(err('profile', `names cost profile "${s.profile}", which does not exist (profiles: ${Object.keys(COST_PROFILES).join(', ')})`));
  for (const [name, value] of Object.entries(s.profileOverrides ?? {})) {
    if (!(COST_PARAM_NAMES as readonly string[]).includes(name)) {
      out.push(err(`profileOverrides.${name}`, `is not a cost parameter (see src/core/sim/profiles.ts: ${COST_PARAM_NAMES.slice(0, 4).join(', ')}, …)`));
      continue;
    }
    const unit = COST_PROFILES[DEFAULT_PROFILE_ID].params[name as CostParamName].unit;
    if (value < 0) out.push(err(`profileOverrides.${name}`, `a cost cannot be negative, got ${value}`));
    else if (unit !== 'ns' && unit !== 'ns/B' && !Number.isInteger(value)) out.push(err(`profileOverrides.${name}`, `must be a whole number (unit: ${unit}), got ${value}`));
  }
  if (s.sampleIntervalNs > s.durationNs) out.push(err('sampleIntervalNs', `must not exceed durationNs (${s.durationNs} ns), got ${s.sampleIntervalNs}`));

  const nodeById = new Map<string, NodeSpec>();
  for (const [nid, k] of nodeIndex) nodeById.set(nid, s.nodes[k]);

  s.nodes.forEach((node, k) => {
    const at = `nodes[${k}]`;
    const hk = hostIndex.get(node.host);
    if (hk === undefined) out.push(err(`${at}.host`, `names host "${node.host}", which is not in hosts (${[...hostIndex.keys()].join(', ')})`));
    const names = new Map<string, number>();
    node.interfaces.forEach((iface, i) => {
      const prev = names.get(iface.name);
      if (prev !== undefined) out.push(err(`${at}.interfaces[${i}].name`, `duplicates ${at}.interfaces[${prev}].name "${iface.name}"`));
      else names.set(iface.name, i);
      const q = iface.qdisc;
      if (q.kind === 'fq' && q.flowLimitPackets > q.limitPackets) {
        out.push(err(`${at}.interfaces[${i}].qdisc.flowLimitPackets`, `must not exceed limitPackets (${q.limitPackets}), got ${q.flowLimitPackets}`));
      }
    });
    if ((node.kind === 'router' || node.kind === 'forwarder') && hk !== undefined && node.cores > s.hosts[hk].cores) {
      out.push(err(`${at}.cores`, `must not exceed the cores of host "${node.host}" (${s.hosts[hk].cores}), got ${node.cores}`));
    }
    if (node.kind === 'router') {
      node.routes.forEach((route, r) => {
        if (!names.has(route.iface)) out.push(err(`${at}.routes[${r}].iface`, `names interface "${route.iface}", which router "${node.id}" does not have`));
        const family = parseCidr(route.prefix)?.family;
        if (route.via !== undefined && (parseIpv4(route.via) !== null ? 4 : 6) !== family) {
          out.push(err(`${at}.routes[${r}].via`, `must be an IPv${family} address like the prefix, got "${route.via}"`));
        }
      });
      node.firewall.forEach((rule, r) => {
        if (rule.dstPort !== undefined && rule.proto === undefined) out.push(err(`${at}.firewall[${r}].dstPort`, 'needs proto (tcp or udp), as iptables --dport needs -p'));
      });
    }
  });

  const ifaceOf = (e: Endpoint, at: string) => {
    const node = nodeById.get(e.node);
    if (!node) {
      out.push(err(`${at}.node`, `names node "${e.node}", which is not in nodes`));
      return undefined;
    }
    const iface = node.interfaces.find((i) => i.name === e.iface);
    if (!iface) {
      const have = node.interfaces.map((i) => i.name).join(', ') || 'none';
      out.push(err(`${at}.iface`, `names interface "${e.iface}", which node "${e.node}" does not have (it has: ${have})`));
      return undefined;
    }
    return { node, iface };
  };

  const linkedBy = new Map<string, number>();
  s.links.forEach((link, k) => {
    const at = `links[${k}]`;
    const a = ifaceOf(link.a, `${at}.a`);
    const b = ifaceOf(link.b, `${at}.b`);
    for (const [end, side] of [[link.a, 'a'], [link.b, 'b']] as const) {
      const key = endpointKey(end);
      const prev = linkedBy.get(key);
      if (prev !== undefined && prev !== k) out.push(err(`${at}.${side}`, `interface ${key} is already connected by links[${prev}]; an interface has one link`));
      else linkedBy.set(key, k);
    }
    if (link.a.node === link.b.node && link.a.iface === link.b.iface) out.push(err(`${at}.b`, 'connects an interface to itself'));
    if (link.kind === 'wire') {
      if (link.rateBitsPerSec === undefined) out.push(err(`${at}.rateBitsPerSec`, 'is required for a wire (its line rate)'));
      for (const [end, side] of [[a, 'a'], [b, 'b']] as const) {
        if (end && end.iface.template !== 'nic') out.push(err(`${at}.${side}`, `a wire joins physical ports: ${end.node.id}/${end.iface.name} must have template "nic", got "${end.iface.template}"`));
      }
    } else {
      if (link.rateBitsPerSec !== undefined) out.push(err(`${at}.rateBitsPerSec`, `applies to wires only; shape a ${link.kind} link with a qdisc rateBitsPerSec instead`));
      if (link.delayNs !== undefined) out.push(err(`${at}.delayNs`, `applies to wires only, not to a ${link.kind} link`));
      if (a && b && a.node.host !== b.node.host) out.push(err(`${at}`, `a ${link.kind} link stays inside one host, but ${a.node.id} is on ${a.node.host} and ${b.node.id} on ${b.node.host}; use nic interfaces and a wire between hosts`));
    }
    if (link.kind === 'virtio') {
      if (a && a.node.kind !== 'vm' && a.node.kind !== 'router' && a.node.kind !== 'forwarder') {
        out.push(err(`${at}.a`, `is the guest side of a virtio link and must be a vm, router or forwarder, got a ${a.node.kind}`));
      }
      if (a && a.iface.template !== 'virtio-net') out.push(err(`${at}.a`, `the guest side of a virtio link must use template "virtio-net", got "${a.iface.template}"`));
      if (b && b.node.kind === 'vm') out.push(err(`${at}.b`, 'is the host side of a virtio link (a tap, bridge port or backend), not a vm'));
    } else {
      if (link.ringSize !== undefined) out.push(err(`${at}.ringSize`, `applies to virtio links only, not to a ${link.kind} link`));
      if (link.eventIdx !== undefined) out.push(err(`${at}.eventIdx`, `applies to virtio links only, not to a ${link.kind} link`));
    }
  });

  const tuples = new Map<string, number>();
  s.flows.forEach((flow, k) => {
    const at = `flows[${k}]`;
    for (const side of ['from', 'to'] as const) {
      const node = nodeById.get(flow[side]);
      if (!node) out.push(err(`${at}.${side}`, `names node "${flow[side]}", which is not in nodes`));
      else if (node.kind !== 'vm' && node.kind !== 'container') out.push(err(`${at}.${side}`, `must be a vm or container (applications run there), got ${node.kind} "${node.id}"`));
      else if (!hasAddress(node)) out.push(err(`${at}.${side}`, `node "${node.id}" has no interface with an ipv4 or ipv6 address`));
    }
    if (flow.from === flow.to) out.push(err(`${at}.to`, `must differ from from ("${flow.from}")`));
    for (const [field, side] of [['senderCpu', 'from'], ['receiverCpu', 'to']] as const) {
      const cpu = flow[field];
      const node = nodeById.get(flow[side]);
      if (cpu === undefined || !node) continue;
      const cpus = node.kind === 'vm' ? node.vcpus : 1;
      if (cpu >= cpus) out.push(err(`${at}.${field}`, `is a CPU index on "${node.id}", which has ${cpus} CPU${cpus === 1 ? '' : 's'} (0 … ${cpus - 1}), got ${cpu}`));
    }
    if (flow.stopNs !== undefined && flow.stopNs <= flow.startNs) out.push(err(`${at}.stopNs`, `must be after startNs (${flow.startNs}), got ${flow.stopNs}`));
    if (flow.srcPort !== undefined && flow.dstPort !== undefined) {
      const proto = flow.kind === 'udp' ? 'udp' : 'tcp';
      const key = `${proto} ${flow.from}:${flow.srcPort} ${flow.to}:${flow.dstPort}`;
      const prev = tuples.get(key);
      if (prev !== undefined) out.push(err(`${at}.srcPort`, `flows[${prev}] already uses ${key}; two flows cannot share a 5-tuple`));
      else tuples.set(key, k);
    }
  });

  s.faults.forEach((fault, k) => ifaceOf(fault.at, `faults[${k}].at`));

  if (checkTimeline) {
    const baseMessages = new Set(out.map((e) => e.message));
    const checked = new Set<string>();
    s.timeline.forEach((ev, k) => {
      const at = `timeline[${k}].change`;
      const change = ev.change;
      if (change.kind === 'set-feature') {
        ifaceOf(change.at, `${at}.at`);
        return;
      }
      const key = `${change.path}\u0000${typeof change.value}:${String(change.value)}`;
      if (checked.has(key)) return;
      checked.add(key);
      const applied = applyChange(s, change);
      if (!applied.ok) {
        out.push(err(`${at}.path`, applied.error));
        return;
      }
      // The changed scenario must still be valid; its own timeline is not re-checked (no recursion). Past
      // DEEP_TIMELINE_CHECKS distinct changes only the target is checked, to bound validation time.
      if (checked.size > DEEP_TIMELINE_CHECKS) return;
      const again = shapeErrors(applied.scenario);
      // Only what the change itself breaks: errors the scenario already has are reported once, above.
      const errors = (again.ok ? crossReferenceErrors(again.scenario, false) : again.errors).filter((e) => !baseMessages.has(e.message));
      if (errors.length > 0) out.push(err(`${at}.value`, `setting ${change.path} to ${describe(change.value)} would make the scenario invalid: ${errors[0].message}`));
    });
  }
  return out;
}
