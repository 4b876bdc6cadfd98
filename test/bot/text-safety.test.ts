/**
 * Nothing leaks, nothing injects, over the real bot: each case of the issue tried as an attacker
 * would, through Slack (signed HTTP to Bolt), a real Redis, the sandbox cluster and a worker,
 * then searched for in every output: Redis (all keys), every Slack call and upload, and the logs
 * (sitrep's own logger, redaction included).
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { sendEvent } from '../../src/console/index.js';
import { REMOVED_ANNOTATION } from '../../src/core/text/manifest-redact.js';
import { buttonValue, uploadedFile, waitForEphemeral, waitForMessage, waitForUpdate } from '../support/cards.js';
import { eventually } from '../support/eventually.js';
import { capturedLogger, dumpRedis, slackOutputs } from '../support/outputs.js';
import { SECRET_SAMPLES } from '../support/secrets.js';
import { ALICE, BOB, CAROL, messageText, OPS, SIGNING_SECRET, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
const logs = capturedLogger();
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', logger: logs.logger });
  await stack.slash('start "text safety drill" --sev 3', { command: '/incident', user: CAROL });
  await waitForMessage(stack, (m) => /text safety drill/.test(messageText(m)));
});
afterAll(async () => {
  await stack?.stop();
});

/** Every place a secret could end up, as text. */
async function everyOutput(): Promise<string> {
  return [await dumpRedis(stack.redis.client()), slackOutputs(stack.slack), logs.lines.join('')].join('\n');
}

/** What the bot answered to a slash command through its response_url, the last such answer matching. */
function responses(match: RegExp): string[] {
  return stack.slack.calls('response_url').map((c) => String((c.args as { text?: unknown }).text ?? '')).filter((t) => match.test(t));
}

/** Slack tokens that would ping or link, in text Slack parses: anything but sitrep's own mentions of these people. */
function liveTokens(text: string): string[] {
  return (text.replace(new RegExp(`<@(?:${ALICE}|${BOB}|${CAROL})>|<#${OPS}>`, 'g'), '').match(/<[^>]*>/g) ?? []);
}

/** `/incident note TEXT` as Alice, and the event it stored (found by `marker`). */
async function note(text: string, marker: RegExp): Promise<{ text: string }> {
  await stack.slash(`note ${text}`, { command: '/incident', user: ALICE });
  // The note is said in the channel, as the timeline shows it.
  await waitForMessage(stack, (m) => /noted on/.test(messageText(m)) && marker.test(messageText(m)));
  const incident = await stack.bot.services.incidents.openIn(OPS);
  return eventually(async () => (await stack.bot.services.timeline.read(incident!.id)).find((e) => marker.test(e.text)), { what: 'the note on the timeline' });
}

async function pin(text: string, user = BOB): Promise<void> {
  const said = stack.slack.workspace.postMessage({ channel: OPS, user, text }).message;
  await eventually(() => Date.now() > Number(said.ts) * 1000 + 2, { what: 'the clock to pass the message' });
  await sendEvent(stack.bot.url, SIGNING_SECRET, { type: 'reaction_added', user: CAROL, reaction: 'pushpin', item: { type: 'message', channel: OPS, ts: said.ts }, item_user: user });
  const incident = await stack.bot.services.incidents.openIn(OPS);
  await eventually(async () => (await stack.bot.services.timeline.read(incident!.id)).some((e) => e.key === `pin:${OPS}:${said.ts}`), { what: 'the pinned message on the timeline' });
}

describe('text safety over the real bot', () => {
  it('1. pod env secrets stay out of backups: deleted through sitrep, no value in Redis, the backups file, messages or logs; the backup says what it removed', async () => {
    const jwt = ['eyJhbGciOiJSUzI1NiIsImtpZCI6InNpdHJlcCJ9', 'eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2hvcDphcGkifQ', 'c2lnbmF0dXJlLW9mLWEtdGVzdC10b2tlbg'].join('.');
    const secrets = { DB_PASSWORD: 'Db-Passw0rd-planted-1', STRIPE_KEY: SECRET_SAMPLES['Stripe key']!, DATABASE_URL: 'postgres://orders:Pg-S3cret-planted-2@db.shop:5432/orders' };
    const env = Object.entries(secrets).map(([name, value]) => ({ name, value }));
    await stack.core.createNamespacedPod({
      namespace: 'shop',
      body: {
        metadata: {
          name: 'leaky-0',
          labels: { app: 'leaky' },
          annotations: { 'auth.example/session': jwt, 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ spec: { containers: [{ name: 'app', env }] } }) },
        },
        spec: { containers: [{ name: 'app', image: 'registry.example/leaky:1', env: [...env, { name: 'LOG_LEVEL', value: 'info' }, { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'leaky', key: 'token' } } }] }] },
      },
    });
    await stack.slash('delete pod leaky-0 -n shop', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /leaky-0/.test(messageText(m)));
    await stack.click(CardAction.Approve, buttonValue(card, CardAction.Approve)!, { user: BOB, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /^Done/, 30_000);

    const files = stack.slack.workspace.allFiles().length;
    await stack.slash('postmortem --backups --format md', { command: '/incident', user: CAROL });
    const backups = await uploadedFile(stack, /^backups-.*\.json$/, files);
    const saved = JSON.parse(backups) as { objects: { kind: string; metadata: { annotations?: Record<string, string> }; spec?: { containers: { env: { name: string; value?: string; valueFrom?: unknown }[] }[] } }[] }[];
    const podBackup = saved.flatMap((b) => b.objects).find((o) => o.kind === 'Pod')!;
    // What restoring needs is kept: the names, the references, the harmless values.
    expect(podBackup.spec!.containers[0]!.env.map((e) => e.name)).toEqual(['DB_PASSWORD', 'STRIPE_KEY', 'DATABASE_URL', 'LOG_LEVEL', 'API_TOKEN']);
    expect(podBackup.spec!.containers[0]!.env.find((e) => e.name === 'API_TOKEN')!.valueFrom).toEqual({ secretKeyRef: { name: 'leaky', key: 'token' } });
    expect(podBackup.spec!.containers[0]!.env.find((e) => e.name === 'LOG_LEVEL')!.value).toBe('info');
    // And it says what it removed.
    const removed = podBackup.metadata.annotations![REMOVED_ANNOTATION]!;
    for (const what of ['env DB_PASSWORD value', 'env STRIPE_KEY value', 'env DATABASE_URL value', 'annotation kubectl.kubernetes.io/last-applied-configuration', 'annotation auth.example/session']) expect(removed).toContain(what);

    const all = await everyOutput();
    for (const value of [...Object.values(secrets), 'Pg-S3cret-planted-2', jwt, jwt.split('.')[1]!]) expect(all, `a planted secret leaked: ${value.slice(0, 12)}…`).not.toContain(value);
  });

  it('2. every common token format, inline in a note, a pin and a command, is redacted in the reply, the timeline, the postmortem, Redis and the logs', async () => {
    const tokens = Object.values(SECRET_SAMPLES);
    await stack.slash(`note rotated creds: ${tokens.slice(0, 6).join(' and ')} all revoked`, { command: '/incident', user: ALICE });
    await waitForMessage(stack, /noted on/);
    await pin(`pasting by mistake ${tokens.slice(6).join(', ')}; DATABASE_URL=postgres://app:Pin-Passw0rd-3@db:5432/x`);
    await stack.slash(`get pods -n shop -l token=${tokens[0]}`, { user: ALICE });
    await stack.slash('timeline', { command: '/incident', user: ALICE });
    await stack.slack.waitFor(() => responses(/rotated creds/).find((t) => /timeline/.test(t)), { timeoutMs: 15_000 });
    const files = stack.slack.workspace.allFiles().length;
    await stack.slash('postmortem --format md', { command: '/incident', user: CAROL });
    const md = await uploadedFile(stack, /^postmortem-.*\.md$/, files);
    expect(md).toContain('rotated creds: \\[redacted\\] and \\[redacted\\]');
    expect(md).toContain('pasting by mistake');
    const all = await everyOutput();
    for (const t of [...tokens, 'Pin-Passw0rd-3']) expect(all, `token leaked: ${t.slice(0, 8)}…`).not.toContain(t);
  });

  it('3. a wrong Redis password stops the real worker and bot at start with one message naming the refusal, never the password', async () => {
    const { startRedisServer } = await import('../../src/demo/redis-server.js');
    const { spawnSitrep } = await import('../ops/support/processes.js');
    const { LocalWorkspace } = await import('../../src/console/index.js');
    const password = 'Right-Passw0rd-4';
    const wrong = 'Wrong-Passw0rd-5';
    const server = await startRedisServer({ args: ['--requirepass', password] });
    const redisUrl = `redis://:${wrong}@127.0.0.1:${server.port}`;
    const worker = spawnSitrep(['worker', '--cluster', 'sandbox'], { KUBECONFIG: stack.sandbox.kubeconfigPath, REDIS_URL: redisUrl, SITREP_OPS_PORT: '0' });
    const bot = spawnSitrep(['bot'], { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: LocalWorkspace.botToken, SLACK_API_URL: stack.slack.url, REDIS_URL: redisUrl, PORT: '0', KUBECONFIG: stack.sandbox.kubeconfigPath });
    try {
      // Both stop at start with one message naming the refusal, never the password.
      for (const p of [worker, bot]) expect((await p.exited).code, p.output()).toBe(1);
    } finally {
      await worker.stop('SIGKILL');
      await bot.stop('SIGKILL');
      await server.stop(1000);
    }
    const out = worker.output() + bot.output();
    expect(out).not.toContain(wrong);
    expect(out).not.toContain(password);
    expect(worker.output()).toMatch(new RegExp(`^sitrep worker: Redis at 127.0.0.1:${server.port} refused sitrep's credentials \\(WRONGPASS\\)\\.`, 'm'));
    expect(bot.output()).toMatch(/refused sitrep's credentials \(WRONGPASS\)/);
    expect(out).not.toMatch(/^\s+at /m);
  });

  it('4. a pinned broadcast and a disguised link come back dead in /incident timeline and the postmortem, showing the real target', async () => {
    await pin('FYI <!channel> new runbook: <https://evil.example/login|https://runbooks.internal/db>');
    await stack.slash('timeline', { command: '/incident', user: ALICE });
    const reply = await stack.slack.waitFor(() => stack.slack.calls('response_url').find((c) => /new runbook/.test(JSON.stringify(c.args)) && (c.args as { response_type?: string }).response_type === 'in_channel'), { timeoutMs: 15_000 });
    const text = String((reply.args as { text: string }).text);
    expect(liveTokens(text)).toEqual([]);
    expect(text).toContain('https://runbooks.internal/db (https://evil.example/login)');
    expect(text).toContain('FYI @channel new runbook');

    const files = stack.slack.workspace.allFiles().length;
    await stack.slash('postmortem --format md', { command: '/incident', user: CAROL });
    const md = await uploadedFile(stack, /^postmortem-.*\.md$/, files);
    expect(md).not.toContain('<!channel>');
    expect(md).not.toMatch(/<https?:/);
    expect(md).toContain('FYI @channel new runbook: https://runbooks.internal/db (https://evil.example/login)');
    // Notes too: a quoted broadcast in a note pings no one anywhere.
    expect((await note('heads up <!here> and <@U0EVIL0001|mallory>', /heads up/)).text).toBe('heads up @here and @mallory');
    for (const c of stack.slack.calls()) expect(JSON.stringify(c.args)).not.toMatch(/<!here>|<!channel>|<@U0EVIL0001/);
  });

  it('5. NUL and a right-to-left override in a note are stored and exported as visible escapes', async () => {
    const stored = await note('nul\u0000here and \u202Egpj.exe rtl', /rtl/);
    expect(stored.text).toBe('nul\\u0000here and \\u202Egpj.exe rtl');
    const files = stack.slack.workspace.allFiles().length;
    await stack.slash('postmortem --format json', { command: '/incident', user: CAROL });
    const json = await uploadedFile(stack, /^postmortem-.*\.json$/, files);
    expect(JSON.stringify(JSON.parse(json))).toContain('nul\\\\u0000here and \\\\u202Egpj.exe rtl');
    const all = await everyOutput();
    expect(all).not.toMatch(/[\u0000\u202E]/);
  });

  it('6. cluster text (a pod\'s status.reason) is escaped in the fallback text as in the blocks', async () => {
    const reason = '<!channel> <https://evil.example|https://status.internal> bob & co';
    await stack.core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'odd-reason' }, spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'app', image: 'x' }] } } });
    await stack.core.patchNamespacedPodStatus({ namespace: 'shop', name: 'odd-reason', body: { status: { phase: 'Failed', reason } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await stack.slash('describe pod odd-reason -n shop', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /^Done/.test(m.text ?? '') && /odd-reason/.test(m.text ?? ''));
    expect(liveTokens(card.text!)).toEqual([]);
    expect(card.text).toContain('&lt;!channel&gt;');
    expect(card.text).toContain('bob &amp; co');
    expect(card.text).not.toContain('&amp;amp;');
    for (const t of messageText(card).split('\n')) expect(liveTokens(t)).toEqual([]);
    // Input echoed back in an error is escaped once: "bob & co" never reads `&amp;amp;`.
    const ack = await stack.slash('drain bob&amp;co&lt;!here&gt;', { user: ALICE });
    const echoed = messageText(ack.json as { text: string; blocks: unknown[] });
    expect(echoed).toContain('"bob&amp;co&lt;!here&gt;"');
    expect(echoed).not.toContain('&amp;amp;');
    expect(liveTokens(echoed)).toEqual([]);
  });

  it('8. a note keeps every dash and space as typed; only flags are parsed', async () => {
    const stored = await note('rolled back web \u2014 error rate falling \u2014 watching', /watching/);
    expect(stored.text).toBe('rolled back web \u2014 error rate falling \u2014 watching');
  });
});
