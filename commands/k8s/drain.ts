import { z } from 'zod';
import { BadArgsError, Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { FlagType } from '../flags.js';
import { noMore, ResourceKind, takeTarget } from '../resource.js';
import { labelSelector, objectName } from '../schemas.js';
import { durationValue, intValue, selectorValue, show } from '../values.js';

/**
 * `/k8s drain NODE`: cordon the node, then evict (or delete) its pods, as `kubectl drain` does.
 *
 * Args (plain JSON, travels in the job payload):
 * - `node`: node name (DNS-1123 subdomain).
 * - `ignoreDaemonsets`: leave DaemonSet pods alone. Default **true** in sitrep (kubectl: false),
 *   because refusing to drain over DaemonSets is never what an on-call engineer wants.
 * - `deleteEmptyDirData`: evict pods with emptyDir volumes (their data is lost). Default false.
 * - `force`: also evict pods no controller manages (they are not recreated). Default false.
 * - `disableEviction`: delete pods instead of evicting them, bypassing PodDisruptionBudgets.
 * - `skipWaitForDeleteTimeoutSeconds`: stop waiting for pods whose deletionTimestamp is older
 *   than this many seconds; 0 waits for all. Default 0.
 * - `podSelector`: only pods matching this label selector.
 * - `timeoutMs`: give up after this long. Default 600000 (10m); kubectl's 0 (forever) is refused.
 * - `gracePeriod`: seconds each pod gets to terminate; -1 uses the pod's own. Default -1.
 * - `dryRun`: false, or `'client'` / `'server'`: show the plan and change nothing.
 */
export const DrainArgsSchema = z.object({
  node: objectName,
  ignoreDaemonsets: z.boolean(),
  deleteEmptyDirData: z.boolean(),
  force: z.boolean(),
  disableEviction: z.boolean(),
  skipWaitForDeleteTimeoutSeconds: z.number().int().min(0),
  podSelector: labelSelector.optional(),
  timeoutMs: z.number().int().positive(),
  gracePeriod: z.number().int().min(-1),
  dryRun: z.union([z.literal(false), z.literal('client'), z.literal('server')]),
});
export type DrainArgs = z.infer<typeof DrainArgsSchema>;

export const DRAIN_DEFAULT_TIMEOUT_MS = 10 * 60_000;
const MAX_TIMEOUT_MS = 24 * 3_600_000;

/** kubectl's `--dry-run` values; bare `--dry-run` and `=true` mean `client`, as in kubectl. */
export function dryRunValue(raw: string | undefined): DrainArgs['dryRun'] {
  if (raw === undefined) return false;
  const v = raw.toLowerCase();
  if (v === 'true' || v === 'client') return 'client';
  if (v === 'server') return 'server';
  if (v === 'false' || v === 'none') return false;
  throw new BadArgsError(`--dry-run must be client, server or none, got ${show(raw)}.`);
}

export const drain = defineCommand({
  command: SlashCommand.K8s,
  verb: 'drain',
  aliases: [],
  risk: Risk.Destructive,
  mode: JobMode.Plan,
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
  schema: DrainArgsSchema,
  build({ positionals, flags }) {
    const { name, rest } = takeTarget(positionals, {
      verb: 'drain',
      kinds: [ResourceKind.Node],
      bareKind: ResourceKind.Node,
      missing: 'drain needs a node name.',
    });
    noMore('drain', rest, 'one node');
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
      ignoreDaemonsets: flags.bool('ignore-daemonsets', true),
      deleteEmptyDirData: flags.bool('delete-emptydir-data', false),
      force: flags.bool('force', false),
      disableEviction: flags.bool('disable-eviction', false),
      skipWaitForDeleteTimeoutSeconds: skip === undefined ? 0 : intValue('--skip-wait-for-delete-timeout', skip, { min: 0, max: 86_400 }),
      ...(selector === undefined ? {} : { podSelector: selectorValue('--pod-selector', selector) }),
      timeoutMs: timeout === undefined ? DRAIN_DEFAULT_TIMEOUT_MS : durationValue('--timeout', timeout, { min: 1000, max: MAX_TIMEOUT_MS }),
      gracePeriod: grace === undefined ? -1 : intValue('--grace-period', grace, { min: -1, max: 86_400 }),
      dryRun: dryRunValue(flags.text('dry-run')),
    };
  },
  isNamespaced: () => false,
});
