import { z } from 'zod';
import { JobGrantSchema } from './job-grant.js';
import { PlanSchema } from './plan.js';

/**
 * What a queued job does: `read` answers a read-only verb; `plan` computes a plan (read-only);
 * `execute` carries out an approved plan.
 */
export const JobKind = { Read: 'read', Plan: 'plan', Execute: 'execute' } as const;
export type JobKind = (typeof JobKind)[keyof typeof JobKind];

/** The payload of every BullMQ job. Versioned so that a worker can refuse what it cannot read. */
export const JobPayloadSchema = z.object({
  v: z.literal(1),
  kind: z.enum([JobKind.Read, JobKind.Plan, JobKind.Execute]),
  verb: z.string().min(1),
  requestId: z.string().min(1),
  cluster: z.string().min(1),
  args: z.record(z.string(), z.unknown()),
  requestedBy: z.string().min(1),
  channelId: z.string().min(1),
  /** For `execute`: the plan that was approved; execution re-plans and compares against it. */
  approvedPlan: PlanSchema.optional(),
  /** For `execute`: what the bot signed (core/job-grant.ts); a worker refuses an execution without it. */
  grant: JobGrantSchema.optional(),
  /** For `execute`: HMAC-SHA256 of the grant under SITREP_JOB_KEY, hex. */
  signature: z.string().optional(),
  /**
   * Queued for a Slack request with a deadline (core/deadline.ts): the job runs only if the bot
   * released it by then (ms since the epoch, Redis time), so a job whose queueing Redis finished
   * after the user was told "Redis is not answering" never runs (queue/job-release.ts).
   */
  releaseBy: z.number().int().nonnegative().optional(),
});
export type JobPayload = z.infer<typeof JobPayloadSchema>;

/** A table as jobs produce it; chat decides how to render it (monospace, truncated, as a file). */
export const TableSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(z.string())),
});
export type Table = z.infer<typeof TableSchema>;

/** Preformatted text from the cluster, and which end of it matters most. */
export const OutputSchema = z.object({
  filename: z.string(),
  content: z.string(),
  keep: z.enum(['head', 'tail']).default('head'),
});
export type Output = z.infer<typeof OutputSchema>;

/** Live progress of a job, as the bot shows it in the request's message. */
export const JobProgressSchema = z.object({
  /** Short name of the current phase, e.g. `cordon`, `evicting`, `waiting`. */
  phase: z.string(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** One line for people. */
  message: z.string(),
  /** Objects currently blocked and why (e.g. a pod whose eviction a PDB refuses). */
  blocked: z.array(z.object({ target: z.string(), reason: z.string() })).default([]),
  elapsedMs: z.number().nonnegative(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** What a finished job reports. `ok: false` with a message is a handled failure, not a crash. */
export const JobResultSchema = z.object({
  ok: z.boolean(),
  title: z.string(),
  /**
   * A summary for people, in plain text: the renderer escapes it for each output, so cluster text
   * in it never formats, pings or links. sitrep's own backticks (`/k8s uncordon node02`) and
   * :emoji: names read as Slack shows them.
   */
  text: z.string(),
  table: TableSchema.optional(),
  /**
   * Output from the cluster, shown as a code block (pod logs, describe): as much as fits, from the
   * start (`head`) or the end (`tail`); whenever anything is cut, the whole goes up as a file.
   */
  output: OutputSchema.optional(),
  /** Full output for a file snippet when it is too long for a message (big tables). */
  file: z.object({ filename: z.string(), content: z.string() }).optional(),
  /** For `plan` jobs: the plan to show and approve. */
  plan: PlanSchema.optional(),
  /** For `execute` jobs: what changed and what did not, one line each. */
  changed: z.array(z.string()).default([]),
  unchanged: z.array(z.string()).default([]),
  /** Error code when ok is false (see core/errors.ts). */
  code: z.string().optional(),
});
export type JobResult = z.infer<typeof JobResultSchema>;
