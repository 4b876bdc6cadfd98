import type { Risk } from '../core/risk.js';
import { parseDuration } from '../core/duration.js';
import { isDns1123Label, isDns1123Subdomain } from '../core/dns1123.js';
import { ConditionSchema, describeWait, WAIT_DEFAULT_TIMEOUT_MS, WaitArgsSchema, type Condition } from '../core/verbs/wait.js';
import { CONDITION_KEYS, ParamType, type ConditionYaml, type ParamYaml, type RunbookFile, type StepYaml } from './runbook-file.js';
import { PlanTime, type RunbookStep } from './runbook-instance.js';
import { fill } from './template.js';

/**
 * What a `run:` line means: the verb it runs and its checked args, or why it cannot be a step.
 * The bot hands in a checker built on the commands' own grammar (src/chat/runbook-catalog.ts), so
 * a runbook's flags are exactly what `/k8s` accepts; this layer does not know the grammar.
 */
export type RunCheck =
  | { ok: true; verb: string; args: Record<string, unknown>; risk: Risk; namespace?: string; target?: string }
  | { ok: false; message: string };
export type CheckRun = (text: string) => RunCheck;

/** A problem with a path into the runbook file, to be located by line and column. */
export interface PathProblem {
  path: (string | number)[];
  message: string;
}

/** Why `value` is not a valid value of a parameter of this type, or undefined. */
export function valueProblem(type: ParamYaml['type'], value: string): string | undefined {
  if (type === ParamType.Integer) return /^\d{1,9}$/.test(value) ? undefined : 'must be a whole number';
  if (type === ParamType.Namespace) return isDns1123Label(value) ? undefined : 'must be a namespace name (lowercase letters, digits and -, at most 63)';
  return isDns1123Subdomain(value) ? undefined : 'must be a Kubernetes object name (lowercase letters, digits, - and ., at most 253)';
}

function conditionOf(c: ConditionYaml, values: Readonly<Record<string, string>>): { condition?: Condition; problem?: PathProblem } {
  const key = CONDITION_KEYS.find((k) => c[k] !== undefined)!;
  const subject = fill(c[key]!, values);
  const raw =
    key === 'deployment-available' || key === 'pdb-allows-disruptions'
      ? { kind: key, name: subject, ...(c.namespace !== undefined ? { namespace: fill(c.namespace, values) } : {}) }
      : { kind: key, node: subject, ...(key === 'node-ready' && c['new-boot-id'] !== undefined ? { newBootId: c['new-boot-id'] } : {}) };
  const parsed = ConditionSchema.safeParse(raw);
  if (parsed.success) return { condition: parsed.data };
  const issue = parsed.error.issues[0];
  const onNamespace = issue?.path[0] === 'namespace';
  const value = onNamespace ? fill(c.namespace ?? '', values) : subject;
  return { problem: { path: [onNamespace ? 'namespace' : key], message: `${JSON.stringify(value)} ${issue?.message ?? 'is not valid'}` } };
}

/** The default label of a step: its verb, or its kind. */
function stepName(s: StepYaml, verb?: string): string {
  return s.name ?? verb ?? (s.wait ? 'wait' : s.manual !== undefined ? 'manual' : 'note');
}

/**
 * The steps of a runbook with `values` put in: each `run:` line checked by `checkRun`, each
 * condition by its schema. A run step's plan is made at approval unless it says otherwise or a
 * manual or wait step comes before it (what such a step changes cannot be planned beforehand).
 * Problems carry their path in the file (`['steps', 2, 'run']`).
 */
export function buildSteps(file: RunbookFile, values: Readonly<Record<string, string>>, checkRun: CheckRun): { steps: RunbookStep[]; problems: PathProblem[] } {
  const steps: RunbookStep[] = [];
  const problems: PathProblem[] = [];
  let afterHands = false;
  file.steps.forEach((s, i) => {
    if (s.run !== undefined) {
      const text = fill(s.run, values).trim();
      const checked = checkRun(text);
      let cond: Condition | undefined;
      if (s.if) {
        const c = conditionOf(s.if, values);
        if (c.problem) problems.push({ path: ['steps', i, 'if', ...c.problem.path], message: c.problem.message });
        cond = c.condition;
      }
      if (!checked.ok) {
        problems.push({ path: ['steps', i, 'run'], message: `run: ${checked.message}` });
        return;
      }
      steps.push({
        kind: 'run',
        name: stepName(s, checked.verb),
        text,
        verb: checked.verb,
        args: checked.args,
        risk: checked.risk,
        ...(checked.target ? { target: checked.target } : {}),
        ...(checked.namespace ? { namespace: checked.namespace } : {}),
        plan: s.plan ?? (afterHands ? PlanTime.WhenReached : PlanTime.Now),
        ...(cond ? { if: cond } : {}),
      });
    } else if (s.wait) {
      afterHands = true;
      const c = conditionOf(s.wait, values);
      if (c.problem) {
        problems.push({ path: ['steps', i, 'wait', ...c.problem.path], message: c.problem.message });
        return;
      }
      const args = WaitArgsSchema.parse({ condition: c.condition, timeoutMs: s.timeout === undefined ? WAIT_DEFAULT_TIMEOUT_MS : parseDuration(String(s.timeout)) });
      steps.push({ kind: 'wait', name: stepName(s), text: describeWait(args), args });
    } else if (s.manual !== undefined) {
      afterHands = true;
      steps.push({ kind: 'manual', name: stepName(s), text: fill(s.manual, values).trim() });
    } else {
      steps.push({ kind: 'note', name: stepName(s), text: fill(s.note!, values).trim() });
    }
  });
  return { steps, problems };
}
