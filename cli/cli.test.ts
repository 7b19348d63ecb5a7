import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESET_IDS, PRESETS } from '../src/core/scenario/presets/index';
import { parseArgs, parseCaptureSpec } from './args';
import { fmtBitsPerSec, fmtBytes, fmtNs, fmtPerSec, table } from './format';
import { main, type Io } from './main';

const CLI = join(import.meta.dirname, 'offload-lab.mjs');

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** In-process run of main with captured output (no spawn: fast). */
async function inProcess(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, Uint8Array>();
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), writeFile: (p, b) => files.set(p, b) };
  const code = await main(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n'), files };
}

const tmp = mkdtempSync(join(tmpdir(), 'offload-lab-cli-'));
function writeJson(name: string, value: unknown): string {
  const file = join(tmp, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

describe('parseArgs', () => {
  it('parses run with every option', () => {
    expect(parseArgs(['run', 'vm-vm-offload', '--variant', 'x', '--duration', '250', '--seed=7', '--json', '--capture', 'vm1/eth0=a.pcap', '--capture=r1/eth1=b.pcap'])).toEqual({
      ok: true,
      command: {
        kind: 'run',
        target: 'vm-vm-offload',
        variant: 'x',
        durationNs: 250e6,
        seed: 7,
        json: true,
        captures: [
          { node: 'vm1', iface: 'eth0', file: 'a.pcap' },
          { node: 'r1', iface: 'eth1', file: 'b.pcap' },
        ],
      },
    });
  });

  it('parses sweep', () => {
    const r = parseArgs(['sweep', 'router-club', '--param', 'nodes[id=r1].interfaces[name=eth1].mtu', '--values', '1500, 9000']);
    expect(r).toEqual({ ok: true, command: { kind: 'sweep', target: 'router-club', variant: undefined, param: 'nodes[id=r1].interfaces[name=eth1].mtu', values: ['1500', '9000'], json: false } });
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['run'], 'run needs a scenario file or preset id'],
    [['run', 'a', 'b'], 'got extra "b"'],
    [['run', 'a', '--duration', '0'], '--duration must be milliseconds'],
    [['run', 'a', '--duration', '60001'], 'at most 60000'],
    [['run', 'a', '--duration'], '--duration needs a value'],
    [['run', 'a', '--seed', '-1'], '--seed must be an integer'],
    [['run', 'a', '-v'], 'unknown option "-v"'],
    [['run', 'a', '--seed', '1.5'], '--seed must be an integer'],
    [['run', 'a', '--seed', '4294967296'], '--seed must be an integer'],
    [['run', 'a', '--json=yes'], '--json takes no value'],
    [['run', 'a', '--capture', 'vm1=a.pcap'], '--capture must look like'],
    [['run', 'a', '--capture', 'a/b=x', '--capture', 'c/d=x'], 'given twice'],
    [['run', 'a', '--verbose'], 'unknown option --verbose for run'],
    [['run', 'a', '--seed', '1', '--seed', '2'], 'given more than once'],
    [['sweep', 'a', '--values', '1'], 'needs --param'],
    [['sweep', 'a', '--param', 'x..y', '--values', '1'], '--param: bad path'],
    [['sweep', 'a', '--param', 'x', '--values', '1,,2'], 'empty entry'],
    [['presets', 'x'], 'presets takes no arguments'],
    [['report', '--json', '--markdown'], 'not both'],
    [['audit', '--factor', '1'], '--factor must be a number above 1'],
    [['audit', '--factor', 'x'], '--factor must be a number above 1'],
    [['audit', 'vm-vm-offload'], 'audit takes no arguments'],
    [['calibrate', '--points', '1001'], '--points must be an integer between 0 and 1000'],
    [['calibrate', '--points', '-3'], '--points must be an integer'],
    [['calibrate', 'x'], 'calibrate takes no arguments'],
    [['calibrate', '--sample-seed', 'x'], '--sample-seed must be an integer'],
  ])('%j → %s', (argv, why) => {
    const r = parseArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(why);
  });

  it('reads capture specs', () => {
    expect(parseCaptureSpec('r1/eth1=out/x.pcap')).toEqual({ ok: true, spec: { node: 'r1', iface: 'eth1', file: 'out/x.pcap' } });
    expect(parseCaptureSpec('r1/eth1').ok).toBe(false);
  });
});

describe('format', () => {
  it('scales units', () => {
    expect(fmtBitsPerSec(12.345e9)).toBe('12.3 Gbit/s');
    expect(fmtBitsPerSec(950)).toBe('950 bit/s');
    expect(fmtPerSec(123_456, 'ev')).toBe('123 k ev/s');
    expect(fmtNs(52_428_800)).toBe('52.4 ms');
    expect(fmtNs(524_288)).toBe('524 µs');
    expect(fmtBytes(2 ** 31)).toBe('2.00 GiB');
    expect(fmtBitsPerSec(Number.NaN)).toBe('—');
    expect(table(['a', 'n'], [['x', '1'], ['yy', '22']], '')).toBe('a    n\nx    1\nyy  22');
  });
});

describe('commands in process', () => {
  it('lists every preset with its variants', async () => {
    const r = await inProcess(['presets', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; variants: string[] }[];
    expect(list.map((p) => p.id)).toEqual(PRESET_IDS);
    expect(list.find((p) => p.id === 'multiqueue-rss')!.variants).toEqual(['q1', 'q4']);
  });

  it('shows a preset variant as a valid scenario file', async () => {
    const r = await inProcess(['show', 'qos-fast-egress', '--variant', 'tso-10g']);
    expect(r.code).toBe(0);
    const file = writeJson('shown.json', r.stdout);
    const v = await inProcess(['validate', file]);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('valid scenario "qos-fast-egress@tso-10g"');
  });

  it('rejects unknown presets and variants with exit 2 and the list', async () => {
    const r = await inProcess(['run', 'vm-vm-offlaod']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    for (const id of PRESET_IDS) expect(r.stderr).toContain(id);
    const v = await inProcess(['run', 'multiqueue-rss', '--variant', 'q8']);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('variants: q1, q4');
    const none = await inProcess(['show', 'vm-vm-offload', '--variant', 'x']);
    expect(none.stderr).toContain('vm-vm-offload has no variants');
  });

  it('rejects a capture point that is not in the scenario before running', async () => {
    const r = await inProcess(['run', 'router-club', '--capture', 'r1/eth9=x.pcap']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('node "r1" has no interface "eth9" (it has: eth0, eth1)');
  });

  it('checks every sweep value before running any', async () => {
    const r = await inProcess(['sweep', 'router-club', '--param', 'nodes[id=r1].interfaces[name=eth1].mtu', '--values', '1500,9,9000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('value 9: nodes[2].interfaces[1].mtu: must be an integer between 68 and 65535 bytes, got 9');
    const bad = await inProcess(['sweep', 'router-club', '--param', 'links[9].rateBitsPerSec', '--values', '1e9']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('links[9] does not exist');
    const kind = await inProcess(['sweep', 'router-club', '--param', 'links[0].kind', '--values', 'wire']);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('identity or structural field');
  });

  it('validate --json reports errors as JSON only', async () => {
    const s = structuredClone(PRESETS[0].scenario) as unknown as { nodes: { interfaces: { mtu: number }[] }[] };
    s.nodes[2].interfaces[0].mtu = 9;
    const r = await inProcess(['validate', writeJson('mtu9.json', s), '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, errors: [{ path: 'nodes[2].interfaces[0].mtu' }] });
  });
});

describe('report', () => {
  it('checks every expectation of every preset; --json is only JSON', async () => {
    const r = await inProcess(['report', '--duration', '2', '--json']);
    expect([0, 1]).toContain(r.code);
    const rows = JSON.parse(r.stdout) as { preset: string; holds: boolean; measured: number | null; expected: number }[];
    expect(rows.length).toBe(PRESETS.reduce((n, p) => n + 1 + p.moreExpectations.length, 0));
    expect(new Set(rows.map((x) => x.preset))).toEqual(new Set(PRESET_IDS));
    expect(r.code).toBe(rows.every((x) => x.holds) ? 0 : 1);
    const md = await inProcess(['report', '--duration', '2', '--markdown']);
    expect(md.stdout.split('\n')[0]).toBe('| run | expectation | metric | expected | ours | holds |');
    expect(md.stdout).toMatch(/\d+ of \d+ checks hold\.$/);
  });
});

describe('audit', () => {
  it('runs every preset once plus once per non-zero CPU cost; --json is only JSON', { timeout: 120_000 }, async () => {
    const r = await inProcess(['audit', '--duration', '1', '--factor', '3', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { preset: string; param: string; baseValue: number; value: number; ratio: number }[];
    expect(new Set(rows.map((x) => x.preset))).toEqual(new Set(PRESET_IDS));
    for (const x of rows) expect(x.value).toBeCloseTo(3 * x.baseValue, 9);
    const human = await inProcess(['audit', '--duration', '1']);
    expect(human.stdout).toMatch(/^\d+ runs, each with one CPU cost ×2: \d+ raised TCP goodput by more than 3 %/);
  });
});

describe('calibrate', () => {
  it('runs the report at the profile, both range ends and the drawn points; --json is only JSON', { timeout: 120_000 }, async () => {
    const r = await inProcess(['calibrate', '--points', '1', '--duration', '1', '--json']);
    expect(r.code).toBe(0);
    const points = JSON.parse(r.stdout) as { label: string; costs: Record<string, number>; held: number; rows: { key: string; holds: boolean }[] }[];
    expect(points.map((p) => p.label)).toEqual(['profile', 'low', 'high', 'sample 1']);
    expect(points[0].costs).toEqual({});
    expect(points[1].costs.exitPenaltyNs).toBe(0);
    expect(points[2].costs.exitPenaltyNs).toBe(7200);
    for (const p of points) expect(p.held).toBe(p.rows.filter((x) => x.holds).length);
  });
});

describe('the launcher (spawned)', () => {
  it('prints help with exit 0', () => {
    const r = cli(['help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('offload-lab run <scenario.json | preset-id>');
  });

  it('invalid file: field and why on stderr, exit 2, nothing on stdout', () => {
    const s = structuredClone(PRESETS[3].scenario) as unknown as Record<string, unknown> & { links: { b: { iface: string } }[] };
    s.links[0].b.iface = 'tap7';
    s.durationNs = -5;
    const r = cli(['run', writeJson('bad.json', s), '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('durationNs: must be greater than 0 and at most 60000000000 ns (60 s), got -5');
  });

  it('cross-reference errors and unreadable files exit 2', () => {
    const s = structuredClone(PRESETS[3].scenario) as unknown as { links: { b: { iface: string } }[] };
    s.links[0].b.iface = 'tap7';
    const r = cli(['validate', writeJson('xref.json', s)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('links[0].b.iface: names interface "tap7", which node "br1" does not have (it has: tap0, tap1)');
    const missing = cli(['validate', join(tmp, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read (ENOENT)');
    const syntax = cli(['validate', writeJson('syntax.json', '{"version": 1,')]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain('not valid JSON');
  });

  it('presets --json: stdout is only the JSON list', () => {
    const r = cli(['presets', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { id: string }[]).map((p) => p.id)).toEqual(PRESET_IDS);
    const human = cli(['presets']);
    for (const p of PRESETS) expect(human.stdout).toContain(p.oneLine);
  });

  it('unknown preset: list of ids, exit 2', () => {
    const r = cli(['run', 'no-such-preset', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('vm-to-vm-vs-nic-to-vm');
  });

  it('usage errors exit 2', () => {
    const r = cli(['run', 'vm-vm-offload', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown option --bogus');
  });

  it('run --json prints only a RunResult, and a seed reproduces it', () => {
    const a = cli(['run', 'vm-vm-offload', '--duration', '20', '--seed', '3', '--json']);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const result = JSON.parse(a.stdout) as { schema: string; seed: number; simulatedNs: number; flows: { id: string; throughputBitsPerSec: number }[] };
    expect(result.schema).toBe('offload-lab/run-result@1');
    expect(result.seed).toBe(3);
    expect(result.flows[0].throughputBitsPerSec).toBeGreaterThan(0);
    const b = cli(['run', 'vm-vm-offload', '--duration', '20', '--seed', '3', '--json']);
    expect(b.stdout).toBe(a.stdout);
  });

  it('run writes a pcap of the captured interface', () => {
    const file = join(tmp, 'vm2.pcap');
    const r = cli(['run', 'vm-vm-offload', '--duration', '5', '--capture', `vm2/eth0=${file}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Flows');
    const bytes = readFileSync(file);
    expect(bytes.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(bytes.length).toBeGreaterThan(24 + 16 + 54);
  });

  it('sweep --json prints an array of {value, result}', () => {
    const r = cli(['sweep', 'qos-fast-egress', '--param', 'nodes[id=r1].interfaces[name=eth1].qdisc.rateBitsPerSec', '--values', '1e9,1e10', '--duration', '20', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { value: number; result: { schema: string } }[];
    expect(rows.map((x) => x.value)).toEqual([1e9, 1e10]);
    expect(rows[0].result.schema).toBe('offload-lab/run-result@1');
  });
});
