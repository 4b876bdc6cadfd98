/**
 * One chaos trial's world, fresh for every trial so that no trial inherits another's damage:
 * the sandbox cluster in this process (the suite drives its faults and reads its record of
 * accepted evictions), and sitrep's real processes around it from bench/process-stack.ts — a
 * private redis-server on a free port, `sitrep worker` and `sitrep bot` from the built bundle,
 * the Slack stand-in. Loopback only.
 */
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { leastPrivilegeKubeconfig } from '../test/support/least-privilege.js';
import { startProcessStack, type ProcessStack } from '../bench/process-stack.js';
import type { RedisServer } from '../src/demo/redis-server.js';
import type { TestRedisCluster } from '../test/support/redis-cluster.js';

export const CLUSTER = 'sandbox';
export const NODE = 'node-001';
export const REQUESTER = 'U0ALICE001';
export const APPROVER = 'U0BOB00001';

/** Drains need one approval from someone else; reads need none. */
const POLICY = `rules:
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
  - verbs: [cordon, uncordon, drain, scale]
    allow: ["*"]
    approvals: 1
    approvers: ["*"]
approvalTtl: 15m
`;

export interface WorldOptions {
  /** Workload pods on node-001 of the `drain` scenario. @defaultValue 60 */
  pods?: number;
  /** The sandbox's time scale: 0.05 makes a 30 s grace period 1.5 s. @defaultValue 0.05 */
  timeScale?: number;
  /** @defaultValue 1 */
  workers?: number;
  /** Redis with AOF and `appendfsync always`. @defaultValue false */
  redisAof?: boolean;
  /** One redis-server, or a Redis Cluster of three masters and three replicas. @defaultValue 'standalone' */
  redis?: 'standalone' | 'cluster';
}

export interface World {
  sandbox: Sandbox;
  stack: ProcessStack;
  /** The trial's one redis-server: the Redis faults signal, kill and restart it. Throws in a Redis Cluster world. */
  readonly redis: RedisServer;
  /** The trial's Redis Cluster, in a world started with `redis: 'cluster'`. */
  cluster?: TestRedisCluster;
  stop(): Promise<void>;
}

/** Starts a trial's world; dist/ must be built already (the runner builds it once). */
export async function startWorld(o: WorldOptions = {}): Promise<World> {
  const pods = o.pods ?? 60;
  // One spare node more than the moved pods need: the Redis trials' pending cordon of node-002 runs
  // mid-drain, and without the spare the replacements of budget-held pods found no room and the
  // drain waited on its budgets past the trial (1 AOF trial in ~200 under load).
  const sandbox = await startSandbox({ scenario: 'drain', params: { pods, spares: Math.ceil((2 * pods) / 100) + 1 }, timeScale: o.timeScale ?? 0.05 });
  let stack: ProcessStack;
  try {
    stack = await startProcessStack({
      // As deployed: the worker's ServiceAccount with deploy/kubernetes/rbac.yaml's ClusterRole, not
      // the sandbox's admin, whom system:masters exempts from an overloaded API server's 429s.
      clusters: [{ name: CLUSTER, kubeconfig: await leastPrivilegeKubeconfig(sandbox) }],
      workersPerCluster: o.workers ?? 1,
      policyYaml: POLICY,
      build: false,
      startTogether: true,
      redisAof: o.redisAof ?? false,
      redis: o.redis ?? 'standalone',
      env: { LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn' },
    });
  } catch (err) {
    await sandbox.close();
    throw err;
  }
  return {
    sandbox,
    stack,
    get redis() {
      if (!stack.redis.server) throw new Error('this world runs a Redis Cluster: its faults use world.cluster');
      return stack.redis.server;
    },
    ...(stack.redis.cluster ? { cluster: stack.redis.cluster } : {}),
    async stop() {
      await stack.stop();
      await sandbox.close();
    },
  };
}
