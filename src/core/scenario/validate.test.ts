import { describe, expect, it } from 'vitest';
import { PRESETS } from './presets/index';
import { parseCidr, parseIpv4, parseIpv6 } from './schema';
import { applyChanges, migrateScenario, parseScenario, parseScenarioJson, type ScenarioError } from './validate';

/** A mutable deep copy of a preset's scenario, typed loosely so tests can break it. */
// eslint-disable-next-line typescript/no-explicit-any
type Loose = any;
const base = (id = 'router-club'): Loose => structuredClone(PRESETS.find((p) => p.id === id)!.scenario);

function errorsOf(json: unknown): ScenarioError[] {
  const r = parseScenario(json);
  if (r.ok) throw new Error('expected validation errors, got ok');
  return r.errors;
}
const messages = (json: unknown) => errorsOf(json).map((e) => e.message);

describe('parseScenario: shape', () => {
  it('accepts a preset and returns a fresh copy', () => {
    const s = base();
    const r = parseScenario(s);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.scenario).toEqual(s);
      expect(r.scenario).not.toBe(s);
      expect(r.scenario.nodes[0]).not.toBe(s.nodes[0]);
    }
  });

  it('names the field and the range for an absurd MTU', () => {
    const s = base();
    s.nodes[2].interfaces[0].mtu = 9;
    expect(errorsOf(s)).toEqual([{ path: 'nodes[2].interfaces[0].mtu', message: 'nodes[2].interfaces[0].mtu: must be an integer between 68 and 65535 bytes, got 9' }]);
  });

  it.each([
    ['hosts[0].cores', (s: Loose) => (s.hosts[0].cores = 0), 'must be an integer between 1 and 256'],
    ['hosts[0].cores', (s: Loose) => (s.hosts[0].cores = 1.5), 'must be an integer between 1 and 256'],
    ['durationNs', (s: Loose) => (s.durationNs = 61e9), 'must be greater than 0 and at most 60000000000'],
    ['durationNs', (s: Loose) => (s.durationNs = Infinity), 'got Infinity'],
    ['seed', (s: Loose) => (s.seed = -1), 'must be an integer between 0 and 4294967295'],
    ['nodes[2].interfaces[0].qdisc.kind', (s: Loose) => (s.nodes[2].interfaces[0].qdisc = { kind: 'htb' }), 'must be one of "noqueue", "pfifo", "prio", "fq", got "htb"'],
    ['nodes[2].interfaces[0].queues', (s: Loose) => (s.nodes[2].interfaces[0].queues = 1000), 'between 1 and 256'],
    ['nodes[0].interfaces[0].ipv4', (s: Loose) => (s.nodes[0].interfaces[0].ipv4 = '10.0.300.1/24'), 'must be an IPv4 address with prefix length'],
    ['nodes[0].interfaces[0].mac', (s: Loose) => (s.nodes[0].interfaces[0].mac = '01:00:5e:00:00:01'), 'must be a unicast MAC'],
    ['nodes[2].routes[0].prefix', (s: Loose) => (s.nodes[2].routes[0].prefix = '10.0.1.7/24'), 'no bits set after the prefix length'],
    ['links[0].ringSize', (s: Loose) => (s.links[0].ringSize = 300), 'must be a power of two'],
    ['flows[0].kind', (s: Loose) => (s.flows[0].kind = 'sctp'), 'must be one of "tcp", "udp", "probe", got "sctp"'],
    ['flows[0].startNs', (s: Loose) => delete s.flows[0].startNs, 'is required'],
    ['title', (s: Loose) => (s.title = 'x'.repeat(10_000)), 'at most 200 characters, got 10000'],
    ['nodes[0].interfaces[0].features.tso-please', (s: Loose) => (s.nodes[0].interfaces[0].features['tso-please'] = true), 'unknown ethtool feature "tso-please"'],
    ['nodes[0].interfaces[0].features.tx-checksumming', (s: Loose) => (s.nodes[0].interfaces[0].features['tx-checksumming'] = 'off'), 'must be true or false, got "off"'],
    ['nodes[0].colour', (s: Loose) => (s.nodes[0].colour = 'red'), 'is not a field of scenario version 1'],
    ['hosts', (s: Loose) => (s.hosts = []), 'must list at least one host'],
    ['profileOverrides.copyNsPerByte', (s: Loose) => (s.profileOverrides = { copyNsPerByte: 'fast' }), 'must be a number'],
  ])('%s: %s', (path, mutate, why) => {
    const s = base();
    mutate(s);
    const errs = errorsOf(s);
    const hit = errs.find((e) => e.path === path);
    expect(hit, JSON.stringify(errs)).toBeDefined();
    expect(hit!.message).toContain(why);
    expect(hit!.message.startsWith(`${path}: `)).toBe(true);
  });

  it('rejects prototype keys in maps instead of dropping or applying them', () => {
    const s = JSON.parse(JSON.stringify(base()).replace('"features":{}', '"features":{"__proto__":{"polluted":true}}'));
    expect(messages(s).some((m) => m.includes('__proto__'))).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('caps the number of reported errors', () => {
    const s = base('multiqueue-rss');
    for (let k = 0; k < 200; k++) s.flows.push({ ...s.flows[0], id: `x${k}`, tos: 999 });
    const errs = errorsOf(s);
    expect(errs.length).toBe(51);
    expect(errs[50].message).toMatch(/and \d+ more errors/);
  });
});

describe('parseScenario: cross-references', () => {
  it.each([
    ['nodes[1].id', (s: Loose) => (s.nodes[1].id = s.nodes[0].id), 'duplicates nodes[0].id "vm1"'],
    ['links[1].id', (s: Loose) => (s.links[1].id = s.links[0].id), 'ids must be unique'],
    ['nodes[0].host', (s: Loose) => (s.nodes[0].host = 'h9'), 'names host "h9", which is not in hosts (h1)'],
    ['links[0].b.iface', (s: Loose) => (s.links[0].b.iface = 'tap9'), 'names interface "tap9", which node "br1" does not have (it has: tap0, tap1)'],
    ['links[0].a.node', (s: Loose) => (s.links[0].a.node = 'ghost'), 'names node "ghost", which is not in nodes'],
    ['links[1].a', (s: Loose) => (s.links[1].a = { node: 'vm1', iface: 'eth0' }), 'already connected by links[0]'],
    ['links[0].rateBitsPerSec', (s: Loose) => (s.links[0].rateBitsPerSec = 1e9), 'applies to wires only'],
    ['links[0].rateBitsPerSec', (s: Loose) => (s.links[0].kind = 'wire'), 'is required for a wire'],
    ['links[0].a', (s: Loose) => (s.links[0] = { ...s.links[0], a: s.links[0].b, b: s.links[0].a }), 'must be a vm, router or forwarder, got a bridge'],
    ['nodes[2].routes[0].iface', (s: Loose) => (s.nodes[2].routes[0].iface = 'eth7'), 'router "r1" does not have'],
    ['nodes[2].routes[0].via', (s: Loose) => (s.nodes[2].routes[0].via = 'fe80::1'), 'must be an IPv4 address like the prefix'],
    ['nodes[2].cores', (s: Loose) => (s.nodes[2].cores = 9), 'must not exceed the cores of host "h1" (8)'],
    ['nodes[2].firewall[0].dstPort', (s: Loose) => s.nodes[2].firewall.push({ action: 'drop', dstPort: 80 }), 'needs proto'],
    ['flows[0].to', (s: Loose) => (s.flows[0].to = 'br2'), 'must be a vm or container'],
    ['flows[0].to', (s: Loose) => (s.flows[0].to = 'vm1'), 'must differ from from'],
    ['flows[0].stopNs', (s: Loose) => (s.flows[0].stopNs = 0), 'must be after startNs'],
    ['flows[0].senderCpu', (s: Loose) => (s.flows[0].senderCpu = 9), 'is a CPU index on "vm1", which has'],
    ['flows[0].receiverCpu', (s: Loose) => (s.flows[0].receiverCpu = -1), 'receiverCpu'],
    ['flows[1].srcPort', (s: Loose) => s.flows.push({ ...s.flows[0], id: 'f2' }), 'two flows cannot share a 5-tuple'],
    ['faults[0].at.iface', (s: Loose) => s.faults.push({ kind: 'drop', at: { node: 'r1', iface: 'eth5' }, direction: 'rx', fraction: 0.1 }), 'does not have'],
    ['sampleIntervalNs', (s: Loose) => (s.sampleIntervalNs = s.durationNs + 1), 'must not exceed durationNs'],
    ['profile', (s: Loose) => (s.profile = 'kvm-2107'), 'names cost profile "kvm-2107", which does not exist (profiles: kvm-2017'],
    ['profileOverrides.kickNz', (s: Loose) => (s.profileOverrides = { kickNz: 1 }), 'is not a cost parameter'],
    ['profileOverrides.kickNs', (s: Loose) => (s.profileOverrides = { kickNs: -1 }), 'a cost cannot be negative'],
    ['profileOverrides.interruptExits', (s: Loose) => (s.profileOverrides = { interruptExits: 1.5 }), 'must be a whole number (unit: count)'],
    ['profileOverrides.ringSizeDescriptors', (s: Loose) => (s.profileOverrides = { ringSizeDescriptors: 100.5 }), 'must be a whole number'],
    ['timeline[0].change.value', (s: Loose) => s.timeline.push({ atNs: 1, change: { kind: 'set-param', path: 'profileOverrides.kickNz', value: 5 } }), 'is not a cost parameter'],
    ['timeline[0].change.path', (s: Loose) => s.timeline.push({ atNs: 1, change: { kind: 'set-param', path: 'nodes[id=r9].cores', value: 2 } }), 'has no entry with id=r9'],
    ['timeline[0].change.path', (s: Loose) => s.timeline.push({ atNs: 1, change: { kind: 'set-param', path: 'nodes[id=r1].cores', value: 'two' } }), 'cannot set it to "two"'],
    ['timeline[0].change.path', (s: Loose) => s.timeline.push({ atNs: 1, change: { kind: 'set-param', path: 'nodes[id=r1].id', value: 'r2' } }), 'identity or structural field'],
    ['timeline[0].change.value', (s: Loose) => s.timeline.push({ atNs: 1, change: { kind: 'set-param', path: 'links[0].ringSize', value: 3 } }), 'must be a power of two'],
    ['timeline[0].change.at.iface', (s: Loose) => s.timeline.push({ atNs: 1, change: { kind: 'set-feature', at: { node: 'r1', iface: 'x' }, feature: 'rx-gro', on: false } }), 'does not have'],
  ])('%s: %s', (path, mutate, why) => {
    const s = base();
    mutate(s);
    const errs = errorsOf(s);
    const hit = errs.find((e) => e.path === path && e.message.includes(why));
    expect(hit, JSON.stringify(errs)).toBeDefined();
  });

  it('reports a timeline change only for what it breaks itself', () => {
    const s = base();
    s.profile = 'nope';
    s.timeline.push({ atNs: 1, change: { kind: 'set-param', path: 'profileOverrides.kickNs', value: 500 } });
    expect(errorsOf(s).map((e) => e.path)).toEqual(['profile']);
  });

  it('accepts a valid timeline and wires between hosts', () => {
    const s = base('vm-to-vm-vs-nic-to-vm');
    s.timeline = [
      { atNs: 100e6, change: { kind: 'set-feature', at: { node: 'vm2', iface: 'eth0' }, feature: 'generic-receive-offload', on: false } },
      { atNs: 150e6, change: { kind: 'set-param', path: 'links[id=l-gen].rateBitsPerSec', value: 25e9 } },
      { atNs: 200e6, change: { kind: 'set-param', path: 'profileOverrides.kickNs', value: 500 } },
    ];
    expect(parseScenario(s).ok).toBe(true);
  });
});

describe('migrateScenario / parseScenarioJson', () => {
  it('passes version 1 through and rejects others clearly', () => {
    const s = base();
    expect(migrateScenario(s)).toEqual({ ok: true, json: s });
    expect(messages({ ...s, version: 2 })[0]).toContain('scenario version 2 is newer than this Offload Lab understands');
    expect(messages({ ...s, version: '1' })[0]).toBe('version: must be a positive integer scenario version, got "1"');
    const { version: _v, ...noVersion } = s;
    expect(messages(noVersion)[0]).toContain('version: is required');
    expect(messages(null)[0]).toBe('a scenario must be a JSON object, got null');
    expect(messages([])[0]).toBe('a scenario must be a JSON object, got a list');
  });

  it('reports JSON syntax errors as errors', () => {
    const r = parseScenarioJson('{"version": 1,');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].message).toMatch(/^not valid JSON/);
    expect(parseScenarioJson(JSON.stringify(base())).ok).toBe(true);
  });
});

describe('applyChanges', () => {
  it('rejects a change that would make the scenario invalid and leaves the input alone', () => {
    const s = parseScenario(base());
    if (!s.ok) throw new Error('preset invalid');
    const before = JSON.stringify(s.scenario);
    const r = applyChanges(s.scenario, [{ kind: 'set-param', path: 'nodes[id=vm2].interfaces[name=eth0].mtu', value: 9 }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].path).toBe('nodes[4].interfaces[0].mtu');
    expect(JSON.stringify(s.scenario)).toBe(before);
  });
});

describe('address parsing', () => {
  it('parses IPv4, IPv6 and CIDR strictly', () => {
    expect(parseIpv4('192.168.1.10')).toBe(0xc0a8010a);
    expect(parseIpv4('192.168.01.10')).toBeNull();
    expect(parseIpv4('256.1.1.1')).toBeNull();
    expect(parseIpv6('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('::ffff:10.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]);
    expect(parseIpv6('1::2::3')).toBeNull();
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(parseCidr('10.0.2.0/24')).toEqual({ family: 4, prefixLength: 24, hostBitsZero: true });
    expect(parseCidr('10.0.2.1/24')?.hostBitsZero).toBe(false);
    expect(parseCidr('0.0.0.0/0')).toEqual({ family: 4, prefixLength: 0, hostBitsZero: true });
    expect(parseCidr('2001:db8::/32')).toEqual({ family: 6, prefixLength: 32, hostBitsZero: true });
    expect(parseCidr('2001:db8::1/64')?.hostBitsZero).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('10.0.0.0/024')).toBeNull();
    expect(parseCidr('10.0.0.0')).toBeNull();
  });
});
