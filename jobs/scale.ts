import type { V1Pod } from '@kubernetes/client-node';
import type { JobResult } from '../src/core/job.js';
import { Severity, WarningCode, type Plan, type PlanWarning } from '../src/core/plan.js';
import { simulatePlacement } from '../src/k8s/capacity.js';
import { listAll } from '../src/k8s/list-all.js';
import { objectRef } from '../src/k8s/object-ref.js';
import { capacityWarnings } from '../src/k8s/plan-warnings.js';
import { callOptions } from '../src/k8s/request-options.js';
import { setReplicas, WORKLOAD_API, type WorkloadObject } from '../src/k8s/workloads.js';
import type { JobContext, OperationJob } from './job-context.js';
import { backupWorkload, readTargetWorkload, workloadTarget } from './support/workload-target.js';
import { assertNoDrift, buildPlan, readStart, rethrow } from './support/operation.js';
import { scaleVerb, type ScaleArgs } from '../src/core/verbs/index.js';
import { recordIntent } from './support/intent.js';

function replicasOf(w: WorkloadObject): number {
  return (w.spec && 'replicas' in w.spec ? w.spec.replicas : undefined) ?? 1;
}

/** Would the extra pods of a scale-up fit? Placed from the pod template's requests. */
async function scaleUpWarnings(ctx: JobContext, w: WorkloadObject, extra: number): Promise<PlanWarning[]> {
  if (extra <= 0) return [];
  const opts = callOptions({ signal: ctx.signal });
  const [nodes, pods] = await Promise.all([
    listAll((cont, limit) => ctx.kube.core.listNode({ _continue: cont, limit }, opts), { signal: ctx.signal }),
    listAll((cont, limit) => ctx.kube.core.listPodForAllNamespaces({ _continue: cont, limit }, opts), { signal: ctx.signal }),
  ]);
  const name = w.metadata?.name ?? '';
  const ns = w.metadata?.namespace;
  const copies: V1Pod[] = Array.from({ length: extra }, (_, i) => ({
    metadata: { name: `${name}-new-${i + 1}`, namespace: ns, labels: w.spec?.template?.metadata?.labels },
    spec: w.spec?.template?.spec ?? { containers: [] },
  }));
  const placement = simulatePlacement({ nodes: nodes.items, pods: pods.items }, copies, { exclude: [] });
  return capacityWarnings(placement, 'scale-up').map((x) =>
    x.code === WarningCode.CapacityShortfall
      ? { ...x, message: `${placement.unplaced.length} of the ${extra} new pods will stay Pending: ${placement.unplaced[0]?.reason ?? 'no room'}. Add capacity or scale less.`, objects: [objectRef(w.kind ?? 'deployment', name, ns)] }
      : x,
  );
}

async function planScale(ctx: JobContext, args: ScaleArgs): Promise<{ plan: Plan; workload: WorkloadObject; current: number }> {
  const resolved = workloadTarget(args);
  const { ns, ref: target } = resolved;
  const workload = await readTargetWorkload(ctx, resolved);
  workload.kind ??= WORKLOAD_API[args.kind].kind;
  const current = replicasOf(workload);
  const warnings: PlanWarning[] = [];
  if (args.replicas === 0 && current > 0) {
    warnings.push({
      code: WarningCode.ScaleToZero,
      severity: Severity.Warning,
      message: `Scale to zero: all ${current} pod${current === 1 ? '' : 's'} of ${args.kind} ${ns}/${args.name} stop and it serves nothing until scaled up again (it was ${current}).`,
      objects: [target],
    });
  }
  warnings.push(...(await scaleUpWarnings(ctx, workload, args.replicas - current)));
  const same = current === args.replicas;
  const plan = buildPlan(ctx, {
    verb: 'scale',
    target,
    summary: same ? `${args.kind} ${ns}/${args.name} already has ${current} replicas: nothing to do` : `Scale ${args.kind} ${ns}/${args.name} from ${current} to ${args.replicas} replicas`,
    actions: same ? [] : [{ kind: 'scale', target, ...(workload.metadata?.uid ? { uid: workload.metadata.uid } : {}), detail: `replicas ${current} -> ${args.replicas}` }],
    skipped: same ? [{ target, reason: `already ${current} replicas` }] : [],
    warnings,
    // What the approver saw: a scale approved as 2 -> 3 must not run as 9 -> 3.
    facts: { [`replicas ${target}`]: current },
    fixed: { replicas: args.replicas },
  });
  return { plan, workload, current };
}

/** `/k8s scale deployment/NAME --replicas N`: an absolute count through the /scale subresource. */
export const scaleJob: OperationJob<typeof scaleVerb> = {
  verb: scaleVerb,

  async plan(args, ctx) {
    try {
      return (await planScale(ctx, args)).plan;
    } catch (err) {
      rethrow(err, ctx, `planning the scale of ${args.kind} ${args.name}`);
    }
  },

  async execute(args, approved, ctx): Promise<JobResult> {
    const target = workloadTarget(args);
    const { ns, label, ref } = target;
    const start = await readStart(ctx);
    try {
      const { plan, workload, current } = await planScale(ctx, args);
      // The approved number, never a delta: a resumed job sets the same count again.
      const replicas = typeof approved.fixed.replicas === 'number' ? approved.fixed.replicas : args.replicas;
      const from = Number(approved.facts[`replicas ${ref}`] ?? current);
      if (current === replicas) {
        // The approved count already holds (set by this job before a worker died, or by anyone):
        // nothing to do, whatever else changed.
        const byUs = await ctx.checkpoints.get<number>('scaled');
        return byUs === replicas
          ? { ok: true, title: `Scaled ${label} to ${replicas}`, text: '', changed: [`${ref} replicas ${from} -> ${replicas}`], unchanged: [] }
          : { ok: true, title: `${label} already has ${replicas} replicas: nothing changed`, text: '', changed: [], unchanged: [`${ref} already at ${replicas} replicas`] };
      }
      assertNoDrift(approved, plan, { resumed: start.resumed });
      await start.begin();
      await backupWorkload(ctx, 'scale', target, workload);
      await ctx.progress({ phase: 'scale', done: 0, total: 1, message: `Scaling ${label} ${current} -> ${replicas}`, blocked: [] });
      // Before the patch: a run resumed after a patch that went through still knows it was this job's.
      await recordIntent(ctx, 'scaled', replicas);
      await setReplicas(ctx.kube, args.kind, ns, args.name, replicas, ctx.signal);
      await ctx.progress({ phase: 'done', done: 1, total: 1, message: `Scaled ${label} to ${replicas}`, blocked: [] });
      return {
        ok: true,
        title: `Scaled ${label}: ${current} -> ${replicas} replicas`,
        text: replicas === 0 ? `All pods stop. Bring it back with \`/k8s scale ${args.kind}/${args.name} --replicas ${current} -n ${ns}\`.` : `Follow it with \`/k8s get pods -n ${ns}\`.`,
        changed: [`${ref} replicas ${current} -> ${replicas}`],
        unchanged: [],
      };
    } catch (err) {
      rethrow(err, ctx, `scaling ${label}`);
    }
  },
};
