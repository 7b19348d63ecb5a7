// Test-only worker_threads entry: one host of the partition test model, run over SAB rings.
import { parentPort, workerData } from 'node:worker_threads';
import { RingPartitionRunner, type RingMatrix } from './rings';
import { lookaheadOf, ModelHost, type RingModelConfig } from './partition.test-model';

const { rings, self, cfg, endNs } = workerData as { rings: RingMatrix; self: number; cfg: RingModelConfig; endNs: number };
const lp = new ModelHost(self, cfg);
const stats = new RingPartitionRunner(self, rings).run(lp, lookaheadOf(cfg), endNs);
parentPort!.postMessage({ result: lp.result(), stats });
