import type { Redis } from 'ioredis';
import type { V1Pod } from '@kubernetes/client-node';
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
