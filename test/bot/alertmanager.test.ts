import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPEN_POLICY_YAML, Policy } from '../../src/approval/index.js';
import { alertmanagerMissing, startAlertmanager, type TestAlertmanager } from '../support/alertmanager.js';
import { waitForMessage, waitForUpdate } from '../support/cards.js';
import { eventually } from '../support/eventually.js';
import { messageText, OPS, startStack, type Stack } from '../support/stack.js';

const INCIDENTS = 'C0INCIDENT';
const TOKEN = 'alertmanager-test-token-0123456789';
const missing = alertmanagerMissing();
if (missing) console.log(`skipping the Alertmanager tests: ${missing}`);

const POLICY = `${OPEN_POLICY_YAML}
alerts:
  - match: { severity: critical }
    channel: ${OPS}
    incident: true
  - match: { severity: warning }
    channel: ${INCIDENTS}
`;

let stack: Stack;
let am: TestAlertmanager;
let base: string;

beforeAll(async () => {
  if (missing) return;
  stack = await startStack({ policy: Policy.fromText(POLICY, 'test policy'), alertmanager: { bearerToken: TOKEN }, worker: false });
  base = stack.bot.url.replace(/\/slack\/events$/, '');
  am = await startAlertmanager({ webhookUrl: `${base}/alertmanager`, token: TOKEN, repeatInterval: '2s' });
}, 60_000);

afterAll(async () => {
  await am?.stop();
  await stack?.stop();
});

/** Webhook notifications Alertmanager has sent so far (its own counter). */
async function notificationsSent(): Promise<number> {
  const text = await (await fetch(`${am.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('alertmanager_notifications_total{') && l.includes('integration="webhook"'));
  return Number(line?.split(' ').pop() ?? 0);
}

describe.skipIf(missing)('Alertmanager webhook intake, against the real Alertmanager', () => {
  it('refuses a request without the credentials (401) and a body that is not a version 4 payload (400)', async () => {
    const none = await fetch(`${base}/alertmanager`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(((await none.json()) as { message: string }).message).toMatch(/SITREP_ALERTMANAGER_TOKEN/);
    const wrong = await fetch(`${base}/alertmanager`, { method: 'POST', headers: { Authorization: 'Bearer nope' }, body: '{}' });
    expect(wrong.status).toBe(401);
    const bad = await fetch(`${base}/alertmanager`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ version: '3', alerts: [] }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/version 4/);
  });

  it('a critical alert opens an incident with one card (links, suggestions); repeats add nothing; the resolution edits the card and the timeline', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const alert = {
      labels: { alertname: 'KubeNodeNotReady', severity: 'critical', node: 'node02', cluster: 'sandbox' },
      annotations: { summary: 'node02 has been unready for more than 15 minutes', runbook_url: 'https://runbooks.example/kubenodenotready', description: 'checked with bob & co <@U0DAVE0001>' },
      startsAt,
      generatorURL: 'https://prometheus.example/graph?g0.expr=up',
    };
    await am.post([alert]);
    const card = await waitForMessage(stack, (m) => /Firing: KubeNodeNotReady/.test(messageText(m)));
    const text = messageText(card);
    expect(text).toContain('node02 has been unready');
    expect(text).toContain('/k8s describe node node02');
    expect(text).toContain('/k8s drain node02');
    expect(JSON.stringify(card.blocks)).toContain('<https://runbooks.example/kubenodenotready|runbook>');
    // Annotation text cannot ping anyone.
    expect(JSON.stringify(card.blocks)).not.toContain('<@U0DAVE0001>');
    const incident = await eventually(() => stack.bot.services.incidents.openIn(OPS), { what: 'the incident the alert opened' });
    expect(incident.severity).toBe(1);
    expect(incident.title).toBe('KubeNodeNotReady: node02 has been unready for more than 15 minutes');
    await waitForMessage(stack, (m) => /SEV1/.test(messageText(m)) && /KubeNodeNotReady/.test(messageText(m)) && m.ts !== card.ts);

    // Alertmanager repeats the group every 2 s: let it repeat twice more.
    const sent = await notificationsSent();
    await eventually(async () => (await notificationsSent()) >= sent + 2, { what: 'two repeats', timeoutMs: 20_000 });
    const cards = stack.slack.workspace.messages(OPS).filter((m) => /Firing: KubeNodeNotReady|Resolved: KubeNodeNotReady/.test(messageText(m)));
    expect(cards).toHaveLength(1);
    let events = await stack.bot.services.timeline.read(incident.id);
    expect(events.filter((e) => e.kind === 'alert.firing')).toHaveLength(1);
    expect(events.find((e) => e.kind === 'alert.firing')!.at).toBe(Date.parse(startsAt));
    expect((await stack.bot.services.incidents.list({ channelId: OPS })).filter((i) => i.title.startsWith('KubeNodeNotReady'))).toHaveLength(1);

    // Resolved: Prometheus sends the alert again with endsAt set.
    const endsAt = new Date().toISOString();
    await am.post([{ ...alert, endsAt }]);
    await waitForUpdate(stack, card.ts, /Resolved: KubeNodeNotReady/);
    events = await eventually(async () => {
      const all = await stack.bot.services.timeline.read(incident.id);
      return all.some((e) => e.kind === 'alert.resolved') ? all : undefined;
    }, { what: 'the resolution on the timeline' });
    expect(events.filter((e) => e.kind === 'alert.resolved')).toHaveLength(1);
    // The incident stays open: a person decides it is over.
    expect((await stack.bot.services.incidents.openIn(OPS))?.id).toBe(incident.id);
    await stack.bot.services.incidents.resolve(incident.id, 'U0ALICE001');
  }, 60_000);

  it('an alert that clears after a person resolved its incident still records its resolution there', async () => {
    const alert = { labels: { alertname: 'KubeletDown', severity: 'critical', node: 'node03' }, annotations: { summary: 'kubelet on node03 is down' } };
    await am.post([alert]);
    const incident = await eventually(async () => {
      const open = await stack.bot.services.incidents.openIn(OPS);
      return open?.title.startsWith('KubeletDown') ? open : undefined;
    }, { what: 'the incident', timeoutMs: 20_000 });
    await stack.bot.services.incidents.resolve(incident.id, 'U0ALICE001');
    // Alertmanager repeats the still-firing alert (every 2 s here): no new incident for it.
    const sent = await notificationsSent();
    await eventually(async () => (await notificationsSent()) >= sent + 1, { what: 'a repeat', timeoutMs: 20_000 });
    expect(await stack.bot.services.incidents.openIn(OPS)).toBeUndefined();
    await am.post([{ ...alert, endsAt: new Date().toISOString() }]);
    await eventually(async () => (await stack.bot.services.timeline.read(incident.id)).find((e) => e.kind === 'alert.resolved'), { what: 'the resolution on the resolved incident', timeoutMs: 20_000 });
    // And it opened nothing new.
    expect(await stack.bot.services.incidents.openIn(OPS)).toBeUndefined();
  }, 40_000);

  it('a warning goes to its own channel and opens no incident', async () => {
    await am.post([{ labels: { alertname: 'PodCrashLooping', severity: 'warning', namespace: 'shop', pod: 'web-1', deployment: 'web' }, annotations: { summary: 'web-1 restarts' } }]);
    const card = await waitForMessage(stack, (m) => /Firing: PodCrashLooping/.test(messageText(m)), 30_000, INCIDENTS);
    expect(messageText(card)).toContain('/k8s logs web-1 -n shop');
    expect(messageText(card)).toContain('/k8s restart deployment/web -n shop');
    expect(await stack.bot.services.incidents.openIn(INCIDENTS)).toBeUndefined();
  }, 40_000);
});
