import { redactText } from '../src/core/text/redact.js';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { JobResult } from '../src/core/job.js';
import { statusCodeOf, toSitrepError } from '../src/k8s/api-errors.js';
import { nodeNotFound, podNotFound } from '../src/k8s/not-found.js';
import { listAll } from '../src/k8s/list-all.js';
import { age, controllerOf, isMirrorPod, nodeAllocatable, nodeRoles, nodeStatusText, podRequests, podStatusText } from '../src/k8s/pod-facts.js';
import { formatCpu, humanBytes } from '../src/core/quantity.js';
import type { JobContext, ReadJob } from './job-context.js';
import { DEFAULT_NAMESPACE, describeVerb } from '../src/core/verbs/index.js';

/** `/k8s describe node|pod NAME`: the facts an on-call engineer looks for first, and recent events. */
export const describeJob: ReadJob<typeof describeVerb> = {
  verb: describeVerb,
  async run(args, ctx) {
    try {
      return args.kind === 'node' ? await describeNode(args.name, ctx) : await describePod(args.name, args.namespace ?? DEFAULT_NAMESPACE, ctx);
    } catch (err) {
      if (statusCodeOf(err) === 404) throw await notFound(args.kind, args.name, args.namespace ?? DEFAULT_NAMESPACE, ctx);
      throw toSitrepError(err, ctx.cluster, `describing ${args.kind} ${args.name}`);
    }
  },
};

/** A missing pod or node, with what exists nearby (a forgotten `-n`, a typo). */
async function notFound(kind: 'node' | 'pod', name: string, namespace: string, ctx: JobContext): Promise<Error> {
  if (kind === 'pod') return podNotFound(ctx.kube, namespace, name, ctx.signal);
  const { items } = await listAll((cont, limit) => ctx.kube.core.listNode({ _continue: cont, limit }), { signal: ctx.signal });
  return nodeNotFound(name, items, ctx.cluster);
}

async function recentEvents(ctx: JobContext, namespace: string | undefined, name: string): Promise<string[]> {
  const fieldSelector = `involvedObject.name=${name}`;
  const { items } = await listAll((cont, limit) =>
    namespace
      ? ctx.kube.core.listNamespacedEvent({ namespace, fieldSelector, _continue: cont, limit })
      : ctx.kube.core.listEventForAllNamespaces({ fieldSelector, _continue: cont, limit }),
  );
  return items.slice(-10).map((e) => `${e.type ?? ''}  ${e.reason ?? ''}  ${(e.message ?? '').replace(/\s+/g, ' ')}`);
}

async function describeNode(name: string, ctx: JobContext): Promise<JobResult> {
  const node: V1Node = await ctx.kube.core.readNode({ name });
  const { items: pods } = await listAll((cont, limit) => ctx.kube.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}`, _continue: cont, limit }), { signal: ctx.signal });
  const alloc = nodeAllocatable(node);
  const used = pods.filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? '')).reduce((s, p) => {
    const r = podRequests(p);
    return { cpu: s.cpu + r.cpu, memory: s.memory + r.memory };
  }, { cpu: 0, memory: 0 });
  const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '-');
  const lines = [
    `Name:           ${name}`,
    `Status:         ${nodeStatusText(node)}`,
    `Roles:          ${nodeRoles(node)}`,
    `Age:            ${age(node.metadata?.creationTimestamp, ctx.clock.now())}`,
    `Unschedulable:  ${node.spec?.unschedulable ? 'true' : 'false'}`,
    `Taints:         ${(node.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ') || '<none>'}`,
    `Conditions:`,
    ...(node.status?.conditions ?? []).map((c) => `  ${c.type.padEnd(16)} ${c.status.padEnd(8)} ${c.reason ?? ''}`),
    `Allocatable:    cpu ${formatCpu(alloc.cpu)}, memory ${humanBytes(alloc.memory)}, pods ${alloc.pods}`,
    `Requests:       cpu ${formatCpu(used.cpu)} (${pct(used.cpu, alloc.cpu)}), memory ${humanBytes(used.memory)} (${pct(used.memory, alloc.memory)})`,
    `Pods (${pods.length}):`,
    ...pods.map((p) => `  ${(p.metadata?.namespace + '/' + p.metadata?.name).padEnd(48)} ${podStatusText(p)}`),
    `Events:`,
    ...((await recentEvents(ctx, undefined, name)).map((e) => `  ${e}`) || []),
  ];
  const content = lines.join('\n');
  return { ok: true, title: `node/${name}: ${nodeStatusText(node)}`, text: '', output: { filename: `describe-node-${name}.txt`, content: redactText(content), keep: 'head' }, changed: [], unchanged: [] };
}

async function describePod(name: string, namespace: string, ctx: JobContext): Promise<JobResult> {
  const pod: V1Pod = await ctx.kube.core.readNamespacedPod({ name, namespace });
  const owner = controllerOf(pod);
  const lines = [
    `Name:           ${name}`,
    `Namespace:      ${namespace}`,
    `Node:           ${pod.spec?.nodeName ?? '<none>'}`,
    `Status:         ${podStatusText(pod)}`,
    `IP:             ${pod.status?.podIP ?? '<none>'}`,
    `Controlled By:  ${owner ? `${owner.kind}/${owner.name}` : isMirrorPod(pod) ? 'Node (static pod)' : '<none>'}`,
    `Containers:`,
    ...(pod.spec?.containers ?? []).map((c) => {
      const s = pod.status?.containerStatuses?.find((cs) => cs.name === c.name);
      return `  ${c.name}: ${c.image}  ready=${s?.ready ?? false} restarts=${s?.restartCount ?? 0}  requests cpu=${c.resources?.requests?.cpu ?? '-'} memory=${c.resources?.requests?.memory ?? '-'}`;
    }),
    `Volumes:`,
    ...(pod.spec?.volumes ?? []).map((v) => `  ${v.name}: ${v.persistentVolumeClaim ? `PVC ${v.persistentVolumeClaim.claimName}` : v.emptyDir ? 'EmptyDir' : v.hostPath ? `HostPath ${v.hostPath.path}` : v.configMap ? 'ConfigMap' : v.secret ? 'Secret' : 'other'}`),
    `Conditions:`,
    ...(pod.status?.conditions ?? []).map((c) => `  ${c.type.padEnd(16)} ${c.status}`),
    `Events:`,
    ...(await recentEvents(ctx, namespace, name)).map((e) => `  ${e}`),
  ];
  return { ok: true, title: `pod/${namespace}/${name}: ${podStatusText(pod)}`, text: '', output: { filename: `describe-pod-${namespace}-${name}.txt`, content: redactText(lines.join('\n')), keep: 'head' }, changed: [], unchanged: [] };
}
