import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, verifySlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackApiServer, startSlackApiServer } from '../../src/console/slack-api-server.js';
import { blockActionPayload, newTriggerId, sendBlockAction, sendEvent, sendSlashCommand, sendUrlVerification } from '../../src/console/slack-client-sim.js';
import { LocalWorkspace } from '../../src/console/workspace-defaults.js';

const SECRET = 'sim-test-signing-secret';
const OPS = 'C0OPS00001';
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';

describe('what goes over the wire', () => {
  let capture: Server;
  let url: string;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    capture = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(capture.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(() => new Promise<void>((resolve) => capture.close(() => resolve())));

  it('sends a slash command form-encoded, with Slack’s fields in Slack’s order, signed', async () => {
    const res = await sendSlashCommand(url, SECRET, {
      command: '/k8s', text: 'drain node02 --grace 30s', userId: ALICE, channelId: OPS,
      responseUrl: 'http://127.0.0.1:1/response/abc', triggerId: '1.2.3',
    });
    expect(res).toMatchObject({ status: 200, json: { ok: true } });
    expect(res.ms).toBeGreaterThanOrEqual(0);
    const { headers, body } = received.at(-1)!;
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(headers['x-slack-retry-num']).toBeUndefined();
    const fields = [...new URLSearchParams(body)];
    expect(fields).toEqual([
      ['token', LocalWorkspace.verificationToken],
      ['team_id', LocalWorkspace.teamId],
      ['team_domain', LocalWorkspace.teamDomain],
      ['channel_id', OPS],
      ['channel_name', 'ops'],
      ['user_id', ALICE],
      ['user_name', 'alice'],
      ['command', '/k8s'],
      ['text', 'drain node02 --grace 30s'],
      ['api_app_id', LocalWorkspace.appId],
      ['is_enterprise_install', 'false'],
      ['response_url', 'http://127.0.0.1:1/response/abc'],
      ['trigger_id', '1.2.3'],
    ]);
    expect(() => verifySlackRequest({
      signingSecret: SECRET, body,
      headers: { 'x-slack-signature': String(headers['x-slack-signature']), 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
    })).not.toThrow();
  });

  it('marks redeliveries with X-Slack-Retry-Num and -Reason', async () => {
    await sendSlashCommand(url, SECRET, { command: '/incident', text: 'open', userId: ALICE, channelId: OPS, responseUrl: 'x', retryNum: 2 });
    expect(received.at(-1)!.headers).toMatchObject({ 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' });
  });

  it('sends a block action as payload=<JSON> in the block_actions shape', async () => {
    const message = {
      type: 'message' as const, ts: '1700000000.000100', text: 'Approve?', user: LocalWorkspace.botUserId, team: LocalWorkspace.teamId,
      blocks: [{ type: 'actions', block_id: 'appr', elements: [{ type: 'button', action_id: 'approve', style: 'primary', value: 'req_1', text: { type: 'plain_text', text: 'Approve' } }] }],
    };
    await sendBlockAction(url, SECRET, { userId: BOB, channelId: OPS, messageTs: message.ts, message, actionId: 'approve', responseUrl: 'http://r' });
    const { headers, body } = received.at(-1)!;
    expect(headers['content-type']).toBe('application/x-www-form-urlencoded');
    const params = new URLSearchParams(body);
    expect([...params.keys()]).toEqual(['payload']);
    const payload = JSON.parse(params.get('payload')!);
    expect(payload).toMatchObject({
      type: 'block_actions',
      user: { id: BOB, username: 'bob', name: 'bob', team_id: LocalWorkspace.teamId },
      api_app_id: LocalWorkspace.appId,
      container: { type: 'message', message_ts: message.ts, channel_id: OPS, is_ephemeral: false },
      team: { id: LocalWorkspace.teamId, domain: LocalWorkspace.teamDomain },
      channel: { id: OPS, name: 'ops' },
      message: { ts: message.ts, text: 'Approve?' },
      response_url: 'http://r',
      actions: [{ action_id: 'approve', block_id: 'appr', value: 'req_1', style: 'primary', type: 'button', text: { type: 'plain_text', text: 'Approve' } }],
    });
    expect(payload.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    expect(payload.actions[0].action_ts).toMatch(/^\d{10}\.\d{6}$/);
  });

  it('leaves message out of clicks on ephemeral messages', () => {
    const payload = blockActionPayload({ userId: BOB, channelId: OPS, messageTs: '1.1', isEphemeral: true, actionId: 'a', value: 'v', responseUrl: 'r' });
    expect(payload.message).toBeUndefined();
    expect(payload.container).toMatchObject({ is_ephemeral: true });
    expect(newTriggerId()).not.toBe(newTriggerId());
  });
});

describe('a real Bolt app cannot tell the simulator from Slack', () => {
  let slack: SlackApiServer;
  let app: App;
  let botUrl: string;
  const seen: { kind: string; body: Record<string, unknown>; retryNum?: number }[] = [];

  beforeAll(async () => {
    slack = await startSlackApiServer();
    app = new App({
      token: slack.botToken,
      receiver: new HTTPReceiver({ signingSecret: SECRET, logLevel: LogLevel.ERROR }),
      clientOptions: { slackApiUrl: slack.url, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    app.command('/k8s', async ({ ack, command, respond, client, context }) => {
      await ack();
      seen.push({ kind: 'command', body: command, ...(context.retryNum !== undefined ? { retryNum: context.retryNum } : {}) });
      await respond({ text: `Planning: ${command.text}` });
      await client.chat.postMessage({
        channel: command.channel_id, text: 'Approve drain of node02?',
        blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'approve', value: 'req_9', text: { type: 'plain_text', text: 'Approve' } }] }],
      });
    });
    app.action('approve', async ({ ack, body, respond }) => {
      await ack();
      seen.push({ kind: 'action', body: body as unknown as Record<string, unknown> });
      await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
    });
    app.event('reaction_added', async ({ event, client }) => {
      seen.push({ kind: 'event', body: event as unknown as Record<string, unknown> });
      await client.chat.postMessage({ channel: event.item.channel, thread_ts: event.item.ts, text: `Noted :${event.reaction}:` });
    });
    const server = (await app.start(0)) as Server;
    botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    await app.stop();
    await slack.close();
  });

  it('runs a slash command, a click on the card it posted, and a reaction event', async () => {
    const ack = await sendSlashCommand(botUrl, SECRET, {
      command: '/k8s', text: 'drain node02', userId: ALICE, channelId: OPS, responseUrl: slack.responseUrlFor(OPS, ALICE),
    });
    expect(ack.status).toBe(200);
    const card = await slack.waitFor(() => slack.workspace.messages(OPS).find((m) => m.text === 'Approve drain of node02?'));
    await slack.waitFor(() => slack.workspace.ephemerals(OPS, ALICE).find((e) => e.text === 'Planning: drain node02'));
    expect(seen[0]).toMatchObject({ kind: 'command', body: { command: '/k8s', text: 'drain node02', user_id: ALICE, channel_id: OPS } });

    const click = await sendBlockAction(botUrl, SECRET, {
      userId: BOB, channelId: OPS, messageTs: card.ts, message: card, actionId: 'approve',
      responseUrl: slack.responseUrlFor(OPS, BOB, { messageTs: card.ts }),
    });
    expect(click.status).toBe(200);
    await slack.waitFor(() => (slack.workspace.message(OPS, card.ts)?.text === `Approved by <@${BOB}>` ? true : undefined));
    expect(seen.find((s) => s.kind === 'action')?.body).toMatchObject({ actions: [{ action_id: 'approve', value: 'req_9' }] });

    slack.workspace.addReaction(OPS, card.ts, ALICE, 'eyes');
    const ev = await sendEvent(botUrl, SECRET, { type: 'reaction_added', user: ALICE, reaction: 'eyes', item_user: LocalWorkspace.botUserId, item: { type: 'message', channel: OPS, ts: card.ts } });
    expect(ev.status).toBe(200);
    const reply = await slack.waitFor(() => slack.workspace.replies(OPS, card.ts)[1]);
    expect(reply.text).toBe('Noted :eyes:');
  });

  it('passes retry headers through to Bolt’s context', async () => {
    await sendSlashCommand(botUrl, SECRET, {
      command: '/k8s', text: 'status', userId: ALICE, channelId: OPS, responseUrl: slack.responseUrlFor(OPS, ALICE), retryNum: 1,
    });
    expect(seen.find((s) => s.kind === 'command' && s.body.text === 'status')?.retryNum).toBe(1);
  });

  it('answers url_verification with the challenge', async () => {
    const res = await sendUrlVerification(botUrl, SECRET, 'challenge-123');
    expect(res).toMatchObject({ status: 200, json: { challenge: 'challenge-123' } });
  });

  it('gets 401 from Bolt for a bad signature or a stale timestamp, and the command never runs', async () => {
    const count = seen.length;
    const base = { command: '/k8s' as const, text: 'drain node03', userId: ALICE, channelId: OPS, responseUrl: slack.responseUrlFor(OPS, ALICE) };
    expect((await sendSlashCommand(botUrl, SECRET, { ...base, signatureOverride: 'v0=deadbeef' })).status).toBe(401);
    expect((await sendSlashCommand(botUrl, 'wrong-secret', base)).status).toBe(401);
    expect((await sendSlashCommand(botUrl, SECRET, { ...base, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect(seen.length).toBe(count);
  });
});
