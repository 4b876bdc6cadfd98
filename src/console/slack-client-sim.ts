import { randomBytes, randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { formatTs } from './message-ts.js';
import type { Block, Json, SlackMessage } from './slack-objects.js';
import { signSlackRequest } from './slack-signature.js';
import { LocalWorkspace, defaultChannels, defaultUsers } from './workspace-defaults.js';

/**
 * The Slack platform's side of an app: slash commands, button clicks and Events API callbacks,
 * signed and encoded exactly as Slack sends them to the app's Request URL (Bolt's
 * `/slack/events`), so the bot under test cannot tell them from the real thing.
 */

/** What the app answered, and how long the round trip took (Slack gives up after 3 s). */
export interface SlackDelivery {
  status: number;
  /** The raw response body. */
  body: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  headers: Record<string, string>;
  /** Milliseconds from sending to the end of the response body. */
  ms: number;
}

/** Delivery details shared by every kind of request. */
export interface DeliveryOptions {
  /** Set on Slack's redeliveries: `X-Slack-Retry-Num` (1, 2, 3). */
  retryNum?: number;
  /** `X-Slack-Retry-Reason`, e.g. `http_timeout`. @defaultValue 'http_timeout' when retryNum is set */
  retryReason?: string;
  /** Signing time in Unix seconds (an old one makes the request stale). @defaultValue now */
  timestamp?: number;
  /** Sent instead of the real signature, to test rejection. */
  signatureOverride?: string;
  signal?: AbortSignal;
}

/** Who acts, where, in which workspace and app: shared by slash commands and clicks. */
export interface SlackActor {
  userId: string;
  /** @defaultValue the user's handle in the local workspace, else the id */
  userName?: string;
  channelId: string;
  /** @defaultValue the channel's name in the local workspace, `directmessage` for D…, else the id */
  channelName?: string;
  /** @defaultValue LocalWorkspace.teamId */
  teamId?: string;
  /** @defaultValue LocalWorkspace.teamDomain */
  teamDomain?: string;
  /** @defaultValue LocalWorkspace.appId */
  apiAppId?: string;
}

export interface SlashCommandInput extends DeliveryOptions, SlackActor {
  command: '/k8s' | '/incident' | `/${string}`;
  text: string;
  /** From the Web API stand-in: `server.responseUrlFor(channel, user)`. */
  responseUrl: string;
  /** @defaultValue newTriggerId() */
  triggerId?: string;
}

export interface BlockActionInput extends DeliveryOptions, SlackActor {
  /** The Enterprise Grid org, for an org-wide install. @defaultValue none (`enterprise: null`) */
  enterpriseId?: string;
  /** The ts of the message holding the button. */
  messageTs: string;
  /** The clicked message is ephemeral; Slack then sends no `message`. @defaultValue false */
  isEphemeral?: boolean;
  /** The message as the user sees it; its button supplies block_id, text and style. */
  message?: SlackMessage;
  /** The thread the message is in, if any. */
  threadTs?: string;
  actionId: string;
  value?: string;
  /** @defaultValue the block_id of the button in `message`, else a generated one */
  blockId?: string;
  /** From the stand-in: `server.responseUrlFor(channel, user, { messageTs })`. */
  responseUrl: string;
  triggerId?: string;
}

export interface EventOptions extends DeliveryOptions {
  teamId?: string;
  apiAppId?: string;
  /** @defaultValue a new `Ev…` id */
  eventId?: string;
  /** The bot user the event is authorised for. @defaultValue LocalWorkspace.botUserId */
  botUserId?: string;
}

/** A trigger id in Slack's shape (`<digits>.<digits>.<hex>`); valid for nothing but parsing. */
export function newTriggerId(): string {
  return `${randomInt(1e9, 1e10)}.${randomInt(1e9, 1e10)}.${randomBytes(16).toString('hex')}`;
}

/**
 * A slash command's fields, in Slack's order, all strings: the HTTP form's fields, and the
 * `payload` of a Socket Mode `slash_commands` envelope.
 */
export function slashCommandPayload(cmd: SlashCommandInput): Record<string, string> {
  return Object.fromEntries([
    ['token', LocalWorkspace.verificationToken],
    ['team_id', cmd.teamId ?? LocalWorkspace.teamId],
    ['team_domain', cmd.teamDomain ?? LocalWorkspace.teamDomain],
    ['channel_id', cmd.channelId],
    ['channel_name', cmd.channelName ?? channelName(cmd.channelId)],
    ['user_id', cmd.userId],
    ['user_name', cmd.userName ?? userName(cmd.userId)],
    ['command', cmd.command],
    ['text', cmd.text],
    ['api_app_id', cmd.apiAppId ?? LocalWorkspace.appId],
    ['is_enterprise_install', 'false'],
    ['response_url', cmd.responseUrl],
    ['trigger_id', cmd.triggerId ?? newTriggerId()],
  ]);
}

/** Sends a slash command as Slack does: signed, form-encoded, fields in Slack's order. */
export function sendSlashCommand(botUrl: string, signingSecret: string, cmd: SlashCommandInput): Promise<SlackDelivery> {
  const form = new URLSearchParams(slashCommandPayload(cmd));
  return deliver(botUrl, signingSecret, form.toString(), 'application/x-www-form-urlencoded', cmd);
}

/** The block_actions payload Slack sends when a user clicks a button in a message. */
export function blockActionPayload(action: BlockActionInput): Record<string, Json> {
  const teamId = action.teamId ?? LocalWorkspace.teamId;
  const button = action.message ? findButton(action.message.blocks ?? [], action.actionId, action.blockId) : undefined;
  const name = action.userName ?? userName(action.userId);
  const actionTs = nowTs();
  const payload: Record<string, Json> = {
    type: 'block_actions',
    user: { id: action.userId, username: name, name, team_id: teamId },
    api_app_id: action.apiAppId ?? LocalWorkspace.appId,
    token: LocalWorkspace.verificationToken,
    container: {
      type: 'message',
      message_ts: action.messageTs,
      channel_id: action.channelId,
      is_ephemeral: Boolean(action.isEphemeral),
      ...(action.threadTs ? { thread_ts: action.threadTs } : {}),
    },
    trigger_id: action.triggerId ?? newTriggerId(),
    team: { id: teamId, domain: action.teamDomain ?? LocalWorkspace.teamDomain },
    enterprise: action.enterpriseId ? { id: action.enterpriseId, name: action.enterpriseId } : null,
    is_enterprise_install: false,
    channel: { id: action.channelId, name: action.channelName ?? channelName(action.channelId) },
    state: { values: {} },
    response_url: action.responseUrl,
    actions: [{
      action_id: action.actionId,
      block_id: action.blockId ?? button?.blockId ?? randomBytes(4).toString('base64url').slice(0, 5),
      ...(button?.text !== undefined ? { text: button.text } : {}),
      ...(action.value !== undefined ? { value: action.value } : button?.value !== undefined ? { value: button.value } : {}),
      ...(button?.style !== undefined ? { style: button.style } : {}),
      type: 'button',
      action_ts: actionTs,
    }],
  };
  if (action.message && !action.isEphemeral) payload.message = structuredClone(action.message) as unknown as Json;
  return payload;
}

/** Sends a button click: form-encoded `payload=<JSON>`, signed. */
export function sendBlockAction(botUrl: string, signingSecret: string, action: BlockActionInput): Promise<SlackDelivery> {
  const form = new URLSearchParams([['payload', JSON.stringify(blockActionPayload(action))]]);
  return deliver(botUrl, signingSecret, form.toString(), 'application/x-www-form-urlencoded', action);
}

/**
 * The Events API `event_callback` envelope around `event` (e.g. `{ type: 'reaction_added', user,
 * reaction, item: { type: 'message', channel, ts } }`): the HTTP body, and the `payload` of a
 * Socket Mode `events_api` envelope.
 */
export function eventCallbackPayload(event: { type: string; [key: string]: Json | undefined }, options: EventOptions = {}): Record<string, Json> {
  const teamId = options.teamId ?? LocalWorkspace.teamId;
  const eventTs = typeof event.event_ts === 'string' ? event.event_ts : nowTs();
  const envelope = {
    token: LocalWorkspace.verificationToken,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: null,
    api_app_id: options.apiAppId ?? LocalWorkspace.appId,
    event: { ...event, event_ts: eventTs },
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${randomBytes(6).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Number(eventTs)),
    authorizations: [{
      enterprise_id: null, team_id: teamId, user_id: options.botUserId ?? LocalWorkspace.botUserId,
      is_bot: true, is_enterprise_install: false,
    }],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(12).toString('base64url')}`,
  };
  return envelope as Record<string, Json>;
}

/** Sends an Events API callback ({@link eventCallbackPayload}) as JSON, signed. */
export function sendEvent(botUrl: string, signingSecret: string, event: { type: string; [key: string]: Json | undefined }, options: EventOptions = {}): Promise<SlackDelivery> {
  return deliver(botUrl, signingSecret, JSON.stringify(eventCallbackPayload(event, options)), 'application/json', options);
}

/** Sends the `url_verification` challenge Slack sends when the Request URL is saved. */
export function sendUrlVerification(botUrl: string, signingSecret: string, challenge: string, options: DeliveryOptions = {}): Promise<SlackDelivery> {
  const body = JSON.stringify({ token: LocalWorkspace.verificationToken, challenge, type: 'url_verification' });
  return deliver(botUrl, signingSecret, body, 'application/json', options);
}

async function deliver(url: string, signingSecret: string, body: string, contentType: string, options: DeliveryOptions): Promise<SlackDelivery> {
  const signed = signSlackRequest(signingSecret, body, options.timestamp);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': signed['x-slack-request-timestamp'],
    'x-slack-signature': options.signatureOverride ?? signed['x-slack-signature'],
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
  }
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body, ...(options.signal ? { signal: options.signal } : {}) });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: unknown;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: res.status, body: text, ...(json !== undefined ? { json } : {}), headers: Object.fromEntries(res.headers), ms };
}

function findButton(blocks: readonly Block[], actionId: string, blockId?: string): { blockId?: string; text?: Json; value?: string; style?: string } | undefined {
  for (const block of blocks) {
    if (blockId && block.block_id !== blockId) continue;
    const candidates = [...(Array.isArray(block.elements) ? block.elements : []), ...(block.accessory ? [block.accessory] : [])];
    for (const el of candidates) {
      if (typeof el !== 'object' || el === null || Array.isArray(el) || el.action_id !== actionId) continue;
      return {
        ...(typeof block.block_id === 'string' ? { blockId: block.block_id } : {}),
        ...(el.text !== undefined ? { text: el.text } : {}),
        ...(typeof el.value === 'string' ? { value: el.value } : {}),
        ...(typeof el.style === 'string' ? { style: el.style } : {}),
      };
    }
  }
  return undefined;
}

function userName(id: string): string {
  return defaultUsers.find((u) => u.id === id)?.name ?? id.toLowerCase();
}

function channelName(id: string): string {
  if (id.startsWith('D')) return 'directmessage';
  return defaultChannels.find((c) => c.id === id)?.name ?? id.toLowerCase();
}

function nowTs(): string {
  return formatTs(Math.floor((performance.timeOrigin + performance.now()) * 1000));
}
