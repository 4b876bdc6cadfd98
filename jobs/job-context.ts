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

/**
 * Why a job's `signal` was aborted when Redis lost the job's records (it came back empty): no
 * worker will resume it and its people were told nothing more runs, so a job cancels even its
 * requests still in flight (otherwise it lets them finish, for the worker that resumes it).
 */
export class JobLost extends Error {
  constructor() {
    super('Redis lost this job\'s records; nothing more of it runs');
    this.name = 'JobLost';
  }
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
  /** Saves manifests before a destructive step, retrievable later for the incident record. */
  backup(name: string, objects: unknown[]): Promise<void>;
  /**
   * Await before each write to the cluster. Resolves at once while the worker's Redis is up;
   * while it is unreachable, once it is back and still holds its data; if it came back empty,
   * `signal` is aborted first (the job's records are gone and its people were told nothing more
   * runs). Without it (a job run outside a worker), writes go ahead.
   */
  beforeWrite?(): Promise<void>;
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
