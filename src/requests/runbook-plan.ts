import { fingerprintPlan, type Plan, type PlanWarning } from '../core/plan.js';
import { stepFactKey, stepFactValue, WHEN_REACHED } from '../core/runbook-step.js';
import type { RunbookInstance } from '../runbooks/index.js';
import type { StepRecord } from './request-store.js';

/** The plan a step runs under when it is a wait: its args are what it is asked to run. */
export function stepJob(step: RunbookInstance['steps'][number]): { verb: string; args: Record<string, unknown> } | undefined {
  if (step.kind === 'run') return { verb: step.verb, args: step.args };
  if (step.kind === 'wait') return { verb: 'wait', args: step.args };
  return undefined;
}

/** Whether a plan carries anything worth a person's attention (info lines are not warnings). */
export function hasWarnings(plan: Pick<Plan, 'warnings'>): boolean {
  return plan.warnings.some((w) => w.severity !== 'info');
}

/**
 * The plan of a whole runbook, as its one approval records it: every step's actions, warnings,
 * left-alone objects and facts, each marked with its step, and one fact per step naming its verb,
 * a digest of its args and its plan's fingerprint (or that it is planned when reached). The
 * fingerprint over all of it is what the approval is for; a worker checks a step's execution
 * against these facts (worker/execution-guard.ts).
 */
export function procedurePlan(instance: RunbookInstance, steps: readonly (StepRecord | undefined)[], cluster: string, now: number): Plan {
  const actions: Plan['actions'] = [];
  const warnings: PlanWarning[] = [];
  const skipped: Plan['skipped'] = [];
  const facts: Plan['facts'] = {};
  let refusal: Plan['refusal'];
  instance.steps.forEach((step, i) => {
    const job = stepJob(step);
    const plan = steps[i]?.plan;
    if (job) facts[stepFactKey(i)] = stepFactValue(job.verb, job.args, plan?.fingerprint ?? WHEN_REACHED);
    if (!plan) return;
    const tag = `step ${i + 1}`;
    for (const a of plan.actions) actions.push({ ...a, detail: `${tag}${a.detail ? `: ${a.detail}` : ''}` });
    for (const w of plan.warnings) warnings.push({ ...w, message: `Step ${i + 1} (${step.text}): ${w.message}` });
    for (const s of plan.skipped) skipped.push({ target: s.target, reason: `${s.reason} (${tag})` });
    for (const [k, v] of Object.entries(plan.facts)) facts[`${tag} ${k}`] = v;
    if (plan.refusal && !refusal) refusal = { message: `Step ${i + 1} (\`${step.text}\`) would not run: ${plan.refusal.message}${plan.refusal.flag ? ` (the runbook's step would need ${plan.refusal.flag})` : ''}` };
  });
  const params = Object.entries(instance.params).map(([k, v]) => `${k}=${v}`).join(' ');
  const body = { actions, warnings, skipped, facts, ...(refusal ? { refusal } : {}) };
  return {
    v: 1,
    verb: 'runbook',
    cluster,
    target: `runbook/${instance.name}`,
    summary: `${instance.name}${params ? ` ${params}` : ''}: ${instance.steps.length} steps, ${instance.steps.map((s) => (s.kind === 'run' ? s.verb : s.kind)).join(' → ')}`,
    ...body,
    fixed: {},
    createdAt: now,
    fingerprint: fingerprintPlan(body),
  };
}
