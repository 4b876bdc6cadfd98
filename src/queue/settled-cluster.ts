import { Cluster, type ClusterNode, type ClusterOptions } from 'ioredis';

/** ioredis's message for a connection that ended (utils CONNECTION_CLOSED_ERROR_MSG), which BullMQ and isRedisUnavailable read as "no connection". */
const CONNECTION_CLOSED = 'Connection is closed.';

/**
 * Each client's next outcome, ready or ended: one pair of listeners however many attempts await
 * it (ioredis calls connect() again on every retry, every 2 s through a long cluster_state:fail).
 * A WeakMap, not a field: ioredis's constructor calls connect() before a subclass's fields exist.
 */
const pendingOutcome = new WeakMap<Cluster, Promise<void>>();

function nextOutcome(client: Cluster): Promise<void> {
  let outcome = pendingOutcome.get(client);
  if (outcome) return outcome;
  outcome = new Promise<void>((resolve, reject) => {
    const off = () => {
      client.off('ready', onReady);
      client.off('end', onEnd);
      pendingOutcome.delete(client);
    };
    // ioredis emits a status on the next tick: one already left behind is not this outcome.
    const onReady = () => {
      if (client.status !== 'ready') return;
      off();
      resolve();
    };
    const onEnd = () => {
      if (client.status !== 'end') return;
      off();
      reject(new Error(CONNECTION_CLOSED));
    };
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
  // Settled whether or not an attempt still awaits it (the attempt itself may have failed first).
  outcome.catch(() => {});
  pendingOutcome.set(client, outcome);
  return outcome;
}

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
    return Promise.race([super.connect(), nextOutcome(this)]);
  }

  /** A new SettledCluster on the same startup nodes (or `overrideStartupNodes`) and options, as ioredis `duplicate`. */
  override duplicate(overrideStartupNodes: ClusterNode[] = [], overrideOptions: ClusterOptions = {}): SettledCluster {
    const nodes = overrideStartupNodes.length > 0 ? overrideStartupNodes : this.nodesAtStart.slice();
    return new SettledCluster(nodes, { ...this.options, ...overrideOptions });
  }
}
