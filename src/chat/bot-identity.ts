import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { ConfigError } from '../core/errors.js';
import { slackErrorOf } from './message-poster.js';

/** Slack's answers that mean the token itself is wrong: retrying cannot help. */
const REJECTED = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission']);

/** The team (and enterprise) a bot token belongs to, and the bot's own ids, as auth.test says. */
export interface SlackTeam {
  teamId: string;
  enterpriseId?: string;
  /** The bot's user (`U…`) and bot (`B…`) ids: Bolt ignores the bot's own events by them. */
  botUserId?: string;
  botId?: string;
}

/**
 * Asks Slack who this bot is (auth.test) once, without the client's retries: the team it serves,
 * or undefined when Slack could not be reached (the caller retries later).
 * @throws ConfigError when Slack rejects the token: `SLACK_BOT_TOKEN was rejected by Slack (invalid_auth): …`.
 */
export async function identifyBot(token: string, clientOptions: webApi.WebClientOptions, logger: Logger): Promise<SlackTeam | undefined> {
  const client = new webApi.WebClient(token, { ...clientOptions, retryConfig: { retries: 0 }, logger: undefined });
  try {
    const res = await client.auth.test();
    if (!res.team_id) return undefined;
    return { teamId: res.team_id, ...(res.enterprise_id ? { enterpriseId: res.enterprise_id } : {}), ...(res.user_id ? { botUserId: res.user_id } : {}), ...(res.bot_id ? { botId: res.bot_id } : {}) };
  } catch (err) {
    const code = slackErrorOf(err);
    if (code && REJECTED.has(code)) {
      throw new ConfigError(`SLACK_BOT_TOKEN was rejected by Slack (${code}): it is wrong, revoked, or from an app that was uninstalled.`, {
        cause: err,
        hint: 'Copy the Bot User OAuth Token (xoxb-…) from the Slack app\'s OAuth & Permissions page into SLACK_BOT_TOKEN, then start again.',
      });
    }
    logger.warn({ code: code ?? (err as { code?: string }).code, message: (err as Error).message }, 'Slack is not reachable yet; sitrep keeps trying (commands are still acknowledged)');
    return undefined;
  }
}
