import type { Plan, PlanWarning } from '../../core/plan.js';
import { context, section, type Block } from './blocks.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';

const SEVERITY_ICON: Record<PlanWarning['severity'], string> = { danger: ':rotating_light:', warning: ':warning:', info: ':information_source:' };
const ORDER = { danger: 0, warning: 1, info: 2 } as const;

/** Warnings worst first, as both the card and the plan file list them. */
export function sortedWarnings(plan: Plan): PlanWarning[] {
  return [...plan.warnings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

/** Actions grouped by kind and owner (`evict · ReplicaSet/web-7d9f`), in plan order. */
export function actionGroups(plan: Plan): Map<string, string[]> {
  const byGroup = new Map<string, string[]>();
  for (const a of plan.actions) {
    const group = a.owner ? `${a.kind} · ${a.owner}` : a.kind;
    byGroup.set(group, [...(byGroup.get(group) ?? []), a.target]);
  }
  return byGroup;
}

/**
 * A plan as an on-call engineer reads it: the summary, the warnings first (worst first), what
 * will change grouped by owner, and what is deliberately left alone. Long lists are shortened
 * ("and 80 more groups"); `cut` then tells the caller to upload the whole plan (plan-text.ts)
 * in the thread, so an approver can read everything they approve.
 */
export function planBlocks(plan: Plan, options: { drift?: { added: string[]; removed: string[] }; /** The job ran: its own lists say what changed, so only the warnings remain. */ ran?: boolean } = {}): { blocks: Block[]; cut: boolean } {
  let cut = false;
  const listed = (items: string[], max: number): string => {
    const shown = items.slice(0, max).map((i) => `\`${escapeMrkdwn(i)}\``).join(', ');
    if (items.length <= max) return shown;
    cut = true;
    return `${shown} and ${items.length - max} more`;
  };
  const blocks: Block[] = [section(`*Plan:* ${escapeMrkdwn(plan.summary)}`)];
  if (options.drift) {
    const { added, removed } = options.drift;
    if (added.length > 15 || removed.length > 15) cut = true;
    const lines = [
      ':twisted_rightwards_arrows: *The cluster changed since the last approval.* This plan differs:',
      ...added.slice(0, 15).map((a) => `+ ${escapeMrkdwn(a)}`),
      ...removed.slice(0, 15).map((r) => `− ${escapeMrkdwn(r)}`),
    ];
    blocks.push(section(lines.join('\n')));
  }
  if (plan.refusal) {
    const { message, flag, overrides = [] } = plan.refusal;
    const adds = overrides.map((o) => `\`${escapeMrkdwn(o.flag)}\` adds ${o.adds.length ? listed(o.adds, 6) : 'no pod'}`).join('; ');
    blocks.push(section(`:no_entry: *Cannot run as asked:* ${escapeMrkdwn(message)}${flag ? `\nAdd \`${escapeMrkdwn(flag)}\` to override, if you are sure${adds ? `: ${adds}` : ''}.` : ''}`));
  }
  const warnings = sortedWarnings(plan);
  if (warnings.length) {
    const text = warnings.map((w) => `${SEVERITY_ICON[w.severity]} ${escapeMrkdwn(w.message)}${w.objects.length ? `\n      ${listed(w.objects, 6)}` : ''}`).join('\n');
    blocks.push(section(`*Warnings (${warnings.length})*\n${text}`));
  }
  if (!options.ran) {
    // What the approver sees of the cluster now (budgets, replica counts): checked again before it runs.
    const facts = Object.entries(plan.facts);
    if (facts.length && !plan.refusal) blocks.push(context(`Now, checked again before it runs: ${facts.map(([k, v]) => `${escapeMrkdwn(k)}: *${escapeMrkdwn(String(v))}*`).join(' · ')}`));
    if (plan.actions.length) {
      const byGroup = actionGroups(plan);
      const lines = [...byGroup].slice(0, 20).map(([group, targets]) => `• *${escapeMrkdwn(group)}* (${targets.length}): ${listed(targets, 8)}`);
      if (byGroup.size > 20) {
        cut = true;
        lines.push(`…and ${byGroup.size - 20} more groups`);
      }
      blocks.push(section(`*${plan.refusal ? 'Would change, if overridden' : 'Will change'} (${plan.actions.length})*\n${lines.join('\n')}`));
    } else if (!plan.refusal) {
      blocks.push(section('*Will change:* nothing; the cluster is already as asked.'));
    }
    if (plan.skipped.length) {
      const byReason = new Map<string, string[]>();
      for (const s of plan.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.target]);
      blocks.push(context(`Left alone: ${[...byReason].map(([reason, targets]) => `${targets.length} ${escapeMrkdwn(reason)}`).join(' · ')}`));
    }
  }
  if (cut) blocks.push(context('_Lists are shortened here; the whole plan is in the thread._'));
  return { blocks, cut };
}

/** Whether the plan carries warnings worth a confirm dialog before approving. */
export function planNeedsConfirm(plan: Plan): boolean {
  return plan.warnings.some((w) => w.severity !== 'info');
}
