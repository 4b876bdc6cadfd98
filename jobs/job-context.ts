import type { Logger } from 'pino';
import type { Clock } from '../src/core/clock.js';
import type { JobProgress, JobResult } from '../src/core/job.js';
import type { Plan } from '../src/core/plan.js';
import type { ArgsOf, VerbContract } from '../src/core/verbs/contract.js';
import type { KubeClients } from '../src/k8s/kube-clients.js';

/** A notable moment of a job, worth a line on the incident timeline (a PDB block, a backup). */
export interface JobEvent {
  kind: 'job.blocked' | 'job.progress' | 'job.backup' | 'job.warning';
  text: string;
  /** Stable within the job: the same step retried after a resume yields the same key. */
  key: string;
  data?: Record<string, unknown>;
}

/** Durable per-job scratch space, so a job resumed on another worker skips finished steps. */
export interface Checkpoints {
  get<T>(name: string): Promise<T | undefined>;
  set(name: string, value: unknown): Promise<void>;
}

/** What every job gets from the worker that runs it. I/O only comes in through here. */
export interface JobContext {
  cluster: string;
  kube: KubeClients;
  signal: AbortSignal;
  /** Corrected to Redis's clock, so events from several workers line up. */
  clock: Clock;
  log: Logger;
  /** Live progress; cheap to call often, the relay throttles what reaches Slack. */
  progress(progress: Omit<JobProgress, 'elapsedMs'> & { elapsedMs?: number }): Promise<void>;
  event(event: JobEvent): Promise<void>;
  checkpoints: Checkpoints;
  /**
   * Resolves while this worker still holds the job: its BullMQ lock still carries this attempt's
   * token. Otherwise aborts `signal` and rejects: another worker took the job over (this one
   * stalled), or Redis lost it (emptied: its owner was told "nothing more will run"). Call it
   * before each destructive request; one Redis GET, shared by callers that ask at the same time.
   */
  assertOwned(): Promise<void>;
  /** Saves manifests before a destructive step, retrievable later for the incident record. */
  backup(name: string, objects: unknown[]): Promise<void>;
}

/**
 * A read-only verb: one call, one result. `verb` is its contract (src/core/verbs): the runner
 * parses every payload's args with it before `run` sees them.
 */
export interface ReadJob<C extends VerbContract = VerbContract> {
  verb: C;
  run(args: ArgsOf<C>, ctx: JobContext): Promise<JobResult>;
}

/** A verb that changes the cluster: a read-only plan first, then steps once approved. */
export interface OperationJob<C extends VerbContract = VerbContract> {
  verb: C;
  plan(args: ArgsOf<C>, ctx: JobContext): Promise<Plan>;
  /** Re-plans first and refuses to run a plan that drifted beyond `approved`. */
  execute(args: ArgsOf<C>, approved: Plan, ctx: JobContext): Promise<JobResult>;
}
