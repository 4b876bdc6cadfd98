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
  /** Fencing a node that may still run: its pods would run twice on the same volumes (incident 003). */
  NodeMayBeRunning: 'node-may-be-running',
  /** What a fence frees: each volume that detaches, the pod that held it and the pods waiting on it. */
  VolumesDetach: 'volumes-detach',
  /** Unfencing a node whose reboot since the fence sitrep cannot confirm. */
  UnverifiedReboot: 'unverified-reboot',
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
  /** `detach`: a volume attachment the cluster removes as a consequence (fence); `taint`/`untaint`: a node taint. */
  kind: z.enum(['cordon', 'uncordon', 'evict', 'delete', 'restart', 'scale', 'taint', 'untaint', 'detach']),
  target: z.string(),
  uid: z.string().optional(),
  /** Who owns the target (e.g. `ReplicaSet/web-7d9f`), used to group pods on the card. */
  owner: z.string().optional(),
  detail: z.string().optional(),
});
export type PlanAction = z.infer<typeof PlanActionSchema>;

/** A value the approver saw: a count, a generation, a budget. */
const FactValue = z.union([z.string(), z.number(), z.boolean()]);

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
  /**
   * Set when the job cannot run as asked (e.g. drain filters); names the flag that overrides.
   * `overrides`: what each of those flags would add to the plan (the objects it lets the job
   * touch), so the card shows the whole overridden plan. A plan with a refusal never runs.
   */
  refusal: z
    .object({
      message: z.string(),
      flag: z.string().optional(),
      overrides: z.array(z.object({ flag: z.string(), adds: z.array(z.string()) })).optional(),
    })
    .optional(),
  /**
   * What the approver saw of the cluster besides the actions, keyed by what it is: a workload's
   * replica count (`replicas deployment/shop/web`), its generation, a PodDisruptionBudget's allowed
   * disruptions. Execution re-reads them; any difference is drift.
   */
  facts: z.record(z.string(), FactValue).default({}),
  /**
   * What the approver must confirm before approving, beyond reading the warnings (fence: that the
   * machine is powered off); the Approve button's confirm dialog says it.
   */
  confirm: z.string().optional(),
  /** Values fixed at plan time so a resumed job repeats them exactly (e.g. restartedAt). */
  fixed: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  createdAt: z.number(),
  fingerprint: z.string(),
});
export type Plan = z.infer<typeof PlanSchema>;

type PlanBody = Pick<Plan, 'actions' | 'warnings' | 'refusal'> & Partial<Pick<Plan, 'facts' | 'skipped'>>;

/** One thing a plan says, as a comparable key and the words a person reads for it. */
interface PlanItem {
  key: string;
  label: string;
}

/**
 * Everything a plan says it will do, leave alone or warn about: each action with its object's UID
 * and detail. `withDetail: false` compares actions by object alone (a resumed job's own earlier
 * steps changed details such as "already terminating").
 */
function changeItems(plan: PlanBody, withDetail = true): PlanItem[] {
  const items: PlanItem[] = plan.actions.map((a) => ({
    key: `${a.kind} ${a.target}${a.uid ? ` uid=${a.uid}` : ''}${withDetail && a.detail ? ` (${a.detail})` : ''}`,
    label: `${a.kind} ${a.target}${a.detail ? ` (${a.detail})` : ''}`,
  }));
  for (const w of plan.warnings) {
    const objects = w.objects.length ? w.objects : [''];
    for (const o of objects) items.push({ key: `warning ${w.code} ${w.severity} ${o}`.trimEnd(), label: `${w.code}${o ? ` ${o}` : ''}` });
  }
  if (plan.refusal) items.push({ key: `refusal ${plan.refusal.flag ?? plan.refusal.message}`, label: `refused: ${plan.refusal.message}` });
  return items;
}

/** What the approver saw of the cluster: each fact with its value. */
function factItems(plan: PlanBody): PlanItem[] {
  return Object.entries(plan.facts ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => ({ key: `fact ${k}=${String(v)}`, label: `${k}: ${String(v)}` }));
}

/**
 * A stable fingerprint over everything a plan shows an approver: every action with the UID of its
 * object and its detail (replica counts, the restart's timestamp), every warning, the refusal, and
 * every fact (counts, generations, budgets). Two plans with one field apart differ.
 */
export function fingerprintPlan(plan: PlanBody): string {
  const keys = [...changeItems(plan), ...factItems(plan)].map((i) => i.key).sort();
  return createHash('sha256').update(JSON.stringify(keys)).digest('hex').slice(0, 16);
}

/** How a fresh plan differs from the approved one, in words: what is new, and what is gone. */
export interface PlanDrift {
  added: string[];
  removed: string[];
}

/**
 * How a fresh plan differs from the approved one. Actions and warnings that are only gone (fewer
 * pods to evict, fewer warnings) are safe to run and are reported as `removed`; a new or changed
 * action (another UID, another replica count) or warning is `added`, and so is every fact whose
 * value changed, appeared or vanished (`replicas deployment/shop/web: 2 -> 9`).
 * Pass `actionsOnly` for a resumed job, whose own earlier steps changed the facts and warnings.
 */
export function planDrift(approved: PlanBody, fresh: PlanBody, options: { actionsOnly?: boolean } = {}): PlanDrift {
  const pick = (p: PlanBody) => (options.actionsOnly ? changeItems({ ...p, warnings: [] }, false) : changeItems(p));
  const before = new Map(pick(approved).map((i) => [i.key, i.label]));
  const after = new Map(pick(fresh).map((i) => [i.key, i.label]));
  const added = [...after].filter(([k]) => !before.has(k)).map(([, label]) => label);
  const removed = [...before].filter(([k]) => !after.has(k)).map(([, label]) => label);
  if (!options.actionsOnly) {
    const was = approved.facts ?? {};
    const now = fresh.facts ?? {};
    for (const k of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
      const a = k in was ? String(was[k]) : undefined;
      const b = k in now ? String(now[k]) : undefined;
      if (a !== b) added.push(`${k}: ${a ?? 'none'} -> ${b ?? 'gone'}`);
    }
  }
  return { added, removed };
}
