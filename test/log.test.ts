import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../src/demo/redis-server.js';
import { createLogger } from '../src/log.js';
import { createRedis } from '../src/queue/redis-connection.js';
import { eventually } from './support/eventually.js';
import { SECRET_SAMPLES } from './support/secrets.js';

function capture() {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { lines, log: createLogger({ level: 'debug', destination: sink as never }) };
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
