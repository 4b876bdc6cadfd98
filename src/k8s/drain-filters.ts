import type { V1Pod } from '@kubernetes/client-node';
import type { DrainArgs } from '../core/verbs/drain.js';
import { controllerOf, isMirrorPod, isTerminal } from './pod-facts.js';

/**
 * kubectl drain's pod filters (k8s.io/kubectl/pkg/drain/filters.go), in kubectl's order:
 * skip-deleted, DaemonSet, mirror, local storage, unreplicated. The first filter that says "do not
 * delete" decides. Error texts are kubectl's, so an engineer who knows kubectl reads the same words.
 */

/**
 * The drain args the filters read (see DrainArgsSchema for each), and the time: milliseconds since
 * the epoch, for the skip-deleted filter.
 */
export type DrainFilterOptions = Pick<DrainArgs, 'ignoreDaemonsets' | 'deleteEmptyDirData' | 'force' | 'skipWaitForDeleteTimeoutSeconds'> & { now: number };

export interface DrainFilterLookups {
  /** Whether the DaemonSet that controls a pod still exists (kubectl GETs it; callers list once). */
  daemonSetExists(namespace: string, name: string): boolean;
}

/** One kind of refusal with the pods it names, as kubectl groups them. */
export interface DrainFilterError {
  /** kubectl's text, e.g. `cannot delete Pods with local storage (use --delete-emptydir-data to override): shop/cache-1`. */
  message: string;
  /** The flag that overrides it. */
  flag: string;
  pods: string[];
}

/**
 * Which filter left a pod alone: `skip-deleted` (terminating longer than
 * --skip-wait-for-delete-timeout: still on the node, not waited for), `daemonset` or `mirror`
 * (they stay on the node by design).
 */
export const SkipFilter = { SkipDeleted: 'skip-deleted', DaemonSet: 'daemonset', Mirror: 'mirror' } as const;
export type SkipFilter = (typeof SkipFilter)[keyof typeof SkipFilter];

export interface DrainSelection {
  /** Pods to evict (or delete), in list order. */
  targets: V1Pod[];
  /** Pods left alone on purpose, with why (DaemonSet, mirror, long-terminating) and which filter said so. */
  skipped: { pod: V1Pod; reason: string; by: SkipFilter }[];
  /** Filter errors; any one means the drain must not run. */
  errors: DrainFilterError[];
  /** kubectl's warnings (pods it deletes or ignores with a note), grouped by message. */
  warnings: { message: string; pods: string[] }[];
}

const DAEMONSET_FATAL = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
const DAEMONSET_WARNING = 'ignoring DaemonSet-managed Pods';
const LOCAL_STORAGE_FATAL = 'Pods with local storage (use --delete-emptydir-data to override)';
const LOCAL_STORAGE_WARNING = 'deleting Pods with local storage';
const UNMANAGED_FATAL = 'Pods that declare no controller (use --force to override)';
const UNMANAGED_WARNING = 'deleting Pods that declare no controller';

type Verdict =
  | { delete: true; warning?: string }
  | { delete: false; skip: string; by: SkipFilter; warning?: string }
  | { delete: false; error: string; flag: string };

type Filter = (pod: V1Pod) => Verdict;

const OK: Verdict = { delete: true };

export function podRef(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export function hasEmptyDir(pod: V1Pod): boolean {
  return (pod.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined && v.emptyDir !== null);
}

/** kubectl's shouldSkipPod: terminating for longer than `seconds` (and `seconds` > 0). */
export function terminatingLongerThan(pod: { metadata?: { deletionTimestamp?: Date | string } }, seconds: number, now: number): boolean {
  const ts = pod.metadata?.deletionTimestamp;
  if (seconds <= 0 || !ts) return false;
  return Math.floor((now - new Date(ts).getTime()) / 1000) > seconds;
}

function makeFilters(o: DrainFilterOptions, lookups: DrainFilterLookups): Filter[] {
  const skipDeleted: Filter = (pod) =>
    terminatingLongerThan(pod, o.skipWaitForDeleteTimeoutSeconds, o.now)
      ? { delete: false, skip: `terminating for more than ${o.skipWaitForDeleteTimeoutSeconds}s (--skip-wait-for-delete-timeout)`, by: SkipFilter.SkipDeleted }
      : OK;

  const daemonSet: Filter = (pod) => {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'DaemonSet' || isTerminal(pod)) return OK;
    const ns = pod.metadata?.namespace ?? '';
    if (!lookups.daemonSetExists(ns, ref.name)) {
      // Orphaned DaemonSet pods: nothing will recreate them; kubectl deletes them only with --force.
      const notFound = `daemonsets.apps "${ref.name}" not found`;
      return o.force ? { delete: true, warning: notFound } : { delete: false, error: notFound, flag: '--force' };
    }
    if (!o.ignoreDaemonsets) return { delete: false, error: DAEMONSET_FATAL, flag: '--ignore-daemonsets' };
    return { delete: false, skip: `DaemonSet-managed (DaemonSet/${ref.name}): its controller keeps it on every node`, by: SkipFilter.DaemonSet, warning: DAEMONSET_WARNING };
  };

  const mirror: Filter = (pod) =>
    isMirrorPod(pod) ? { delete: false, skip: 'static (mirror) pod: the kubelet runs it from a file on the node; drain cannot move it', by: SkipFilter.Mirror } : OK;

  const localStorage: Filter = (pod) => {
    if (!hasEmptyDir(pod) || isTerminal(pod)) return OK;
    if (!o.deleteEmptyDirData) return { delete: false, error: LOCAL_STORAGE_FATAL, flag: '--delete-emptydir-data' };
    return { delete: true, warning: LOCAL_STORAGE_WARNING };
  };

  const unreplicated: Filter = (pod) => {
    if (isTerminal(pod) || controllerOf(pod)) return OK;
    if (o.force) return { delete: true, warning: UNMANAGED_WARNING };
    return { delete: false, error: UNMANAGED_FATAL, flag: '--force' };
  };

  return [skipDeleted, daemonSet, mirror, localStorage, unreplicated];
}

/**
 * Sorts a node's pods into targets, skipped pods and refusals, exactly as kubectl's filters do.
 * Unlike kubectl, sitrep keeps every warning a pod collects (kubectl keeps only the last one).
 */
export function selectDrainPods(pods: readonly V1Pod[], options: DrainFilterOptions, lookups: DrainFilterLookups): DrainSelection {
  const filters = makeFilters(options, lookups);
  const targets: V1Pod[] = [];
  const skipped: DrainSelection['skipped'] = [];
  const errors = new Map<string, { flag: string; pods: string[] }>();
  const warnings = new Map<string, string[]>();
  const warn = (message: string, pod: V1Pod) => warnings.set(message, [...(warnings.get(message) ?? []), podRef(pod)]);

  for (const pod of pods) {
    let verdict: Verdict = OK;
    for (const filter of filters) {
      verdict = filter(pod);
      if ('warning' in verdict && verdict.warning) warn(verdict.warning, pod);
      if (!verdict.delete) break;
    }
    if (verdict.delete) targets.push(pod);
    else if ('error' in verdict) {
      const e = errors.get(verdict.error) ?? { flag: verdict.flag, pods: [] };
      e.pods.push(podRef(pod));
      errors.set(verdict.error, e);
    } else skipped.push({ pod, reason: verdict.skip, by: verdict.by });
  }

  // kubectl prints the groups in map order (random); sitrep keeps the filters' order so the same
  // cluster always gives the same text (and the same plan fingerprint).
  const order = [DAEMONSET_FATAL, LOCAL_STORAGE_FATAL, UNMANAGED_FATAL];
  const rank = (m: string) => (order.includes(m) ? order.indexOf(m) : -1);
  const errorList = [...errors.entries()]
    .sort((a, b) => rank(a[0]) - rank(b[0]))
    .map(([msg, e]) => ({ message: `cannot delete ${msg}: ${e.pods.join(', ')}`, flag: e.flag, pods: e.pods }));

  return {
    targets,
    skipped,
    errors: errorList,
    warnings: [...warnings.entries()].map(([message, p]) => ({ message, pods: p })),
  };
}
