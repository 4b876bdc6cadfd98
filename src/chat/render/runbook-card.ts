import type { ApprovalRecord } from '../../approval/index.js';
import { formatDuration } from '../../core/duration.js';
import type { Plan } from '../../core/plan.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { StepStatus, type RequestRecord, type StepRecord } from '../../requests/index.js';
import { PlanTime, procedureOf, type RunbookInstance, type RunbookStep } from '../../runbooks/index.js';
import { actions, button, context, divider, section, type Block } from './blocks.js';
import { CardAction } from './operation-card.js';
import { planBlocks, planNeedsConfirm } from './plan-blocks.js';
import { blockIdShowing } from './shown-plan.js';
import { progressBar, requestContext, workerLostText } from './request-card.js';

const time = (ms: number) => new Date(ms).toISOString().slice(11, 16) + ' UTC';

const STEP_ICON: Record<string, string> = {
  [StepStatus.Done]: ':white_check_mark:',
  [StepStatus.Skipped]: ':fast_forward:',
  [StepStatus.Failed]: ':x:',
  [StepStatus.Running]: ':arrows_counterclockwise:',
  [StepStatus.Reached]: ':arrows_counterclockwise:',
  [StepStatus.Planning]: ':mag:',
  [StepStatus.Checking]: ':mag:',
  [StepStatus.AwaitingManual]: ':raised_hand:',
  [StepStatus.AwaitingApproval]: ':raising_hand:',
  [StepStatus.AwaitingConfirmation]: ':raising_hand:',
  [StepStatus.Pending]: ':white_circle:',
};

/** What kind of step it is, for people: the command, or `manual:`, `wait:`, `note:`. */
function stepText(step: RunbookStep): string {
  if (step.kind === 'run') return `\`${escapeMrkdwn(step.text)}\``;
  if (step.kind === 'wait') return escapeMrkdwn(step.text);
  return `${step.kind}: ${escapeMrkdwn(step.text)}`;
}

/** At most a few warnings of a step's plan, worst first, each on its own line. */
function warningLines(plan: Plan, max = 3): string[] {
  const order = { danger: 0, warning: 1, info: 2 } as const;
  const icon = { danger: ':rotating_light:', warning: ':warning:', info: ':information_source:' } as const;
  const ws = [...plan.warnings].sort((a, b) => order[a.severity] - order[b.severity]);
  return [...ws.slice(0, max).map((w) => `      ${icon[w.severity]} ${escapeMrkdwn(w.message)}`), ...(ws.length > max ? [`      …and ${ws.length - max} more warning(s)`] : [])];
}

/** What the card says under a step before the runbook runs: its plan now, or when it will be planned. */
function plannedDetail(step: RunbookStep, r: StepRecord | undefined): string[] {
  if (step.kind === 'manual') return ['      a person does this, then presses Done'];
  if (step.kind === 'note') return ['      goes on the incident timeline'];
  const plan = r?.plan;
  if (step.kind === 'run' && step.if && r?.holds === false) return [`      skipped unless it holds when reached (now: ${escapeMrkdwn(r.seen ?? '')}); then planned and asked again if it has warnings`];
  if (!plan) return step.kind === 'run' && step.plan === PlanTime.WhenReached ? ['      planned when reached; runs without asking again only if that plan carries no warnings'] : [];
  const ifLine = step.kind === 'run' && step.if ? [`      runs only if it still holds when reached (now: ${escapeMrkdwn(r?.seen ?? '')})`] : [];
  return [`      ${escapeMrkdwn(plan.summary)}`, ...ifLine, ...warningLines(plan)];
}

/** What the card says under a step once the runbook runs. */
function runningDetail(record: RequestRecord, i: number, step: RunbookStep, r: StepRecord | undefined, now: number): string[] {
  const cursor = record.cursor;
  const here = cursor?.index === i && record.state === 'running';
  const status = here ? cursor.status : (r?.status ?? StepStatus.Pending);
  const lines: string[] = [];
  if (status === StepStatus.Done) {
    // A job's result says how long it took; a manual step or a wait does not.
    const took = r?.startedAt && r.endedAt && step.kind !== 'run' && step.kind !== 'note' ? ` (${formatDuration(r.endedAt - r.startedAt)})` : '';
    lines.push(`      ${r?.doneBy ? `done by <@${r.doneBy}>` : escapeMrkdwn(r?.result?.title ?? r?.note ?? 'done')}${took}`);
  } else if (status === StepStatus.Skipped) {
    lines.push(`      skipped: ${escapeMrkdwn(r?.note ?? 'its condition did not hold')}`);
  } else if (status === StepStatus.Failed) {
    lines.push(`      failed: ${escapeMrkdwn(r?.failure?.message ?? r?.result?.title ?? 'see below')}`);
  } else if (here && status === StepStatus.Running) {
    const p = record.stepProgress;
    const since = record.stepStartedAt ? ` · ${formatDuration(now - record.stepStartedAt)}` : '';
    lines.push(`      ${p ? escapeMrkdwn(p.message) : 'started'}${since}`);
    if (record.workerLost) lines.push(`      ${workerLostText(record.workerLost)}`);
    if (p && p.total > 0) lines.push(`      ${progressBar(p.done, p.total)} ${p.done}/${p.total}`);
    for (const b of (p?.blocked ?? []).slice(0, 3)) lines.push(`      :raised_hand: ${escapeMrkdwn(b.target)}: ${escapeMrkdwn(b.reason)}`);
  } else if (here && (status === StepStatus.Planning || status === StepStatus.Checking)) {
    lines.push(`      ${status === StepStatus.Checking ? 'reading its condition' : 'planning it again'} before it runs…`);
  } else if (here && status === StepStatus.AwaitingManual) {
    lines.push('      *waiting for someone to do this and press Done*');
  } else if (here && (status === StepStatus.AwaitingApproval || status === StepStatus.AwaitingConfirmation)) {
    lines.push(`      *stopped: ${r?.drift ? 'the cluster changed since it was approved' : 'planned only now, with warnings'}; needs approval again (below)*`);
  } else if (step.kind === 'run' && !r?.plan) {
    lines.push('      planned when reached');
  }
  return lines;
}

function stepLines(record: RequestRecord, procedure: RunbookInstance, now: number): string[] {
  const started = record.cursor !== undefined;
  return procedure.steps.map((step, i) => {
    const r = record.steps?.[i];
    const status = record.cursor?.index === i && record.state === 'running' ? record.cursor.status : (r?.status ?? StepStatus.Pending);
    const icon = started ? (STEP_ICON[status] ?? ':white_circle:') : ':white_circle:';
    const head = `${icon} *${i + 1}.* ${stepText(step)}`;
    return [head, ...(started ? runningDetail(record, i, step, r, now) : plannedDetail(step, r))].join('\n');
  });
}

/** The card's first line: where the runbook as a whole is. */
function headline(record: RequestRecord, procedure: RunbookInstance, approval: ApprovalRecord | undefined, now: number): { text: string; line: string } {
  const name = `runbook ${procedure.name}`;
  const total = procedure.steps.length;
  const res = record.result;
  if (res) {
    const icon = res.ok ? ':white_check_mark: *Done*' : record.state === 'cancelled' ? ':wastebasket: *Cancelled*' : record.state === 'rejected' ? ':no_entry_sign: *Stopped*' : record.state === 'expired' ? ':hourglass: *Stopped*' : ':x: *Stopped*';
    const by = record.state === 'cancelled' && record.cancel ? ` (cancel pressed by <@${record.cancel.by}>)` : '';
    return { text: `${res.ok ? 'Done' : 'Stopped'}: ${res.title}`, line: `${icon} · ${escapeMrkdwn(res.title)}${by}` };
  }
  if (record.plan?.refusal) return { text: `Refused: ${name}`, line: `:no_entry: *Refused* · ${escapeMrkdwn(record.plan.refusal.message)} Nothing was changed.` };
  if (record.failure) return { text: `Failed: ${record.failure.message}`, line: `:x: *Failed*: ${escapeMrkdwn(record.failure.message)}` };
  if (!record.plan) return { text: `Planning ${name}…`, line: `:mag: *Planning* ${name}: reading the cluster for each step (nothing changes yet)…` };
  if (approval?.state === 'pending' && record.approvalId === approval.id) {
    return { text: `Approval needed: ${name}`, line: `:raising_hand: *Approval needed* for the whole runbook · ${approval.approverDescription} · expires ${time(approval.expiresAt)} (in ${formatDuration(Math.max(0, approval.expiresAt - now))})` };
  }
  if (approval && approval.state !== 'approved' && record.approvalId === approval.id) {
    const by = approval.endedBy ? ` by <@${approval.endedBy}>` : '';
    return { text: `${approval.state}: ${name}`, line: `*${approval.state[0]!.toUpperCase()}${approval.state.slice(1)}*${by}. Nothing was changed.` };
  }
  if (record.state === 'awaiting-confirmation') return { text: `Confirm: ${name}`, line: `:point_right: *Confirm to run* · no approval needed by policy; only <@${record.request.userId}> can run it.` };
  const at = record.cursor ? Math.min(record.cursor.index + 1, total) : 1;
  const elapsed = record.startedAt ? ` · ${formatDuration(now - record.startedAt)}` : '';
  const cancelling = record.cancel ? `\n:wastebasket: Cancel requested by <@${record.cancel.by}>: stops when step ${at} ends.` : '';
  return { text: `Running: ${name}, step ${at} of ${total}`, line: `:arrows_counterclockwise: *Running* ${name} · step ${at} of ${total}${elapsed}${cancelling}` };
}

/**
 * The one message of a runbook, through its whole life: the plan of every step before approval
 * (which steps are planned now, which when reached, each step's warnings), then the step list
 * with each step's progress, a step stopped for a new approval with what changed, the manual
 * step's Done button, Cancel, and at the end what state the cluster was left in.
 * `approvals` holds the runbook's approval and the approval of the step asked again, if any.
 */
export function renderRunbookCard(record: RequestRecord, approvals: ReadonlyMap<string, ApprovalRecord>, now: number): { text: string; blocks: Block[]; needsFile: boolean } {
  const procedure = procedureOf(record.request.args)!;
  const r = record.request;
  const approval = record.approvalId ? approvals.get(record.approvalId) : undefined;
  const { text, line } = headline(record, procedure, approval, now);
  const blocks: Block[] = [section(line)];
  const params = Object.entries(procedure.params).map(([k, v]) => `${k}=${v}`).join(' ');
  blocks.push(context(`:clipboard: Runbook *${escapeMrkdwn(procedure.name)}*${params ? ` (${escapeMrkdwn(params)})` : ''} from ${escapeMrkdwn(procedure.source)}: ${escapeMrkdwn(procedure.description)}`));
  if (record.result?.text) blocks.push(section(record.result.text));
  if (record.failure?.hint) blocks.push(context(`:point_right: ${escapeMrkdwn(record.failure.hint)}`));
  if (approval?.approvals.length) blocks.push(context(approval.approvals.map((a) => `:white_check_mark: approved by <@${a.userId}> at ${time(a.at)}`).join(' · ')));
  else if (record.confirmedBy) blocks.push(context(`:white_check_mark: confirmed by <@${record.confirmedBy}>`));

  blocks.push(divider());
  // One section per step keeps each within Slack's section limit; capBlocks trims past 50.
  for (const l of stepLines(record, procedure, now)) blocks.push(section(l));
  if (!record.cursor && record.plan && !record.result && !record.plan.refusal) {
    blocks.push(context('Every step that changes the cluster is planned again just before it runs: if the cluster changed from what is approved here, sitrep stops and asks again. Cancel stops at the next step boundary.'));
  }

  const cursor = record.cursor;
  const current = cursor && record.state === 'running' ? record.steps?.[cursor.index] : undefined;
  const stepApproval = current?.approvalId ? approvals.get(current.approvalId) : undefined;
  if (cursor && current && (cursor.status === StepStatus.AwaitingApproval || cursor.status === StepStatus.AwaitingConfirmation) && current.freshPlan) {
    blocks.push(divider(), section(`*Step ${cursor.index + 1} asks again:* ${stepApproval?.state === 'pending' ? stepApproval.approverDescription : `<@${r.userId}> runs it`}`));
    blocks.push(...planBlocks(current.freshPlan, current.drift ? { drift: current.drift } : {}).blocks);
  }

  const buttons: Block[] = [];
  if (approval?.state === 'pending' && record.approvalId === approval.id && !record.cursor) {
    // Fencing a node that still runs corrupts data: its approver confirms the machine is off.
    const fences = procedure.steps.flatMap((s, i) => (s.kind === 'run' && s.verb === 'fence' ? [`step ${i + 1} fences ${String(s.args.node)}: approve only if that machine is powered off`] : []));
    const warned = approval.plan.warnings.filter((w) => w.severity !== 'info').length;
    const confirm = planNeedsConfirm(approval.plan) || fences.length
      ? { title: 'Approve the whole runbook?', text: [...fences.map((f) => `${f[0]!.toUpperCase()}${f.slice(1)}.`), warned ? `Its steps carry ${warned} warning(s). Read them before approving.` : ''].filter(Boolean).join(' '), confirm: 'Approve', deny: 'Back', style: 'danger' as const }
      : undefined;
    buttons.push(
      button({ actionId: CardAction.Approve, text: 'Approve', value: approval.id, style: 'primary', confirm }),
      button({ actionId: CardAction.Reject, text: 'Reject', value: approval.id, style: 'danger' }),
      button({ actionId: CardAction.Cancel, text: 'Cancel (requester)', value: approval.id }),
    );
  } else if (record.state === 'awaiting-confirmation' && !record.cursor) {
    buttons.push(button({ actionId: CardAction.Confirm, text: 'Run', value: r.id, style: 'primary', confirm: record.plan && planNeedsConfirm(record.plan) ? { title: 'Run despite warnings?', text: 'Its steps carry warnings. Read them first.', confirm: 'Run', deny: 'Back', style: 'danger' } : undefined }));
  } else if (cursor && record.state === 'running') {
    if (cursor.status === StepStatus.AwaitingManual) buttons.push(button({ actionId: CardAction.StepDone, text: `Done: step ${cursor.index + 1}`, value: `${r.id}#${cursor.index}`, style: 'primary' }));
    if (cursor.status === StepStatus.AwaitingApproval && stepApproval?.state === 'pending') {
      buttons.push(
        button({ actionId: CardAction.Approve, text: `Approve step ${cursor.index + 1}`, value: stepApproval.id, style: 'primary', confirm: planNeedsConfirm(stepApproval.plan) ? { title: 'Approve this step?', text: 'Its new plan carries warnings. Read them before approving.', confirm: 'Approve', deny: 'Back', style: 'danger' } : undefined }),
        button({ actionId: CardAction.Reject, text: 'Reject', value: stepApproval.id, style: 'danger' }),
      );
    }
    if (cursor.status === StepStatus.AwaitingConfirmation) buttons.push(button({ actionId: CardAction.StepRun, text: `Run step ${cursor.index + 1}`, value: `${r.id}#${cursor.index}`, style: 'primary' }));
    if (!record.cancel) {
      buttons.push(button({ actionId: CardAction.CancelRunbook, text: 'Cancel runbook', value: r.id, confirm: { title: 'Cancel the runbook?', text: 'It stops at the next step boundary: a step that is running finishes first. The card then says what state the cluster was left in.', confirm: 'Cancel runbook', deny: 'Back', style: 'danger' } }));
    }
  }
  // The plan the buttons decide on: the step's fresh one when a step asks again, else the runbook's.
  const shownPlan = cursor ? current?.freshPlan : (record.plan ?? approval?.plan);
  if (buttons.length) blocks.push(actions(blockIdShowing(`runbook:${r.id}:${cursor ? `${cursor.index}:${cursor.status}` : 'plan'}`, shownPlan?.fingerprint), buttons));

  if (record.result && (record.result.changed.length || record.result.unchanged.length)) {
    blocks.push(divider());
    if (record.result.changed.length) blocks.push(section(`*Changed*\n${record.result.changed.slice(0, 30).map((c) => `• ${escapeMrkdwn(c)}`).join('\n')}`));
    if (record.result.unchanged.length) blocks.push(section(`*Not done*\n${record.result.unchanged.slice(0, 30).map((c) => `• ${escapeMrkdwn(c)}`).join('\n')}`));
  }
  if (record.concurrent?.length && !record.result) {
    blocks.push(context(`:warning: Also pending or running in cluster *${escapeMrkdwn(r.cluster)}*: ${record.concurrent.map((c) => `\`${escapeMrkdwn(c.text)}\` by <@${c.userId}> (${escapeMrkdwn(c.state)})`).join(' · ')}`));
  }
  blocks.push(requestContext(record));
  return { text, blocks, needsFile: false };
}
