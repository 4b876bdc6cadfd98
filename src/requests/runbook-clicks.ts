import { procedureOf } from '../runbooks/index.js';
import type { ApprovalSteps, ClickReply } from './approval-steps.js';
import type { ClickContext } from './click.js';
import type { RequestDeps } from './deps.js';
import { approversNow, evaluatePolicy } from './policy-check.js';
import { requestTarget } from './audit-log.js';
import type { RequestRecord } from './request-store.js';
import type { RunbookSteps } from './runbook-steps.js';

/**
 * The buttons of a running runbook's card: Done on a manual step, Run on a step asked again when
 * the policy needs no approver, and Cancel. Each is taken only from the runbook's own card, and
 * only from its requester or someone who approved it or may approve it under the policy now.
 */
export class RunbookClicks {
  constructor(private readonly deps: RequestDeps, private readonly approvals: ApprovalSteps, private readonly steps: RunbookSteps) {}

  /** Whether this person may act on the runbook's steps: its requester, or one of its approvers. */
  private async mayAct(record: RequestRecord, userId: string): Promise<boolean> {
    if (record.request.userId === userId) return true;
    const approval = record.approvalId ? await this.deps.approvals.get(record.approvalId) : undefined;
    if (approval?.approvals.some((v) => v.userId === userId)) return true;
    const decision = await evaluatePolicy(this.deps, record.request);
    if (!decision.allowed || decision.approvals === 0) return false;
    const spec = approversNow(decision);
    if (spec === '*') return decision.namedApprovers.includes(userId) || !(await this.deps.isGuest(userId));
    return spec.includes(userId);
  }

  /** One audit line per click on a runbook's card: who pressed what, and what came of it. */
  private clicked(record: RequestRecord, userId: string, outcome: string, detail: string): void {
    const r = record.request;
    this.deps.audit.line({ requestId: r.id, user: userId, verb: r.verb, target: requestTarget(r), cluster: r.cluster, outcome, detail });
  }

  private async load(requestId: string, click: ClickContext, what: string): Promise<{ record: RequestRecord } | { reply: ClickReply }> {
    const record = await this.deps.store.get(requestId);
    if (!record || !procedureOf(record.request.args)) return { reply: 'This runbook is no longer known to sitrep.' };
    const foreign = await this.approvals.checkPlace(click, record);
    if (foreign) return { reply: foreign };
    if (!(await this.mayAct(record, click.userId))) {
      this.clicked(record, click.userId, 'refused', `${what}: neither its requester nor one of its approvers`);
      return { reply: `Only <@${record.request.userId}>, who started this runbook, or one of its approvers can do that.` };
    }
    return { record };
  }

  /** `value` is `<request id>#<step index>`, as the card's Done button carries it. */
  async done(value: string, click: ClickContext): Promise<ClickReply> {
    const [requestId, index] = splitValue(value);
    const loaded = await this.load(requestId, click, 'done');
    if ('reply' in loaded) return loaded.reply;
    if (index === undefined || !(await this.steps.manualDone(loaded.record, index, click.userId))) return 'That step is not waiting for anyone any more; the card shows where the runbook is.';
    this.clicked(loaded.record, click.userId, 'step-done', `step ${index + 1}`);
    return undefined;
  }

  /** Run on a step asked again when the policy needs no approver: the requester's only. */
  async run(value: string, click: ClickContext): Promise<ClickReply> {
    const [requestId, index] = splitValue(value);
    const loaded = await this.load(requestId, click, 'run step');
    if ('reply' in loaded) return loaded.reply;
    if (loaded.record.request.userId !== click.userId) return `Only <@${loaded.record.request.userId}>, who started this runbook, can run this step.`;
    const asked = loaded.record.cursor ? loaded.record.steps?.[loaded.record.cursor.index]?.freshPlan : undefined;
    const stale = asked && (await this.approvals.staleCard(loaded.record, click, asked.fingerprint));
    if (stale) return stale;
    if (!(await this.steps.stepConfirmed(loaded.record, click.userId))) return 'That step is not waiting to be run any more.';
    this.clicked(loaded.record, click.userId, 'run', `step ${(index ?? 0) + 1}`);
    return undefined;
  }

  async cancel(requestId: string, click: ClickContext): Promise<ClickReply> {
    const loaded = await this.load(requestId, click, 'cancel');
    if ('reply' in loaded) return loaded.reply;
    const outcome = await this.steps.cancel(loaded.record, click.userId);
    if (outcome === 'ended') return 'This runbook has already ended.';
    this.clicked(loaded.record, click.userId, 'cancel', outcome === 'stopped' ? 'stopped at a step boundary' : 'stops when the running step ends');
    return outcome === 'at-boundary' ? 'Cancelling: the runbook stops when the step running now ends. The card will say what state the cluster was left in.' : undefined;
  }
}

/** `req_x#3` → [`req_x`, 3]. */
function splitValue(value: string): [string, number | undefined] {
  const hash = value.lastIndexOf('#');
  if (hash < 0) return [value, undefined];
  const n = Number(value.slice(hash + 1));
  return [value.slice(0, hash), Number.isInteger(n) && n >= 0 ? n : undefined];
}
