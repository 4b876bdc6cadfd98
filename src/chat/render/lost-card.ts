import { escapeMrkdwn } from '../../core/text/index.js';
import type { OpenCard } from '../open-cards.js';
import { section, type Block } from './blocks.js';

/** The words a card ends with when Redis came back without its request. */
export const LOST_LINE = 'lost when Redis restarted; nothing more will run';

/**
 * The last state of a card whose request Redis lost: what was asked, by whom, that it is gone and
 * nothing more of it will run, and what to do. A request that was running may have done part of
 * its work; the card says so, since only the cluster knows how much.
 */
export function renderLostCard(card: OpenCard): { text: string; blocks: Block[] } {
  const wasRunning = card.state === 'running' || card.state === 'approved';
  const what = `\`${escapeMrkdwn(card.command)}\` by <@${card.userId}>`;
  const head = `:x: ${what}: ${LOST_LINE}.`;
  const next = wasRunning
    ? 'It was running: steps done before Redis restarted stay done (check the cluster, e.g. `/k8s get nodes`). Run the command again to finish it: a new plan and approval show what is left.'
    : 'Run the command again if it is still needed.';
  return { text: `${what}: ${LOST_LINE}.`, blocks: [section(head), section(next)] };
}
