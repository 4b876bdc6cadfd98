import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually } from '../support/eventually.js';
import { Watch, type V1Pod } from '@kubernetes/client-node';
import { NodePodWatch } from '../../src/k8s/pod-watch.js';
import { createKubeClients, loadKubeConfig, type KubeClients } from '../../src/k8s/kube-clients.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

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
      await eventually(() => (sandbox.requests().byVerb['watch pods'] ?? 0) >= 2, { what: 'the resumed watch', throwErrors: true });

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

  it('a watch silent past client-node\'s inactivity timeout resumes from its resourceVersion, without listing again', async () => {
    // No bookmarks, and client-node's 30 s inactivity timeout cut to 200 ms (it has no option for it).
    const quiet = await startSandbox({ scenario: 'maintenance', timeScale: 0.02, bookmarkIntervalMs: 600_000 });
    const quietKube = createKubeClients('quiet', loadKubeConfig({ kubeconfigPath: quiet.kubeconfigPath }));
    const watchMethod = Watch.prototype.watch;
    const spy = vi.spyOn(Watch.prototype, 'watch').mockImplementation(function (this: Watch, ...args: Parameters<Watch['watch']>) {
      (this as unknown as { requestTimeoutMs: number }).requestTimeoutMs = 200;
      return watchMethod.apply(this, args);
    });
    const controller = new AbortController();
    const recovered: string[] = [];
    try {
      await quiet.idle();
      const listed = await quietKube.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node02' });
      const watch = await NodePodWatch.start(quietKube, 'node02', {
        initial: listed.items,
        resourceVersion: listed.metadata?.resourceVersion,
        signal: controller.signal,
        onRecover: (what) => recovered.push(what),
      });
      await eventually(() => watch.stats.watches >= 3, { what: 'two reconnects after silence', throwErrors: true });
      expect(watch.stats.relists).toBe(0);
      expect(recovered).toEqual([]);
      // Still following the node: an eviction shows up.
      const victim = listed.items.find((p) => p.metadata?.name?.startsWith('checkout-'))!;
      await quietKube.core.createNamespacedPodEviction({ name: victim.metadata!.name!, namespace: 'shop', body: { metadata: { name: victim.metadata!.name!, namespace: 'shop' } } });
      expect(await watch.waitUntil(() => !watch.has(victim.metadata!.uid!), { signal: controller.signal, deadline: Date.now() + 10_000 })).toBe(true);
    } finally {
      controller.abort();
      spy.mockRestore();
      await quiet.close();
    }
  });

  it('a watch cut by an API outage (reflector.go) watches again from its resourceVersion once the API answers, without listing again, and misses nothing', async () => {
    const listed = await kube.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node02' });
    const controller = new AbortController();
    const recovered: string[] = [];
    try {
      const watch = await NodePodWatch.start(kube, 'node02', {
        initial: listed.items,
        resourceVersion: listed.metadata?.resourceVersion,
        signal: controller.signal,
        reconnectDelayMs: 100,
        onRecover: (what) => recovered.push(what),
      });
      sandbox.apiOutage({ durationMs: 1000, mode: 'reset' });
      await eventually(() => recovered.length > 0, { what: 'the watch cut' });
      // A change made while the watch is down reaches it through the resumed watch.
      const victim = listed.items.find((p) => p.metadata?.namespace === 'shop' && !p.metadata.deletionTimestamp)!;
      sandbox.store.remove('pods', 'shop', victim.metadata!.name!);
      expect(await watch.waitUntil(() => !watch.has(victim.metadata!.uid!), { signal: controller.signal, deadline: Date.now() + 15_000 })).toBe(true);
      expect(watch.stats.relists).toBe(0);
      expect(new Set(recovered)).toEqual(new Set(['pod watch cut; watching again from its resourceVersion']));
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
