import { type Logger as SlackLogger, LogLevel, ErrorCode as WebErrorCode, WebClient, WebClientEvent, type WebAPIPlatformError } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SlackApiServer, startSlackApiServer } from '../../src/console/slack-api-server.js';
import { LocalWorkspace } from '../../src/console/workspace-defaults.js';
import { compareTs } from '../../src/console/message-ts.js';

const OPS = 'C0OPS00001';
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';

let slack: SlackApiServer;
let web: WebClient;

/** Fast retries so a retried call costs milliseconds, not the SDK's default half hour. */
const quickRetries = { retries: 3, minTimeout: 0, maxTimeout: 1, factor: 1 };

/** The SDK logs every refusal these tests provoke on purpose; keep the output readable. */
const quiet: SlackLogger = {
  debug() {}, info() {}, warn() {}, error() {},
  setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {},
};

function client(token: string, options: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
  return new WebClient(token, { slackApiUrl: slack.url, retryConfig: quickRetries, logger: quiet, ...options });
}

beforeAll(async () => {
  slack = await startSlackApiServer({
    channels: [
      { id: OPS, name: 'ops' },
      { id: 'C0PRIVATE1', name: 'sre-private', isPrivate: true, members: [ALICE] },
    ],
  });
  web = client(slack.botToken);
});

afterAll(async () => {
  await slack.close();
});

afterEach(() => {
  slack.resetCalls();
  slack.setLatency(0);
});

/** The Slack error string of a rejected Web API call. */
async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    const e = err as WebAPIPlatformError;
    if (e.code === WebErrorCode.PlatformError) return e.data.error;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('messages through the real WebClient', () => {
  it('posts, updates and shows the message in history as a channel member would see it', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Draining* node02' } }];
    const posted = await web.chat.postMessage({ channel: OPS, text: 'Draining node02', blocks });
    expect(posted.ok).toBe(true);
    expect(posted.channel).toBe(OPS);
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(posted.message?.text).toBe('Draining node02');

    const updated = await web.chat.update({ channel: OPS, ts: posted.ts!, text: 'Drained node02' });
    expect(updated.ts).toBe(posted.ts);

    const seen = slack.workspace.message(OPS, posted.ts!);
    expect(seen?.text).toBe('Drained node02');
    // chat.update without blocks keeps the old blocks, as Slack does.
    expect(seen?.blocks?.[0]).toMatchObject({ type: 'section', text: { text: '*Draining* node02' } });
    expect(seen?.edited?.user).toBe(LocalWorkspace.botUserId);

    const history = await web.conversations.history({ channel: OPS, limit: 1 });
    expect(history.messages?.[0]?.ts).toBe(posted.ts);
    expect(history.messages?.[0]?.text).toBe('Drained node02');
  });

  it('threads replies under their parent and keeps them out of channel history', async () => {
    const parent = await web.chat.postMessage({ channel: OPS, text: 'Incident opened' });
    const reply = await web.chat.postMessage({ channel: OPS, text: 'step 1 done', thread_ts: parent.ts! });
    await web.chat.postMessage({ channel: OPS, text: 'broadcast', thread_ts: reply.ts!, reply_broadcast: true });

    const thread = await web.conversations.replies({ channel: OPS, ts: parent.ts! });
    expect(thread.messages?.map((m) => m.text)).toEqual(['Incident opened', 'step 1 done', 'broadcast']);
    expect(thread.messages?.[0]).toMatchObject({ reply_count: 2, thread_ts: parent.ts });

    const top = slack.workspace.messages(OPS).map((m) => m.text);
    expect(top).toContain('Incident opened');
    expect(top).toContain('broadcast');
    expect(top).not.toContain('step 1 done');
  });

  it('delivers ephemeral messages to one user only, never into history', async () => {
    const res = await web.chat.postEphemeral({ channel: OPS, user: ALICE, text: 'Only you can see this' });
    expect(res.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(slack.workspace.ephemerals(OPS, ALICE).map((e) => e.text)).toContain('Only you can see this');
    expect(slack.workspace.ephemerals(OPS, BOB)).toEqual([]);
    expect(slack.workspace.messages(OPS).map((m) => m.text)).not.toContain('Only you can see this');
    expect(await slackError(web.chat.postEphemeral({ channel: 'C0PRIVATE1', user: BOB, text: 'x' }))).toBe('user_not_in_channel');
  });

  it('gives every message a unique, increasing ts even when posted at once', async () => {
    const posts = await Promise.all(Array.from({ length: 20 }, (_, i) => web.chat.postMessage({ channel: OPS, text: `burst ${i}` })));
    const ts = posts.map((p) => p.ts!);
    expect(new Set(ts).size).toBe(20);
    const history = slack.workspace.messages(OPS).map((m) => m.ts);
    const sorted = [...history].sort(compareTs);
    expect(history).toEqual(sorted);
  });

  it('pages history newest first with a cursor', async () => {
    for (const text of ['one', 'two', 'three']) await web.chat.postMessage({ channel: 'C0PRIVATE1', text });
    const first = await web.conversations.history({ channel: 'C0PRIVATE1', limit: 2 });
    expect(first.messages?.map((m) => m.text)).toEqual(['three', 'two']);
    expect(first.has_more).toBe(true);
    const second = await web.conversations.history({ channel: 'C0PRIVATE1', limit: 2, cursor: first.response_metadata!.next_cursor! });
    expect(second.messages?.map((m) => m.text)).toEqual(['one']);
    expect(second.has_more).toBe(false);
    expect(second.response_metadata?.next_cursor).toBe('');
  });

  it('refuses to edit messages that do not exist or are not the bot’s', async () => {
    expect(await slackError(web.chat.update({ channel: OPS, ts: '1.000001', text: 'x' }))).toBe('message_not_found');
    const human = slack.workspace.postMessage({ channel: OPS, user: ALICE, text: 'typed by alice' });
    expect(await slackError(web.chat.update({ channel: OPS, ts: human.message.ts, text: 'x' }))).toBe('cant_update_message');
    expect(await slackError(web.chat.delete({ channel: OPS, ts: human.message.ts }))).toBe('cant_delete_message');
  });

  it('deletes, pins, reacts and links to messages', async () => {
    const m = await web.chat.postMessage({ channel: OPS, text: 'pin me' });
    await web.pins.add({ channel: OPS, timestamp: m.ts! });
    await web.reactions.add({ channel: OPS, timestamp: m.ts!, name: 'white_check_mark' });
    expect(await slackError(web.pins.add({ channel: OPS, timestamp: m.ts! }))).toBe('already_pinned');
    expect(await slackError(web.reactions.add({ channel: OPS, timestamp: m.ts!, name: 'white_check_mark' }))).toBe('already_reacted');
    const seen = slack.workspace.message(OPS, m.ts!);
    expect(seen?.pinned_to).toEqual([OPS]);
    expect(seen?.reactions).toEqual([{ name: 'white_check_mark', users: [LocalWorkspace.botUserId], count: 1 }]);

    const link = await web.chat.getPermalink({ channel: OPS, message_ts: m.ts! });
    expect(link.permalink).toBe(`${slack.origin}/archives/${OPS}/p${m.ts!.replace('.', '')}`);

    await web.chat.delete({ channel: OPS, ts: m.ts! });
    expect(slack.workspace.message(OPS, m.ts!)).toBeUndefined();
  });

  it('answers directory lookups: auth.test, users, user groups, channels', async () => {
    const auth = await web.auth.test();
    expect(auth).toMatchObject({ user_id: LocalWorkspace.botUserId, team_id: LocalWorkspace.teamId, bot_id: LocalWorkspace.botId });
    const user = await web.users.info({ user: ALICE });
    expect(user.user).toMatchObject({ id: ALICE, name: 'alice', is_bot: false });
    expect(await slackError(web.users.info({ user: 'U0NOBODY00' }))).toBe('user_not_found');
    const group = await web.usergroups.users.list({ usergroup: 'S0ONCALL01' });
    expect(group.users).toEqual([ALICE, BOB]);
    expect(await slackError(web.usergroups.users.list({ usergroup: 'S0NOPE0000' }))).toBe('no_such_subteam');
    const info = await web.conversations.info({ channel: 'C0PRIVATE1' });
    expect(info.channel).toMatchObject({ id: 'C0PRIVATE1', name: 'sre-private', is_private: true });
    // A user id as channel means the bot's DM with that user.
    const dm = await web.chat.postMessage({ channel: ALICE, text: 'You were asked to approve' });
    expect(dm.channel).toMatch(/^D/);
    expect(slack.workspace.messages(dm.channel!).map((m) => m.text)).toEqual(['You were asked to approve']);
  });
});

describe('validation as Slack does it', () => {
  it('rejects an unknown or missing channel with channel_not_found', async () => {
    expect(await slackError(web.chat.postMessage({ channel: 'C0MISSING0', text: 'hi' }))).toBe('channel_not_found');
    expect(await slackError(web.apiCall('chat.postMessage', { text: 'hi' }))).toBe('channel_not_found');
  });

  it('rejects a message with neither text nor blocks with no_text', async () => {
    expect(await slackError(web.chat.postMessage({ channel: OPS, text: '' }))).toBe('no_text');
  });

  it('rejects text over 40,000 characters with msg_too_long', async () => {
    expect(await slackError(web.chat.postMessage({ channel: OPS, text: 'x'.repeat(40_001) }))).toBe('msg_too_long');
  });

  it('rejects more than 50 blocks, and section text over 3000 characters, naming the field', async () => {
    const many = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));
    expect(await slackError(web.chat.postMessage({ channel: OPS, text: 'x', blocks: many }))).toBe('invalid_blocks');

    try {
      await web.chat.postMessage({ channel: OPS, text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] });
      expect.unreachable();
    } catch (err) {
      const e = err as WebAPIPlatformError;
      expect(e.data.error).toBe('invalid_blocks');
      expect(e.data.response_metadata?.messages).toEqual(['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]']);
    }
    // The limit itself is fine.
    await web.chat.postMessage({ channel: OPS, text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3000) } }] });
  });

  it('rejects more than 12,000 characters of text across blocks with msg_blocks_too_long, on post and on update', async () => {
    const sections = (n: number) => Array.from({ length: n }, () => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'z'.repeat(3000) } }));
    expect(await slackError(web.chat.postMessage({ channel: OPS, text: 'x', blocks: sections(5) }))).toBe('msg_blocks_too_long');
    const ok = await web.chat.postMessage({ channel: OPS, text: 'x', blocks: sections(4) });
    expect(await slackError(web.chat.update({ channel: OPS, ts: ok.ts as string, text: 'x', blocks: sections(5) }))).toBe('msg_blocks_too_long');
  });

  it('rejects blocks that are not a JSON array with invalid_blocks_format', async () => {
    expect(await slackError(web.apiCall('chat.postMessage', { channel: OPS, blocks: '{not json' }))).toBe('invalid_blocks_format');
  });
});

describe('authentication', () => {
  it('answers a wrong token with invalid_auth and no token with not_authed, both HTTP 200', async () => {
    const wrong = client('xoxb-wrong', { retryConfig: { retries: 0 } });
    expect(await slackError(wrong.chat.postMessage({ channel: OPS, text: 'hi' }))).toBe('invalid_auth');

    const res = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `channel=${OPS}&text=hi`,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
    expect(slack.workspace.messages(OPS).map((m) => m.text)).not.toContain('hi');
  });

  it('accepts the token as a form field and JSON bodies with a bearer token', async () => {
    const form = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: slack.botToken, channel: OPS, text: 'form token' }).toString(),
    });
    expect(await form.json()).toMatchObject({ ok: true });
    const json = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${slack.botToken}` },
      body: JSON.stringify({ channel: OPS, text: 'json body', blocks: [{ type: 'divider' }] }),
    });
    expect(await json.json()).toMatchObject({ ok: true, message: { text: 'json body' } });
  });
});

describe('files.uploadV2 end to end', () => {
  it('uploads, shares into the channel with the comment, and serves the bytes', async () => {
    const content = '# Postmortem\n\nnode02 drained at 03:12.\n';
    const res = await web.filesUploadV2({
      channel_id: OPS, filename: 'postmortem.md', title: 'Postmortem INC-7', content, initial_comment: 'Postmortem for INC-7',
    });
    expect(res.ok).toBe(true);
    const fileId = (res.files as { files?: { id: string }[] }[])[0].files![0].id;

    const file = slack.workspace.file(fileId);
    expect(file).toMatchObject({ name: 'postmortem.md', title: 'Postmortem INC-7', filetype: 'markdown', size: Buffer.byteLength(content) });
    expect(file?.content?.toString()).toBe(content);

    const shared = slack.workspace.messages(OPS).find((m) => m.files?.some((f) => f.id === fileId));
    expect(shared?.text).toBe('Postmortem for INC-7');
    expect(shared?.files?.[0]).toMatchObject({ id: fileId, title: 'Postmortem INC-7', channels: [OPS] });

    const permalink = await fetch(file!.permalink);
    expect(permalink.status).toBe(200);
    expect(await permalink.text()).toBe(content);
    const privateNoAuth = await fetch(file!.url_private);
    expect(privateNoAuth.status).toBe(403);
    const privateAuth = await fetch(file!.url_private_download, { headers: { authorization: `Bearer ${slack.botToken}` } });
    expect(await privateAuth.text()).toBe(content);

    expect(slack.calls().map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
  });

  it('shares a Buffer into a thread', async () => {
    const parent = await web.chat.postMessage({ channel: OPS, text: 'INC-8 opened' });
    const bytes = Buffer.from(JSON.stringify({ incident: 'INC-8' }));
    await web.filesUploadV2({ channel_id: OPS, thread_ts: parent.ts!, file: bytes, filename: 'timeline.json' });
    const thread = slack.workspace.replies(OPS, parent.ts!);
    expect(thread).toHaveLength(2);
    const f = thread[1].files![0];
    expect(f).toMatchObject({ name: 'timeline.json', filetype: 'json' });
    expect(slack.workspace.file(f.id)?.content?.equals(bytes)).toBe(true);
  });

  it('refuses to complete an upload whose bytes never arrived', async () => {
    const { file_id } = await web.files.getUploadURLExternal({ filename: 'x.txt', length: 3 });
    expect(await slackError(web.files.completeUploadExternal({ files: [{ id: file_id! }], channel_id: OPS }))).toBe('file_not_found');
  });
});

describe('fault injection', () => {
  it('answers 429 with Retry-After; WebClient waits, retries, and the message is posted once', async () => {
    const rateLimited: number[] = [];
    const limited = client(slack.botToken);
    limited.on(WebClientEvent.RATE_LIMITED, (seconds: number) => rateLimited.push(seconds));
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 0 }, 2);

    const res = await limited.chat.postMessage({ channel: OPS, text: 'after the rate limit' });
    expect(res.ok).toBe(true);
    expect(rateLimited).toEqual([0, 0]);
    expect(slack.calls('chat.postMessage').map((c) => [c.status, c.ok])).toEqual([[429, false], [429, false], [200, true]]);
    expect(slack.workspace.messages(OPS).filter((m) => m.text === 'after the rate limit')).toHaveLength(1);
  });

  it('sends the Retry-After header in seconds', async () => {
    slack.failNext('auth.test', { status: 429, retryAfter: 7 });
    const res = await fetch(`${slack.url}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${slack.botToken}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('answers { error } as ok:false that WebClient does not retry', async () => {
    slack.failNext('chat.update', { error: 'ratelimited' });
    expect(await slackError(web.chat.update({ channel: OPS, ts: '1.000001', text: 'x' }))).toBe('ratelimited');
    expect(slack.calls('chat.update')).toHaveLength(1);
  });

  it('answers HTTP 500, which WebClient retries and then surfaces', async () => {
    slack.failNext('chat.postMessage', { status: 500 });
    const res = await web.chat.postMessage({ channel: OPS, text: 'after a 500' });
    expect(res.ok).toBe(true);

    const noRetry = client(slack.botToken, { retryConfig: { retries: 0 } });
    slack.failNext('chat.postMessage', { status: 503 });
    await expect(noRetry.chat.postMessage({ channel: OPS, text: 'x' })).rejects.toMatchObject({ code: WebErrorCode.HTTPError, statusCode: 503 });
  });

  it('delays answers with setLatency (a client timeout shorter than it fails)', async () => {
    slack.setLatency(1500);
    const impatient = client(slack.botToken, { timeout: 100, retryConfig: { retries: 0 } });
    await expect(impatient.auth.test()).rejects.toMatchObject({ code: WebErrorCode.RequestError });
  });
});

describe('response_url', () => {
  async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() };
  }

  it('posts ephemeral to the user by default, and replace_original rewrites that reply', async () => {
    const url = slack.responseUrlFor(OPS, BOB);
    expect(url.startsWith(`${slack.origin}/response/`)).toBe(true);
    expect(await post(url, { text: 'Planning drain of node02…' })).toEqual({ status: 200, json: { ok: true } });
    expect(slack.workspace.ephemerals(OPS, BOB).map((e) => e.text)).toEqual(['Planning drain of node02…']);
    await post(url, { text: 'Plan ready', replace_original: true });
    expect(slack.workspace.ephemerals(OPS, BOB).map((e) => e.text)).toEqual(['Plan ready']);
    expect(slack.workspace.messages(OPS).map((m) => m.text)).not.toContain('Plan ready');
  });

  it('posts in the channel with response_type in_channel', async () => {
    const url = slack.responseUrlFor(OPS, ALICE);
    await post(url, { text: 'Everyone sees this', response_type: 'in_channel' });
    const m = await slack.waitFor(() => slack.workspace.messages(OPS).find((x) => x.text === 'Everyone sees this'));
    expect(m.user).toBe(LocalWorkspace.botUserId);
  });

  it('replaces or deletes the clicked message when the URL came from a block action', async () => {
    const card = await web.chat.postMessage({
      channel: OPS, text: 'Approve drain?',
      blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Approve' } }] }],
    });
    const url = slack.responseUrlFor(OPS, BOB, { messageTs: card.ts! });
    await post(url, { replace_original: true, text: 'Approved by bob' });
    const replaced = slack.workspace.message(OPS, card.ts!);
    expect(replaced?.text).toBe('Approved by bob');
    expect(replaced?.blocks).toBeUndefined();

    await post(url, { delete_original: true });
    expect(slack.workspace.message(OPS, card.ts!)).toBeUndefined();
  });

  it('refuses empty payloads, and URLs used more than five times', async () => {
    const url = slack.responseUrlFor(OPS, ALICE);
    expect(await post(url, {})).toEqual({ status: 400, json: { ok: false, error: 'no_text' } });
    for (let i = 0; i < 5; i++) expect((await post(url, { text: `use ${i}` })).status).toBe(200);
    expect(await post(url, { text: 'sixth' })).toEqual({ status: 404, json: { ok: false, error: 'used_url' } });
    expect((await post(`${slack.origin}/response/unknown`, { text: 'x' })).status).toBe(404);
    expect(slack.calls('response_url').length).toBe(8);
  });
});

describe('waitFor and events', () => {
  it('resolves on the change that satisfies it', async () => {
    const seen: string[] = [];
    const onMessage = (e: { message: { text: string } }) => seen.push(e.message.text);
    slack.on('message', onMessage);
    const waiting = slack.waitFor(() => slack.workspace.messages(OPS).find((m) => m.text === 'wake up'));
    void web.chat.postMessage({ channel: OPS, text: 'wake up' });
    expect((await waiting).text).toBe('wake up');
    expect(seen).toContain('wake up');
    slack.off('message', onMessage);
  });

  it('rejects on timeout with the recent calls in the message', async () => {
    await web.chat.postMessage({ channel: OPS, text: 'the only thing that happened' });
    await expect(slack.waitFor(() => undefined, { timeoutMs: 50, label: 'the approval card' })).rejects.toThrow(
      /Timed out after 50 ms waiting for the approval card\.\nRecent Slack API calls \(1 in all\):\n {2}ok  chat\.postMessage channel="C0OPS00001" text="the only thing that happened"/,
    );
  });
});
