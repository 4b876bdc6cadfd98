import type { Plan, PlanWarning } from '../../core/plan.js';
import { context, section, type Block } from './blocks.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';

const SEVERITY_ICON: Record<PlanWarning['severity'], string> = { danger: ':rotating_light:', warning: ':warning:', info: ':information_source:' };

/** Names a list, capped so a 200-pod drain still fits one section. */
function listed(items: string[], max = 12): string {
  const shown = items.slice(0, max).map((i) => `\`${escapeMrkdwn(i)}\``).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/**
 * A plan as an on-call engineer reads it: the summary, the warnings first (worst first), what
 * will change grouped by owner, and what is deliberately left alone.
 */
export function planBlocks(plan: Plan, options: { drift?: { added: string[]; removed: string[] }; /** The job ran: its own lists say what changed, so only the warnings remain. */ ran?: boolean } = {}): Block[] {
  const blocks: Block[] = [section(`*Plan:* ${escapeMrkdwn(plan.summary)}`)];
  if (options.drift) {
    const lines = [
      ':twisted_rightwards_arrows: *The cluster changed since the last approval.* This plan differs:',
      ...options.drift.added.slice(0, 15).map((a) => `+ ${escapeMrkdwn(a)}`),
      ...options.drift.removed.slice(0, 15).map((r) => `− ${escapeMrkdwn(r)}`),
    ];
    blocks.push(section(lines.join('\n')));
  }
  if (plan.refusal) {
    const { message, flag, overrides = [] } = plan.refusal;
    const adds = overrides.map((o) => `\`${escapeMrkdwn(o.flag)}\` adds ${o.adds.length ? listed(o.adds, 6) : 'no pod'}`).join('; ');
    blocks.push(section(`:no_entry: *Cannot run as asked:* ${escapeMrkdwn(message)}${flag ? `\nAdd \`${escapeMrkdwn(flag)}\` to override, if you are sure${adds ? `: ${adds}` : ''}.` : ''}`));
  }
  const order = { danger: 0, warning: 1, info: 2 } as const;
  const warnings = [...plan.warnings].sort((a, b) => order[a.severity] - order[b.severity]);
  if (warnings.length) {
    const text = warnings.map((w) => `${SEVERITY_ICON[w.severity]} ${escapeMrkdwn(w.message)}${w.objects.length ? `\n      ${listed(w.objects, 6)}` : ''}`).join('\n');
    blocks.push(section(`*Warnings (${warnings.length})*\n${text}`));
  }
  if (options.ran) return blocks;
  // What the approver sees of the cluster now (budgets, replica counts): checked again before it runs.
  const facts = Object.entries(plan.facts);
  if (facts.length && !plan.refusal) blocks.push(context(`Now, checked again before it runs: ${facts.map(([k, v]) => `${escapeMrkdwn(k)}: *${escapeMrkdwn(String(v))}*`).join(' · ')}`));
  if (plan.actions.length) {
    const byGroup = new Map<string, string[]>();
    for (const a of plan.actions) {
      const group = a.owner ? `${a.kind} · ${a.owner}` : a.kind;
      byGroup.set(group, [...(byGroup.get(group) ?? []), a.target]);
    }
    const lines = [...byGroup].slice(0, 20).map(([group, targets]) => `• *${escapeMrkdwn(group)}* (${targets.length}): ${listed(targets, 8)}`);
    if (byGroup.size > 20) lines.push(`…and ${byGroup.size - 20} more groups`);
    blocks.push(section(`*${plan.refusal ? 'Would change, if overridden' : 'Will change'} (${plan.actions.length})*\n${lines.join('\n')}`));
  } else if (!plan.refusal) {
    blocks.push(section('*Will change:* nothing; the cluster is already as asked.'));
  }
  if (plan.skipped.length) {
    const byReason = new Map<string, string[]>();
    for (const s of plan.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.target]);
    blocks.push(context(`Left alone: ${[...byReason].map(([reason, targets]) => `${targets.length} ${escapeMrkdwn(reason)}`).join(' · ')}`));
  }
  return blocks;
}

/** Whether the plan carries warnings worth a confirm dialog before approving. */
export function planNeedsConfirm(plan: Plan): boolean {
  return plan.warnings.some((w) => w.severity !== 'info');
}
