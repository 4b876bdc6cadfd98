import type { Redis } from 'ioredis';
import { z } from 'zod';
import { JobProgressSchema, JobResultSchema } from '../core/job.js';

/**
 * What a worker tells the bot about a job, through one Redis stream. Durable: a bot that was
 * down reads what it missed, and with a consumer group, bot replicas share the relaying.
 */
export const JobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), workerId: z.string(), attempt: z.number().int() }),
  z.object({ type: z.literal('progress'), progress: JobProgressSchema }),
  z.object({
    type: z.literal('note'),
    kind: z.string(),
    key: z.string(),
    text: z.string(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
  z.object({ type: z.literal('result'), result: JobResultSchema }),
  z.object({ type: z.literal('failed'), code: z.string(), message: z.string(), hint: z.string().optional() }),
]);
export type JobEventBody = z.infer<typeof JobEventSchema>;

export const JobEventEnvelopeSchema = z.object({
  requestId: z.string(),
  jobId: z.string(),
  jobKind: z.string(),
  verb: z.string(),
  cluster: z.string(),
  /** Per-job increasing number: lets a relay ignore progress older than what it showed. */
  seq: z.number().int(),
  at: z.number(),
  body: JobEventSchema,
});
export type JobEventEnvelope = z.infer<typeof JobEventEnvelopeSchema>;

/** Appends events; keeps the stream bounded (approximate trim, cheap). */
export class JobEventWriter {
  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly maxLen = 100_000,
  ) {}

  async write(event: JobEventEnvelope): Promise<void> {
    await this.redis.xadd(this.stream, 'MAXLEN', '~', String(this.maxLen), '*', 'e', JSON.stringify(event));
  }
}

export interface JobEventReaderOptions {
  group?: string;
  consumer: string;
  /** How long an unacknowledged event may sit with a dead consumer before another takes it.
   * @defaultValue 30000 */
  claimIdleMs?: number;
  /** @defaultValue 1000 */
  blockMs?: number;
  /** Called when the stream or its consumer group vanished (Redis came back empty) and was made again. */
  onGroupLost?: () => void;
}

/**
 * Reads job events with a consumer group, acknowledging each after the handler finished, so an
 * event is relayed by exactly one bot replica and none is lost if a replica dies mid-way.
 */
export class JobEventReader {
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly options: JobEventReaderOptions,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  private get group(): string {
    return this.options.group ?? 'relay';
  }

  /** Creates the stream and the group unless they exist; from '0', so events written meanwhile are read. */
  private async createGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.stream, this.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test((err as Error).message)) throw err;
    }
  }

  async start(handle: (event: JobEventEnvelope) => Promise<void>): Promise<void> {
    await this.createGroup();
    this.running = true;
    this.loop = this.run(handle);
  }

  private async run(handle: (event: JobEventEnvelope) => Promise<void>): Promise<void> {
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

  /** Deliveries of one event before a handler that keeps failing is given up on.
   * @defaultValue 5 */
  private readonly maxAttempts = 5;
  private readonly attempts = new Map<string, number>();

  private async process(entries: [string, string[]][], handle: (event: JobEventEnvelope) => Promise<void>): Promise<void> {
    for (const [id, fields] of entries) {
      if (!fields) continue;
      let event: JobEventEnvelope | undefined;
      try {
        const raw = fields[fields.indexOf('e') + 1];
        event = JobEventEnvelopeSchema.parse(JSON.parse(raw ?? ''));
      } catch (err) {
        // An event no bot can read (corrupt, or from a newer worker) must not block the ones after it.
        this.onError(new Error(`dropping unreadable job event ${id}: ${(err as Error).message}`));
      }
      if (event) {
        try {
          await handle(event);
        } catch (err) {
          const n = (this.attempts.get(id) ?? 0) + 1;
          this.attempts.set(id, n);
          this.onError(err);
          // Left pending, it is retried after claimIdleMs; past maxAttempts it is dropped, loudly.
          if (n < this.maxAttempts) continue;
          this.onError(new Error(`giving up on job event ${id} of request ${event.requestId} after ${n} attempts`));
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
