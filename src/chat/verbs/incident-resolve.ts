import { formatDuration } from '../../core/duration.js';
import { resolveVerb } from '../../core/verbs/index.js';
import type { BotReply, BotVerb, BotVerbContext } from './bot-verb.js';
import { openIncident, refreshCard } from './incident-support.js';

/** Resolves the open incident; `/incident resolve` and `/incident status resolved` both land here. */
export async function resolveIncident({ services, userId, channelId }: BotVerbContext, summary: string | undefined): Promise<BotReply> {
  const incident = await openIncident(services, channelId);
  const resolved = await services.incidents.resolve(incident.id, userId, summary);
  await refreshCard(services, resolved);
  const ttr = resolved.resolvedAt ? formatDuration(resolved.resolvedAt - resolved.startedAt) : '?';
  const ttm = resolved.mitigatedAt ? formatDuration(resolved.mitigatedAt - resolved.startedAt) : ttr;
  return { text: `:white_check_mark: \`${resolved.id}\` resolved after ${ttr} (mitigated after ${ttm}). Write it up with \`/incident postmortem\`.`, inChannel: true };
}

/** `/incident resolve [SUMMARY]`. */
export const incidentResolve: BotVerb<typeof resolveVerb> = {
  verb: resolveVerb,
  run({ summary }, ctx) {
    return resolveIncident(ctx, summary);
  },
};
