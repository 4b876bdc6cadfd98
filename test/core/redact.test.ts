import { describe, expect, it } from 'vitest';
import { REDACTED, redactText, redactValue } from '../../src/core/text/redact.js';

describe('redactText', () => {
  it.each([
    ['bot token', 'set SLACK_BOT_TOKEN to xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp please', 'xoxb-1234567890'],
    ['user token', 'old xoxp-11-22-33-abcdef token', 'xoxp-11-22-33'],
    ['app token', 'xapp-1-A0123-456-abcdef0123 in the env', 'xapp-1-A0123'],
    ['legacy token', 'xoxa-2-abc-def', 'xoxa-2'],
    ['bearer', "curl -H 'Authorization: Bearer abc.def-ghi_jkl' https://api", 'abc.def-ghi_jkl'],
    ['basic auth', 'Authorization: Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz'],
    ['password=', 'psql postgres://db?user=app&password=hunter2&sslmode=require', 'hunter2'],
    ['token=', 'GET /hook?token=s3cr3tvalue&x=1', 's3cr3tvalue'],
    ['env style', 'DB_PASSWORD=correct-horse-battery kubectl apply', 'correct-horse-battery'],
    ['camelCase key', 'botToken: abcdef123456', 'abcdef123456'],
    ['json', '{"apiKey": "k-123 456", "user": "bob"}', 'k-123 456'],
    ['url credentials', 'REDIS_URL=redis://:sup3rs3cret@redis:6379/0', 'sup3rs3cret'],
    ['jwt', 'sa token eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlX2hlcmU', 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ'],
    ['pem', 'key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1\n-----END RSA PRIVATE KEY-----\ndone', 'MIIEowIBAAKCAQEA1'],
    ['secret data', 'data:\n  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcw\n', 'LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t'],
  ])('scrubs a %s', (_name, text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each([
    '/k8s drain node02 --delete-emptydir-data',
    'Evicted pod shop/web-7d9f8b6c5-x2x4z (PodDisruptionBudget web-pdb allows 0 disruptions)',
    'image sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945 pulled',
    'Key times: started 14:03, the token bucket drained',
    'https://acme.slack.com/archives/C0123/p1700000000123456',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('redactValue', () => {
  it('scrubs secret-named keys, Kubernetes Secret data, and strings deep inside', () => {
    const out = redactValue({
      verb: 'get',
      password: 'hunter2',
      nested: { headers: { Authorization: 'Bearer abc' }, note: 'token=zzz999' },
      list: ['xoxb-1-2-3'],
      object: { kind: 'Secret', metadata: { name: 'db' }, data: { 'tls.key': 'c2hvcnQ=', user: 'YWRtaW4=' } },
      count: 3,
    });
    expect(out).toEqual({
      verb: 'get',
      password: REDACTED,
      nested: { headers: { Authorization: REDACTED }, note: `token=${REDACTED}` },
      list: [`${REDACTED} slack token`],
      object: { kind: 'Secret', metadata: { name: 'db' }, data: { 'tls.key': REDACTED, user: REDACTED } },
      count: 3,
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|abc|zzz999|c2hvcnQ|YWRtaW4/);
  });

  it('keeps the event data conventions intact', () => {
    const data = { summary: 'Drained node02', warnings: [{ code: 'local-data', severity: 'danger', message: 'pod db-0 uses emptyDir' }], approvers: ['U2'], needed: 1, durationMs: 1200 };
    expect(redactValue(data)).toEqual(data);
  });
});
