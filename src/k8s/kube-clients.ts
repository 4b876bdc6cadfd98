import { AppsV1Api, CoordinationV1Api, CoreV1Api, KubeConfig, PolicyV1Api, StorageV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ConfigError } from '../core/errors.js';
import { retryingApi, type ApiRetryOptions } from './api-retry.js';
import { reuseConnections } from './connection-reuse.js';

/** The typed API clients a worker uses against one cluster. */
export interface KubeClients {
  cluster: string;
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  policy: PolicyV1Api;
  storage: StorageV1Api;
  /** Node Leases (kube-node-lease): the kubelet's heartbeat. */
  coordination: CoordinationV1Api;
}

export interface KubeConfigSource {
  /** Path of a kubeconfig file. Unset: in-cluster ServiceAccount when running in a pod, else the default (~/.kube/config). */
  kubeconfigPath?: string;
  /** Context to use. Unset: the kubeconfig's current context. */
  context?: string;
}

/** Loads a kubeconfig, failing at start-up with what to set when it is missing or lacks the context. */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (source.kubeconfigPath) kc.loadFromFile(source.kubeconfigPath);
    else kc.loadFromDefault();
  } catch (cause) {
    throw new ConfigError(`Cannot read kubeconfig ${source.kubeconfigPath ?? '(default)'}: ${(cause as Error).message}`, {
      cause,
      hint: 'Set KUBECONFIG to a readable kubeconfig file, or run the worker in a pod with a ServiceAccount.',
    });
  }
  // client-node's loadFromDefault falls back to http://localhost:8080 as "loaded-context" when it
  // finds no KUBECONFIG, no ~/.kube/config and no in-cluster ServiceAccount (config.ts,
  // loadFromDefault); a worker must not start as a cluster it made up.
  if (!source.kubeconfigPath && kc.getCurrentContext() === 'loaded-context' && kc.getCurrentCluster()?.server === 'http://localhost:8080') {
    throw new ConfigError('no kubeconfig found: set KUBECONFIG or run in a cluster', {
      hint: 'Point KUBECONFIG at a kubeconfig file, or run the worker in a pod with a ServiceAccount (deploy/kubernetes/worker.yaml).',
    });
  }
  if (source.context) {
    if (!kc.getContexts().some((c) => c.name === source.context)) {
      throw new ConfigError(`kubeconfig has no context "${source.context}" (has: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`, {
        hint: 'Fix SITREP_CLUSTERS so each cluster maps to an existing context.',
      });
    }
    kc.setCurrentContext(source.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new ConfigError('kubeconfig has no current cluster', { hint: 'Set KUBECONFIG, or SITREP_CLUSTERS with a context name.' });
  }
  return kc;
}

export interface KubeClientsOptions {
  /** Where each retried call is logged (at warn). @defaultValue none */
  logger?: Logger;
  /** How transient failures are retried (api-retry.ts). @defaultValue its defaults */
  retry?: Omit<ApiRetryOptions, 'logger'>;
}

/**
 * The typed clients for one cluster. Every call they make is retried on transient failures
 * (connection reset or refused, timeouts, 502-504, 429 and 5xx with Retry-After; never a
 * PodDisruptionBudget's 429), with backoff and jitter, as client-go does (api-retry.ts,
 * transient-failure.ts). Watches are not calls: they reconnect on their own (watched-list.ts).
 */
export function createKubeClients(cluster: string, kubeConfig: KubeConfig, options: KubeClientsOptions = {}): KubeClients {
  // One TLS connection pool for all of them, not a new connection per call (connection-reuse.ts).
  reuseConnections(kubeConfig);
  const retry: ApiRetryOptions = { ...options.retry, ...(options.logger ? { logger: options.logger } : {}) };
  return {
    cluster,
    kubeConfig,
    core: kubeConfig.makeApiClient(retryingApi(CoreV1Api, retry)),
    apps: kubeConfig.makeApiClient(retryingApi(AppsV1Api, retry)),
    policy: kubeConfig.makeApiClient(retryingApi(PolicyV1Api, retry)),
    storage: kubeConfig.makeApiClient(retryingApi(StorageV1Api, retry)),
    coordination: kubeConfig.makeApiClient(retryingApi(CoordinationV1Api, retry)),
  };
}
