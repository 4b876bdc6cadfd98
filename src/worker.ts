import type { Logger } from 'pino';
import { VersionApi } from '@kubernetes/client-node';
import { OPERATION_JOBS, READ_JOBS } from '../jobs/registry.js';
import { createKubeClients, loadKubeConfig } from './k8s/kube-clients.js';
import { healthRoutes, startOpsServer, type OpsRoute } from './ops/ops-server.js';
import { JobRunner } from './queue/job-runner.js';
import { QueueKeys } from './queue/keys.js';
import { createRedis } from './queue/redis-connection.js';

export interface WorkerProcessOptions {
  cluster: string;
  kubeconfigPath?: string;
  context?: string;
  redisUrl: string;
  prefix: string;
  logger: Logger;
  /** Port of /healthz, /readyz, /metrics; undefined: no ops server (e.g. inside `sitrep all`). */
  opsPort?: number;
  lockDurationMs?: number;
  concurrency?: number;
  extraRoutes?: OpsRoute[];
}

/** A worker for one cluster: its queue, its Kubernetes clients, its health endpoints. */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<{ runner: JobRunner; opsPort?: number; stop(timeoutMs?: number): Promise<void> }> {
  const kc = loadKubeConfig({ kubeconfigPath: options.kubeconfigPath, context: options.context });
  const kube = createKubeClients(options.cluster, kc);
  const redis = createRedis(options.redisUrl, { name: `sitrep-worker-${options.cluster}` });
  const runner = new JobRunner({
    cluster: options.cluster,
    kube,
    redis,
    keys: new QueueKeys(options.prefix),
    readJobs: READ_JOBS,
    operationJobs: OPERATION_JOBS,
    logger: options.logger.child({ component: 'worker', cluster: options.cluster }),
    lockDurationMs: options.lockDurationMs,
    concurrency: options.concurrency,
  });
  await runner.start();
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
            options.extraRoutes,
          ),
          options.opsPort,
        );
  return {
    runner,
    opsPort: ops?.port,
    async stop(timeoutMs = 30_000) {
      await runner.stop(timeoutMs);
      await ops?.close();
      redis.disconnect();
    },
  };
}
