import { setMaxListeners } from 'node:events';
import type { V1Pod } from '@kubernetes/client-node';
import { formatDuration } from '../../src/core/duration.js';
import type { DrainArgs } from '../../src/core/verbs/index.js';
import { ErrorCode } from '../../src/core/errors.js';
import { kubeStatusOf, unavailableReason } from '../../src/k8s/api-errors.js';
import { withApiRetries } from '../../src/k8s/api-retry.js';
import { podsOnNode } from '../../src/k8s/cluster-view.js';
import { terminatingLongerThan } from '../../src/k8s/drain-filters.js';
import { deletePodOnce, evictPod, type RemovalOutcome } from '../../src/k8s/evict.js';
import { isCordoned, setUnschedulable } from '../../src/k8s/node-schedulable.js';
import { nsName } from '../../src/k8s/object-ref.js';
import { NodePodWatch } from '../../src/k8s/pod-watch.js';
import { waitUntil } from '../../src/k8s/watched-list.js';
import type { JobContext } from '../job-context.js';
import { BudgetWatch } from './budget-wait.js';
import { podTarget, type DrainAnalysis } from './drain-analysis.js';
import { ProgressReporter, rethrow } from './operation.js';
import { recordIntent } from './intent.js';
import { watchStall } from './stall-watch.js';

/** Where one pod of the drain is. `requested`: eviction accepted, the pod not yet gone. */
export type PodState = 'pending' | 'requested' | 'gone' | 'skipped' | 'failed';

/** What one pod's step waits on at the moment, for the stall report: a request slot (the in-flight cap), Redis (a checkpoint, the lock), the API server, or a PodDisruptionBudget. */
export type WaitingOn = 'slot' | 'redis' | 'api' | 'budget';

/** How the stall report names each wait. */
const WAIT_NAMES: Record<WaitingOn, string> = { redis: 'on Redis', api: 'on the API server', slot: 'for a request slot', budget: 'for a disruption budget' };

/** One pod the drain removes, followed by UID: a replacement with the same name is another pod. */
export interface Track {
  pod: V1Pod;
  uid: string;
  ref: string;
  namespace: string;
  name: string;
  state: PodState;
  /** The PDB's refusal while blocked (the 429's cause). */
  blocked?: string;
  /** Why it failed, or why it was skipped while waiting. */
  note?: string;
  /** Removed by this run's request (not found gone). */
  removedHere?: boolean;
  /** An earlier attempt of this job asked to remove it and never saw the answer (it died first). */
  askedEarlier?: boolean;
  /** What its step waits on now (none between steps, or once it is done). */
  waitingOn?: WaitingOn;
}

/** Checkpoint of one pod's accepted eviction, kept across attempts of the job. */
export const evictedKey = (uid: string) => `evicted:${uid}`;

/**
 * Checkpoint written just before a pod's eviction (or delete) request is sent; `false` once the API
 * refused it. A worker killed between the request and `evictedKey` leaves only this: the pod then
 * counts as removed by this job, never as "already gone".
 */
export const evictingKey = (uid: string) => `evicting:${uid}`;

/**
 * Whether any attempt of this job asked the API to remove the pod (accepted, or sent with the answer
 * lost with its worker). "Already gone" is only for pods gone before any attempt touched them.
 */
export async function askedToRemove(ctx: JobContext, uid: string): Promise<boolean> {
  const [evicted, evicting] = await Promise.all([ctx.checkpoints.get(evictedKey(uid)), ctx.checkpoints.get(evictingKey(uid))]);
  return Boolean(evicted || evicting);
}

/** Longest one attempt of an API request may wait for its answer (an eviction, a delete); then it is tried again. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface DrainRunOptions {
  /** When the job first began (an earlier attempt's start on a resume), ms since the epoch. */
  startedAt: number;
  /** Longest milliseconds between eviction attempts while a PodDisruptionBudget refuses (429); sooner when the budget allows (budget-wait.ts). */
  retryIntervalMs: number;
  /** Runs one eviction or delete request under the in-flight cap. */
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Least milliseconds between progress reports. */
  progressIntervalMs: number;
  /** After this many milliseconds without progress the worker logs what the drain waits on, and again after each further period (stall-watch.ts).
   * @defaultValue 30000 */
  stallReportMs?: number;
}

/** What a run changed and left alone, for the summary. */
export interface DrainOutcome {
  tracks: Track[];
  changed: string[];
  unchanged: string[];
}

/**
 * One run of an approved drain, in kubectl's drain Helper's steps
 * (staging/src/k8s.io/kubectl/pkg/drain/drain.go: cordon, DeleteOrEvictPods with evictPods' per-pod
 * retry, waitForDelete): cordon the node, watch its pods, evict or delete each with its own retry
 * while a PodDisruptionBudget refuses, then wait until each is gone. Differences from kubectl:
 * pods are evicted in parallel (under a cap) and followed with one watch instead of polling.
 *
 * The run is bounded by the drain's `--timeout`; it stops early when the worker stops (`ctx.signal`)
 * or a progress report fails, and then throws so the job is handed to another worker, which
 * resumes from the checkpoints without asking twice for any pod.
 */
export class DrainRun {
  private readonly node: string;
  private readonly deadline: number;
  private readonly removed: 'deleted' | 'evicted';
  private readonly tracks: Track[];
  private readonly changed: string[] = [];
  private readonly unchanged: string[] = [];
  /** One signal for the whole run: the worker stopping, or a progress report failing, ends it. */
  private readonly stop = new AbortController();
  /** Aborts the requests in flight: only when the job is lost to another worker or to Redis. */
  private readonly cut = new AbortController();
  private failure: unknown;
  private readonly reporter: ProgressReporter;
  private watch?: NodePodWatch;
  private readonly budgets: BudgetWatch;
  /** The step last reported (cordon, evicting, waiting, done), for the stall report. */
  private phase = 'starting';

  constructor(
    private readonly ctx: JobContext,
    private readonly args: DrainArgs,
    private readonly analysis: DrainAnalysis,
    private readonly options: DrainRunOptions,
  ) {
    this.node = args.node;
    // --timeout bounds the whole drain, as kubectl's does: an attempt that takes over from a lost
    // worker keeps the deadline the first attempt started, rather than getting the full time again.
    this.deadline = options.startedAt + args.timeoutMs;
    this.removed = args.disableEviction ? 'deleted' : 'evicted';
    this.tracks = analysis.selection.targets.map((pod) => ({
      pod,
      uid: pod.metadata?.uid ?? '',
      ref: podTarget(pod),
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      state: 'pending',
    }));
    setMaxListeners(0, this.stop.signal);
    this.reporter = new ProgressReporter(ctx, options.startedAt, (err) => this.fail(err), options.progressIntervalMs);
    this.budgets = new BudgetWatch(ctx.kube, this.stop.signal, (what, err) => ctx.log.warn({ err }, what));
  }

  /** Runs every step; resolves with what changed, or throws (see the class comment). */
  async run(): Promise<DrainOutcome> {
    const onAbort = () => {
      // Lost (taken over, or Redis lost the job): cut the requests in flight too. Each one's pod
      // is checkpointed as asked before it left, so whoever counts later counts it either way;
      // left running, one still waiting for a connection reaches the API after the card said
      // nothing more will run (found by npm run chaos, redis-restart-empty).
      if ((this.ctx.signal.reason as { code?: string } | undefined)?.code === ErrorCode.JobLost) this.cut.abort(this.ctx.signal.reason);
      this.stop.abort(this.ctx.signal.reason);
    };
    if (this.ctx.signal.aborted) onAbort();
    this.ctx.signal.addEventListener('abort', onAbort, { once: true });
    // The API failing for a while (connections reset, 503s) is retried until the drain's deadline
    // or the run stopping (src/k8s/api-retry.ts); only an outage longer than that fails the drain.
    const retryUntil = AbortSignal.any([this.stop.signal, AbortSignal.timeout(Math.max(0, this.deadline - this.ctx.clock.now()))]);
    setMaxListeners(0, retryUntil);
    const unwatch = watchStall({ intervalMs: this.options.stallReportMs ?? 30_000, progress: () => this.progressKey(), onStall: (ms) => this.reportStall(ms) });
    try {
      await withApiRetries({ until: retryUntil, maxRetries: Infinity, attemptTimeoutMs: REQUEST_TIMEOUT_MS }, async () => {
        await this.cordon();
        // Nothing to evict (all gone, or only DaemonSet and static pods): no watch needed.
        if (this.tracks.length > 0) {
          await this.watchNodePods();
          await this.evictOrDeletePods();
          await this.waitForDelete();
        }
      });
      this.report('done');
      await this.reporter.flush();
      if (this.failure) throw this.failure;
    } catch (err) {
      this.reporter.stop();
      if (this.failure) throw this.failure;
      // Stopped from outside (worker shutting down): surface why, unwrapped, so the job is requeued.
      if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? err;
      rethrow(err, this.ctx, `draining ${this.node}`);
    } finally {
      unwatch();
      this.ctx.signal.removeEventListener('abort', onAbort);
      this.watch?.close();
      this.budgets.close();
    }
    return { tracks: this.tracks, changed: this.changed, unchanged: this.unchanged };
  }

  /** Changes whenever a pod moves on (the stall watch compares it). */
  private progressKey(): string {
    return this.tracks.map((t) => `${t.state}${t.removedHere ? '+' : ''}`).join(',');
  }

  /** The worker's log line for a drain that stopped moving: how long, and what each pod still in progress waits on. */
  private reportStall(forMs: number): void {
    const waits = new Map<string, number>();
    for (const t of this.tracks) {
      const on = t.waitingOn ? WAIT_NAMES[t.waitingOn] : t.state === 'requested' ? 'to terminate' : undefined;
      if (on) waits.set(on, (waits.get(on) ?? 0) + 1);
    }
    const gone = this.tracks.filter((t) => t.state === 'gone').length;
    const progressWrite = this.reporter.writingForMs();
    const what = [...waits].map(([on, n]) => `${n} ${on}`).join(', ') || 'nothing in progress';
    this.ctx.log.warn(
      { node: this.node, phase: this.phase, stalledMs: forMs, waiting: Object.fromEntries(waits), gone, total: this.tracks.length, ...(progressWrite !== undefined ? { progressWriteMs: progressWrite } : {}) },
      `drain of ${this.node} (${this.phase}): no progress for ${formatDuration(forMs)}; ${gone}/${this.tracks.length} pods gone; pods waiting: ${what}${progressWrite !== undefined ? `; the card's progress write has waited ${formatDuration(progressWrite)} on Redis` : ''}`,
    );
  }

  /** Awaits `p` with `t` marked as waiting on `on` meanwhile (for the stall report). */
  private async waitOn<T>(t: Track, on: WaitingOn, p: Promise<T>): Promise<T> {
    t.waitingOn = on;
    try {
      return await p;
    } finally {
      t.waitingOn = undefined;
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.stop.abort(err);
  }

  private report(phase: string): void {
    this.phase = phase;
    const done = this.tracks.filter((t) => t.state === 'gone' || t.state === 'skipped').length;
    const blocked = this.tracks.filter((t) => t.state === 'pending' && t.blocked).map((t) => ({ target: t.ref, reason: t.blocked! }));
    const first = blocked[0];
    this.reporter.report({
      phase,
      done,
      total: this.tracks.length,
      message: `${this.node}: ${done}/${this.tracks.length} pods ${this.removed}${first ? `; blocked: ${nsName(first.target.split('/')[1], first.target.split('/')[2])} (${first.reason})` : ''}`,
      blocked,
    });
  }

  /** Step 1: cordon. Idempotent: patching an already-cordoned node changes nothing. */
  private async cordon(): Promise<void> {
    this.report('cordon');
    const { ctx, node } = this;
    if (isCordoned(this.analysis.node)) {
      if (await ctx.checkpoints.get<boolean>('cordon')) this.changed.push(`node/${node} cordoned`);
      else this.unchanged.push(`node/${node} was already cordoned`);
      return;
    }
    // Before the patch: a run resumed after a patch that went through still knows it was this job's.
    await recordIntent(ctx, 'cordon', true);
    await setUnschedulable(ctx.kube, node, true, this.stop.signal);
    this.changed.push(`node/${node} cordoned`);
  }

  /** Step 2: one watch on the node's pods, from the list the plan was made from. */
  private async watchNodePods(): Promise<void> {
    const { ctx, analysis } = this;
    const w = await NodePodWatch.start(ctx.kube, this.node, {
      initial: podsOnNode(analysis.view, this.node),
      resourceVersion: analysis.view.podsResourceVersion,
      signal: this.stop.signal,
      onRecover: (what, err) => ctx.log.warn({ err }, what),
    });
    this.watch = w;
    w.onChange(() => {
      let moved = false;
      for (const t of this.tracks) {
        if (t.state !== 'gone' && t.state !== 'failed' && !w.has(t.uid)) {
          t.state = 'gone';
          moved = true;
        }
      }
      if (moved) this.report('evicting');
    });
    for (const t of this.tracks) if (!w.has(t.uid)) t.state = 'gone';
    this.report('evicting');
  }

  /**
   * Step 3: evict (or delete) every pod in parallel; each retries its own 429s. Every pod's step
   * settles before any failure is raised, so nothing is still in flight when this run reports it
   * stopped (a resumed run must not race a late eviction of this one).
   */
  private async evictOrDeletePods(): Promise<void> {
    const settled = await Promise.allSettled(this.tracks.map((t) => this.evictOrDeleteOne(t)));
    this.stop.signal.throwIfAborted();
    const broken = settled.find((r) => r.status === 'rejected');
    if (broken) throw broken.reason;
  }

  /** One pod: ask until the API accepts, the pod is gone, the drain times out, or the run stops. */
  private async evictOrDeleteOne(t: Track): Promise<void> {
    const { ctx } = this;
    const w = this.watch!;
    if (t.state === 'gone') return;
    const [evicted, asked] = await this.waitOn(t, 'redis', Promise.all([ctx.checkpoints.get(evictedKey(t.uid)), ctx.checkpoints.get(evictingKey(t.uid))]));
    if (t.pod.metadata?.deletionTimestamp || evicted) {
      // Evicted by an earlier run of this job (or terminating anyway): never ask twice.
      if (t.state === 'pending') t.state = 'requested';
      return;
    }
    // Asked before and still here, not terminating: that request never took effect; ask again.
    t.askedEarlier = Boolean(asked);
    for (;;) {
      this.stop.signal.throwIfAborted();
      if (!w.has(t.uid)) {
        t.state = 'gone';
        return;
      }
      if (ctx.clock.now() >= this.deadline) return;
      const outcome = await this.requestRemoval(t);
      if (!outcome) return;
      if (outcome.kind === 'accepted') {
        await this.waitOn(t, 'redis', ctx.checkpoints.set(evictedKey(t.uid), ctx.clock.now()));
        t.removedHere = true;
        t.blocked = undefined;
        if (t.state === 'pending') t.state = w.has(t.uid) ? 'requested' : 'gone';
        this.report('evicting');
        return;
      }
      if (outcome.kind === 'gone') {
        // Gone before this request: not ours, unless an earlier attempt's lost request removed it.
        if (!t.askedEarlier) await this.waitOn(t, 'redis', ctx.checkpoints.set(evictingKey(t.uid), false));
        t.state = 'gone';
        if (outcome.replaced) t.note = 'a new pod has its name';
        this.report('evicting');
        return;
      }
      // Refused by a budget: this request removed nothing (nor did any earlier one: the pod would
      // be terminating, and a terminating pod's eviction is never refused).
      await this.waitOn(t, 'redis', ctx.checkpoints.set(evictingKey(t.uid), false));
      t.askedEarlier = false;
      await this.waitOn(t, 'budget', this.blockedByBudget(t, outcome.reason));
    }
  }

  /** One Eviction (or DELETE) request; undefined when it failed for good (the pod is marked failed). */
  private async requestRemoval(t: Track): Promise<RemovalOutcome | undefined> {
    const { ctx, args } = this;
    const target = { namespace: t.namespace, name: t.name, uid: t.uid };
    // In-flight requests are not cut off when the run stops (shutdown): each one finishes and is
    // checkpointed, so the job that resumes knows exactly which pods were asked. Bounded by the
    // run's attempt timeout instead (REQUEST_TIMEOUT_MS); retries stop with the run. A lost job
    // cuts them (`cut`).
    const req = { gracePeriodSeconds: args.gracePeriod, signal: this.cut.signal };
    let sent = false;
    t.waitingOn = 'slot';
    try {
      return await this.options.limit(async () => {
        // A slot may free up after the run was stopped: never start a new eviction then.
        this.stop.signal.throwIfAborted();
        // Still this worker's job (not taken over, not lost with Redis's data), and the intent
        // recorded, before the request leaves: a successor knows what this attempt may have done
        // (support/intent.ts: owned before and after the write).
        await this.waitOn(t, 'redis', recordIntent(ctx, evictingKey(t.uid), ctx.clock.now()));
        sent = true;
        return this.waitOn(t, 'api', args.disableEviction ? deletePodOnce(ctx.kube, target, req) : evictPod(ctx.kube, target, req));
      });
    } catch (err) {
      // Redis or ownership failing before the request is the job's failure, not the pod's.
      if (this.stop.signal.aborted || !sent) throw err;
      const unavailable = unavailableReason(err);
      if (unavailable) {
        // Retried until the deadline and still no answer: not evicted, and not a failure of the pod.
        t.note = unavailable;
        return undefined;
      }
      t.state = 'failed';
      t.note = kubeStatusOf(err)?.message ?? (err as Error).message;
      ctx.log.warn({ err, pod: t.ref }, 'eviction failed');
      this.report('evicting');
      return undefined;
    } finally {
      t.waitingOn = undefined;
    }
  }

  /** A PodDisruptionBudget refused (429): note it once on the timeline, then wait until it may pass (the pod gone, its budget reopened, or the retry interval up). */
  private async blockedByBudget(t: Track, reason: string): Promise<void> {
    const { ctx } = this;
    if (!t.blocked) {
      await ctx.event({
        kind: 'job.blocked',
        key: `blocked:${t.uid}`,
        text: `Eviction of ${nsName(t.namespace, t.name)} blocked: ${reason}. Retrying every ${formatDuration(this.options.retryIntervalMs)}.`,
        data: { pod: t.ref, uid: t.uid, reason },
      });
    }
    t.blocked = reason;
    this.report('evicting');
    const w = this.watch!;
    const budget = await this.budgets.afterRefusal(t.pod);
    await waitUntil([w, ...budget.lists], () => !w.has(t.uid) || budget.reopened(), { signal: this.stop.signal, deadline: Math.min(this.deadline, ctx.clock.now() + this.options.retryIntervalMs), now: () => ctx.clock.now() });
  }

  /** Step 4: wait until every evicted pod is gone (a replacement has a new UID, so it does not count). */
  private async waitForDelete(): Promise<void> {
    const { ctx, args } = this;
    const w = this.watch!;
    const skipNow = (t: Track) => {
      const cur = w.get(t.uid);
      if (!cur || !terminatingLongerThan({ metadata: cur }, args.skipWaitForDeleteTimeoutSeconds, ctx.clock.now())) return false;
      t.state = 'skipped';
      t.note = `still terminating after ${args.skipWaitForDeleteTimeoutSeconds}s (--skip-wait-for-delete-timeout)`;
      return true;
    };
    this.report('waiting');
    await w.waitUntil(() => this.tracks.every((t) => t.state !== 'requested' || !w.has(t.uid) || skipNow(t)), {
      signal: this.stop.signal,
      deadline: this.deadline,
      tickMs: 1000,
      now: () => ctx.clock.now(),
    });
    for (const t of this.tracks) if (t.state === 'requested' && !w.has(t.uid)) t.state = 'gone';
  }
}
