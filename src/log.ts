import pino, { type Logger } from 'pino';
import { isExpectedFailure } from './core/errors.js';
import { REDACTED, redactText } from './core/text/redact.js';

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
 * A value made safe to log, whatever it holds: every string scrubbed by the secret redactor (URL
 * credentials, tokens, `password=`…), every Error serialized by pino's serializer and then
 * scrubbed, and the arguments of a Redis command (`err.command.args` on every ioredis error:
 * the AUTH password, the values of a SET) replaced, keeping the command's name.
 */
export function scrubForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 12) return REDACTED;
  // Errors anywhere in the object, not only under `err`: expected failures without their stack.
  if (value instanceof Error) return scrubForLog(serializeError(value), depth + 1);
  if (Array.isArray(value)) return value.map((v) => scrubForLog(v, depth + 1));
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  const obj = value as Record<string, unknown>;
  const isCommand = typeof obj.name === 'string' && Array.isArray(obj.args);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (isCommand && k === 'args') out[k] = (v as unknown[]).map(() => REDACTED);
    // ioredis nests every earlier failure in `previousErrors`, each with its own: one reconnect
    // storm made one line of thousands. The count and the first say as much.
    else if (k === 'previousErrors' && Array.isArray(v)) out[k] = v.length ? { count: v.length, first: scrubForLog(withoutPrevious(v[0]), depth + 1) } : [];
    else out[k] = scrubForLog(v, depth + 1);
  }
  return out;
}

function withoutPrevious(err: unknown): unknown {
  if (!err || typeof err !== 'object') return err;
  const plain = err instanceof Error ? pino.stdSerializers.err(err) : { ...(err as Record<string, unknown>) };
  delete (plain as Record<string, unknown>).previousErrors;
  return plain;
}

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

/**
 * sitrep's logger: JSON lines through pino, with three layers that keep secrets out of every
 * line, whoever logs it (sitrep, Bolt through bolt-logger.ts, BullMQ errors): the paths above,
 * an `err` serializer and a hook on every logged object (`scrubForLog`), and the message text
 * scrubbed as well.
 */
export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      name: options.name ?? 'sitrep',
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      base: { pid: process.pid },
      // Expected failures as one short line without a stack (serializeError), then scrubbed.
      serializers: { err: (err: unknown) => scrubForLog(serializeError(err)) },
      formatters: { log: (object) => scrubForLog(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}

export type { Logger };
