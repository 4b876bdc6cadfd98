import { CardAction } from '../../src/chat/render/operation-card.js';
import type { SlackMessage } from '../../src/console/index.js';
import type { Incident } from '../../src/incident/index.js';
import { waitForApproval, waitForMessage, waitForUpdate } from './cards.js';
import { setMinAvailable } from './cluster-edits.js';
import { eventually } from './eventually.js';
import { ALICE, BOB, OPS, type SharedRedis, type Stack } from './stack.js';

/** `/incident start "TITLE" --sev 3` by Alice in OPS, resolved once the incident is open. */
export async function openIncident(stack: Stack<SharedRedis>, title: string): Promise<Incident> {
  await stack.slash(`start "${title}" --sev 3`, { command: '/incident', user: ALICE });
  await waitForMessage(stack, new RegExp(title.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  return eventually(() => stack.bot.services.incidents.openIn(OPS), { what: 'the incident' });
}

/**
 * The maintenance scenario's drain of node02, asked by Alice and approved by Bob, running and held
 * by the web PodDisruptionBudget (minAvailable raised to 3, so it evicts the other pods and waits
 * on web's; its card shows :raised_hand:). `beforeApproval` runs between the card and the click.
 * Lower the budget to 2 to let it finish.
 */
export async function heldDrain(stack: Stack<SharedRedis>, beforeApproval?: () => Promise<unknown>): Promise<{ card: SlackMessage; approvalId: string }> {
  await setMinAvailable(stack.sandbox, 'shop', 'web', 3);
  await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
  const { card, approvalId } = await waitForApproval(stack, /drain node02/);
  await beforeApproval?.();
  await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
  await waitForUpdate(stack, card.ts, /:raised_hand:/, 60_000);
  return { card, approvalId };
}
