import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Policy } from '../src/approval/index.js';
import { startBot } from '../src/chat/bot.js';
import { sendSlashCommand, startSlackApiServer } from '../src/console/index.js';
import { ErrorCode, IncidentError, SitrepError, UnavailableError } from '../src/core/errors.js';
import { startRedisServer, type RedisServer } from '../src/demo/redis-server.js';
import { createLogger } from '../src/log.js';
import { createRedis } from '../src/queue/redis-connection.js';
import { eventually } from './support/eventually.js';
import { startTestRedis } from './support/redis-server.js';
import { SECRET_SAMPLES } from './support/secrets.js';
import { ALICE, OPS, SIGNING_SECRET, testBotOptions } from './support/stack.js';

/** A logger as sitrep's processes create it, writing to an array of lines. */
function capture(level = 'info') {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
  return { lines, log: createLogger({ level, destination: sink as never }) };
}

/** Top-level keys of one JSON log line, in order, duplicates kept (JSON.parse would hide them). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (depth === 1 && line[j + 1] === ':') keys.push(line.slice(i + 1, j));
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return keys;
}

describe('logs', () => {
  it('blank Slack tokens, signing secrets, response URLs and Redis passwords wherever they appear', () => {
    const { lines, log } = capture();
    log.info({ botToken: 'xoxb-123-secret', config: { signingSecret: 'shh', SLACK_APP_TOKEN: 'xapp-1-secret' }, req: { headers: { authorization: 'Bearer xoxb-123' } }, body: { response_url: 'https://hooks.slack.com/x' }, redisUrl: 'redis://:pw@host' }, 'starting');
    const out = lines.join('');
    for (const secret of ['xoxb-123-secret', 'shh', 'xapp-1-secret', 'Bearer xoxb-123', 'hooks.slack.com', ':pw@']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(out).toContain('starting');
  });

  it('an expected failure logs its code and message on one line, without a stack; a bug keeps its stack', () => {
    const { lines, log } = capture();
    log.warn({ err: new IncidentError(ErrorCode.NoIncident, 'No open incident in this channel.') }, 'command failed');
    log.warn({ err: new UnavailableError(ErrorCode.RedisUnavailable, 'Redis is unreachable.', { cause: new Error('connect ECONNREFUSED 127.0.0.1:6379') }) }, 'request not taken');
    log.warn({ err: new TypeError('x is undefined') }, 'command failed');
    log.warn({ err: new SitrepError(ErrorCode.Internal, 'Internal error: boom') }, 'job failed');
    const [noIncident, redis, bug, internal] = lines.map((l) => JSON.parse(l) as { err: Record<string, unknown> });
    expect(noIncident!.err).toEqual({ type: 'IncidentError', code: 'sitrep_no_incident', message: 'No open incident in this channel.' });
    expect(redis!.err).toEqual({ type: 'UnavailableError', code: 'sitrep_redis_unavailable', message: 'Redis is unreachable.', cause: 'Error: connect ECONNREFUSED 127.0.0.1:6379' });
    expect(bug!.err.stack).toMatch(/TypeError: x is undefined\n\s+at /);
    expect(internal!.err.stack).toMatch(/at /);
  });

  it("the bot's lines, Bolt's included, carry each key once (one component, not bot and bolt)", async () => {
    const [redis, slack] = await Promise.all([startTestRedis(), startSlackApiServer()]);
    const { lines, log } = capture('debug');
    const bot = await startBot({ ...testBotOptions({ slackUrl: slack.url, redisUrl: redis.url, prefix: `t${randomBytes(4).toString('hex')}`, logger: log }), policy: Policy.default() });
    try {
      // Bolt logs a request to a path it does not serve; sitrep logs a command that failed.
      expect((await fetch(new URL('/nope', bot.url))).status).toBe(404);
      await sendSlashCommand(bot.url, SIGNING_SECRET, { command: '/incident', text: 'note rebooted node02', userId: ALICE, channelId: OPS, responseUrl: slack.responseUrlFor(OPS, ALICE) });
      await eventually(() => lines.some((l) => l.includes('"component":"bolt"')) && lines.some((l) => l.includes('command failed')), { what: "Bolt's line and the failed command's" });
    } finally {
      await bot.stop();
      await Promise.all([slack.close(), redis.stop()]);
    }
    for (const line of lines) {
      const keys = topLevelKeys(line);
      expect(keys.filter((k, i) => keys.indexOf(k) !== i), line).toEqual([]);
    }
    const failed = JSON.parse(lines.find((l) => l.includes('command failed'))!) as { level: number; component: string; err: object };
    // "No open incident" is the user's to fix: info, not a warning, and no stack.
    expect(failed).toMatchObject({ level: 30, component: 'bot', err: { code: 'sitrep_no_incident', message: 'No open incident in this channel.' } });
    expect(JSON.stringify(failed)).not.toContain('stack');
  });

  it('scrub every token format and URL credentials from messages, fields, errors and their causes', () => {
    const { lines, log } = capture();
    for (const [name, secret] of Object.entries(SECRET_SAMPLES)) {
      const err = new Error(`upstream refused ${secret}`, { cause: new Error(`while calling https://deploy:${name.length}pa55word@git.example/x with ${secret}`) });
      log.warn({ err, note: `pasted ${secret}`, nested: { list: [secret] } }, `request with ${secret} failed`);
      log.error(`plain message ${secret}`);
    }
    const out = lines.join('');
    for (const secret of Object.values(SECRET_SAMPLES)) expect(out).not.toContain(secret);
    expect(out).not.toMatch(/pa55word/);
    expect(out).toContain('upstream refused');
  });
});

describe('a wrong Redis password, as sitrep logs it', () => {
  const PASSWORD = 'right-Passw0rd-never-logged';
  const WRONG = 'wr0ng-Passw0rd-never-logged';
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--requirepass', PASSWORD] });
  });
  afterAll(async () => {
    await server?.stop(1000);
  });

  it('never prints the password: not from err.command.args of AUTH, not from the URL, however often it retries', async () => {
    const { lines, log } = capture();
    const url = `redis://:${WRONG}@127.0.0.1:${server.port}/0`;
    const redis = createRedis(url, { name: 'sitrep-log-test', failFast: true });
    redis.on('error', (err) => log.warn({ err, url }, `redis error on ${url}`));
    try {
      for (let i = 0; i < 3; i++) await redis.set('k', PASSWORD).catch((err) => log.error({ err }, 'command failed'));
      await eventually(() => lines.filter((l) => /WRONGPASS/.test(l)).length >= 5, { what: 'WRONGPASS errors logged' });
    } finally {
      redis.disconnect();
    }
    const out = lines.join('');
    expect(out).not.toContain(WRONG);
    expect(out).not.toContain(PASSWORD);
    const auth = lines.map((l) => JSON.parse(l) as { err?: { command?: { name: string; args: string[] } } }).find((l) => l.err?.command?.name === 'auth');
    expect(auth?.err?.command?.args.every((a) => a === '[redacted]')).toBe(true);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(20_000);
  });
});
