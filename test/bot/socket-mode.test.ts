import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { startBot, type Bot } from '../../src/chat/bot.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { LocalWorkspace, startSlackApiServer, type SlackApiServer } from '../../src/console/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startWorkerProcess } from '../../src/worker/worker-process.js';
import { RequestKeys } from '../../src/requests/index.js';
import { buttonValue, waitForMessage, waitForUpdate } from '../support/cards.js';
import { eventually } from '../support/eventually.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { DisconnectReason, startSocketModeServer, type SocketModeServer } from '../support/socket-mode-server.js';
import { ALICE, BOB, CAROL, messageText, OPS, TEST_JOB_KEY, testBotOptions } from '../support/stack.js';

// The whole of sitrep on loopback as test/support/stack.ts wires it, but the bot runs in Socket
// Mode: it has no inbound HTTP for Slack, calls apps.connections.open on the stand-in with the
// app-level token, and gets every command and click over a WebSocket.

const CLUSTER = 'sandbox';
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const prefix = `t${randomBytes(4).toString('hex')}`;
let redis: TestRedis;
let sandbox: Sandbox;
let slack: SlackApiServer;
let socket: SocketModeServer;
let worker: Awaited<ReturnType<typeof startWorkerProcess>>;
let bot: Bot;
let core: CoreV1Api;

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ scenario: 'maintenance', timeScale: 0.02 });
  slack = await startSlackApiServer();
  socket = await startSocketModeServer({ slack });
  worker = await startWorkerProcess({ cluster: CLUSTER, kubeconfigPath: sandbox.kubeconfigPath, redisUrl: redis.url, prefix, logger, jobKeys: [TEST_JOB_KEY], lockDurationMs: 5000 });
  bot = await startBot({ ...testBotOptions({ slackUrl: slack.url, redisUrl: redis.url, prefix, logger, defaultCluster: CLUSTER }), appToken: LocalWorkspace.appToken, editIntervalMs: 200, expirySweepMs: 200 });
  const kc = new KubeConfig();
  kc.loadFromFile(sandbox.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await bot?.stop().catch(() => {});
  await worker?.stop(1000).catch(() => {});
  await socket?.close().catch(() => {});
  await slack?.close().catch(() => {});
  await sandbox?.close().catch(() => {});
  await redis?.stop();
});

function slash(text: string, o: { user?: string; command?: '/k8s' | '/incident' } = {}) {
  const user = o.user ?? ALICE;
  return socket.sendSlashCommand({ command: o.command ?? '/k8s', text, userId: user, channelId: OPS, responseUrl: slack.responseUrlFor(OPS, user) });
}

function click(actionId: string, value: string, user: string, messageTs: string) {
  const message = slack.workspace.message(OPS, messageTs);
  return socket.sendBlockAction({ userId: user, channelId: OPS, messageTs, actionId, value, ...(message ? { message } : {}), responseUrl: slack.responseUrlFor(OPS, user, { messageTs }) });
}

async function requestKeys(): Promise<string[]> {
  return redis.client().keys(new RequestKeys(prefix).request('*'));
}

describe('Socket Mode end to end', () => {
  it('the bot got its WebSocket URL from apps.connections.open with the app-level token, and said hello', () => {
    const opens = slack.calls('apps.connections.open');
    expect(opens.length).toBeGreaterThanOrEqual(1);
    expect(opens.every((c) => c.ok)).toBe(true);
    expect(socket.connectionCount()).toBe(1);
  });

  it('/k8s get nodes is acked over the socket and ends with the table from the sandbox', async () => {
    const ack = await slash('get nodes');
    // A bare ack(): SocketModeClient sends an empty payload, so Slack shows nothing extra.
    expect(ack.payload ?? {}).toEqual({});
    const card = await waitForMessage({ slack }, (m) => /Done/.test(m.text ?? '') && /get nodes/.test(messageText(m)));
    const text = messageText(card);
    const nodes = await core.listNode();
    expect(nodes.items.length).toBeGreaterThan(0);
    for (const n of nodes.items) expect(text).toContain(n.metadata!.name!);
    expect(text).toContain('NAME');
    expect(text).toContain('STATUS');
    const posts = slack.calls('chat.postMessage').filter((c) => /get nodes/.test(JSON.stringify(c.args)));
    expect(posts).toHaveLength(1);
  });

  it('a bad command gets its ephemeral message as the ack payload, and nothing is queued', async () => {
    const before = await requestKeys();
    const ack = await slash('drian node02');
    const body = ack.payload as { response_type?: string; text?: string } | undefined;
    expect(body?.response_type).toBe('ephemeral');
    expect(body?.text).toContain('Did you mean `drain`?');
    expect(body?.text).toContain('/k8s drain NODE');
    expect(await requestKeys()).toEqual(before);
  });

  it('Alice requests a drain, Bob approves by clicking over the socket, and node02 drains', async () => {
    const ack = await slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    expect(ack.payload ?? {}).toEqual({});
    const card = await waitForMessage({ slack }, (m) => /Approval needed/.test(m.text ?? '') && /drain node02/.test(messageText(m)));
    const approvalId = buttonValue(card, CardAction.Approve);
    expect(approvalId).toMatch(/^apr_/);

    const clicked = await click(CardAction.Approve, approvalId!, BOB, card.ts);
    expect(clicked.type).toBe('interactive');
    expect(clicked.payload ?? {}).toEqual({});
    const done = await waitForUpdate({ slack }, card.ts, /Done/, 60_000);
    expect(messageText(done)).toContain(`approved by <@${BOB}>`);
    const node = await core.readNode({ name: 'node02' });
    expect(node.spec?.unschedulable).toBe(true);
    const pods = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node02' });
    const leftover = pods.items.filter((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') && !p.metadata?.annotations?.['kubernetes.io/config.mirror']);
    expect(leftover.map((p) => p.metadata?.name)).toEqual([]);
  });

  it('a :pushpin: reaction arrives as an events_api envelope and lands on the incident timeline', async () => {
    await slash('start "disk pressure on node03" --sev 3', { command: '/incident', user: ALICE });
    await waitForMessage({ slack }, (m) => /disk pressure on node03/.test(messageText(m)));
    const said = slack.workspace.postMessage({ channel: OPS, user: BOB, text: 'node03 /var is at 97%, image GC is not keeping up' }).message;
    const ack = await socket.sendEvent({ type: 'reaction_added', user: CAROL, reaction: 'pushpin', item: { type: 'message', channel: OPS, ts: said.ts }, item_user: BOB });
    expect(ack.type).toBe('events_api');
    const incident = await bot.services.incidents.openIn(OPS);
    expect(incident).toBeTruthy();
    const pinned = await eventually(async () => (await bot.services.timeline.read(incident!.id)).find((e) => /image GC/.test(e.text)), { what: 'the pinned message on the timeline' });
    expect(pinned.actor).toBe(BOB);
  });

  it('a disconnect (refresh_requested) makes the bot fetch a new URL, reconnect, and keep working', async () => {
    const opensBefore = slack.calls('apps.connections.open').length;
    const acceptedBefore = socket.acceptedCount();
    socket.sendDisconnect(DisconnectReason.RefreshRequested);
    // SocketModeClient closes the link, waits its backoff (clientPingTimeout, 5 s) and reconnects.
    await socket.waitFor(() => socket.acceptedCount() > acceptedBefore && socket.connectionCount() === 1, { timeoutMs: 20_000, label: 'the bot to reconnect' });
    expect(socket.closes().at(-1)).toMatchObject({ code: 1000, initiatedBy: 'client' });
    // Link URLs work once: the reconnect had to ask apps.connections.open for a new one.
    expect(slack.calls('apps.connections.open').length).toBeGreaterThan(opensBefore);
    const ack = await slash('help');
    expect(String((ack.payload as { text?: string } | undefined)?.text)).toContain('/k8s');
  });

  it('stop() closes the socket with a normal closure', async () => {
    const closesBefore = socket.closes().length;
    await bot.stop();
    // Bolt's SocketModeReceiver.stop() does not wait for the close handshake, so stop() can
    // return a few milliseconds before the server sees the socket close.
    await socket.waitFor(() => socket.connectionCount() === 0, { timeoutMs: 10_000, label: 'the bot to close its connection' });
    const closes = socket.closes().slice(closesBefore);
    expect(closes).toHaveLength(1);
    expect(closes[0]).toMatchObject({ code: 1000, initiatedBy: 'client' });
    await expect(slash('get nodes')).rejects.toThrow(/no open connection/);
  });
});

describe('apps.connections.open on the Web API stand-in', () => {
  const open = (token: string) =>
    fetch(`${slack.url}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' } }).then((r) => r.json() as Promise<{ ok: boolean; url?: string; error?: string }>);

  it('hands out a single-use ws:// URL for the app-level token only', async () => {
    const first = await open(LocalWorkspace.appToken);
    const second = await open(LocalWorkspace.appToken);
    expect(first.ok).toBe(true);
    expect(first.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A0SITREP01$/);
    expect(second.url).not.toBe(first.url);
    expect(await open(LocalWorkspace.botToken)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await open('xapp-wrong')).toEqual({ ok: false, error: 'invalid_auth' });
    // An app-level token opens connections and nothing else.
    const post = await fetch(`${slack.url}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${LocalWorkspace.appToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: OPS, text: 'hi' }) });
    expect(await post.json()).toEqual({ ok: false, error: 'not_allowed_token_type' });
  });

  it('refuses a reused or made-up link URL at the WebSocket upgrade', async () => {
    const { url } = await open(LocalWorkspace.appToken);
    const first = await upgradeStatus(url!);
    const reused = await upgradeStatus(url!);
    const madeUp = await upgradeStatus(url!.replace(/ticket=[0-9a-f]+/, 'ticket=0000'));
    expect(first).toBe(101);
    expect(reused).toBe(401);
    expect(madeUp).toBe(401);
  });
});

/** The HTTP status of a WebSocket upgrade request (101 when accepted); the socket is then dropped. */
function upgradeStatus(wsUrl: string): Promise<number> {
  const u = new URL(wsUrl.replace(/^ws:/, 'http:'));
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') } });
    req.on('upgrade', (res, sock) => {
      sock.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
