import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { parseCommand } from '../../commands/parse.js';
import { signedExecution } from '../support/signed-execution.js';
import { argsFor } from '../../src/core/verbs/contract.js';
import { OPERATION_JOBS } from '../../jobs/registry.js';
import { systemClock } from '../../src/core/clock.js';
import { createKubeClients, loadKubeConfig, type KubeClients } from '../../src/k8s/kube-clients.js';
import { callOptions, mergePatch } from '../../src/k8s/request-options.js';
import { JobEventEnvelopeSchema, type JobEventEnvelope } from '../../src/queue/job-events.js';
import { JobProducer } from '../../src/queue/job-producer.js';
import { QueueKeys } from '../../src/queue/keys.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { WorkerRegistry } from '../../src/queue/worker-registry.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { makeJobContext } from '../jobs/support/job-context.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { ROOT, spawnScript, type Spawned } from './support/processes.js';

const SHUTDOWN_MS = 10_000;
const FIXTURE = join(ROOT, 'test', 'ops', 'fixtures', 'worker.ts');

let redis: TestRedis;
let sandbox: Sandbox;
let kube: KubeClients;
let keys: QueueKeys;
const workers: { proc: Spawned; id: string }[] = [];

/** Pods whose deletion began (eviction or delete), counted per UID, from the sandbox's own store. */
const deletionsBegun = new Map<string, { ref: string; times: number }>();

async function startWorker(): Promise<{ proc: Spawned; id: string }> {
  const proc = spawnScript(FIXTURE, { KUBECONFIG: sandbox.kubeconfigPath, REDIS_URL: redis.url, SITREP_PREFIX: keys.prefix, TEST_SHUTDOWN_MS: String(SHUTDOWN_MS), TEST_LOCK_MS: '5000' });
  const id = await eventually(() => {
    const line = proc.output().split('\n').find((l) => l.startsWith('{"ready"'));
    return line ? (JSON.parse(line) as { workerId: string }).workerId : undefined;
  }, { what: 'worker ready', timeoutMs: 60_000, describe: () => proc.output() });
  const w = { proc, id };
  workers.push(w);
  return w;
}

async function events(jobId: string): Promise<JobEventEnvelope[]> {
  const rows = await redis.client().xrange(keys.events, '-', '+');
  return rows.map(([, fields]) => JobEventEnvelopeSchema.parse(JSON.parse(fields[fields.indexOf('e') + 1]))).filter((e) => e.jobId === jobId);
}

const isDaemonOrMirror = (p: V1Pod) => p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') || p.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined;

async function podsOn(node: string): Promise<V1Pod[]> {
  return (await kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
}

const setWebPdb = (minAvailable: number) =>
  kube.policy.patchNamespacedPodDisruptionBudget({ name: 'web', namespace: 'shop', body: { spec: { minAvailable } } }, callOptions({ patch: mergePatch }));

beforeAll(async () => {
  [redis, sandbox] = await Promise.all([startTestRedis(), startSandbox({ scenario: 'maintenance', timeScale: 0.02 })]);
  kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: sandbox.kubeconfigPath }));
  keys = new QueueKeys(`t${randomBytes(4).toString('hex')}`);
  sandbox.store.subscribe((e) => {
    if (e.key !== 'pods') return;
    const before = e.previous?.metadata?.deletionTimestamp;
    const began = (e.type === 'MODIFIED' && !before && e.object.metadata?.deletionTimestamp) || (e.type === 'DELETED' && !before);
    if (!began) return;
    const uid = String(e.object.metadata?.uid);
    const entry = deletionsBegun.get(uid) ?? { ref: `${e.object.metadata?.namespace}/${e.object.metadata?.name}`, times: 0 };
    entry.times++;
    deletionsBegun.set(uid, entry);
  });
  await Promise.all([startWorker(), startWorker()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.proc.stop('SIGKILL')));
  await Promise.all([sandbox?.close(), redis?.stop()]);
});

describe('graceful shutdown', () => {
  it('SIGTERM during a drain: the worker exits cleanly in time and another finishes the drain, evicting no pod twice', async (ctx) => {
    if (!OPERATION_JOBS.drain) {
      ctx.skip();
      return;
    }
    // A PDB that allows no disruption keeps the drain waiting on node02's web pod.
    await setWebPdb(3);
    const toDrain = (await podsOn('node02')).filter((p) => !isDaemonOrMirror(p));
    expect(toDrain.length).toBeGreaterThan(1);

    const parsed = parseCommand('/k8s', 'drain node02 --delete-emptydir-data --force --timeout 5m');
    if (!parsed.ok) throw parsed.error;
    const client = redis.client();
    const plan = await OPERATION_JOBS.drain.plan(argsFor(OPERATION_JOBS.drain.verb, parsed.args), makeJobContext({ kube, redis: client, jobId: 'shutdown-plan' }));
    const producer = new JobProducer({ redis: createRedis(redis.url, { failFast: true }), keys, registry: new WorkerRegistry(client, keys), clock: systemClock });
    const requestId = `req_shutdown${randomBytes(3).toString('hex')}`;
    const signed = signedExecution({ requestId, cluster: 'sandbox', verb: 'drain', args: parsed.args, plan, confirmedBy: 'U0ALICE001' });
    const { jobId } = await producer.enqueue({ v: 1, kind: 'execute', verb: 'drain', requestId, cluster: 'sandbox', args: parsed.args, requestedBy: 'U0ALICE001', channelId: 'C0OPS00001', approvedPlan: plan, ...signed });
    await producer.close();

    // The worker that picked it, once the drain is blocked by the PDB.
    const first = await eventually(async () => {
      const ev = await events(jobId);
      const started = ev.find((e) => e.body.type === 'started');
      const blocked = ev.some((e) => e.body.type === 'progress' && e.body.progress.blocked.length > 0);
      return started?.body.type === 'started' && blocked ? started.body.workerId : undefined;
    }, { what: 'drain started and blocked', timeoutMs: 30_000, describe: () => workers.map((w) => w.proc.output()).join('\n') });
    const victim = workers.find((w) => w.id === first)!;
    const other = workers.find((w) => w.id !== first)!;
    expect(victim).toBeDefined();

    const t0 = Date.now();
    const exit = await victim.proc.stop('SIGTERM', SHUTDOWN_MS + 20_000);
    expect({ exit, output: victim.proc.output() }).toMatchObject({ exit: { code: 0, signal: null } });
    expect(Date.now() - t0).toBeLessThan(SHUTDOWN_MS + 5000);

    // The other worker takes the job over from its checkpoints; then the PDB lets the last pod go.
    await eventually(async () => (await events(jobId)).some((e) => e.body.type === 'started' && e.body.workerId === other.id), { what: 'the other worker took the drain', timeoutMs: 30_000 });
    await setWebPdb(2);
    const result = await eventually(async () => {
      const end = (await events(jobId)).find((e) => e.body.type === 'result' || e.body.type === 'failed');
      return end?.body;
    }, { what: 'drain finished', timeoutMs: 60_000, describe: () => other.proc.output() });
    expect(result).toMatchObject({ type: 'result', result: { ok: true } });

    const left = await podsOn('node02');
    expect(left.filter((p) => !isDaemonOrMirror(p)).map((p) => p.metadata?.name)).toEqual([]);
    expect(left.length).toBeGreaterThan(0); // the DaemonSet pods stay
    expect((await kube.core.readNode({ name: 'node02' })).spec?.unschedulable).toBe(true);
    // Each pod that was on node02 had its deletion begun exactly once, and nothing else was touched.
    const twice = [...deletionsBegun.values()].filter((d) => d.times > 1);
    expect(twice).toEqual([]);
    expect(new Set(deletionsBegun.keys())).toEqual(new Set(toDrain.map((p) => p.metadata!.uid!)));
  });
});
