import { describe, expect, it } from 'vitest';
import { EventQueue } from './eventQueue';
import { CAT_EVENT, CAT_PACKET, Core, Task } from './cpu';
import { COST_PARAM_NAMES, COST_PROFILES, resolveProfile } from './profiles';
import { Rng } from '../rng';

describe('EventQueue', () => {
  it('fires by time, then by insertion order, and keeps the clock', () => {
    const q = new EventQueue(2);
    const fired: string[] = [];
    const rng = new Rng(3);
    const items: Array<[number, string]> = [];
    for (let i = 0; i < 500; i++) items.push([rng.int(50), `e${i}`]);
    for (const [t, id] of items) q.push(t, { onEvent: (now) => fired.push(`${now}:${id}`) });
    while (q.popAndFire()) {
      /* drain */
    }
    const expected = items
      .map(([t, id], i) => ({ t, id, i }))
      .toSorted((a, b) => a.t - b.t || a.i - b.i)
      .map((x) => `${x.t}:${x.id}`);
    expect(fired).toEqual(expected);
    expect(q.nowNs).toBe(expected.length > 0 ? Number(expected[expected.length - 1].split(':')[0]) : 0);
  });

  it('keeps virtual time in whole nanoseconds', () => {
    const q = new EventQueue();
    const seen: number[] = [];
    q.push(10.4, { onEvent: (now) => seen.push(now) });
    q.push(10.6, { onEvent: (now) => seen.push(now) });
    while (q.popAndFire()) {
      /* drain */
    }
    expect(seen).toEqual([10, 11]);
  });
});

class Work extends Task {
  done: number[] = [];
  left: number;
  constructor(
    core: Core,
    n: number,
    private readonly costNs: number,
    private readonly budget = Number.POSITIVE_INFINITY,
  ) {
    super(core);
    this.left = n;
  }
  private turn = 0;
  override startTurn(): void {
    this.turn = 0;
  }
  hasWork(): boolean {
    return this.left > 0 && this.turn < this.budget;
  }
  begin(): void {
    this.left--;
    this.turn++;
    this.core.charge(CAT_PACKET, this.costNs);
  }
  finish(now: number): void {
    this.done.push(now);
  }
  endTurn(): boolean {
    return this.left > 0;
  }
}

describe('Core', () => {
  it('runs work serially, round-robin by budget, and charges by category', () => {
    const q = new EventQueue();
    const core = new Core(q, 0, 'h', 'h/cpu0');
    const a = new Work(core, 4, 100, 2);
    const b = new Work(core, 2, 50, 2);
    a.runNow();
    b.runNow();
    while (q.popAndFire()) {
      /* drain */
    }
    expect(a.done).toEqual([100, 200, 400, 500]);
    expect(b.done).toEqual([250, 300]);
    expect(core.nsByCategory[CAT_PACKET]).toBe(500);
    expect(core.busy).toBe(false);
    expect(a.active).toBe(false);
  });

  it('a softirq preempts process context between units; a cold wake pays latency', () => {
    const q = new EventQueue();
    const core = new Core(q, 0, 'h', 'h/cpu0');
    const app = new Work(core, 3, 100);
    app.lowPriority = true;
    const irq = new Work(core, 1, 10);
    app.runNow();
    q.push(150, { onEvent: () => irq.runNow() });
    while (q.popAndFire()) {
      /* drain */
    }
    expect(irq.done).toEqual([210]);
    expect(app.done).toEqual([100, 200, 310]);
    const late = new Work(core, 1, 5);
    q.nowNs = 1000;
    late.wakeAfter(700);
    while (q.popAndFire()) {
      /* drain */
    }
    expect(late.done).toEqual([1705]);
    core.charge(CAT_EVENT, 1);
    expect(core.nsByCategory[CAT_EVENT]).toBe(1);
  });
});

describe('Core: processes share a CPU (CFS slices)', () => {
  it('two busy processes alternate in slices of sched_latency / 2 (3 ms) and end with equal CPU', () => {
    const q = new EventQueue();
    const core = new Core(q, 0, 'h', 'h/cpu0');
    const a = new Work(core, 20_000, 1_000);
    const b = new Work(core, 20_000, 1_000);
    a.lowPriority = true;
    b.lowPriority = true;
    a.runNow();
    b.runNow();
    while (q.nowNs < 30_000_000 && q.popAndFire()) {
      /* run 30 ms */
    }
    const ranA = a.done.filter((t) => t <= 30_000_000).length;
    const ranB = b.done.filter((t) => t <= 30_000_000).length;
    expect(ranA + ranB).toBeGreaterThan(29_000);
    expect(Math.abs(ranA - ranB)).toBeLessThanOrEqual(3_000);
    // Turns are slices, not single units: a ran its first 3 ms without b.
    expect(a.done[2_999]).toBe(3_000_000);
    expect(b.done[0]).toBe(3_001_000);
  });
});

describe('Core: wake-up preemption of an interactive process', () => {
  it('a woken sleeper runs at the CPU hog’s next preemption point, not after its slice; softirq work still goes first', () => {
    const q = new EventQueue();
    const core = new Core(q, 0, 'h', 'h/cpu0');
    const hog = new Work(core, 20_000, 1_000);
    hog.lowPriority = true;
    const probe = new Work(core, 1, 50);
    probe.lowPriority = true;
    probe.preemptsOnWake = true;
    const irq = new Work(core, 1, 200);
    hog.runNow();
    // At 1,500 ns the hog is inside its second unit; a softirq and the probe both become runnable then.
    q.push(1_500, { onEvent: () => (irq.runNow(), probe.runNow()) });
    while (q.nowNs < 10_000 && q.popAndFire()) {
      /* run 10 µs */
    }
    // The hog's unit ends at 2,000; the softirq (200 ns) runs, then the probe (50 ns), then the hog resumes.
    expect(irq.done).toEqual([2_200]);
    expect(probe.done).toEqual([2_250]);
    expect(hog.done.slice(0, 3)).toEqual([1_000, 2_000, 3_250]);
  });

  it('without preemptsOnWake the same process waits for the hog’s CFS slice', () => {
    const q = new EventQueue();
    const core = new Core(q, 0, 'h', 'h/cpu0');
    const hog = new Work(core, 20_000, 1_000);
    hog.lowPriority = true;
    const batch = new Work(core, 1, 50);
    batch.lowPriority = true;
    hog.runNow();
    q.push(1_500, { onEvent: () => batch.runNow() });
    while (q.nowNs < 10_000_000 && q.popAndFire()) {
      /* run 10 ms */
    }
    expect(batch.done[0]).toBeGreaterThanOrEqual(3_000_000);
  });
});

describe('cost profiles', () => {
  it('every parameter of every profile has a value, unit, source and reasoning; overrides apply', () => {
    for (const prof of Object.values(COST_PROFILES)) {
      for (const name of COST_PARAM_NAMES) {
        const p = prof.params[name];
        expect(Number.isFinite(p.value), `${prof.id}.${name}`).toBe(true);
        expect(p.source.length).toBeGreaterThan(0);
        expect(p.reasoning.length).toBeGreaterThan(0);
      }
    }
    const r = resolveProfile('kvm-2017', { kickNs: 999, notAParam: 5 });
    expect(r.kickNs).toBe(999);
    expect('notAParam' in r).toBe(false);
    expect(resolveProfile('modern').copyNsPerByte).toBeLessThan(resolveProfile('kvm-2017').copyNsPerByte);
  });
});

describe('EventQueue keyed pushes (wire arrivals)', () => {
  it('order by key, not insertion: negative keys precede ordinary events at the same time', () => {
    const q = new EventQueue(2);
    const fired: number[] = [];
    const t = { onEvent: (_now: number, arg: number) => fired.push(arg) };
    q.push(100, t, 1);
    q.pushKeyed(100, t, 2, -5);
    q.push(50, t, 3);
    q.pushKeyed(100, t, 4, -9);
    q.push(100, t, 5);
    while (q.popAndFire());
    expect(fired).toEqual([3, 4, 2, 1, 5]);
  });
});
