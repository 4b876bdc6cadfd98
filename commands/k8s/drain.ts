import { BadArgsError, DRAIN_MAX_TIMEOUT_MS, drainVerb, MAX_GRACE_SECONDS, type DryRun } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { takeNode } from '../resource.js';
import { durationValue, intValue, selectorValue, show } from '../values.js';

/** kubectl's `--dry-run` values; bare `--dry-run` and `=true` mean `client`, as in kubectl. */
export function dryRunValue(raw: string | undefined): DryRun | undefined {
  if (raw === undefined) return undefined;
  const v = raw.toLowerCase();
  if (v === 'true' || v === 'client') return 'client';
  if (v === 'server') return 'server';
  if (v === 'false' || v === 'none') return false;
  throw new BadArgsError(`--dry-run must be client, server or none, got ${show(raw)}.`);
}

/** `/k8s drain NODE`: cordon the node, then evict (or delete) its pods, as `kubectl drain` does. */
export const drain = defineCommand(drainVerb, {
  aliases: [],
  summary: 'Cordon a node and evict its pods (shows the plan, needs approval).',
  usage: '/k8s drain NODE [--delete-emptydir-data] [--force] [--disable-eviction] [--pod-selector SELECTOR] [--timeout 10m] [--grace-period N] [--dry-run]',
  details: [
    'DaemonSet pods are left alone by default in sitrep (`--ignore-daemonsets` is on; `--ignore-daemonsets=false` to refuse instead).',
    'Pods with emptyDir data need `--delete-emptydir-data`; pods without a controller need `--force`.',
    'PodDisruptionBudgets are respected unless `--disable-eviction` (deletes pods directly).',
    'Pods of every namespace are evicted (`-n` is refused); `--pod-selector` limits which.',
    'Gives up after `--timeout` (default 10m). `--dry-run` shows the plan only.',
  ].join('\n'),
  examples: [
    '/k8s drain node02',
    '/k8s drain node02 --delete-emptydir-data --timeout 15m',
    '/k8s drain node02 --pod-selector app=web --dry-run',
  ],
  flags: [
    { name: 'ignore-daemonsets', type: FlagType.Boolean, description: 'leave DaemonSet pods on the node', defaultText: 'true in sitrep' },
    { name: 'delete-emptydir-data', aliases: ['delete-local-data'], type: FlagType.Boolean, description: 'evict pods with emptyDir volumes; their data is lost', defaultText: 'false' },
    { name: 'force', type: FlagType.Boolean, description: 'also evict pods no controller manages; they are not recreated', defaultText: 'false' },
    { name: 'disable-eviction', type: FlagType.Boolean, description: 'delete pods instead of evicting: bypasses PodDisruptionBudgets', defaultText: 'false' },
    { name: 'skip-wait-for-delete-timeout', type: FlagType.Value, valueName: 'SECONDS', description: 'do not wait for pods deleted more than this long ago', defaultText: '0 (wait for all)' },
    { name: 'pod-selector', type: FlagType.Value, valueName: 'SELECTOR', description: 'only pods matching this label selector' },
    { name: 'timeout', type: FlagType.Value, valueName: 'DURATION', description: 'give up after this long', defaultText: '10m' },
    { name: 'grace-period', type: FlagType.Value, valueName: 'N', description: 'seconds each pod gets to stop; -1 uses the pod\'s own', defaultText: '-1' },
    { name: 'dry-run', type: FlagType.OptionalValue, implied: 'client', valueName: 'client|server|none', description: 'show the plan, change nothing', defaultText: 'none' },
  ],
  build({ positionals, flags }) {
    const name = takeNode(positionals, 'drain');
    // kubectl ignores -n here; someone who typed it expects fewer pods to move, so refuse.
    if (flags.has('namespace')) {
      throw new BadArgsError('-n does not narrow a drain: it evicts pods of every namespace on the node. Use --pod-selector to limit it.');
    }
    const skip = flags.text('skip-wait-for-delete-timeout');
    const selector = flags.text('pod-selector');
    const timeout = flags.text('timeout');
    const grace = flags.text('grace-period');
    return {
      node: name,
      ignoreDaemonsets: flags.boolOrUnset('ignore-daemonsets'),
      deleteEmptyDirData: flags.boolOrUnset('delete-emptydir-data'),
      force: flags.boolOrUnset('force'),
      disableEviction: flags.boolOrUnset('disable-eviction'),
      skipWaitForDeleteTimeoutSeconds: skip === undefined ? undefined : intValue('--skip-wait-for-delete-timeout', skip, { min: 0, max: MAX_GRACE_SECONDS }),
      podSelector: selector === undefined ? undefined : selectorValue('--pod-selector', selector),
      timeoutMs: timeout === undefined ? undefined : durationValue('--timeout', timeout, { min: 1000, max: DRAIN_MAX_TIMEOUT_MS }),
      gracePeriod: grace === undefined ? undefined : intValue('--grace-period', grace, { min: -1, max: MAX_GRACE_SECONDS }),
      dryRun: dryRunValue(flags.text('dry-run')),
    };
  },
});
