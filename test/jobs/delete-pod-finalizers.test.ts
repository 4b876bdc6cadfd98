import { DeletePodArgsSchema } from '../../src/core/verbs/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deletePodJob } from '../../jobs/delete-pod.js';
import { startJobFixture, type JobFixture } from './support/fixture.js';

// What the stricter sandbox exposed: a forced delete of a pod with a finalizer does not remove it
// (staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go marks it and waits), but
// the delete job said "Removed from the API at once".
let f: JobFixture;
beforeAll(async () => {
  f = await startJobFixture('maintenance');
});
afterAll(() => f?.close());

describe('delete pod with finalizers', () => {
  it('store.go: a forced delete of a pod held by a finalizer says so, and does not claim it is gone', async () => {
    f.sandbox.store.create('pods', {
      metadata: { name: 'held', namespace: 'shop', labels: { run: 'held' }, finalizers: ['batch.kubernetes.io/job-tracking'] },
      spec: { nodeName: 'node01', containers: [{ name: 'c', image: 'busybox:1.36' }] },
    });
    await f.sandbox.idle();
    const args = DeletePodArgsSchema.parse({ kind: 'pod', name: 'held', namespace: 'shop', force: true, gracePeriod: 0 });
    const ctx = f.ctx('fin1');
    const plan = await deletePodJob.plan(args, ctx);
    const result = await deletePodJob.execute(args, plan, ctx);
    expect(result.ok).toBe(true);
    expect(result.title).toBe('Pod shop/held marked for deletion, but finalizers keep it: batch.kubernetes.io/job-tracking');
    expect(result.text).not.toMatch(/at once/);
    expect(result.changed).toEqual([expect.stringMatching(/^pod\/shop\/held marked for deletion \(uid .+\), held by finalizers: batch\.kubernetes\.io\/job-tracking$/)]);
    const still = await f.kube.core.readNamespacedPod({ name: 'held', namespace: 'shop' });
    expect(still.metadata?.deletionTimestamp).toBeDefined();
  });
});
