/// <reference lib="webworker" />
// Thin entry for partitioned runs in the browser (src/app/partitioned-client.ts): one message in, one out.
// 'partition' runs one host partition over the SAB rings; 'plain' runs the whole scenario (the reference).
import { Engine } from '../src/core/engine';
import { runEnginePartitionOverRings } from '../src/core/partition/engine';
import type { PartitionJob, PartitionReply } from '../src/app/partitioned-client';

self.onmessage = (e: MessageEvent<PartitionJob>) => {
  const job = e.data;
  let reply: PartitionReply;
  try {
    switch (job.kind) {
      case 'partition': {
        const { result, totalEvents, stats } = runEnginePartitionOverRings(job.scenario, { workers: job.workers, self: job.self, rings: job.rings, durationNs: job.durationNs, seed: job.seed });
        reply = { ok: true, part: { result, totalEvents }, windows: stats.windows, messagesSent: stats.messagesSent };
        break;
      }
      case 'plain': {
        const engine = new Engine(job.scenario, { seed: job.seed });
        engine.runUntil(job.durationNs);
        reply = { ok: true, part: { result: engine.result(), totalEvents: engine.totalEventCount }, windows: 0, messagesSent: 0 };
        break;
      }
      default: {
        const never: never = job;
        throw new Error(`unknown job ${JSON.stringify(never)}`);
      }
    }
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
  postMessage(reply);
};
