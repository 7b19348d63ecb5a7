/**
 * `offload-lab` command implementations. `main` takes argv and an I/O sink and returns the exit code:
 * 0 ok, 1 a run failed or a report check did not hold, 2 bad input (usage, unreadable or invalid scenario,
 * unknown preset or variant). With --json, stdout carries only JSON.
 */
import { writeFileSync } from 'node:fs';
import type { RunResult } from '../src/core/metrics/result';
import { parseParamValue } from '../src/core/scenario/param-path';
import { PRESETS } from '../src/core/scenario/presets/index';
import { auditCosts, type AuditRow } from '../src/core/scenario/presets/audit';
import { calibrationSearch, rowKey, tallyRows, type CalibrationPoint } from '../src/core/scenario/presets/calibrate';
import { computeReport, type ReportRow } from '../src/core/scenario/presets/report';
import type { Scenario } from '../src/core/scenario/types';
import { applyChanges, type ScenarioError } from '../src/core/scenario/validate';
import { parseArgs, USAGE, type CaptureSpec, type Command } from './args';
import { fmtBitsPerSec, fmtBytes, fmtCount, fmtNs, fmtPerSec, formatRunResult, table } from './format';
import { loadTarget, readScenarioFile, type LoadResult } from './load';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  writeFile(path: string, bytes: Uint8Array): void;
}

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

const nodeIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  writeFile: (path, bytes) => writeFileSync(path, bytes),
};

function reportLoadFailure(io: Io, r: Extract<LoadResult, { ok: false }>): number {
  io.err(r.message);
  for (const e of r.errors) io.err(`  ${e.message}`);
  return EXIT_BAD_INPUT;
}

function checkCaptures(scenario: Scenario, captures: readonly CaptureSpec[]): string[] {
  const problems: string[] = [];
  for (const c of captures) {
    const node = scenario.nodes.find((n) => n.id === c.node);
    if (!node) problems.push(`--capture ${c.node}/${c.iface}: no node "${c.node}" (nodes: ${scenario.nodes.map((n) => n.id).join(', ')})`);
    else if (!node.interfaces.some((i) => i.name === c.iface)) {
      problems.push(`--capture ${c.node}/${c.iface}: node "${c.node}" has no interface "${c.iface}" (it has: ${node.interfaces.map((i) => i.name).join(', ')})`);
    }
  }
  return problems;
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

async function cmdRun(io: Io, c: Extract<Command, { kind: 'run' }>): Promise<number> {
  const loaded = loadTarget(c.target, c.variant);
  if (!loaded.ok) return reportLoadFailure(io, loaded);
  const problems = checkCaptures(loaded.scenario, c.captures);
  if (problems.length > 0) {
    for (const p of problems) io.err(p);
    return EXIT_BAD_INPUT;
  }
  if (c.workers !== undefined && c.workers > 1) return cmdRunPartitioned(io, c, loaded.scenario, c.workers);
  const { runEngine } = await import('./engine');
  let run: Awaited<ReturnType<typeof runEngine>>;
  try {
    run = await runEngine(loaded.scenario, { durationNs: c.durationNs, seed: c.seed, captures: c.captures });
  } catch (e) {
    io.err(`run of ${loaded.scenario.id} failed: ${errorText(e)}`);
    return EXIT_RUN_FAILED;
  }
  for (const p of run.pcaps) {
    try {
      io.writeFile(p.spec.file, p.bytes);
    } catch (e) {
      io.err(`cannot write ${p.spec.file}: ${errorText(e)}`);
      return EXIT_RUN_FAILED;
    }
    if (!c.json) io.err(`wrote ${p.packets} frames captured at ${p.spec.node}/${p.spec.iface} to ${p.spec.file}`);
  }
  io.out(c.json ? JSON.stringify(run.result, null, 2) : formatRunResult(run.result));
  return EXIT_OK;
}

/** `run --workers N` (N > 1): one worker_thread per host group (./partitioned.ts); same output as a plain run. */
async function cmdRunPartitioned(io: Io, c: Extract<Command, { kind: 'run' }>, scenario: Scenario, workers: number): Promise<number> {
  const { runPartitionedThreads } = await import('./partitioned');
  const { PartitionError } = await import('../src/core/partition/coordinator');
  try {
    const run = await runPartitionedThreads(scenario, { workers, durationNs: c.durationNs, seed: c.seed });
    if (!c.json) io.err(`ran ${scenario.id} as ${run.partitions} partition(s) (${scenario.hosts.length} host(s)): ${run.windows} windows, ${run.messagesSent} frames crossed between workers`);
    io.out(c.json ? JSON.stringify(run.result, null, 2) : formatRunResult(run.result));
    return EXIT_OK;
  } catch (e) {
    io.err(`${e instanceof PartitionError ? `${scenario.id} cannot run partitioned` : `partitioned run of ${scenario.id} failed`}: ${errorText(e)}`);
    return e instanceof PartitionError ? EXIT_BAD_INPUT : EXIT_RUN_FAILED;
  }
}

const tcp = (r: RunResult) => r.flows.filter((f) => f.kind === 'tcp').reduce((s, f) => s + f.throughputBitsPerSec, 0);
const probeP99 = (r: RunResult) => Math.max(...r.flows.filter((f) => f.latencyNs).map((f) => f.latencyNs!.p99));
const busiest = (r: RunResult) => Math.max(0, ...r.nodes.flatMap((n) => n.cores.map((c) => c.utilization)));

function sweepSummary(rows: { value: number | string | boolean; result: RunResult }[], param: string): string {
  return [
    `Sweep of ${param}`,
    table(
      [param, 'TCP goodput', 'events', 'events per Gbit/s', 'probe p99', 'busiest core', 'bad csum', 'corrupt accepted'],
      rows.map(({ value, result }) => {
        const gbit = tcp(result) / 1e9;
        return [
          String(value),
          fmtBitsPerSec(tcp(result)),
          fmtPerSec(result.totals.eventsPerSec, 'ev'),
          gbit > 0 ? fmtCount(result.totals.eventsPerSec / gbit) : '—',
          Number.isFinite(probeP99(result)) ? fmtNs(probeP99(result)) : '—',
          `${(busiest(result) * 100).toFixed(0)}%`,
          String(result.checksum.badDropped),
          String(result.checksum.acceptedCorrupt),
        ];
      }),
    ),
  ].join('\n');
}

async function cmdSweep(io: Io, c: Extract<Command, { kind: 'sweep' }>): Promise<number> {
  const loaded = loadTarget(c.target, c.variant);
  if (!loaded.ok) return reportLoadFailure(io, loaded);
  // Every value is checked before anything runs: a typo in the fifth value should not cost four runs.
  const scenarios: { value: number | string | boolean; scenario: Scenario }[] = [];
  const bad: ScenarioError[] = [];
  for (const text of c.values) {
    const value = parseParamValue(text);
    const r = applyChanges(loaded.scenario, [{ kind: 'set-param', path: c.param, value }], { label: `--param ${c.param}=${text}` });
    if (r.ok) scenarios.push({ value, scenario: r.scenario });
    else bad.push(...r.errors.map((e) => ({ path: e.path, message: `value ${text}: ${e.message}` })));
  }
  if (bad.length > 0) {
    io.err(`sweep of ${c.param} over ${c.values.join(',')} is not valid:`);
    for (const e of bad) io.err(`  ${e.message}`);
    return EXIT_BAD_INPUT;
  }
  const { runEngine } = await import('./engine');
  const rows: { value: number | string | boolean; result: RunResult }[] = [];
  for (const s of scenarios) {
    try {
      const run = await runEngine(s.scenario, { durationNs: c.durationNs, seed: c.seed });
      rows.push({ value: s.value, result: run.result });
    } catch (e) {
      io.err(`run with ${c.param}=${String(s.value)} failed: ${errorText(e)}`);
      return EXIT_RUN_FAILED;
    }
    if (!c.json) io.err(`ran ${c.param}=${String(s.value)}`);
  }
  io.out(c.json ? JSON.stringify(rows, null, 2) : sweepSummary(rows, c.param));
  return EXIT_OK;
}

function cmdPresets(io: Io, json: boolean): number {
  if (json) {
    io.out(JSON.stringify(PRESETS.map((p) => ({ id: p.id, title: p.title, oneLine: p.oneLine, variants: p.variants.map((v) => v.name) })), null, 2));
    return EXIT_OK;
  }
  const rows = PRESETS.map((p) => [p.id, p.variants.length ? p.variants.map((v) => v.name).join(', ') : '—', p.oneLine]);
  io.out(table(['id', 'variants', 'description'], rows, '', 'lll'));
  return EXIT_OK;
}

function cmdShow(io: Io, c: Extract<Command, { kind: 'show' }>): number {
  const loaded = loadTarget(c.target, c.variant);
  if (!loaded.ok) return reportLoadFailure(io, loaded);
  io.out(JSON.stringify(loaded.scenario, null, 2));
  return EXIT_OK;
}

function cmdValidate(io: Io, c: Extract<Command, { kind: 'validate' }>): number {
  const r = readScenarioFile(c.file);
  if (c.json) {
    io.out(JSON.stringify(r.ok ? { ok: true, id: r.scenario.id } : { ok: false, message: r.message, errors: r.errors }, null, 2));
    return r.ok ? EXIT_OK : EXIT_BAD_INPUT;
  }
  if (!r.ok) return reportLoadFailure(io, r);
  const s = r.scenario;
  io.out(`${c.file}: valid scenario "${s.id}" — ${s.hosts.length} host(s), ${s.nodes.length} nodes, ${s.links.length} links, ${s.flows.length} flows, ${fmtNs(s.durationNs)} by default`);
  return EXIT_OK;
}

export type { ReportRow };

async function cmdReport(io: Io, c: Extract<Command, { kind: 'report' }>): Promise<number> {
  const { runScenario } = await import('../src/core/engine');
  let rows: ReportRow[];
  try {
    rows = computeReport(
      (s) => runScenario(s, { durationNs: c.durationNs, seed: c.seed }),
      PRESETS,
      (key) => {
        if (!c.json) io.err(`running ${key}`);
      },
    );
  } catch (e) {
    io.err(`report failed: ${errorText(e)}`);
    return EXIT_RUN_FAILED;
  }
  if (c.json) io.out(JSON.stringify(rows, null, 2));
  else if (c.markdown) io.out(formatReportMarkdown(rows));
  else io.out(formatReport(rows));
  return rows.every((r) => r.holds) ? EXIT_OK : EXIT_RUN_FAILED;
}

/** Goodput moves by less than this between two runs before the audit calls it a rise. */
const AUDIT_TOLERANCE = 0.03;
const AUDIT_MAX_DURATION_NS = 100_000_000;

async function cmdAudit(io: Io, c: Extract<Command, { kind: 'audit' }>): Promise<number> {
  const { runScenario } = await import('../src/core/engine');
  let rows: AuditRow[];
  try {
    // Each preset runs at most 100 ms unless --duration says otherwise: ≈ 35 runs per preset.
    rows = auditCosts((s) => runScenario(s, { durationNs: c.durationNs ?? Math.min(s.durationNs, AUDIT_MAX_DURATION_NS), seed: c.seed }), { factor: c.factor }, (key) => {
      if (!c.json) io.err(`running ${key}`);
    });
  } catch (e) {
    io.err(`audit failed: ${errorText(e)}`);
    return EXIT_RUN_FAILED;
  }
  if (c.json) {
    io.out(JSON.stringify(rows, null, 2));
    return EXIT_OK;
  }
  const rises = rows.filter((r) => r.ratio > 1 + AUDIT_TOLERANCE).toSorted((a, b) => b.ratio - a.ratio);
  const header = `${rows.length} runs, each with one CPU cost ×${c.factor}: ${rises.length} raised TCP goodput by more than ${AUDIT_TOLERANCE * 100} %`;
  if (rises.length === 0) {
    io.out(header);
    return EXIT_OK;
  }
  const cells = rises.map((r) => [r.preset, `${r.param} ${r.baseValue} → ${+r.value.toPrecision(6)}`, fmtBitsPerSec(r.baseBitsPerSec), fmtBitsPerSec(r.bitsPerSec), `${r.ratio.toFixed(3)}×`]);
  io.out(`${header} (batching by notification suppression; see docs/fidelity.md):\n${table(['preset', 'cost', 'goodput', 'with it', 'ratio'], cells, '  ', 'llrrr')}`);
  return EXIT_OK;
}

async function cmdCalibrate(io: Io, c: Extract<Command, { kind: 'calibrate' }>): Promise<number> {
  const { runScenario } = await import('../src/core/engine');
  let points: CalibrationPoint[];
  try {
    points = calibrationSearch((s) => runScenario(s, { durationNs: c.durationNs, seed: c.seed }), { points: c.points, seed: c.sampleSeed }, (p, i, n) => {
      if (!c.json) io.err(`${i}/${n} ${p.label}: ${p.held} of ${p.rows.length} hold`);
    });
  } catch (e) {
    io.err(`calibrate failed: ${errorText(e)}`);
    return EXIT_RUN_FAILED;
  }
  if (c.json) {
    const compact = points.map((p) => ({ label: p.label, costs: p.costs, held: p.held, rows: p.rows.map((r) => ({ key: rowKey(r), measured: r.measured, holds: r.holds })) }));
    io.out(JSON.stringify(compact, null, 2));
    return EXIT_OK;
  }
  const best = points.reduce((a, b) => (b.held > a.held ? b : a));
  const all = points.filter((p) => p.held === p.rows.length);
  const lines = [
    `${points.length} points inside the sourced cost ranges (src/core/sim/ranges.ts; the profile, every cost at its low end, at its high end, ${c.points} drawn with sample seed ${c.sampleSeed}).`,
    all.length > 0 ? `${all.length} point(s) hold every check: ${all.map((p) => p.label).join(', ')}.` : `No point holds every check; the best holds ${best.held} of ${best.rows.length} (${best.label}).`,
  ];
  const tally = tallyRows(points);
  if (tally.length > 0) {
    lines.push('', 'Checks that failed at some point: where they hold, and how often together with every other such check:');
    lines.push(table(['check', 'holds at', 'with all others'], tally.map((t) => [t.key, `${t.heldAt} of ${points.length}`, String(t.withAllOthers)]), '  ', 'lrr'));
  }
  const costs = Object.entries(best.costs);
  if (costs.length > 0) lines.push('', `Costs at ${best.label}: ${costs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  io.out(lines.join('\n'));
  return EXIT_OK;
}

function fmtMetric(metric: string, x: number, relative: boolean): string {
  if (relative) return Number.isFinite(x) ? `${x.toPrecision(3)}×` : '—';
  if (metric === 'eventsPerSecPerGbit') return `${fmtCount(x)} ev/s per Gbit/s`;
  if (metric === 'forwarderEventsPerPacket') return `${x.toPrecision(3)} per packet`;
  if (metric.endsWith('BitsPerSec')) return fmtBitsPerSec(x);
  if (metric.endsWith('Ns')) return fmtNs(x);
  if (metric.endsWith('Bytes')) return fmtBytes(x);
  if (metric.startsWith('events') || metric.includes('Events')) return fmtPerSec(x, 'ev');
  return fmtCount(x);
}

/** One report row as text: the run, the expectation, the metric, the expected bound and our value. */
export interface ReportCells {
  run: string;
  text: string;
  metric: string;
  expected: string;
  ours: string;
  holds: boolean;
}

export function reportCells(r: ReportRow): ReportCells {
  const rel = r.relativeTo !== null;
  return {
    run: r.variant ? `${r.preset}@${r.variant}` : r.preset,
    text: r.text,
    metric: `${r.metric}${rel ? ` ÷ ${r.relativeTo}` : ''}`,
    expected: `${r.comparator} ${fmtMetric(r.metric, r.expected, rel)}`,
    ours: fmtMetric(r.metric, r.measured, rel),
    holds: r.holds,
  };
}

export function formatReport(rows: readonly ReportRow[]): string {
  const body = rows.map(reportCells).map((c) => [c.run, c.text, c.metric, c.expected, c.ours, c.holds ? 'holds' : 'FAILS']);
  const held = rows.filter((r) => r.holds).length;
  return `${table(['run', 'expectation', 'metric', 'expected', 'ours', ''], body, '', 'lllrrl')}\n\n${held} of ${rows.length} checks hold`;
}

const mdCell = (text: string) => text.replaceAll('|', '\\|');

/** The report as a Markdown table (for docs): one row per expectation. */
export function formatReportMarkdown(rows: readonly ReportRow[]): string {
  const lines = ['| run | expectation | metric | expected | ours | holds |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const c = reportCells(r);
    lines.push(
      `| \`${c.run}\` | ${mdCell(c.text)} | \`${r.metric}\`${r.relativeTo !== null ? ` ÷ \`${r.relativeTo}\`` : ''} | ${mdCell(c.expected)} | ${c.ours} | ${c.holds ? 'yes' : '**no**'} |`,
    );
  }
  const held = rows.filter((r) => r.holds).length;
  lines.push('', `${held} of ${rows.length} checks hold.`);
  return lines.join('\n');
}

function cmdHelp(io: Io, topic?: string): number {
  if (topic === 'version') {
    io.out('offload-lab 0.1.0 (scenario version 1, run-result offload-lab/run-result@1)');
    return EXIT_OK;
  }
  io.out(`${USAGE}\n\nScript for a real kernel:\n  offload-lab export-netns <preset-id | file | share-link> [--variant <name>] [--duration <s>] [--out <file.sh>]\n                  bash script: network namespaces, veth, bridges, ethtool, iperf3 (see docs/share-links.md)`);
  return EXIT_OK;
}

export async function main(argv: readonly string[], io: Io = nodeIo): Promise<number> {
  // `export-netns` (scenario → network-namespace script) lives in ./export-netns.ts with its own arguments.
  if (argv[0] === 'export-netns') {
    const { exportNetnsMain } = await import('./export-netns');
    // The real terminal gets the script byte for byte and --out an executable file.
    if (io === nodeIo) return exportNetnsMain(argv.slice(1));
    return exportNetnsMain(argv.slice(1), { out: (t) => io.out(t.replace(/\n$/, '')), err: io.err, writeFile: (p, t) => io.writeFile(p, new TextEncoder().encode(t)) });
  }
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    io.err(`offload-lab: ${parsed.error}`);
    io.err('Run "offload-lab help" for usage.');
    return EXIT_BAD_INPUT;
  }
  const c = parsed.command;
  switch (c.kind) {
    case 'help':
      return cmdHelp(io, c.topic);
    case 'presets':
      return cmdPresets(io, c.json);
    case 'show':
      return cmdShow(io, c);
    case 'validate':
      return cmdValidate(io, c);
    case 'run':
      return cmdRun(io, c);
    case 'sweep':
      return cmdSweep(io, c);
    case 'report':
      return cmdReport(io, c);
    case 'audit':
      return cmdAudit(io, c);
    case 'calibrate':
      return cmdCalibrate(io, c);
    default: {
      const never: never = c;
      io.err(`unhandled command ${JSON.stringify(never)}`);
      return EXIT_BAD_INPUT;
    }
  }
}
