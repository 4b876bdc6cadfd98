import { z } from 'zod';
import { formatDuration } from '../duration.js';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { defineVerb, VerbRunner } from './contract.js';
import { DEFAULT_NAMESPACE, labelName, objectName } from './names.js';

/** What a runbook step can wait for (or test, for a step's `if:`). Each is read from the cluster. */
export const ConditionKind = {
  /** The node's Ready condition is True; with `newBootId`, in a boot other than the one seen at approval. */
  NodeReady: 'node-ready',
  /** The node's Ready condition is False or Unknown (it stopped reporting). */
  NodeNotReady: 'node-not-ready',
  /** No pod but DaemonSet and mirror pods is left on the node (finished pods do not count). */
  PodsGone: 'pods-gone',
  /**
   * Every workload that had a pod on the node when the runbook was approved has all its replicas
   * Ready again, none of them on that node.
   */
  ReplacementsReady: 'replacements-ready',
  /** The deployment's rollout is complete: every replica updated and available. */
  DeploymentAvailable: 'deployment-available',
  /** The PodDisruptionBudget allows at least one disruption now. */
  PdbAllowsDisruptions: 'pdb-allows-disruptions',
} as const;
export type ConditionKind = (typeof ConditionKind)[keyof typeof ConditionKind];

export const ConditionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal(ConditionKind.NodeReady), node: objectName, newBootId: z.boolean().default(false) }),
  z.object({ kind: z.literal(ConditionKind.NodeNotReady), node: objectName }),
  z.object({ kind: z.literal(ConditionKind.PodsGone), node: objectName }),
  z.object({ kind: z.literal(ConditionKind.ReplacementsReady), node: objectName }),
  z.object({ kind: z.literal(ConditionKind.DeploymentAvailable), name: objectName, namespace: labelName.default(DEFAULT_NAMESPACE) }),
  z.object({ kind: z.literal(ConditionKind.PdbAllowsDisruptions), name: objectName, namespace: labelName.default(DEFAULT_NAMESPACE) }),
]);
export type Condition = z.output<typeof ConditionSchema>;

/** A wait gives up after 10 minutes unless its step says otherwise. */
export const WAIT_DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** The longest a wait may be told to last. */
export const WAIT_MAX_TIMEOUT_MS = 24 * 3_600_000;

/**
 * A runbook's wait step (not a chat verb): `condition` is what must hold, `timeoutMs` how long to
 * wait for it (milliseconds, 1 s to 24 h, default 10 min). Its plan reads the cluster now and
 * records the baseline the wait compares against (the boot ID, the workloads on the node).
 */
export const WaitArgsSchema = z.object({
  condition: ConditionSchema,
  timeoutMs: z.number().int().min(1000).max(WAIT_MAX_TIMEOUT_MS).default(WAIT_DEFAULT_TIMEOUT_MS),
});
export type WaitArgs = z.output<typeof WaitArgsSchema>;

/** The object a condition is about, as `kind/namespace/name` (`node/node02`, `deployment/shop/web`). */
export function conditionTarget(c: Condition): string {
  if ('node' in c) return `node/${c.node}`;
  return `${c.kind === ConditionKind.DeploymentAvailable ? 'deployment' : 'poddisruptionbudget'}/${c.namespace}/${c.name}`;
}

/** A condition in words: `node02 Ready with a new boot ID`. */
export function describeCondition(c: Condition): string {
  switch (c.kind) {
    case ConditionKind.NodeReady:
      return `${c.node} Ready${c.newBootId ? ' with a new boot ID' : ''}`;
    case ConditionKind.NodeNotReady:
      return `${c.node} NotReady`;
    case ConditionKind.PodsGone:
      return `no workload pods left on ${c.node}`;
    case ConditionKind.ReplacementsReady:
      return `the pods that were on ${c.node} replaced and Ready elsewhere`;
    case ConditionKind.DeploymentAvailable:
      return `deployment ${c.namespace}/${c.name} available`;
    case ConditionKind.PdbAllowsDisruptions:
      return `PodDisruptionBudget ${c.namespace}/${c.name} allowing a disruption`;
  }
}

/** `wait: node02 Ready with a new boot ID (up to 20m)`. */
export function describeWait(a: WaitArgs): string {
  return `wait: ${describeCondition(a.condition)} (up to ${formatDuration(a.timeoutMs)})`;
}

export const waitVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'wait',
  risk: Risk.Read,
  runner: VerbRunner.Operation,
  args: WaitArgsSchema,
  namespaceOf: (a) => ('namespace' in a.condition ? a.condition.namespace : undefined),
});
