import { withoutDeadline } from '../core/deadline.js';
import { describeError, ErrorCode, type ErrorCode as Code } from '../core/errors.js';
import { JobKind } from '../core/job.js';
import type { CommandRequest } from '../core/request.js';
import { EventKind } from '../core/timeline-event.js';
import { argsFor, type VerbContract } from '../core/verbs/contract.js';
import { OPERATION_VERBS } from '../core/verbs/index.js';
import { isRedisUnavailable, redisFailure } from '../queue/redis-connection.js';
import type { RequestDeps } from './deps.js';
import type { LockOutcome } from './target-locks.js';
import { evaluatePolicy } from './policy-check.js';
import { noteOnIncident } from './timeline-note.js';

/** What became of a slash command at intake; the chat layer tells the user. */
export type IntakeOutcome =
  /** A Slack retry of a request already taken: nothing to do, nothing to say. */
  | { kind: 'duplicate' }
  | { kind: 'unknown-cluster'; known: string[] }
  | { kind: 'refused'; reason: string }
  /** Queued; its card shows the rest. */
  | { kind: 'taken' }
  /** Not queued. `cardShown`: the failure is on the request's card; otherwise say it privately. */
  | { kind: 'failed'; code: Code; message: string; hint?: string; cardShown: boolean };

export interface IntakeOptions {
  /** `read` for a read job, `plan` for an operation's plan job. */
  jobKind: typeof JobKind.Read | typeof JobKind.Plan;
  /**
   * Posts the request's card before anything is queued, so every later event has a message to
   * edit and a channel sitrep cannot post in is found out first. Throws a SitrepError when the
   * card can never be posted there; returns when it is posted or will be retried.
   */
  postCard(requestId: string): Promise<void>;
  /**
   * The targets to hold (one operation per target) instead of the verb's own: a runbook holds
   * every target its steps change, for its whole run. @defaultValue the verb contract's targetOf
   */
  targets?: readonly string[];
  /** What to queue instead of the request's one job (a runbook queues its steps' plans). */
  queue?: () => Promise<void>;
}

const NOTHING_QUEUED = 'Nothing was queued or changed. Check REDIS_URL and the Redis server, then run the command again.';

/**
 * Takes the one object the request would change (DESIGN.md invariant 8), unless it is a dry run.
 * Returns why it cannot, naming the request that holds it, or undefined when it is taken.
 */
async function lockTarget(deps: RequestDeps, request: CommandRequest, targets?: readonly string[]): Promise<string | undefined> {
  let outcome: LockOutcome;
  let target: string;
  if (targets) {
    if (!targets.length) return undefined;
    outcome = await deps.store.lockTargets(request.id, targets.map((t) => ({ cluster: request.cluster, target: t })));
    target = outcome.ok ? '' : (outcome.target ?? targets.join(', '));
  } else {
    const contract = (OPERATION_VERBS as Record<string, VerbContract>)[request.verb];
    if (!contract?.targetOf || request.args.dryRun) return undefined;
    target = contract.targetOf(argsFor(contract, request.args));
    outcome = await deps.store.lockTarget(request.id, { cluster: request.cluster, target });
  }
  if (outcome.ok) return undefined;
  const holder = await deps.store.get(outcome.holder);
  const what = holder ? `\`${holder.request.command} ${holder.request.text}\` by <@${holder.request.userId}> in <#${holder.request.channelId}> (${holder.state})` : `request ${outcome.holder}`;
  return `${target} in cluster ${request.cluster} already has an operation pending or running: ${what}. One operation per target at a time: wait for it to end, or cancel it on its card.`;
}

/**
 * The intake step: claim the request (a Slack retry stops here), check the policy, note it on the
 * incident, have its card posted, then queue its job. Nothing is left half-done: the state moves
 * to queued/planning before the job is added (so the job's first event finds it there), and any
 * failure moves it to failed with the reason.
 */
export async function intake(deps: RequestDeps, request: CommandRequest, options: IntakeOptions): Promise<IntakeOutcome> {
  const log = deps.logger.child({ requestId: request.id, verb: request.verb });
  let cardShown = false;
  try {
    const known = await deps.registry.clusters();
    if (known.length && !known.includes(request.cluster)) return { kind: 'unknown-cluster', known };
    const claimed = await deps.store.claim(request);
    if (!claimed) {
      log.info('duplicate delivery of a request; ignored');
      return { kind: 'duplicate' };
    }
    const decision = await evaluatePolicy(deps, request);
    const incidentId = await noteOnIncident(deps, request, {
      key: `${request.id}:command`,
      kind: EventKind.Command,
      at: request.receivedAt,
      actor: request.userId,
      text: `${request.command} ${request.text}`,
      // read: the postmortem lists read-only commands apart from actions; refusedBecause: why the
      // policy said no, so a refused command is never mistaken for one that was asked for and ran.
      data: { text: `${request.command} ${request.text}`, allowed: decision.allowed, read: options.jobKind !== JobKind.Plan, ...(decision.allowed ? {} : { refusedBecause: decision.reason }) },
    }).catch((err) => {
      // A hung Redis stops the request here; any other problem with the note does not.
      if (isRedisUnavailable(err)) throw err;
      log.warn({ err }, 'could not record the command on the incident timeline');
      return undefined;
    });
    if (incidentId) await deps.store.annotate(request.id, { incidentId });
    if (!decision.allowed) {
      await deps.store.transition(request.id, 'refuse', { failure: { code: ErrorCode.PolicyDenied, message: decision.reason } });
      return { kind: 'refused', reason: decision.reason };
    }
    const busy = options.jobKind === JobKind.Plan ? await lockTarget(deps, request, options.targets) : undefined;
    if (busy) {
      await deps.store.transition(request.id, 'refuse', { failure: { code: ErrorCode.TargetBusy, message: busy } });
      return { kind: 'refused', reason: busy };
    }
    await options.postCard(request.id);
    cardShown = true;
    const queued = await deps.store.transition(request.id, options.jobKind === JobKind.Plan ? 'queuePlan' : 'queueRead');
    if (!queued.ok) return { kind: 'duplicate' };
    if (options.queue) {
      await options.queue();
      deps.changed(request.id);
      return { kind: 'taken' };
    }
    await deps.producer.enqueue({
      v: 1,
      kind: options.jobKind,
      verb: request.verb,
      requestId: request.id,
      cluster: request.cluster,
      args: request.args,
      requestedBy: request.userId,
      channelId: request.channelId,
    });
    deps.changed(request.id);
    return { kind: 'taken' };
  } catch (caught) {
    const trouble = redisFailure(caught, 'take this request', NOTHING_QUEUED);
    const d = describeError(trouble ?? caught);
    log.warn({ err: caught, code: d.code }, 'request not taken');
    const failure = { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) };
    // Without the deadline: the record of the failure must land even when Redis answers late.
    const record = withoutDeadline(() => deps.store.transition(request.id, 'fail', { failure })).then((t) => t.ok, () => false);
    if (trouble) {
      // Redis is the trouble: the card cannot show it, and the person hears it now, not after
      // one more timeout. The failure is recorded whenever Redis takes it.
      void record.then((stored) => stored && cardShown && deps.changed(request.id));
      return { kind: 'failed', ...failure, cardShown: false };
    }
    const stored = await record;
    if (cardShown && stored) deps.changed(request.id);
    return { kind: 'failed', ...failure, cardShown: cardShown && stored };
  }
}
