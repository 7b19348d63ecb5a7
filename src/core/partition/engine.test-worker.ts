// Test-only worker_threads entry: one host partition of an engine run over SAB rings (engine.thread.test.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { runEnginePartitionOverRings } from './engine';
import type { RingMatrix } from './rings';
import type { Scenario } from '../scenario/types';

const { scenario, workers, self, rings, durationNs } = workerData as { scenario: Scenario; workers: number; self: number; rings: RingMatrix; durationNs: number };
parentPort!.postMessage(runEnginePartitionOverRings(scenario, { workers, self, rings, durationNs }));
