import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/start-sandbox.js';
import { waitFor } from './api-fixture.js';
import { boundPod, Kubectl, kubeConfigOf, kubectl, raw } from './fidelity-support.js';

// DeleteOptions as staging/src/k8s.io/apiserver/pkg/endpoints/handlers/delete.go reads them and
// staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go (BeforeDelete) applies them.

let sandbox: Sandbox;
let core: CoreV1Api;
const k = new Kubectl(() => sandbox.kubeconfigPath);

beforeEach(async () => {
  sandbox = await startSandbox({ scenario: 'empty', timeScale: 0.02 });
  core = kubeConfigOf(sandbox.kubeconfigPath).makeApiClient(CoreV1Api);
  const node = sandbox.store.list('nodes').items[0].metadata.name;
  for (const name of ['a', 'b', 'c']) sandbox.store.create('pods', boundPod(name, 'default', node, { grace: 3000 }));
  await sandbox.idle();
});
afterEach(async () => {
  await sandbox?.close();
});
afterAll(() => k.dispose());

const podPath = (name: string) => `/api/v1/namespaces/default/pods/${name}`;

describe('delete.go: the body wins over the URL', () => {
  it('delete.go: a DELETE with ?dryRun=All and a body {} really deletes (the query is ignored when there is a body)', async () => {
    const r = await raw(sandbox, 'DELETE', `${podPath('a')}?dryRun=All&gracePeriodSeconds=0`, {});
    expect(r.status).toBe(200);
    // The body had no gracePeriodSeconds: the pod's own 3000 s applies, not the URL's 0.
    expect(r.body.metadata.deletionGracePeriodSeconds).toBe(3000);
    expect(sandbox.store.mustGet('pods', 'default', 'a').metadata.deletionTimestamp).toBeDefined();
  });

  it('delete.go: without a body the URL is read: ?dryRun=All changes nothing, ?gracePeriodSeconds=0 removes at once', async () => {
    const dry = await raw(sandbox, 'DELETE', `${podPath('a')}?dryRun=All`);
    expect(dry.status).toBe(200);
    expect(sandbox.store.mustGet('pods', 'default', 'a').metadata.deletionTimestamp).toBeUndefined();
    const now = await raw(sandbox, 'DELETE', `${podPath('a')}?gracePeriodSeconds=0`);
    expect(now.status).toBe(200);
    expect(sandbox.store.get('pods', 'default', 'a')).toBeUndefined();
  });

  it('delete.go: body gracePeriodSeconds 5 beats URL gracePeriodSeconds=0', async () => {
    const r = await raw(sandbox, 'DELETE', `${podPath('b')}?gracePeriodSeconds=0`, { gracePeriodSeconds: 5 });
    expect(r.status).toBe(200);
    expect(r.body.metadata.deletionGracePeriodSeconds).toBe(5);
  });

  it('delete.go: body dryRun ["All"] is honoured and URL propagationPolicy is not even validated', async () => {
    const r = await raw(sandbox, 'DELETE', `${podPath('b')}?propagationPolicy=Sideways`, { dryRun: ['All'], gracePeriodSeconds: 0 });
    expect(r.status).toBe(200);
    expect(sandbox.store.mustGet('pods', 'default', 'b').metadata.deletionTimestamp).toBeUndefined();
  });

  it.skipIf(!kubectl)('kubectl delete --dry-run=server (options in a protobuf body) deletes nothing', async () => {
    const out = await k.ok('delete', 'pod', 'c', '--dry-run=server');
    expect(out).toContain('pod "c" deleted (server dry run)');
    expect(sandbox.store.mustGet('pods', 'default', 'c').metadata.deletionTimestamp).toBeUndefined();
  }, 60_000);
});

describe('meta/v1 validation ValidateDeleteOptions', () => {
  it('ValidateDeleteOptions: an unknown propagationPolicy is a 422 listing "nil" among the supported values', async () => {
    const r = await raw(sandbox, 'DELETE', podPath('a'), { propagationPolicy: 'Sideways' });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
  });

  it('ValidateDeleteOptions: orphanDependents and propagationPolicy together are a 422', async () => {
    const r = await raw(sandbox, 'DELETE', podPath('a'), { propagationPolicy: 'Orphan', orphanDependents: true });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set');
  });
});

describe('rest/delete.go BeforeDelete: a second DELETE only shortens', () => {
  it('BeforeDelete: the new deadline counts from the original deletion (old deadline - old grace + new grace)', async () => {
    const first = await core.deleteNamespacedPod({ name: 'a', namespace: 'default', body: { gracePeriodSeconds: 3000 } });
    const t0 = Date.parse(String(first.metadata!.deletionTimestamp!.toISOString()));
    const second = await core.deleteNamespacedPod({ name: 'a', namespace: 'default', body: { gracePeriodSeconds: 1000 } });
    expect(second.metadata?.deletionGracePeriodSeconds).toBe(1000);
    expect(second.metadata!.deletionTimestamp!.getTime()).toBe(t0 - 2000 * 1000);
  });

  it('BeforeDelete: a longer grace period on a second DELETE changes nothing and answers the pod as it is', async () => {
    const first = await core.deleteNamespacedPod({ name: 'b', namespace: 'default', body: { gracePeriodSeconds: 1000 } });
    const again = await core.deleteNamespacedPod({ name: 'b', namespace: 'default', body: { gracePeriodSeconds: 2000 } });
    expect(again.metadata?.deletionGracePeriodSeconds).toBe(1000);
    expect(again.metadata?.deletionTimestamp?.getTime()).toBe(first.metadata?.deletionTimestamp?.getTime());
    expect(again.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);
  });

  it('BeforeDelete: shortening to 0 removes the pod; a negative grace period counts as 1 s', async () => {
    const neg = await raw(sandbox, 'DELETE', podPath('c'), { gracePeriodSeconds: -5 });
    expect(neg.body.metadata.deletionGracePeriodSeconds).toBe(1);
    await core.deleteNamespacedPod({ name: 'a', namespace: 'default', body: { gracePeriodSeconds: 1000 } });
    await core.deleteNamespacedPod({ name: 'a', namespace: 'default', body: { gracePeriodSeconds: 0 } });
    expect(sandbox.store.get('pods', 'default', 'a')).toBeUndefined();
    await waitFor('c removed after its 1 s', () => !sandbox.store.get('pods', 'default', 'c'));
  });

  it('BeforeDelete: a resourceVersion precondition that does not match is a 409 naming the Kind', async () => {
    const r = await raw(sandbox, 'DELETE', podPath('a'), { preconditions: { resourceVersion: '1' } });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/^Operation cannot be fulfilled on Pod "a": the ResourceVersion in the precondition \(1\) does not match the ResourceVersion in record \(\d+\)\. The object might have been modified$/);
  });
});

describe.skipIf(!kubectl)('kubectl delete against these rules', () => {
  it('delete.go + BeforeDelete: kubectl delete --grace-period=5 sends its options in the body and they apply', async () => {
    const r = await k.run('delete', 'pod', 'b', '--grace-period=5', '--wait=false');
    expect(r.code).toBe(0);
    expect(sandbox.store.mustGet('pods', 'default', 'b').metadata.deletionGracePeriodSeconds).toBe(5);
  }, 60_000);
});
