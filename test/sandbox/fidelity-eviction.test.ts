import { CoreV1Api, PolicyV1Api } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../src/sandbox/http/server.js';
import type { Sandbox } from '../../src/sandbox/start-sandbox.js';
import { Store } from '../../src/sandbox/store.js';
import { statusOf, waitFor } from './api-fixture.js';
import { boundPod, condition, kubeConfigOf, kubectl, raw, sandboxPerTest } from './fidelity-support.js';

// The eviction subresource as kubernetes/kubernetes pkg/registry/core/pod/storage/eviction.go
// (1.29+: empty-selector fix #119732, DisruptionTarget from PodDisruptionConditions) decides.

let sandbox: Sandbox;
let core: CoreV1Api;
let policy: PolicyV1Api;
const k = sandboxPerTest('maintenance', (s) => {
  sandbox = s;
  const kc = kubeConfigOf(sandbox.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  policy = kc.makeApiClient(PolicyV1Api);
});

const pods = (app: string) => sandbox.store.list('pods', 'shop').items.filter((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);
/** Every pod of shop: an empty-selector budget with minAvailable this high allows no disruption. */
const shopPods = () => sandbox.store.list('pods', 'shop').items.length;
const evictionPath = (name: string) => `/api/v1/namespaces/shop/pods/${name}/eviction`;
const eviction = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'shop' }, ...extra });

async function pdb(name: string, spec: Record<string, unknown>): Promise<void> {
  await policy.createNamespacedPodDisruptionBudget({ namespace: 'shop', body: { metadata: { name }, spec } });
  await waitFor(`${name} observed`, () => sandbox.store.get('policy/poddisruptionbudgets', 'shop', name)?.status?.observedGeneration === 1);
}

describe('eviction.go: which budgets a pod has', () => {
  it('eviction.go: a PDB with an empty selector {} covers every pod of the namespace: 429 when it allows nothing', async () => {
    await pdb('everything', { selector: {}, minAvailable: shopPods() });
    const [checkout] = pods('checkout');
    const r = await raw(sandbox, 'POST', evictionPath(checkout.metadata.name), eviction(checkout.metadata.name));
    expect(r.status).toBe(429);
    expect(r.body.details.causes).toEqual([{ reason: 'DisruptionBudget', message: expect.stringMatching(/^The disruption budget everything needs \d+ healthy pods and has \d+ currently$/) }]);
    expect(sandbox.store.mustGet('pods', 'shop', checkout.metadata.name).metadata.deletionTimestamp).toBeUndefined();
  });

  it('eviction.go: an empty selector plus the web PDB is two budgets for a web pod: the bare 500 Status', async () => {
    await pdb('everything', { selector: {}, maxUnavailable: 1 });
    const [web] = pods('web');
    const r = await raw(sandbox, 'POST', evictionPath(web.metadata.name), eviction(web.metadata.name));
    expect(r.status).toBe(500);
    expect(r.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 });
  });

  it('eviction.go: a PDB without a selector covers nothing', async () => {
    sandbox.store.create('policy/poddisruptionbudgets', { metadata: { name: 'none', namespace: 'shop' }, spec: { maxUnavailable: 0 } });
    await sandbox.idle();
    const [checkout] = pods('checkout');
    const r = await raw(sandbox, 'POST', evictionPath(checkout.metadata.name), eviction(checkout.metadata.name));
    expect(r.status).toBe(201);
  });
});

describe('eviction.go: the request itself', () => {
  it('eviction.go: an Eviction that names another pod, or none, is a 400', async () => {
    const [web] = pods('web');
    const other = await raw(sandbox, 'POST', evictionPath(web.metadata.name), eviction('someone-else'));
    expect(other.status).toBe(400);
    expect(other.body.message).toBe('name in URL does not match name in Eviction object');
    const unnamed = await raw(sandbox, 'POST', evictionPath(web.metadata.name), { apiVersion: 'policy/v1', kind: 'Eviction', metadata: {} });
    expect(unnamed.status).toBe(400);
  });

  it('eviction.go propagateDryRun: the URL dryRun fills an Eviction whose deleteOptions name none', async () => {
    const [web] = pods('web');
    const r = await raw(sandbox, 'POST', `${evictionPath(web.metadata.name)}?dryRun=All`, eviction(web.metadata.name, { deleteOptions: { dryRun: [] } }));
    expect(r.status).toBe(201);
    expect(sandbox.store.mustGet('pods', 'shop', web.metadata.name).metadata.deletionTimestamp).toBeUndefined();
  });


  it('eviction.go checkAndDecrement: the budget-spent 429 has no Retry-After', async () => {
    const [a, b] = pods('web');
    expect((await raw(sandbox, 'POST', evictionPath(a.metadata.name), eviction(a.metadata.name))).status).toBe(201);
    const r = await raw(sandbox, 'POST', evictionPath(b.metadata.name), eviction(b.metadata.name));
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBeNull();
    expect(r.body.details.causes[0].message).toBe('The disruption budget web needs 2 healthy pods and has 2 currently');
  });
});

describe('eviction.go addConditionAndDeletePod', () => {
  it('eviction.go: an evicted pod is marked DisruptionTarget (EvictionByEvictionAPI) before it is deleted', async () => {
    const [checkout] = pods('checkout');
    await core.createNamespacedPodEviction({ name: checkout.metadata.name, namespace: 'shop', body: eviction(checkout.metadata.name) });
    const evicted = sandbox.store.mustGet('pods', 'shop', checkout.metadata.name);
    expect(evicted.metadata.deletionTimestamp).toBeDefined();
    expect(condition(evicted, 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
  });

  it('eviction.go: a dry-run eviction neither marks nor deletes', async () => {
    const [checkout] = pods('checkout');
    await core.createNamespacedPodEviction({ name: checkout.metadata.name, namespace: 'shop', dryRun: 'All', body: eviction(checkout.metadata.name) });
    const p = sandbox.store.mustGet('pods', 'shop', checkout.metadata.name);
    expect(p.metadata.deletionTimestamp).toBeUndefined();
    expect(condition(p, 'DisruptionTarget')).toBeUndefined();
  });

  it('the sandbox records each accepted eviction by UID, a second one of a terminating pod too, and no dry run or refusal', async () => {
    const [checkout] = pods('checkout');
    const body = eviction(checkout.metadata.name);
    await core.createNamespacedPodEviction({ name: checkout.metadata.name, namespace: 'shop', dryRun: 'All', body });
    await sandbox.request('POST', evictionPath(checkout.metadata.name), { body: eviction('someone-else') });
    expect(sandbox.evictions()).toEqual([]);
    await core.createNamespacedPodEviction({ name: checkout.metadata.name, namespace: 'shop', body });
    // Still terminating (grace period): the API accepts it again, as eviction.go's canIgnorePDB does.
    await core.createNamespacedPodEviction({ name: checkout.metadata.name, namespace: 'shop', body });
    expect(sandbox.evictions().map((e) => [e.namespace, e.name, e.uid])).toEqual([
      ['shop', checkout.metadata.name, checkout.metadata.uid],
      ['shop', checkout.metadata.name, checkout.metadata.uid],
    ]);
  });

  it('eviction.go: a UID precondition for another pod is a 409', async () => {
    const [checkout] = pods('checkout');
    const err = await core.createNamespacedPodEviction({ name: checkout.metadata.name, namespace: 'shop', body: eviction(checkout.metadata.name, { deleteOptions: { preconditions: { uid: 'not-this-one' } } }) }).catch((e: unknown) => e);
    expect(statusOf(err).code).toBe(409);
    expect(statusOf(err).message).toMatch(/^Operation cannot be fulfilled on Pod ".+": the UID in the precondition \(not-this-one\) does not match the UID in record/);
  });
});

describe.skipIf(!kubectl)('kubectl drain against these rules', () => {
  it('eviction.go: kubectl drain retries the empty-selector budget and gives up at --timeout', async () => {
    await pdb('everything', { selector: {}, minAvailable: shopPods() });
    const r = await k.run('drain', 'node02', '--ignore-daemonsets', '--delete-emptydir-data', '--force', '--pod-selector=app=checkout', '--timeout=3s');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(pods('checkout')).toHaveLength(1);
  }, 60_000);
});

// The cases below need budget states only a stalled or buggy disruption controller leaves, or a
// pod that stays unready: an API server over a store with no controllers running.
describe('eviction.go with no controllers running', () => {
  let store: Store;
  let api: ApiServer;
  let base: string;
  const post = async (name: string) => {
    const res = await fetch(`${base}/api/v1/namespaces/shop/pods/${name}/eviction`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(eviction(name)) });
    return { status: res.status, headers: res.headers, body: await res.json() as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- Status JSON
  };
  const budget = (name: string, status: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const created = store.create('policy/poddisruptionbudgets', { metadata: { name, namespace: 'shop' }, spec: { minAvailable: 1, selector: { matchLabels: { app: name } }, ...extra } });
    store.mutate('policy/poddisruptionbudgets', 'shop', created.metadata.name, (p) => {
      p.status = status;
    });
  };
  const running = (name: string, app: string, ready: boolean) => store.create('pods', {
    ...boundPod(name, 'shop', 'node01', { labels: { app } }),
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });

  beforeEach(async () => {
    store = new Store();
    store.create('namespaces', { metadata: { name: 'shop' } });
    api = createApiServer({ store });
    base = `http://127.0.0.1:${await api.listen(0, '127.0.0.1')}`;
  });
  afterEach(async () => {
    await api.close();
  });

  it('eviction.go createTooManyRequestsError: a budget not yet observed is a 429 with Retry-After: 10', async () => {
    running('lag-1', 'lag', true);
    budget('lag', { observedGeneration: 0, disruptionsAllowed: 1 });
    const r = await post('lag-1');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('10');
    expect(r.body).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.", details: { retryAfterSeconds: 10, causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget lag is still being processed by the server.' }] } });
  });

  it('eviction.go checkAndDecrement: a negative disruptionsAllowed is a 403 naming poddisruptionbudget.policy', async () => {
    running('neg-1', 'neg', true);
    budget('neg', { observedGeneration: 1, disruptionsAllowed: -1 });
    const r = await post('neg-1');
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ reason: 'Forbidden', message: 'poddisruptionbudget.policy "neg" is forbidden: pdb disruptions allowed is negative', details: { name: 'neg', group: 'policy', kind: 'poddisruptionbudget' } });
  });

  it('eviction.go: an unready pod goes under a healthy budget without spending it, and with AlwaysAllow even when the budget is short', async () => {
    running('sick-1', 'sick', false);
    budget('sick', { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 });
    expect((await post('sick-1')).status).toBe(201);
    expect(store.mustGet('policy/poddisruptionbudgets', 'shop', 'sick').status.disruptionsAllowed).toBe(0);

    running('short-1', 'short', false);
    budget('short', { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 });
    expect((await post('short-1')).status).toBe(429);
    running('always-1', 'always', false);
    budget('always', { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 }, { unhealthyPodEvictionPolicy: 'AlwaysAllow' });
    expect((await post('always-1')).status).toBe(201);
  });

  it('eviction.go checkAndDecrement: an accepted eviction takes one disruption and records the pod in disruptedPods', async () => {
    running('ok-1', 'ok', true);
    budget('ok', { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1 });
    expect((await post('ok-1')).status).toBe(201);
    const status = store.mustGet('policy/poddisruptionbudgets', 'shop', 'ok').status;
    expect(status.disruptionsAllowed).toBe(0);
    expect(Object.keys(status.disruptedPods)).toEqual(['ok-1']);
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods' })]);
  });
});
