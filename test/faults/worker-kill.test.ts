import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { EventKind } from '../../src/core/timeline-event.js';
import { current, waitForApproval, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { recordEvictions } from '../support/evictions.js';
import { heldDrain, openIncident } from '../support/held-drain.js';
import { ALICE, BOB, messageText, OPS, startStack, type Stack } from '../support/stack.js';
import { CHILD_LOST_AFTER_MS, childWorkerEnv, startWorkerChild, type WorkerChild } from '../support/worker-child.js';

/**
 * A worker SIGKILLed mid-drain (issue 15, item 5): the card says the worker was lost while no one
 * runs the job, shows live progress again once another worker resumes it, and the result counts
 * by pod UID across both workers, as the cluster itself recorded the evictions.
 */

let stack: Stack;
const children: WorkerChild[] = [];

beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', worker: false, jobLostAfterMs: CHILD_LOST_AFTER_MS });
});
afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await stack?.stop();
});

describe('a worker killed mid-drain', () => {
  it('the card says "worker lost, resuming on another", then Done with N evicted where N is what the cluster evicted, and "already gone" only for a pod gone before the drain', async () => {
    const evictions = recordEvictions(stack.sandbox);
    children.push(await startWorkerChild(childWorkerEnv(stack)));
    const incident = await openIncident(stack, 'node02 drain under a dying worker');
    // The web PDB allows no disruption: the drain evicts the other pods and waits on web's.
    const { card } = await heldDrain(stack, async () => {
      // Gone between approval and execution, by someone else: the one pod that is "already gone".
      await stack.core.deleteNamespacedPod({ name: 'debug-shell', namespace: 'shop', gracePeriodSeconds: 0 });
      await eventually(() => stack.core.readNamespacedPod({ name: 'debug-shell', namespace: 'shop' }).then(() => false, () => true), { what: 'debug-shell gone' });
    });
    await eventually(() => evictions.list('node02').length === 2, { what: 'checkout and cache evicted', describe: () => JSON.stringify(evictions.list()) });

    const first = children[0]!;
    first.proc.kill('SIGKILL');
    await first.exited;
    // No worker runs the job now: the card says so instead of sitting on "Running".
    const lost = await waitForUpdate(stack, card.ts, /Worker lost, resuming on another/, 30_000);
    expect(messageText(lost)).toContain(first.workerId);
    expect(lost.text).toMatch(/^Running \(worker lost, resuming on another\)/);

    const second = await startWorkerChild(childWorkerEnv(stack));
    children.push(second);
    // Live progress again once the second worker has taken the job up (BullMQ's stalled check).
    await waitForUpdate(stack, card.ts, /^(?![\s\S]*Worker lost)[\s\S]*:raised_hand:/, 30_000);
    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);

    const done = await waitForUpdate(stack, card.ts, /Done|Failed/, 90_000);
    expect(done.text).toMatch(/^Done/);
    const text = messageText(current(stack, card.ts));
    expect(text).not.toMatch(/Worker lost/);
    // Counted by UID across both workers, as the cluster recorded it.
    const byCluster = evictions.list('node02');
    expect(new Set(byCluster.map((e) => e.uid)).size).toBe(byCluster.length); // none evicted twice
    expect(byCluster.map((e) => e.pod).sort()).toEqual([expect.stringMatching(/^shop\/cache-/), expect.stringMatching(/^shop\/checkout-/), expect.stringMatching(/^shop\/web-/)]);
    const n = byCluster.length;
    expect(done.text).toMatch(new RegExp(`Drained node02: ${n} pods evicted`));
    const evictedLines = text.match(/pod\/shop\/[a-z0-9-]+ evicted/g) ?? [];
    expect(new Set(evictedLines).size).toBe(n);
    expect(text.match(/pod\/\S+ was already gone/g)).toEqual(['pod/shop/debug-shell was already gone']);

    // The timeline says the same: the loss, the resumption, and the right numbers.
    const timeline = await stack.bot.services.timeline.read(incident.id);
    const lines = timeline.map((e) => e.text);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Worker ${first.workerId} lost: no heartbeat`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Resumed on worker ${second.workerId} \\(it was running on ${first.workerId}\\)`)));
    const finished = timeline.find((e) => e.kind === EventKind.JobFinished);
    expect(finished?.text).toMatch(new RegExp(`Drained node02: ${n} pods evicted`));
    expect((finished?.data?.unchanged as string[]).filter((u) => /already gone/.test(u))).toEqual(['pod/shop/debug-shell was already gone']);
  });
  it('killed as its last eviction is accepted: the resumed job evicts nothing, reports the same N evicted, and the timeline has one result', async () => {
    // Only the workers of this test run.
    for (const c of children.splice(0)) {
      c.proc.kill('SIGKILL');
      await c.exited;
    }
    const evictions = recordEvictions(stack.sandbox);
    const pods = (await stack.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node01' })).items.filter(
      (p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') && !p.metadata?.annotations?.['kubernetes.io/config.mirror'],
    );
    const n = pods.length;
    expect(n).toBeGreaterThan(1);
    const first = await startWorkerChild(childWorkerEnv(stack));
    children.push(first);
    // Killed in the same instant the cluster records the last eviction, before its answer reaches the worker.
    const unsubscribe = stack.sandbox.store.subscribe(() => {
      if (evictions.list('node01').length === n) first.proc.kill('SIGKILL');
    });
    await stack.slash('drain node01 --delete-emptydir-data --force', { user: ALICE });
    const { card, approvalId } = await waitForApproval(stack, /drain node01/);
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    await first.exited;
    unsubscribe();
    await waitForUpdate(stack, card.ts, /Worker lost, resuming on another/, 30_000);
    children.push(await startWorkerChild(childWorkerEnv(stack)));

    const done = await waitForUpdate(stack, card.ts, /^(Done|Failed)/, 90_000);
    const text = messageText(done);
    expect(done.text, text).toMatch(new RegExp(`^Done: Drained node01: ${n} pods evicted`));
    expect(text).not.toMatch(/already gone|Worker lost/);
    expect(new Set(evictions.list('node01').map((e) => e.uid)).size).toBe(n); // each once, none more
    expect(evictions.list('node01')).toHaveLength(n);
    const incident = (await stack.bot.services.incidents.openIn(OPS))!;
    const finished = (await stack.bot.services.timeline.read(incident.id)).filter((e) => e.kind === EventKind.JobFinished && /node01/.test(e.text));
    expect(finished.map((e) => e.text)).toEqual([expect.stringMatching(new RegExp(`^Finished: Drained node01: ${n} pods evicted`))]);
  });
});
