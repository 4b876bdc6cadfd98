import { describe, expect, it } from 'vitest';
import { parseCommand, type ParsedCommand, type ParseFailure } from './parse.js';

function ok(text: string): ParsedCommand {
  const r = parseCommand('/incident', text);
  if (!r.ok) throw new Error(`expected ok for ${JSON.stringify(text)}, got: ${r.error.message}`);
  return r;
}

function bad(text: string): ParseFailure {
  const r = parseCommand('/incident', text);
  if (r.ok) throw new Error(`expected failure for ${JSON.stringify(text)}, got ${JSON.stringify(r.args)}`);
  return r;
}

describe('/incident good forms', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['start Checkout 5xx after deploy', 'start', { title: 'Checkout 5xx after deploy', sev: 3, channelOnly: false }],
    ['start Checkout down --sev 1', 'start', { title: 'Checkout down', sev: 1, channelOnly: false }],
    ['start --sev=2 --channel-only DB latency', 'start', { title: 'DB latency', sev: 2, channelOnly: true }],
    ['start "node02 NotReady" --sev SEV-2', 'start', { title: 'node02 NotReady', sev: 2, channelOnly: false }],
    ['start “API down” --sev sev2', 'start', { title: 'API down', sev: 2, channelOnly: false }],
    ['start payments "card" errors', 'start', { title: 'payments "card" errors', sev: 3, channelOnly: false }],
    ['declare DNS flapping', 'start', { title: 'DNS flapping', sev: 3, channelOnly: false }],
    ['note Rolled back to v41', 'note', { text: 'Rolled back to v41' }],
    ["note don't restart db-0, it's the primary", 'note', { text: "don't restart db-0, it's the primary" }],
    ['note error says "connection refused', 'note', { text: 'error says "connection refused' }],
    ['note "--force" did not help', 'note', { text: '"--force" did not help' }],
    ['note -- --force did not help', 'note', { text: '--force did not help' }],
    ['note asked <@U123|bob> to check', 'note', { text: 'asked @bob to check' }],
    ['note asked <@U123> to check', 'note', { text: 'asked @U123 to check' }],
    ['note a &lt; b &amp;&amp; <!here>', 'note', { text: 'a < b && @here' }],
    ['note rolled back web \u2014 error rate falling \u2014 watching', 'note', { text: 'rolled back web \u2014 error rate falling \u2014 watching' }],
    ['note rolled back web \u2013 error  rate', 'note', { text: 'rolled back web \u2013 error  rate' }],
    ['note rolled back web -- error rate', 'note', { text: 'rolled back web -- error rate' }],
    ['start DB down \u2014 writes fail --sev 1', 'start', { title: 'DB down \u2014 writes fail', sev: 1, channelOnly: false }],
    ['note see <https://evil.example/login|https://runbooks.internal/db>', 'note', { text: 'see https://runbooks.internal/db (https://evil.example/login)' }],
    ['sev 1', 'sev', { sev: 1 }],
    ['sev SEV2', 'sev', { sev: 2 }],
    ['severity 4', 'sev', { sev: 4 }],
    ['commander <@U123ABC|alice>', 'commander', { userId: 'U123ABC' }],
    ['commander <@U123ABC>', 'commander', { userId: 'U123ABC' }],
    ['commander @alice', 'commander', { userName: 'alice' }],
    ['ic @alice.smith', 'commander', { userName: 'alice.smith' }],
    ['status investigating', 'status', { status: 'investigating' }],
    ['status Identified', 'status', { status: 'identified' }],
    ['status monitoring', 'status', { status: 'monitoring' }],
    ['status resolved', 'status', { status: 'resolved' }],
    ['resolve', 'resolve', {}],
    ['resolve Bad config in v42 rolled back', 'resolve', { summary: 'Bad config in v42 rolled back' }],
    ['timeline', 'timeline', {}],
    ['timeline --tz Asia/Shanghai', 'timeline', { tz: 'Asia/Shanghai' }],
    ['timeline --tz utc', 'timeline', { tz: 'UTC' }],
    ['timeline --tz america/new_york', 'timeline', { tz: 'America/New_York' }],
    ['postmortem', 'postmortem', { format: 'md', backups: false }],
    ['postmortem <#C0123|postmortems> --format json --tz Europe/Berlin --backups', 'postmortem', { channelId: 'C0123', format: 'json', tz: 'Europe/Berlin', backups: true }],
    ['postmortem #postmortems --format markdown', 'postmortem', { channelName: 'postmortems', format: 'md', backups: false }],
    ['pm --format=JSON', 'postmortem', { format: 'json', backups: false }],
    ['list', 'list', { open: false }],
    ['list --open', 'list', { open: true }],
    ['help', 'help', {}],
    ['help postmortem', 'help', { verb: 'postmortem' }],
    ['start --help', 'help', { verb: 'start' }],
  ])('%s', (text, verb, args) => {
    const r = ok(text);
    expect(r).toMatchObject({ command: '/incident', verb, mode: 'bot', risk: 'read', text });
    expect(r.args).toEqual(args);
    expect(r.namespace).toBeUndefined();
  });
});

describe('/incident bad forms', () => {
  it.each<[string, string]>([
    ['', 'Missing verb: try `/incident start TITLE` or `/incident help`.'],
    ['strat DB down', 'Unknown verb "strat". Did you mean `start`?'],
    ['start', 'start needs a title: what is broken?'],
    ['start --sev 2', 'start needs a title: what is broken?'],
    ['start DB down --sev 5', '--sev must be 1 to 4 (1 is worst), got "5".'],
    ['start DB down --sev', '--sev needs a value (1-4).'],
    ['start DB down --sevv 2', 'Unknown flag --sevv for start. Did you mean `--sev`? To write it as text, put it in quotes or after `--`.'],
    [`start ${'x'.repeat(151)}`, 'Title is too long (151 characters); keep it under 150.'],
    ['note', 'note needs text: what happened?'],
    ['note --force did not help', 'Unknown flag --force for note. To write it as text, put it in quotes or after `--`.'],
    ['sev', 'sev needs a severity: 1 to 4 (1 is worst).'],
    ['sev 0', 'Severity must be 1 to 4 (1 is worst), got "0".'],
    ['sev high', 'Severity must be 1 to 4 (1 is worst), got "high".'],
    ['sev 1 2', 'sev takes one severity; unexpected "2".'],
    ['commander', 'commander needs a person: @name.'],
    ['commander alice', 'commander needs an @mention, got "alice".'],
    ['commander <#C1|ops>', 'commander needs an @mention, got "#ops".'],
    ['status', 'status needs one of: investigating, identified, monitoring, resolved.'],
    ['status identifed', 'Unknown status "identifed". Did you mean `identified`? Use one of: investigating, identified, monitoring, resolved.'],
    ['timeline --tz Mars/Olympus', '--tz must be an IANA time zone such as UTC, Europe/Berlin or Asia/Shanghai, got "Mars/Olympus".'],
    ['timeline --tz +08:00', '--tz must be an IANA time zone such as UTC, Europe/Berlin or Asia/Shanghai, got "+08:00".'],
    ['timeline --tz "Asia/Shanghai', 'Unclosed quote: "Asia/Shanghai never ends. Add the closing ".'],
    ['postmortem ops', 'postmortem posts to a #channel, got "ops".'],
    ['postmortem --format pdf', '--format must be md or json, got "pdf".'],
    ['postmortem #a #b', 'postmortem takes at most one #channel; unexpected "#b".'],
    ['list --closed', 'Unknown flag --closed for list.'],
    ['drain node02', 'Unknown verb "drain". `drain` is a `/k8s` verb.'],
    ['note hi -n shop', 'Unknown flag -n for note. To write it as text, put it in quotes or after `--`.'],
  ])('%s', (text, message) => {
    const r = bad(text);
    expect(r.error.message).toBe(message);
    expect(r.command).toBe('/incident');
  });

  it('hints with the verb usage', () => {
    expect(bad('sev 9').error.hint).toContain('`/incident sev 1-4`');
  });
});
