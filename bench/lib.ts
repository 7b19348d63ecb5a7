/** Shared timing loop for the Node benchmarks: calibrates the iteration count, reports the median of trials. */

// Read once at exit so the folded results are observably used.
const sink = { n: 0 };
process.on('exit', () => {
  if (sink.n === 0.5) console.log('(sink)');
});

export interface MeasureOptions {
  /** Wall time one trial should take. */
  targetMs?: number;
  trials?: number;
  /** First guess at the iteration count (raise it for nanosecond-scale bodies). */
  startIterations?: number;
}

/**
 * Median nanoseconds per call of `body(i)`. The body returns a number that is folded into a sink so the
 * optimiser cannot drop the work.
 */
export function measureNsPerOp(body: (i: number) => number, opts: MeasureOptions = {}): number {
  const targetMs = opts.targetMs ?? 50;
  const trials = opts.trials ?? 5;
  let iterations = opts.startIterations ?? 1;
  const run = (n: number): number => {
    let acc = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) acc += body(i);
    const ms = performance.now() - t0;
    sink.n += acc;
    return ms;
  };
  run(iterations);
  for (;;) {
    const ms = run(iterations);
    if (ms > targetMs / 4) {
      iterations = Math.max(1, Math.round((iterations * targetMs) / ms));
      break;
    }
    iterations *= 4;
  }
  const samples: number[] = [];
  for (let t = 0; t < trials; t++) samples.push((run(iterations) * 1e6) / iterations);
  return samples.toSorted((a, b) => a - b)[trials >> 1];
}
