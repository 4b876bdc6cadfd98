import type { Logger } from 'pino';
import type { SlackApiServer } from './slack-api-server.js';
import { newTriggerId, sendBlockAction, sendEvent, sendSlashCommand, type SlackDelivery } from './slack-client-sim.js';
import { SlackMethodFailure } from './slack-method-failure.js';
import type { Block } from './slack-objects.js';

/** Slack gives up on an app that has not answered a command or click within 3 s. */
export const SLACK_ACK_TIMEOUT_MS = 3000;

/** The slash commands sitrep's manifest registers; Slack refuses any other before it reaches an app. */
export const REGISTERED_COMMANDS = ['/k8s', '/incident'] as const;

/** Where the console delivers what a person does: the bot's Request URL and its signing secret. */
export interface BotEndpoint {
  url: string;
  signingSecret: string;
}

/** What the page is told after an action; failures are also shown in the channel, as Slack does. */
export interface ActionOutcome {
  ok: boolean;
  /** HTTP status the bot answered, 0 when it did not answer. */
  status: number;
  ms?: number;
  error?: string;
}

/**
 * Runs a slash command as Slack does: signed delivery with a fresh response URL and trigger id;
 * the bot's acknowledgement body, if any, becomes an ephemeral (or channel) message; no answer
 * within 3 s becomes Slack's own "failed with the error" ephemeral.
 */
export async function runSlashCommand(slack: SlackApiServer, bot: BotEndpoint, input: { user: string; channel: string; text: string }, logger?: Logger): Promise<ActionOutcome> {
  const ws = slack.workspace;
  const trimmed = input.text.trim();
  const space = trimmed.search(/\s/);
  const command = (space < 0 ? trimmed : trimmed.slice(0, space)) as `/${string}`;
  const rest = space < 0 ? '' : trimmed.slice(space + 1).trim();
  if (!(REGISTERED_COMMANDS as readonly string[]).includes(command)) {
    ws.postEphemeral({
      channel: input.channel,
      user: input.user,
      text: `\`${command}\` is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands. This workspace knows ${REGISTERED_COMMANDS.map((c) => `\`${c}\``).join(' and ')}.`,
    });
    return { ok: false, status: 0, error: 'unknown_command' };
  }
  let delivery: SlackDelivery;
  try {
    delivery = await sendSlashCommand(bot.url, bot.signingSecret, {
      command,
      text: rest,
      userId: input.user,
      channelId: input.channel,
      responseUrl: slack.responseUrlFor(input.channel, input.user),
      triggerId: newTriggerId(),
      signal: AbortSignal.timeout(SLACK_ACK_TIMEOUT_MS),
    });
  } catch (err) {
    const error = isTimeout(err) ? 'operation_timeout' : 'dispatch_failed';
    logger?.warn({ err, command }, 'console: the bot did not answer a slash command');
    ws.postEphemeral({ channel: input.channel, user: input.user, text: `${command} failed with the error "${error}"` });
    return { ok: false, status: 0, error };
  }
  if (delivery.status !== 200) {
    ws.postEphemeral({ channel: input.channel, user: input.user, text: `${command} failed with the error "dispatch_failed" (HTTP ${delivery.status})` });
    return { ok: false, status: delivery.status, ms: delivery.ms, error: 'dispatch_failed' };
  }
  showAckBody(slack, input, delivery);
  return { ok: true, status: delivery.status, ms: delivery.ms };
}

/** An acknowledgement with a body is the app's immediate reply: shown to the user alone unless `in_channel`. */
function showAckBody(slack: SlackApiServer, input: { user: string; channel: string }, delivery: SlackDelivery): void {
  const ws = slack.workspace;
  let text: string | undefined;
  let blocks: Block[] | undefined;
  let inChannel = false;
  if (delivery.json && typeof delivery.json === 'object') {
    const body = delivery.json as { text?: unknown; blocks?: unknown; response_type?: unknown };
    text = typeof body.text === 'string' ? body.text : undefined;
    blocks = Array.isArray(body.blocks) ? (body.blocks as Block[]) : undefined;
    inChannel = body.response_type === 'in_channel';
  } else if (delivery.body.trim()) {
    text = delivery.body;
  }
  if (text === undefined && !blocks) return;
  const content = { ...(text !== undefined ? { text } : {}), ...(blocks ? { blocks } : {}) };
  if (inChannel) ws.postMessage({ channel: input.channel, ...content });
  else ws.postEphemeral({ channel: input.channel, user: input.user, ...content });
}

/** A button click, delivered as a signed block_actions payload bound to the clicked message. */
export async function clickButton(
  slack: SlackApiServer,
  bot: BotEndpoint,
  input: { user: string; channel: string; ts: string; actionId: string; blockId?: string; value?: string; ephemeral?: boolean },
  logger?: Logger,
): Promise<ActionOutcome> {
  const ws = slack.workspace;
  const message = input.ephemeral ? undefined : ws.message(input.channel, input.ts);
  const ephemeral = input.ephemeral ? ws.ephemerals(input.channel, input.user).find((e) => e.ts === input.ts) : undefined;
  if (!message && !ephemeral) return { ok: false, status: 0, error: 'message_not_found' };
  const threadTs = message?.thread_ts ?? ephemeral?.thread_ts;
  try {
    const delivery = await sendBlockAction(bot.url, bot.signingSecret, {
      userId: input.user,
      channelId: input.channel,
      messageTs: input.ts,
      ...(message ? { message } : { isEphemeral: true }),
      ...(threadTs ? { threadTs } : {}),
      actionId: input.actionId,
      ...(input.blockId ? { blockId: input.blockId } : {}),
      ...(input.value !== undefined ? { value: input.value } : {}),
      responseUrl: slack.responseUrlFor(input.channel, input.user, { messageTs: input.ts, ephemeral: Boolean(input.ephemeral) }),
      triggerId: newTriggerId(),
      signal: AbortSignal.timeout(SLACK_ACK_TIMEOUT_MS),
    });
    return delivery.status === 200 ? { ok: true, status: 200, ms: delivery.ms } : { ok: false, status: delivery.status, ms: delivery.ms, error: 'dispatch_failed' };
  } catch (err) {
    logger?.warn({ err, actionId: input.actionId }, 'console: the bot did not answer a click');
    return { ok: false, status: 0, error: isTimeout(err) ? 'operation_timeout' : 'dispatch_failed' };
  }
}

/** A person reacts to a message: the workspace records it and the bot gets `reaction_added`. */
export async function addReaction(slack: SlackApiServer, bot: BotEndpoint, input: { user: string; channel: string; ts: string; name: string }, logger?: Logger): Promise<ActionOutcome> {
  const ws = slack.workspace;
  const message = ws.message(input.channel, input.ts);
  if (!message) return { ok: false, status: 0, error: 'message_not_found' };
  try {
    ws.addReaction(input.channel, input.ts, input.user, input.name);
  } catch (err) {
    if (err instanceof SlackMethodFailure) return { ok: false, status: 0, error: err.slackError };
    throw err;
  }
  try {
    const delivery = await sendEvent(bot.url, bot.signingSecret, {
      type: 'reaction_added',
      user: input.user,
      reaction: input.name.replace(/^:|:$/g, ''),
      item: { type: 'message', channel: input.channel, ts: input.ts },
      item_user: message.user,
    }, { signal: AbortSignal.timeout(SLACK_ACK_TIMEOUT_MS) });
    return { ok: delivery.status === 200, status: delivery.status, ms: delivery.ms };
  } catch (err) {
    logger?.warn({ err }, 'console: the bot did not answer a reaction event');
    return { ok: false, status: 0, error: isTimeout(err) ? 'operation_timeout' : 'dispatch_failed' };
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}
