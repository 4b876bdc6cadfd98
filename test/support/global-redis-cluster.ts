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
 * Whether this run includes a file under test/redis-cluster/: `vitest run a.test.ts` of another
 * file starts no cluster (six redis-servers for nothing on a machine others share); `npm test`
 * (no filter) and any filter that could match those files do.
 */
function runsClusterTests(argv: readonly string[]): boolean {
  const filters = argv.slice(2).filter((a, i, all) => !a.startsWith('-') && a !== 'run' && !(all[i - 1] ?? '').match(/^--(config|reporter|project|root|dir)$/));
  return filters.length === 0 || filters.some((f) => CLUSTER_TESTS.includes(f.replace(/^\.\//, '')) || f.replace(/^\.\//, '').startsWith(CLUSTER_TESTS) || /redis-cluster/.test(f));
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
