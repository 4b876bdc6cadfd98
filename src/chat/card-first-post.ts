import { ErrorCode, UnavailableError } from '../core/errors.js';
import type { BotServices } from './bot-services.js';
import { isPermanentSlackError, slackErrorOf } from './message-poster.js';

/**
 * Posts a request's card before its job is queued. A channel sitrep cannot post in fails the
 * request with what to do; a transient Slack failure leaves the card to the poster's retries.
 */
export async function postFirstCard(services: BotServices, requestId: string, what: string): Promise<void> {
  try {
    await services.poster.postFirst(requestId);
  } catch (err) {
    const code = slackErrorOf(err);
    if (code === 'not_in_channel' || code === 'channel_not_found') {
      throw new UnavailableError(ErrorCode.SlackApi, `sitrep cannot post in this channel (${code}), so it did not run \`${what}\`.`, {
        cause: err,
        hint: 'Invite it with `/invite @sitrep`, then run the command again. Nothing was queued or changed.',
      });
    }
    if (isPermanentSlackError(err)) throw new UnavailableError(ErrorCode.SlackApi, `Slack refused sitrep's message (${code}); nothing was queued or changed.`, { cause: err });
    // A transient failure (Slack 5xx, network): go on; the poster retries the message with the latest state.
    services.logger.warn({ err, requestId }, 'first post failed; the poster will retry');
    services.poster.schedule(requestId);
  }
}
