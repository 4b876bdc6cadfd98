import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../core/clock.js';
import { blocksArg, bool, str } from './api-args.js';
import { checkMessageContent } from './message-content.js';
import { SlackMethodFailure } from './slack-method-failure.js';
import type { Workspace } from './workspace.js';

/** Where a response URL came from: a click on this message, or (absent) a slash command. */
export interface ResponseUrlSource {
  /** The message holding the button that was clicked. */
  messageTs: string;
  /** The clicked message was ephemeral (only the clicker sees it). @defaultValue false */
  ephemeral?: boolean;
}

/** What a POST to a response URL got back: the HTTP status and the JSON body. */
export interface ResponseUrlOutcome {
  status: number;
  body: Record<string, unknown>;
}

/** Slack lets an app use one response URL five times within thirty minutes. */
export const ResponseUrlLimits = { uses: 5, ttlMs: 30 * 60_000 } as const;

interface Entry {
  channel: string;
  user: string;
  source?: ResponseUrlSource;
  created: number;
  uses: number;
  /** The last ephemeral this URL posted, which `replace_original` rewrites for slash commands. */
  lastEphemeralTs?: string;
}

/**
 * Response URLs, applied as Slack applies them: ephemeral to the user by default, a channel
 * message with `response_type: in_channel`, `replace_original` / `delete_original` acting on the
 * message the click came from.
 */
export class ResponseUrls {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly workspace: Workspace,
    private readonly clock: Clock = systemClock,
  ) {}

  /** A new response URL for an interaction by `user` in `channel`. */
  create(channel: string, user: string, source?: ResponseUrlSource): string {
    const id = randomBytes(18).toString('base64url');
    this.entries.set(id, { channel: this.workspace.resolveChannel(channel).id, user, created: this.clock.now(), uses: 0, ...(source ? { source } : {}) });
    return `${this.workspace.origin}/response/${id}`;
  }

  apply(id: string, payload: unknown): ResponseUrlOutcome {
    const entry = this.entries.get(id);
    if (!entry || this.clock.now() - entry.created > ResponseUrlLimits.ttlMs) return { status: 404, body: { ok: false, error: 'expired_url' } };
    if (entry.uses >= ResponseUrlLimits.uses) return { status: 404, body: { ok: false, error: 'used_url' } };
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { status: 400, body: { ok: false, error: 'invalid_payload' } };
    try {
      this.applyPayload(entry, payload as Record<string, unknown>);
      entry.uses += 1;
      return { status: 200, body: { ok: true } };
    } catch (err) {
      if (err instanceof SlackMethodFailure) {
        const status = err.slackError === 'message_not_found' ? 404 : 400;
        return { status, body: err.toBody() };
      }
      throw err;
    }
  }

  private applyPayload(entry: Entry, args: Record<string, unknown>): void {
    const ws = this.workspace;
    const text = str(args, 'text');
    const blocks = blocksArg(args);
    const threadTs = str(args, 'thread_ts');
    const source = entry.source ?? (entry.lastEphemeralTs ? { messageTs: entry.lastEphemeralTs, ephemeral: true } : undefined);

    if (bool(args, 'delete_original')) {
      if (!source) throw new SlackMethodFailure('message_not_found');
      if (source.ephemeral) ws.deleteEphemeral(entry.channel, entry.user, source.messageTs);
      else ws.deleteMessage(entry.channel, source.messageTs);
      return;
    }
    checkMessageContent(text, blocks, { requireContent: true });
    const content = { ...(text !== undefined ? { text } : {}), ...(blocks ? { blocks } : {}) };

    if (bool(args, 'replace_original') && source) {
      if (source.ephemeral) ws.replaceEphemeral(entry.channel, entry.user, source.messageTs, content);
      // Replacing is a whole new message: blocks not sent are gone, unlike chat.update.
      else ws.updateMessage(entry.channel, source.messageTs, { text: text ?? '', blocks: blocks ?? [] });
      return;
    }
    if (str(args, 'response_type') === 'in_channel') {
      ws.postMessage({ channel: entry.channel, ...content, ...(threadTs ? { threadTs } : {}) });
      return;
    }
    const posted = ws.postEphemeral({ channel: entry.channel, user: entry.user, ...content, ...(threadTs ? { threadTs } : {}) });
    entry.lastEphemeralTs = posted.message.ts;
  }
}
