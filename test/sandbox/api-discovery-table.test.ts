import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDeleteOptions } from '../../src/sandbox/http/protobuf.js';
import { createApiServer, type ApiServer } from '../../src/sandbox/http/server.js';
import { Store, type KObject } from '../../src/sandbox/store.js';

// Discovery and Table output exactly as kubectl asks for them, over raw HTTP.
let api: ApiServer;
let base: string;
let store: Store;

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

function node(name: string, extra: { unschedulable?: boolean; ready?: string; roles?: string[] } = {}): KObject {
  return {
    metadata: { name, labels: Object.fromEntries((extra.roles ?? []).map((r) => [`node-role.kubernetes.io/${r}`, ''])) },
    spec: extra.unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: [{ type: 'Ready', status: extra.ready ?? 'True' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.7' }],
      nodeInfo: { kubeletVersion: 'v1.33.1', osImage: 'Ubuntu 24.04.2 LTS', kernelVersion: '6.8.0', containerRuntimeVersion: 'containerd://2.0.5' },
    },
  };
}

beforeAll(async () => {
  store = new Store();
  store.create('namespaces', { metadata: { name: 'default' } });
  store.create('nodes', node('cp01', { roles: ['control-plane'] }));
  store.create('nodes', node('node01', { unschedulable: true }));
  store.create('nodes', node('node02', { ready: 'Unknown' }));
  const running = { phase: 'Running', podIP: '10.1.0.5', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', ready: true, restartCount: 2, state: { running: {} } }] };
  store.create('pods', { metadata: { name: 'run', namespace: 'default' }, spec: { nodeName: 'node01', containers: [{ name: 'c', image: 'x' }] }, status: running });
  store.create('pods', { metadata: { name: 'term', namespace: 'default' }, spec: { nodeName: 'node01', containers: [{ name: 'c', image: 'x' }] }, status: running });
  store.create('pods', { metadata: { name: 'pending', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }, { name: 'd', image: 'y' }] }, status: { phase: 'Pending' } });
  const t = store.mustGet('pods', 'default', 'term');
  t.metadata.deletionTimestamp = new Date(Date.now() + 30_000).toISOString();
  t.metadata.deletionGracePeriodSeconds = 30;
  store.update('pods', t, { setDeletion: true });
  api = createApiServer({ store });
  base = `http://127.0.0.1:${await api.listen(0, '127.0.0.1')}`;
});

afterAll(async () => {
  await api?.close();
});

async function getJson(path: string, accept = 'application/json'): Promise<{ status: number; type: string; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads arbitrary JSON shapes
  const res = await fetch(`${base}${path}`, { headers: { Accept: accept } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
}

describe('sandbox API: discovery', () => {
  it('serves legacy discovery as plain JSON even when aggregated discovery is asked for', async () => {
    const aggregated = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const apis = await getJson('/apis', aggregated);
    expect(apis.type).toBe('application/json');
    expect(apis.body.kind).toBe('APIGroupList');
    expect(apis.body.groups.map((g: { name: string }) => g.name)).toEqual(['apps', 'policy', 'storage.k8s.io', 'coordination.k8s.io', 'rbac.authorization.k8s.io', 'authorization.k8s.io', 'authentication.k8s.io']);
    const core = await getJson('/api', aggregated);
    expect(core.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await getJson('/version')).body.gitVersion).toBe('v1.33.1');
  });

  it('lists subresources with their own group/version/kind', async () => {
    const v1 = await getJson('/api/v1');
    const byName = new Map(v1.body.resources.map((r: { name: string }) => [r.name, r]));
    expect(byName.get('pods/eviction')).toMatchObject({ group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'], namespaced: true });
    expect(byName.get('pods')).toMatchObject({ kind: 'Pod', singularName: 'pod', shortNames: ['po'] });
    const appsV1 = await getJson('/apis/apps/v1');
    const scale = appsV1.body.resources.find((r: { name: string }) => r.name === 'deployments/scale');
    expect(scale).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    expect((await fetch(`${base}/healthz`).then((r) => r.text()))).toBe('ok');
  });
});

describe('sandbox API: Table output', () => {
  it('prints pods as kubectl get pods does, Terminating included', async () => {
    const t = await getJson('/api/v1/namespaces/default/pods', TABLE_ACCEPT);
    expect(t.body.kind).toBe('Table');
    expect(t.body.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0', 'Ready:0', 'Status:0', 'Restarts:0', 'Age:0', 'IP:1', 'Node:1', 'Nominated Node:1', 'Readiness Gates:1',
    ]);
    const rows = new Map(t.body.rows.map((r: { cells: unknown[] }) => [r.cells[0], r.cells]));
    expect(rows.get('run')).toEqual(['run', '1/1', 'Running', '2', expect.any(String), '10.1.0.5', 'node01', '<none>', '<none>']);
    expect((rows.get('term') as unknown[])[2]).toBe('Terminating');
    expect((rows.get('pending') as unknown[]).slice(0, 3)).toEqual(['pending', '0/2', 'Pending']);
    expect(t.body.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { namespace: 'default' } });
    expect(t.body.metadata.resourceVersion).toBe(store.resourceVersion);
    const full = await getJson('/api/v1/namespaces/default/pods?includeObject=Object', TABLE_ACCEPT);
    expect(full.body.rows[0].object.kind).toBe('Pod');
    const bare = await getJson('/api/v1/namespaces/default/pods?includeObject=None', TABLE_ACCEPT);
    expect(bare.body.rows[0].object).toBeUndefined();
  });

  it('prints nodes with cordon, NotReady and roles', async () => {
    const t = await getJson('/api/v1/nodes', TABLE_ACCEPT);
    const rows = new Map(t.body.rows.map((r: { cells: unknown[] }) => [r.cells[0], r.cells]));
    expect((rows.get('cp01') as unknown[]).slice(1, 3)).toEqual(['Ready', 'control-plane']);
    expect((rows.get('node01') as unknown[]).slice(1, 3)).toEqual(['Ready,SchedulingDisabled', '<none>']);
    expect((rows.get('node02') as unknown[])[1]).toBe('NotReady');
    expect(rows.get('node01')).toEqual(['node01', 'Ready,SchedulingDisabled', '<none>', expect.any(String), 'v1.33.1', '10.0.0.7', '<none>', 'Ubuntu 24.04.2 LTS', '6.8.0', 'containerd://2.0.5']);
  });

  it('pages Tables with limit and continue', async () => {
    const first = await getJson('/api/v1/pods?limit=2', TABLE_ACCEPT);
    expect(first.body.rows).toHaveLength(2);
    expect(first.body.metadata.continue).toBeTruthy();
    const rest = await getJson(`/api/v1/pods?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`, TABLE_ACCEPT);
    expect(rest.body.rows.map((r: { cells: string[] }) => r.cells[0])).toEqual(['term']);
    expect(rest.body.metadata.continue).toBeUndefined();
  });
});

describe('sandbox API: protobuf DELETE bodies and request counts', () => {
  it('reads gracePeriodSeconds and preconditions from a protobuf DeleteOptions, as kubectl sends it', async () => {
    api.resetRequests();
    const uid = store.mustGet('pods', 'default', 'run').metadata.uid!;
    const wrong = await fetch(`${base}/api/v1/namespaces/default/pods/run`, {
      method: 'DELETE', headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body: encodeDeleteOptions({ gracePeriodSeconds: 0, preconditions: { uid: 'other' }, propagationPolicy: 'Background' }),
    });
    expect(wrong.status).toBe(409);
    const ok = await fetch(`${base}/api/v1/namespaces/default/pods/run`, {
      method: 'DELETE', headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' }, body: encodeDeleteOptions({ gracePeriodSeconds: 0, preconditions: { uid }, propagationPolicy: 'Background' }),
    });
    expect(ok.status).toBe(200);
    expect(store.get('pods', 'default', 'run')).toBeUndefined();

    await getJson('/api/v1');
    await getJson('/api/v1/pods');
    const counts = (await getJson('/debug/requests')).body;
    expect(counts).toMatchObject({ total: 3, byVerb: { 'delete pods': 2, 'list pods': 1 }, discovery: 1 });
    expect(api.requests().byVerb).toEqual({ 'delete pods': 2, 'list pods': 1 });
  });
});
