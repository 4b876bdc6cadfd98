import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import type { KObject } from '../../src/sandbox/store.js';
import { waitFor } from './api-fixture.js';
import { boundPod, condition, kubectl, raw, sandboxPerTest } from './fidelity-support.js';

// Finalizers as staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go honours them
// (Delete, updateForGracefulDeletionAndFinalizers, ShouldDeleteDuringUpdate), the garbage
// collector's orphan/foregroundDeletion finalizers (pkg/controller/garbagecollector), PVC and PV
// protection (pkg/controller/volume/pvcprotection, pvprotection) and namespace deletion
// (pkg/controller/namespace/deletion/namespaced_resources_deleter.go).

let sandbox: Sandbox;
const k = sandboxPerTest('maintenance', (s) => { sandbox = s; });

const pod = (ns: string, name: string) => sandbox.store.get('pods', ns, name);
const JOB_TRACKING = 'batch.kubernetes.io/job-tracking';

describe.skipIf(!kubectl)('finalizers hold every kind', () => {
  it('store.go: a pod with a finalizer survives a forced delete, marked with deletionTimestamp and grace 0, until the finalizer goes', async () => {
    sandbox.store.create('pods', boundPod('worker', 'shop', 'node01', { finalizers: [JOB_TRACKING] }));
    await sandbox.idle();
    const r = await k.run('delete', 'pod', 'worker', '-n', 'shop', '--force', '--grace-period=0', '--wait=false');
    expect(r.code).toBe(0);
    const held = pod('shop', 'worker')!;
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(held.metadata.finalizers).toEqual([JOB_TRACKING]);
    expect(await k.ok('get', 'pod', 'worker', '-n', 'shop')).toMatch(/worker\s+\S+\s+\S+/);

    await k.ok('patch', 'pod', 'worker', '-n', 'shop', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]');
    expect(pod('shop', 'worker')).toBeUndefined();
  }, 60_000);

  it('store.go: a gracefully deleted pod with the job-tracking finalizer stays after its containers stop', async () => {
    sandbox.store.create('pods', boundPod('job-pod', 'shop', 'node01', { finalizers: [JOB_TRACKING], grace: 1 }));
    await waitFor('job-pod running', () => pod('shop', 'job-pod')?.status?.phase === 'Running');
    await k.ok('delete', 'pod', 'job-pod', '-n', 'shop', '--wait=false');
    // The kubelet finished (grace 1 s x 0.02) and made its final DELETE: the finalizer holds the pod.
    const held = await waitFor('job-pod finished but held', () => {
      const p = pod('shop', 'job-pod');
      return p?.metadata.deletionGracePeriodSeconds === 0 ? p : undefined;
    });
    expect(held.metadata.finalizers).toEqual([JOB_TRACKING]);
    sandbox.store.mutate('pods', 'shop', 'job-pod', (p) => {
      p.metadata.finalizers = [];
    });
    expect(pod('shop', 'job-pod')).toBeUndefined();
  }, 60_000);

  it('store.go: a Deployment with a finalizer stays Terminating and its ReplicaSet stays; removing it cascades', async () => {
    sandbox.store.mutate('apps/deployments', 'shop', 'cart', (d) => {
      d.metadata.finalizers = ['example.com/hold'];
    });
    await k.ok('delete', 'deployment', 'cart', '-n', 'shop', '--wait=false');
    await sandbox.idle();
    const held = sandbox.store.mustGet('apps/deployments', 'shop', 'cart');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(sandbox.store.list('apps/replicasets', 'shop').items.some((rs) => rs.metadata.name.startsWith('cart-'))).toBe(true);

    await k.ok('patch', 'deployment', 'cart', '-n', 'shop', '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
    expect(sandbox.store.get('apps/deployments', 'shop', 'cart')).toBeUndefined();
    await waitFor('cart pods gone', () => !sandbox.store.list('pods', 'shop').items.some((p) => p.metadata.labels?.app === 'cart'));
  }, 60_000);

  it('validation.go ValidateObjectMetaUpdate: no new finalizers once deletion started', async () => {
    sandbox.store.create('pods', boundPod('held', 'shop', 'node01', { finalizers: ['example.com/a'] }));
    await k.ok('delete', 'pod', 'held', '-n', 'shop', '--wait=false');
    const r = await k.run('patch', 'pod', 'held', '-n', 'shop', '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/a","example.com/b"]}}');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}');
  }, 60_000);
});

describe.skipIf(!kubectl)('cascading deletion (garbagecollector)', () => {
  it('garbagecollector: --cascade=orphan leaves the pods, without ownerReferences, and the ReplicaSet goes', async () => {
    const rs = sandbox.store.list('apps/replicasets', 'shop').items.find((r) => r.metadata.name.startsWith('catalog-'))!;
    await k.ok('delete', 'deployment', 'catalog', '-n', 'shop', '--cascade=orphan');
    await k.ok('delete', 'rs', rs.metadata.name, '-n', 'shop', '--cascade=orphan');
    await sandbox.idle();
    expect(sandbox.store.get('apps/replicasets', 'shop', rs.metadata.name)).toBeUndefined();
    const left = sandbox.store.list('pods', 'shop').items.filter((p) => p.metadata.labels?.app === 'catalog');
    expect(left).toHaveLength(2);
    for (const p of left) expect(p.metadata.ownerReferences).toBeUndefined();
  }, 60_000);

  it('garbagecollector: --cascade=foreground keeps the Deployment (foregroundDeletion) until its pods are gone', async () => {
    await k.ok('delete', 'deployment', 'web', '-n', 'shop', '--cascade=foreground', '--wait=false');
    const d = sandbox.store.mustGet('apps/deployments', 'shop', 'web');
    expect(d.metadata.finalizers).toContain('foregroundDeletion');
    expect(d.metadata.deletionTimestamp).toBeDefined();
    await waitFor('web deployment gone last', () => {
      if (sandbox.store.get('apps/deployments', 'shop', 'web')) {
        expect(sandbox.store.list('pods', 'shop').items.some((p) => p.metadata.labels?.app === 'web') || sandbox.store.list('apps/replicasets', 'shop').items.some((r) => r.metadata.name.startsWith('web-'))).toBe(true);
        return false;
      }
      return true;
    }, 20_000);
    expect(sandbox.store.list('pods', 'shop').items.some((p) => p.metadata.labels?.app === 'web')).toBe(false);
  }, 60_000);
});

describe.skipIf(!kubectl)('storage object in use protection', () => {
  it('pvc_protection_controller.go: a claim a running pod mounts stays Terminating until the pod is gone', async () => {
    const claim = sandbox.store.mustGet('persistentvolumeclaims', 'shop', 'data-postgres-0');
    expect(claim.metadata.finalizers).toContain('kubernetes.io/pvc-protection');
    const pvName = claim.spec.volumeName as string;
    await k.ok('delete', 'pvc', 'data-postgres-0', '-n', 'shop', '--wait=false');
    await sandbox.idle();
    expect(await k.ok('get', 'pvc', 'data-postgres-0', '-n', 'shop')).toMatch(/data-postgres-0\s+Terminating/);
    // The StatefulSet would recreate postgres-0 at once; scale it away so the claim frees up.
    await k.ok('scale', 'statefulset', 'postgres', '-n', 'shop', '--replicas=0');
    await waitFor('claim gone', () => !sandbox.store.get('persistentvolumeclaims', 'shop', 'data-postgres-0'), 20_000);
    // Reclaim policy Delete: Released, then deleted (pv-protection lets a volume that is not Bound go).
    await waitFor('volume gone', () => !sandbox.store.get('persistentvolumes', undefined, pvName), 20_000);
  }, 60_000);

  it('pv_protection_controller.go: a Bound volume stays Terminating after kubectl delete pv', async () => {
    const pvName = sandbox.store.mustGet('persistentvolumeclaims', 'shop', 'data-postgres-0').spec.volumeName as string;
    await k.ok('delete', 'pv', pvName, '--wait=false');
    await sandbox.idle();
    const pv = sandbox.store.mustGet('persistentvolumes', undefined, pvName);
    expect(pv.metadata.deletionTimestamp).toBeDefined();
    expect(pv.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
    expect(await k.ok('get', 'pv', pvName)).toMatch(/Terminating|Bound/);
  }, 60_000);

  it('storageobjectinuseprotection admission: a new claim gets the pvc-protection finalizer', async () => {
    const created = await raw(sandbox, 'POST', '/api/v1/namespaces/shop/persistentvolumeclaims', {
      metadata: { name: 'scratch' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    expect(created.status).toBe(201);
    expect(created.body.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
  });
});

describe.skipIf(!kubectl)('namespace deletion', () => {
  it('namespaced_resources_deleter.go: a namespace is Terminating while its pods terminate, refuses new content, then goes', async () => {
    sandbox.store.create('pods', boundPod('lingering', 'shop', 'node01', { finalizers: ['example.com/hold'] }));
    await k.ok('delete', 'namespace', 'shop', '--wait=false');
    const ns = sandbox.store.mustGet('namespaces', undefined, 'shop');
    expect(ns.status.phase).toBe('Terminating');

    const refused = await raw(sandbox, 'POST', '/api/v1/namespaces/shop/pods', boundPod('late', 'shop', 'node01'));
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('pods "late" is forbidden: unable to create new content in namespace shop because it is being terminated');
    expect(refused.body.details.causes).toEqual([{ reason: 'NamespaceTerminating', message: 'namespace shop is being terminated', field: 'metadata.namespace' }]);

    const held = await waitFor('only the held pod remains', () => {
      const n = sandbox.store.get('namespaces', undefined, 'shop');
      const remaining = condition(n, 'NamespaceContentRemaining');
      return remaining?.message === 'Some resources are remaining: pods. has 1 resource instances' ? n : undefined;
    }, 20_000);
    expect(condition(held, 'NamespaceFinalizersRemaining')).toMatchObject({ status: 'True', message: 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances' });
    expect(await k.ok('get', 'ns', 'shop')).toMatch(/shop\s+Terminating/);

    sandbox.store.mutate('pods', 'shop', 'lingering', (p: KObject) => {
      p.metadata.finalizers = [];
    });
    await waitFor('namespace gone', () => !sandbox.store.get('namespaces', undefined, 'shop'));
    expect(sandbox.store.list('persistentvolumeclaims', 'shop').items).toEqual([]);
  }, 60_000);
});
