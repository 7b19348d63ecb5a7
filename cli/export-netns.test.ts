import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportNetnsMain, type ExportIo } from './export-netns';
import { main } from './main';

function run(argv: string[]) {
  const io = { stdout: '', stderr: '', files: new Map<string, string>() };
  const sink: ExportIo = { out: (t) => (io.stdout += t), err: (t) => (io.stderr += `${t}\n`), writeFile: (p, t) => io.files.set(p, t) };
  return { code: exportNetnsMain(argv, sink), ...io };
}

describe('export-netns CLI', () => {
  it('exports a preset (with a variant) to stdout or a file', () => {
    const r = run(['vm-vm-segmented', '--duration', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#!\/usr\/bin\/env bash/);
    expect(r.stdout).toContain('DURATION="${DURATION:-2}"');
    const f = run(['qos-fast-egress', '--variant', 'segmented-1g', '--out', 'lab.sh']);
    expect(f.code).toBe(0);
    expect(f.files.get('lab.sh')).toMatch(/ethtool -K eth0 [^\n]*gso off/);
  });
  it('opens share links through the door', () => {
    const link = readFileSync(new URL('../src/share/fixtures/v1/router-timeline.link.txt', import.meta.url), 'utf8').trim();
    const r = run([`https://lab.example/${link}`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('x r1 sysctl -qw net.ipv4.ip_forward=1');
    const bad = run(['#s=1.AAAAAAAAAAAA']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/share link is damaged/);
  });
  it('bad usage and unknown presets exit 2', () => {
    expect(run([]).code).toBe(2);
    expect(run(['router-club', '--duration', '0']).code).toBe(2);
    expect(run(['router-club', '--bogus']).code).toBe(2);
    expect(run(['no-such-preset']).stderr).toMatch(/no preset/);
  });
  it('is reachable as `offload-lab export-netns`', async () => {
    let out = '';
    const code = await main(['export-netns', 'vm-vm-offload'], { out: (t) => (out += `${t}\n`), err: () => {}, writeFile: () => {} });
    expect(code).toBe(0);
    expect(out).toMatch(/^#!\/usr\/bin\/env bash\n[\s\S]*trap cleanup EXIT\n[\s\S]*RESULT flow=f1/);
  });
});

describe('offload-lab export-netns (wired into cli/main.ts)', () => {
  it('runs through main with the CLI exit codes and lists itself in help', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const files = new Map<string, Uint8Array>();
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), writeFile: (p: string, b: Uint8Array) => files.set(p, b) };
    expect(await main(['export-netns', 'router-club', '--duration', '3'], io)).toBe(0);
    expect(out.join('\n')).toMatch(/^#!\/usr\/bin\/env bash/);
    expect(out.join('\n')).toContain('DURATION="${DURATION:-3}"');
    expect(await main(['export-netns', 'vm-vm-offload', '--out', 'lab.sh'], io)).toBe(0);
    expect(new TextDecoder().decode(files.get('lab.sh'))).toMatch(/^#!\/usr\/bin\/env bash/);
    err.length = 0;
    expect(await main(['export-netns', 'no-such-preset'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/no preset/);
    expect(await main(['export-netns'], io)).toBe(2);
    out.length = 0;
    expect(await main(['help'], io)).toBe(0);
    expect(out.join('\n')).toContain('offload-lab export-netns');
  });
});
