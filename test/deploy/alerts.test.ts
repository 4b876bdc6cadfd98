import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/ops/metrics.js';
import { expectedAlert, havePromtool, promtool, promtoolTest, ruleGroups, writeRulesFile, type AlertCase } from '../support/promtool.js';

/**
 * sitrep's alert rules (the PrometheusRules of deploy/kubernetes/components/prometheus) under
 * Prometheus's own promtool: they load, they read only series sitrep exports, and each alert fires
 * on the series that mean trouble and stays quiet on healthy ones. The bot's series are what a
 * real bot exports (test/ops/alert-rules.test.ts scrapes one).
 */

const dir = writeRulesFile();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const alerts = ruleGroups().flatMap((g) => g.rules.map((r) => r.alert));

/** Labels Prometheus (with the Prometheus Operator) adds to every scraped series. */
const TARGET_LABELS = ['namespace', 'pod', 'service', 'job', 'instance', 'container', 'endpoint'];

describe('alert rules', () => {
  it('promtool check rules accepts them', async (ctx) => {
    if (!(await havePromtool(ctx))) return;
    const r = await promtool(['check', 'rules', join(dir, 'rules.yaml')]);
    expect(r.out).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(r.code, r.out).toBe(0);
  });

  it('every metric and label they read is one sitrep exports', async () => {
    const metrics = new Metrics({ defaultLabels: { role: 'bot' }, buildInfo: { version: '0', commit: 'x', node: 'v24' } });
    const exported = new Map<string, string[]>();
    for (const m of await metrics.registry.getMetricsAsJSON()) {
      // prom-client keeps a metric's label names on the instance; the JSON has only observed values.
      const labels = [...(((metrics.registry.getSingleMetric(m.name) as unknown as { labelNames?: string[] }).labelNames) ?? []), 'role'];
      const histogram = String(m.type) === 'histogram';
      const names = histogram ? [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`] : [m.name];
      for (const n of names) exported.set(n, histogram ? [...labels, 'le'] : labels);
    }
    const problems: string[] = [];
    for (const rule of ruleGroups().flatMap((g) => g.rules)) {
      const read = [...rule.expr.matchAll(/\b(sitrep_[a-z_]+)/g)].map((m) => m[1]!);
      expect(read.length, rule.alert).toBeGreaterThan(0);
      const labels = new Set([...TARGET_LABELS, ...read.flatMap((n) => exported.get(n) ?? [])]);
      for (const n of read) if (!exported.has(n)) problems.push(`${rule.alert}: ${n} is not exported`);
      const used = [...rule.expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim())).concat([...rule.expr.matchAll(/(\w+)\s*(?:=~|!~|!=|=)\s*"/g)].map((m) => m[1]!));
      for (const l of used) if (!labels.has(l)) problems.push(`${rule.alert}: label ${l} is on none of ${read.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('promtool test rules: each alert fires on trouble and stays quiet otherwise; "no live worker" fires when no worker is alive', async (ctx) => {
    if (!(await havePromtool(ctx))) return;
    const bot = (pod: string) => `role="bot",namespace="sitrep",pod="${pod}"`;
    const cases: AlertCase[] = [
      {
        name: 'no worker alive for prod (both bot replicas say 0), two for staging',
        series: [
          { series: `sitrep_live_workers{cluster="prod",${bot('sitrep-bot-a')}}`, values: '0x10' },
          { series: `sitrep_live_workers{cluster="prod",${bot('sitrep-bot-b')}}`, values: '0x10' },
          { series: `sitrep_live_workers{cluster="staging",${bot('sitrep-bot-a')}}`, values: '2x10' },
          { series: `sitrep_live_workers{cluster="staging",${bot('sitrep-bot-b')}}`, values: '2x10' },
        ],
        expect: [
          { at: '1m', alert: 'SitrepNoLiveWorker', firing: [] }, // pending: `for: 2m`
          { at: '3m', alert: 'SitrepNoLiveWorker', firing: [expectedAlert('SitrepNoLiveWorker', { cluster: 'prod' })] },
          { at: '10m', alert: 'SitrepNoLiveWorker', firing: [expectedAlert('SitrepNoLiveWorker', { cluster: 'prod' })] },
        ],
      },
      {
        name: 'workers alive everywhere: quiet',
        series: [
          { series: `sitrep_live_workers{cluster="prod",${bot('sitrep-bot-a')}}`, values: '2x30' },
          { series: `sitrep_live_workers{cluster="staging",${bot('sitrep-bot-a')}}`, values: '1x30' },
          { series: `sitrep_build_info{version="0.1.0",commit="abc",node="v24.22.3",${bot('sitrep-bot-a')}}`, values: '1x30' },
          { series: `sitrep_queue_jobs{cluster="prod",state="waiting",${bot('sitrep-bot-a')}}`, values: '0x30' },
        ],
        expect: ['SitrepNoLiveWorker', 'SitrepBotAbsent', 'SitrepJobsWaiting'].flatMap((alert) => ['10m', '30m'].map((at) => ({ at, alert, firing: [] }))),
      },
      {
        name: "prod's last worker dies at minute 5",
        series: [{ series: `sitrep_live_workers{cluster="prod",${bot('sitrep-bot-a')}}`, values: '1x4 0x10' }],
        expect: [
          { at: '4m', alert: 'SitrepNoLiveWorker', firing: [] },
          { at: '6m', alert: 'SitrepNoLiveWorker', firing: [] },
          { at: '8m', alert: 'SitrepNoLiveWorker', firing: [expectedAlert('SitrepNoLiveWorker', { cluster: 'prod' })] },
        ],
      },
      {
        name: 'no bot scraped (only a worker): the bot is missing',
        series: [{ series: 'sitrep_build_info{version="0.1.0",commit="abc",node="v24.22.3",role="worker",namespace="sitrep",pod="sitrep-worker-a"}', values: '1x10' }],
        expect: [
          { at: '4m', alert: 'SitrepBotAbsent', firing: [] },
          { at: '6m', alert: 'SitrepBotAbsent', firing: [expectedAlert('SitrepBotAbsent', {})] },
        ],
      },
      {
        name: 'jobs waiting on prod for 6 minutes',
        series: [{ series: `sitrep_queue_jobs{cluster="prod",state="waiting",${bot('sitrep-bot-a')}}`, values: '3x10' }, { series: `sitrep_queue_jobs{cluster="prod",state="active",${bot('sitrep-bot-a')}}`, values: '0x10' }],
        expect: [{ at: '6m', alert: 'SitrepJobsWaiting', firing: [expectedAlert('SitrepJobsWaiting', { cluster: 'prod' })] }],
      },
      {
        name: 'API server 503s for a worker; 404s for another are not trouble',
        series: [
          { series: 'sitrep_kube_api_errors_total{verb="list",group="",resource="pods",code="503",role="worker",namespace="sitrep",pod="sitrep-worker-a"}', values: '0+5x30' },
          { series: 'sitrep_kube_api_errors_total{verb="get",group="",resource="pods",code="404",role="worker",namespace="sitrep",pod="sitrep-worker-b"}', values: '0+5x30' },
        ],
        expect: [{ at: '20m', alert: 'SitrepKubeApiErrors', firing: [expectedAlert('SitrepKubeApiErrors', { namespace: 'sitrep', pod: 'sitrep-worker-a' })] }],
      },
      {
        name: 'a drain execution failed; failed reads are not trouble',
        series: [
          { series: 'sitrep_jobs_total{kind="execute",verb="drain",outcome="failed",role="worker",namespace="sitrep",pod="sitrep-worker-a"}', values: '0 0 1x10' },
          { series: 'sitrep_jobs_total{kind="read",verb="describe",outcome="failed",role="worker",namespace="sitrep",pod="sitrep-worker-a"}', values: '0 0+1x10' },
        ],
        expect: [{ at: '5m', alert: 'SitrepExecuteFailed', firing: [expectedAlert('SitrepExecuteFailed', { verb: 'drain' })] }],
      },
      {
        name: 'every ack takes between 1 and 5 s; Slack rate-limits chat.update',
        series: [
          ...['0.5', '1'].map((le) => ({ series: `sitrep_ack_seconds_bucket{command="/k8s",le="${le}",${bot('sitrep-bot-a')}}`, values: '0x30' })),
          ...['5', '+Inf'].map((le) => ({ series: `sitrep_ack_seconds_bucket{command="/k8s",le="${le}",${bot('sitrep-bot-a')}}`, values: '0+10x30' })),
          { series: `sitrep_slack_api_rate_limited_total{method="chat.update",${bot('sitrep-bot-a')}}`, values: '0+3x30' },
        ],
        expect: [
          { at: '20m', alert: 'SitrepSlowAcks', firing: [expectedAlert('SitrepSlowAcks', {})] },
          { at: '20m', alert: 'SitrepSlackRateLimited', firing: [expectedAlert('SitrepSlackRateLimited', {})] },
        ],
      },
    ];
    // Every alert is shown firing by some case.
    expect(new Set(cases.flatMap((c) => c.expect.filter((e) => e.firing.length).map((e) => e.alert)))).toEqual(new Set(alerts));
    expect(await promtoolTest(dir, cases)).toContain('SUCCESS');
  });
});
