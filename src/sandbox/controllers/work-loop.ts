import type { Logger } from 'pino';

/** One reconciler: turns store events into queued ids and reconciles them in batches. */
export interface Reconciler {
  readonly name: string;
  /** Reconciles a batch of queued ids (each at most once per batch). Writes go to the store. */
  sync(ids: string[]): void;
}

/**
 * The controllers' work queue. Store listeners only `enqueue`; the reconciles run later on a
 * `setImmediate` turn, so no controller ever writes from inside another write's listener.
 * Repeated ids for one reconciler coalesce until it runs. A flush runs reconcilers round-robin
 * until the queue is empty, yielding to I/O every few milliseconds so HTTP stays responsive.
 *
 * Timers are the simulated passage of time (container start, grace periods). Those that will
 * change state soon are "pending" and keep `idle()` waiting; long-lived ones (PDB disruption
 * expiry) are not.
 */
export class WorkLoop {
  private readonly queues = new Map<Reconciler, Set<string>>();
  private readonly order: Reconciler[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private pendingTimers = 0;
  private waiters: (() => void)[] = [];
  private stopped = false;
  private flushing = false;

  constructor(private readonly logger?: Logger) {}

  register(r: Reconciler): void {
    this.order.push(r);
    this.queues.set(r, new Set());
  }

  enqueue(r: Reconciler, id: string): void {
    if (this.stopped) return;
    this.queues.get(r)!.add(id);
    this.schedule();
  }

  /**
   * Runs `fn` after `ms` milliseconds. `pending` timers hold `idle()` until they fire.
   * Returns a cancel function.
   */
  after(ms: number, fn: () => void, pending: boolean): () => void {
    if (this.stopped) return () => {};
    if (pending) this.pendingTimers++;
    let done = false;
    const finish = () => {
      if (done) return false;
      done = true;
      this.timers.delete(handle);
      if (pending) this.pendingTimers--;
      return true;
    };
    const handle = setTimeout(() => {
      if (!finish()) return;
      try {
        fn();
      } catch (err) {
        this.logger?.error({ err }, 'sandbox timer failed');
      }
      this.checkIdle();
    }, Math.max(0, ms));
    this.timers.add(handle);
    return () => {
      if (finish()) {
        clearTimeout(handle);
        this.checkIdle();
      }
    };
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pendingTimers = 0;
    for (const q of this.queues.values()) q.clear();
    this.checkIdle();
  }

  private isIdle(): boolean {
    if (this.stopped) return true;
    if (this.pendingTimers > 0 || this.flushing) return false;
    for (const q of this.queues.values()) if (q.size) return false;
    return true;
  }

  private checkIdle(): void {
    if (!this.waiters.length || !this.isIdle()) return;
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  private schedule(): void {
    if (this.scheduled || this.flushing || this.stopped) return;
    this.scheduled = setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = undefined;
    this.flushing = true;
    const started = performance.now();
    try {
      let worked = true;
      while (worked && !this.stopped) {
        worked = false;
        for (const r of this.order) {
          const q = this.queues.get(r)!;
          if (!q.size) continue;
          const ids = [...q];
          q.clear();
          worked = true;
          try {
            r.sync(ids);
          } catch (err) {
            // A reconcile bug must not stop the others; the next event for these ids retries.
            this.logger?.error({ err, controller: r.name }, 'sandbox controller failed');
          }
        }
        if (performance.now() - started > 20) break;
      }
    } finally {
      this.flushing = false;
    }
    for (const q of this.queues.values()) {
      if (q.size) {
        this.schedule();
        return;
      }
    }
    this.checkIdle();
  }
}
