/**
 * Command-line parsing for `offload-lab`: argv → a typed command, or a usage error. Pure (no I/O) so it is
 * tested without spawning anything.
 */
import { LIMITS } from '../src/core/scenario/schema';
import { parsePath } from '../src/core/scenario/param-path';

export interface CaptureSpec {
  node: string;
  iface: string;
  file: string;
}

export interface RunOptions {
  /** A path to a scenario JSON file, or a preset id. */
  target: string;
  variant?: string;
  durationNs?: number;
  seed?: number;
  json: boolean;
}

export type Command =
  | { kind: 'help'; topic?: string }
  | { kind: 'presets'; json: boolean }
  | { kind: 'show'; target: string; variant?: string }
  | { kind: 'validate'; file: string; json: boolean }
  | ({ kind: 'run'; captures: CaptureSpec[]; workers?: number } & RunOptions)
  | ({ kind: 'sweep'; param: string; values: string[] } & RunOptions)
  | ({ kind: 'report'; markdown: boolean } & Omit<RunOptions, 'target' | 'variant'>)
  | ({ kind: 'audit'; factor: number } & Omit<RunOptions, 'target' | 'variant'>)
  | ({ kind: 'calibrate'; points: number; sampleSeed: number } & Omit<RunOptions, 'target' | 'variant'>);

export type ParseArgsResult = { ok: true; command: Command } | { ok: false; error: string };

export const COMMANDS = ['run', 'sweep', 'presets', 'show', 'validate', 'report', 'audit', 'calibrate', 'help'] as const;

type FlagSpec = { takesValue: boolean; repeatable?: boolean };
const FLAGS: Record<string, Record<string, FlagSpec>> = {
  run: { variant: { takesValue: true }, duration: { takesValue: true }, seed: { takesValue: true }, json: { takesValue: false }, capture: { takesValue: true, repeatable: true }, workers: { takesValue: true } },
  sweep: { variant: { takesValue: true }, duration: { takesValue: true }, seed: { takesValue: true }, json: { takesValue: false }, param: { takesValue: true }, values: { takesValue: true } },
  presets: { json: { takesValue: false } },
  show: { variant: { takesValue: true } },
  validate: { json: { takesValue: false } },
  report: { duration: { takesValue: true }, seed: { takesValue: true }, json: { takesValue: false }, markdown: { takesValue: false } },
  audit: { duration: { takesValue: true }, seed: { takesValue: true }, json: { takesValue: false }, factor: { takesValue: true } },
  calibrate: { duration: { takesValue: true }, seed: { takesValue: true }, json: { takesValue: false }, points: { takesValue: true }, 'sample-seed': { takesValue: true } },
  help: {},
};

const MAX_SWEEP_VALUES = 100;
const MAX_WORKERS = 64;
const MAX_CALIBRATION_POINTS = 1000;

/** Splits argv into positionals and flags (`--name value`, `--name=value`, boolean `--json`). */
function split(cmd: string, argv: readonly string[]): { ok: true; positional: string[]; flags: Map<string, string[]> } | { ok: false; error: string } {
  const spec = FLAGS[cmd];
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--') || a === '--') {
      if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) return { ok: false, error: `unknown option "${a}" for ${cmd} (options are --name)` };
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const f = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!f) {
      const known = Object.keys(spec);
      return { ok: false, error: `unknown option --${name} for ${cmd}${known.length ? ` (known: ${known.map((k) => `--${k}`).join(', ')})` : ''}` };
    }
    let value = '';
    if (f.takesValue) {
      if (eq >= 0) value = a.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else return { ok: false, error: `--${name} needs a value` };
    } else if (eq >= 0) return { ok: false, error: `--${name} takes no value` };
    const prev = flags.get(name);
    if (prev && !f.repeatable) return { ok: false, error: `--${name} given more than once` };
    flags.set(name, [...(prev ?? []), value]);
  }
  return { ok: true, positional, flags };
}

function parseDurationMs(text: string): { ok: true; ns: number } | { ok: false; error: string } {
  const ms = Number(text);
  const maxMs = LIMITS.maxSimulatedNs / 1e6;
  if (text.trim() === '' || !Number.isFinite(ms) || ms <= 0 || ms > maxMs) return { ok: false, error: `--duration must be milliseconds of simulated time, greater than 0 and at most ${maxMs}, got "${text}"` };
  return { ok: true, ns: Math.round(ms * 1e6) };
}

function parseSeed(text: string): { ok: true; seed: number } | { ok: false; error: string } {
  if (!/^\d{1,10}$/.test(text) || Number(text) > LIMITS.seed.max) return { ok: false, error: `--seed must be an integer between 0 and ${LIMITS.seed.max}, got "${text}"` };
  return { ok: true, seed: Number(text) };
}

/** `node/iface=file.pcap`. */
export function parseCaptureSpec(text: string): { ok: true; spec: CaptureSpec } | { ok: false; error: string } {
  const m = /^([^/=\s]+)\/([^/=\s]+)=(.+)$/.exec(text);
  if (!m) return { ok: false, error: `--capture must look like <node>/<iface>=<file.pcap>, got "${text}"` };
  return { ok: true, spec: { node: m[1], iface: m[2], file: m[3] } };
}

export function parseArgs(argv: readonly string[]): ParseArgsResult {
  if (argv.length === 0) return { ok: true, command: { kind: 'help' } };
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') return { ok: true, command: { kind: 'help' } };
  if (first === '--version') return { ok: true, command: { kind: 'help', topic: 'version' } };
  const cmd = first;
  if (!(COMMANDS as readonly string[]).includes(cmd)) return { ok: false, error: `unknown command "${cmd}" (commands: ${COMMANDS.join(', ')})` };
  if (rest.includes('--help') || rest.includes('-h')) return { ok: true, command: { kind: 'help', topic: cmd } };
  const s = split(cmd, rest);
  if (!s.ok) return s;
  const { positional, flags } = s;
  const one = (name: string) => flags.get(name)?.[0];
  const json = flags.has('json');

  const expectPositionals = (n: number, what: string): string | null => {
    if (positional.length < n) return `${cmd} needs ${what}`;
    if (positional.length > n) return `${cmd} takes ${n === 0 ? 'no arguments' : `only ${what}`}, got extra "${positional[n]}"`;
    return null;
  };

  const runOptions = (): { ok: true; value: Omit<RunOptions, 'target' | 'variant'> } | { ok: false; error: string } => {
    const out: Omit<RunOptions, 'target' | 'variant'> = { json };
    const d = one('duration');
    if (d !== undefined) {
      const r = parseDurationMs(d);
      if (!r.ok) return r;
      out.durationNs = r.ns;
    }
    const sd = one('seed');
    if (sd !== undefined) {
      const r = parseSeed(sd);
      if (!r.ok) return r;
      out.seed = r.seed;
    }
    return { ok: true, value: out };
  };

  /** A command that runs the presets: no positionals, the run options. */
  const optionsOnly = (): ReturnType<typeof runOptions> => {
    const e = expectPositionals(0, '');
    return e ? { ok: false, error: e } : runOptions();
  };

  switch (cmd) {
    case 'help':
      return { ok: true, command: { kind: 'help', topic: positional[0] } };
    case 'presets': {
      const e = expectPositionals(0, '');
      return e ? { ok: false, error: e } : { ok: true, command: { kind: 'presets', json } };
    }
    case 'show': {
      const e = expectPositionals(1, 'a preset id or scenario file');
      return e ? { ok: false, error: e } : { ok: true, command: { kind: 'show', target: positional[0], variant: one('variant') } };
    }
    case 'validate': {
      const e = expectPositionals(1, 'a scenario file');
      return e ? { ok: false, error: e } : { ok: true, command: { kind: 'validate', file: positional[0], json } };
    }
    case 'report': {
      const o = optionsOnly();
      if (!o.ok) return o;
      if (json && flags.has('markdown')) return { ok: false, error: 'report takes --json or --markdown, not both' };
      return { ok: true, command: { kind: 'report', markdown: flags.has('markdown'), ...o.value } };
    }
    case 'audit': {
      const o = optionsOnly();
      if (!o.ok) return o;
      const f = one('factor') ?? '2';
      const factor = Number(f);
      if (!/^\d+(\.\d+)?$/.test(f) || factor <= 1 || factor > 100) return { ok: false, error: `--factor must be a number above 1 and at most 100, got "${f}"` };
      return { ok: true, command: { kind: 'audit', factor, ...o.value } };
    }
    case 'calibrate': {
      const o = optionsOnly();
      if (!o.ok) return o;
      const n = one('points') ?? '32';
      if (!/^\d{1,4}$/.test(n) || Number(n) > MAX_CALIBRATION_POINTS) return { ok: false, error: `--points must be an integer between 0 and ${MAX_CALIBRATION_POINTS}, got "${n}"` };
      const ss = parseSeed(one('sample-seed') ?? '1');
      if (!ss.ok) return { ok: false, error: ss.error.replace('--seed', '--sample-seed') };
      return { ok: true, command: { kind: 'calibrate', points: Number(n), sampleSeed: ss.seed, ...o.value } };
    }
    case 'run': {
      const e = expectPositionals(1, 'a scenario file or preset id');
      if (e) return { ok: false, error: e };
      const o = runOptions();
      if (!o.ok) return o;
      const captures: CaptureSpec[] = [];
      for (const c of flags.get('capture') ?? []) {
        const r = parseCaptureSpec(c);
        if (!r.ok) return r;
        if (captures.some((x) => x.file === r.spec.file)) return { ok: false, error: `--capture file "${r.spec.file}" given twice` };
        captures.push(r.spec);
      }
      // --workers (partitioned runs, ./partitioned.ts): present in the command only when given.
      const w = one('workers');
      if (w === undefined) return { ok: true, command: { kind: 'run', target: positional[0], variant: one('variant'), captures, ...o.value } };
      if (!/^\d{1,3}$/.test(w) || Number(w) < 1 || Number(w) > MAX_WORKERS) return { ok: false, error: `--workers must be an integer between 1 and ${MAX_WORKERS}, got "${w}"` };
      if (Number(w) > 1 && captures.length > 0) return { ok: false, error: '--capture needs a single-worker run (leave out --workers or use --workers 1)' };
      return { ok: true, command: { kind: 'run', target: positional[0], variant: one('variant'), captures, workers: Number(w), ...o.value } };
    }
    case 'sweep': {
      const e = expectPositionals(1, 'a scenario file or preset id');
      if (e) return { ok: false, error: e };
      const o = runOptions();
      if (!o.ok) return o;
      const param = one('param');
      const values = one('values');
      if (param === undefined) return { ok: false, error: 'sweep needs --param <path>, e.g. --param links[0].rateBitsPerSec' };
      const p = parsePath(param);
      if (!p.ok) return { ok: false, error: `--param: ${p.error}` };
      if (values === undefined) return { ok: false, error: 'sweep needs --values a,b,c' };
      const list = values.split(',').map((x) => x.trim());
      if (list.some((x) => x === '')) return { ok: false, error: `--values has an empty entry: "${values}"` };
      if (list.length > MAX_SWEEP_VALUES) return { ok: false, error: `--values has ${list.length} entries; at most ${MAX_SWEEP_VALUES}` };
      return { ok: true, command: { kind: 'sweep', target: positional[0], variant: one('variant'), param, values: list, ...o.value } };
    }
    default:
      return { ok: false, error: `unknown command "${cmd}"` };
  }
}

export const USAGE = `offload-lab — headless runner for Offload Lab scenarios

Usage:
  offload-lab run <scenario.json | preset-id> [--variant <name>] [--duration <ms>] [--seed <n>] [--json]
                  [--capture <node>/<iface>=<file.pcap>]... [--workers <n>]
  offload-lab sweep <scenario.json | preset-id> --param <path> --values a,b,c [--variant <name>]
                  [--duration <ms>] [--seed <n>] [--json]
  offload-lab presets [--json]            list preset ids, one-line descriptions and variants
  offload-lab show <preset-id | file> [--variant <name>]   print the scenario JSON
  offload-lab validate <scenario.json> [--json]            check a file; errors name the field and why
  offload-lab report [--duration <ms>] [--seed <n>] [--json | --markdown]
                  run every preset and check its expectations
  offload-lab audit [--factor <x>] [--duration <ms>] [--seed <n>] [--json]
                  make each CPU cost dearer in turn on every preset; list where goodput rose
  offload-lab calibrate [--points <n>] [--sample-seed <n>] [--duration <ms>] [--seed <n>] [--json]
                  run the report at random points inside every cost's sourced range; list which
                  rows hold where, and whether any point holds them all
  offload-lab help [command]

Paths for --param: links[0].rateBitsPerSec, nodes[id=r1].interfaces[name=eth1].mtu,
  nodes[id=vm1].interfaces[name=eth0].features.tcp-segmentation-offload
With --json, stdout carries only JSON. Exit codes: 0 ok, 1 run failed, 2 bad input (usage, file, scenario).
See docs/cli.md and docs/run-result.md.`;
