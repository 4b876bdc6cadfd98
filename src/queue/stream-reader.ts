import type { RedisClient } from '../core/redis-client.js';

export interface StreamGroupReaderOptions {
  group?: string;
  consumer: string;
  /** How long an unacknowledged entry may sit with a dead consumer before another takes it.
   * @defaultValue 30000 */
  claimIdleMs?: number;
  /** @defaultValue 1000 */
  blockMs?: number;
  /** Called when the stream or its consumer group vanished (Redis came back empty) and was made again. */
  onGroupLost?: () => void;
}

/**
 * Reads a Redis stream with a consumer group, acknowledging each entry after the handler
 * finished, so an entry is handled by exactly one bot replica and none is lost if a replica dies
 * mid-way (XAUTOCLAIM hands its pending entries to another). Entries are `e` → JSON.
 */
export class StreamGroupReader<T> {
  private running = false;
  private loop?: Promise<void>;
  /** Deliveries of one entry before a handler that keeps failing is given up on. */
  private readonly maxAttempts = 5;
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly stream: string,
    private readonly options: StreamGroupReaderOptions,
    /** Parses one entry's JSON; throws for an entry no reader can use. */
    private readonly parse: (raw: string) => T,
    private readonly onError: (err: unknown) => void = () => {},
    /** Names an entry in the give-up message. */
    private readonly describe: (entry: T) => string = () => '',
  ) {}

  private get group(): string {
    return this.options.group ?? 'relay';
  }

  /** Creates the stream and the group unless they exist; from '0', so entries written meanwhile are read. */
  private async createGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.stream, this.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
  }

  async start(handle: (entry: T) => Promise<void>): Promise<void> {
    await this.createGroup();
    this.running = true;
    this.loop = this.run(handle);
  }

  private async run(handle: (entry: T) => Promise<void>): Promise<void> {
    let lastClaim = 0;
    while (this.running) {
      try {
        if (Date.now() - lastClaim > (this.options.claimIdleMs ?? 30_000) / 2) {
          lastClaim = Date.now();
          const claimed = (await this.redis.xautoclaim(this.stream, this.group, this.options.consumer, this.options.claimIdleMs ?? 30_000, '0-0', 'COUNT', 100)) as [string, [string, string[]][]];
          await this.process(claimed[1] ?? [], handle);
        }
        const res = (await this.redis.xreadgroup(
          'GROUP', this.group, this.options.consumer,
          'COUNT', 100, 'BLOCK', this.options.blockMs ?? 1000,
          'STREAMS', this.stream, '>',
        )) as [string, [string, string[]][]][] | null;
        if (res) for (const [, entries] of res) await this.process(entries, handle);
      } catch (err) {
        if (!this.running) break;
        if (/NOGROUP/.test((err as Error).message)) {
          // Redis came back empty (failover to an empty replica, FLUSHALL, restart without AOF):
          // make the group again rather than fail every read until a restart.
          const recreated = await this.createGroup().then(() => true, () => false);
          if (recreated) {
            this.attempts.clear();
            this.options.onGroupLost?.();
            continue;
          }
        }
        this.onError(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async process(entries: [string, string[]][], handle: (entry: T) => Promise<void>): Promise<void> {
    for (const [id, fields] of entries) {
      if (!fields) continue;
      let entry: T | undefined;
      try {
        entry = this.parse(fields[fields.indexOf('e') + 1] ?? '');
      } catch (err) {
        // An entry no reader can use (corrupt, or from a newer writer) must not block the ones after it.
        this.onError(new Error(`dropping unreadable entry ${id} of ${this.stream}: ${(err as Error).message}`));
      }
      if (entry !== undefined) {
        try {
          await handle(entry);
        } catch (err) {
          const n = (this.attempts.get(id) ?? 0) + 1;
          this.attempts.set(id, n);
          this.onError(err);
          // Left pending, it is retried after claimIdleMs; past maxAttempts it is dropped, loudly.
          if (n < this.maxAttempts) continue;
          this.onError(new Error(`giving up on entry ${id} ${this.describe(entry)} after ${n} attempts`.replace(/\s+/g, ' ')));
        }
      }
      this.attempts.delete(id);
      await this.redis.xack(this.stream, this.group, id);
    }
  }

  /** Stops reading. Bounded: with Redis gone, a blocked read would otherwise never return. */
  async stop(timeoutMs = 3000): Promise<void> {
    this.running = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }
}
