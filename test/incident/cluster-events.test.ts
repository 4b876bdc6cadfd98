import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterNoteSchema, clusterNotesStream, type ClusterNote } from '../../src/core/cluster-event.js';
import { appendClusterNote, IncidentStore, Timeline } from '../../src/incident/index.js';
import { createKubeClients, loadKubeConfig } from '../../src/k8s/kube-clients.js';
import { listAll } from '../../src/k8s/list-all.js';
import { Reflector } from '../../src/k8s/reflector.js';
import { StreamGroupReader } from '../../src/queue/stream-reader.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ClusterEventStream } from '../../src/worker/cluster-event-stream.js';
import { eventually } from '../support/eventually.js';
import { leastPrivilegeKubeconfig } from '../support/least-privilege.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

const prefix = 'ce';
let redis: TestRedis;
let sandbox: Sandbox;
let stream: ClusterEventStream;
let relay: StreamGroupReader<ClusterNote>;
let incidents: IncidentStore;
let timeline: Timeline;

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02 });
  // As the worker runs: its ServiceAccount with deploy/kubernetes/rbac.yaml (watch on events and nodes).
  const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: await leastPrivilegeKubeconfig(sandbox) }));
  const logger = pino({ level: 'silent' });
  incidents = new IncidentStore(redis.client(), { prefix });
  timeline = new Timeline(redis.client(), { prefix });
  stream = new ClusterEventStream({ kube, redis: redis.client(), prefix, logger, pollMs: 100, flushMs: 200 });
  stream.start();
  relay = new StreamGroupReader(redis.client(), clusterNotesStream(prefix), { consumer: 'test', blockMs: 100 }, (raw) => ClusterNoteSchema.parse(JSON.parse(raw)));
  await relay.start(async (note) => void (await appendClusterNote(incidents, timeline, note)));
}, 60_000);

afterAll(async () => {
  await relay?.stop();
  await stream?.stop();
  await sandbox?.close();
  await redis?.stop();
});

async function clusterEntries(incidentId: string) {
  return (await timeline.read(incidentId)).filter((e) => e.kind === 'cluster.event');
}

describe('the cluster on the incident timeline', () => {
  it('with no incident open, the worker watches nothing', async () => {
    await eventually(() => stream.stats.polls >= 3, { what: 'three polls' });
    expect(stream.watching).toBe(false);
    expect(stream.stats.activations).toBe(0);
  });

  it('node02 going NotReady reaches the open incident, through Redis, as the cluster\'s entry', async () => {
    const incident = await incidents.start({ channelId: 'C1', title: 'node02 down', startedBy: 'U1' });
    await incidents.watchCluster(incident.id, 'sandbox', incident.startedAt);
    await eventually(() => stream.watching, { what: 'the watch to start' });
    sandbox.setNodeDown('node02');
    const entry = await eventually(async () => (await clusterEntries(incident.id)).find((e) => /NodeNotReady node02/.test(e.text)), { what: 'NodeNotReady on the timeline', timeoutMs: 20_000 });
    expect(entry.actor).toBe('cluster:sandbox');
    expect(entry.data).toMatchObject({ reason: 'NodeNotReady', node: 'node02', objects: ['node/node02'] });
    // The node's Ready condition change is its own entry.
    const ready = await eventually(async () => (await clusterEntries(incident.id)).find((e) => /Ready True → Unknown/.test(e.text)), { what: 'the Ready condition change' });
    expect(ready.text).toMatch(/^NodeCondition node02: Ready True → Unknown \(NodeStatusUnknown: Kubelet stopped posting node status\.\)/);
    sandbox.setNodeUp('node02');
    await eventually(async () => (await clusterEntries(incident.id)).find((e) => /NodeReady node02/.test(e.text)), { what: 'NodeReady on the timeline' });
    await incidents.resolve(incident.id, 'U1');
    await eventually(() => !stream.watching, { what: 'the watch to stop once no incident wants it' });
  }, 60_000);

  it('50 evictions from a dead node collapse into one timeline entry with the 50 pods attached', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(sandbox.kubeconfigPath);
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'flood' },
        spec: {
          replicas: 50,
          selector: { matchLabels: { app: 'flood' } },
          template: {
            metadata: { labels: { app: 'flood' } },
            spec: { nodeSelector: { 'kubernetes.io/hostname': 'node03' }, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
          },
        },
      },
    });
    await eventually(async () => (await apps.readNamespacedDeployment({ name: 'flood', namespace: 'default' })).status?.readyReplicas === 50, { what: '50 pods ready', timeoutMs: 30_000 });
    const incident = await incidents.start({ channelId: 'C2', title: 'node03 lost', startedBy: 'U1' });
    await incidents.watchCluster(incident.id, 'sandbox', incident.startedAt);
    await eventually(() => stream.watching, { what: 'the watch to start' });
    sandbox.setNodeDown('node03');
    // The taint manager evicts every pod once the default 300 s toleration passes (6 s here).
    const flood = await eventually(async () => (await clusterEntries(incident.id)).find((e) => /TaintManagerEviction/.test(e.text) && e.data?.node === 'node03'), { what: 'the eviction entry', timeoutMs: 40_000 });
    // node03 also ran a few of the scenario's pods: they are in the same entry, and counted.
    const objects = flood.data!.objects as string[];
    expect(objects.filter((o) => o.startsWith('pod/default/flood-'))).toHaveLength(50);
    expect(flood.text).toBe(`${objects.length} pods evicted from node03 (TaintManagerEviction)`);
    // Exactly one entry for the 50 evictions, and the pods' NodeNotReady marks collapse the same way.
    const all = await clusterEntries(incident.id);
    expect(all.filter((e) => /TaintManagerEviction/.test(e.text) && e.data?.node === 'node03')).toHaveLength(1);
    expect(all.filter((e) => (e.data?.objects as string[]).some((o) => o.startsWith('pod/default/flood-')) && e.data?.reason === 'NodeNotReady')).toHaveLength(1);
    sandbox.setNodeUp('node03');
    await incidents.resolve(incident.id, 'U1');
  }, 90_000);
});

describe('Reflector (client-go reflector.go): list, watch with bookmarks, 410', () => {
  it('a watch whose resourceVersion was compacted away lists again and resumes; events seen once', async () => {
    const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: sandbox.kubeconfigPath }));
    const controller = new AbortController();
    const seen: string[] = [];
    const recovered: string[] = [];
    let lists = 0;
    const reflector = new Reflector<{ metadata?: { name?: string; resourceVersion?: string } }>(kube.kubeConfig, {
      path: '/api/v1/namespaces',
      signal: controller.signal,
      reconnectDelayMs: 50,
      onRecover: (what) => recovered.push(what),
      list: async (signal) => {
        const r = await listAll((cont, limit) => kube.core.listNamespace({ _continue: cont, limit }), { signal });
        // The first list is already too old when its watch starts: compaction passed it.
        if (lists++ === 0) {
          sandbox.store.create('namespaces', { metadata: { name: 'churn-a' } });
          sandbox.compact();
        }
        return r as never;
      },
      onList: (items) => seen.push(`list:${items.length}`),
      onEvent: (type, o) => seen.push(`${type}:${o.metadata?.name}`),
    });
    try {
      await reflector.start();
      await eventually(() => reflector.stats.expired >= 1 && reflector.stats.watches >= 2, { what: 'the 410 and a second watch' });
      expect(recovered).toContain('watch of /api/v1/namespaces expired (410 Gone); listing again');
      expect(reflector.stats.lists).toBe(2);
      sandbox.store.create('namespaces', { metadata: { name: 'churn-b' } });
      await eventually(() => seen.includes('ADDED:churn-b'), { what: 'the namespace made after the relist' });
      // churn-a came in through the second list, not as a watch event replayed from before it.
      expect(seen.filter((s) => s === 'ADDED:churn-a')).toHaveLength(0);
    } finally {
      controller.abort();
    }
  });

  it('a watch cut by an API outage watches again from its resourceVersion once the API answers, without listing again; nothing made meanwhile is missed', async () => {
    const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: sandbox.kubeconfigPath }));
    const controller = new AbortController();
    const seen: string[] = [];
    const recovered: string[] = [];
    const reflector = new Reflector<{ metadata?: { name?: string; resourceVersion?: string } }>(kube.kubeConfig, {
      path: '/api/v1/namespaces',
      signal: controller.signal,
      reconnectDelayMs: 50,
      onRecover: (what) => recovered.push(what),
      list: (signal) => listAll((cont, limit) => kube.core.listNamespace({ _continue: cont, limit }), { signal }) as never,
      onList: (items) => seen.push(`list:${items.length}`),
      onEvent: (type, o) => seen.push(`${type}:${o.metadata?.name}`),
    });
    try {
      await reflector.start();
      await eventually(() => reflector.stats.watches >= 1, { what: 'the watch' });
      sandbox.apiOutage({ durationMs: 1000, mode: 'reset' });
      await eventually(() => recovered.length > 0, { what: 'the watch cut' });
      sandbox.store.create('namespaces', { metadata: { name: 'made-while-cut' } });
      await eventually(() => seen.includes('ADDED:made-while-cut'), { what: 'the namespace made while the watch was down', timeoutMs: 20_000 });
      expect(reflector.stats.lists).toBe(1);
      expect(recovered[0]).toBe('watch of /api/v1/namespaces cut; watching again from its resourceVersion');
    } finally {
      controller.abort();
    }
  });
});
