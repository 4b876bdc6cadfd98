import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { withRequestDeadlines } from '../../core/deadline.js';
import { describeError, isExpectedFailure } from '../../core/errors.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { redisFailure, REQUEST_DEADLINE_MS } from '../../queue/redis-connection.js';
import { settledRespond } from '../respond-fetch.js';
import type { ClickContext, ClickReply } from '../../requests/index.js';
import type { BotServices } from '../bot-services.js';
import { CardAction } from '../render/operation-card.js';
import { shownPlanOf } from '../render/shown-plan.js';

type Respond = (message: object) => Promise<unknown>;

/** Where a click came from, and the plan its card showed, from Slack's block_actions payload. */
function clickOf(body: BlockAction, action: ButtonAction): ClickContext {
  const container = body.container as { channel_id?: string; message_ts?: string } | undefined;
  const shownPlan = shownPlanOf(action.block_id);
  return {
    ...(shownPlan ? { shownPlan } : {}),
    userId: body.user.id,
    ...(body.team?.id ? { teamId: body.team.id } : {}),
    ...(body.enterprise?.id ? { enterpriseId: body.enterprise.id } : {}),
    ...((body.channel?.id ?? container?.channel_id) ? { channelId: body.channel?.id ?? container?.channel_id } : {}),
    ...((container?.message_ts ?? body.message?.ts) ? { messageTs: container?.message_ts ?? body.message?.ts } : {}),
  };
}

/**
 * The card's buttons: Approve, Reject, Cancel and Run, and a runbook's Done, Run step and Cancel
 * runbook, each acknowledged at once and handed to the
 * lifecycle's step; what the clicker alone needs to hear comes back privately.
 */
export function registerCardActions(app: App, services: BotServices): void {
  const onButton =
    (step: (value: string, click: ClickContext) => Promise<ClickReply>) =>
    async ({ ack, body, action, respond: boltRespond }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction; respond: Respond }) => {
      await ack();
      const respond = settledRespond(boltRespond, services.logger, { action: action.action_id, userId: body.user.id });
      try {
        const message = await withRequestDeadlines(() => services.clock.now(), REQUEST_DEADLINE_MS, () => step(action.value ?? '', clickOf(body, action)));
        if (message) await respond({ response_type: 'ephemeral', replace_original: false, text: message });
      } catch (err) {
        const d = describeError(redisFailure(err, 'take your click now', 'Nothing was run. Your click may not have been counted: click again once Redis answers (each person counts once).') ?? err);
        // A refused click is the clicker's business (they are told); only a bug is a warning.
        services.logger[isExpectedFailure(err) ? 'info' : 'warn']({ err, code: d.code }, 'button click failed');
        await respond({ response_type: 'ephemeral', replace_original: false, text: `:x: ${escapeMrkdwn(d.message)}${d.hint ? `\n${d.hint}` : ''}` }).catch(() => {});
      }
    };
  const { lifecycle } = services;
  app.action<BlockAction<ButtonAction>>(CardAction.Approve, onButton((v, c) => lifecycle.approve(v, c)));
  app.action<BlockAction<ButtonAction>>(CardAction.Reject, onButton((v, c) => lifecycle.end('reject', v, c)));
  app.action<BlockAction<ButtonAction>>(CardAction.Cancel, onButton((v, c) => lifecycle.end('cancel', v, c)));
  app.action<BlockAction<ButtonAction>>(CardAction.Confirm, onButton((v, c) => lifecycle.run(v, c)));
  app.action<BlockAction<ButtonAction>>(CardAction.StepDone, onButton((v, c) => lifecycle.runbookStepDone(v, c)));
  app.action<BlockAction<ButtonAction>>(CardAction.StepRun, onButton((v, c) => lifecycle.runbookStepRun(v, c)));
  app.action<BlockAction<ButtonAction>>(CardAction.CancelRunbook, onButton((v, c) => lifecycle.cancelRunbook(v, c)));
}
