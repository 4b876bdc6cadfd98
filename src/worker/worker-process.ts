import type { Logger } from 'pino';
import { VersionApi } from '@kubernetes/client-node';
import { OPERATION_JOBS, READ_JOBS, RUNBOOK_JOBS } from '../../jobs/registry.js';
import { createKubeClients, loadKubeConfig } from '../k8s/kube-clients.js';
import { healthRoutes, startOpsServer, type OpsRoute } from '../ops/ops-server.js';
import { instrumentKubeConfig } from '../ops/kube-metrics.js';
import type { Metrics } from '../ops/metrics.js';
import { JobRunner } from '../queue/job-runner.js';
import { QueueKeys } from '../queue/keys.js';
import { createRedis } from '../queue/redis-connection.js';
import { RedisClock } from '../queue/redis-clock.js';
import { ApprovalStore } from '../approval/index.js';
import { ClusterEventStream, type ClusterEventStreamOptions } from './cluster-event-stream.js';
import { ExecutionGuard } from './execution-guard.js';
import { operationJobsRetryingUntilStopped, readJobsRetryingUntilStopped } from './job-retry-scope.js';
import { logAudit } from '../core/audit.js';

export interface WorkerProcessOptions {
  cluster: string;
  kubeconfigPath?: string;
  context?: string;
  redisUrl: string;
  prefix: string;
  logger: Logger;
  /** Port of /healthz, /readyz, /metrics; undefined: no ops server (e.g. inside `sitrep all`). */
  opsPort?: number;
  /** BullMQ's lock on a running job, ms (SITREP_JOB_LOCK). @defaultValue 10000 */
  lockDurationMs?: number;
  /** How often BullMQ hands jobs whose lock expired to a live worker, ms (SITREP_JOB_STALLED_INTERVAL). @defaultValue lockDurationMs / 2 */
  stalledIntervalMs?: number;
  /** How often the worker beats for each running job, ms (SITREP_JOB_HEARTBEAT). @defaultValue 2000 */
  jobHeartbeatMs?: number;
  concurrency?: number;
  /** The watch on BullMQ's fetch loop (JobRunnerOptions.fetchWatch). @defaultValue { intervalMs: 10000, stuckAfterMs: 60000 } */
  fetchWatch?: { intervalMs?: number; stuckAfterMs?: number };
  extraRoutes?: OpsRoute[];
  /** The process's metrics: Kubernetes calls, jobs, queue depth, and /metrics on the ops server. */
  metrics?: Metrics;
  /** SITREP_JOB_KEY (then SITREP_JOB_KEY_PREVIOUS): executions must be signed with one of them. */
  jobKeys: readonly string[];
  /**
   * The cluster's events on open incidents' timelines (see ClusterEventStream); `false` turns it off.
   * @defaultValue {} (on, with its defaults)
   */
  clusterEvents?: false | Omit<ClusterEventStreamOptions, 'kube' | 'redis' | 'prefix' | 'logger'>;
}

/** A worker for one cluster: its queue, its Kubernetes clients, its health endpoints. */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<{ runner: JobRunner; opsPort?: number; clusterEvents?: ClusterEventStream; stop(timeoutMs?: number): Promise<void> }> {
  const kc = loadKubeConfig({ kubeconfigPath: options.kubeconfigPath, context: options.context });
  if (options.metrics) instrumentKubeConfig(kc, options.metrics.observeKube);
  const logger = options.logger.child({ component: 'worker', cluster: options.cluster });
  const kube = createKubeClients(options.cluster, kc, { logger });
  const redis = createRedis(options.redisUrl, { name: `sitrep-worker-${options.cluster}` });
  const clock = await new RedisClock(redis).start();
  const approvals = new ApprovalStore(redis, { prefix: options.prefix, clock });
  const guard = new ExecutionGuard({ redis, approvals, clock, cluster: options.cluster, keys: options.jobKeys, prefix: options.prefix });
  const runner = new JobRunner({
    cluster: options.cluster,
    kube,
    redis,
    keys: new QueueKeys(options.prefix),
    readJobs: readJobsRetryingUntilStopped(READ_JOBS),
    // A runbook's wait steps are operations too: planned (their baseline), then executed, signed.
    operationJobs: operationJobsRetryingUntilStopped({ ...OPERATION_JOBS, ...RUNBOOK_JOBS }),
    logger,
    // Redis is shared state, not an authority: an execution runs only as the bot signed it.
    guard: async (payload, job) => {
      try {
        await guard.check(payload, job);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        await approvals.auditRefusal({ approvalId: payload.grant?.approvalId, requestId: payload.requestId, verb: payload.verb, cluster: options.cluster, user: `worker:${options.cluster}`, detail }).catch((e) => logger.warn({ err: e }, 'could not audit a refused execution'));
        const code = (err as { code?: string }).code;
        logAudit(logger, { requestId: payload.requestId, user: `worker:${options.cluster}`, verb: payload.verb, target: payload.approvedPlan?.target ?? '', cluster: options.cluster, outcome: 'refused', detail, ...(code ? { code } : {}) }, 'warn');
        throw err;
      }
    },
    onExecutionEnded: (payload, job) => guard.finish(payload, job),
    lockDurationMs: options.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs,
    jobHeartbeatMs: options.jobHeartbeatMs,
    concurrency: options.concurrency,
    ...(options.fetchWatch ? { fetchWatch: options.fetchWatch } : {}),
    onJobDone: options.metrics?.observeJob,
  });
  await runner.start();
  const clusterEvents = options.clusterEvents === false ? undefined : new ClusterEventStream({ ...options.clusterEvents, kube, redis, prefix: options.prefix, logger });
  clusterEvents?.start();
  const unwatch = options.metrics?.watchQueue(options.cluster, () => runner.jobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'));
  const version = kc.makeApiClient(VersionApi);
  const ops =
    options.opsPort === undefined
      ? undefined
      : await startOpsServer(
          healthRoutes(
            [
              { name: 'redis', check: async () => void (await redis.ping()) },
              { name: `cluster ${options.cluster}`, check: async () => void (await version.getCode()) },
            ],
            [...(options.extraRoutes ?? []), ...(options.metrics ? [options.metrics.route()] : [])],
            () => runner.notTakingJobs,
          ),
          options.opsPort,
        );
  return {
    runner,
    opsPort: ops?.port,
    ...(clusterEvents ? { clusterEvents } : {}),
    async stop(timeoutMs = 30_000) {
      await clusterEvents?.stop().catch((err) => logger.warn({ err }, 'cluster event watch did not stop cleanly'));
      // The gauge reads the runner's queue, which runner.stop() closes.
      unwatch?.();
      await runner.stop(timeoutMs);
      await ops?.close();
      clock.stop();
      redis.disconnect();
    },
  };
}
