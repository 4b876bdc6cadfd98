import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { NodePodWatch } from '../../src/k8s/pod-watch.js';
import { createKubeClients, loadKubeConfig, type KubeClients } from '../../src/k8s/kube-clients.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { waitFor } from './support/fixture.js';

let sandbox: Sandbox;
let kube: KubeClients;
beforeAll(async () => {
  // A short watch history, so an old resourceVersion is answered with 410 Gone.
  sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02, historySize: 50 });
  kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: sandbox.kubeconfigPath }));
});
afterAll(() => sandbox?.close());

describe('NodePodWatch', () => {
  it('recovers from 410 Gone by listing again, then follows the node\'s pods with one watch', async () => {
    const listed = await kube.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node02' });
    const ghost: V1Pod = { metadata: { uid: 'ghost-uid', name: 'ghost', namespace: 'shop' } };
    // Age the resourceVersion out of the 50-event history.
    for (let i = 0; i < 60; i++) {
      await kube.core.createNamespace({ body: { metadata: { name: `churn-${i}` } } });
    }
    const controller = new AbortController();
    const recovered: string[] = [];
    const watch = await NodePodWatch.start(kube, 'node02', {
      initial: [...listed.items, ghost],
      resourceVersion: listed.metadata?.resourceVersion,
      signal: controller.signal,
      onRecover: (what) => recovered.push(what),
    });
    try {
      // The re-list drops what no longer exists.
      const relisted = await watch.waitUntil(() => !watch.has('ghost-uid'), { signal: controller.signal, deadline: Date.now() + 5000 });
      expect(relisted).toBe(true);
      expect(recovered).toEqual(['pod watch expired (410); listing again']);
      expect(watch.stats.relists).toBe(1);
      // The watch is open again: the first, expired one and the resumed one reached the server.
      await waitFor(() => (sandbox.requests().byVerb['watch pods'] ?? 0) >= 2, { label: 'the resumed watch' });

      const checkout = listed.items.find((p) => p.metadata?.name?.startsWith('checkout-'))!;
      expect(watch.has(checkout.metadata!.uid!)).toBe(true);
      await kube.core.createNamespacedPodEviction({ name: checkout.metadata!.name!, namespace: 'shop', body: { metadata: { name: checkout.metadata!.name!, namespace: 'shop' } } });
      sandbox.resetRequests();
      const gone = await watch.waitUntil(() => !watch.has(checkout.metadata!.uid!), { signal: controller.signal, deadline: Date.now() + 10_000 });
      expect(gone).toBe(true);
      // Waiting cost no request at all: the open watch brought the news.
      expect(sandbox.requests().byVerb).toEqual({});
    } finally {
      controller.abort();
    }
  });

  it('waitUntil answers false at its deadline, and rejects when the signal aborts', async () => {
    const controller = new AbortController();
    const watch = await NodePodWatch.start(kube, 'node01', { initial: [], signal: controller.signal });
    expect(await watch.waitUntil(() => false, { signal: controller.signal, deadline: Date.now() + 50, tickMs: 10 })).toBe(false);
    const pending = watch.waitUntil(() => false, { signal: controller.signal, deadline: Date.now() + 60_000 });
    controller.abort(new Error('stopped'));
    await expect(pending).rejects.toThrow('stopped');
  });
});
