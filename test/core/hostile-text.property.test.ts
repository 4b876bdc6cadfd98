/**
 * Nothing leaks, nothing injects: hostile strings (mentions, links, fences, HTML, control and
 * bidi characters, 10,000 lines, every secret format) fed through every renderer, into every
 * field of every output format. A renderer may write sitrep's own mentions of ids it checked;
 * nothing quoted may ping, link, format, reorder or leak.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApprovalRecord } from '../../src/approval/index.js';
import { renderRequest } from '../../src/chat/render-request.js';
import { incidentCard } from '../../src/chat/render/incident-card.js';
import { summarizeForSlack } from '../../src/chat/render/postmortem-summary.js';
import { problemBlocks } from '../../src/chat/render/request-card.js';
import { renderTimeline } from '../../src/chat/render/timeline-text.js';
import { checkMessageContent } from '../../src/console/message-content.js';
import type { Block as SlackBlock } from '../../src/console/slack-objects.js';
import { SlashCommand } from '../../src/core/index.js';
import type { Plan } from '../../src/core/plan.js';
import { escapeFallback, escapeMarkdown, escapeMrkdwn, showControls, slackToPlain, toSafeJson } from '../../src/core/text/index.js';
import { EventKind, type TimelineEvent } from '../../src/core/timeline-event.js';
import { buildPostmortem, renderPostmortem, type Incident } from '../../src/incident/index.js';
import type { RequestRecord } from '../../src/requests/index.js';
import { SECRET_SAMPLES } from '../support/secrets.js';

const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const CHANNEL = 'C0OPS00001';
const T = Date.UTC(2026, 10, 23, 14, 3, 0);

const SECRETS = [...Object.values(SECRET_SAMPLES), 'hunter2-db-pass'];
const HOSTILE_PARTS = [
  '<!channel>', '<!here>', '<!everyone>', '<!subteam^S0EVIL01|@oncall>', '<@UEVIL0001>', '<@UEVIL0001|mallory>', '<#CEVIL0001>', '<#CEVIL0001|general>',
  '<https://evil.example/login|https://runbooks.internal/db>', '<http://evil.example>', '<mailto:a@evil.example|boss>',
  '&lt;!channel&gt;', '&amp;lt;!here&amp;gt;', 'bob & co', 'a < b > c',
  '```', '```\n<!channel>\n```', '`code`', '[click](https://evil.example)', '![img](https://evil.example/x.png)', '<img src=x onerror=alert(1)>', '<script>alert(1)</script>',
  '# heading', '\n## heading', '\n    indented code', '\n> quote', '\n- item', '\n1. item', '| a | b |', '*bold* _it_ ~~strike~~',
  '\u0000', '\u202E', '\u2066', '\u200F', '\u0007', '\u001B[31m', '\r\n', '\u2028',
  `DB_PASSWORD=${'hunter2-db-pass'}`, `postgres://app:hunter2-db-pass@db:5432/shop`,
  ...Object.values(SECRET_SAMPLES),
];
const hostile = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HOSTILE_PARTS) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) }), { minLength: 1, maxLength: 8 })
  .map((parts) => parts.join(' '));
const TEN_THOUSAND_LINES = Array.from({ length: 10_000 }, (_, i) => `${HOSTILE_PARTS[i % HOSTILE_PARTS.length]} line ${i}`).join('\n');

/** Slack tokens sitrep itself writes, from ids it checked; anything else with `<` is quoted text come alive. */
const OWN_TOKENS = new RegExp(`<@(?:${ALICE}|${BOB})>|<#${CHANNEL}>`, 'g');
const HIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/;

function noSecret(where: string, text: string): void {
  for (const s of SECRETS) expect(text, `${where} leaks a secret`).not.toContain(s);
}

/** Every text field of a message: `text`, then each mrkdwn and plain_text object, wherever it is. */
function fieldsOf(message: { text?: string; blocks?: unknown[] }): { kind: 'text' | 'mrkdwn' | 'plain_text'; text: string }[] {
  const out: { kind: 'text' | 'mrkdwn' | 'plain_text'; text: string }[] = message.text === undefined ? [] : [{ kind: 'text', text: message.text }];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push({ kind: o.type, text: o.text });
    for (const child of Object.values(o)) visit(child);
  };
  visit(message.blocks ?? []);
  return out;
}

/** The Slack message promises: Slack would accept it; nothing quoted is live; nothing hidden or secret. */
function assertSafeSlack(where: string, message: { text: string; blocks?: unknown[] }): void {
  expect(() => checkMessageContent(message.text, message.blocks as SlackBlock[] | undefined, { requireContent: true }), `${where}: Slack would refuse it`).not.toThrow();
  for (const f of fieldsOf(message)) {
    // plain_text is never parsed by Slack: a `<` there is shown as typed.
    if (f.kind !== 'plain_text') expect(f.text.replace(OWN_TOKENS, ''), `${where}: live markup in ${f.kind}`).not.toMatch(/</);
    expect(f.text, `${where}: control or bidi character in ${f.kind}`).not.toMatch(HIDDEN);
    noSecret(`${where} ${f.kind}`, f.text);
  }
}

/** The Markdown promises: no HTML or autolinks, no links, no fences or headings from quoted text. */
function assertSafeMarkdown(where: string, md: string): void {
  const rest = md.replace(OWN_TOKENS, '').replace(/<br>/g, '');
  expect(rest, `${where}: raw < in Markdown`).not.toMatch(/</);
  // Inside a code span a `[` is literal.
  expect(rest.replace(/(?<!\\)(`+)[^\n]*?\1/g, ''), `${where}: an unescaped [ could start a link`).not.toMatch(/(^|[^\\])\[/m);
  for (const line of rest.split('\n')) {
    expect(line, `${where}: fence or indented code from quoted text`).not.toMatch(/^(\s*```|\s*~~~| {4,}\S)/);
    if (line.startsWith('#')) expect(line, `${where}: a heading sitrep did not write`).toMatch(/^#{1,3} (Postmortem: |Summary$|Impact$|Key times$|Timeline \(|Actions on the cluster$|Requested, not run$|Read-only commands$|Backups$|Review$|Root cause$|What went well$|What went wrong$|Lessons$|Follow-up actions$|\d+\. )/);
  }
  expect(md, `${where}: control or bidi character`).not.toMatch(HIDDEN);
  noSecret(where, md);
}

function assertSafeJson(where: string, json: string): void {
  expect(json, `${where}: markup or hidden characters in the bytes`).not.toMatch(/[<>&]|[\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
  expect(() => JSON.parse(json)).not.toThrow();
  noSecret(where, json);
}

function plan(t: string): Plan {
  return {
    v: 1, verb: 'drain', cluster: 'sandbox', target: 'node/node02', summary: `Cordon node02; ${t}`,
    actions: Array.from({ length: 30 }, (_, i) => ({ kind: 'evict' as const, target: `pod/shop/web-${i}`, owner: `ReplicaSet/${i % 25 === 0 ? t : `web-${i}`}`, detail: t })),
    skipped: [{ target: 'pod/kube-system/ds-1', reason: t }],
    warnings: [{ code: 'local-data', severity: 'danger', message: t, objects: [t, 'pod/db/db-0'] }],
    refusal: { message: t, flag: '--force' },
    fixed: {}, facts: {}, createdAt: T, fingerprint: 'f'.repeat(40),
  };
}

function record(t: string, over: Partial<RequestRecord> & { verb?: string } = {}): RequestRecord {
  const { verb = 'drain', ...rest } = over;
  return {
    request: { v: 1, id: 'req-1', command: SlashCommand.K8s, text: `${verb} node02 ${t}`, verb, args: {}, cluster: t.slice(0, 20) || 'c', userId: ALICE, channelId: CHANNEL, receivedAt: T },
    state: 'running',
    ...rest,
  };
}

const result = (t: string) => ({
  ok: true, title: t, text: t, table: { columns: ['NAME', t], rows: [[t, t], ['web-1', 'Running']] },
  output: { filename: 'x.log', content: `${t}\n${TEN_THOUSAND_LINES.slice(0, 5000)}\n${'z'.repeat(2000)}`, keep: 'tail' as const },
  changed: Array.from({ length: 40 }, () => t), unchanged: [t],
});

function approval(t: string, state: ApprovalRecord['state']): ApprovalRecord {
  return {
    id: 'apr_0123456789abcdef', requestId: 'req-1', verb: 'drain', cluster: 'sandbox', channelId: CHANNEL, requesterId: ALICE, requiredApprovals: 1, approvers: '*',
    approversLabel: 'anyone', approverDescription: `1 approval from <@${BOB}>`, planFingerprint: 'f'.repeat(40), plan: plan(t), createdAt: T, expiresAt: T + 900_000,
    state, approvals: state === 'approved' ? [{ userId: BOB, at: T }] : [], ...(state === 'rejected' ? { endedBy: BOB, reason: t, endedAt: T } : {}),
  } as ApprovalRecord;
}

const incident = (t: string): Incident => ({
  id: 'inc-2026-11-23-a1b2', channelId: CHANNEL, title: t || 'x', severity: 2, commanderId: ALICE, startedBy: ALICE, status: 'resolved',
  startedAt: T, mitigatedAt: T + 60_000, resolvedAt: T + 120_000, summary: t, channelOnly: false, participants: [ALICE, BOB],
});

function events(t: string): TimelineEvent[] {
  const base = { v: 1 as const, actor: ALICE, requestId: 'req-1', cluster: 'sandbox' };
  return [
    { ...base, key: 'c', kind: EventKind.Command, at: T + 1000, text: `/k8s drain node02 ${t}`, data: { text: `/k8s drain node02 ${t}` } },
    { ...base, key: 'p', kind: EventKind.Plan, at: T + 2000, actor: 'worker:sandbox', text: t, data: { summary: t, warnings: [{ code: 'local-data', severity: 'danger', message: t, objects: [t] }] } },
    { ...base, key: 'b', kind: EventKind.JobBlocked, at: T + 3000, actor: 'worker:sandbox', text: t, data: { target: `pod/shop/${t}`, reason: t } },
    { ...base, key: 'f', kind: EventKind.JobFailed, at: T + 4000, actor: 'worker:sandbox', text: t, data: { message: t, code: t } },
    { v: 1, key: 'n', kind: EventKind.IncidentNote, at: T + 5000, actor: BOB, text: t, link: `${CHANNEL}/1.2` },
    { v: 1, key: 'm', kind: EventKind.IncidentNote, at: T + 6000, actor: BOB, text: TEN_THOUSAND_LINES },
  ];
}

const approvals = (a: ApprovalRecord | undefined) => ({ get: async () => a });

describe('hostile text through every renderer', () => {
  it('Slack cards (operations at every stage, reads, problems): nothing quoted is live, hidden or secret, and Slack would accept every message', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (t) => {
        const stages: [string, RequestRecord, ApprovalRecord | undefined][] = [
          ['planning', record(t, { state: 'planning' as never }), undefined],
          ['pending', record(t, { state: 'awaiting-approval' as never, plan: plan(t), approvalId: 'apr_0123456789abcdef' }), approval(t, 'pending')],
          ['rejected', record(t, { plan: plan(t), approvalId: 'apr_0123456789abcdef' }), approval(t, 'rejected')],
          ['running', record(t, { plan: plan(t), approvalId: 'apr_0123456789abcdef', startedAt: T, progress: { phase: t, done: 3, total: 30, message: t, blocked: [{ target: t, reason: t }], elapsedMs: 1 } }), approval(t, 'approved')],
          ['done', record(t, { plan: plan(t), approvalId: 'apr_0123456789abcdef', result: result(t) }), approval(t, 'approved')],
          ['failed', record(t, { failure: { code: 'x', message: t, hint: 'Try `/k8s help`.' } } as never), undefined],
          ['read', record(t, { verb: 'logs', result: result(t) }), undefined],
          ['read failed', record(t, { verb: 'logs', failure: { code: 'x', message: t } } as never), undefined],
        ];
        for (const [stage, r, a] of stages) {
          const msg = await renderRequest(approvals(a), r, T + 5000);
          assertSafeSlack(`card ${stage}`, msg);
          for (const f of msg.files) noSecret(`file of ${stage}`, f.content);
        }
        assertSafeSlack('problem', problemBlocks(t, 'Usage: `/k8s drain NODE`'));
      }),
      { numRuns: 60 },
    );
  });

  it('incident card, timeline, postmortem summary, Markdown and JSON', async () => {
    fc.assert(
      fc.property(hostile, (t) => {
        assertSafeSlack('incident card', incidentCard(incident(t), T + 1000));
        const evs = events(t);
        assertSafeSlack('timeline', { text: renderTimeline(evs, { incident: incident(t), limit: 30 }) });
        assertSafeMarkdown('timeline.md', renderTimeline(evs, { incident: incident(t), format: 'markdown' }));
        const input = { incident: incident(t), events: evs, timeZone: 'UTC', backups: [{ requestId: 'req-1', name: t, objects: 1 }] };
        assertSafeSlack('postmortem summary', summarizeForSlack(buildPostmortem(input)) as { text: string; blocks: unknown[] });
        assertSafeMarkdown('postmortem.md', renderPostmortem({ ...input, format: 'md' }));
        assertSafeJson('postmortem.json', renderPostmortem({ ...input, format: 'json' }));
      }),
      // The example is a counterexample CI found: quoted backticks paired with a review prompt's
      // own code span and left the redaction marker as a live link bracket.
      { numRuns: 25, examples: [['``` ``` SG.W3jQ6dK2yE9sZ5mT8gN4aH.Q6dK2yE9sZ5mT8gN4aH1vB7pW3jQ6dK2yE9sZ5mT8gN ']] },
    );
  });

  it('the escapers themselves: one pass each, idempotent where it must be, nothing double-escaped', () => {
    fc.assert(
      fc.property(hostile, (t) => {
        for (const [name, out] of [['mrkdwn', escapeMrkdwn(t)], ['fallback', escapeFallback(t)]] as const) {
          expect(out, name).not.toMatch(/</);
          expect(out, name).not.toMatch(HIDDEN);
          noSecret(name, out);
        }
        expect(escapeFallback(t)).not.toMatch(/[\r\n]/);
        assertSafeMarkdown('escapeMarkdown', escapeMarkdown(t));
        assertSafeJson('toSafeJson', toSafeJson({ t }));
        expect(showControls(showControls(t))).toBe(showControls(t));
        // Plain text read from Slack is what a person sees; escaping it once gives Slack's form back.
        expect(slackToPlain(escapeMrkdwn('bob & co <b>'))).toBe('bob & co <b>');
      }),
      { numRuns: 300 },
    );
    expect(escapeMrkdwn('bob & co')).toBe('bob &amp; co');
    expect(escapeMarkdown('bob & co')).toBe('bob & co');
    expect(escapeMarkdown('&copy; &#60;')).toBe('&amp;copy; &amp;#60;');
  });
});
