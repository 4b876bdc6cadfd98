import type { ApprovalRecord } from '../../approval/index.js';
import { formatDuration } from '../../core/duration.js';
import type { RequestRecord } from '../../requests/index.js';
import { actions, button, context, divider, section, type Block } from './blocks.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { escapeFallback } from '../../core/text/slack-fallback.js';
import { planBlocks, planNeedsConfirm } from './plan-blocks.js';
import { progressBar, requestContext, resultBlocks, workerLostLine } from './request-card.js';
import { blockIdShowing } from './shown-plan.js';

/** Action ids of the card's buttons; the value of each is only an opaque id (approval or request). */
export const CardAction = {
  Approve: 'sitrep_approve',
  Reject: 'sitrep_reject',
  Cancel: 'sitrep_cancel',
  Confirm: 'sitrep_confirm',
  /** A runbook's manual step is done (value `<request id>#<step>`). */
  StepDone: 'sitrep_step_done',
  /** Run a runbook step asked again when the policy needs no approver (value `<request id>#<step>`). */
  StepRun: 'sitrep_step_run',
  /** Stop a running runbook at its next step boundary (value: the request id). */
  CancelRunbook: 'sitrep_runbook_cancel',
} as const;

const time = (ms: number) => new Date(ms).toISOString().slice(11, 16) + ' UTC';

/**
 * The one message of a request that changes the cluster, through its whole life: planning, the
 * plan with its warnings, approvals, live progress, and the outcome. Rendered from Redis state
 * only; the buttons carry ids and nothing a click could forge. Text from the cluster or a person
 * is escaped in every field, the fallback `text` included; sitrep's own mentions are written
 * here from checked ids. `cut` says what did not fit: the result, or the plan.
 */
export function renderOperationCard(record: RequestRecord, approval: ApprovalRecord | undefined, now: number): { text: string; blocks: Block[]; cut: { result: boolean; plan: boolean } } {
  const r = record.request;
  const what = `${r.verb} ${r.text.split(/\s+/).slice(1).join(' ')}`.trim();
  const whatText = escapeFallback(what);
  const blocks: Block[] = [];
  let text: string;
  const cut = { result: false, plan: false };
  const plan = record.plan;
  const pending = approval?.state === 'pending';
  const awaitingConfirm = !approval && plan && !plan.refusal && !record.confirmedBy && !record.failure && record.state === 'awaiting-confirmation';

  if (!plan && !record.failure) {
    text = `Planning ${whatText}…`;
    blocks.push(section(`:mag: *Planning* \`${escapeMrkdwn(what)}\`: reading the cluster (nothing changes yet)…`));
  } else if (plan?.refusal) {
    text = `Refused: ${escapeFallback(plan.refusal.message)}`;
    blocks.push(section(`:no_entry: *Refused* · \`${escapeMrkdwn(what)}\` would not run as asked; nothing was changed.`));
  } else if (record.result) {
    const res = record.result;
    text = `${res.ok ? 'Done' : 'Failed'}: ${escapeFallback(res.title)}`;
    blocks.push(section(`${res.ok ? ':white_check_mark: *Done*' : ':x: *Failed*'} · ${escapeMrkdwn(res.title)}`));
  } else if (record.failure) {
    text = `Failed: ${escapeFallback(record.failure.message)}`;
    blocks.push(section(`:x: *Failed*: ${escapeMrkdwn(record.failure.message)}`));
    if (record.failure.hint) blocks.push(context(`:point_right: ${escapeMrkdwn(record.failure.hint)}`));
  } else if (pending) {
    const left = Math.max(0, approval.expiresAt - now);
    text = `Approval needed: ${whatText}`;
    // approverDescription is written by the policy with Slack mentions (<@U…>): not user text, not escaped.
    blocks.push(section(`:raising_hand: *Approval needed* · ${approval.approverDescription} · expires ${time(approval.expiresAt)} (in ${formatDuration(left)})`));
  } else if (approval && approval.state !== 'approved') {
    const by = approval.endedBy ? ` by <@${approval.endedBy}>` : '';
    const labels: Record<string, string> = { rejected: ':no_entry_sign: *Rejected*', expired: ':hourglass: *Expired*', cancelled: ':wastebasket: *Cancelled*' };
    const label = labels[approval.state] ?? approval.state;
    text = `${approval.state}: ${whatText}`;
    blocks.push(section(`${label}${by}${approval.endedAt ? ` at ${time(approval.endedAt)}` : ''}${approval.reason ? `: ${escapeMrkdwn(approval.reason)}` : ''}. Nothing was changed.`));
  } else if (awaitingConfirm) {
    text = `Confirm: ${whatText}`;
    blocks.push(section(`:point_right: *Confirm to run* · no approval needed by policy; only <@${r.userId}> can run it.`));
  } else {
    const p = record.progress;
    text = `Running${record.workerLost ? ' (worker lost, resuming on another)' : ''}: ${whatText}`;
    const elapsed = record.startedAt ? ` · ${formatDuration(now - record.startedAt)}` : '';
    blocks.push(section(`:arrows_counterclockwise: *Running*${elapsed}${p ? `\n${escapeMrkdwn(p.message)}` : ''}`));
    if (record.workerLost) blocks.push(workerLostLine(record.workerLost));
    if (p && p.total > 0) blocks.push(context(`${progressBar(p.done, p.total)} ${p.done}/${p.total}`));
    for (const b of (p?.blocked ?? []).slice(0, 5)) blocks.push(context(`:raised_hand: ${escapeMrkdwn(b.target)}: ${escapeMrkdwn(b.reason)}`));
  }

  if (approval?.approvals.length) {
    blocks.push(context(approval.approvals.map((a) => `:white_check_mark: approved by <@${a.userId}> at ${time(a.at)}`).join(' · ')));
  } else if (record.confirmedBy) {
    blocks.push(context(`:white_check_mark: confirmed by <@${record.confirmedBy}>`));
  }

  if (record.result) {
    const shown = resultBlocks(record.result, { maxTableSections: 2 });
    blocks.push(...shown.blocks);
    cut.result = shown.cut;
  }

  if (record.concurrent?.length && !record.result) {
    const others = record.concurrent.map((c) => `\`${escapeMrkdwn(c.text)}\` by <@${c.userId}> (${escapeMrkdwn(c.state)})`);
    blocks.push(context(`:warning: Also pending or running in cluster *${escapeMrkdwn(r.cluster)}*: ${others.join(' · ')}`));
  }

  if (plan) {
    blocks.push(divider());
    // A dry run (or a plan with nothing to do) finishes without running: it keeps the plan's lists.
    const shown = planBlocks(plan, { drift: record.drift, ran: Boolean(record.result && record.startedAt) });
    blocks.push(...shown.blocks);
    cut.plan = shown.cut;
  }

  if (pending && approval) {
    const shown = plan ?? approval.plan;
    // A plan that names what the approver must confirm (fence: the machine is off) says so in the dialog.
    const confirm = shown.confirm
      ? { title: 'Confirm before approving', text: escapeMrkdwn(shown.confirm), confirm: 'Approve', deny: 'Back', style: 'danger' as const }
      : planNeedsConfirm(shown)
        ? {
            title: 'Approve despite warnings?',
            text: `This plan carries ${shown.warnings.filter((w) => w.severity !== 'info').length} warning(s). Read them before approving.`,
            confirm: 'Approve',
            deny: 'Back',
            style: 'danger' as const,
          }
        : undefined;
    blocks.push(
      actions(blockIdShowing(`approval:${approval.id}`, shown.fingerprint), [
        button({ actionId: CardAction.Approve, text: 'Approve', value: approval.id, style: 'primary', confirm }),
        button({ actionId: CardAction.Reject, text: 'Reject', value: approval.id, style: 'danger' }),
        button({ actionId: CardAction.Cancel, text: 'Cancel (requester)', value: approval.id }),
      ]),
    );
  } else if (awaitingConfirm && plan) {
    blocks.push(
      actions(blockIdShowing(`confirm:${r.id}`, plan.fingerprint), [
        button({
          actionId: CardAction.Confirm,
          text: 'Run',
          value: r.id,
          style: 'primary',
          confirm: plan.confirm
            ? { title: 'Confirm before running', text: escapeMrkdwn(plan.confirm), confirm: 'Run', deny: 'Back', style: 'danger' }
            : planNeedsConfirm(plan)
              ? { title: 'Run despite warnings?', text: 'This plan carries warnings. Read them first.', confirm: 'Run', deny: 'Back', style: 'danger' }
              : undefined,
        }),
      ]),
    );
  }
  blocks.push(requestContext(record));
  return { text, blocks, cut };
}
