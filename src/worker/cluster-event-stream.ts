import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../core/redis-client.js';
import type { Logger } from 'pino';
import { CLUSTER_LOOKBACK_MS, clusterNotesStream, clusterWatchKey, type ClusterNote } from '../core/cluster-event.js';
import { EventDigest, type EventDigestOptions } from '../k8s/event-digest.js';
import { matters, nodeConditions, sightingOf, WATCHED_CONDITIONS, type RawEvent, type RawNode } from '../k8s/event-sighting.js';
import type { KubeClients } from '../k8s/kube-clients.js';
import { listAll } from '../k8s/list-all.js';
import { Reflector } from '../k8s/reflector.js';
import { callOptions } from '../k8s/request-options.js';

export interface ClusterEventStreamOptions {
  kube: KubeClients;
  redis: RedisClient;
  prefix: string;
  logger: Logger;
  /** How often the worker checks whether an open incident wants this cluster's events, ms.
   * @defaultValue 2000 */
  pollMs?: number;
  /** How often gathered events are written out (and floods within it collapsed), ms.
   * @defaultValue 1000 */
  flushMs?: number;
  /** Collapse and rate-limit settings. */
  digest?: Omit<EventDigestOptions, 'cluster'>;
  /** Stream entries kept (approximate trim). @defaultValue 100000 */
  maxLen?: number;
}

interface RawPod {
  metadata?: { namespace?: string; name?: string; resourceVersion?: string };
  spec?: { nodeName?: string };
}

/**
 * The worker's half of "the cluster on the incident's timeline". While at least one open
 * incident watches this cluster (a hash in Redis the bot keeps), one worker of the cluster (a
 * Redis lock, so replicas do not double the entries) lists and watches Events, Nodes and Pods
 * (pods only to place an Event on its node), keeps what matters, digests it (dedupe, collapse,
 * rate limit) and appends the notes to a Redis stream the bot relays. It never talks to Slack.
 * With no incident open it watches nothing.
 */
export class ClusterEventStream {
  private readonly id = randomBytes(6).toString('hex');
  private readonly cluster: string;
  private pollTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private active: { controller: AbortController; digest: EventDigest; reflectors: Reflector<never>[] } | undefined;
  private stopped = false;
  private stopping = false;
  private polling: Promise<void> = Promise.resolve();
  /** Notes written since start; for tests and logs. */
  readonly stats = { notes: 0, activations: 0, polls: 0 };

  constructor(private readonly options: ClusterEventStreamOptions) {
    this.cluster = options.kube.cluster;
  }

  private get lockKey(): string {
    return `${clusterWatchKey(this.options.prefix, this.cluster)}:lock`;
  }

  start(): void {
    const tick = () => {
      this.polling = this.poll().catch((err) => this.options.logger.warn({ err }, 'cluster event watch: poll failed'));
      void this.polling.then(() => {
        if (!this.stopped) this.pollTimer = setTimeout(tick, this.options.pollMs ?? 2000);
      });
    };
    tick();
  }

  /**
   * Stops watching and gives the lock back. Bounded (each step at most `timeoutMs`): with Redis
   * down, a poll or the last write would otherwise wait for a reconnect that never comes.
   */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.pollTimer);
    await bounded(this.polling, timeoutMs);
    await bounded(this.deactivate(), timeoutMs);
    await bounded(this.options.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, this.lockKey, this.id), timeoutMs);
  }

  /** Whether the watch runs now (an incident wants it and this worker holds the lock). */
  get watching(): boolean {
    return this.active !== undefined;
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    this.stats.polls++;
    const { redis } = this.options;
    const wanted = await redis.hgetall(clusterWatchKey(this.options.prefix, this.cluster));
    const since = Object.values(wanted).map(Number).filter(Number.isFinite);
    if (since.length === 0) return this.deactivate();
    const ttl = (this.options.pollMs ?? 2000) * 5;
    const mine = (await redis.set(this.lockKey, this.id, 'PX', ttl, 'NX')) === 'OK' || (await redis.get(this.lockKey)) === this.id;
    if (!mine) return this.deactivate();
    await redis.pexpire(this.lockKey, ttl);
    if (!this.active) await this.activate(Math.min(...since) - CLUSTER_LOOKBACK_MS);
  }

  private async activate(sinceMs: number): Promise<void> {
    const { kube, logger } = this.options;
    const controller = new AbortController();
    const digest = new EventDigest({ ...this.options.digest, cluster: this.cluster });
    const podNodes = new Map<string, string>();
    const conditions = new Map<string, ReturnType<typeof nodeConditions>>();
    const onRecover = (what: string, err?: unknown) => logger.info({ err }, `cluster event watch: ${what}`);
    const signal = controller.signal;

    const pods = new Reflector<RawPod>(kube.kubeConfig, {
      path: '/api/v1/pods',
      signal,
      onRecover,
      list: (s) => listAll((cont, limit) => kube.core.listPodForAllNamespaces({ _continue: cont, limit }, callOptions({ signal: s })), { signal: s }) as Promise<{ items: RawPod[]; resourceVersion?: string }>,
      onList: (items) => {
        podNodes.clear();
        for (const p of items) if (p.spec?.nodeName) podNodes.set(`${p.metadata?.namespace}/${p.metadata?.name}`, p.spec.nodeName);
      },
      // Deleted pods stay in the map: their eviction events come after the delete.
      onEvent: (_type, p) => void (p.spec?.nodeName && podNodes.set(`${p.metadata?.namespace}/${p.metadata?.name}`, p.spec.nodeName)),
    });
    const nodeOf = (ns: string, name: string) => podNodes.get(`${ns}/${name}`);
    const events = new Reflector<RawEvent>(kube.kubeConfig, {
      path: '/api/v1/events',
      signal,
      onRecover,
      list: (s) => listAll((cont, limit) => kube.core.listEventForAllNamespaces({ _continue: cont, limit }, callOptions({ signal: s })), { signal: s }) as unknown as Promise<{ items: RawEvent[]; resourceVersion?: string }>,
      onList: (items) => {
        for (const e of items) {
          const s = matters(e) ? sightingOf(e, nodeOf) : undefined;
          // What happened before the incident's window is known, not news; after a 410 the
          // list repeats Events already reported, which the digest drops by uid.
          if (s && s.lastAt >= sinceMs) digest.add(s);
          else if (e.metadata?.uid) digest.remember([e.metadata.uid]);
        }
      },
      onEvent: (type, e) => {
        if (type === 'DELETED' || !matters(e)) return;
        const s = sightingOf(e, nodeOf);
        if (s) digest.add(s);
      },
    });
    const nodes = new Reflector<RawNode>(kube.kubeConfig, {
      path: '/api/v1/nodes',
      signal,
      onRecover,
      list: (s) => listAll((cont, limit) => kube.core.listNode({ _continue: cont, limit }, callOptions({ signal: s })), { signal: s }) as unknown as Promise<{ items: RawNode[]; resourceVersion?: string }>,
      onList: (items) => {
        for (const n of items) if (n.metadata?.name) conditions.set(n.metadata.name, nodeConditions(n));
      },
      onEvent: (type, n) => {
        const name = n.metadata?.name;
        if (!name || type === 'DELETED') return;
        const before = conditions.get(name);
        const now = nodeConditions(n);
        conditions.set(name, now);
        if (!before) return;
        // One entry per node change, naming every condition that moved (Ready, the pressures).
        const changes: string[] = [];
        let at = 0;
        let bad = false;
        for (const cond of WATCHED_CONDITIONS) {
          const c = now.get(cond);
          const was = before.get(cond);
          if (!c) continue;
          if (!was || was.status === c.status) continue;
          changes.push(`${cond} ${was.status} → ${c.status}${cond === 'Ready' && c.reason ? ` (${c.reason}${c.message ? `: ${c.message}` : ''})` : ''}`);
          at = Math.max(at, c.at ?? Date.now());
          if ((cond === 'Ready') !== (c.status === 'True')) bad = true;
        }
        if (changes.length === 0) return;
        digest.add({
          uid: `node:${name}:${changes.join(',')}:${at}`,
          count: 1,
          at,
          lastAt: at,
          type: bad ? 'Warning' : 'Normal',
          reason: 'NodeCondition',
          message: changes.join(', '),
          object: `node/${name}`,
          kind: 'node',
          node: name,
          source: `node/${name}`,
        });
      },
    });
    this.active = { controller, digest, reflectors: [pods, events, nodes] as unknown as Reflector<never>[] };
    this.stats.activations++;
    try {
      // Pods first, so the first events can be placed on their nodes.
      await pods.start();
      await Promise.all([events.start(), nodes.start()]);
    } catch (err) {
      logger.warn({ err }, 'cluster event watch: could not start; retrying at the next poll');
      await this.deactivate();
      return;
    }
    logger.info({ cluster: this.cluster }, 'cluster event watch started for an open incident');
    const flush = () => {
      void this.flush().finally(() => {
        if (this.active?.digest === digest) this.flushTimer = setTimeout(flush, this.options.flushMs ?? 1000);
      });
    };
    flush();
  }

  /** Writes what the digest has gathered; also called by tests to not wait for the timer. */
  async flush(): Promise<number> {
    const active = this.active;
    if (!active) return 0;
    const notes: ClusterNote[] = active.digest.flush(Date.now(), this.stopping);
    if (notes.length === 0) return 0;
    const stream = clusterNotesStream(this.options.prefix);
    const pipeline = this.options.redis.pipeline();
    for (const n of notes) pipeline.xadd(stream, 'MAXLEN', '~', String(this.options.maxLen ?? 100_000), '*', 'e', JSON.stringify(n));
    try {
      await pipeline.exec();
      this.stats.notes += notes.length;
    } catch (err) {
      this.options.logger.warn({ err, notes: notes.length }, 'cluster event watch: could not write notes to Redis');
    }
    return notes.length;
  }

  private async deactivate(): Promise<void> {
    const active = this.active;
    if (!active) return;
    clearTimeout(this.flushTimer);
    active.controller.abort();
    this.stopping = true;
    await this.flush().finally(() => (this.stopping = false));
    this.active = undefined;
    this.options.logger.info({ cluster: this.cluster }, 'cluster event watch stopped: no open incident wants it');
  }
}

/** Waits for `p` at most `ms`; its failure or lateness is not the caller's concern (shutdown). */
function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}
