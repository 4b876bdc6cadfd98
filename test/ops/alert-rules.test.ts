import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendSlashCommand, type SlackApiServer } from '../../src/console/index.js';
import { versionInfo } from '../../src/version.js';
import { eventually } from '../support/eventually.js';
import { expectedAlert, havePromtool, promtool, promtoolTest, writeRulesFile } from '../support/promtool.js';
import { ALICE, OPS, SIGNING_SECRET } from '../support/stack.js';
import { startBotAndWorker, type BotAndWorker } from './support/bot-and-worker.js';
import { get, sample, type Spawned } from './support/processes.js';

/**
 * Alerts that can fire: a real bot and worker (`sitrep bot`, `sitrep worker`), the bot's /metrics
 * scraped as Prometheus would, and what it exports fed to `promtool test rules` over sitrep's
 * rules. A worker that hangs (SIGSTOP: no heartbeat, no jobs taken) leaves jobs waiting and, once
 * its heartbeat is stale, no live worker; only the bot can report that, and the alerts fire on it.
 */
let stack: BotAndWorker;
let slack: SlackApiServer;
let worker: Spawned;
let botUrl: string;
let opsUrl: string;
const logs = () => stack?.logs() ?? '';
const rulesDir = writeRulesFile();

beforeAll(async () => {
  // staging is configured for the bot but its worker never started: the bot reports it all the same.
  stack = await startBotAndWorker({ botEnv: { SITREP_CLUSTERS: 'sandbox,staging' } });
  ({ slack, worker, botUrl, opsUrl } = stack);
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(rulesDir, { recursive: true, force: true });
});

const scrape = async (url: string) => (await get(`${url}/metrics`)).text;

/** The lines of one metric in a scrape, as promtool input series holding that value for 15 minutes. */
function asSeries(text: string, name: string): { series: string; values: string }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`))
    .map((l) => {
      const at = l.lastIndexOf(' ');
      return { series: l.slice(0, at), values: `${l.slice(at + 1)}x15` };
    });
}

describe('alerts on what a running bot exports', () => {
  it('the bot exports every known cluster (live workers, queue depth) and both roles their build', async () => {
    const b = await scrape(botUrl);
    expect(sample(b, 'sitrep_live_workers', { cluster: 'sandbox', role: 'bot' })).toBe(1);
    expect(b).toMatch(/^sitrep_live_workers\{cluster="staging",role="bot"\} 0$/m);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) expect(b).toMatch(new RegExp(`^sitrep_queue_jobs\\{cluster="sandbox",state="${state}",role="bot"\\} 0$`, 'm'));
    const v = versionInfo();
    for (const [text, role] of [[b, 'bot'], [await scrape(opsUrl), 'worker']] as const) {
      expect(text).toContain(`sitrep_build_info{version="${v.version}",commit="${v.commit}",node="${process.version}",role="${role}"} 1`);
    }
  });

  it("promtool check metrics finds nothing wrong with sitrep's own metrics", async (ctx) => {
    if (!(await havePromtool(ctx))) return;
    for (const url of [botUrl, opsUrl]) {
      const r = await promtool(['check', 'metrics'], await scrape(url));
      // prom-client's default process metrics name three gauges `…_total`; those are its names, not ours.
      const complaints = r.out.split('\n').filter(Boolean).filter((l) => !/^sitrep_nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l));
      expect(complaints, url).toEqual([]);
    }
  });

  it('with a live worker, "no live worker" fires only for the cluster whose worker never started', async (ctx) => {
    if (!(await havePromtool(ctx))) return;
    const series = asSeries(await scrape(botUrl), 'sitrep_live_workers');
    expect(series.map((s) => s.series).sort()).toEqual(['sitrep_live_workers{cluster="sandbox",role="bot"}', 'sitrep_live_workers{cluster="staging",role="bot"}']);
    const out = await promtoolTest(rulesDir, [
      { name: 'scraped from a bot whose sandbox worker is alive', series, expect: [{ at: '5m', alert: 'SitrepNoLiveWorker', firing: [expectedAlert('SitrepNoLiveWorker', { cluster: 'staging' })] }] },
    ]);
    expect(out).toContain('SUCCESS');
  });

  it('a hung worker: jobs wait, its heartbeat goes stale, and the bot alone reports both; the alerts fire on them', async (ctx) => {
    worker.proc.kill('SIGSTOP');
    const res = await sendSlashCommand(`${botUrl}/slack/events`, SIGNING_SECRET, { command: '/k8s', text: 'get nodes', userId: ALICE, channelId: OPS, responseUrl: slack.responseUrlFor(OPS, ALICE) });
    expect(res.status).toBe(200);
    const text = await eventually(
      async () => {
        const t = await scrape(botUrl);
        return sample(t, 'sitrep_live_workers', { cluster: 'sandbox' }) === 0 && sample(t, 'sitrep_queue_jobs', { cluster: 'sandbox', state: 'waiting' }) >= 1 && t;
      },
      { what: 'the bot to report no live worker and a waiting job', timeoutMs: 40_000, intervalMs: 250, describe: logs },
    );
    // The worker's own /metrics cannot answer: only the bot's series can carry the alert.
    await expect(fetch(`${opsUrl}/metrics`, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
    if (!(await havePromtool(ctx))) return;
    const series = [...asSeries(text, 'sitrep_live_workers'), ...asSeries(text, 'sitrep_queue_jobs')];
    const out = await promtoolTest(rulesDir, [
      {
        name: 'scraped from a bot whose only sandbox worker hangs',
        series,
        expect: [
          { at: '1m', alert: 'SitrepNoLiveWorker', firing: [] },
          { at: '5m', alert: 'SitrepNoLiveWorker', firing: ['sandbox', 'staging'].map((cluster) => expectedAlert('SitrepNoLiveWorker', { cluster })) },
          { at: '10m', alert: 'SitrepJobsWaiting', firing: [expectedAlert('SitrepJobsWaiting', { cluster: 'sandbox' })] },
        ],
      },
    ]);
    expect(out).toContain('SUCCESS');
  }, 60_000);
});
