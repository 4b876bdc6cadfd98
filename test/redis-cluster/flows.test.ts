import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { createRedis } from '../../src/queue/redis-connection.js';
import { waitForApproval, waitForMessage, waitForUpdate } from '../support/cards.js';
import { containerStops, workloadPodsOn } from '../support/drain-check.js';
import { ALICE, BOB, CAROL, messageText, startStack, type SharedRedis, type Stack } from '../support/stack.js';

/**
 * Issue 20, Redis Cluster: the approval, incident and job flows of sitrep on the run's shared
 * Redis Cluster (three masters, three replicas; test/support/global-redis-cluster.ts), as a user
 * sees them. Every script and MULTI sitrep sends must name keys of one hash slot, or the cluster
 * refuses it with CROSSSLOT; these flows send each of them at least once.
 */

let stack: Stack<SharedRedis>;
beforeAll(async () => {
  const url = inject('redisClusterUrl');
  if (!url) throw new Error('No Redis Cluster was started for this run: run the file as `npx vitest run test/redis-cluster/` (vitest.config.ts globalSetup starts one).');
  stack = await startStack({ redis: { url, client: () => createRedis(url) }, scenario: 'maintenance' });
});
afterAll(async () => {
  await stack?.stop();
});

async function uploaded(name: RegExp): Promise<string> {
  const file = await stack.slack.waitFor(() => {
    const f = stack.slack.workspace.allFiles().find((x) => name.test(x.name ?? ''));
    return f && stack.slack.workspace.file(f.id)?.content ? stack.slack.workspace.file(f.id) : undefined;
  }, { timeoutMs: 20_000 });
  return file.content!.toString('utf8');
}

describe('sitrep on a Redis Cluster', () => {
  it('a read job: `get nodes` answers with the nodes', async () => {
    await stack.slash('get nodes', { user: CAROL });
    const done = await waitForMessage(stack, (m) => /^Done/.test(m.text ?? '') && /get nodes/.test(messageText(m)), 30_000);
    expect(messageText(done)).toMatch(/node02/);
  });

  it('an incident with an approved drain: timeline in order, resolved, postmortem written; each pod evicted once', async () => {
    await stack.slash('start "node02 kernel memory leak" --sev 2', { command: '/incident', user: CAROL });
    const card = await waitForMessage(stack, (m) => /SEV2/.test(messageText(m)) && /node02 kernel memory leak/.test(messageText(m)));

    const before = await workloadPodsOn(stack.core, 'node02');
    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const approval = await waitForApproval(stack, /drain node02/);
    await stack.click(CardAction.Approve, approval.approvalId, { user: BOB, messageTs: approval.card.ts });
    const done = await waitForUpdate(stack, approval.card.ts, /Drained node02: \d+ pods evicted/, 60_000);
    expect(Number(/Drained node02: (\d+) pods evicted/.exec(messageText(done))![1])).toBe(before.size);
    for (const [container, times] of await containerStops(stack.core, before.keys())) expect(times, container).toBe(1);

    await stack.slash('note "drained node02; rebooting it"', { command: '/incident', user: ALICE });
    await waitForMessage(stack, /noted on .*drained node02; rebooting it/);
    await stack.slash('resolve "node02 rebooted"', { command: '/incident', user: CAROL });
    await waitForUpdate(stack, card.ts, /resolved/);

    await stack.slash('postmortem --format md', { command: '/incident', user: CAROL });
    const md = await uploaded(/^postmortem-.*\.md$/);
    const timeline = md.slice(md.search(/## Timeline/i));
    let cursor = 0;
    for (const re of [/started/i, /\/k8s drain node02/, /Approval requested/i, /Approved by/i, /Drained node02/i, /drained node02; rebooting/, /resolved/i]) {
      const at = timeline.slice(cursor).search(re);
      expect(at, `expected ${re} after position ${cursor} in the timeline:\n${timeline.slice(0, 3000)}`).toBeGreaterThanOrEqual(0);
      cursor += at + 1;
    }

    // The channel is free again: a new incident starts there.
    await stack.slash('start "api errors" --sev 3', { command: '/incident', user: ALICE });
    await waitForMessage(stack, (m) => /api errors/.test(messageText(m)) && /SEV3/.test(messageText(m)));
  });
});
