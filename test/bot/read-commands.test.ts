import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { sendSlashCommand } from '../../src/console/index.js';
import { ALICE, messageText, OPS, SIGNING_SECRET, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance' });
});
afterAll(async () => {
  await stack?.stop();
});

async function requestKeys(): Promise<string[]> {
  return stack.redis.client().keys(stack.requests.keys.request('*'));
}

async function queuedJobs(): Promise<number> {
  return (await stack.jobs()).length;
}

describe('read-only commands end to end', () => {
  it('/k8s get nodes ends with a table that matches the sandbox', async () => {
    const res = await stack.slash('get nodes');
    expect(res.status).toBe(200);
    const card = await stack.slack.waitFor(() => stack.slack.workspace.messages(OPS).find((m) => /Done/.test(m.text ?? '') && /get nodes/.test(messageText(m))), { timeoutMs: 20_000 });
    const kc = new KubeConfig();
    kc.loadFromFile(stack.sandbox.kubeconfigPath);
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    const text = messageText(card);
    for (const n of nodes.items) expect(text).toContain(n.metadata!.name!);
    expect(text).toContain('NAME');
    expect(text).toContain('STATUS');
    // One message for the request, edited in place: never a second post.
    const posts = stack.slack.calls('chat.postMessage').filter((c) => /get nodes/.test(JSON.stringify(c.args)));
    expect(posts).toHaveLength(1);
  });

  it('bad input gets one ephemeral message with the right form, and nothing is queued', async () => {
    const before = await requestKeys();
    const res = await stack.slash('drian node02');
    expect(res.status).toBe(200);
    const body = res.json as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('Did you mean `drain`?');
    expect(body.text).toContain('/k8s drain NODE');
    expect(await requestKeys()).toEqual(before);
  });

  it('refuses unsigned, wrongly signed and stale requests and queues nothing', async () => {
    const before = await requestKeys();
    const jobsBefore = await queuedJobs();
    const common = { command: '/k8s' as const, text: 'get pods -A', userId: ALICE, channelId: OPS, responseUrl: stack.slack.responseUrlFor(OPS, ALICE) };
    const wrong = await sendSlashCommand(stack.bot.url, 'not-the-secret', common);
    const forged = await sendSlashCommand(stack.bot.url, SIGNING_SECRET, { ...common, signatureOverride: 'v0=deadbeef' });
    const stale = await sendSlashCommand(stack.bot.url, SIGNING_SECRET, { ...common, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    for (const r of [wrong, forged, stale]) expect(r.status).toBe(401);
    const unsigned = await fetch(stack.bot.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'command=%2Fk8s&text=get+pods' });
    expect(unsigned.status).toBe(401);
    expect(await requestKeys()).toEqual(before);
    expect(await queuedJobs()).toBe(jobsBefore);
  });

  it('a retried slash command (same payload, X-Slack-Retry-Num) produces one job and one message', async () => {
    const triggerId = `trig-${Date.now()}`;
    const first = await stack.slash('get pods -n shop', { triggerId });
    const retry = await stack.slash('get pods -n shop', { triggerId, retryNum: 1 });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    await stack.slack.waitFor(() => stack.slack.workspace.messages(OPS).find((m) => /Done/.test(m.text ?? '') && /get pods -n shop/.test(messageText(m))), { timeoutMs: 20_000 });
    const posts = stack.slack.calls('chat.postMessage').filter((c) => /get pods -n shop/.test(JSON.stringify(c.args)));
    expect(posts).toHaveLength(1);
    const client = stack.redis.client();
    const records: { id: string }[] = [];
    for (const key of await requestKeys()) {
      const raw = await client.hget(key, 'request');
      if (raw && JSON.parse(raw).text === 'get pods -n shop') records.push(JSON.parse(raw));
    }
    expect(records).toHaveLength(1);
    expect((await stack.jobs()).filter((j) => j.requestId === records[0].id)).toHaveLength(1);
  });

  it('a typo in a node name is caught before anything reaches the cluster', async () => {
    stack.sandbox.resetRequests();
    const res = await stack.slash('describe node Node_02');
    const body = res.json as { text: string };
    expect(body.text).toMatch(/lowercase/);
    expect(stack.sandbox.requests().total).toBe(0);
  });

  it('a missing object gets a clear failure on the card', async () => {
    await stack.slash('describe pod nope-not-here -n shop');
    const card = await stack.slack.waitFor(() => stack.slack.workspace.messages(OPS).find((m) => /nope-not-here/.test(messageText(m)) && /Failed/.test(m.text ?? '')), { timeoutMs: 20_000 });
    expect(messageText(card)).toMatch(/not found/);
  });

  it('long output (logs) goes up as a file in the request message\'s thread', async () => {
    await stack.slash('get pods -n shop -l app=web');
    const list = await stack.slack.waitFor(() => stack.slack.workspace.messages(OPS).find((m) => /^Done/.test(m.text ?? '') && /app=web/.test(messageText(m))), { timeoutMs: 20_000 });
    const pod = /web-[a-z0-9]+-[a-z0-9]+/.exec(messageText(list))![0];
    await stack.slash(`logs ${pod} -n shop --tail 200`);
    const card = await stack.slack.waitFor(() => stack.slack.workspace.messages(OPS).find((m) => /^Done/.test(m.text ?? '') && m.text!.includes(`logs shop/${pod}`)), { timeoutMs: 20_000 });
    const file = await stack.slack.waitFor(() => stack.slack.workspace.allFiles().find((f) => f.name === `${pod}.log`), { timeoutMs: 20_000 });
    const reply = await stack.slack.waitFor(() => stack.slack.workspace.replies(OPS, card.ts).find((m) => JSON.stringify(m).includes(file.id)), { timeoutMs: 20_000 });
    expect(reply).toBeTruthy();
    expect(messageText(card)).toMatch(/Showing the last 20 of 21 lines. The whole output is in the thread/);
  });
});

