import type { BotServices } from './bot-services.js';
import { renderLostCard } from './render/lost-card.js';

/**
 * After Redis came back empty: every card this bot showed for a request that had not ended, and
 * whose request Redis no longer knows, is edited to say the request was lost and nothing more of
 * it will run. Cards of requests Redis still has (it kept its data after all) are left alone.
 * Returns how many cards were told. A bot that restarted too has no memory of its cards: those
 * keep their last state (docs/operations.md, "Redis lost its data").
 */
export async function tellLostRequests(services: BotServices): Promise<number> {
  let told = 0;
  for (const card of services.openCards.list()) {
    if (await services.requests.get(card.requestId)) continue;
    try {
      await services.client.chat.update({ channel: card.channelId, ts: card.messageTs, ...renderLostCard(card) });
      services.openCards.forget(card.requestId);
      told++;
    } catch (err) {
      services.logger.warn({ err, requestId: card.requestId }, 'could not tell a card its request was lost');
    }
  }
  if (told) services.logger.warn({ cards: told }, 'Redis lost its data: told the cards of requests it no longer has');
  return told;
}
