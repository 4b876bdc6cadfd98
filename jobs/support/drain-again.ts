import { DRAIN_DEFAULT_TIMEOUT_MS, type DrainArgs } from '../../src/core/verbs/index.js';

/**
 * The command that asks for this drain again, with the flags that decide which pods it takes and
 * how, and the cluster named (a default cluster set per channel may be another one). A drain run
 * again carries on where this one stopped: the node is already cordoned, pods already evicted are
 * terminating or gone and are not asked again (drain-run.ts), so only what is left is evicted.
 */
export function drainAgainCommand(args: DrainArgs, cluster: string): string {
  const flags = [
    args.deleteEmptyDirData && '--delete-emptydir-data',
    args.force && '--force',
    args.disableEviction && '--disable-eviction',
    !args.ignoreDaemonsets && '--ignore-daemonsets=false',
    args.podSelector && `--pod-selector ${args.podSelector}`,
    args.skipWaitForDeleteTimeoutSeconds > 0 && `--skip-wait-for-delete-timeout ${args.skipWaitForDeleteTimeoutSeconds}`,
    args.gracePeriod >= 0 && `--grace-period ${args.gracePeriod}`,
    args.timeoutMs !== DRAIN_DEFAULT_TIMEOUT_MS && `--timeout ${Math.round(args.timeoutMs / 1000)}s`,
  ].filter((f): f is string => typeof f === 'string');
  return ['/k8s drain', args.node, ...flags, `--cluster ${cluster}`].join(' ');
}
