import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { KeyUnit, unitKey } from '../../src/core/key-tags.js';
import { QueueKeys } from '../../src/queue/keys.js';
import { drainThroughFailover } from '../support/drain-through-failover.js';
import { startRedisCluster, wipePrefixOn, type TestRedisCluster } from '../support/redis-cluster.js';
import { waitForReplicasOf } from '../support/redis-replication.js';
import { waitForApproval, waitForUpdate } from '../support/cards.js';
import { ALICE, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Issue 20, Redis Cluster failover: this file starts its own cluster (it kills a master). The
 * master killed is the one that owns the sandbox cluster's queue, target locks and workers (the
 * `{cl:sandbox}` hash tag, found with CLUSTER KEYSLOT and CLUSTER SHARDS), while a drain runs and
 * another request waits for approval. Its replica takes over; nothing is lost, nothing runs twice.
 */

let cluster: TestRedisCluster;
let stack: Stack<TestRedisCluster>;
beforeAll(async () => {
  cluster = await startRedisCluster();
  stack = await startStack({ redis: cluster, scenario: 'maintenance' });
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  await cluster?.stop();
});

describe('Redis Cluster failover', () => {
  it('the master of the queue dies during a drain with an approval pending: the drain finishes with each pod evicted once, the approval still counts', async () => {
    await drainThroughFailover(stack, async (approvalId) => {
      const queueKey = `${new QueueKeys(stack.prefix).bullPrefix('sandbox')}:k8s-sandbox:wait`;
      const victim = await cluster.masterOf(queueKey);
      const sharing = (await cluster.masterOf(unitKey(stack.prefix, KeyUnit.Approval, approvalId))) === victim ? 'queue and pending approval' : 'queue';
      // Replication is asynchronous: a write the master acknowledged but had not sent on is lost
      // with it (docs/operations.md, Redis Cluster). Kill it once its replica has everything so far.
      await waitForReplicasOf(victim.port);
      await victim.kill({ signal: 'SIGKILL' });
      const promoted = await cluster.waitForFailover(victim, queueKey);
      expect(promoted.port, `the ${sharing} master was replaced`).not.toBe(victim.port);
    });
  }, 180_000);

  it('one master loses its data alone (not the one the marker of a single Redis would be on): the card of the request it held says it was lost', async () => {
    await stack.slash('scale deployment/cart --replicas 3 -n shop', { user: ALICE });
    const pending = await waitForApproval(stack, /scale deployment\/cart/, 60_000);
    const requestId = (await stack.bot.services.approvals.get(pending.approvalId))!.requestId;
    const victim = await cluster.masterOf(unitKey(stack.prefix, KeyUnit.Request, requestId));
    // Everything this installation kept on that master is gone, as after a restart without AOF
    // while its replica was down; the other masters keep theirs.
    await wipePrefixOn(victim, stack.prefix);
    const lost = await waitForUpdate(stack, pending.card.ts, new RegExp(LOST_LINE), 30_000);
    expect(messageText(lost)).toMatch(/scale deployment\/cart/);
  }, 90_000);
});
