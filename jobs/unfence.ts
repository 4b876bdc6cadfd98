import type { V1Node } from '@kubernetes/client-node';
import { ErrorCode, JobError } from '../src/core/errors.js';
import type { JobResult } from '../src/core/job.js';
import { Severity, WarningCode, type Plan, type PlanWarning } from '../src/core/plan.js';
import { unfenceVerb } from '../src/core/verbs/index.js';
import { statusCodeOf } from '../src/k8s/api-errors.js';
import { listAll } from '../src/k8s/list-all.js';
import { isCordoned } from '../src/k8s/node-schedulable.js';
import { nodeNotFound } from '../src/k8s/not-found.js';
import { objectRef } from '../src/k8s/object-ref.js';
import { bootIdOf, FENCED_BOOT_ANNOTATION, OUT_OF_SERVICE_TAINT, outOfServiceTaint, setOutOfService } from '../src/k8s/out-of-service.js';
import { nodeCondition } from '../src/k8s/pod-facts.js';
import { callOptions } from '../src/k8s/request-options.js';
import type { JobContext, OperationJob } from './job-context.js';
import { assertNoDrift, buildPlan, readStart, rethrow } from './support/operation.js';
import { recordIntent } from './support/intent.js';

async function readNode(ctx: JobContext, name: string): Promise<V1Node> {
  try {
    return await ctx.kube.core.readNode({ name }, callOptions({ signal: ctx.signal }));
  } catch (err) {
    if (statusCodeOf(err) !== 404) throw err;
    const { items } = await listAll((cont, limit) => ctx.kube.core.listNode({ _continue: cont, limit }, callOptions({ signal: ctx.signal })), { signal: ctx.signal });
    throw nodeNotFound(name, items, ctx.cluster);
  }
}

/**
 * Whether the node may be put back: it must be back (Ready) and in another boot than the one it
 * was fenced in, or the containers of the pods the fence force-deleted could still run there.
 */
function whyNot(node: V1Node): string | undefined {
  const name = node.metadata?.name ?? '';
  const ready = nodeCondition(node, 'Ready') ?? 'Unknown';
  if (ready !== 'True') {
    return `${name} is still NotReady (Ready=${ready}): it is not back. Unfence it once it runs again (Ready, after a reboot); until then the taint keeps pods off it.`;
  }
  const fencedIn = node.metadata?.annotations?.[FENCED_BOOT_ANNOTATION];
  if (fencedIn && fencedIn === bootIdOf(node)) {
    return `${name} is Ready but still in the boot it was fenced in (boot ID ${fencedIn}): it never went down, so the containers of the pods the fence force-deleted may still run there. Reboot it, then unfence.`;
  }
  return undefined;
}

async function planUnfence(ctx: JobContext, name: string): Promise<{ plan: Plan; node: V1Node }> {
  const node = await readNode(ctx, name);
  const target = objectRef('node', name);
  const taint = outOfServiceTaint(node);
  if (!taint) {
    const plan = buildPlan(ctx, { verb: 'unfence', target, summary: `${name} is not out of service: nothing to do`, actions: [], skipped: [{ target, reason: 'no out-of-service taint' }], warnings: [] });
    return { plan, node };
  }
  const refusal = whyNot(node);
  const warnings: PlanWarning[] = [];
  if (!node.metadata?.annotations?.[FENCED_BOOT_ANNOTATION]) {
    warnings.push({
      code: WarningCode.UnverifiedReboot,
      severity: Severity.Warning,
      message: `${name} was not fenced by sitrep, so the boot it was fenced in is unknown: make sure it rebooted since (its kubelet's Rebooted event in \`/k8s describe node ${name}\`), or containers of the pods force-deleted then may still run there.`,
      objects: [target],
    });
  }
  const cordoned = isCordoned(node) ? ' It stays cordoned: `/k8s uncordon` lets pods be scheduled there.' : '';
  const plan = buildPlan(ctx, {
    verb: 'unfence',
    target,
    summary: `Put ${name} back in service (Ready=${nodeCondition(node, 'Ready') ?? 'Unknown'}, boot ${bootIdOf(node) ?? 'unknown'}): remove the ${OUT_OF_SERVICE_TAINT.key} taint.${cordoned}`,
    actions: [{ kind: 'untaint', target, detail: `${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}` }],
    skipped: [],
    warnings,
    ...(refusal ? { refusal: { message: refusal } } : {}),
    facts: { [`Ready node/${name}`]: nodeCondition(node, 'Ready') ?? 'Unknown', [`bootID node/${name}`]: bootIdOf(node) ?? 'unknown' },
  });
  return { plan, node };
}

/** `/k8s unfence NODE`: lifts the out-of-service taint of a node that is back, in a new boot. */
export const unfenceJob: OperationJob<typeof unfenceVerb> = {
  verb: unfenceVerb,

  async plan({ node }, ctx) {
    try {
      return (await planUnfence(ctx, node)).plan;
    } catch (err) {
      rethrow(err, ctx, `planning the unfence of ${node}`);
    }
  },

  async execute({ node: name }, approved, ctx): Promise<JobResult> {
    const start = await readStart(ctx);
    try {
      const { plan, node } = await planUnfence(ctx, name);
      if (!outOfServiceTaint(node)) {
        const byUs = await ctx.checkpoints.get<boolean>('unfenced');
        return byUs
          ? { ok: true, title: `${name} is back in service`, text: '', changed: [`node/${name} out-of-service taint removed`], unchanged: [] }
          : { ok: true, title: `${name} was not out of service: nothing changed`, text: '', changed: [], unchanged: [`node/${name} had no out-of-service taint`] };
      }
      if (plan.refusal) throw new JobError(ErrorCode.OperationRefused, `Unfence of ${name} refused, nothing changed: ${plan.refusal.message}`);
      assertNoDrift(approved, plan, { resumed: start.resumed });
      await start.begin();
      await recordIntent(ctx, 'unfenced', true);
      const after = await setOutOfService(ctx.kube, name, { fence: false }, ctx.signal);
      return {
        ok: true,
        title: `${name} is back in service`,
        text: isCordoned(after) ? `The out-of-service taint is gone. ${name} is still cordoned: \`/k8s uncordon ${name}\` lets pods be scheduled there again.` : `The out-of-service taint is gone: pods may be scheduled on ${name} again.`,
        changed: [`node/${name} out-of-service taint removed`],
        unchanged: [],
      };
    } catch (err) {
      rethrow(err, ctx, `unfencing ${name}`);
    }
  },
};
