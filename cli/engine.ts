/**
 * The CLI's only contact with the simulation engine: run a validated scenario, optionally recording frames
 * at interfaces into pcap files. Loaded lazily so `presets`, `show` and `validate` start fast.
 */
import type { RunResult } from '../src/core/metrics/result';
import type { Scenario } from '../src/core/scenario/types';
import type { CaptureSpec } from './args';

export interface EngineRun {
  result: RunResult;
  /** One pcap file per capture spec, in the order given. */
  pcaps: { spec: CaptureSpec; bytes: Uint8Array; packets: number }[];
}

export async function runEngine(scenario: Scenario, opts: { durationNs?: number; seed?: number; captures?: readonly CaptureSpec[] }): Promise<EngineRun> {
  const { Engine, runScenario } = await import('../src/core/engine');
  const captures = opts.captures ?? [];
  if (captures.length === 0) return { result: runScenario(scenario, { durationNs: opts.durationNs, seed: opts.seed }), pcaps: [] };
  const { PcapWriter } = await import('../src/core/packet/pcap');
  // Like tcpdump on the interface: both directions, frames as the stack holds them (super-frames whole,
  // CHECKSUM_PARTIAL frames with the pseudo-header sum in the checksum field).
  const writers = captures.map((spec) => ({ spec, key: `${spec.node}/${spec.iface}`, writer: new PcapWriter({ resolution: 'ns' }) }));
  const engine = new Engine(scenario, { seed: opts.seed });
  engine.captureFilter = writers.map((w) => w.key);
  // Virtual time is fractional; pcap keeps whole nanoseconds.
  engine.onCapture = (point, frame, _skb, tNs) => {
    const key = `${point.node}/${point.iface}`;
    for (const w of writers) if (w.key === key) w.writer.writePacket(Math.round(tNs), frame);
  };
  engine.runUntil(opts.durationNs ?? scenario.durationNs);
  return { result: engine.result(), pcaps: writers.map((w) => ({ spec: w.spec, bytes: w.writer.finish(), packets: w.writer.packetCount })) };
}
