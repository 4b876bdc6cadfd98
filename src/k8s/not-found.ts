import type { V1Node } from '@kubernetes/client-node';
import { ErrorCode, JobError } from '../core/errors.js';
import { suggest } from '../core/text/suggest.js';
import type { KubeClients } from './kube-clients.js';
import { listAll } from './list-all.js';
import { listSome } from './object-ref.js';
import { callOptions } from './request-options.js';

/**
 * "Not found" that names what exists nearby, so a typo never reads like success and a missing
 * `-n` is said plainly: the same name in other namespaces first (`-n` was forgotten), else the
 * closest name in the namespace asked (a typo), else what the namespace holds.
 */

/** How many names a "not found" lists. */
const LISTED = 5;

/**
 * The error for a pod that is not in `namespace`, after one look at where it might be: pods of that
 * name in any namespace (one list by `metadata.name`) and the pods of `namespace`.
 */
export async function podNotFound(kube: KubeClients, namespace: string, name: string, signal?: AbortSignal): Promise<JobError> {
  const opts = callOptions({ signal });
  const [sameName, inNamespace] = await Promise.all([
    listAll((cont, limit) => kube.core.listPodForAllNamespaces({ fieldSelector: `metadata.name=${name}`, _continue: cont, limit }, opts), { signal }),
    listAll((cont, limit) => kube.core.listNamespacedPod({ namespace, _continue: cont, limit }, opts), { signal }),
  ]);
  const elsewhere = [...new Set(sameName.items.map((p) => p.metadata?.namespace ?? '').filter((ns) => ns && ns !== namespace))].sort();
  const names = inNamespace.items.map((p) => p.metadata?.name ?? '').filter(Boolean).sort();
  const message = `Pod ${name} not found in namespace ${namespace}.`;
  if (elsewhere.length) {
    const where = elsewhere.length === 1 ? `namespace ${elsewhere[0]}` : `namespaces ${listSome(elsewhere, LISTED)}`;
    return new JobError(ErrorCode.NotFound, `${message} A pod of that name is in ${where}.`, { hint: `Add \`-n ${elsewhere[0]}\` to the command.` });
  }
  return new JobError(ErrorCode.NotFound, `${message}${nearby(name, names, `Pods in ${namespace}`, `Namespace ${namespace} has no pods.`)}`, {
    hint: `List them with \`/k8s get pods -n ${namespace}\`, or all with \`/k8s get pods -A\`.`,
  });
}

/** The error for a node that is not in the cluster, naming the closest node or the nodes there are. */
export function nodeNotFound(name: string, nodes: readonly V1Node[], cluster: string): JobError {
  const names = nodes.map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
  return new JobError(ErrorCode.NotFound, `Node ${name} not found in cluster ${cluster}.${nearby(name, names, 'Nodes', 'The cluster has no nodes.')}`, {
    hint: 'List nodes with `/k8s get nodes`.',
  });
}

/** The error for a workload (deployment, statefulset, daemonset) that is not in `namespace`. */
export function workloadNotFound(kind: string, name: string, namespace: string): JobError {
  return new JobError(ErrorCode.NotFound, `${kind} ${name} not found in namespace ${namespace}.`, { hint: `List them with \`/k8s get ${kind}s -n ${namespace}\`.` });
}

/** ` Did you mean X?` for a close name, else ` <label>: a, b, c and N more.`, else `empty`. */
function nearby(name: string, names: readonly string[], label: string, empty: string): string {
  if (names.length === 0) return ` ${empty}`;
  const guess = suggest(name, names) ?? names.find((n) => n.startsWith(`${name}-`));
  if (guess) return ` Did you mean ${guess}?`;
  return ` ${label}: ${listSome(names, LISTED)}.`;
}
