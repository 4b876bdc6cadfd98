import { describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { waitForApproval, waitForMessage, waitForUpdate } from '../support/cards.js';
import { capturedLogger } from '../support/outputs.js';
import { ALICE, BOB, CAROL, messageText, useStack } from '../support/stack.js';

/**
 * The Kubernetes API blipping under sitrep (issue 15, item 4): the sandbox drops connections or
 * sheds load for a while (src/sandbox/http/api-outage.ts) and the worker's calls are retried as
 * client-go retries them (src/k8s/api-retry.ts). A drain carries on from where it was; only an
 * outage longer than the drain's timeout fails it, saying which pods remain and what to run.
 */

const logs = capturedLogger();
// node-001 carries 60 pods (Deployments of 20 replicas, half of each here, two behind a PDB).
const stack = useStack({ scenario: 'drain', params: { pods: 60 }, logger: logs.logger });

type Line = { level: number; msg: string; path?: string };
const warnings = (): Line[] => logs.lines.map((l) => JSON.parse(l) as Line).filter((l) => l.level === 40);

/** The workload pods on a node (kube-proxy and the CNI stay), by UID. */
async function workloadOn(node: string): Promise<Map<string, string>> {
  const pods = await stack.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
  const workload = pods.items.filter((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet'));
  return new Map(workload.map((p) => [p.metadata!.uid!, `${p.metadata!.namespace}/${p.metadata!.name}`]));
}

/** Asks for a drain, has Bob approve it with `beforeApproval` done first, and returns its card's ts. */
async function approvedDrain(command: string, beforeApproval: () => void): Promise<string> {
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
    const ts = await approvedDrain('drain node-001', () => stack.sandbox.apiOutage({ durationMs: 3000, afterEvictions: 20, mode: 'reset' }));

    const done = await waitForUpdate(stack, ts, /^(Done|Failed)/, 180_000);
    expect(done.text, messageText(done)).toMatch(/^Done/);
    expect(messageText(done)).toMatch(/Drained node-001: 60 pods evicted/);
    // Each pod's eviction was accepted once: none lost to the blip, none asked twice.
    const evictions = stack.sandbox.requests().evictions;
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
    const ts = await approvedDrain('drain node-002 --timeout 3s', () => stack.sandbox.apiOutage({ durationMs: 20_000, afterEvictions: 3, mode: 'reset' }));

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
});
