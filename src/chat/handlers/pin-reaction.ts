import type { App } from '@slack/bolt';
import { EventKind } from '../../core/timeline-event.js';
import { showControls } from '../../core/text/controls.js';
import { slackToPlain } from '../../core/text/slack-markup.js';
import type { BotServices } from '../bot-services.js';

/**
 * A configurable reaction adds a channel message to the open incident's timeline, at the
 * message's own time (when it was said, not when someone pinned it).
 */
export function registerPinReaction(app: App, services: BotServices): void {
  app.event('reaction_added', async ({ event }) => {
    if (event.reaction !== services.pinEmoji || event.item.type !== 'message') return;
    const channel = event.item.channel;
    const incident = await services.incidents.openIn(channel);
    if (!incident) return;
    const history = await services.client.conversations.history({ channel, latest: event.item.ts, inclusive: true, limit: 1 }).catch(() => undefined);
    const msg = history?.messages?.find((m) => m.ts === event.item.ts);
    await services.timeline.append(incident.id, {
      v: 1,
      key: `pin:${channel}:${event.item.ts}`,
      kind: EventKind.IncidentNote,
      at: Math.round(Number(event.item.ts) * 1000),
      actor: msg?.user ?? event.item_user ?? event.user,
      // Stored as plain text (mentions as @name, links with their real target): quoted, it never pings or disguises a link.
      text: msg?.text ? showControls(slackToPlain(msg.text)) : '(message)',
      link: `${channel}/${event.item.ts}`,
      data: { pinnedBy: event.user },
    });
  });
}
