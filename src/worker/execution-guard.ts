import type { RedisClient } from '../core/redis-client.js';
import type { ApprovalStore } from '../approval/index.js';
import type { Clock } from '../core/clock.js';
import { ErrorCode, JobError } from '../core/errors.js';
import { canonicalJson, grantSignedBy } from '../core/job-grant.js';
import type { JobPayload } from '../core/job.js';
import { fingerprintPlan, type Plan } from '../core/plan.js';
import { parseStepRequestId, stepInProcedure } from '../core/runbook-step.js';
import { decisionSealed } from '../core/decision-seal.js';

export interface ExecutionGuardOptions {
  redis: RedisClient;
  approvals: ApprovalStore;
  clock: Clock;
  /** The cluster this worker serves. */
  cluster: string;
  /** SITREP_JOB_KEY, then SITREP_JOB_KEY_PREVIOUS while keys rotate. */
  keys: readonly string[];
  /** Where consumed grants are remembered: `<prefix>:grant:<requestId>`. */
  prefix: string;
  /** How long a consumed grant is remembered, in seconds. @defaultValue 30 days */
  rememberSeconds?: number;
}

/** The BullMQ job carrying a payload: its id, and when it was added (a re-queued copy differs). */
export interface QueuedJob {
  id: string;
  timestamp: number;
}

/**
 * What a worker checks before the first write of an execution (DESIGN.md: Redis is shared state,
 * not an authority): the bot's signature over the grant, that the grant names exactly this
 * payload (request, cluster, verb, args, the approved plan's fingerprint over every field), that
 * it has not expired, that it was not consumed by another job (a replay), and that the approval
 * record it names is approved for this plan. Any failure is a coded JobError and nothing runs.
 *
 * A job resumed by another worker after the first died carries the same BullMQ id and timestamp,
 * so it passes as the consumer of its own grant; a copy queued later does not.
 */
export class ExecutionGuard {
  constructor(private readonly o: ExecutionGuardOptions) {}

  private forged(payload: JobPayload, why: string): JobError {
    return new JobError(ErrorCode.JobForged, `Refused to run ${payload.verb} for request ${payload.requestId}: ${why}. Nothing was changed.`, {
      hint: 'Only sitrep\'s bot queues executions, signed with SITREP_JOB_KEY. If you did not expect this, check who can write to Redis (docs/operations.md).',
    });
  }

  async check(payload: JobPayload, job: QueuedJob): Promise<void> {
    const { grant, signature, approvedPlan } = payload;
    if (!grant || !signature || !approvedPlan) throw this.forged(payload, 'the execution is not signed by the bot');
    if (!grantSignedBy(grant, signature, this.o.keys)) throw this.forged(payload, 'its signature does not match (altered, or signed with another key)');
    const mismatch =
      grant.requestId !== payload.requestId ? 'request'
      : grant.cluster !== payload.cluster || grant.cluster !== this.o.cluster ? 'cluster'
      : grant.verb !== payload.verb ? 'verb'
      : canonicalJson(grant.args) !== canonicalJson(payload.args) ? 'arguments'
      : grant.planFingerprint !== approvedPlan.fingerprint || fingerprintPlan(approvedPlan) !== approvedPlan.fingerprint ? 'plan'
      : grant.releaseBy !== payload.releaseBy ? 'release deadline'
      : undefined;
    if (mismatch) throw this.forged(payload, `its ${mismatch} is not the one the bot signed`);
    const step = grant.runbook ? parseStepRequestId(grant.requestId) : undefined;
    if (grant.runbook && (!step || step.part !== 'run' || step.parentId !== grant.runbook.requestId || step.step !== grant.runbook.step)) {
      throw this.forged(payload, 'its runbook step is not the one its request id names');
    }
    this.checkSeal(payload);
    await this.consume(payload, job);
    if (grant.approvalId) {
      const approval = await this.o.approvals.get(grant.approvalId);
      const owner = grant.runbook?.requestId ?? grant.requestId;
      if (!approval || approval.state !== 'approved' || approval.requestId !== owner) {
        throw this.forged(payload, `approval ${grant.approvalId} is not an approval of this plan`);
      }
      // A runbook step runs under the runbook's approval only if the approved procedure lists it.
      const underProcedure = grant.runbook !== undefined && approval.planFingerprint === grant.runbook.procedure;
      const procedureIntact = fingerprintPlan(approval.plan) === approval.planFingerprint;
      if (underProcedure ? !procedureIntact || !stepInProcedure(approval.plan, grant.runbook!.step, payload, approvedPlan) : approval.planFingerprint !== grant.planFingerprint) {
        throw this.forged(payload, `approval ${grant.approvalId} is not an approval of this plan`);
      }
    } else if (!grant.confirmedBy) {
      throw this.forged(payload, 'it names neither an approval nor who confirmed it');
    }
  }

  /**
   * The person's decision the bot sealed at the click (core/decision-seal.ts): made with a key this
   * worker holds, for this request (the runbook's, for a step), this approval or Run, and this
   * plan (or the runbook's procedure, for a step run under the runbook's approval). A grant the bot
   * signed without one is refused too: the bot never does, so such a grant is not the bot's.
   */
  private checkSeal(payload: JobPayload): void {
    const grant = payload.grant!;
    const seal = grant.seal;
    if (!seal || !decisionSealed(seal, this.o.keys)) throw this.forged(payload, 'it carries no decision sealed by the bot');
    const d = seal.decision;
    if (d.requestId !== (grant.runbook?.requestId ?? grant.requestId) || d.approvalId !== grant.approvalId || d.confirmedBy !== grant.confirmedBy) {
      throw this.forged(payload, 'its sealed decision is for another request or person');
    }
    if (d.subject !== grant.planFingerprint && !(grant.runbook && d.subject === grant.runbook.procedure)) throw this.forged(payload, 'its sealed decision is for another plan');
  }

  /**
   * Marks the grant consumed by this job, once. The first start must be before the grant expires;
   * the same job resuming later is fine; any other job with this grant is a replay.
   */
  private grantKey(payload: JobPayload): string {
    // A runbook step's request id is per step and attempt: each step's grant is consumed once.
    return `${this.o.prefix}:grant:${payload.requestId}`;
  }

  /**
   * Marks the grant used up once its job ended for good (done, or failed without retries left):
   * BullMQ can put a finished job back in the queue (`Job.retry`, a dashboard's Retry button)
   * with the same id and timestamp, which would otherwise pass as the job resuming.
   */
  async finish(payload: JobPayload, job: QueuedJob): Promise<void> {
    await this.o.redis.set(this.grantKey(payload), `done:${job.id}@${job.timestamp}`, 'EX', this.o.rememberSeconds ?? 30 * 86_400);
  }

  private async consume(payload: JobPayload, job: QueuedJob): Promise<void> {
    const key = this.grantKey(payload);
    const me = `${job.id}@${job.timestamp}`;
    const holder = await this.o.redis.get(key);
    // The same job resuming (its worker died, BullMQ gave it to another) may go on.
    if (holder === me) return;
    if (holder !== null) {
      throw new JobError(ErrorCode.JobReplayed, `Refused to run ${payload.verb} for request ${payload.requestId} again: its approval was already used. Nothing was changed.`, {
        hint: 'An approved plan runs once. Run the command again to plan and approve anew.',
      });
    }
    if (this.o.clock.now() > payload.grant!.expiresAt) {
      throw new JobError(ErrorCode.JobExpired, `Refused to run ${payload.verb}: it waited for a worker longer than its approval allows. Nothing was changed.`, {
        hint: 'Check that a worker serves this cluster (`/k8s status`), then run the command again to plan and approve anew.',
      });
    }
    const set = await this.o.redis.set(key, me, 'EX', this.o.rememberSeconds ?? 30 * 86_400, 'NX');
    if (set !== 'OK' && (await this.o.redis.get(key)) !== me) {
      throw new JobError(ErrorCode.JobReplayed, `Refused to run ${payload.verb} for request ${payload.requestId}: another job took its approval at the same moment. Nothing was changed.`);
    }
  }
}
