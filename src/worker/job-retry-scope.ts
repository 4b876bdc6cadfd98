import type { OperationJob, ReadJob } from '../../jobs/job-context.js';
import { withApiRetries } from '../k8s/api-retry.js';

/**
 * The same jobs, each run with its Kubernetes API retries ending when the job's own signal fires
 * (the worker stopping, the job handed back): a stopping worker does not sit out a backoff for a
 * job another worker will resume. A job may narrow it further (a drain retries until its deadline).
 */
export function readJobsRetryingUntilStopped(jobs: Record<string, ReadJob>): Record<string, ReadJob> {
  return Object.fromEntries(Object.entries(jobs).map(([verb, job]) => [verb, { ...job, run: (args, ctx) => withApiRetries({ until: ctx.signal }, () => job.run(args, ctx)) } satisfies ReadJob]));
}

/** See readJobsRetryingUntilStopped: the same for plans and executions. */
export function operationJobsRetryingUntilStopped(jobs: Record<string, OperationJob>): Record<string, OperationJob> {
  return Object.fromEntries(
    Object.entries(jobs).map(([verb, job]) => [
      verb,
      {
        ...job,
        plan: (args, ctx) => withApiRetries({ until: ctx.signal }, () => job.plan(args, ctx)),
        execute: (args, approved, ctx) => withApiRetries({ until: ctx.signal }, () => job.execute(args, approved, ctx)),
      } satisfies OperationJob,
    ]),
  );
}
