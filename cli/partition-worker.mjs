// worker_threads entry for `offload-lab run --workers N`: one host partition of a run over SAB rings.
// Plain JS because Node does not apply the parent's tsx loader to a worker: register it here, then import
// the TypeScript core. workerData: { scenario, workers, self, rings, durationNs, seed }; posts the partial.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runEnginePartitionOverRings } = await import('../src/core/partition/engine.ts');
const { scenario, workers, self, rings, durationNs, seed } = workerData;
parentPort.postMessage(runEnginePartitionOverRings(scenario, { workers, self, rings, durationNs, seed }));
