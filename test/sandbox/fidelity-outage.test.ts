import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { eventually } from '../support/eventually.js';
import { countBy, recordEvictions } from '../support/evictions.js';
import { kubectl, runKubectl } from './fidelity-support.js';

// The sandbox's API outage (src/sandbox/http/api-outage.ts), as a real apiserver fails: a stopping
// one answers 503 with a Status and Retry-After (apiserver/pkg/server/filters/waitgroup.go), an
// overloaded one 429 in plain text with Retry-After (filters/maxinflight.go), and a dropped one
// cuts its watches, and an overloaded one holds requests in its priority-and-fairness queues,
// ejecting one whose client gave up (fairqueuing/queueset/queueset.go). What sitrep's retries
// (test/k8s/api-retry.test.ts) and its lost jobs (test/faults/redis-lost-job.test.ts) must survive.

let sandbox: Sandbox;
let viewer: string;
/** A cluster-admin who is not system:masters, so priority-and-fairness queues it. */
let operator: string;
beforeAll(async () => {
  sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02 });
  // A user with no grants but discovery: neither cluster-admin nor system:masters.
  viewer = (await sandbox.kubeconfigFor({ user: 'viewer' })).token;
  operator = (await sandbox.kubeconfigFor({ user: 'operator' })).token;
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'operator' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'operator' }] };
  expect((await sandbox.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { body: binding })).status).toBe(201);
});
afterAll(async () => {
  await sandbox?.close();
});

describe('POST /debug/sandbox/faults/outage', () => {
  it('is for cluster-admin only, checks its parameters, and takes POST only', async () => {
    expect((await sandbox.request('POST', '/debug/sandbox/faults/outage?durationMs=1000', { token: viewer })).status).toBe(403);
    const bad = await sandbox.request('POST', '/debug/sandbox/faults/outage?durationMs=soon');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: expect.stringMatching(/durationMs: must be a whole number/) });
    expect((await sandbox.request('POST', '/debug/sandbox/faults/outage?durationMs=1000&mode=flaky')).status).toBe(400);
    expect((await sandbox.request('GET', '/debug/sandbox/faults/outage?durationMs=1000')).status).toBe(405);
  });

  it.skipIf(!kubectl)('an out-of-process tool switches it on with kubectl create --raw, as docs/operations.md shows', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'sitrep-outage-'));
    try {
      const run = await runKubectl(sandbox.kubeconfigPath, cache, ['create', '--raw', '/debug/sandbox/faults/outage?durationMs=1000&mode=503', '-f', '-'], '{}');
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ fault: 'outage', durationMs: 1000, afterEvictions: 0, mode: '503', retryAfterSeconds: 1 });
      expect((await sandbox.request('GET', '/api/v1/nodes', { token: viewer })).status).toBe(503);
      await eventually(async () => (await sandbox.request('GET', '/api/v1/nodes')).status === 200, { what: 'the API back', timeoutMs: 10_000 });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 60_000);

  it('waitgroup.go: mode=503 answers a Status "apiserver is shutting down" with Retry-After: 1 until the outage ends', async () => {
    const on = await sandbox.request('POST', '/debug/sandbox/faults/outage?durationMs=1500&mode=503');
    expect(on.status).toBe(202);
    const res = await sandbox.request('GET', '/api/v1/nodes', { token: viewer });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(JSON.parse(res.text)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'apiserver is shutting down', reason: 'ServiceUnavailable', code: 503 });
    await eventually(async () => (await sandbox.request('GET', '/api/v1/nodes')).status === 200, { what: 'the API back', timeoutMs: 10_000 });
  });

  it('maxinflight.go: mode=429 answers plain text with Retry-After: 1, except to system:masters', async () => {
    sandbox.apiOutage({ durationMs: 1500, mode: '429' });
    const res = await sandbox.request('GET', '/api/v1/nodes', { token: viewer });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.text).toBe('Too many requests, please try again later.\n');
    expect((await sandbox.request('GET', '/api/v1/nodes')).status).toBe(200);
    await eventually(async () => (await sandbox.request('GET', '/api/v1/nodes', { token: viewer })).status === 403, { what: 'the API back', timeoutMs: 10_000 });
  });

  it('queueset.go: mode=queued holds requests until the outage ends, serves those still wanted, and never serves one its client gave up', async () => {
    const web = (JSON.parse((await sandbox.request('GET', '/api/v1/namespaces/shop/pods')).text) as { items: { metadata: { name: string } }[] }).items.find((p) => p.metadata.name.startsWith('checkout-'))!;
    sandbox.resetRequests();
    const before = sandbox.evictions().length;
    sandbox.apiOutage({ durationMs: 3000, mode: 'queued' });
    const giveUp = new AbortController();
    const abandoned = sandbox
      .request('POST', `/api/v1/namespaces/shop/pods/${web.metadata.name}/eviction`, { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: web.metadata.name, namespace: 'shop' } }, token: operator, signal: giveUp.signal })
      .then(() => 'answered', () => 'given up');
    const wanted = sandbox.request('GET', '/api/v1/nodes', { token: viewer });
    await eventually(() => sandbox.requests().waiting['create pods/eviction'] === 1 && sandbox.requests().waiting['list nodes'] === 1, { what: 'both requests queued' });
    // The exempt priority level: system:masters is never queued.
    expect((await sandbox.request('GET', '/api/v1/nodes')).status).toBe(200);
    giveUp.abort();
    expect(await abandoned).toBe('given up');
    await eventually(() => sandbox.requests().withdrawn['create pods/eviction'] === 1, { what: 'the abandoned eviction ejected from the queue' });
    expect((await wanted).status).toBe(403);
    expect(sandbox.requests().waiting).toEqual({});
    expect(sandbox.requests().withdrawn).toEqual({ 'create pods/eviction': 1 });
    // Ejected, never executed: the pod was not evicted when the queue let the others through.
    expect(sandbox.evictions().length).toBe(before);
    expect(JSON.parse((await sandbox.request('GET', `/api/v1/namespaces/shop/pods/${web.metadata.name}`)).text).metadata.deletionTimestamp).toBeUndefined();
  });

  it('mode=refuse drops every connection, even one accepted but not yet through its TLS handshake: nothing is served until the outage ends', async () => {
    const { hostname, port } = new URL(sandbox.url);
    // Accepted by the listener, no TLS yet: the HTTP server does not list it as a connection.
    const raw = connectTcp(Number(port), hostname);
    await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('error', reject));
    sandbox.apiOutage({ durationMs: 2000, mode: 'refuse' });
    const answer = await new Promise<string>((resolve) => {
      const secure = connectTls({ socket: raw, rejectUnauthorized: false, servername: hostname });
      let text = '';
      secure.once('secureConnect', () => secure.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`));
      secure.on('data', (d) => (text += String(d)));
      secure.once('error', () => resolve('dropped'));
      secure.once('close', () => resolve(text ? `answered: ${text.split('\r\n')[0]}` : 'dropped'));
    });
    expect(answer).toBe('dropped');
    await eventually(async () => (await sandbox.request('GET', '/api/v1/nodes').catch(() => ({ status: 0 }))).status === 200, { what: 'the API back', timeoutMs: 10_000 });
  });

  it('mode=reset after N evictions: the N accepted evictions are answered and counted by pod UID, then an open watch is cut and new requests are reset', async () => {
    const pods = (await sandbox.request('GET', '/api/v1/namespaces/shop/pods')).text;
    const items = (JSON.parse(pods) as { items: { metadata: { name: string; uid: string } }[] }).items;
    // Two pods no PodDisruptionBudget covers.
    const [a, b] = ['checkout-', 'catalog-'].map((prefix) => items.find((p) => p.metadata.name.startsWith(prefix)));
    sandbox.resetRequests();
    const accepted = recordEvictions(sandbox);
    const watch = sandbox.request('GET', '/api/v1/namespaces/shop/pods?watch=true&timeoutSeconds=60').then(() => 'ended', () => 'cut');
    await eventually(() => sandbox.requests().byVerb['watch pods'] === 1, { what: 'the watch open' });
    sandbox.apiOutage({ durationMs: 1500, afterEvictions: 2 });
    for (const p of [a!, b!]) {
      const res = await sandbox.request('POST', `/api/v1/namespaces/shop/pods/${p.metadata.name}/eviction`, { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata.name, namespace: 'shop' } } });
      expect(res.status).toBe(201);
    }
    expect(await watch).toBe('cut');
    await expect(sandbox.request('GET', '/api/v1/nodes')).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(countBy(accepted.list().map((e) => e.uid))).toEqual({ [a!.metadata.uid]: 1, [b!.metadata.uid]: 1 });
    await eventually(async () => (await sandbox.request('GET', '/api/v1/nodes').catch(() => ({ status: 0 }))).status === 200, { what: 'the API back', timeoutMs: 10_000 });
  });
});
