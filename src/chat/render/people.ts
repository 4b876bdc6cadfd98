/**
 * A timeline actor in Slack mrkdwn: a display name from `names` (escaped), else a mention of a
 * Slack user id (sitrep writes the token from a checked id, so it is safe to keep live), else the
 * actor escaped as text (`sitrep`, `worker:eu-1`).
 */
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';

const SLACK_USER_ID = /^[UW][A-Z0-9]{1,40}$/;

export function mentionOrName(actor: string, names?: Readonly<Record<string, string>>): string {
  const name = names?.[actor];
  if (name) return escapeMrkdwn(name);
  return SLACK_USER_ID.test(actor) ? `<@${actor}>` : escapeMrkdwn(actor);
}
