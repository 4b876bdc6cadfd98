import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForApproval, waitForMessage, waitForUpdate } from '../support/cards.js';
import { countBy, recordEvictions } from '../support/evictions.js';
import { capturedLogger } from '../support/outputs.js';
import { ALICE, BOB, CAROL, messageText, OPS, useStack } from '../support/stack.js';

/**
 * The Kubernetes API blipping under sitrep (issue 15, item 4): the sandbox drops connections or
 * sheds load for a while (src/sandbox/http/api-outage.ts) and the worker's calls are retried as
 * client-go retries them (src/k8s/api-retry.ts). A drain carries on from where it was; only an
 * outage longer than the drain's timeout fails it, saying which pods remain and what to run.
 */

const logs = capturedLogger();
// node-001 carries 60 pods (Deployments of 20 replicas, half of each here, two behind a PDB).
const stack = useStack({ scenario: 'drain', params: { pods: 60 }, logger: logs.logger });

type Line = { level: number; msg: string; path?: string; method?: string };
const warnings = (): Line[] => logs.lines.map((l) => JSON.parse(l) as Line).filter((l) => l.level === 40);

/** client-node's apps API against the sandbox, as its admin. */
function appsApi(): AppsV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(stack.sandbox.kubeconfigPath);
  return kc.makeApiClient(AppsV1Api);
}

/** The workload pods on a node (kube-proxy and the CNI stay), by UID. */
async function workloadOn(node: string): Promise<Map<string, string>> {
  const pods = await stack.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
  const workload = pods.items.filter((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet'));
  return new Map(workload.map((p) => [p.metadata!.uid!, `${p.metadata!.namespace}/${p.metadata!.name}`]));
}

/** Asks for a command needing approval, has Bob approve it with `beforeApproval` done first, and returns its card's ts. */
async function approved(command: string, beforeApproval: () => void): Promise<string> {
  await stack.slash(command, { user: ALICE });
  const { card, approvalId } = await waitForApproval(stack, new RegExp(command.split(' ').slice(0, 2).join(' ')), 60_000);
  beforeApproval();
  await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
  return card.ts;
}

describe('a Kubernetes API blip', () => {
  it('mid-drain (connections reset for 3 s after 20 evictions): the drain finishes Done, every pod evicted exactly once, the node cordoned', async () => {
    const before = await workloadOn('node-001');
    expect(before.size).toBe(60);
    stack.sandbox.resetRequests();
    const accepted = recordEvictions(stack.sandbox);
    const ts = await approved('drain node-001', () => stack.sandbox.apiOutage({ durationMs: 3000, afterEvictions: 20, mode: 'reset' }));

    const done = await waitForUpdate(stack, ts, /^(Done|Failed)/, 180_000);
    expect(done.text, messageText(done)).toMatch(/^Done/);
    expect(messageText(done)).toMatch(/Drained node-001: 60 pods evicted/);
    // Each pod's eviction was accepted once: none lost to the blip, none asked twice.
    const evictions = countBy(accepted.list().map((e) => e.uid));
    expect(Object.keys(evictions).sort()).toEqual([...before.keys()].sort());
    expect(Object.entries(evictions).filter(([, n]) => n !== 1)).toEqual([]);
    expect((await stack.core.readNode({ name: 'node-001' })).spec?.unschedulable).toBe(true);
    expect((await workloadOn('node-001')).size).toBe(0);
    // The blip really hit the drain: evictions were retried, the pod watch listed again.
    const warned = warnings();
    expect(warned.some((l) => /retrying/.test(l.msg) && /\/eviction$/.test(l.path ?? ''))).toBe(true);
    expect(warned.some((l) => /pod watch/.test(l.msg))).toBe(true);
  });

  it.each([
    ['503', 'team-b', 'svc-002'],
    ['429', 'team-c', 'svc-003'],
  ] as const)('a %s storm with Retry-After on reads is retried: /k8s get pods answers', async (mode, namespace, app) => {
    const command = `get pods -n ${namespace} -l app=${app}`;
    stack.sandbox.apiOutage({ durationMs: 2500, mode });
    await stack.slash(command, { user: CAROL });
    const answer = await waitForMessage(stack, (m) => /^(Done|Failed)/.test(m.text ?? '') && messageText(m).includes(command), 60_000);
    expect(answer.text, messageText(answer)).toMatch(/^Done/);
    expect(messageText(answer)).toMatch(new RegExp(`${app}-\\S+\\s+1/1\\s+Running`));
    // Asked again on the worker's side, each time waiting the Retry-After the server named.
    expect(warnings().some((l) => new RegExp(`failed \\(HTTP ${mode}\\); retrying in 1000 ms`).test(l.msg))).toBe(true);
  });

  it('an outage longer than the drain timeout fails it with one clear message: the pods left and the command that carries on; no addresses, no stack trace', async () => {
    const before = await workloadOn('node-002');
    expect(before.size).toBeGreaterThan(10);
    const ts = await approved('drain node-002 --timeout 3s', () => stack.sandbox.apiOutage({ durationMs: 20_000, afterEvictions: 3, mode: 'reset' }));

    const failed = await waitForUpdate(stack, ts, /^(Done|Failed)/, 60_000);
    const text = messageText(failed);
    expect(failed.text, text).toMatch(/^Failed/);
    expect(text).toMatch(/Drain of node-002 timed out after 3s with the Kubernetes API not answering: \d+ pods still there/);
    expect(text).toMatch(/not evicted: no answer from the API server \(connection (reset|closed)\)/);
    // Names the pods that remain (namespace/name), some of those it held when the API went away.
    const named = [...before.values()].filter((ref) => text.includes(ref));
    expect(named.length).toBeGreaterThan(5);
    expect(text).toContain('node-002 stays cordoned');
    expect(text).toContain('`/k8s drain node-002 --timeout 3s --cluster sandbox` once the API server answers');
    expect(text).not.toMatch(/https?:\/\/|127\.0\.0\.1|\bat .+:\d+:\d+\)|Error:/);
  });
  it('a 429 storm asking Retry-After: 3600 is not waited out: /k8s get pods fails with one clear message while the storm lasts, and answers once it ends', async () => {
    const command = 'get pods -n team-a -l app=svc-001';
    stack.sandbox.apiOutage({ durationMs: 600_000, mode: '429', retryAfterSeconds: 3600 });
    try {
      await stack.slash(command, { user: CAROL });
      // Waiting as the server asks would answer in 5 hours (5 retries of an hour); the storm is still on here.
      const answer = await waitForMessage(stack, (m) => /^(Done|Failed)/.test(m.text ?? '') && messageText(m).includes(command), 60_000);
      const text = messageText(answer);
      expect(answer.text, text).toMatch(/^Failed/);
      expect(text).toMatch(/listing pods \(429\): Too many requests, please try again later/);
      expect(text).toContain('overloaded or restarting and kept refusing through sitrep\'s retries; nothing was changed by this step. Try again in a minute.');
      expect(text).not.toMatch(/https?:\/\/|127\.0\.0\.1|\bat .+:\d+:\d+\)|Error:/);
      expect(warnings().some((l) => /failed \(HTTP 429\); retrying in 4000 ms/.test(l.msg))).toBe(true);
    } finally {
      stack.sandbox.apiOutage({ durationMs: 1, mode: '429' });
    }
    await stack.slash('get nodes', { user: CAROL });
    const again = await waitForMessage(stack, (m) => /^(Done|Failed)/.test(m.text ?? '') && messageText(m).includes('/k8s get nodes'), 60_000);
    expect(again.text, messageText(again)).toMatch(/^Done/);
    expect(messageText(again)).toContain('node-001');
  }, 180_000);

  it('a delete pod --force whose answer was lost after the server deleted the pod: the retry meets a 404, and the card says Deleted, not "already gone"', async () => {
    const pods = await stack.core.listNamespacedPod({ namespace: 'team-b', labelSelector: 'app=svc-002' });
    const victim = pods.items[0]!.metadata!;
    const command = `delete pod ${victim.name} -n team-b --force`;
    const ts = await approved(command, () => stack.sandbox.apiOutage({ durationMs: 4000, mode: 'lost-answer' }));

    const done = await waitForUpdate(stack, ts, /^(Done|Failed)/, 60_000);
    const text = messageText(done);
    expect(done.text, text).toMatch(new RegExp(`^Done.*Deleted pod team-b/${victim.name}`));
    expect(text).not.toMatch(/already gone/);
    await expect(stack.core.readNamespacedPod({ name: victim.name!, namespace: 'team-b' })).rejects.toThrow(/404|not found/i);
    // The DELETE really reached the server and was asked again.
    expect(warnings().some((l) => l.method === 'DELETE' && l.path?.endsWith(`/pods/${victim.name}`))).toBe(true);
  });

  it('a scale whose answer was lost after the server applied it: retried to the same absolute count, Done, the deployment at that count', async () => {
    const command = 'scale deployment/svc-003 --replicas 23 -n team-c';
    const ts = await approved(command, () => stack.sandbox.apiOutage({ durationMs: 4000, mode: 'lost-answer' }));

    const done = await waitForUpdate(stack, ts, /^(Done|Failed)/, 60_000);
    expect(done.text, messageText(done)).toMatch(/^Done/);
    expect(messageText(done)).toMatch(/23/);
    const scale = await appsApi().readNamespacedDeploymentScale({ name: 'svc-003', namespace: 'team-c' });
    expect(scale.spec?.replicas).toBe(23);
    expect(warnings().some((l) => l.method === 'PATCH' && /svc-003\/scale$/.test(l.path ?? ''))).toBe(true);
  });
  it('a restart whose answer was lost after the server applied it: retried with the same restartedAt, Done, the deployment rolled once', async () => {
    const apps = appsApi();
    const before = await apps.readNamespacedDeployment({ name: 'svc-004', namespace: 'team-d' });
    const ts = await approved('restart deployment/svc-004 -n team-d', () => stack.sandbox.apiOutage({ durationMs: 4000, mode: 'lost-answer' }));

    const done = await waitForUpdate(stack, ts, /^(Done|Failed)/, 60_000);
    expect(done.text, messageText(done)).toMatch(/^Done: Rolling restart of deployment team-d\/svc-004 started/);
    const after = await apps.readNamespacedDeployment({ name: 'svc-004', namespace: 'team-d' });
    // One new template, whichever attempt's PATCH took effect: the retry changed nothing.
    expect(after.metadata?.generation).toBe((before.metadata?.generation ?? 0) + 1);
    expect(after.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    expect(warnings().some((l) => l.method === 'PATCH' && /deployments\/svc-004$/.test(l.path ?? ''))).toBe(true);
  });

  it('an outage through the whole plan: one clear message, no approval card, nothing touched; once the API answers the same command plans', async () => {
    stack.sandbox.apiOutage({ durationMs: 600_000, mode: 'refuse' });
    try {
      await stack.slash('drain node-003', { user: ALICE });
      const failed = await waitForMessage(stack, (m) => /^Failed/.test(m.text ?? '') && messageText(m).includes('drain node-003'), 60_000);
      const text = messageText(failed);
      expect(text).toMatch(/^Failed: Cluster sandbox is unreachable \(planning the drain of node-003\)/);
      expect(text).toContain('nothing was changed');
      expect(text).not.toMatch(/https?:\/\/|127\.0\.0\.1|\bat .+:\d+:\d+\)|Error:/);
      // Nothing half-done: no card of that request offers an approval.
      expect(stack.slack.workspace.messages(OPS).filter((m) => messageText(m).includes('drain node-003') && buttonValue(m, CardAction.Approve))).toEqual([]);
    } finally {
      stack.sandbox.apiOutage({ durationMs: 1, mode: 'refuse' });
    }
    await stack.slash('drain node-003', { user: ALICE });
    await waitForApproval(stack, /drain node-003/, 60_000);
    expect((await stack.core.readNode({ name: 'node-003' })).spec?.unschedulable).toBeFalsy();
  });
});
