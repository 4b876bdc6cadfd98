import type { V1Pod } from '@kubernetes/client-node';
import { ErrorCode, JobError } from '../src/core/errors.js';
import type { JobResult } from '../src/core/job.js';
import type { Plan, PlanWarning } from '../src/core/plan.js';
import { findNode, loadClusterView, type ClusterView } from '../src/k8s/cluster-view.js';
import { deletePodOnce } from '../src/k8s/evict.js';
import { objectRef } from '../src/k8s/object-ref.js';
import { workloadLabel, workloadOf } from '../src/k8s/owners.js';
import { barePodsWarning, downtimeWarning, localDataWarning, nodeNotReadyWarning, rwoMultiAttachWarning } from '../src/k8s/plan-warnings.js';
import { podNotFound } from '../src/k8s/not-found.js';
import { isMirrorPod } from '../src/k8s/pod-facts.js';
import type { JobContext, OperationJob } from './job-context.js';
import { assertNoDrift, backupOnce, buildPlan, readStart, rethrow } from './support/operation.js';
import { PodBackup } from './support/pod-backup.js';
import { DEFAULT_NAMESPACE, deletePodVerb, type DeletePodArgs } from '../src/core/verbs/index.js';
import { recordIntent } from './support/intent.js';

type DeleteArgs = DeletePodArgs;

interface DeleteAnalysis {
  plan: Plan;
  pod?: V1Pod;
  view: ClusterView;
}

function graceText(args: DeleteArgs): string {
  if (args.force) return 'force: removed at once (grace 0), without the node confirming';
  return args.gracePeriod >= 0 ? `grace period ${args.gracePeriod}s` : "the pod's own grace period";
}

async function planDelete(ctx: JobContext, args: DeleteArgs): Promise<DeleteAnalysis> {
  const ns = args.namespace ?? DEFAULT_NAMESPACE;
  const target = objectRef('pod', args.name, ns);
  const view = await loadClusterView(ctx.kube, {
    namespace: ns,
    focus: (pods) => pods.filter((p) => p.metadata?.name === args.name),
    signal: ctx.signal,
  });
  const pod = view.pods.find((p) => p.metadata?.name === args.name);
  if (!pod) {
    const plan = buildPlan(ctx, { verb: 'delete', target, summary: `Pod ${ns}/${args.name} does not exist: nothing to delete`, actions: [], skipped: [{ target, reason: 'not found' }], warnings: [] });
    return { plan, view };
  }
  const nodeName = pod.spec?.nodeName;
  if (isMirrorPod(pod)) return { plan: mirrorRefusal(ctx, pod, target), pod, view };
  const node = nodeName ? findNode(view, nodeName) : undefined;
  const w = workloadOf(pod, view.replicaSets);
  const warnings: (PlanWarning | undefined)[] = [
    nodeName ? localDataWarning([pod], view, nodeName) : undefined,
    downtimeWarning([pod], view, nodeName ? `on ${nodeName}` : ''),
    barePodsWarning([pod]),
  ];
  if (node && args.force) warnings.push(rwoMultiAttachWarning([pod], view, node));
  if (node && !args.force) {
    warnings.push(nodeNotReadyWarning(node, `its kubelet cannot confirm the pod stopped, so a graceful delete leaves ${args.name} Terminating. --force removes it from the API at once, but read the Multi-Attach risk first.`));
  }
  const plan = buildPlan(ctx, {
    verb: 'delete',
    target,
    summary: `Delete pod ${ns}/${args.name}${nodeName ? ` on ${nodeName}` : ''} (${graceText(args)})${w ? `; ${workloadLabel(w)} creates a replacement` : '; nothing recreates it'}`,
    actions: [{ kind: 'delete', target, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}), ...(w ? { owner: workloadLabel(w) } : {}), detail: graceText(args) }],
    skipped: [],
    warnings: warnings.filter((x): x is PlanWarning => x !== undefined),
  });
  return { plan, pod, view };
}

/**
 * A mirror pod is the API's copy of a static pod that the kubelet runs from a manifest file on
 * its node: deleting it neither stops nor restarts the static pod, and the kubelet posts the
 * mirror again within seconds (pkg/kubelet/pod/mirror_client.go). So the delete is refused, with
 * what does work: the manifest on the node.
 */
function mirrorRefusal(ctx: JobContext, pod: V1Pod, target: string): Plan {
  const node = pod.spec?.nodeName ?? 'its node';
  const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  const message =
    `${name} is the mirror of a static pod that the kubelet on ${node} runs from a manifest file there (usually /etc/kubernetes/manifests). ` +
    `Deleting it neither stops nor restarts the static pod: the kubelet posts it again within seconds. ` +
    `To restart it, move its manifest out of that folder on ${node} and back; to stop it, move the manifest away.`;
  return buildPlan(ctx, {
    verb: 'delete',
    target,
    summary: `Refused: ${name} is a static pod's mirror; delete cannot stop or restart it`,
    actions: [],
    skipped: [{ target, reason: `static (mirror) pod of ${node}: managed by its manifest, not the API` }],
    warnings: [],
    refusal: { message },
  });
}

/** The pod approved for deletion is gone and another of the same name took its place: never deleted. */
function replacedResult(ns: string, name: string, approvedUid: string, newUid: string | undefined): JobResult {
  const ref = objectRef('pod', name, ns);
  return {
    ok: true,
    title: `Pod ${ns}/${name} you approved is already gone: nothing deleted`,
    text: `The approved pod (uid ${approvedUid}) no longer exists. A new pod with the same name${newUid ? ` (uid ${newUid})` : ''} was left alone. Ask again if the new one must go too.`,
    changed: [],
    unchanged: [`${ref}: new pod with the same name${newUid ? ` (uid ${newUid})` : ''} not deleted`],
  };
}

/** Checkpoint written just before the DELETE is sent (`deleted` once it was accepted). */
const DELETING = 'deleting';

/** `/k8s delete pod NAME`: DELETE pinned to the UID seen at plan time, so a same-name replacement is never deleted. */
export const deletePodJob: OperationJob<typeof deletePodVerb> = {
  verb: deletePodVerb,

  async plan(args, ctx) {
    try {
      const { plan, pod } = await planDelete(ctx, args);
      // A missing pod is a mistake to point out (a typo, a forgotten -n), not "nothing to do".
      if (!pod) throw await podNotFound(ctx.kube, args.namespace ?? DEFAULT_NAMESPACE, args.name, ctx.signal);
      return plan;
    } catch (err) {
      rethrow(err, ctx, `planning the delete of pod ${args.name}`);
    }
  },

  async execute(args, approved, ctx): Promise<JobResult> {
    const ns = args.namespace ?? DEFAULT_NAMESPACE;
    const ref = objectRef('pod', args.name, ns);
    const start = await readStart(ctx);
    const uid = approved.actions.find((a) => a.kind === 'delete' && a.target === ref)?.uid;
    try {
      const deletedEarlier = { ok: true, title: `Deleted pod ${ns}/${args.name}`, text: '', changed: [`${ref} deleted (uid ${uid})`], unchanged: [] };
      if (await ctx.checkpoints.get<boolean>('deleted')) return deletedEarlier;
      if (!uid) {
        return { ok: true, title: `Pod ${ns}/${args.name} did not exist when planned: nothing deleted`, text: '', changed: [], unchanged: [`${ref} not found`] };
      }
      // An earlier attempt sent the DELETE and died before hearing the answer: a pod gone now is its doing.
      const askedEarlier = Boolean(await ctx.checkpoints.get<number>(DELETING));
      const a = await planDelete(ctx, args);
      if (!a.pod) return askedEarlier ? deletedEarlier : { ok: true, title: `Pod ${ns}/${args.name} is already gone: nothing deleted`, text: '', changed: [], unchanged: [`${ref} was already gone`] };
      if (a.pod.metadata?.uid !== uid) return replacedResult(ns, args.name, uid, a.pod.metadata?.uid);
      if (a.plan.refusal) throw new JobError(ErrorCode.OperationRefused, `Delete of ${ref} refused, nothing changed: ${a.plan.refusal.message}`);
      // The approved pod is still there: anything else the approver saw must be too.
      assertNoDrift(approved, a.plan, { resumed: start.resumed });
      await start.begin();
      const pod = a.pod;
      await backupOnce(ctx, `delete-pod-${args.name}`, () => new PodBackup(a.view).pods([pod]).manifests());
      // Before the request: a successor knows this attempt may have deleted the pod.
      await recordIntent(ctx, DELETING, ctx.clock.now());
      // The UID precondition is the guarantee: a pod replaced between the read above and now is not deleted.
      const outcome = await deletePodOnce(ctx.kube, { namespace: ns, name: args.name, uid }, { gracePeriodSeconds: args.force ? 0 : args.gracePeriod, signal: ctx.signal });
      if (outcome.kind === 'gone') {
        if (outcome.replaced) return replacedResult(ns, args.name, uid, undefined);
        // The pod was there just before this DELETE and is gone after it: when the DELETE's first
        // answer was lost (a connection reset after the server deleted it), the retry meets our own
        // delete as a 404. Counted as ours, as a drain counts a pod gone after it asked.
        await ctx.checkpoints.set('deleted', true);
        return deletedEarlier;
      }
      if (outcome.kind !== 'accepted') throw new JobError(ErrorCode.KubernetesApi, `Delete of ${ref} refused: ${outcome.reason}`);
      await ctx.checkpoints.set('deleted', true);
      if (outcome.heldBy?.length) {
        // A pod with finalizers is only marked for deletion, even when forced: saying "removed
        // from the API at once" would send the on-call engineer on with a pod still there.
        const held = outcome.heldBy.join(', ');
        return {
          ok: true,
          title: `Pod ${ns}/${args.name} marked for deletion, but finalizers keep it: ${held}`,
          text: `It stays in the API (Terminating) until ${outcome.heldBy.length === 1 ? 'that finalizer is' : 'those finalizers are'} removed by whatever set ${outcome.heldBy.length === 1 ? 'it' : 'them'}. Its controller, if any, cannot reuse its name until then.`,
          changed: [`${ref} marked for deletion (uid ${uid}), held by finalizers: ${held}`],
          unchanged: [],
        };
      }
      return {
        ok: true,
        title: `Deleted pod ${ns}/${args.name}${args.force ? ' (forced)' : ''}`,
        text: args.force
          ? 'Removed from the API at once; if its node is down, the containers may still run there until it comes back.'
          : 'It is terminating; its controller, if any, creates a replacement.',
        changed: [`${ref} deleted (uid ${uid})`],
        unchanged: [],
      };
    } catch (err) {
      rethrow(err, ctx, `deleting pod ${ns}/${args.name}`);
    }
  },
};
