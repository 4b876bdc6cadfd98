import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { eventually } from '../support/eventually.js';
import type { KObject, Store } from '../../src/sandbox/store.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/start-sandbox.js';

/**
 * A small cluster for the API tests: the `empty` scenario plus objects these tests own, so their
 * assertions do not depend on how a scenario happens to be seeded today.
 */
export async function startApiSandbox(options: SandboxOptions = {}): Promise<{ sandbox: Sandbox; kc: KubeConfig }> {
  const sandbox = await startSandbox({ scenario: 'empty', timeScale: 0.02, ...options });
  seedApiCluster(sandbox.store);
  await sandbox.idle();
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  return { sandbox, kc };
}

function node(name: string): KObject {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
    spec: {},
    status: {
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
        { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure' },
        { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID' },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      addresses: [{ type: 'InternalIP', address: `10.0.0.${name.slice(-1)}` }, { type: 'Hostname', address: name }],
      nodeInfo: { kubeletVersion: 'v1.33.1', osImage: 'Ubuntu 24.04.2 LTS', kernelVersion: '6.8.0-60-generic', containerRuntimeVersion: 'containerd://2.0.5', architecture: 'amd64', operatingSystem: 'linux' },
    },
  };
}

export function pod(name: string, namespace: string, labels: Record<string, string>, nodeName: string, extra: Record<string, unknown> = {}): V1Pod {
  return {
    metadata: { name, namespace, labels },
    spec: { nodeName, terminationGracePeriodSeconds: 30, containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'sidecar', image: 'envoy:1.31' }], ...extra },
  };
}

/** Namespaces `default` and `shop`, nodes node01..node03, five labelled bare pods in `shop`. */
export function seedApiCluster(store: Store): void {
  for (const ns of ['default', 'shop']) if (!store.get('namespaces', undefined, ns)) store.create('namespaces', { metadata: { name: ns } });
  for (const n of ['node01', 'node02', 'node03']) if (!store.get('nodes', undefined, n)) store.create('nodes', node(n));
  const add = (p: V1Pod) => store.create('pods', p as unknown as KObject);
  add(pod('web-1', 'shop', { app: 'web', tier: 'front' }, 'node01'));
  add(pod('web-2', 'shop', { app: 'web', tier: 'front' }, 'node02'));
  add(pod('api-1', 'shop', { app: 'api', tier: 'back' }, 'node02'));
  add(pod('db-1', 'shop', { app: 'db', tier: 'back', legacy: 'yes' }, 'node03'));
  add(pod('batch-1', 'shop', { app: 'batch' }, 'node03'));
}

/** The parsed Status body of a client-node ApiException. */
export function statusOf(err: unknown): { code?: number; reason?: string; message?: string; details?: { causes?: { reason?: string; message?: string; field?: string }[] } } {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') return JSON.parse(body) as ReturnType<typeof statusOf>;
  return (body ?? {}) as ReturnType<typeof statusOf>;
}

/** Polls until `check` returns a value other than undefined/false, or fails after `ms`. */
export function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000): Promise<T> {
  return eventually(check, { what, timeoutMs: ms, intervalMs: 20 });
}

export function core(kc: KubeConfig): CoreV1Api {
  return kc.makeApiClient(CoreV1Api);
}
