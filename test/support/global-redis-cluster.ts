import type { TestProject } from 'vitest/node';
import { startRedisCluster } from './redis-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** REDIS_URL of the run's shared Redis Cluster (`redis+cluster://…`), '' when not started. */
    redisClusterUrl: string;
  }
}

/** Where the tests that use the shared Redis Cluster live. */
const CLUSTER_TESTS = 'test/redis-cluster/';

/**
 * Whether this run may include a file under test/redis-cluster/: `vitest run a.test.ts` of other
 * files starts no cluster (six redis-servers for nothing on a machine others share); `npm test`
 * (no filter) and any filter that could match those files do. An argument right after a flag is
 * taken as the flag's value (`-t NAME`), not a filter; when in doubt the cluster is started.
 */
function runsClusterTests(argv: readonly string[]): boolean {
  const args = argv.slice(2);
  const filters = args.filter((a, i) => a !== 'run' && !a.startsWith('-') && !(i > 0 && args[i - 1]!.startsWith('-') && !args[i - 1]!.includes('=')));
  const clean = (f: string) => f.replace(/^\.\//, '');
  return filters.length === 0 || filters.some((f) => CLUSTER_TESTS.includes(clean(f)) || clean(f).startsWith(CLUSTER_TESTS) || /redis-cluster/.test(f));
}

/**
 * vitest globalSetup: one Redis Cluster (three masters, three replicas) for the whole run,
 * shared by test/redis-cluster/ files, each with its own key prefix. Failover tests start their own.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!runsClusterTests(process.argv)) {
    project.provide('redisClusterUrl', '');
    return async () => {};
  }
  const cluster = await startRedisCluster();
  project.provide('redisClusterUrl', cluster.url);
  return () => cluster.stop();
}
