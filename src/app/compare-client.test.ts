import { describe, expect, it } from 'vitest';
import type { EngineStatus, RunState, Speed } from '../core/protocol';
import type { EngineClient } from './engine-client';
import { CompareRun } from './compare-client';

const MS = 1e6;
const SLOW: Speed = { kind: 'rate', virtualPerWall: 0.01 };

/** B's engine as the follower sees it: a state, a virtual time, and the calls made to it. */
function fakeB(state: RunState, nowNs: number) {
  const calls: string[] = [];
  let cleared = 0;
  const b = {
    state,
    nowNs,
    calls,
    get cleared() {
      return cleared;
    },
    client: {
      history: { clear: () => cleared++ },
      status: async (): Promise<EngineStatus> => ({ state: b.state, nowNs: b.nowNs, durationNs: 500 * MS, samplesDropped: 0, wallMsSimulating: 0 }),
      start: async () => {
        calls.push('start');
        b.state = 'running';
      },
      pause: async () => {
        calls.push('pause');
        b.state = 'paused';
      },
      resume: async () => {
        calls.push('resume');
        b.state = 'running';
      },
      stop: async () => {
        calls.push('stop');
        b.state = 'finished';
      },
      setSpeed: async (s: Speed) => {
        calls.push(s.kind === 'max' ? 'speed max' : `speed ${s.virtualPerWall}`);
      },
    },
  };
  return b;
}

const runOf = (b: ReturnType<typeof fakeB>) => new CompareRun(b.client as unknown as EngineClient, 10 * MS);

describe('CompareRun: B follows A by virtual time', () => {
  it('A running ahead: B starts from an empty history and catches up flat out, then follows at A’s pace', async () => {
    const b = fakeB('loaded', 0);
    const run = runOf(b);
    await run.sync({ state: 'running', nowNs: 50 * MS, durationNs: 500 * MS }, SLOW);
    expect(b.calls).toEqual(['start', 'speed max']);
    expect(b.cleared).toBe(1);
    b.nowNs = 55 * MS;
    await run.sync({ state: 'running', nowNs: 60 * MS, durationNs: 500 * MS }, SLOW);
    expect(b.calls.slice(2)).toEqual(['speed 0.01']);
    // Same pace again: no call.
    await run.sync({ state: 'running', nowNs: 62 * MS, durationNs: 500 * MS }, SLOW);
    expect(b.calls).toHaveLength(3);
  });

  it('A paused or finished: B keeps going until it reaches A’s time, then pauses there', async () => {
    const b = fakeB('running', 141 * MS);
    const run = runOf(b);
    await run.sync({ state: 'finished', nowNs: 150 * MS, durationNs: 150 * MS }, SLOW);
    expect(b.calls).toEqual(['speed max']);
    b.nowNs = 150 * MS;
    await run.sync({ state: 'finished', nowNs: 150 * MS, durationNs: 150 * MS }, SLOW);
    expect(b.calls.at(-1)).toBe('pause');
    // A paused behind B: nothing more to do.
    await run.sync({ state: 'paused', nowNs: 150 * MS, durationNs: 150 * MS }, SLOW);
    expect(b.calls.at(-1)).toBe('pause');
    expect(b.calls.filter((c) => c === 'pause')).toHaveLength(1);
  });

  it('A started over: B stops, clears its history and starts again', async () => {
    const b = fakeB('running', 100 * MS);
    const run = runOf(b);
    await run.sync({ state: 'running', nowNs: 100 * MS, durationNs: 500 * MS }, SLOW);
    b.calls.length = 0;
    await run.sync({ state: 'running', nowNs: 0, durationNs: 500 * MS }, SLOW);
    expect(b.calls).toEqual(['stop', 'start', 'speed max']);
    expect(b.cleared).toBe(1);
  });

  it('A resumed after a pause: B resumes', async () => {
    const b = fakeB('paused', 80 * MS);
    const run = runOf(b);
    await run.sync({ state: 'running', nowNs: 82 * MS, durationNs: 500 * MS }, SLOW);
    expect(b.calls).toEqual(['resume', 'speed 0.01']);
  });
});
