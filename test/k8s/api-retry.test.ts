import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withApiRetries } from '../../src/k8s/api-retry.js';
import { evictPod } from '../../src/k8s/evict.js';
import { createKubeClients, loadKubeConfig, type KubeClients } from '../../src/k8s/kube-clients.js';
import { connectionFailure } from '../../src/k8s/transient-failure.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.js';
import { capturedLogger } from '../support/outputs.js';

/**
 * sitrep's Kubernetes clients against the sandbox while its API is out (src/sandbox/http/api-outage.ts):
 * each call outlives a short outage of every kind and answers as if nothing happened.
 */

let sandbox: Sandbox;
let kube: KubeClients;
const log = capturedLogger();

beforeAll(async () => {
  sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02 });
  // A ServiceAccount, as the worker runs: system:masters would be let through a 429 storm.
  kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: await leastPrivilegeKubeconfig(sandbox) }), { logger: log.logger });
});
afterAll(async () => {
  await sandbox?.close();
});

describe('Kubernetes API calls outlive a blip', () => {
  it.each(['reset', 'refuse', '503', '429'] as const)('a list made during a 1.5 s outage (%s) answers once the API is back, each retry logged with its path and no host', async (mode) => {
    log.lines.length = 0;
    sandbox.apiOutage({ durationMs: 1500, mode });
    const nodes = await kube.core.listNode();
    expect(nodes.items.map((n) => n.metadata?.name)).toContain('node02');
    const retries = log.lines.map((l) => JSON.parse(l) as { level: number; msg: string; path?: string }).filter((l) => /retrying/.test(l.msg));
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => r.level === 40 && r.path === '/api/v1/nodes')).toBe(true);
    expect(log.lines.join('\n')).not.toMatch(/127\.0\.0\.1|https?:\/\//);
  });

  it('inside a scope, retries stop when its signal aborts, and the call fails with the connection error', async () => {
    sandbox.apiOutage({ durationMs: 3000, mode: 'refuse' });
    const err = await withApiRetries({ until: AbortSignal.timeout(500), maxRetries: Infinity }, () => kube.core.listNode()).catch((e: unknown) => e);
    // Refused, or reset when a kept-alive connection was dropped as the listener closed.
    expect(connectionFailure(err)).toMatch(/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/);
    // The sandbox is back once the outage ends: the next call answers.
    await expect(kube.core.listNode()).resolves.toBeTruthy();
  });

  it("an Eviction refused by a PodDisruptionBudget is not retried: the drain's budget wait decides when to ask again", async () => {
    await setMinAvailable(sandbox, 'shop', 'web', 3);
    const pods = await kube.core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web' });
    const pod = pods.items[0]!;
    sandbox.resetRequests();
    const outcome = await evictPod(kube, { namespace: 'shop', name: pod.metadata!.name!, uid: pod.metadata!.uid! });
    expect(outcome).toMatchObject({ kind: 'blocked' });
    expect(sandbox.requests().byVerb['create pods/eviction']).toBe(1);
    await setMinAvailable(sandbox, 'shop', 'web', 2);
  });
});
