import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import type { FeedEvent } from '../../src/console/index.js';
import { startDemo, type Demo } from '../../src/demo/demo.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

/**
 * The console server's HTTP side without a browser (so it runs where Chromium is missing): the
 * event stream, commands reaching the real bot as Slack sends them, and file downloads.
 */

const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const OPS = 'C0OPS00001';

let redis: TestRedis;
let demo: Demo;

beforeAll(async () => {
  redis = await startTestRedis();
  demo = await startDemo({ port: 0, redisUrl: redis.url, timeScale: 0.05, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
});
afterAll(async () => {
  await demo?.stop();
  await redis?.stop();
});

/** Reads the page's event stream as `user`, collecting events until `stop()`. */
async function openFeed(user: string) {
  const abort = new AbortController();
  const events: FeedEvent[] = [];
  const res = await fetch(`${demo.consoleUrl}/api/events?user=${user}`, { signal: abort.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) events.push(JSON.parse(data) as FeedEvent);
        }
      }
    } catch {
      // Aborted by stop().
    }
  })();
  const waitFor = <T>(pick: (e: FeedEvent) => T | undefined, timeoutMs = 15_000): Promise<T> =>
    eventually(() => events.map(pick).find((v) => v !== undefined), { what: 'a matching console event', timeoutMs, describe: () => `got: ${events.map((e) => e.type).join(', ')}` });
  return { events, waitFor, async stop() { abort.abort(); await pump; } };
}

function post(path: string, body: unknown, contentType = 'application/json') {
  return fetch(`${demo.consoleUrl}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) });
}

const textOf = (m: { text?: string; blocks?: unknown[] }) => `${m.text ?? ''} ${JSON.stringify(m.blocks ?? [])}`;

describe('console server', () => {
  it('streams the state first, then live changes; ephemerals reach only their recipient', async () => {
    const alice = await openFeed(ALICE);
    const bob = await openFeed(BOB);
    try {
      const state = await alice.waitFor((e) => (e.type === 'state' ? e.state : undefined));
      expect(state.me).toBe(ALICE);
      expect(state.channels.map((c) => c.name)).toEqual(['ops', 'incidents', 'postmortems']);
      expect(state.cluster).toBe(true);
      expect(alice.events[0].type).toBe('state');

      // A typo gets the bot's ephemeral help, through the response to the signed command.
      const res = await post('/api/command', { user: ALICE, channel: OPS, text: '/k8s drian node02' });
      expect(await res.json()).toMatchObject({ ok: true, status: 200 });
      const hint = await alice.waitFor((e) => (e.type === 'ephemeral' && /Did you mean/.test(textOf(e.message)) ? e.message : undefined));
      expect(hint.recipient).toBe(ALICE);

      // A read command: the bot posts one channel message that both see and edits it in place.
      await post('/api/command', { user: ALICE, channel: OPS, text: '/k8s get nodes' });
      const done = await bob.waitFor((e) => (e.type === 'message' && /^Done/.test(e.message.text) ? e.message : undefined));
      expect(textOf(done)).toContain('node02');
      expect(bob.events.some((e) => e.type === 'ephemeral')).toBe(false);
    } finally {
      await alice.stop();
      await bob.stop();
    }
  });

  it('answers unknown commands as Slack does and posts plain text as the person', async () => {
    const feed = await openFeed(ALICE);
    try {
      const unknown = await (await post('/api/command', { user: ALICE, channel: OPS, text: '/deploy prod' })).json();
      expect(unknown).toMatchObject({ ok: false, error: 'unknown_command' });
      await feed.waitFor((e) => (e.type === 'ephemeral' && e.message.text.includes('`/deploy` is not a valid command') ? true : undefined));

      await post('/api/command', { user: ALICE, channel: OPS, text: 'is <anyone> on node02 & node03?' });
      const said = await feed.waitFor((e) => (e.type === 'message' && e.message.user === ALICE ? e.message : undefined));
      // Stored escaped, as Slack stores what people type.
      expect(said.text).toBe('is &lt;anyone&gt; on node02 &amp; node03?');
    } finally {
      await feed.stop();
    }
  });

  it('refuses anything but JSON (no cross-site form posts) and bad arguments', async () => {
    const form = await post('/api/command', { user: ALICE, channel: OPS, text: '/k8s get nodes' }, 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    const bad = await post('/api/command', { user: 'alice', channel: OPS, text: '/k8s get nodes' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_arguments' });
    const click = await post('/api/action', { user: ALICE, channel: OPS, ts: '1.000001', actionId: 'sitrep_approve' });
    expect(await click.json()).toMatchObject({ ok: false, error: 'message_not_found' });
  });

  it('exports a postmortem to another channel named as typed, #postmortems, resolved through the Web API stand-in', async () => {
    const ws = demo.slack.workspace;
    await post('/api/command', { user: ALICE, channel: OPS, text: '/incident start "export check" --sev 3' });
    await eventually(() => ws.messages(OPS).find((m) => /export check/.test(textOf(m)) && /SEV3/.test(textOf(m))), { what: 'the incident card' });
    await post('/api/command', { user: ALICE, channel: OPS, text: '/incident resolve' });
    await eventually(() => ws.messages(OPS).find((m) => /resolved after/.test(textOf(m))), { what: 'the resolution' });
    await post('/api/command', { user: ALICE, channel: OPS, text: '/incident postmortem #postmortems' });
    const summary = await eventually(() => ws.messages('C0POSTMORT').find((m) => /Postmortem: export check/.test(textOf(m))), { what: 'the postmortem in #postmortems' });
    const files = await eventually(() => {
      const names = ws.replies('C0POSTMORT', summary.ts).flatMap((m) => (m.files ?? []).map((f) => f.name));
      return names.length >= 2 ? names : undefined;
    }, { what: 'the file and the chart in its thread' });
    expect(files).toEqual(expect.arrayContaining([expect.stringMatching(/^postmortem-inc-.*\.md$/), expect.stringMatching(/^postmortem-inc-.*\.png$/)]));
  });

  it('serves shared files for viewing and downloading', async () => {
    const ws = demo.slack.workspace;
    const file = ws.createFile({ filename: 'notes.md', length: 7 });
    ws.receiveUpload(file.id, Buffer.from('# hello'));
    ws.completeUpload({ files: [{ id: file.id }], channel: OPS, text: 'notes' });
    const view = await fetch(`${demo.consoleUrl}/files/${file.id}/notes.md`);
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await view.text()).toBe('# hello');
    const download = await fetch(`${demo.consoleUrl}/files/${file.id}/notes.md?download=1`);
    expect(download.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''notes.md");
    expect((await fetch(`${demo.consoleUrl}/files/F000NOPE/x.md`)).status).toBe(404);
  });

  it('serves the cluster panel from the sandbox', async () => {
    const snap = (await (await fetch(`${demo.consoleUrl}/api/cluster`)).json()) as { cluster: string; nodes: { name: string; status: string; pods: unknown[]; roles: string[] }[] };
    expect(snap.cluster).toBe('sandbox');
    expect(snap.nodes.map((n) => n.name)).toEqual(['cp01', 'node01', 'node02', 'node03']);
    const cp = snap.nodes.find((n) => n.name === 'cp01')!;
    expect(cp.roles).toEqual(['control-plane']);
    expect(snap.nodes.every((n) => n.status === 'Ready' && n.pods.length > 0)).toBe(true);
  });
});
