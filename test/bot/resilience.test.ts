import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForMessage, waitForEphemeral, waitForUpdate } from '../support/cards.js';
import { ALICE, messageText, OPS, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance' });
});
afterAll(async () => {
  await stack?.stop();
});

describe('when things around sitrep fail', () => {
  it('Slack 429s on edits are retried (honouring Retry-After) and the final result still lands', async () => {
    stack.slack.failNext('chat.update', { status: 429, retryAfter: 1 }, 3);
    await stack.slash('get pods -n shop -l app=web');
    const card = await waitForMessage(stack, (m) => /app=web/.test(messageText(m)));
    await waitForUpdate(stack, card.ts, /^Done|Done/, 30_000);
    const limited = stack.slack.calls('chat.update').filter((c) => c.status === 429);
    expect(limited.length).toBe(3);
    expect(messageText(stack.slack.workspace.message(OPS, card.ts)!)).toMatch(/web-/);
  });

  it('a private reply Slack rate-limits, then fails with a 503, is sent again until it reaches the person', async () => {
    const before = stack.slack.calls('response_url').length;
    stack.slack.failNext('response_url', { status: 429, retryAfter: 1 });
    stack.slack.failNext('response_url', { status: 503 });
    await stack.slash('get nodes --cluster nope', { user: ALICE });
    const told = await waitForEphemeral(stack, ALICE, /Unknown cluster/, 20_000);
    expect(messageText(told)).toMatch(/Known clusters: `sandbox`/);
    expect(stack.slack.calls('response_url').slice(before).map((c) => c.status)).toEqual([429, 503, 200]);
  });

  it('a Kubernetes API outage gets a clear message on the card, not silence', async () => {
    const url = new URL(stack.sandbox.url);
    await stack.sandbox.close();
    await stack.slash('get nodes');
    const card = await waitForMessage(stack, (m) => /get nodes/.test(messageText(m)) && /Failed/.test(m.text ?? ''), 60_000);
    expect(messageText(card)).toMatch(/Cluster sandbox is unreachable/);
    // What a user can act on, not the API server's internal address.
    expect(messageText(card)).not.toContain(url.host);
  });

  it('a Redis outage is acknowledged at once and told to the user plainly; nothing is queued', async () => {
    await stack.redis.kill('SIGKILL');
    const res = await stack.slash('get nodes', { user: ALICE });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3000);
    const e = await waitForEphemeral(stack, ALICE, /Redis is unreachable/, 20_000);
    expect(messageText(e)).toMatch(/Nothing was queued/);
  });
});
