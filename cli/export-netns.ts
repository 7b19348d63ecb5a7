/**
 * `export-netns`: a scenario (preset id, scenario/share file, or share link) as a bash script that builds it
 * with Linux network namespaces and runs iperf3 (src/core/export/netns.ts). The script goes to stdout (or
 * --out FILE); what Linux cannot mirror goes to stderr. Exit codes as the CLI: 0 ok, 2 bad input.
 *
 *   node --import tsx cli/export-netns.ts router-club [--variant V] [--duration SEC] [--out lab.sh]
 *   node --import tsx cli/export-netns.ts 'https://…/#s=1.…'
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { exportNetnsScript } from '../src/core/export/netns';
import type { Scenario } from '../src/core/scenario/types';
import { DOOR_LIMITS, openUntrusted } from '../src/share/door';
import { loadTarget } from './load';

export const EXPORT_NETNS_USAGE = 'usage: export-netns <preset|scenario.json|share-link> [--variant NAME] [--duration SEC] [--out FILE]';

export interface ExportIo {
  out(text: string): void;
  err(text: string): void;
  writeFile(path: string, text: string): void;
}

const nodeIo: ExportIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(`${t}\n`),
  writeFile: (path, text) => writeFileSync(path, text, { mode: 0o755 }),
};

function load(target: string, variant: string | undefined, io: ExportIo): Scenario | null {
  const isLink = /^(https?:\/\/|#|s=)/.test(target) || /^\d+\.[A-Za-z0-9_-]{8,}$/.test(target);
  if (isLink && variant === undefined) {
    const r = openUntrusted({ kind: 'link', text: target });
    if (r.ok) return r.scenario;
    io.err(r.message);
    for (const d of r.details) io.err(`  ${d}`);
    return null;
  }
  // A file in the share format (or autosave export) goes through the door; a bare scenario or preset via the CLI loader.
  if (variant === undefined && target.endsWith('.json')) {
    try {
      if (statSync(target).size <= DOOR_LIMITS.fileChars) {
        const r = openUntrusted({ kind: 'file', text: readFileSync(target, 'utf8') });
        if (r.ok) return r.scenario;
        io.err(`${target}: ${r.message}`);
        for (const d of r.details) io.err(`  ${d}`);
        return null;
      }
    } catch {
      // Unreadable: loadTarget reports it with the CLI's wording.
    }
  }
  const r = loadTarget(target, variant);
  if (r.ok) return r.scenario;
  io.err(r.message);
  for (const e of r.errors) io.err(`  ${e.message}`);
  return null;
}

export function exportNetnsMain(argv: readonly string[], io: ExportIo = nodeIo): number {
  let target: string | undefined;
  let variant: string | undefined;
  let durationSec: number | undefined;
  let outFile: string | undefined;
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const value = () => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '--variant') variant = value();
      else if (a === '--duration') {
        durationSec = Number(value());
        if (!Number.isInteger(durationSec) || durationSec < 1 || durationSec > 3600) throw new Error('--duration must be whole seconds between 1 and 3600');
      } else if (a === '--out') outFile = value();
      else if (a === '-h' || a === '--help') {
        io.out(`${EXPORT_NETNS_USAGE}\n`);
        return 0;
      } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
      else if (target === undefined) target = a;
      else throw new Error(`unexpected argument ${a}`);
    } catch (e) {
      io.err(`${e instanceof Error ? e.message : String(e)}\n${EXPORT_NETNS_USAGE}`);
      return 2;
    }
  }
  if (target === undefined) {
    io.err(EXPORT_NETNS_USAGE);
    return 2;
  }
  const scenario = load(target, variant, io);
  if (!scenario) return 2;
  const { script, notes } = exportNetnsScript(scenario, { durationSec });
  if (outFile) io.writeFile(outFile, script);
  else io.out(script);
  io.err(`# ${scenario.id}: ${notes.length} thing(s) the namespace lab does not reproduce are listed at the top of the script`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = exportNetnsMain(process.argv.slice(2));
