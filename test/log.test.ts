import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';

describe('logs', () => {
  it('blank Slack tokens, signing secrets, response URLs and Redis passwords wherever they appear', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const log = createLogger({ level: 'info', destination: sink as never });
    log.info({ botToken: 'xoxb-123-secret', config: { signingSecret: 'shh', SLACK_APP_TOKEN: 'xapp-1-secret' }, req: { headers: { authorization: 'Bearer xoxb-123' } }, body: { response_url: 'https://hooks.slack.com/x' }, redisUrl: 'redis://:pw@host' }, 'starting');
    const out = lines.join('');
    for (const secret of ['xoxb-123-secret', 'shh', 'xapp-1-secret', 'Bearer xoxb-123', 'hooks.slack.com', ':pw@']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
    expect(out).toContain('starting');
  });
});
