import type { RedisClient } from '../core/redis-client.js';
import { z } from 'zod';
import { JobProgressSchema, JobResultSchema } from '../core/job.js';
import { StreamGroupReader, type StreamGroupReaderOptions } from './stream-reader.js';

export type { StreamGroupReaderOptions as JobEventReaderOptions } from './stream-reader.js';

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
    private readonly redis: RedisClient,
    private readonly stream: string,
    private readonly maxLen = 100_000,
  ) {}

  async write(event: JobEventEnvelope): Promise<void> {
    await this.redis.xadd(this.stream, 'MAXLEN', '~', String(this.maxLen), '*', 'e', JSON.stringify(event));
  }
}

/**
 * Reads job events with a consumer group, acknowledging each after the handler finished, so an
 * event is relayed by exactly one bot replica and none is lost if a replica dies mid-way.
 */
export class JobEventReader extends StreamGroupReader<JobEventEnvelope> {
  constructor(redis: RedisClient, stream: string, options: StreamGroupReaderOptions, onError: (err: unknown) => void = () => {}) {
    super(redis, stream, options, (raw) => JobEventEnvelopeSchema.parse(JSON.parse(raw)), onError, (e) => `of request ${e.requestId}`);
  }
}
