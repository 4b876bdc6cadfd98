import type { ParsedCommand } from '../../commands/parse.js';
import type { Clock } from '../core/clock.js';
import { stableId } from '../core/ids.js';
import type { CommandRequest } from '../core/request.js';
import { redactText, redactValue } from '../core/text/redact.js';
import { slackToPlain } from '../core/text/slack-markup.js';

/** The parts of a slash-command payload sitrep reads. */
export interface SlashPayload {
  command: string;
  text: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  team_id?: string;
  trigger_id?: string;
}

/**
 * The request id of a slash command: the same Slack delivery (a retry carries the same
 * trigger_id) always maps to the same id, so a retried command is recognised and ignored.
 */
export function requestIdOf(body: SlashPayload, receivedAt: number): string {
  const anchor = body.trigger_id ?? `${body.channel_id}:${body.user_id}:${body.command}:${body.text}:${Math.floor(receivedAt / 60_000)}`;
  return stableId('req', body.team_id ?? '', anchor);
}

/** The request a parsed slash command stands for, as the lifecycle stores it. */
export function buildRequest(body: SlashPayload, parsed: ParsedCommand, context: { defaultCluster: string; clock: Clock }): CommandRequest {
  const receivedAt = context.clock.now();
  return {
    v: 1,
    id: requestIdOf(body, receivedAt),
    command: parsed.command,
    // Stored as plain text, as every stored text (mentions as @name, no Slack entities), and
    // without secrets: a token pasted into a note never reaches Redis, the job queue or a card.
    text: redactText(slackToPlain(parsed.text)),
    verb: parsed.verb,
    args: redactValue(parsed.args) as Record<string, unknown>,
    cluster: parsed.cluster ?? context.defaultCluster,
    ...(parsed.namespace ? { namespace: parsed.namespace } : {}),
    userId: body.user_id,
    userName: body.user_name,
    channelId: body.channel_id,
    teamId: body.team_id,
    receivedAt,
  };
}
