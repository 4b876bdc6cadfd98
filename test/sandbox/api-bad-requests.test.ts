import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../src/sandbox/http/server.js';
import { Store } from '../../src/sandbox/store.js';

// Raw HTTP against the API server alone (no controllers): every bad request gets the Status the
// real kube-apiserver answers with, and the server keeps serving afterwards.
let api: ApiServer;
let base: string;
let store: Store;

beforeAll(async () => {
  store = new Store();
  store.create('namespaces', { metadata: { name: 'default' } });
  store.create('pods', { metadata: { name: 'web-1', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  api = createApiServer({ store });
  base = `http://127.0.0.1:${await api.listen(0, '127.0.0.1')}`;
});

afterAll(async () => {
  await api?.close();
});

interface Reply {
  status: number;
  contentType: string;
  body: Record<string, unknown> & { message?: string; reason?: string; code?: number; details?: { causes?: { message?: string; field?: string; reason?: string }[] } };
  text: string;
}

async function call(method: string, path: string, body?: string | Buffer, contentType = 'application/json'): Promise<Reply> {
  const res = await fetch(`${base}${path}`, { method, headers: body !== undefined ? { 'Content-Type': contentType } : {}, body });
  const text = await res.text();
  let parsed: Reply['body'] = {};
  try {
    parsed = JSON.parse(text) as Reply['body'];
  } catch {
    // plain-text answers (404 page not found, pod logs)
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed, text };
}

/** After every bad request, a normal read still works. */
async function stillServing(): Promise<void> {
  const r = await call('GET', '/api/v1/namespaces/default/pods/web-1');
  expect(r.status).toBe(200);
  expect(r.body.metadata).toMatchObject({ name: 'web-1' });
}

describe('sandbox API: bad requests', () => {
  it('answers malformed JSON with 400 BadRequest', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/pods', '{"metadata": {"name": "x",');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(r.body.message).toMatch(/^couldn't get version\/kind; json parse error: /);
    await stillServing();
    const p = await call('PATCH', '/api/v1/namespaces/default/pods/web-1', '{nope', 'application/merge-patch+json');
    expect(p.status).toBe(400);
    await stillServing();
  });

  it('answers an unknown resource with the real 404 Status, and unknown paths with 404 page not found', async () => {
    const r = await call('GET', '/api/v1/namespaces/default/widgets');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    expect((await call('GET', '/apis/apps/v1/namespaces/default/pods')).status).toBe(404);
    const page = await call('GET', '/nothing/here');
    expect(page.status).toBe(404);
    expect(page.text).toBe('404 page not found\n');
    await stillServing();
  });

  it('answers a missing object and a missing namespace with 404 NotFound', async () => {
    const r = await call('GET', '/apis/apps/v1/namespaces/default/deployments/ghost');
    expect(r.body).toMatchObject({ code: 404, reason: 'NotFound', message: 'deployments.apps "ghost" not found', details: { name: 'ghost', group: 'apps', kind: 'deployments' } });
    const ns = await call('POST', '/api/v1/namespaces/nowhere/pods', JSON.stringify({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } }));
    expect(ns.status).toBe(404);
    expect(ns.body.message).toBe('namespaces "nowhere" not found');
    await stillServing();
  });

  it('answers an unsupported patch content type with 415', async () => {
    for (const ct of ['application/json', 'text/plain', 'application/apply-patch+yaml']) {
      const r = await call('PATCH', '/api/v1/namespaces/default/pods/web-1', '{"metadata":{}}', ct);
      expect(r.status).toBe(415);
      expect(r.body.reason).toBe('UnsupportedMediaType');
    }
    await stillServing();
  });

  it('answers invalid names with 422 Invalid, worded as the real server does', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'c', image: 'x' }] } }));
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe('Invalid');
    expect(r.body.message).toMatch(/^Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/);
    expect(r.body.details?.causes?.[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    await stillServing();
  });

  it('answers conflicts with 409: an existing name, a stale resourceVersion, a uid precondition', async () => {
    const exists = await call('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ metadata: { name: 'web-1' }, spec: { containers: [{ name: 'c', image: 'x' }] } }));
    expect(exists.status).toBe(409);
    expect(exists.body).toMatchObject({ reason: 'AlreadyExists', message: 'pods "web-1" already exists' });
    const stale = await call('PUT', '/api/v1/namespaces/default/pods/web-1', JSON.stringify({ metadata: { name: 'web-1', resourceVersion: '1' }, spec: { containers: [{ name: 'c', image: 'x' }] } }));
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on pods "web-1": the object has been modified; please apply your changes to the latest version and try again' });
    const pre = await call('DELETE', '/api/v1/namespaces/default/pods/web-1', JSON.stringify({ preconditions: { uid: 'x' } }));
    expect(pre.status).toBe(409);
    await stillServing();
  });

  it('answers methods a resource does not support with 405', async () => {
    expect((await call('POST', '/api/v1/namespaces/default/pods/web-1', '{}')).status).toBe(405);
    expect((await call('GET', '/api/v1/namespaces/default/pods/web-1/eviction')).status).toBe(405);
    expect((await call('DELETE', '/api/v1/namespaces')).status).toBe(405);
    await stillServing();
  });

  it('answers bad selectors, bad dryRun and mismatched names with 400', async () => {
    expect((await call('GET', '/api/v1/pods?labelSelector=a%20in%20(')).status).toBe(400);
    expect((await call('GET', '/api/v1/pods?fieldSelector=spec.nope%3D1')).body.message).toBe('field label not supported: spec.nope');
    expect((await call('POST', '/api/v1/namespaces/default/pods?dryRun=Some', '{}')).status).toBe(400);
    const mismatch = await call('PUT', '/api/v1/namespaces/default/pods/web-1', JSON.stringify({ metadata: { name: 'other' } }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.message).toBe('the name of the object (other) does not match the name on the URL (web-1)');
    const wrongKind = await call('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }));
    expect(wrongKind.status).toBe(400);
    expect((await call('DELETE', '/api/v1/namespaces/default/pods/web-1', Buffer.from('k8s\u0000garbage'), 'application/vnd.kubernetes.protobuf')).status).toBe(400);
    await stillServing();
  });

  it('answers a previous log of a container that never restarted with 400', async () => {
    store.mutate('pods', 'default', 'web-1', (p) => { p.status = { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }] }; });
    const r = await call('GET', '/api/v1/namespaces/default/pods/web-1/log?previous=true');
    expect(r.status).toBe(400);
    expect(r.body.message).toBe('previous terminated container "c" in pod "web-1" not found');
    const logs = await call('GET', '/api/v1/namespaces/default/pods/web-1/log?tailLines=3');
    expect(logs.status).toBe(200);
    expect(logs.text.trimEnd().split('\n')).toHaveLength(3);
    expect((await call('GET', '/api/v1/namespaces/default/pods/web-1/log?tailLines=3')).text).toBe(logs.text);
    await stillServing();
  });

  it('survives a body over the size limit and a client that hangs up mid-request', async () => {
    const big = await call('POST', '/api/v1/namespaces/default/pods', Buffer.alloc(4 * 1024 * 1024, 32));
    expect(big.status).toBe(413);
    const ctl = new AbortController();
    const pending = (async () => {
      const res = await fetch(`${base}/api/v1/pods?watch=1`, { signal: ctl.signal });
      const reader = res.body!.getReader();
      for (;;) if ((await reader.read()).done) return 'ended';
    })();
    setTimeout(() => ctl.abort(), 50);
    await expect(pending).rejects.toThrow();
    await stillServing();
  });
});
