import type { ClusterSnapshot, QueueCounts } from './metrics.js';

/** The bot's view of workers and queues, structurally (ops/ may not import queue/). */
export interface ClusterSources {
  /** Clusters that ever had a worker (the worker registry). */
  clusters(): Promise<string[]>;
  /** Workers of a cluster whose last heartbeat is recent at `now` (Redis time). */
  live(cluster: string, now: number): Promise<readonly unknown[]>;
  depth(cluster: string): Promise<QueueCounts>;
  /** Redis time, the clock workers stamp their heartbeats with. */
  now(): number;
  /**
   * Clusters the configuration names (the default cluster, SITREP_CLUSTERS). They are reported
   * even before any worker has served them, so a cluster whose worker never started shows 0.
   */
  configured: readonly string[];
}

/** What the bot exports per cluster at each scrape: queue depth and live workers. */
export function clusterSnapshots(sources: ClusterSources): () => Promise<ClusterSnapshot[]> {
  return async () => {
    const now = sources.now();
    const clusters = [...new Set([...sources.configured, ...(await sources.clusters())])].sort();
    return Promise.all(
      clusters.map(async (cluster) => {
        const [queue, live] = await Promise.all([sources.depth(cluster), sources.live(cluster, now)]);
        return { cluster, queue, liveWorkers: live.length };
      }),
    );
  };
}
