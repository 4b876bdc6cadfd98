import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueKeys } from '../../src/queue/keys.js';
import { CoreV1Api, KubeConfig, PolicyV1Api } from '@kubernetes/client-node';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForMessage, waitForUpdate } from '../support/cards.js';
import { ALICE, BOB, messageText, startStack, type Stack } from '../support/stack.js';
import { startWorkerChild, type WorkerChild } from '../support/worker-child.js';

let stack: Stack;
let core: CoreV1Api;
let policy: PolicyV1Api;
const children: WorkerChild[] = [];

beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', worker: false });
  const kc = new KubeConfig();
  kc.loadFromFile(stack.sandbox.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  policy = kc.makeApiClient(PolicyV1Api);
});
afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await stack?.stop();
});

const env = () => ({ KUBECONFIG: stack.workerKubeconfigPath, REDIS_URL: stack.redis.url, SITREP_PREFIX: stack.prefix, LOCK_MS: '3000' });

describe('workers in other processes', () => {
  it('a worker in another process picks up work', async () => {
    children.push(await startWorkerChild(env()));
    await stack.slash('get nodes');
    const card = await waitForMessage(stack, (m) => /^Done/.test(m.text ?? '') && /get nodes/.test(messageText(m)));
    expect(messageText(card)).toContain('node02');
  });

  it('killing the worker mid-drain lets another finish it, evicting no pod twice', async () => {
    // Block the drain: the web PDB now allows no disruption, so eviction of web's pod gets 429s.
    await policy.patchNamespacedPodDisruptionBudget(
      { name: 'web', namespace: 'shop', body: [{ op: 'replace', path: '/spec/minAvailable', value: 3 }] },
      { headers: { 'Content-Type': 'application/json-patch+json' } } as never,
    ).catch(async () => {
      const pdb = await policy.readNamespacedPodDisruptionBudget({ name: 'web', namespace: 'shop' });
      pdb.spec!.minAvailable = 3;
      await policy.replaceNamespacedPodDisruptionBudget({ name: 'web', namespace: 'shop', body: pdb });
    });
    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /drain node02/.test(messageText(m)));
    await stack.click(CardAction.Approve, buttonValue(card, CardAction.Approve)!, { user: BOB, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /:raised_hand:/, 60_000); // the progress line of a pod a PDB blocks

    const first = children[0];
    first.proc.kill('SIGKILL');
    await first.exited;
    children.push(await startWorkerChild(env()));

    const pdb = await policy.readNamespacedPodDisruptionBudget({ name: 'web', namespace: 'shop' });
    pdb.spec!.minAvailable = 2;
    await policy.replaceNamespacedPodDisruptionBudget({ name: 'web', namespace: 'shop', body: pdb });

    const done = await waitForUpdate(stack, card.ts, /Done|Failed/, 90_000);
    expect(done.text).toMatch(/^Done/);
    const changed = messageText(done).match(/pod\/shop\/[a-z0-9-]+ evicted/g) ?? [];
    expect(new Set(changed).size).toBe(changed.length);
    const pods = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node02' });
    const workload = pods.items.filter((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') && !p.metadata?.annotations?.['kubernetes.io/config.mirror']);
    expect(workload.map((p) => p.metadata?.name)).toEqual([]);
    // The execution really moved between workers: two distinct workers started it.
    const entries = await stack.redis.client().xrange(new QueueKeys(stack.prefix).events, '-', '+');
    const starters = new Set(
      entries
        .map(([, fields]) => JSON.parse(fields[1]))
        .filter((e) => e.jobKind === 'execute' && e.verb === 'drain' && e.body.type === 'started')
        .map((e) => e.body.workerId),
    );
    expect(starters).toEqual(new Set([first.workerId, children[1].workerId]));
  });
});
