import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOST_LINE } from '../../src/chat/render/lost-card.js';
import { waitForMessage, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { heldDrain } from '../support/held-drain.js';
import { CAROL, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Issue 15, item 1, the half the chaos suite found (`npm run chaos`, redis-restart-empty): an
 * eviction already sent when Redis comes back empty. The API server is overloaded, so the drain's
 * eviction waits in its priority-and-fairness queue (the sandbox's `queued` outage); Redis restarts
 * empty meanwhile, so the job is lost and its card says nothing more will run. The worker must
 * notice at once (it checks its jobs' locks when Redis reconnects) and withdraw the request, so
 * the API never executes it. Left alone, the eviction would run when the queue moved, after the
 * card had promised it would not.
 */

let stack: Stack;
beforeAll(async () => {
  // Production's lock (30 s): the loss must be noticed on reconnect, not at a lock renewal 15 s later.
  stack = await startStack({ scenario: 'maintenance', lockDurationMs: 30_000 });
});
afterAll(async () => {
  await stack?.stop();
});

describe('an eviction in flight when Redis comes back empty', () => {
  it('is withdrawn from the API server\'s queue and never executed: the card says nothing more will run, and nothing more does', async () => {
    // The drain of node02, held by the web budget so its last eviction is easy to catch in flight.
    const drain = await heldDrain(stack);
    const web = (JSON.parse((await stack.sandbox.request('GET', '/api/v1/namespaces/shop/pods?labelSelector=app%3Dweb&fieldSelector=spec.nodeName%3Dnode02')).text) as { items: { metadata: { name: string; deletionTimestamp?: string } }[] }).items[0]!;

    // Overloaded: requests queue (system:masters, this test's admin, is exempt). The budget reopens,
    // and the drain's eviction of the web pod joins the queue.
    stack.sandbox.apiOutage({ durationMs: 60_000, mode: 'queued' });
    await setMinAvailable(stack.sandbox, 'shop', 'web', 2);
    await eventually(() => stack.sandbox.requests().waiting['create pods/eviction'] === 1, { what: 'the eviction waiting in the API queue', timeoutMs: 10_000 });
    const before = stack.sandbox.evictions().length;

    await stack.redis.kill('SIGKILL');
    await stack.redis.restart();
    // Within the queue's 15 s wait limit, after which the API would reject it anyway.
    await eventually(() => stack.sandbox.requests().withdrawn['create pods/eviction'] === 1 && !stack.sandbox.requests().waiting['create pods/eviction'], {
      what: 'the eviction withdrawn from the API queue by the worker that lost its job',
      timeoutMs: 12_000,
    });
    await waitForUpdate(stack, drain.card.ts, new RegExp(LOST_LINE), 30_000);

    // The queue moves again: whatever was still waiting is served now, and the eviction is not among it.
    stack.sandbox.apiOutage({ durationMs: 1, mode: '429' });
    await stack.slash('get pods -n shop', { user: CAROL });
    await waitForMessage(stack, (m) => /^Done/.test(m.text ?? '') && /get pods/.test(messageText(m)), 40_000);
    expect(stack.sandbox.evictions().slice(before).map((e) => `${e.namespace}/${e.name}`)).toEqual([]);
    const pod = JSON.parse((await stack.sandbox.request('GET', `/api/v1/namespaces/shop/pods/${web.metadata.name}`)).text) as { metadata: { deletionTimestamp?: string } };
    expect(pod.metadata.deletionTimestamp).toBeUndefined();
    expect(messageText(stack.slack.workspace.message('C0OPS00001', drain.card.ts)!)).toMatch(new RegExp(LOST_LINE));
  });
});
