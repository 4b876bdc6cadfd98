import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OpsRoute } from './ops-server.js';

/** Ack latency buckets (seconds): from 1 ms, because acks are meant to take a few ms, up to Slack's 3 s limit and past it. */
export const ACK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5] as const;

/** Job duration buckets (seconds): a `get` takes tens of ms, a drain behind a PDB can take an hour. */
export const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] as const;

/** Job counts of one cluster's queue by BullMQ state (`waiting`, `active`, `delayed`, `failed`, …). */
export type QueueCounts = Record<string, number>;

/** One cluster as the bot reads it from Redis at scrape time (see cluster-metrics.ts). */
export interface ClusterSnapshot {
  cluster: string;
  queue: QueueCounts;
  /** Workers whose heartbeat is recent enough to count as alive. */
  liveWorkers: number;
}

/** What `sitrep_build_info` carries: the same fields `sitrep version` prints. */
export interface BuildInfo {
  version: string;
  commit: string;
  node: string;
}

/** How long a scrape waits on Redis before answering without the series that read it (ms). */
const SCRAPE_READ_TIMEOUT_MS = 2000;

/** `read()`, or undefined when it fails or takes longer than the scrape should wait. */
async function readForScrape<T>(read: () => Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, SCRAPE_READ_TIMEOUT_MS, undefined)));
  return Promise.race([read(), late]).catch(() => undefined).finally(() => clearTimeout(timer));
}

/** One Kubernetes API request as the worker saw it (see kube-metrics.ts). */
export interface KubeCall {
  verb: string;
  /** API group; '' is the core group. */
  group: string;
  /** Resource plural with subresource: `pods`, `pods/eviction`, `deployments/scale`; the path for non-resource URLs (`/version`). */
  resource: string;
  /** HTTP status as text, or `network` when no response came. */
  code: string;
  seconds: number;
}

/** One Slack Web API HTTP request (see slack-metrics.ts). */
export interface SlackCall {
  /** Web API method (`chat.postMessage`), or `other` for uploads and response URLs. */
  method: string;
  outcome: SlackOutcome;
}

export const SlackOutcome = {
  Ok: 'ok',
  /** HTTP 200 with `ok: false`. */
  SlackError: 'slack_error',
  /** HTTP 429; the SDK waits `Retry-After` and retries. */
  RateLimited: 'rate_limited',
  HttpError: 'http_error',
  NetworkError: 'network_error',
} as const;
export type SlackOutcome = (typeof SlackOutcome)[keyof typeof SlackOutcome];

/** How a job attempt ended, as `sitrep_jobs_total{outcome}` counts it. */
export const JobOutcome = {
  /** Finished and reported success. */
  Ok: 'ok',
  /** Finished and reported a result that is not a success (e.g. a drain that timed out). */
  NotOk: 'not_ok',
  /** Failed for good: the user sees the error. */
  Failed: 'failed',
  /** Failed; BullMQ retries it. */
  Retry: 'retry',
  /** The worker shut down; the job went back to the queue for another worker. */
  HandedBack: 'handed_back',
} as const;
export type JobOutcome = (typeof JobOutcome)[keyof typeof JobOutcome];

export interface MetricsOptions {
  /** Labels on every series, e.g. `{ role: 'worker' }`. @defaultValue {} */
  defaultLabels?: Record<string, string>;
  /** Node.js process metrics (CPU, memory, heap, event loop lag, handles). @defaultValue true */
  processMetrics?: boolean;
  /** Exported as `sitrep_build_info{version,commit,node} 1`. @defaultValue undefined (no series) */
  buildInfo?: BuildInfo;
}

/**
 * sitrep's Prometheus metrics: one registry per process (bot, worker, or both in `sitrep all`),
 * served at `/metrics`. The parts that observe (bot hooks, job runner hook, Kubernetes and Slack
 * HTTP wrappers) all report here; nothing else in sitrep depends on prom-client.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly requests: Counter<'command' | 'verb' | 'outcome'>;
  readonly ackSeconds: Histogram<'command'>;
  readonly approvals: Counter<'outcome'>;
  readonly jobs: Counter<'kind' | 'verb' | 'outcome'>;
  readonly jobSeconds: Histogram<'kind' | 'verb' | 'outcome'>;
  readonly queueJobs: Gauge<'cluster' | 'state'>;
  readonly liveWorkers: Gauge<'cluster'>;
  readonly buildInfo: Gauge<'version' | 'commit' | 'node'>;
  readonly slackCalls: Counter<'method' | 'outcome'>;
  readonly slackRateLimited: Counter<'method'>;
  readonly kubeRequests: Counter<'verb' | 'group' | 'resource' | 'code'>;
  readonly kubeErrors: Counter<'verb' | 'group' | 'resource' | 'code'>;
  readonly kubeSeconds: Histogram<'verb' | 'resource'>;
  private readonly queues = new Map<string, () => Promise<QueueCounts>>();
  private clusters?: () => Promise<ClusterSnapshot[]>;
  /** The cluster read of the scrape in progress: the queue and worker gauges share one. */
  private clusterRead?: Promise<ClusterSnapshot[] | undefined>;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'sitrep_' });
    this.requests = new Counter({ name: 'sitrep_requests_total', help: 'Slash commands received, by command, verb and how they were acknowledged (accepted, bad_args, help).', labelNames: ['command', 'verb', 'outcome'], registers });
    this.ackSeconds = new Histogram({ name: 'sitrep_ack_seconds', help: 'Time from receiving a slash command to acknowledging it. Slack gives up at 3 s.', labelNames: ['command'], buckets: [...ACK_BUCKETS], registers });
    this.approvals = new Counter({ name: 'sitrep_approvals_total', help: 'Approval decisions: approved (enough approvals), recorded (one of several), rejected, cancelled, expired, refused (not allowed to decide), ended, unknown.', labelNames: ['outcome'], registers });
    this.jobs = new Counter({ name: 'sitrep_jobs_total', help: 'Job attempts that ended, by kind (read, plan, execute), verb and outcome (ok, not_ok, failed, retry, handed_back).', labelNames: ['kind', 'verb', 'outcome'], registers });
    this.jobSeconds = new Histogram({ name: 'sitrep_job_duration_seconds', help: 'Duration of job attempts on this worker.', labelNames: ['kind', 'verb', 'outcome'], buckets: [...JOB_BUCKETS], registers });
    const queues = this.queues;
    const snapshots = () => this.snapshots();
    this.queueJobs = new Gauge({
      name: 'sitrep_queue_jobs',
      help: 'Jobs in each cluster queue by state, read from Redis at scrape time (the bot: every known cluster; a worker: its own).',
      labelNames: ['cluster', 'state'],
      registers,
      async collect() {
        this.reset();
        // A scrape while Redis is down still answers, without these series; /readyz says why.
        const [own, all] = await Promise.all([Promise.all([...queues].map(async ([cluster, read]) => ({ cluster, queue: await readForScrape(read) }))), snapshots()]);
        for (const { cluster, queue } of [...own, ...(all ?? [])]) for (const [state, n] of Object.entries(queue ?? {})) this.set({ cluster, state }, n);
      },
    });
    this.liveWorkers = new Gauge({
      name: 'sitrep_live_workers',
      help: 'Workers of each known cluster whose heartbeat in Redis is recent, read by the bot at scrape time. 0: commands for that cluster are refused.',
      labelNames: ['cluster'],
      registers,
      async collect() {
        this.reset();
        for (const c of (await snapshots()) ?? []) this.set({ cluster: c.cluster }, c.liveWorkers);
      },
    });
    this.buildInfo = new Gauge({ name: 'sitrep_build_info', help: 'Always 1; the labels say which sitrep runs: version, git commit, Node.js version.', labelNames: ['version', 'commit', 'node'], registers });
    if (options.buildInfo) this.buildInfo.set({ ...options.buildInfo }, 1);
    this.slackCalls = new Counter({ name: 'sitrep_slack_api_calls_total', help: 'Slack Web API HTTP requests (each retry counts), by method and outcome.', labelNames: ['method', 'outcome'], registers });
    this.slackRateLimited = new Counter({ name: 'sitrep_slack_api_rate_limited_total', help: 'Slack Web API answers with HTTP 429 (rate limited), by method.', labelNames: ['method'], registers });
    this.kubeRequests = new Counter({ name: 'sitrep_kube_api_requests_total', help: 'Kubernetes API requests (watch streams excluded), by verb, group, resource and HTTP status.', labelNames: ['verb', 'group', 'resource', 'code'], registers });
    this.kubeErrors = new Counter({ name: 'sitrep_kube_api_errors_total', help: 'Kubernetes API requests that failed: HTTP status >= 400, or `network` when no answer came.', labelNames: ['verb', 'group', 'resource', 'code'], registers });
    this.kubeSeconds = new Histogram({ name: 'sitrep_kube_api_request_seconds', help: 'Kubernetes API request latency.', labelNames: ['verb', 'resource'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
  }

  /** The bot's `onAck` hook: one slash command acknowledged. */
  readonly observeAck = (info: { command: string; verb: string; outcome: string; ms: number }): void => {
    this.requests.inc({ command: info.command, verb: info.verb, outcome: info.outcome });
    this.ackSeconds.observe({ command: info.command }, info.ms / 1000);
  };

  /** The job runner's hook: one job attempt ended. */
  readonly observeJob = (info: { kind: string; verb: string; outcome: JobOutcome; ms: number }): void => {
    this.jobs.inc({ kind: info.kind, verb: info.verb, outcome: info.outcome });
    this.jobSeconds.observe({ kind: info.kind, verb: info.verb, outcome: info.outcome }, info.ms / 1000);
  };

  readonly observeApproval = (outcome: string): void => {
    this.approvals.inc({ outcome });
  };

  readonly observeSlack = (call: SlackCall): void => {
    this.slackCalls.inc({ method: call.method, outcome: call.outcome });
    if (call.outcome === SlackOutcome.RateLimited) this.slackRateLimited.inc({ method: call.method });
  };

  readonly observeKube = (call: KubeCall): void => {
    const labels = { verb: call.verb, group: call.group, resource: call.resource, code: call.code };
    this.kubeRequests.inc(labels);
    if (call.code === 'network' || Number(call.code) >= 400) this.kubeErrors.inc(labels);
    this.kubeSeconds.observe({ verb: call.verb, resource: call.resource }, call.seconds);
  };

  /** Reports a cluster queue's depth on every scrape. Returns a function that stops it. */
  watchQueue(cluster: string, read: () => Promise<QueueCounts>): () => void {
    this.queues.set(cluster, read);
    return () => {
      if (this.queues.get(cluster) === read) this.queues.delete(cluster);
    };
  }

  /**
   * Reports every cluster the bot knows (queue depth and live workers) on every scrape, read by
   * `read` from Redis. Workers export only their own queue, so with every worker of a cluster down
   * only the bot can say so. Returns a function that stops it.
   */
  watchClusters(read: () => Promise<ClusterSnapshot[]>): () => void {
    this.clusters = read;
    return () => {
      if (this.clusters === read) this.clusters = undefined;
    };
  }

  private snapshots(): Promise<ClusterSnapshot[] | undefined> {
    const read = this.clusters;
    if (!read) return Promise.resolve(undefined);
    this.clusterRead ??= readForScrape(read).finally(() => (this.clusterRead = undefined));
    return this.clusterRead;
  }

  /** `GET /metrics` in Prometheus text format, for the bot's HTTP server or the worker's ops server. */
  route(): OpsRoute {
    return {
      path: '/metrics',
      method: 'GET',
      handler: (_req, res) => {
        this.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
          (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`),
        );
      },
    };
  }
}
