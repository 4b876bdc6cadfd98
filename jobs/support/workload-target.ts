import { toManifest } from '../../src/k8s/manifest.js';
import { objectRef } from '../../src/k8s/object-ref.js';
import { kubeStatusOf } from '../../src/k8s/api-errors.js';
import { workloadNotFound } from '../../src/k8s/not-found.js';
import { readWorkload, WORKLOAD_API, type WorkloadKind, type WorkloadObject } from '../../src/k8s/workloads.js';
import { DEFAULT_NAMESPACE } from '../../src/core/verbs/index.js';
import type { JobContext } from '../job-context.js';
import { backupOnce } from './operation.js';

/** The workload a restart or scale acts on, named the ways its messages need. */
export interface WorkloadTarget {
  kind: WorkloadKind;
  name: string;
  /** The namespace, `default` when the command named none (as kubectl). */
  ns: string;
  /** `deployment shop/web`: for titles and progress lines. */
  label: string;
  /** `deployment/web -n shop`-style reference for changed/unchanged lists (objectRef). */
  ref: string;
}

/** Resolves a workload verb's arguments to its target. */
export function workloadTarget(args: { kind: WorkloadKind; name: string; namespace?: string | undefined }): WorkloadTarget {
  const ns = args.namespace ?? DEFAULT_NAMESPACE;
  return { kind: args.kind, name: args.name, ns, label: `${args.kind} ${ns}/${args.name}`, ref: objectRef(args.kind, args.name, ns) };
}

/**
 * Backs the workload up once per execution (`VERB-KIND-NAME`), as a manifest `kubectl apply`
 * accepts, before the job changes it.
 */
export function backupWorkload(ctx: JobContext, verb: string, target: WorkloadTarget, workload: WorkloadObject): Promise<void> {
  const api = WORKLOAD_API[target.kind];
  return backupOnce(ctx, `${verb}-${target.kind}-${target.name}`, () => [toManifest(workload, api.kind, api.apiVersion)]);
}

/**
 * Reads the target workload.
 * @throws JobError NotFound (`deployment web not found in namespace shop.`, with the list
 * command as hint) on a 404; other API errors as they come.
 */
export async function readTargetWorkload(ctx: JobContext, target: WorkloadTarget): Promise<WorkloadObject> {
  try {
    return await readWorkload(ctx.kube, target.kind, target.ns, target.name, ctx.signal);
  } catch (err) {
    if (kubeStatusOf(err)?.code === 404) {
      throw workloadNotFound(target.kind, target.name, target.ns);
    }
    throw err;
  }
}
