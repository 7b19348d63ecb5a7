/** Human-readable output of the CLI: units scaled (Gbit/s, k ev/s, µs), aligned tables. */
import { COST_CATEGORIES, EVENT_KINDS, type RunResult } from '../src/core/metrics/result';

function scaled(value: number, units: readonly [number, string][], digits = 3): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  let pick = units[0];
  for (const u of units) if (abs >= u[0]) pick = u;
  const x = value / pick[0];
  const text = x === 0 ? '0' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(digits);
  return `${text} ${pick[1]}`;
}

export const fmtBitsPerSec = (v: number) => scaled(v, [[1, 'bit/s'], [1e3, 'kbit/s'], [1e6, 'Mbit/s'], [1e9, 'Gbit/s'], [1e12, 'Tbit/s']]);
export const fmtPerSec = (v: number, unit: string) => scaled(v, [[1, `${unit}/s`], [1e3, `k ${unit}/s`], [1e6, `M ${unit}/s`], [1e9, `G ${unit}/s`]]);
export const fmtNs = (v: number) => scaled(v, [[1, 'ns'], [1e3, 'µs'], [1e6, 'ms'], [1e9, 's']]);
export const fmtBytes = (v: number) => scaled(v, [[1, 'B'], [2 ** 10, 'KiB'], [2 ** 20, 'MiB'], [2 ** 30, 'GiB'], [2 ** 40, 'TiB']]);
export const fmtCount = (v: number) => scaled(v, [[1, ''], [1e3, 'k'], [1e6, 'M'], [1e9, 'G']]).trimEnd();
export const fmtPercent = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%` : '—');

/** `align` has one letter per column, `l` or `r`; by default the first column is left, the rest right. */
export function table(header: string[], rows: string[][], indent = '  ', align = ''): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    indent +
    r
      .map((cell, c) => ((align[c] ?? (c === 0 ? 'l' : 'r')) === 'l' ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function formatRunResult(r: RunResult): string {
  const out: string[] = [];
  out.push(`Scenario ${r.scenario} — profile ${r.profile}, seed ${r.seed}, ${fmtNs(r.simulatedNs)} simulated`);
  out.push('');
  out.push('Flows');
  out.push(
    table(
      ['id', 'kind', 'goodput', 'delivered', 'retrans', 'latency p50', 'p99', 'max', 'jitter'],
      r.flows.map((f) => [
        f.id,
        f.kind,
        fmtBitsPerSec(f.throughputBitsPerSec),
        fmtBytes(f.bytesDelivered),
        f.retransmits === undefined ? '' : String(f.retransmits),
        f.latencyNs ? fmtNs(f.latencyNs.p50) : '',
        f.latencyNs ? fmtNs(f.latencyNs.p99) : '',
        f.latencyNs ? fmtNs(f.latencyNs.max) : '',
        f.jitterNs === undefined ? '' : fmtNs(f.jitterNs),
      ]),
    ),
  );
  out.push('');
  out.push('Interfaces (tx | rx)');
  out.push(
    table(
      ['id', 'tx rate', 'tx pkts', 'tx frame', 'tx events', 'tx drops', 'rx rate', 'rx pkts', 'rx frame', 'rx events', 'rx drops', 'max queue'],
      r.interfaces.map((i) => [
        i.id,
        fmtBitsPerSec(i.tx.bitsPerSec),
        fmtPerSec(i.tx.packetsPerSec, 'pkt'),
        fmtBytes(i.tx.meanFrameBytes),
        fmtPerSec(i.tx.eventsPerSec, 'ev'),
        String(i.tx.drops),
        fmtBitsPerSec(i.rx.bitsPerSec),
        fmtPerSec(i.rx.packetsPerSec, 'pkt'),
        fmtBytes(i.rx.meanFrameBytes),
        fmtPerSec(i.rx.eventsPerSec, 'ev'),
        String(i.rx.drops),
        String(i.queueDepthMaxPackets),
      ]),
    ),
  );
  const dropReasons = r.interfaces.flatMap((i) =>
    (['tx', 'rx'] as const).flatMap((d) => Object.entries(i[d].dropsByReason).filter(([, n]) => n > 0).map(([why, n]) => `${i.id} ${d} ${why}: ${n}`)),
  );
  if (dropReasons.length > 0) out.push(`  drops by reason: ${dropReasons.join('; ')}`);
  const eventKinds = EVENT_KINDS.map((k) => {
    let sum = 0;
    for (const i of r.interfaces) sum += i.tx.eventsPerSecByKind[k] + i.rx.eventsPerSecByKind[k];
    return `${k} ${fmtPerSec(sum, 'ev')}`;
  });
  out.push(`  events by kind: ${eventKinds.join(', ')}`);
  out.push('');
  out.push('CPU (utilisation; time by category)');
  const rows: string[][] = [];
  for (const n of r.nodes) {
    if (n.cores.length === 0) rows.push([`${n.id} (${n.kind})`, '', '', fmtBytes(n.memoryBytes)]);
    for (const c of n.cores) {
      const total = COST_CATEGORIES.reduce((s, k) => s + c.nsByCategory[k], 0);
      const split = COST_CATEGORIES.filter((k) => c.nsByCategory[k] > 0)
        .toSorted((a, b) => c.nsByCategory[b] - c.nsByCategory[a])
        .map((k) => `${k} ${fmtPercent(c.nsByCategory[k] / total)}`)
        .join(', ');
      rows.push([c.core === n.cores[0].core ? `${n.id} (${n.kind})` : '', `core ${c.core}`, fmtPercent(c.utilization), c.core === n.cores[0].core ? fmtBytes(n.memoryBytes) : '', split]);
    }
  }
  out.push(table(['node', 'core', 'busy', 'memory', 'split'], rows, '  ', 'llrrl'));
  out.push('');
  const cs = r.checksum;
  out.push(`Checksums: ${cs.badDropped} dropped as bad, ${cs.acceptedCorrupt} corrupt accepted, ${cs.verifiedInSoftware} verified in software, ${cs.trusted} trusted`);
  out.push(`Totals: ${fmtPerSec(r.totals.eventsPerSec, 'ev')}, ${fmtCount(r.totals.packetHops)} packet-hops`);
  return out.join('\n');
}
