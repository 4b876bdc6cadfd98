import { z } from 'zod';
import { ConditionSchema, WaitArgsSchema } from '../core/verbs/wait.js';

/** When a run step's plan is made: at approval, or only when the runbook reaches it. */
export const PlanTime = { Now: 'now', WhenReached: 'when-reached' } as const;
export type PlanTime = (typeof PlanTime)[keyof typeof PlanTime];

/**
 * A runbook with its parameters filled in: exactly the procedure one request plans, is approved
 * for and runs. It travels in the request (and so in Redis); each step is what its kind needs and
 * nothing is read from the runbook file again once the request exists.
 */
export const RunbookStepSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('run'),
    name: z.string(),
    /** What runs, as typed after /k8s: `drain node02 --force`. */
    text: z.string(),
    verb: z.string(),
    args: z.record(z.string(), z.unknown()),
    risk: z.string(),
    /** The one object it changes (`node/node02`): held for the whole runbook. */
    target: z.string().optional(),
    namespace: z.string().optional(),
    plan: z.enum([PlanTime.Now, PlanTime.WhenReached]),
    /** Run only if this holds when the step is reached; skipped otherwise. */
    if: ConditionSchema.optional(),
  }),
  z.object({ kind: z.literal('wait'), name: z.string(), text: z.string(), args: WaitArgsSchema }),
  z.object({ kind: z.literal('manual'), name: z.string(), text: z.string() }),
  z.object({ kind: z.literal('note'), name: z.string(), text: z.string() }),
]);
export type RunbookStep = z.output<typeof RunbookStepSchema>;
export type RunStep = Extract<RunbookStep, { kind: 'run' }>;

export const RunbookInstanceSchema = z.object({
  v: z.literal(1),
  name: z.string(),
  description: z.string(),
  /** The file it came from, or `built-in`. */
  source: z.string(),
  params: z.record(z.string(), z.string()),
  steps: z.array(RunbookStepSchema).min(1),
});
export type RunbookInstance = z.output<typeof RunbookInstanceSchema>;

/** The procedure a runbook request carries in its args, or undefined for any other request. */
export function procedureOf(args: Record<string, unknown>): RunbookInstance | undefined {
  if (args.procedure === undefined) return undefined;
  return RunbookInstanceSchema.parse(args.procedure);
}
