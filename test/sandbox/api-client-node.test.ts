import { AppsV1Api, PatchStrategy, PolicyV1Api, setHeaderOptions, Watch, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import { core, pod, startApiSandbox, statusOf, waitFor } from './api-fixture.js';

let sandbox: Sandbox;
let kc: KubeConfig;
let api: CoreV1Api;
let apps: AppsV1Api;
let policy: PolicyV1Api;

beforeAll(async () => {
  ({ sandbox, kc } = await startApiSandbox({ historySize: 200, bookmarkIntervalMs: 100 }));
  api = core(kc);
  apps = kc.makeApiClient(AppsV1Api);
  policy = kc.makeApiClient(PolicyV1Api);
});

afterAll(async () => {
  await sandbox?.close();
});

async function expectStatus(p: Promise<unknown>, code: number): Promise<ReturnType<typeof statusOf>> {
  try {
    await p;
  } catch (err) {
    expect((err as { code?: number }).code).toBe(code);
    return statusOf(err);
  }
  throw new Error(`expected HTTP ${code}, the call succeeded`);
}

const names = (pods: { items: V1Pod[] }) => pods.items.map((p) => p.metadata!.name!).sort();

describe('client-node against the sandbox API', () => {
  it('creates, reads, replaces and deletes a pod; a stale resourceVersion is a 409', async () => {
    const created = await api.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'crud' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.status?.phase).toBe('Pending');

    // The scheduler and kubelet write the pod too; replace it once they are done, as a client would.
    await waitFor('crud running', async () => (await api.readNamespacedPod({ name: 'crud', namespace: 'default' })).status?.phase === 'Running');
    await sandbox.idle();
    const read = await api.readNamespacedPod({ name: 'crud', namespace: 'default' });
    read.metadata!.labels = { changed: 'yes' };
    const replaced = await api.replaceNamespacedPod({ name: 'crud', namespace: 'default', body: read });
    expect(replaced.metadata?.labels).toEqual({ changed: 'yes' });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(read.metadata?.resourceVersion));

    const stale = await expectStatus(api.replaceNamespacedPod({ name: 'crud', namespace: 'default', body: read }), 409);
    expect(stale.reason).toBe('Conflict');
    expect(stale.message).toContain('Operation cannot be fulfilled on pods "crud"');

    await api.deleteNamespacedPod({ name: 'crud', namespace: 'default', gracePeriodSeconds: 0 });
    const gone = await expectStatus(api.readNamespacedPod({ name: 'crud', namespace: 'default' }), 404);
    expect(gone.message).toBe('pods "crud" not found');
  });

  it('lists with label and field selectors', async () => {
    expect(names(await api.listNamespacedPod({ namespace: 'shop', labelSelector: 'app in (web,api)' }))).toEqual(['api-1', 'web-1', 'web-2']);
    expect(names(await api.listNamespacedPod({ namespace: 'shop', labelSelector: 'tier,!legacy' }))).toEqual(['api-1', 'web-1', 'web-2']);
    expect(names(await api.listNamespacedPod({ namespace: 'shop', labelSelector: 'tier notin (front),app!=batch' }))).toEqual(['api-1', 'db-1']);
    expect(names(await api.listNamespacedPod({ namespace: 'shop', labelSelector: 'app==db' }))).toEqual(['db-1']);
    expect(names(await api.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node02' }))).toEqual(['api-1', 'web-2']);
    expect(names(await api.listNamespacedPod({ namespace: 'shop', fieldSelector: 'spec.nodeName!=node02,metadata.name!=db-1' }))).toEqual(['batch-1', 'web-1']);
    expect(names(await api.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=shop,status.phase=Running' }))).toHaveLength(5);
    const bad = await expectStatus(api.listNamespacedPod({ namespace: 'shop', fieldSelector: 'spec.bogus=1' }), 400);
    expect(bad.message).toBe('field label not supported: spec.bogus');
  });

  it('pages a list with limit and continue', async () => {
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await api.listNamespacedPod({ namespace: 'shop', limit: 2, _continue: cont });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => p.metadata!.name!));
      cont = page.metadata?._continue || undefined;
      pages++;
    } while (cont && pages < 10);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['api-1', 'batch-1', 'db-1', 'web-1', 'web-2']);
  });

  it('watches: events arrive, a watch resumes from a resourceVersion, a too-old one is 410 Expired', async () => {
    const watch = new Watch(kc);
    const events: { type: string; name: string }[] = [];
    const bookmarks: unknown[] = [];
    const ctl = await watch.watch('/api/v1/namespaces/default/pods', { allowWatchBookmarks: true }, (type, obj) => {
      if (type === 'BOOKMARK') bookmarks.push(obj);
      else events.push({ type, name: obj.metadata.name });
    }, () => {});
    await api.createNamespacedPod({ namespace: 'default', body: pod('watched', 'default', { w: '1' }, 'node01') });
    await waitFor('ADDED event', () => events.some((e) => e.type === 'ADDED' && e.name === 'watched'));
    await waitFor('a bookmark', () => bookmarks.length > 0);
    expect(Object.keys((bookmarks[0] as { metadata: object }).metadata)).toEqual(['resourceVersion']);
    ctl.abort();

    // Resume: events after the list's resourceVersion only.
    const list = await api.listNamespacedPod({ namespace: 'default' });
    await api.createNamespacedPod({ namespace: 'default', body: pod('after-list', 'default', {}, 'node01') });
    const resumed: string[] = [];
    const ctl2 = await watch.watch('/api/v1/namespaces/default/pods', { resourceVersion: list.metadata!.resourceVersion }, (type, obj) => {
      resumed.push(`${type} ${obj.metadata.name}`);
    }, () => {});
    await waitFor('resumed ADDED', () => resumed.includes('ADDED after-list'));
    expect(resumed).not.toContain('ADDED watched');
    ctl2.abort();

    // More writes than the (small) history holds make the first resourceVersion expire.
    for (let i = 0; i < 220; i++) sandbox.store.mutate('namespaces', undefined, 'default', (ns) => { ns.metadata.annotations = { n: String(i) }; });
    const errors: { code?: number; reason?: string }[] = [];
    const ctl3 = await watch.watch('/api/v1/namespaces/default/pods', { resourceVersion: list.metadata!.resourceVersion }, (type, obj) => {
      if (type === 'ERROR') errors.push(obj);
    }, () => {});
    await waitFor('410 ERROR event', () => errors.length > 0);
    expect(errors[0]).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    ctl3.abort();
  });

  it('applies strategic-merge, merge and JSON patches', async () => {
    const ns = 'shop';
    const smp = await api.patchNamespacedPod(
      { name: 'web-1', namespace: ns, body: { metadata: { labels: { patched: 'smp' } }, spec: { containers: [{ name: 'sidecar', image: 'envoy:1.32' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smp.metadata?.labels).toMatchObject({ app: 'web', patched: 'smp' });
    expect(smp.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=nginx:1.27', 'sidecar=envoy:1.32']);

    // validation.go ValidatePodUpdate: an image may change, the list of containers may not.
    const refused = await expectStatus(api.patchNamespacedPod(
      { name: 'web-1', namespace: ns, body: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    ), 422);
    expect(refused.message).toMatch(/^Pod "web-1" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);

    const merged = await api.patchNamespacedPod(
      { name: 'web-1', namespace: ns, body: { metadata: { labels: { patched: null, merge: 'yes' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ app: 'web', tier: 'front', merge: 'yes' });

    const jp = await api.patchNamespacedPod(
      { name: 'web-1', namespace: ns, body: [{ op: 'test', path: '/metadata/labels/merge', value: 'yes' }, { op: 'add', path: '/metadata/annotations', value: { 'a/b': 'c' } }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(jp.metadata?.annotations).toEqual({ 'a/b': 'c' });

    const failed = await expectStatus(api.patchNamespacedPod(
      { name: 'web-1', namespace: ns, body: [{ op: 'test', path: '/metadata/labels/merge', value: 'no' }, { op: 'remove', path: '/metadata/labels' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    ), 422);
    expect(failed.reason).toBe('Invalid');
    expect((await api.readNamespacedPod({ name: 'web-1', namespace: ns })).metadata?.labels?.merge).toBe('yes');

    // Scale subresource, as `kubectl scale` writes it.
    await apps.createNamespacedDeployment({ namespace: 'default', body: {
      metadata: { name: 'scaled' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'scaled' } }, template: { metadata: { labels: { app: 'scaled' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    } });
    // A `$patch: delete` directive on a list element, where the list may change (a template).
    await apps.patchNamespacedDeployment(
      { name: 'scaled', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'd', image: 'envoy:1.32' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const removed = await apps.patchNamespacedDeployment(
      { name: 'scaled', namespace: 'default', body: { spec: { template: { spec: { containers: [{ name: 'd', $patch: 'delete' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(removed.spec?.template.spec?.containers.map((c) => c.name)).toEqual(['c']);
    const scale = await apps.patchNamespacedDeploymentScale({ name: 'scaled', namespace: 'default', body: { spec: { replicas: 3 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(scale.spec?.replicas).toBe(3);
    expect((await apps.readNamespacedDeployment({ name: 'scaled', namespace: 'default' })).spec?.replicas).toBe(3);
  });

  it('evicts within the PDB budget and refuses with 429 when the budget is spent', async () => {
    const ns = 'default';
    for (const n of ['guarded-1', 'guarded-2']) await api.createNamespacedPod({ namespace: ns, body: pod(n, ns, { app: 'guarded' }, 'node02') });
    await policy.createNamespacedPodDisruptionBudget({ namespace: ns, body: { metadata: { name: 'guarded' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } } } });
    await waitFor('PDB allows one disruption', async () => (await policy.readNamespacedPodDisruptionBudget({ name: 'guarded', namespace: ns })).status?.disruptionsAllowed === 1);

    // The disruption controller drops disruptedPods entries once the pod terminates, so catch the
    // eviction's own write (decrement + disruptedPods in one step) as it happens.
    const pdbWrites: { disruptionsAllowed?: number; disruptedPods?: Record<string, string> }[] = [];
    const unsubscribe = sandbox.store.subscribe((e) => { if (e.key === 'policy/poddisruptionbudgets' && e.object.metadata.name === 'guarded') pdbWrites.push(e.object.status); });
    await api.createNamespacedPodEviction({ name: 'guarded-1', namespace: ns, body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'guarded-1', namespace: ns } } });
    unsubscribe();
    expect(pdbWrites[0]).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { 'guarded-1': expect.any(String) } });
    expect((await api.readNamespacedPod({ name: 'guarded-1', namespace: ns }).catch(() => undefined))?.metadata?.deletionTimestamp ?? 'gone').toBeTruthy();

    const refused = await expectStatus(api.createNamespacedPodEviction({ name: 'guarded-2', namespace: ns, body: { metadata: { name: 'guarded-2', namespace: ns } } }), 429);
    expect(refused.reason).toBe('TooManyRequests');
    expect(refused.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(refused.details?.causes).toEqual([{ reason: 'DisruptionBudget', message: 'The disruption budget guarded needs 1 healthy pods and has 1 currently' }]);
    expect((await api.readNamespacedPod({ name: 'guarded-2', namespace: ns })).metadata?.deletionTimestamp).toBeUndefined();

    await expectStatus(api.createNamespacedPodEviction({ name: 'nobody', namespace: ns, body: { metadata: { name: 'nobody', namespace: ns } } }), 404);
  });

  it('deletes gracefully (Terminating, then gone) and forcefully (gone at once)', async () => {
    const ns = 'default';
    await api.createNamespacedPod({ namespace: ns, body: pod('graceful', ns, {}, 'node01') });
    await api.createNamespacedPod({ namespace: ns, body: pod('forced', ns, {}, 'node01') });
    await waitFor('pods running', async () => (await api.readNamespacedPod({ name: 'graceful', namespace: ns })).status?.phase === 'Running');

    const terminating = await api.deleteNamespacedPod({ name: 'graceful', namespace: ns });
    expect(terminating.metadata?.deletionTimestamp).toBeTruthy();
    expect(terminating.metadata?.deletionGracePeriodSeconds).toBe(30);
    await waitFor('graceful pod removed', async () => {
      try {
        await api.readNamespacedPod({ name: 'graceful', namespace: ns });
        return false;
      } catch (err) {
        return (err as { code?: number }).code === 404;
      }
    });

    await api.deleteNamespacedPod({ name: 'forced', namespace: ns, body: { gracePeriodSeconds: 0 } });
    await expectStatus(api.readNamespacedPod({ name: 'forced', namespace: ns }), 404);
  });

  it('rest/delete.go BeforeDelete: refuses a delete whose preconditions.uid does not match (409)', async () => {
    const conflict = await expectStatus(api.deleteNamespacedPod({ name: 'db-1', namespace: 'shop', body: { preconditions: { uid: 'not-the-uid' } } }), 409);
    expect(conflict.message).toMatch(/^Operation cannot be fulfilled on Pod "db-1": the UID in the precondition \(not-the-uid\) does not match the UID in record \(.+\)\. The object might have been deleted and then recreated$/);
    expect((await api.readNamespacedPod({ name: 'db-1', namespace: 'shop' })).metadata?.deletionTimestamp).toBeUndefined();
  });

  it('dryRun=All writes nothing', async () => {
    // Every write but the kubelets' lease renewals, which go on meanwhile as on any cluster.
    const writes: string[] = [];
    const unsubscribe = sandbox.store.subscribe((e) => { if (e.key !== 'coordination.k8s.io/leases') writes.push(`${e.type} ${e.key} ${e.object.metadata.name}`); });
    const count = sandbox.store.count('pods');
    const created = await api.createNamespacedPod({ namespace: 'shop', dryRun: 'All', body: pod('dry', 'shop', {}, 'node01') });
    expect(created.metadata?.name).toBe('dry');
    await api.deleteNamespacedPod({ name: 'batch-1', namespace: 'shop', dryRun: 'All', gracePeriodSeconds: 0 });
    await api.patchNamespacedPod({ name: 'batch-1', namespace: 'shop', dryRun: 'All', body: { metadata: { labels: { dry: 'run' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await api.createNamespacedPodEviction({ name: 'batch-1', namespace: 'shop', body: { metadata: { name: 'batch-1' }, deleteOptions: { dryRun: ['All'] } } });
    unsubscribe();
    expect(writes).toEqual([]);
    expect(sandbox.store.count('pods')).toBe(count);
    expect(sandbox.store.get('pods', 'shop', 'batch-1')?.metadata.labels).toEqual({ app: 'batch' });
    const counts = sandbox.requests();
    expect(counts.byVerb['create pods/eviction']).toBeGreaterThan(0);
  });

  it('replaces an evicted Deployment pod with a new one (new UID)', async () => {
    const ns = 'default';
    await apps.createNamespacedDeployment({ namespace: ns, body: {
      metadata: { name: 'front' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'front' } }, template: { metadata: { labels: { app: 'front' } }, spec: { terminationGracePeriodSeconds: 5, containers: [{ name: 'c', image: 'nginx' }] } } },
    } });
    const running = await waitFor('two front pods running', async () => {
      const l = await api.listNamespacedPod({ namespace: ns, labelSelector: 'app=front', fieldSelector: 'status.phase=Running' });
      return l.items.length === 2 ? l.items : undefined;
    });
    const victim = running[0];
    await api.createNamespacedPodEviction({ name: victim.metadata!.name!, namespace: ns, body: { metadata: { name: victim.metadata!.name! } } });
    await waitFor('a replacement pod running', async () => {
      const l = await api.listNamespacedPod({ namespace: ns, labelSelector: 'app=front' });
      const live = l.items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running');
      return live.length === 2 && !live.some((p) => p.metadata?.uid === victim.metadata?.uid);
    });
  });
});
