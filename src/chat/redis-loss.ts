import { setTimeout as sleep } from 'node:timers/promises';
import type { BotServices } from './bot-services.js';
import type { OpenCard } from './open-cards.js';
import { untilWorkerLive } from '../queue/worker-registry.js';
import { renderLostCard } from './render/lost-card.js';

/**
 * How long the bot waits for the workers of the lost requests' clusters to be back before it tells
 * the cards, ms. A worker registers again the moment its Redis connection is ready, and checks its
 * jobs' locks at that same moment (queue/job-runner.ts), cutting the requests still in its HTTP
 * pool; a card told before that said "nothing more will run" while an eviction handed to the pool
 * just before Redis went away was still on its way (npm run chaos, redis-restart-empty: one 2 ms
 * after the card). A cluster whose worker does not come back is told after this long anyway.
 */
const WORKER_WAIT_MS = 3000;
/** Margin after a worker is back, ms: its lock checks are one GET each on a connection just made ready. */
const AFTER_WORKER_BACK_MS = 100;

/** Resolves once each cluster has a live worker again (plus a moment), or after `waitMs`. */
async function workersBack(services: BotServices, clusters: Set<string>, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  // A lookup that fails (Redis still settling) counts as none yet.
  for (const cluster of clusters) await untilWorkerLive(() => services.registry.live(cluster, services.clock.now()).catch(() => []), { until, now: Date.now, pollMs: 100 });
  await sleep(AFTER_WORKER_BACK_MS);
}

/**
 * After Redis came back empty: every card this bot showed for a request that had not ended, and
 * whose request Redis no longer knows, is edited to say the request was lost and nothing more of
 * it will run. Cards of requests Redis still has (it kept its data after all) are left alone.
 * Returns how many cards were told and how many are left to tell (their request could not be read,
 * or Slack refused the edit): the caller asks again until none is left. A bot that restarted too
 * has no memory of its cards: those keep their last state (docs/operations.md, "Redis lost its data").
 */
export async function tellLostRequests(services: BotServices, options: { workerWaitMs?: number } = {}): Promise<{ told: number; left: number }> {
  const lost: OpenCard[] = [];
  let left = 0;
  for (const card of services.openCards.list()) {
    const record = await services.requests.get(card.requestId).then(
      (r) => r ?? null,
      () => undefined,
    );
    if (record === undefined) left++; // Redis still settling: not known yet whether it was lost.
    else if (record === null) lost.push(card);
  }
  if (lost.length === 0) return { told: 0, left };
  await workersBack(services, new Set(lost.map((c) => c.cluster)), options.workerWaitMs ?? WORKER_WAIT_MS);
  let told = 0;
  for (const card of lost) {
    try {
      await services.client.chat.update({ channel: card.channelId, ts: card.messageTs, ...renderLostCard(card) });
      services.openCards.forget(card.requestId);
      told++;
    } catch (err) {
      left++;
      services.logger.warn({ err, requestId: card.requestId }, 'could not tell a card its request was lost; trying again at the next sweep');
    }
  }
  if (told) services.logger.warn({ cards: told }, 'Redis lost its data: told the cards of requests it no longer has');
  return { told, left };
}
