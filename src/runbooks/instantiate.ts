import { didYouMeanSuffix } from '../core/text/did-you-mean.js';
import type { RunbookDefinition } from './parse-runbook.js';
import { RunbookInstanceSchema, type RunbookInstance } from './runbook-instance.js';
import { buildSteps, valueProblem, type CheckRun } from './runbook-steps-build.js';

export type InstantiateOutcome = { ok: true; instance: RunbookInstance } | { ok: false; message: string; hint: string };

/** `/k8s runbook node-maintenance node=NODE`: the right form, for messages and the list. */
export function runbookUsage(def: RunbookDefinition): string {
  const params = Object.entries(def.file.params).map(([k, p]) => (p.default !== undefined ? `[${k}=${p.default}]` : `${k}=${k.toUpperCase()}`));
  return `/k8s runbook ${def.name}${params.length ? ` ${params.join(' ')}` : ''}`;
}

/**
 * A runbook with the values a person gave: unknown, missing or malformed values are refused with
 * one message that names the parameter and shows the right form; then every step is built and
 * checked again with the real values.
 */
export function instantiate(def: RunbookDefinition, given: Readonly<Record<string, string>>, checkRun: CheckRun): InstantiateOutcome {
  const declared = Object.keys(def.file.params);
  const hint = `Usage: \`${runbookUsage(def)}\` · \`/k8s runbook\` lists runbooks.`;
  for (const key of Object.keys(given)) {
    if (!declared.includes(key)) {
      return { ok: false, message: `Runbook ${def.name} has no parameter "${key}".${didYouMeanSuffix(key, declared)}${declared.length ? ` Parameters: ${declared.join(', ')}.` : ' It takes none.'}`, hint };
    }
  }
  const values: Record<string, string> = {};
  for (const [key, p] of Object.entries(def.file.params)) {
    const value = given[key] ?? (p.default === undefined ? undefined : String(p.default));
    if (value === undefined) return { ok: false, message: `Runbook ${def.name} needs ${key}=… (${p.description.replace(/\.$/, '')}).`, hint };
    const why = valueProblem(p.type, value);
    if (why) return { ok: false, message: `${key}=${JSON.stringify(value)} ${why}.`, hint };
    values[key] = value;
  }
  const { steps, problems } = buildSteps(def.file, values, checkRun);
  if (problems.length) {
    const p = problems[0]!;
    const step = typeof p.path[1] === 'number' ? `Step ${p.path[1] + 1}` : 'A step';
    return { ok: false, message: `${step} of ${def.name} cannot run with these values: ${p.message}`, hint };
  }
  return { ok: true, instance: RunbookInstanceSchema.parse({ v: 1, name: def.name, description: def.description, source: def.source, params: values, steps }) };
}
