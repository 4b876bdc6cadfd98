/**
 * Where a button click came from, as Slack's block_actions payload says: the person, their team
 * and enterprise, and the channel and message the button was on. A click counts only on its own
 * card (DESIGN.md invariant 2).
 */
export interface ClickContext {
  userId: string;
  teamId?: string;
  enterpriseId?: string;
  channelId?: string;
  /** The ts of the message the button was on (container.message_ts). */
  messageTs?: string;
  /**
   * The fingerprint of the plan the card showed when it was drawn (the buttons' block_id carries
   * it): a click approves that plan, and is refused if the plan waiting for approval is another.
   */
  shownPlan?: string;
}

/** Where a request's card is, and which installation it belongs to. */
export interface CardPlace {
  channelId: string;
  messageTs?: string;
  team?: { teamId: string; enterpriseId?: string };
}

/**
 * Why a click does not belong to this card, in words for the audit, or undefined when it does.
 * A card whose message is not known yet (its first post still being retried) has no buttons, so
 * a click naming no message or another one is refused too.
 */
export function foreignClick(click: ClickContext, card: CardPlace): string | undefined {
  // Until Slack said which workspace this is, no click can be placed: refused, not waved through.
  if (!card.team) return 'the workspace sitrep serves is not confirmed yet (Slack has not answered auth.test)';
  if (card.team && click.teamId !== card.team.teamId) return `click from team ${click.teamId ?? 'unknown'}, not ${card.team.teamId}`;
  if (card.team && (click.enterpriseId ?? undefined) !== (card.team.enterpriseId ?? undefined)) return `click from enterprise ${click.enterpriseId ?? 'none'}, not ${card.team.enterpriseId ?? 'none'}`;
  if (click.channelId !== card.channelId) return `click from channel ${click.channelId ?? 'unknown'}, not the card's ${card.channelId}`;
  if (!card.messageTs || click.messageTs !== card.messageTs) return `click on message ${click.messageTs ?? 'unknown'}, not the card ${card.messageTs ?? '(not posted yet)'}`;
  return undefined;
}

/** What the clicker hears when their click came from somewhere else. */
export const FOREIGN_CLICK_MESSAGE = "That button does not belong to this request's card, so nothing was done. Use the buttons on the request's own message.";

/** What anyone hears while sitrep has not yet learnt from Slack which workspace it serves. */
export const TEAM_UNKNOWN_MESSAGE = 'sitrep has not yet confirmed with Slack which workspace it serves (Slack is not answering it), so it did nothing. Try again in a minute.';
