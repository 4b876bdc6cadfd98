import type { V1Pod, V1VolumeAttachment } from '@kubernetes/client-node';
import type { FenceArgs } from '../../src/core/verbs/index.js';
import { watchAttachments } from '../../src/k8s/attachment-watch.js';
import { setOutOfService } from '../../src/k8s/out-of-service.js';
import { controllerOf, isPodReady, isTerminating, podStatusText } from '../../src/k8s/pod-facts.js';
import { watchNamespacePods } from '../../src/k8s/pod-watch.js';
import { waitUntil, type WatchedList } from '../../src/k8s/watched-list.js';
import type { JobContext } from '../job-context.js';
import type { FenceAnalysis, FenceFollow, Replacement } from './fence-analysis.js';
import { ProgressReporter, rethrow } from './operation.js';
import { recordIntent } from './intent.js';

/** Where a replacement stands: Ready (and where), or not yet and why. */
export interface ReplacementState {
  replacement: Replacement;
  ready: boolean;
  detail: string;
}

/** What a fence run saw happen, for the summary. */
export interface FenceOutcome {
  follow: FenceFollow;
  /** The taint was put on by this job (in this or an earlier attempt). */
  tainted: boolean;
  podsGone: Set<string>;
  attachmentsGone: Set<string>;
  replacements: ReplacementState[];
  /** Everything followed finished before `--timeout`. */
  complete: boolean;
}

/** Checkpoints: what the run follows (fixed by the first attempt), and that it tainted the node. */
const FOLLOW = 'follow';
const TAINTED = 'tainted';

export interface FenceRunOptions {
  /** When the job first began (an earlier attempt's start on a resume), ms since the epoch. */
  startedAt: number;
  /** The boot ID the approved plan saw, recorded on the node so unfence can tell it rebooted. */
  bootId?: string;
  /** Least milliseconds between progress reports. */
  progressIntervalMs: number;
}

/**
 * One run of an approved fence, in steps: fix what to follow (a resumed run follows what the
 * first one saw), taint the node out of service, then follow with one watch per namespace and
 * one on VolumeAttachments until the old pods are gone, their volumes detached and the
 * replacements Ready, or `--timeout`. The taint is the only write; the pod GC, the attach/detach
 * controller and the workloads' controllers do the rest. When the worker stops (`ctx.signal`) or a
 * progress report fails, it throws that unwrapped, so the job goes to another worker, which resumes
 * from the checkpoints.
 */
export class FenceRun {
  private readonly deadline: number;
  private readonly stop = new AbortController();
  private failure: unknown;
  private readonly reporter: ProgressReporter;
  private pods = new Map<string, WatchedList<V1Pod>>();
  private attachments?: WatchedList<V1VolumeAttachment>;

  constructor(
    private readonly ctx: JobContext,
    private readonly args: FenceArgs,
    private readonly analysis: FenceAnalysis,
    private readonly options: FenceRunOptions,
  ) {
    this.deadline = ctx.clock.now() + args.timeoutMs;
    this.reporter = new ProgressReporter(ctx, options.startedAt, (err) => this.fail(err), options.progressIntervalMs);
  }

  /** Runs every step; resolves with what happened, or throws (see the class comment). */
  async run(): Promise<FenceOutcome> {
    const onAbort = () => this.stop.abort(this.ctx.signal.reason);
    if (this.ctx.signal.aborted) onAbort();
    this.ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const follow = await this.fixFollow();
      const tainted = await this.taint();
      await this.watch(follow);
      const lists = [...this.pods.values(), this.attachments!];
      const unsubscribe = lists.map((w) => w.onChange(() => this.report(follow)));
      this.report(follow);
      await waitUntil(lists, () => this.state(follow).complete, { signal: this.stop.signal, deadline: this.deadline, now: () => this.ctx.clock.now() });
      for (const u of unsubscribe) u();
      this.report(follow);
      await this.reporter.flush();
      if (this.failure) throw this.failure;
      return { ...this.state(follow), follow, tainted };
    } catch (err) {
      this.reporter.stop();
      // A failed progress report or the worker stopping: unwrapped, so the job is handed to another worker.
      if (this.failure) throw this.failure;
      if (this.ctx.signal.aborted) throw this.ctx.signal.reason ?? err;
      return rethrow(err, this.ctx, `fencing ${this.args.node}`);
    } finally {
      this.ctx.signal.removeEventListener('abort', onAbort);
      for (const w of this.pods.values()) w.close();
      this.attachments?.close();
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err;
    this.stop.abort(err);
  }

  /** Step 1: what to follow. The first attempt saves it before the taint; a resumed one reads it back. */
  private async fixFollow(): Promise<FenceFollow> {
    const saved = await this.ctx.checkpoints.get<FenceFollow>(FOLLOW);
    if (saved) return saved;
    await this.ctx.checkpoints.set(FOLLOW, this.analysis.follow);
    return this.analysis.follow;
  }

  /**
   * Step 2: the out-of-service taint, with the boot ID it fences. Idempotent. The checkpoint is
   * written before the patch, so a run resumed after a patch that went through still knows the
   * taint was this job's (its fresh plan no longer asks for it).
   */
  private async taint(): Promise<boolean> {
    const byUs = Boolean(await this.ctx.checkpoints.get<boolean>(TAINTED));
    if (!this.analysis.plan.actions.some((a) => a.kind === 'taint')) return byUs;
    this.reporter.report({ phase: 'taint', done: 0, total: 1, message: `Tainting ${this.args.node} out of service`, blocked: [] });
    await recordIntent(this.ctx, TAINTED, true);
    await setOutOfService(this.ctx.kube, this.args.node, { fence: true, ...(this.options.bootId ? { bootId: this.options.bootId } : {}) }, this.stop.signal);
    return true;
  }

  /** Step 3: one pod watch per namespace concerned, one attachment watch. */
  private async watch(follow: FenceFollow): Promise<void> {
    const namespaces = new Set([...follow.pods.map((p) => p.namespace), ...follow.replacements.map((r) => r.namespace)]);
    const onRecover = (what: string, err?: unknown) => this.ctx.log.warn({ err }, what);
    for (const ns of namespaces) this.pods.set(ns, await watchNamespacePods(this.ctx.kube, ns, { signal: this.stop.signal, onRecover }));
    this.attachments = await watchAttachments(this.ctx.kube, { signal: this.stop.signal, onRecover });
  }

  private state(follow: FenceFollow): Omit<FenceOutcome, 'follow' | 'tainted'> {
    const podsGone = new Set(follow.pods.filter((p) => !this.pods.get(p.namespace)?.has(p.uid)).map((p) => p.uid));
    const attachmentsGone = new Set(follow.attachments.filter((a) => !this.attachments?.has(a.uid)).map((a) => a.uid));
    const replacements = follow.replacements.map((r) => this.replacementState(r));
    const complete = podsGone.size === follow.pods.length && attachmentsGone.size === follow.attachments.length && replacements.every((r) => r.ready);
    return { podsGone, attachmentsGone, replacements, complete };
  }

  /** A StatefulSet pod back under its name, Ready, off the node; a ReplicaSet with its replicas Ready off the node. */
  private replacementState(r: Replacement): ReplacementState {
    const node = this.args.node;
    const pods = (this.pods.get(r.namespace)?.values() ?? []).filter((p) => controllerOf(p)?.uid === r.controllerUid && p.spec?.nodeName !== node);
    const ok = (p: V1Pod) => isPodReady(p) && !isTerminating(p);
    if (r.podName !== undefined) {
      const p = pods.find((x) => x.metadata?.name === r.podName && x.metadata?.uid !== r.oldUid);
      if (p && ok(p)) return { replacement: r, ready: true, detail: `${r.podName} Ready on ${p.spec?.nodeName}` };
      return { replacement: r, ready: false, detail: p ? `${r.podName} ${p.spec?.nodeName ? `on ${p.spec.nodeName}: ` : ''}${podStatusText(p)}` : `${r.podName} not created yet (the old one must be gone first)` };
    }
    const ready = pods.filter(ok);
    const want = r.want ?? 1;
    if (ready.length >= want) return { replacement: r, ready: true, detail: `${ready.length}/${want} Ready` };
    const waiting = pods.filter((p) => !ok(p)).map((p) => `${p.metadata?.name}: ${podStatusText(p)}`);
    return { replacement: r, ready: false, detail: `${ready.length}/${want} Ready${waiting.length ? ` (${waiting.slice(0, 3).join(', ')})` : ''}` };
  }

  private report(follow: FenceFollow): void {
    const s = this.state(follow);
    const readyCount = s.replacements.filter((r) => r.ready).length;
    const total = follow.pods.length + follow.attachments.length + follow.replacements.length;
    const blocked = s.replacements.filter((r) => !r.ready).map((r) => ({ target: r.replacement.label, reason: r.detail }));
    this.reporter.report({
      phase: s.complete ? 'done' : 'following',
      done: s.podsGone.size + s.attachmentsGone.size + readyCount,
      total,
      message: `${this.args.node} out of service: ${s.podsGone.size}/${follow.pods.length} pods gone, ${s.attachmentsGone.size}/${follow.attachments.length} volumes detached, ${readyCount}/${follow.replacements.length} workloads Ready again`,
      blocked,
    });
  }
}
