import { isValidSlackRequest, verifySlackRequest } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../src/console/slack-signature.js';

const SECRET = 'test-signing-secret';
const BODY = 'token=x&team_id=T0SITREP01&command=%2Fk8s&text=drain+node02';
const TS = 1_700_000_000;

/** Bolt's own verifier, fed the headers as its HTTP receiver would pass them. */
function verify(headers: { 'x-slack-signature': string; 'x-slack-request-timestamp': string }, options: { body?: string; secret?: string; nowSec?: number } = {}): void {
  verifySlackRequest({
    signingSecret: options.secret ?? SECRET,
    body: options.body ?? BODY,
    headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
    nowMilliseconds: (options.nowSec ?? TS) * 1000,
  });
}

describe('signSlackRequest', () => {
  it('matches the worked example in Slack’s "Verifying requests from Slack" guide', () => {
    const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it('is accepted by Bolt’s verifySlackRequest', () => {
    const headers = signSlackRequest(SECRET, BODY, TS);
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(() => verify(headers)).not.toThrow();
  });

  it('signs now by default', () => {
    const before = Math.floor(Date.now() / 1000);
    const headers = signSlackRequest(SECRET, BODY);
    const ts = Number(headers['x-slack-request-timestamp']);
    expect(ts).toBeGreaterThanOrEqual(before);
    expect(isValidSlackRequest({ signingSecret: SECRET, body: BODY, headers: { ...headers, 'x-slack-request-timestamp': ts } })).toBe(true);
  });

  it('is rejected with another secret, a changed body or a changed timestamp', () => {
    const headers = signSlackRequest(SECRET, BODY, TS);
    expect(() => verify(headers, { secret: 'other-secret' })).toThrow(/signature mismatch/);
    expect(() => verify(headers, { body: `${BODY}+now` })).toThrow(/signature mismatch/);
    expect(() => verify({ ...headers, 'x-slack-request-timestamp': String(TS + 1) })).toThrow(/signature mismatch/);
  });

  it('is rejected as stale more than five minutes after signing', () => {
    const headers = signSlackRequest(SECRET, BODY, TS);
    expect(() => verify(headers, { nowSec: TS + 300 })).not.toThrow();
    expect(() => verify(headers, { nowSec: TS + 301 })).toThrow(/stale/);
  });
});
