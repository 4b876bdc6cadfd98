import { CoreV1Api, Watch } from '@kubernetes/client-node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createKubeClients, loadKubeConfig } from '../../src/k8s/kube-clients.js';
import { NodePodWatch } from '../../src/k8s/pod-watch.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/start-sandbox.js';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.js';
import { waitFor } from './api-fixture.js';
import { boundPod, Kubectl, kubeConfigOf, kubectl, raw } from './fidelity-support.js';

// Watches and paged lists as kube-apiserver bounds them:
// staging/src/k8s.io/apiserver/pkg/endpoints/handlers/get.go (a watch without timeoutSeconds
// ends after a random time in [minRequestTimeout, 2x)), pkg/storage/cacher/watch_cache_history.go
// ("too old resource version"), pkg/storage/etcd3/errors.go (expired continue tokens) and etcd
// compaction. And sitrep's reconnect paths (src/k8s/pod-watch.ts) running through all of it.

let sandbox: Sandbox | undefined;
const k = new Kubectl(() => sandbox!.kubeconfigPath);
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});
afterAll(() => k.dispose());

/** Resolves with how the watch ended: the error client-node reported (null for a clean close). */
function watchUntilClosed(s: Sandbox, path: string, query: Record<string, string | number | boolean | undefined>, onEvent: (type: string, obj: { code?: number; message?: string }) => void = () => {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    new Watch(kubeConfigOf(s.kubeconfigPath)).watch(path, query, onEvent, (err) => resolve(err ?? null)).catch(reject);
  });
}

describe('server-side watch timeouts', () => {
  it('handlers/get.go: a watch without timeoutSeconds is closed by the server after [minRequestTimeout, 2x)', async () => {
    sandbox = await startSandbox({ scenario: 'empty', timeScale: 0.02, minRequestTimeoutSeconds: 1 });
    const started = Date.now();
    const ended = await watchUntilClosed(sandbox, '/api/v1/pods', {});
    expect(ended).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  }, 30_000);

  it.skipIf(!kubectl)('handlers/get.go: kubectl get --watch ends when the server closes the watch', async () => {
    sandbox = await startSandbox({ scenario: 'empty', timeScale: 0.02, minRequestTimeoutSeconds: 1 });
    const r = await k.run('get', 'pods', '-A', '--watch');
    expect(r.code).toBe(0);
  }, 30_000);
});

describe('bounded history', () => {
  it('watch_cache_history.go: a watch from a resourceVersion compacted away gets an ERROR event with 410 Expired', async () => {
    sandbox = await startSandbox({ scenario: 'empty', timeScale: 0.02 });
    const old = sandbox.store.resourceVersion;
    sandbox.store.create('namespaces', { metadata: { name: 'churn' } });
    sandbox.compact();
    const events: { type: string; obj: { code?: number; message?: string; reason?: string } }[] = [];
    await watchUntilClosed(sandbox, '/api/v1/namespaces', { resourceVersion: old }, (type, obj) => events.push({ type, obj }));
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('ERROR');
    expect(events[0].obj).toMatchObject({ code: 410, reason: 'Expired', message: expect.stringMatching(new RegExp(`^too old resource version: ${old} \\(\\d+\\)$`)) });
  }, 30_000);

  it('etcd3/errors.go: a continue token older than the compaction is a 410 that hands back a token for the rest', async () => {
    sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02 });
    const first = await raw(sandbox, 'GET', '/api/v1/namespaces/shop/pods?limit=3');
    expect(first.body.items).toHaveLength(3);
    const token = first.body.metadata.continue;
    expect(token).toBeTruthy();
    sandbox.store.create('pods', boundPod('zz-late', 'shop', 'node01'));
    sandbox.compact();
    const expired = await raw(sandbox, 'GET', `/api/v1/namespaces/shop/pods?limit=3&continue=${encodeURIComponent(token)}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({
      reason: 'Expired',
      message: 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    });
    // The inconsistent continuation lists what is there now, zz-late included.
    const rest = await raw(sandbox, 'GET', `/api/v1/namespaces/shop/pods?continue=${encodeURIComponent(expired.body.metadata.continue)}`);
    expect(rest.status).toBe(200);
    expect(rest.body.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toContain('zz-late');
  });

  it('etcd3 store: the pages of one list are one snapshot: an object created after page one is not in page two', async () => {
    sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02 });
    const first = await raw(sandbox, 'GET', '/api/v1/namespaces/shop/pods?limit=3');
    sandbox.store.create('pods', boundPod('zz-late', 'shop', 'node01'));
    const second = await raw(sandbox, 'GET', `/api/v1/namespaces/shop/pods?continue=${encodeURIComponent(first.body.metadata.continue)}`);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
    expect(second.body.items.map((p: { metadata: { name: string } }) => p.metadata.name)).not.toContain('zz-late');
    const fresh = await raw(sandbox, 'GET', '/api/v1/namespaces/shop/pods');
    expect(fresh.body.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toContain('zz-late');
  });
});

describe('sitrep reconnects', () => {
  it('pod-watch.ts under get.go + etcd compaction: NodePodWatch survives server-closed watches and 410s, and still sees pods go', async () => {
    sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02, minRequestTimeoutSeconds: 1 });
    const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: await leastPrivilegeKubeconfig(sandbox) }));
    const listed = await kube.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node02' });
    // Compaction passes the list's resourceVersion before the watch starts: the first watch is a 410.
    sandbox.store.create('namespaces', { metadata: { name: 'churn' } });
    sandbox.compact();
    const controller = new AbortController();
    const recovered: string[] = [];
    const watch = await NodePodWatch.start(kube, 'node02', { initial: listed.items, resourceVersion: listed.metadata?.resourceVersion, signal: controller.signal, onRecover: (w) => recovered.push(w), reconnectDelayMs: 50 });
    try {
      await waitFor('a re-list after the 410', () => watch.stats.relists >= 1);
      expect(recovered).toContain('pod watch expired (410); listing again');
      // Then the server ends each watch within 2 s (with a bookmark, so it resumes where it was).
      const watches = watch.stats.watches;
      await waitFor('the watch resumed after the server closed it, twice', () => watch.stats.watches >= watches + 2, 20_000);
      expect(watch.stats.relists).toBe(1);
      const checkout = listed.items.find((p) => p.metadata?.name?.startsWith('checkout-'))!;
      await kubeConfigOf(sandbox.kubeconfigPath).makeApiClient(CoreV1Api).createNamespacedPodEviction({ name: checkout.metadata!.name!, namespace: 'shop', body: { metadata: { name: checkout.metadata!.name!, namespace: 'shop' } } });
      expect(await watch.waitUntil(() => !watch.has(checkout.metadata!.uid!), { signal: controller.signal, deadline: Date.now() + 15_000 })).toBe(true);
    } finally {
      controller.abort();
    }
  }, 60_000);
});
