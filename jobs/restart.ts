import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { ErrorCode, JobError } from '../src/core/errors.js';
import type { JobResult } from '../src/core/job.js';
import { Severity, WarningCode, type Plan, type PlanWarning } from '../src/core/plan.js';
import { patchWorkload, WORKLOAD_API, type WorkloadObject } from '../src/k8s/workloads.js';
import type { JobContext, OperationJob } from './job-context.js';
import { backupWorkload, readTargetWorkload, workloadTarget } from './support/workload-target.js';
import { assertNoDrift, buildPlan, readStart, rethrow } from './support/operation.js';
import { restartVerb, type RestartArgs } from '../src/core/verbs/index.js';

/** The annotation `kubectl rollout restart` sets; any change of it rolls every pod. */
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** RFC 3339 without fractions, as kubectl writes it (Go's time.RFC3339). */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function currentRestartedAt(w: WorkloadObject): string | undefined {
  return w.spec?.template?.metadata?.annotations?.[RESTARTED_AT];
}

function downtime(args: RestartArgs, w: WorkloadObject): PlanWarning | undefined {
  const { ref } = workloadTarget(args);
  if (args.kind === 'deployment' && (w as V1Deployment).spec?.strategy?.type === 'Recreate') {
    return { code: WarningCode.SingleReplica, severity: Severity.Warning, message: `Downtime: ${args.name} uses the Recreate strategy: every pod stops before the new ones start.`, objects: [ref] };
  }
  // A StatefulSet replaces each pod by deleting it first: with one replica the service is down meanwhile.
  if (args.kind === 'statefulset' && ((w as V1StatefulSet).spec?.replicas ?? 1) === 1) {
    return { code: WarningCode.SingleReplica, severity: Severity.Warning, message: `Downtime: statefulset ${args.name} has 1 replica; it is deleted before its replacement starts.`, objects: [ref] };
  }
  return undefined;
}

async function planRestart(ctx: JobContext, args: RestartArgs): Promise<{ plan: Plan; workload: WorkloadObject }> {
  const resolved = workloadTarget(args);
  const { ns, ref: target } = resolved;
  const workload = await readTargetWorkload(ctx, resolved);
  const warnings: PlanWarning[] = [];
  let refusal: Plan['refusal'];
  if (args.kind === 'deployment' && (workload as V1Deployment).spec?.paused) {
    // kubectl's own words (polymorphichelpers/objectrestarter.go).
    refusal = { message: `${WORKLOAD_API.deployment.resource} "${args.name}" can't restart paused deployment (run rollout resume first)` };
    warnings.push({ code: WarningCode.PausedRollout, severity: Severity.Warning, message: `${args.name} is paused: a restart would not roll until it is resumed. Resume it first.`, objects: [target] });
  }
  const dt = downtime(args, workload);
  if (dt) warnings.push(dt);
  const replicas = args.kind === 'daemonset' ? (workload as V1DaemonSet).status?.desiredNumberScheduled : ((workload as V1Deployment | V1StatefulSet).spec?.replicas ?? 1);
  const plan = buildPlan(ctx, {
    verb: 'restart',
    target,
    summary: refusal ? `Restart of ${args.kind} ${ns}/${args.name} refused: ${refusal.message}` : `Rolling restart of ${args.kind} ${ns}/${args.name}: ${replicas ?? 'all'} pod${replicas === 1 ? '' : 's'} replaced, following its update strategy`,
    actions: refusal ? [] : [{ kind: 'restart', target, ...(workload.metadata?.uid ? { uid: workload.metadata.uid } : {}), detail: `set pod template annotation ${RESTARTED_AT}` }],
    skipped: [],
    warnings,
    ...(refusal ? { refusal } : {}),
    // What the approver saw: a workload someone else rolled (or resized) since is another plan.
    facts: {
      [`generation ${target}`]: workload.metadata?.generation ?? 0,
      [`replicas ${target}`]: replicas ?? 0,
      [`restartedAt ${target}`]: currentRestartedAt(workload) ?? 'never',
    },
    // Fixed now so that a resumed job writes the same value: the template does not change twice, pods roll once.
    fixed: { restartedAt: rfc3339(ctx.clock.now()) },
  });
  return { plan, workload };
}

/** `/k8s restart deployment/NAME`: the same annotation patch as `kubectl rollout restart`. */
export const restartJob: OperationJob<typeof restartVerb> = {
  verb: restartVerb,

  async plan(args, ctx) {
    try {
      return (await planRestart(ctx, args)).plan;
    } catch (err) {
      rethrow(err, ctx, `planning the restart of ${args.kind} ${args.name}`);
    }
  },

  async execute(args, approved, ctx): Promise<JobResult> {
    const target = workloadTarget(args);
    const { ns, label, ref } = target;
    const start = await readStart(ctx);
    try {
      const { plan, workload } = await planRestart(ctx, args);
      const restartedAt = typeof approved.fixed.restartedAt === 'string' ? approved.fixed.restartedAt : String(plan.fixed.restartedAt);
      if (currentRestartedAt(workload) === restartedAt) {
        // Already written for this approval (its timestamp is unique to it): by this job before a
        // worker died, or by a duplicate of it. Writing it again would change nothing.
        return { ok: true, title: `Rolling restart of ${label} already started (restartedAt ${restartedAt})`, text: '', changed: [`${ref} restarted (restartedAt ${restartedAt})`], unchanged: [] };
      }
      if (plan.refusal) throw new JobError(ErrorCode.Conflict, `Restart refused, nothing changed: ${plan.refusal.message}`, { hint: 'Resume the rollout first.' });
      assertNoDrift(approved, plan, { resumed: start.resumed });
      await ctx.progress({ phase: 'restart', done: 0, total: 1, message: `Restarting ${label}`, blocked: [] });
      await start.begin();
      await backupWorkload(ctx, 'restart', target, workload);
      await ctx.assertOwned();
      await patchWorkload(ctx.kube, args.kind, ns, args.name, { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } }, ctx.signal);
      await ctx.checkpoints.set('restarted', restartedAt);
      await ctx.progress({ phase: 'done', done: 1, total: 1, message: `Restarted ${label}`, blocked: [] });
      return {
        ok: true,
        title: `Rolling restart of ${label} started`,
        text: `Pods are replaced a few at a time. Follow it with \`/k8s get pods -n ${ns}\`.`,
        changed: [`${ref} restarted (restartedAt ${restartedAt})`],
        unchanged: [],
      };
    } catch (err) {
      rethrow(err, ctx, `restarting ${label}`);
    }
  },
};
