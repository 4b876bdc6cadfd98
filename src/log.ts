import pino, { type Logger } from 'pino';
import { isExpectedFailure } from './core/errors.js';

/**
 * Paths pino blanks in every log line. Tokens reach logs through config dumps, Slack client
 * options and HTTP headers; listing them here is what keeps them out (DESIGN.md invariant 7).
 */
export const REDACT_PATHS = [
  'token', '*.token', 'botToken', '*.botToken', 'appToken', '*.appToken',
  'signingSecret', '*.signingSecret', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET',
  '*.SLACK_BOT_TOKEN', '*.SLACK_APP_TOKEN', '*.SLACK_SIGNING_SECRET',
  'password', '*.password', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'response_url', '*.response_url', 'responseUrl', '*.responseUrl', 'redisUrl', '*.redisUrl', 'REDIS_URL',
];

/**
 * pino's `err` serializer. sitrep's own errors are expected failures (a typo, a refusal, a
 * dependency down): their code and message say everything, and a stack trace in the terminal
 * only buries them, so they log as `{ type, code, message, cause }` on one line. Anything else
 * (a bug, a library's error, sitrep_internal) keeps pino's full serialization with the stack.
 */
export function serializeError(err: unknown): unknown {
  if (isExpectedFailure(err)) {
    const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : err.cause === undefined ? undefined : String(err.cause);
    return { type: err.name, code: err.code, message: err.message, ...(cause === undefined ? {} : { cause }) };
  }
  return err instanceof Error ? pino.stdSerializers.err(err) : err;
}

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      name: options.name ?? 'sitrep',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      base: { pid: process.pid },
    },
    options.destination,
  );
}

export type { Logger };
