import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from './args';
import { main, type Io } from './main';

const CLI = join(import.meta.dirname, 'offload-lab.mjs');
const THREE_HOSTS = join(import.meta.dirname, 'fixtures', 'three-hosts.json');

async function inProcess(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), writeFile: () => undefined };
  const code = await main(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('run --workers: arguments', () => {
  it('parses --workers only when given (plain runs keep their command shape)', () => {
    const r = parseArgs(['run', 'x', '--workers', '3']);
    expect(r.ok && r.command.kind === 'run' && r.command.workers).toBe(3);
    const plain = parseArgs(['run', 'x']);
    expect(plain.ok && plain.command.kind === 'run' && 'workers' in plain.command).toBe(false);
  });

  it.each([['0'], ['-1'], ['two'], ['1.5'], ['65'], ['']])('rejects --workers %j', (w) => {
    const r = parseArgs(['run', 'x', `--workers=${w}`]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/--workers must be an integer between 1 and 64/);
  });

  it('refuses --capture with several workers', () => {
    const r = parseArgs(['run', 'x', '--workers', '2', '--capture', 'gen/eth0=a.pcap']);
    expect(r).toEqual({ ok: false, error: '--capture needs a single-worker run (leave out --workers or use --workers 1)' });
  });
});

describe('run --workers: partitioned runs print what the plain run prints', () => {
  it('three hosts: --workers 1, 2 and 3 give byte-identical JSON (CLI process)', () => {
    const outputs = ['1', '2', '3'].map((w) => {
      const r = spawnSync(process.execPath, [CLI, 'run', THREE_HOSTS, '--json', '--workers', w], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    });
    const result = JSON.parse(outputs[0]);
    // The run must actually move traffic across hosts for the comparison to mean something.
    expect(result.flows.find((f: { id: string }) => f.id === 'f1').throughputBitsPerSec).toBeGreaterThan(1e9);
    expect(result.flows.find((f: { id: string }) => f.id === 'p1').latencyNs.samples).toBeGreaterThan(0);
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).toBe(outputs[0]);
  }, 120_000);

  it('human output: same table as the plain run, plus a note on stderr', async () => {
    const plain = await inProcess(['run', THREE_HOSTS, '--duration', '2']);
    const parted = await inProcess(['run', THREE_HOSTS, '--duration', '2', '--workers', '3']);
    expect(parted.code).toBe(0);
    expect(parted.stdout).toBe(plain.stdout);
    expect(parted.stderr).toMatch(/as 3 partition\(s\) \(3 host\(s\)\): \d+ windows, [1-9]\d* frames crossed/);
  }, 60_000);

  it('a one-host preset with --workers 4 runs as one partition: the plain result', async () => {
    const plain = await inProcess(['run', 'vm-vm-offload', '--duration', '1']);
    const parted = await inProcess(['run', 'vm-vm-offload', '--duration', '1', '--workers', '4']);
    expect(plain.code).toBe(0);
    expect(parted.stdout).toBe(plain.stdout);
    expect(parted.stderr).toMatch(/as 1 partition/);
  }, 60_000);

  it('a wire between hosts with no delay leaves no lookahead: exit 2 and why', async () => {
    const s = JSON.parse(readFileSync(THREE_HOSTS, 'utf8'));
    s.links.find((l: { id: string }) => l.id === 'l-sink').delayNs = 0;
    const file = join(mkdtempSync(join(tmpdir(), 'offload-lab-part-')), 'split.json');
    writeFileSync(file, JSON.stringify(s));
    const r = await inProcess(['run', file, '--workers', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot run partitioned: PartitionError: wire l-sink crosses partitions with no propagation delay/);
  });
});
