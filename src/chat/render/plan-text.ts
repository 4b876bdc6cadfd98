import type { Plan } from '../../core/plan.js';
import { actionGroups, sortedWarnings } from './plan-blocks.js';

/**
 * The whole plan as plain text, for the file sitrep uploads beside a card whose lists were
 * shortened: every warning with every object, every action with its target and detail, and
 * everything left alone. A text file, so nothing in it is escaped or formatted.
 */
export function planText(plan: Plan, command: string): string {
  const out: string[] = [`Plan for ${command}`, `Cluster: ${plan.cluster}`, `Target: ${plan.target}`, `Summary: ${plan.summary}`, ''];
  if (plan.refusal) out.push(`Cannot run as asked: ${plan.refusal.message}${plan.refusal.flag ? ` (override: ${plan.refusal.flag})` : ''}`, '');
  const warnings = sortedWarnings(plan);
  out.push(`Warnings (${warnings.length})`);
  for (const w of warnings) {
    out.push(`  [${w.severity}] ${w.code}: ${w.message}`);
    for (const o of w.objects) out.push(`      ${o}`);
  }
  out.push('', `${plan.refusal ? 'Would change, if overridden' : 'Will change'} (${plan.actions.length})`);
  for (const [group, targets] of actionGroups(plan)) {
    out.push(`  ${group} (${targets.length})`);
    for (const t of targets) out.push(`      ${t}`);
  }
  for (const a of plan.actions) if (a.detail) out.push(`  ${a.kind} ${a.target}: ${a.detail}`);
  out.push('', `Left alone (${plan.skipped.length})`);
  for (const s of plan.skipped) out.push(`  ${s.target}: ${s.reason}`);
  out.push('', `Fingerprint: ${plan.fingerprint}`);
  return `${out.join('\n')}\n`;
}
