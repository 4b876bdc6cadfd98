import type { V1Node } from '@kubernetes/client-node';
import type { JobResult } from '../../src/core/job.js';
import type { Plan, PlanWarning } from '../../src/core/plan.js';
import { listAll } from '../../src/k8s/list-all.js';
import { nodeNotFound } from '../../src/k8s/not-found.js';
import { isCordoned, setUnschedulable } from '../../src/k8s/node-schedulable.js';
import { objectRef } from '../../src/k8s/object-ref.js';
import { callOptions } from '../../src/k8s/request-options.js';
import type { JobContext, OperationJob } from '../job-context.js';
import { assertNoDrift, buildPlan, readStart, rethrow } from './operation.js';
import type { cordonVerb, uncordonVerb } from '../../src/core/verbs/index.js';
import { recordIntent } from './intent.js';

/** What cordon and uncordon differ in. */
export interface NodeStateVerb<C extends typeof cordonVerb | typeof uncordonVerb> {
  verb: C;
  /** The spec.unschedulable value the verb sets. */
  unschedulable: boolean;
  /** Hazards of doing it to this node, given all nodes. */
  warnings(node: V1Node, nodes: V1Node[]): PlanWarning[];
}

async function readNodes(ctx: JobContext, name: string): Promise<{ node: V1Node; nodes: V1Node[] }> {
  const { items } = await listAll((cont, limit) => ctx.kube.core.listNode({ _continue: cont, limit }, callOptions({ signal: ctx.signal })), { signal: ctx.signal });
  const node = items.find((n) => n.metadata?.name === name);
  if (!node) throw nodeNotFound(name, items, ctx.cluster);
  return { node, nodes: items };
}

/**
 * cordon / uncordon: one strategic-merge patch of spec.unschedulable, skipped when the node is
 * already in that state (and the plan says so). Setting an absolute value makes a retry harmless.
 */
export function createNodeStateJob<C extends typeof cordonVerb | typeof uncordonVerb>(v: NodeStateVerb<C>): OperationJob<C> {
  const verb = v.verb.name as 'cordon' | 'uncordon';
  const state = v.unschedulable ? 'cordoned' : 'schedulable';
  const planFor = async (ctx: JobContext, name: string): Promise<{ plan: Plan; node: V1Node }> => {
    const { node, nodes } = await readNodes(ctx, name);
    const noop = isCordoned(node) === v.unschedulable;
    const plan = buildPlan(ctx, {
      verb,
      target: objectRef('node', name),
      summary: noop ? `${name} is already ${state}: nothing to do` : `${verb === 'cordon' ? 'Cordon' : 'Uncordon'} ${name}: ${v.unschedulable ? 'no new pods will be scheduled there; running pods stay' : 'new pods may be scheduled there again'}`,
      actions: noop ? [] : [{ kind: verb, target: objectRef('node', name) }],
      skipped: noop ? [{ target: objectRef('node', name), reason: `already ${state}` }] : [],
      warnings: v.warnings(node, nodes),
    });
    return { plan, node };
  };

  return {
    verb: v.verb,
    async plan({ node }, ctx) {
      try {
        return (await planFor(ctx, node)).plan;
      } catch (err) {
        rethrow(err, ctx, `planning ${verb} of ${node}`);
      }
    },
    async execute({ node: name }, approved, ctx): Promise<JobResult> {
      const start = await readStart(ctx);
      try {
        const { plan, node } = await planFor(ctx, name);
        assertNoDrift(approved, plan, { resumed: start.resumed });
        if (isCordoned(node) === v.unschedulable) {
          const byUs = await ctx.checkpoints.get<boolean>(verb);
          return {
            ok: true,
            title: byUs ? `${name} ${state}` : `${name} was already ${state}: nothing changed`,
            text: '',
            changed: byUs ? [`node/${name} ${state}`] : [],
            unchanged: byUs ? [] : [`node/${name} was already ${state}`],
          };
        }
        await start.begin();
        // Before the patch: a run resumed after a patch that went through still knows it was this job's.
        await recordIntent(ctx, verb, true);
        await setUnschedulable(ctx.kube, name, v.unschedulable, ctx.signal);
        return {
          ok: true,
          title: `${name} ${state}`,
          text: v.unschedulable ? `Running pods stay. To move them off: \`/k8s drain ${name}\`. Undo: \`/k8s uncordon ${name}\`.` : 'Pods moved off earlier do not come back by themselves.',
          changed: [`node/${name} ${state}`],
          unchanged: [],
        };
      } catch (err) {
        rethrow(err, ctx, `${verb} of ${name}`);
      }
    },
  };
}
