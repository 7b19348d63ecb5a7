/**
 * CPU model. A Core executes Tasks serially, one work unit (usually one packet) at a time: `begin`
 * charges the unit's CPU cost by category, and `finish` runs its effects when that time has elapsed. A
 * busy core queues runnable tasks round-robin, so saturation turns into queueing, and queueing into
 * drops and TCP back-off further up. Costs charged from inside `finish` (a kick paid by the producer)
 * delay the core's next unit.
 */
import type { EventQueue, EventTarget } from './eventQueue';

export const CAT_EVENT = 0;
export const CAT_PACKET = 1;
export const CAT_COPY = 2;
export const CAT_CHECKSUM = 3;
export const CAT_SEGMENTATION = 4;
export const CAT_GRO = 5;
export const CAT_HASH = 6;
export const CAT_LOOKUP = 7;
export const CATEGORY_COUNT = 8;
/** MAX_SOFTIRQ_TIME (kernel/softirq.c, 2 ms): softirq work longer than this is deferred to ksoftirqd. */
const MAX_SOFTIRQ_TIME_NS = 2_000_000;
/** CFS: sysctl_sched_latency (6 ms) shared by the runnable processes, never below sched_min_granularity (0.75 ms). */
const SCHED_LATENCY_NS = 6_000_000;
const SCHED_MIN_GRANULARITY_NS = 750_000;

/** A schedulable consumer (vhost worker, NAPI poll, TCP sender, router softirq...). */
export abstract class Task implements EventTarget {
  /** Runnable: sitting in a core's run queue, running, or waking up (notifications are suppressed). */
  active = false;
  /** Woken while its core had nothing to run: the first turn pays a context switch. */
  protected wokeCold = false;
  /** A polling consumer (DPDK PMD): producers never pay to notify it. */
  pinned = false;
  /** Process context (an application's send loop): softirq/NAPI work on the same core preempts it. */
  lowPriority = false;
  /**
   * An interactive process that sleeps most of the time: woken, it preempts the running process at its next
   * preemption point (CFS places a sleeper at min_vruntime − sched_latency/2, 3 ms ahead of a CPU hog, more than
   * the 2 ms wake-up granularity of a 2-CPU guest, so check_preempt_wakeup preempts). Softirq work still goes first.
   */
  preemptsOnWake = false;

  constructor(readonly core: Core) {}

  /** Work left in the current turn (budgets are enforced here). */
  abstract hasWork(): boolean;
  /** Charge one unit of work on `this.core`. */
  abstract begin(nowNs: number): void;
  /** Effects of the unit charged by the last `begin`. */
  abstract finish(nowNs: number): void;
  /** Start of a turn on the core: reset budgets; may charge costs. */
  startTurn(nowNs: number): void {
    void nowNs;
  }
  /** Called when hasWork() turned false: true = requeue (budget used up), false = go idle. */
  abstract endTurn(nowNs: number): boolean;

  /** First turn after a cold wake-up: the woken thread is switched in. */
  protected chargeWake(contextSwitchNs: number): void {
    if (this.wokeCold) {
      this.wokeCold = false;
      this.core.charge(CAT_EVENT, contextSwitchNs);
    }
  }

  /** Make runnable now (no notification cost). */
  runNow(): void {
    if (this.active) return;
    this.active = true;
    this.core.enqueue(this);
  }

  /** Make runnable after a wake-up latency (a sleeping thread being woken). */
  wakeAfter(latencyNs: number): void {
    if (this.active) return;
    this.active = true;
    this.wokeCold = !this.core.busy;
    if (latencyNs <= 0 || !this.wokeCold) this.core.enqueue(this);
    else this.core.sim.push(this.core.sim.nowNs + latencyNs, this, 0);
  }

  onEvent(): void {
    this.core.enqueue(this);
  }
}

export class Core implements EventTarget {
  /** Cumulative CPU ns by category. */
  readonly nsByCategory = new Float64Array(CATEGORY_COUNT);
  busy = false;
  private runq: Task[] = [];
  private head = 0;
  private lowq: Task[] = [];
  private current: Task | null = null;
  /** Since when process context has waited behind softirq work (-1: not waiting). */
  private lowWaitSinceNs = -1;
  /** A process-context turn granted after starvation runs unpreempted until this time. */
  private fairUntilNs = -1;
  /** The process whose CFS slice is running, and since when: other runnable processes get the core after it. */
  private sliceTask: Task | null = null;
  private sliceStartNs = 0;
  private needFinish = false;
  private pendingNs = 0;
  /** A sleeper that preempts on wake sits at the head of lowq: the running process yields to it. */
  private wakePreempt = false;

  constructor(
    readonly sim: EventQueue,
    readonly index: number,
    readonly hostId: string,
    readonly label: string,
  ) {}

  charge(category: number, ns: number): void {
    this.nsByCategory[category] += ns;
    this.pendingNs += ns;
  }

  get busyNs(): number {
    let s = 0;
    for (let i = 0; i < CATEGORY_COUNT; i++) s += this.nsByCategory[i];
    return s;
  }

  get runQueueLength(): number {
    return this.runq.length - this.head + this.lowq.length;
  }

  enqueue(task: Task): void {
    if (task.lowPriority && task.preemptsOnWake) {
      this.lowq.unshift(task);
      this.wakePreempt = true;
    } else if (task.lowPriority) this.lowq.push(task);
    else this.runq.push(task);
    if (!this.busy) {
      this.busy = true;
      this.sim.push(this.sim.nowNs, this, 0);
    }
  }

  onEvent(nowNs: number): void {
    if (this.needFinish) {
      this.needFinish = false;
      (this.current as Task).finish(nowNs);
      if (this.pendingNs > 0) {
        this.delay(nowNs);
        return;
      }
    }
    for (;;) {
      let t = this.current;
      if (t !== null && t.lowPriority && this.wakePreempt && this.lowq.length > 0 && t.hasWork()) {
        // Wake-up preemption: the woken sleeper runs next; the preempted process resumes right after it.
        this.lowq.splice(1, 0, t);
        this.current = null;
        t = null;
      }
      this.wakePreempt = false;
      if (t !== null && t.lowPriority && this.head < this.runq.length && nowNs >= this.fairUntilNs && t.hasWork()) {
        // A softirq became runnable: process context is preempted and resumes after it.
        this.lowq.unshift(t);
        this.current = null;
        t = null;
      }
      if (t !== null && t.lowPriority && this.lowq.length > 0 && nowNs - this.sliceStartNs >= this.sliceNs() && t.hasWork()) {
        // Its slice is used up and another process is runnable: CFS puts it behind them.
        this.lowq.push(t);
        this.current = null;
        t = null;
      }
      if (t !== null && !t.hasWork()) {
        this.current = null;
        if (t.endTurn(nowNs)) this.enqueue(t);
        else t.active = false;
        t = null;
        if (this.pendingNs > 0) {
          this.delay(nowNs);
          return;
        }
      }
      if (t === null) {
        if (this.lowq.length > 0 && this.head < this.runq.length) {
          // __do_softirq hands over to ksoftirqd after MAX_SOFTIRQ_TIME; the scheduler then shares the core,
          // so process context starved that long gets a turn instead of waiting for the softirq load to end.
          if (this.lowWaitSinceNs < 0) this.lowWaitSinceNs = nowNs;
          else if (nowNs - this.lowWaitSinceNs >= MAX_SOFTIRQ_TIME_NS) {
            this.lowWaitSinceNs = -1;
            this.fairUntilNs = nowNs + MAX_SOFTIRQ_TIME_NS;
            t = this.takeLow(nowNs);
            continue;
          }
        } else {
          this.lowWaitSinceNs = -1;
        }
        if (this.head >= this.runq.length) {
          this.runq.length = 0;
          this.head = 0;
          if (this.lowq.length > 0) {
            t = this.takeLow(nowNs);
            continue;
          }
          this.busy = false;
          return;
        }
        t = this.runq[this.head++];
        if (this.head > 64 && this.head * 2 > this.runq.length) {
          this.runq.splice(0, this.head);
          this.head = 0;
        }
        this.current = t;
        t.startTurn(nowNs);
        continue;
      }
      t.begin(nowNs);
      this.needFinish = true;
      const d = this.pendingNs;
      this.pendingNs = 0;
      this.sim.push(nowNs + d, this, 0);
      return;
    }
  }

  private sliceNs(): number {
    return Math.max(SCHED_MIN_GRANULARITY_NS, SCHED_LATENCY_NS / (this.lowq.length + 1));
  }

  /** Run the next process; a new one starts a fresh slice (one resumed after a softirq keeps its own). */
  private takeLow(nowNs: number): Task {
    const t = this.lowq.shift() as Task;
    if (t !== this.sliceTask) {
      this.sliceTask = t;
      this.sliceStartNs = nowNs;
    }
    this.current = t;
    t.startTurn(nowNs);
    return t;
  }

  private delay(nowNs: number): void {
    const d = this.pendingNs;
    this.pendingNs = 0;
    this.sim.push(nowNs + d, this, 0);
  }
}
