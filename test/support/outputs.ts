import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { createLogger, type Logger } from '../../src/log.js';
import type { SlackApiServer } from '../../src/console/index.js';

/** sitrep's own logger (src/log.ts, with its redaction) writing into memory, at debug level. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { logger: createLogger({ level: 'debug', destination: sink as never }), lines };
}

/**
 * Everything Redis holds, as text: every key's name and value, whatever its type. For "no secret
 * in any Redis key": searched whole, not through any module's view of it.
 */
export async function dumpRedis(redis: Redis): Promise<string> {
  const out: string[] = [];
  for await (const keys of redis.scanStream({ count: 1000 }) as AsyncIterable<string[]>) {
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.getBuffer(key).then((b) => b?.toString('utf8'));
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      out.push(`${key} (${type}) ${JSON.stringify(value)}`);
    }
  }
  return out.join('\n');
}

/** Every Slack Web API call's arguments (posts, updates, ephemerals, response_url replies) and every uploaded file's content. */
export function slackOutputs(slack: SlackApiServer): string {
  // Images (the postmortem's timeline chart) are bytes, not text anyone reads: their names only.
  const files = slack.workspace.allFiles().map((f) => `${f.name} ${f.title ?? ''}\n${/\.(png|jpe?g|gif)$/i.test(f.name) ? '' : (slack.workspace.file(f.id)?.content?.toString('utf8') ?? '')}`);
  return [...slack.calls().map((c) => `${c.method} ${JSON.stringify(c.args)}`), ...files].join('\n');
}
