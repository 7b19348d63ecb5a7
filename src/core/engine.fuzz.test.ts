/**
 * Seeded engine fuzz: presets with random, schema-valid changes (MTUs, qdisc kinds and limits, shaping rates,
 * ring sizes, offload features, wire rates, extra UDP flows, loss, the modern profile, pinned applications) run briefly through the
 * one validated door. Whatever the mix, a run must finish without throwing, report only finite, non-negative
 * numbers, never count a core busier than the time that passed, and repeat itself exactly; where nothing in the
 * mix can stop TCP, every TCP flow must deliver.
 */
import { describe, expect, it } from 'vitest';
import { Engine, runScenario } from './engine';
import type { RunResult } from './metrics/result';
import { Rng } from './rng';
import { PRESETS } from './scenario/presets';
import { ALL_OFFLOAD_FEATURES } from './scenario/presets/build';
import { presetScenario } from './scenario/presets/report';
import type { QdiscSpec, Scenario } from './scenario/types';
import { parseScenario } from './scenario/validate';

const RUN_NS = 20_000_000;
const CASES = Number(process.env.ENGINE_FUZZ_CASES ?? 200);

const pick = <T,>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

function qdiscOf(rng: Rng): QdiscSpec {
  const rate = pick(rng, [undefined, 10e6, 1e9, 10e9]);
  const limitPackets = 1 + rng.int(2000);
  switch (rng.int(4)) {
    case 0:
      return { kind: 'noqueue' };
    case 1:
      return { kind: 'pfifo', limitPackets, ...(rate ? { rateBitsPerSec: rate } : {}) };
    case 2:
      return { kind: 'prio', bands: 3, limitPackets, ...(rate ? { rateBitsPerSec: rate } : {}) };
    default:
      return { kind: 'fq', limitPackets, flowLimitPackets: 1 + rng.int(200), quantumBytes: 256 + rng.int(8000), ...(rate ? { rateBitsPerSec: rate } : {}) };
  }
}

/** One to four random changes to a preset (or one of its variants). */
function mutate(rng: Rng): Scenario {
  const preset = pick(rng, PRESETS);
  const variant = rng.int(2) === 0 || preset.variants.length === 0 ? undefined : pick(rng, preset.variants).name;
  const s = structuredClone(presetScenario(preset, variant));
  s.durationNs = RUN_NS;
  s.sampleIntervalNs = 5_000_000;
  s.seed = 1 + rng.int(1000);
  for (let k = 1 + rng.int(4); k > 0; k--) {
    const node = pick(rng, s.nodes);
    const iface = node.interfaces.length > 0 ? pick(rng, node.interfaces) : null;
    switch (rng.int(9)) {
      case 0:
        if (iface) iface.mtu = pick(rng, [576, 1500, 4000, 9000]);
        break;
      case 1:
        if (iface) iface.qdisc = qdiscOf(rng);
        break;
      case 2:
        if (iface) iface.features = { ...iface.features, [pick(rng, ALL_OFFLOAD_FEATURES)]: rng.int(2) === 0 };
        break;
      case 3: {
        const link = pick(rng, s.links);
        if (link.kind === 'virtio') link.ringSize = pick(rng, [2, 16, 64, 256, 1024]);
        if (link.kind === 'wire') link.rateBitsPerSec = pick(rng, [1e8, 1e9, 1e10, 1e11]);
        break;
      }
      case 4: {
        const ends = s.nodes.filter((n) => n.kind === 'vm' || n.kind === 'container');
        if (ends.length >= 2) {
          const from = pick(rng, ends);
          const to = pick(rng, ends.filter((n) => n.id !== from.id));
          s.flows.push({ kind: 'udp', id: `fz${s.flows.length}` as Scenario['flows'][number]['id'], from: from.id, to: to.id, startNs: 0, rateBitsPerSec: pick(rng, [1e6, 1e9, 2e10]), payloadBytes: 64 + rng.int(1400) });
        }
        break;
      }
      case 5:
        if (iface) s.faults.push({ kind: 'drop', at: { node: node.id, iface: iface.name }, direction: rng.int(2) === 0 ? 'rx' : 'tx', fraction: rng.int(30) / 100 });
        break;
      case 6:
        s.profile = 'modern';
        break;
      case 7: {
        // Pin a flow's applications (taskset): exercises the socket backlog and prequeue on another CPU.
        const f = pick(rng, s.flows);
        const cpus = (id: string) => {
          const n = s.nodes.find((x) => x.id === id);
          return n?.kind === 'vm' ? n.vcpus : 1;
        };
        f.senderCpu = rng.int(cpus(f.from));
        f.receiverCpu = rng.int(cpus(f.to));
        break;
      }
      default:
        if (node.kind === 'vm') node.vcpus = 1 + rng.int(4);
        break;
    }
  }
  return s;
}

function checkSane(r: RunResult, label: string): void {
  const numbers: number[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'number') numbers.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(r);
  expect(numbers.every((x) => Number.isFinite(x) && x >= 0), `${label}: a NaN, infinite or negative number`).toBe(true);
  for (const n of r.nodes) {
    for (const c of n.cores) {
      const busyNs = Object.values(c.nsByCategory).reduce((a, b) => a + b, 0);
      // A unit of work charged just before the end may finish after it: allow one long unit.
      expect(busyNs, `${label}: ${n.id} core busier than the run`).toBeLessThanOrEqual(r.simulatedNs + 1_000_000);
    }
  }
}

/**
 * Nothing in the mix may legitimately stop TCP for half the run: no loss (a lost SYN waits for the 1 s initial RTO,
 * a lost tail for a 200 ms RTO), so no fault, no added UDP load and no qdisc that drops early (limit under 100
 * packets); no shaper under 100 Mbit/s either (one 64 KiB blob at 10 Mbit/s takes 52 ms).
 */
function cannotStall(s: Scenario): boolean {
  if (s.faults.length > 0 || s.flows.some((f) => f.kind === 'udp')) return false;
  return s.nodes.every((n) =>
    n.interfaces.every((i) => i.qdisc.kind === 'noqueue' || ((i.qdisc.rateBitsPerSec ?? Infinity) >= 100e6 && i.qdisc.limitPackets >= 100)),
  );
}

/** Runs to the end; where nothing stopped TCP, every TCP flow must deliver in the second half of the run too. */
function runChecked(s: Scenario, label: string): RunResult {
  const e = new Engine(s);
  e.runUntil(RUN_NS / 2);
  const half = new Map(e.result().flows.map((f) => [f.id, f.bytesDelivered]));
  e.runUntil(RUN_NS);
  const r = e.result();
  // A full ring or queue drops too (a polling forwarder has no qdisc): any loss can leave a flow waiting for an RTO.
  const dropped = r.interfaces.some((i) => i.tx.drops > 0 || i.rx.drops > 0);
  if (cannotStall(s) && !dropped) {
    for (const f of r.flows) {
      if (f.kind === 'tcp') expect(f.bytesDelivered, `${label}: TCP flow ${f.id} stopped delivering`).toBeGreaterThan(half.get(f.id) ?? 0);
    }
  }
  return r;
}

describe('engine fuzz: random valid changes to the presets', () => {
  it(`${CASES} mixes run to the end with sane, repeatable numbers`, { timeout: 180_000 }, () => {
    const rng = new Rng(20261126);
    let ran = 0;
    let rejected = 0;

    for (let i = 0; ran < CASES && i < CASES * 3; i++) {
      const candidate = mutate(rng);
      const parsed = parseScenario(JSON.parse(JSON.stringify(candidate)));
      if (!parsed.ok) {
        rejected++;
        continue;
      }
      const label = `case ${i} (${candidate.id}, seed ${candidate.seed})`;
      const r = runChecked(parsed.scenario, label);
      checkSane(r, label);
      if (ran % 9 === 0) expect(runScenario(parsed.scenario), `${label}: not repeatable`).toEqual(r);
      ran++;
    }
    expect(ran).toBe(CASES);
    expect(rejected).toBeLessThan(CASES);
  });
});
