import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { describeError, isExpectedFailure } from '../../core/errors.js';
import type { ClickReply } from '../../requests/index.js';
import type { BotServices } from '../bot-services.js';
import { CardAction } from '../render/operation-card.js';

type Respond = (message: object) => Promise<unknown>;

/**
 * The card's buttons: Approve, Reject, Cancel and Run, each acknowledged at once and handed to the
 * lifecycle's step; what the clicker alone needs to hear comes back privately.
 */
export function registerCardActions(app: App, services: BotServices): void {
  const onButton =
    (step: (value: string, userId: string) => Promise<ClickReply>) =>
    async ({ ack, body, action, respond }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction; respond: Respond }) => {
      await ack();
      try {
        const message = await step(action.value ?? '', body.user.id);
        if (message) await respond({ response_type: 'ephemeral', replace_original: false, text: message });
      } catch (err) {
        const d = describeError(err);
        // A refused click is the clicker's business (they are told); only a bug is a warning.
        services.logger[isExpectedFailure(err) ? 'info' : 'warn']({ err, code: d.code }, 'button click failed');
        await respond({ response_type: 'ephemeral', replace_original: false, text: `:x: ${d.message}${d.hint ? `\n${d.hint}` : ''}` }).catch(() => {});
      }
    };
  const { lifecycle } = services;
  app.action<BlockAction<ButtonAction>>(CardAction.Approve, onButton((v, u) => lifecycle.approve(v, u)));
  app.action<BlockAction<ButtonAction>>(CardAction.Reject, onButton((v, u) => lifecycle.end('reject', v, u)));
  app.action<BlockAction<ButtonAction>>(CardAction.Cancel, onButton((v, u) => lifecycle.end('cancel', v, u)));
  app.action<BlockAction<ButtonAction>>(CardAction.Confirm, onButton((v, u) => lifecycle.run(v, u)));
}
