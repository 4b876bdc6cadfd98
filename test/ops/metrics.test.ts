import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { sendBlockAction, sendSlashCommand, type SlackApiServer, type SlackMessage } from '../../src/console/index.js';
import { buttonValue } from '../support/cards.js';
import type { TestRedis } from '../support/redis-server.js';
import { ALICE, BOB, messageText, OPS, SIGNING_SECRET } from '../support/stack.js';
import { startBotAndWorker, type BotAndWorker } from './support/bot-and-worker.js';
import { get, sample } from './support/processes.js';

/**
 * The real processes as an operator starts them (support/bot-and-worker.ts); the test scrapes
 * their /metrics and probes their health endpoints as Prometheus and the kubelet would.
 */
let stack: BotAndWorker;
let redis: TestRedis;
let slack: SlackApiServer;
let botUrl: string;
let opsUrl: string;

beforeAll(async () => {
  stack = await startBotAndWorker();
  ({ redis, slack, botUrl, opsUrl } = stack);
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

function slash(text: string, user = ALICE) {
  return sendSlashCommand(`${botUrl}/slack/events`, SIGNING_SECRET, { command: '/k8s', text, userId: user, channelId: OPS, responseUrl: slack.responseUrlFor(OPS, user) });
}

function card(match: (m: SlackMessage) => boolean, timeoutMs = 30_000): Promise<SlackMessage> {
  return slack.waitFor(() => slack.workspace.messages(OPS).find(match), { timeoutMs });
}

const scrape = async (url: string) => {
  const res = await get(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.type).toContain('text/plain');
  return res.text;
};

describe('metrics and health of a running bot and worker', () => {
  it('/healthz and /readyz answer 200 on both while Redis, Slack and the cluster are up', async () => {
    for (const url of [botUrl, opsUrl]) {
      expect((await get(`${url}/healthz`)).status).toBe(200);
      const ready = await get(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.text).toContain('[+] redis ok');
    }
    // Readiness is what this pod can do: Redis. Slack's reachability is a metric and a log line.
    expect((await get(`${botUrl}/readyz`)).text).not.toContain('slack');
    expect((await get(`${opsUrl}/readyz`)).text).toContain('[+] cluster sandbox ok');
  });

  it('a read command moves the request, ack, Slack, job and Kubernetes counters with the right labels', async () => {
    const res = await slash('get nodes');
    expect(res.status).toBe(200);
    await card((m) => /Done/.test(m.text ?? '') && /get nodes/.test(messageText(m)));
    const b = await scrape(botUrl);
    expect(sample(b, 'sitrep_requests_total', { command: '/k8s', verb: 'get', outcome: 'accepted', role: 'bot' })).toBe(1);
    expect(sample(b, 'sitrep_ack_seconds_count', { command: '/k8s' })).toBeGreaterThanOrEqual(1);
    // The smallest bucket is 1 ms, so the histogram can show acks that take a few milliseconds.
    expect(b).toMatch(/^sitrep_ack_seconds_bucket\{[^}]*le="0\.001"[^}]*\} \d+$/m);
    expect(sample(b, 'sitrep_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(sample(b, 'sitrep_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // The bot never talks to Kubernetes, and runs no jobs.
    expect(sample(b, 'sitrep_kube_api_requests_total')).toBe(0);
    expect(sample(b, 'sitrep_jobs_total')).toBe(0);

    const w = await scrape(opsUrl);
    expect(sample(w, 'sitrep_jobs_total', { kind: 'read', verb: 'get', outcome: 'ok', role: 'worker' })).toBe(1);
    expect(sample(w, 'sitrep_job_duration_seconds_count', { kind: 'read', verb: 'get' })).toBe(1);
    expect(sample(w, 'sitrep_kube_api_requests_total', { verb: 'list', group: '', resource: 'nodes', code: '200' })).toBeGreaterThanOrEqual(1);
    expect(w).toMatch(/sitrep_queue_jobs\{cluster="sandbox",state="waiting",role="worker"\} 0/);
    expect(sample(w, 'sitrep_slack_api_calls_total')).toBe(0);
  });

  it('bad input is counted by outcome, and a Kubernetes 404 as an API error', async () => {
    expect((await slash('drian node02')).status).toBe(200);
    await slash('describe pod no-such-pod -n shop');
    await card((m) => /describe pod no-such-pod/.test(messageText(m)) && !/Queued|Running/.test(m.text ?? ''));
    const b = await scrape(botUrl);
    expect(sample(b, 'sitrep_requests_total', { outcome: 'bad_args' })).toBe(1);
    const w = await eventually(async () => {
      const text = await scrape(opsUrl);
      return sample(text, 'sitrep_kube_api_errors_total', { verb: 'get', resource: 'pods', code: '404' }) >= 1 && text;
    }, { what: 'the 404 counted', timeoutMs: 20_000 });
    expect(sample(w, 'sitrep_kube_api_requests_total', { verb: 'get', resource: 'pods', code: '404' })).toBeGreaterThanOrEqual(1);
  });

  it('Slack 429s are counted, and the message still goes out', async () => {
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
    await slash('get pods -n shop');
    await card((m) => /Done/.test(m.text ?? '') && /get pods -n shop/.test(messageText(m)));
    const b = await scrape(botUrl);
    expect(sample(b, 'sitrep_slack_api_rate_limited_total', { method: 'chat.postMessage' })).toBe(1);
    expect(sample(b, 'sitrep_slack_api_calls_total', { method: 'chat.postMessage', outcome: 'rate_limited' })).toBe(1);
  });

  it('approvals are counted by outcome, and the approved job by kind', async () => {
    await slash('scale deployment/web --replicas 4 -n shop', ALICE);
    const pending = await card((m) => /Approval needed/.test(m.text ?? '') && /scale deployment\/web/.test(messageText(m)));
    const approvalId = buttonValue(pending, CardAction.Approve)!;
    const click = (user: string) =>
      sendBlockAction(`${botUrl}/slack/events`, SIGNING_SECRET, { userId: user, channelId: OPS, messageTs: pending.ts, actionId: CardAction.Approve, value: approvalId, message: pending, responseUrl: slack.responseUrlFor(OPS, user, { messageTs: pending.ts }) });
    expect((await click(ALICE)).status).toBe(200); // the requester never counts as an approver
    await eventually(async () => sample(await scrape(botUrl), 'sitrep_approvals_total', { outcome: 'refused' }) === 1, { what: 'the refusal counted', timeoutMs: 20_000 });
    expect((await click(BOB)).status).toBe(200);
    await slack.waitFor(() => {
      const m = slack.workspace.message(OPS, pending.ts);
      return m && /Done/.test(m.text ?? '') ? m : undefined;
    }, { timeoutMs: 30_000 });
    const b = await scrape(botUrl);
    expect(sample(b, 'sitrep_approvals_total', { outcome: 'approved' })).toBe(1);
    const w = await scrape(opsUrl);
    expect(sample(w, 'sitrep_jobs_total', { kind: 'plan', verb: 'scale', outcome: 'ok' })).toBe(1);
    expect(sample(w, 'sitrep_jobs_total', { kind: 'execute', verb: 'scale', outcome: 'ok' })).toBe(1);
    expect(sample(w, 'sitrep_kube_api_requests_total', { verb: 'patch', group: 'apps', resource: 'deployments/scale', code: '200' })).toBe(1);
  });

  it('with Redis down, /readyz answers 503 naming redis on both, and /healthz stays 200', async () => {
    await redis.kill();
    for (const url of [botUrl, opsUrl]) {
      const ready = await eventually(async () => {
        const r = await get(`${url}/readyz`);
        return r.status === 503 && r;
      }, { what: `${url} not ready`, timeoutMs: 20_000 });
      expect(ready.text).toMatch(/\[-\] redis failed/);
      expect(ready.text).toContain('not ready');
      expect((await get(`${url}/healthz`)).status).toBe(200);
      // A scrape still answers (without the queue series) so dashboards show the outage.
      expect((await get(`${url}/metrics`)).status).toBe(200);
    }
    expect((await get(`${opsUrl}/readyz`)).text).toContain('[+] cluster sandbox ok');
  });
});
