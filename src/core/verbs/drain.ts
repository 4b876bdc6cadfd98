import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { clusterScoped, defineVerb, VerbRunner } from './contract.js';
import { labelSelector, objectName } from './names.js';

/** sitrep gives up a drain after 10 minutes unless told otherwise; kubectl's 0 (forever) is refused. */
export const DRAIN_DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** The longest `--timeout` a drain accepts. */
export const DRAIN_MAX_TIMEOUT_MS = 24 * 3_600_000;
/** The longest `--grace-period` and `--skip-wait-for-delete-timeout`, in seconds. */
export const MAX_GRACE_SECONDS = 86_400;

/** kubectl's `--dry-run` values: off, or `client` / `server`. */
export const DryRunSchema = z.union([z.literal(false), z.literal('client'), z.literal('server')]);
export type DryRun = z.output<typeof DryRunSchema>;

/**
 * `/k8s drain NODE`: cordon the node, then evict (or delete) its pods, as `kubectl drain` does
 * (staging/src/k8s.io/kubectl/pkg/drain/drain.go, Helper's fields of the same names).
 * - `ignoreDaemonsets`: leave DaemonSet pods alone. Default **true** in sitrep (kubectl: false),
 *   because refusing to drain over DaemonSets is never what an on-call engineer wants.
 * - `deleteEmptyDirData`: evict pods with emptyDir volumes (their data is lost). Default false.
 * - `force`: also evict pods no controller manages (they are not recreated). Default false.
 * - `disableEviction`: delete pods instead of evicting them, bypassing PodDisruptionBudgets.
 * - `skipWaitForDeleteTimeoutSeconds`: stop waiting for pods whose deletionTimestamp is older
 *   than this many seconds; 0 waits for all. Default 0.
 * - `podSelector`: only pods matching this label selector.
 * - `timeoutMs`: give up after this long, in ms. Default DRAIN_DEFAULT_TIMEOUT_MS.
 * - `gracePeriod`: seconds each pod gets to terminate; -1 uses the pod's own. Default -1.
 * - `dryRun`: false, or `'client'` / `'server'`: show the plan and change nothing.
 */
export const DrainArgsSchema = z.object({
  node: objectName,
  ignoreDaemonsets: z.boolean().default(true),
  deleteEmptyDirData: z.boolean().default(false),
  force: z.boolean().default(false),
  disableEviction: z.boolean().default(false),
  skipWaitForDeleteTimeoutSeconds: z.number().int().min(0).max(MAX_GRACE_SECONDS).default(0),
  podSelector: labelSelector.optional(),
  timeoutMs: z.number().int().min(1000).max(DRAIN_MAX_TIMEOUT_MS).default(DRAIN_DEFAULT_TIMEOUT_MS),
  gracePeriod: z.number().int().min(-1).max(MAX_GRACE_SECONDS).default(-1),
  dryRun: DryRunSchema.default(false),
});
export type DrainArgs = z.output<typeof DrainArgsSchema>;

export const drainVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'drain',
  risk: Risk.Destructive,
  runner: VerbRunner.Operation,
  args: DrainArgsSchema,
  namespaceOf: clusterScoped,
  targetOf: (a) => `node/${a.node}`,
});
