// Bench-only worker_threads entry for bench/rpc.bench.ts: answers Atomics ping-pongs, raw postMessage
// echoes, or Comlink calls, depending on workerData.mode.
import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

const { mode, flags } = workerData as { mode: 'atomics' | 'post' | 'comlink'; flags?: SharedArrayBuffer };

if (mode === 'atomics') {
  // [0] ping sequence written by main, [1] pong sequence written here; -1 in [0] ends the loop.
  const f = new Int32Array(flags!);
  let seen = 0;
  for (;;) {
    Atomics.wait(f, 0, seen);
    const ping = Atomics.load(f, 0);
    if (ping < 0) break;
    seen = ping;
    Atomics.store(f, 1, ping);
    Atomics.notify(f, 1);
  }
  parentPort!.postMessage('done');
} else if (mode === 'post') {
  parentPort!.on('message', (m: number) => parentPort!.postMessage(m));
} else {
  Comlink.expose({ echo: (x: number) => x }, nodeEndpoint(parentPort!));
}
