import { describe, expect, it } from 'vitest';
import { validateBlocks } from '../../src/console/block-kit-validation.js';
import { compareTs, MessageTs } from '../../src/console/message-ts.js';
import { SlackMethodFailure } from '../../src/console/slack-method-failure.js';
import { Workspace, type WorkspaceChange } from '../../src/console/workspace.js';

const OPS = 'C0OPS00001';
const ALICE = 'U0ALICE001';

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SlackMethodFailure) return err.slackError;
    throw err;
  }
  throw new Error('expected a Slack failure');
}

describe('Workspace', () => {
  it('joins a reply to a reply into the same thread and recounts when a reply is deleted', () => {
    const ws = new Workspace({ origin: 'http://127.0.0.1:1' });
    const parent = ws.postMessage({ channel: OPS, text: 'parent' }).message;
    const r1 = ws.postMessage({ channel: OPS, text: 'r1', threadTs: parent.ts }).message;
    const r2 = ws.postMessage({ channel: OPS, text: 'r2', threadTs: r1.ts, user: ALICE }).message;
    expect(r2.thread_ts).toBe(parent.ts);
    expect(ws.message(OPS, parent.ts)).toMatchObject({ reply_count: 2, reply_users_count: 2, latest_reply: r2.ts });
    ws.deleteMessage(OPS, r1.ts);
    expect(ws.message(OPS, parent.ts)).toMatchObject({ reply_count: 1, reply_users: [ALICE], latest_reply: r2.ts });
    expect(failure(() => ws.postMessage({ channel: OPS, text: 'x', threadTs: '1.000000' }))).toBe('thread_not_found');
  });

  it('resolves channels by id, #name and name, and refuses unknown ones', () => {
    const ws = new Workspace({ origin: 'http://127.0.0.1:1' });
    expect(ws.resolveChannel('#ops').id).toBe(OPS);
    expect(ws.resolveChannel('ops').id).toBe(OPS);
    expect(failure(() => ws.resolveChannel('#nope'))).toBe('channel_not_found');
    expect(failure(() => ws.resolveChannel(undefined))).toBe('channel_not_found');
  });

  it('emits one change per mutation and hands out copies', () => {
    const ws = new Workspace({ origin: 'http://127.0.0.1:1' });
    const changes: WorkspaceChange['kind'][] = [];
    ws.on('change', (c) => changes.push(c.kind));
    const m = ws.postMessage({ channel: OPS, text: 'hello' }).message;
    ws.updateMessage(OPS, m.ts, { text: 'hello again' });
    ws.addReaction(OPS, m.ts, ALICE, ':eyes:');
    ws.addPin(OPS, m.ts);
    ws.postEphemeral({ channel: OPS, user: ALICE, text: 'psst' });
    expect(changes).toEqual(['message_posted', 'message_updated', 'reaction_added', 'pin_added', 'ephemeral_posted']);
    ws.messages(OPS)[0].text = 'tampered';
    expect(ws.messages(OPS)[0].text).toBe('hello again');
  });

  it('adds a block_id to blocks that lack one and keeps given ones', () => {
    const ws = new Workspace({ origin: 'http://127.0.0.1:1' });
    const m = ws.postMessage({ channel: OPS, blocks: [{ type: 'divider' }, { type: 'divider', block_id: 'mine' }] }).message;
    expect(m.blocks?.[0].block_id).toMatch(/^[A-Za-z0-9_-]{5}$/);
    expect(m.blocks?.[1].block_id).toBe('mine');
  });
});

describe('MessageTs', () => {
  it('stays unique and increasing when the clock stands still or goes back', () => {
    let now = 1_700_000_000_000;
    const ts = new MessageTs({ now: () => now });
    const a = ts.next();
    const b = ts.next();
    now -= 5000;
    const c = ts.next();
    expect(a).toBe('1700000000.000000');
    expect(b).toBe('1700000000.000001');
    expect(compareTs(b, c)).toBeLessThan(0);
    expect(compareTs('999999999.900000', '1000000000.000001')).toBeLessThan(0);
  });
});

describe('validateBlocks', () => {
  it('names each problem with Slack’s json-pointer', () => {
    expect(validateBlocks([
      { type: 'header', text: { type: 'mrkdwn', text: 'x' } },
      { type: 'actions', elements: [
        { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' } },
        { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'B' }, style: 'loud' },
      ] },
      { type: 'section', block_id: 'dup', text: { type: 'plain_text', text: '' } },
      { type: 'divider', block_id: 'dup' },
      { type: 'carousel' },
    ])).toEqual([
      '[ERROR] must be plain_text [json-pointer:/blocks/0/text/type]',
      '[ERROR] must be one of primary, danger [json-pointer:/blocks/1/elements/1/style]',
      '[ERROR] duplicate action_id: a [json-pointer:/blocks/1/elements/1/action_id]',
      '[ERROR] must be more than 0 characters [json-pointer:/blocks/2/text/text]',
      '[ERROR] duplicate block_id: dup [json-pointer:/blocks/3/block_id]',
      '[ERROR] unknown block type: carousel [json-pointer:/blocks/4/type]',
    ]);
  });

  it('accepts a typical approval card', () => {
    expect(validateBlocks([
      { type: 'header', text: { type: 'plain_text', text: 'Drain node02' } },
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*Pods*\n12' }, { type: 'mrkdwn', text: '*Risk*\ndestructive' }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Requested by <@U0ALICE001>' }] },
      { type: 'actions', elements: [
        { type: 'button', action_id: 'approve', style: 'primary', value: 'r1', text: { type: 'plain_text', text: 'Approve' } },
        { type: 'button', action_id: 'reject', style: 'danger', value: 'r1', text: { type: 'plain_text', text: 'Reject' } },
      ] },
    ])).toEqual([]);
  });
});
