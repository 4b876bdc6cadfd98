import { Cluster, type ClusterNode, type ClusterOptions } from 'ioredis';

/** ioredis's message for a connection that ended (utils CONNECTION_CLOSED_ERROR_MSG), which BullMQ and isRedisUnavailable read as "no connection". */
const CONNECTION_CLOSED = 'Connection is closed.';

/**
 * An ioredis `Cluster` whose `connect()` always settles: it resolves once the cluster is ready and
 * rejects if the client ends, whichever connection attempt gets there.
 *
 * Why: ioredis's `Cluster.connect()` settles its promise only from the attempt it started. When
 * that attempt's ready check finds `cluster_state:fail` (a master died and its replica is not
 * promoted yet), ioredis disconnects and reconnects on its own, and a later attempt reaches
 * `ready`, but the first promise is never resolved nor rejected (ioredis cluster/index.ts
 * `connect`, refreshListener then `disconnect(true)`; redis/ioredis#709 and #741). BullMQ awaits
 * that promise when it resets a worker's blocking connection after a Redis Cluster failover
 * (bullmq classes/redis-connection.ts `reconnect`), so the worker stopped taking jobs for good:
 * every command after the failover stayed "Planning…" (test/redis-cluster/cluster-failover.test.ts,
 * found by CI). `duplicate()` keeps the class, since BullMQ opens its blocking connection with it.
 */
export class SettledCluster extends Cluster {
  private readonly nodesAtStart: ClusterNode[];

  /** Same arguments as ioredis `new Cluster(startupNodes, options)`. */
  constructor(startupNodes: ClusterNode[], options?: ClusterOptions) {
    super(startupNodes, options);
    this.nodesAtStart = startupNodes.slice();
  }

  /**
   * Connects as ioredis does, and settles when the cluster is ready or the client ends.
   * @throws the attempt's own error (e.g. "Redis is already connecting/connected", "None of
   * startup nodes is available"), or "Connection is closed." when the client ends first.
   */
  override connect(): Promise<void> {
    const attempt = super.connect();
    return new Promise<void>((resolve, reject) => {
      const settle = (err?: Error) => {
        this.off('ready', onReady);
        this.off('end', onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => settle();
      const onEnd = () => settle(new Error(CONNECTION_CLOSED));
      this.on('ready', onReady);
      this.on('end', onEnd);
      attempt.then(() => settle(), (err: Error) => settle(err));
    });
  }

  /** A new SettledCluster on the same startup nodes (or `overrideStartupNodes`) and options, as ioredis `duplicate`. */
  override duplicate(overrideStartupNodes: ClusterNode[] = [], overrideOptions: ClusterOptions = {}): SettledCluster {
    const nodes = overrideStartupNodes.length > 0 ? overrideStartupNodes : this.nodesAtStart.slice();
    return new SettledCluster(nodes, { ...this.options, ...overrideOptions });
  }
}
