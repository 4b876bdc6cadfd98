import { expect } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { current, pendingAndRunning, waitForUpdate } from './cards.js';
import { setMinAvailable } from './cluster-edits.js';
import { containerStops, workloadPodsOn } from './drain-check.js';
import { BOB, messageText, type SharedRedis, type Stack } from './stack.js';

/**
 * The promise of a Redis failover test, whatever Redis: with a drain of node02 running (held by
 * the web PDB) and a restart waiting for approval, `failover` takes Redis's master away (and
 * returns once a new one serves). Then the drain finishes with every pod evicted once (its count,
 * and each container stopped once by the kubelet), and the waiting approval still counts.
 * @param failover gets the pending approval's id, to find the master that holds its keys.
 */
export async function drainThroughFailover<R extends SharedRedis>(stack: Stack<R>, failover: (pendingApprovalId: string) => Promise<void>): Promise<void> {
  const before = await workloadPodsOn(stack.core, 'node02');
  const { pending, drain } = await pendingAndRunning(stack, 'restart deployment/catalog -n shop', () => setMinAvailable(stack.sandbox, 'shop', 'web', 3));

  await failover(pending.approvalId);

  // The budget lets the drain go on: the worker writes its progress to the new master.
  await setMinAvailable(stack.sandbox, 'shop', 'web', 2);
  const done = await waitForUpdate(stack, drain.card.ts, /Drained node02: \d+ pods evicted/, 90_000);
  expect(Number(/Drained node02: (\d+) pods evicted/.exec(messageText(done))![1])).toBe(before.size);
  expect(await workloadPodsOn(stack.core, 'node02')).toEqual(new Map());
  const stops = await containerStops(stack.core, before.keys());
  expect(stops.size).toBeGreaterThanOrEqual(before.size);
  for (const [container, times] of stops) expect(times, container).toBe(1);

  // The approval asked before the failover is still there and counts once, and a worker takes the
  // job it queues after the failover (BullMQ's blocking connection came back, settled-cluster.ts).
  await stack.click(CardAction.Approve, pending.approvalId, { user: BOB, messageTs: pending.card.ts });
  await waitForUpdate(stack, pending.card.ts, /Done: Rolling restart of deployment shop\/catalog started/, 60_000);
  expect(messageText(current(stack, pending.card.ts))).not.toMatch(/lost/i);
}
