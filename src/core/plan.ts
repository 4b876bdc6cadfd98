import { createHash } from 'node:crypto';
import { z } from 'zod';

/** How bad a plan warning is: `danger` means data loss or an outage is likely. */
export const Severity = { Info: 'info', Warning: 'warning', Danger: 'danger' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** The hazards a plan looks for; each comes from a real incident (see shared/incidents/README.md). */
export const WarningCode = {
  LocalData: 'local-data',
  SingleReplica: 'single-replica',
  PdbBlocks: 'pdb-blocks',
  CapacityShortfall: 'capacity-shortfall',
  NodeOverCommit: 'node-over-90',
  LastSchedulableNode: 'last-schedulable-node',
  ControlPlaneNode: 'control-plane-node',
  StaticPods: 'static-pods',
  RwoMultiAttach: 'rwo-multi-attach',
  NodeNotReady: 'node-not-ready',
  NodePressure: 'node-pressure',
  BarePods: 'bare-pods',
  PausedRollout: 'paused-rollout',
  ScaleToZero: 'scale-to-zero',
} as const;
export type WarningCode = (typeof WarningCode)[keyof typeof WarningCode];

export const PlanWarningSchema = z.object({
  code: z.string(),
  severity: z.enum([Severity.Info, Severity.Warning, Severity.Danger]),
  /** One sentence for the on-call engineer: what will happen, then why. */
  message: z.string(),
  /** The objects concerned, as `kind/namespace/name` (or `kind/name` for cluster-scoped). */
  objects: z.array(z.string()),
});
export type PlanWarning = z.infer<typeof PlanWarningSchema>;

/** One change the job will make. `target` is `kind/namespace/name`; `uid` pins it to one object. */
export const PlanActionSchema = z.object({
  kind: z.enum(['cordon', 'uncordon', 'evict', 'delete', 'restart', 'scale']),
  target: z.string(),
  uid: z.string().optional(),
  /** Who owns the target (e.g. `ReplicaSet/web-7d9f`), used to group pods on the card. */
  owner: z.string().optional(),
  detail: z.string().optional(),
});
export type PlanAction = z.infer<typeof PlanActionSchema>;

export const PlanSchema = z.object({
  v: z.literal(1),
  verb: z.string(),
  cluster: z.string(),
  /** What the plan is about, e.g. `node/node02`. */
  target: z.string(),
  /** One line: what will happen. */
  summary: z.string(),
  actions: z.array(PlanActionSchema),
  /** Objects deliberately left alone, and why (DaemonSet pods, mirror pods, ...). */
  skipped: z.array(z.object({ target: z.string(), reason: z.string() })),
  warnings: z.array(PlanWarningSchema),
  /** Set when the job cannot run as asked (e.g. drain filters); names the flag that overrides. */
  refusal: z.object({ message: z.string(), flag: z.string().optional() }).optional(),
  /** Values fixed at plan time so a resumed job repeats them exactly (e.g. restartedAt). */
  fixed: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  createdAt: z.number(),
  fingerprint: z.string(),
});
export type Plan = z.infer<typeof PlanSchema>;

/** Everything a plan says it will change or warn about, as sorted keys. */
function planKeys(plan: Pick<Plan, 'actions' | 'warnings' | 'refusal'>): { actions: string[]; warnings: string[] } {
  const actions = plan.actions.map((a) => `${a.kind} ${a.target}`).sort();
  const warnings = plan.warnings.flatMap((w) => (w.objects.length ? w.objects.map((o) => `${w.code} ${o}`) : [w.code])).sort();
  if (plan.refusal) warnings.push(`refusal ${plan.refusal.flag ?? plan.refusal.message}`);
  return { actions, warnings };
}

/**
 * A stable fingerprint over what a plan would change and what it warns about. UIDs are left out
 * on purpose: a replaced pod with the same name is the same intent; execution re-checks UIDs.
 */
export function fingerprintPlan(plan: Pick<Plan, 'actions' | 'warnings' | 'refusal'>): string {
  const keys = planKeys(plan);
  return createHash('sha256').update(JSON.stringify(keys)).digest('hex').slice(0, 16);
}

/**
 * How a fresh plan differs from the approved one. Drift that only shrinks the plan (fewer pods to
 * evict, fewer warnings) is safe to run; anything new is returned so the user can be asked again.
 */
export function planDrift(approved: Pick<Plan, 'actions' | 'warnings' | 'refusal'>, fresh: Pick<Plan, 'actions' | 'warnings' | 'refusal'>): { added: string[]; removed: string[] } {
  const a = planKeys(approved);
  const f = planKeys(fresh);
  const before = new Set([...a.actions, ...a.warnings]);
  const after = new Set([...f.actions, ...f.warnings]);
  return {
    added: [...after].filter((k) => !before.has(k)),
    removed: [...before].filter((k) => !after.has(k)),
  };
}
