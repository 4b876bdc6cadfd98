import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { current, pendingAndRunning, waitForApproval, waitForEphemeral, waitForMessage, waitForUpdate } from '../support/cards.js';
import { eventually } from '../support/eventually.js';
import { replicasOf, setMinAvailable } from '../support/cluster-edits.js';
import { ALICE, BOB, CAROL, messageText, OPS, startStack, type Stack } from '../support/stack.js';

/**
 * Redis failing under sitrep (issue 15, items 1-3): paused for writes, hung, down, and back
 * empty. Each test asserts what the people in the channel see and what the cluster shows.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance' });
});
afterAll(async () => {
  stack?.redis.server.signal('SIGCONT');
  await stack?.stop();
});




describe('Redis not answering', () => {
  it('while Redis hangs, commands and clicks are told "Redis is not answering" before it resumes; once it does, nothing was queued', async () => {
    await stack.slash('scale deployment/web --replicas 4 -n shop', { user: ALICE });
    const { card, approvalId } = await waitForApproval(stack, /scale deployment\/web/);
    await stack.bot.services.poster.idle();
    const jobsBefore = (await stack.jobs()).length;
    stack.redis.server.signal('SIGSTOP');
    try {
      for (const text of ['get nodes', 'jobs', 'status', 'drain node03']) {
        await stack.slash(text, { user: CAROL });
      }
      await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
      const told = await waitForEphemeral(stack, BOB, /Redis is not answering/, 15_000);
      expect(messageText(told)).toMatch(/Nothing was run/);
      await eventually(() => {
        const told = stack.slack.workspace.ephemerals(OPS, CAROL).map(messageText);
        expect(told.filter((t) => /Redis is not answering/.test(t)), told.join('\n---\n')).toHaveLength(4);
        return true;
      }, { timeoutMs: 15_000 });
    } finally {
      stack.redis.server.signal('SIGCONT');
    }
    const said = stack.slack.workspace.ephemerals(OPS, CAROL).map(messageText).join('\n');
    expect(said).not.toMatch(/Internal error|Stream isn't writeable|timed out/);
    await stack.bot.services.poster.idle();
    expect((await stack.jobs()).length).toBe(jobsBefore);
    expect((await stack.core.readNode({ name: 'node03' })).spec?.unschedulable).toBeFalsy();
    expect(await replicasOf(stack.sandbox, 'shop', 'web')).toBe(3);
    expect(messageText(current(stack, card.ts))).toMatch(/Approval needed/);
    await stack.click(CardAction.Cancel, approvalId, { user: ALICE, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /cancelled/i);
  });
});

describe('Redis down, then back empty', () => {
  it('down: commands and clicks say "Redis is unreachable", never an internal error; back empty: the pending and the running request\'s cards say they were lost, and new commands work', async () => {
    // A request waiting for approval, and a drain running (held by the web PDB).
    const { pending, drain } = await pendingAndRunning(stack, 'restart deployment/catalog -n shop', () => setMinAvailable(stack.sandbox, 'shop', 'web', 3));

    await stack.redis.kill('SIGKILL');
    for (const text of ['jobs', 'status', 'get nodes']) await stack.slash(text, { user: CAROL });
    await stack.click(CardAction.Approve, pending.approvalId, { user: BOB, messageTs: pending.card.ts });
    await waitForEphemeral(stack, BOB, /Redis is unreachable/, 15_000);
    await eventually(() => {
      const told = stack.slack.workspace.ephemerals(OPS, CAROL).filter((e) => /Redis is unreachable/.test(messageText(e)));
      expect(told.length).toBe(3);
      return true;
    }, { timeoutMs: 15_000 });
    const said = [...stack.slack.workspace.ephemerals(OPS, CAROL), ...stack.slack.workspace.ephemerals(OPS, BOB)].map(messageText).join('\n');
    expect(said).not.toMatch(/Internal error|Stream isn't writeable/);

    // Back, without its data (no AOF): both cards end, saying so.
    await stack.redis.restart();
    for (const card of [pending.card, drain.card]) {
      const lost = await waitForUpdate(stack, card.ts, new RegExp(LOST_LINE), 30_000);
      expect(messageText(lost)).not.toMatch(/Approve|Running/);
    }
    expect(messageText(current(stack, drain.card.ts))).toMatch(/It was running/);
    // The relay and the workers came back by themselves: a new command is answered.
    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);
    await eventually(async () => {
      await stack.slash('get nodes', { user: CAROL });
      return waitForMessage(stack, (m) => /^Done/.test(m.text ?? '') && /get nodes/.test(messageText(m)) && /node02/.test(messageText(m)), 5000);
    }, { timeoutMs: 40_000 });
  });
});
