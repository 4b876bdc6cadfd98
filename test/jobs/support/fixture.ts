import type { Redis } from 'ioredis';
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { eventually } from '../../support/eventually.js';
import { callOptions, mergePatch } from '../../../src/k8s/request-options.js';
import { DrainArgsSchema, type DrainArgs } from '../../../src/core/verbs/index.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { createKubeClients, loadKubeConfig, type KubeClients } from '../../../src/k8s/kube-clients.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { makeJobContext, type TestJobContext, type TestJobContextOptions } from './job-context.js';

/** Drain arguments with the contract's defaults (as `/k8s drain NODE` builds them), a one-minute timeout, and `flags` on top. */
export function drainArgs(node: string, flags: Partial<DrainArgs> = {}): DrainArgs {
  return DrainArgsSchema.parse({ node, timeoutMs: 60_000, ...flags });
}

export interface JobFixture {
  sandbox: Sandbox;
  redis: TestRedis;
  client: Redis;
  kube: KubeClients;
  ctx(jobId: string, extra?: Partial<TestJobContextOptions>): TestJobContext;
  close(): Promise<void>;
}

/** A sandbox cluster, a private Redis and a way to make job contexts against both. */
export async function startJobFixture(scenario: string, params: Record<string, string | number> = {}): Promise<JobFixture> {
  const [sandbox, redis] = await Promise.all([startSandbox({ scenario, params, timeScale: 0.02 }), startTestRedis()]);
  const client = redis.client();
  const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: sandbox.kubeconfigPath }));
  return {
    sandbox,
    redis,
    client,
    kube,
    ctx: (jobId, extra = {}) => makeJobContext({ kube, redis: client, jobId, ...extra }),
    async close() {
      await Promise.all([sandbox.close(), redis.stop()]);
    },
  };
}

/** Pods on a node as `namespace/name`, read through the API. */
export async function podsOn(kube: KubeClients, node: string): Promise<V1Pod[]> {
  const res = await kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
  return res.items;
}

/** Request counts that changed anything: create/update/patch/delete of any resource. */
export function writes(byVerb: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(byVerb).filter(([k]) => /^(create|update|patch|delete|deletecollection) /.test(k)));
}

/**
 * A Deployment `name` (label app=NAME) in `namespace` whose `replicas` pods all land on `node`,
 * as they do in real clusters when the other nodes were cordoned while it rolled out: every other
 * node is cordoned, the Deployment created, its pods awaited Ready, and the nodes uncordoned.
 * `spec` is merged into the pod template's spec.
 */
export async function deploymentOn(f: Pick<JobFixture, 'kube' | 'sandbox'>, node: string, w: { namespace: string; name: string; replicas: number; spec?: Partial<V1PodSpec> }): Promise<V1Pod[]> {
  const { kube } = f;
  const others = (await kube.core.listNode()).items.map((n) => n.metadata!.name!).filter((n) => n !== node);
  const cordon = (unschedulable: boolean) => Promise.all(others.map((n) => kube.core.patchNode({ name: n, body: { spec: { unschedulable } } }, callOptions({ patch: mergePatch }))));
  await cordon(true);
  await kube.apps.createNamespacedDeployment({
    namespace: w.namespace,
    body: {
      metadata: { name: w.name, labels: { app: w.name } },
      spec: {
        replicas: w.replicas,
        selector: { matchLabels: { app: w.name } },
        template: { metadata: { labels: { app: w.name } }, spec: { containers: [{ name: w.name, image: `ghcr.io/example/${w.name}:1.0`, resources: { requests: { cpu: '50m', memory: '64Mi' } } }], ...w.spec } },
      },
    },
  });
  const ready = async () => (await podsOn(kube, node)).filter((p) => p.metadata?.labels?.app === w.name && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const pods = await eventually(async () => { const r = await ready(); return r.length === w.replicas ? r : undefined; }, { what: `${w.replicas} ready ${w.name} pods on ${node}`, throwErrors: true });
  await cordon(false);
  await f.sandbox.idle();
  return pods;
}
