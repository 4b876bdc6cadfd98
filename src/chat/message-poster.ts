import { randomBytes } from 'node:crypto';
import type { webApi } from '@slack/bolt';

type WebClient = webApi.WebClient;
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Block } from './render/blocks.js';
import { isFinal, type RequestRecord, type RequestStore } from '../requests/index.js';
import type { OpenCards } from './open-cards.js';

/** A file to upload into a message's thread, once per `key` for the request. */
export interface RenderedFile {
  /** Names the upload for the request's once-only claim (`result`, `plan-<fingerprint>`). */
  key: string;
  filename: string;
  content: string;
  title?: string;
}

export interface RenderedMessage {
  text: string;
  blocks: Block[];
  /** The whole of what the message had to cut, uploaded into its thread once each. */
  files: RenderedFile[];
}

export interface MessagePosterOptions {
  client: WebClient;
  store: RequestStore;
  render: (record: RequestRecord, now: number) => Promise<RenderedMessage>;
  clock: Clock;
  logger: Logger;
  /** Minimum time between two edits of one message (Slack allows about one per second).
   * @defaultValue 1000 */
  minIntervalMs?: number;
  /** Retries of a failed post or edit before giving up on this render (the next one tries again).
   * @defaultValue 6 */
  maxRetries?: number;
  /** Where the cards of requests not yet ended are remembered, for when Redis comes back empty. */
  openCards?: OpenCards;
}

/**
 * Slack errors that retrying cannot fix (the bot is not in the channel, the channel is gone, the
 * token is revoked, the message is malformed). The next render tries again only if state changes.
 */
const PERMANENT_SLACK_ERRORS = new Set([
  'not_in_channel', 'channel_not_found', 'is_archived', 'invalid_auth', 'account_inactive', 'token_revoked',
  'not_authed', 'missing_scope', 'restricted_action', 'invalid_blocks', 'msg_too_long', 'msg_blocks_too_long', 'no_text', 'message_not_found',
]);

/** The Slack error code of a Web API failure, if it is one. */
export function slackErrorOf(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } })?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

export function isPermanentSlackError(err: unknown): boolean {
  const code = slackErrorOf(err);
  return code !== undefined && PERMANENT_SLACK_ERRORS.has(code);
}

/** Another bot replica is editing this card right now. */
class CardBusy extends Error {}

interface Slot {
  lastSentAt: number;
  timer?: NodeJS.Timeout;
  inFlight?: Promise<void>;
  dirty: boolean;
  failures: number;
}

/**
 * Keeps each request's one Slack message up to date: posts it once, then edits it in place,
 * at most once per `minIntervalMs`, coalescing everything in between. The newest state is read
 * from Redis at send time, so what reaches Slack is always the latest, including the final
 * result, and a failed edit is retried with the latest state rather than the stale one.
 */
export class MessagePoster {
  private readonly slots = new Map<string, Slot>();
  private readonly minInterval: number;
  private stopped = false;
  private readonly holder = randomBytes(8).toString('hex');

  constructor(private readonly options: MessagePosterOptions) {
    this.minInterval = options.minIntervalMs ?? 1000;
  }

  schedule(requestId: string): void {
    void this.options.store.markDirty(requestId, this.options.clock.now()).catch(() => {});
    let slot = this.slots.get(requestId);
    if (!slot) {
      slot = { lastSentAt: 0, dirty: false, failures: 0 };
      this.slots.set(requestId, slot);
    }
    slot.dirty = true;
    this.arm(requestId, slot, 0);
  }

  private arm(requestId: string, slot: Slot, extraDelay: number): void {
    if (slot.inFlight || slot.timer || this.stopped) return;
    const delay = Math.max(0, slot.lastSentAt + this.minInterval - this.options.clock.now()) + extraDelay;
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      slot.dirty = false;
      slot.inFlight = this.send(requestId)
        .then(() => {
          slot.failures = 0;
        })
        .catch((err) => {
          if (err instanceof CardBusy) {
            // Another replica is editing this card; try again after it, with the state as it is then.
            slot.dirty = true;
            return;
          }
          slot.failures++;
          slot.dirty = !isPermanentSlackError(err) && slot.failures <= (this.options.maxRetries ?? 6);
          this.options.logger.warn({ err, requestId, failures: slot.failures }, 'slack message update failed');
        })
        .finally(() => {
          slot.lastSentAt = this.options.clock.now();
          slot.inFlight = undefined;
          if (slot.dirty) this.arm(requestId, slot, slot.failures ? Math.min(30_000, 500 * 2 ** slot.failures) : 0);
          else if (!slot.timer) this.slots.delete(requestId);
        });
    }, delay);
    slot.timer.unref();
  }

  /**
   * Posts the request's message now, for the request path: a channel sitrep cannot post in must
   * fail the request before anything is queued, with the Slack error for the caller to explain.
   */
  async postFirst(requestId: string): Promise<void> {
    await this.send(requestId);
    const slot = this.slots.get(requestId);
    if (slot) slot.lastSentAt = this.options.clock.now();
  }

  /** Re-sends cards left marked in Redis for longer than `olderThanMs` (another bot died mid-way). */
  async resume(olderThanMs: number): Promise<number> {
    const ids = await this.options.store.dirtySince(this.options.clock.now() - olderThanMs);
    const stale = ids.filter((id) => !this.slots.has(id));
    for (const id of stale) this.schedule(id);
    return stale.length;
  }

  private async send(requestId: string): Promise<void> {
    const release = await this.options.store.lockCard(requestId, this.holder);
    if (!release) throw new CardBusy();
    try {
      const renderedAt = this.options.clock.now();
      await this.sendOnce(requestId);
      await this.options.store.clearDirty(requestId, renderedAt).catch(() => {});
    } finally {
      await release();
    }
  }

  private async sendOnce(requestId: string): Promise<void> {
    const record = await this.options.store.get(requestId);
    if (!record) return;
    const msg = await this.options.render(record, this.options.clock.now());
    const channel = record.request.channelId;
    let ts = record.messageTs;
    if (!ts) {
      const res = await this.options.client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks, unfurl_links: false, unfurl_media: false });
      ts = await this.options.store.setMessageTsOnce(requestId, res.ts as string);
      if (ts !== res.ts) await this.options.client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks });
    } else {
      await this.options.client.chat.update({ channel, ts, text: msg.text, blocks: msg.blocks });
    }
    const r = record.request;
    this.options.openCards?.shown({ requestId, channelId: channel, messageTs: ts, command: `${r.command} ${r.text}`, userId: r.userId, cluster: r.cluster, state: record.state }, isFinal(record.state));
    for (const file of msg.files) {
      if (!(await this.options.store.claimFileUpload(requestId, file.key))) continue;
      try {
        await this.options.client.filesUploadV2({
          channel_id: channel,
          thread_ts: ts,
          filename: file.filename,
          title: file.title ?? file.filename,
          content: file.content,
        });
      } catch (err) {
        this.options.logger.warn({ err, requestId }, 'file upload failed');
      }
    }
  }

  /** Resolves when nothing is pending (tests, shutdown). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.slots.values()].some((s) => s.inFlight || s.timer) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.slots.values()) clearTimeout(s.timer);
    this.slots.clear();
  }
}
