import { visibleText, type SlackApiServer, type SlackMessage } from '../src/console/index.js';

/** One version of a card as people saw it: when it appeared (ms since the epoch) and its text. */
export interface CardVersion {
  at: number;
  text: string;
  message: SlackMessage;
}

interface Card {
  ts: string;
  channel: string;
  requester?: string;
  versions: CardVersion[];
}

type Waiter = { test: (v: CardVersion) => boolean; resolve: (v: CardVersion) => void };

/**
 * Every top-level message the bots post in the Slack stand-in, with the time of each version, from
 * the stand-in's own `message` and `update` events (no polling, no reads of sitrep's Redis): what a
 * person would see and when. A request's card names its requester (`requested by <@U…>`), so with
 * one request in flight per person, "the next card of this person" is their request's card.
 */
export class CardWatch {
  private readonly cards = new Map<string, Card>();
  private readonly byRequester = new Map<string, Card[]>();
  private readonly cardWaiters = new Map<string, { since: number; resolve: (c: Card) => void }[]>();
  private readonly versionWaiters = new Map<string, Waiter[]>();
  private readonly onMessage = ({ channel, message }: { channel: string; message: SlackMessage }) => this.add(channel, message, true);
  private readonly onUpdate = ({ channel, message }: { channel: string; message: SlackMessage }) => this.add(channel, message, false);

  constructor(private readonly slack: SlackApiServer) {
    slack.on('message', this.onMessage);
    slack.on('update', this.onUpdate);
  }

  stop(): void {
    this.slack.off('message', this.onMessage);
    this.slack.off('update', this.onUpdate);
  }

  private add(channel: string, message: SlackMessage, posted: boolean): void {
    if (message.thread_ts && message.thread_ts !== message.ts) return;
    const key = `${channel}/${message.ts}`;
    const text = visibleText(message);
    const version: CardVersion = { at: Date.now(), text, message };
    let card = this.cards.get(key);
    if (!card) {
      if (!posted) return;
      const requester = /requested by <@(U[A-Z0-9]+)>/.exec(text)?.[1];
      card = { ts: message.ts, channel, versions: [], ...(requester ? { requester } : {}) };
      this.cards.set(key, card);
      if (requester) {
        this.byRequester.set(requester, [...(this.byRequester.get(requester) ?? []), card]);
        const waiting = this.cardWaiters.get(requester) ?? [];
        const now = Date.now();
        const ready = waiting.filter((w) => w.since <= now);
        this.cardWaiters.set(requester, waiting.filter((w) => !ready.includes(w)));
        for (const w of ready) w.resolve(card);
      }
    }
    card.versions.push(version);
    const waiters = this.versionWaiters.get(key);
    if (!waiters) return;
    const left = waiters.filter((w) => {
      if (!w.test(version)) return true;
      w.resolve(version);
      return false;
    });
    if (left.length) this.versionWaiters.set(key, left);
    else this.versionWaiters.delete(key);
  }

  /** The first card posted for `requester` at or after `since` (ms since the epoch). */
  nextCard(requester: string, since: number, timeoutMs = 60_000): Promise<{ ts: string; channel: string }> {
    const found = this.byRequester.get(requester)?.find((c) => c.versions[0]!.at >= since);
    if (found) return Promise.resolve(found);
    return this.withTimeout(
      new Promise<Card>((resolve) => this.cardWaiters.set(requester, [...(this.cardWaiters.get(requester) ?? []), { since, resolve }])),
      timeoutMs,
      `no card for ${requester}`,
    );
  }

  /** The first version of a card that passes `test` (already seen, or the next one to come). */
  until(channel: string, ts: string, test: (v: CardVersion) => boolean, timeoutMs = 60_000): Promise<CardVersion> {
    const key = `${channel}/${ts}`;
    const seen = this.cards.get(key)?.versions.find(test);
    if (seen) return Promise.resolve(seen);
    return this.withTimeout(
      new Promise<CardVersion>((resolve) => this.versionWaiters.set(key, [...(this.versionWaiters.get(key) ?? []), { test, resolve }])),
      timeoutMs,
      `card ${ts} never matched; last: ${this.cards.get(key)?.versions.at(-1)?.text.slice(0, 300) ?? '(none)'}`,
    );
  }

  /** Every version of a card, oldest first. */
  versions(channel: string, ts: string): CardVersion[] {
    return this.cards.get(`${channel}/${ts}`)?.versions ?? [];
  }

  private withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} after ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(timer));
  }
}

