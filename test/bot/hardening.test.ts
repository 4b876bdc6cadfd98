import { describe, expect, it } from 'vitest';
import { OPEN_POLICY_YAML, Policy } from '../../src/approval/index.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { codeBlock } from '../../src/core/text/mrkdwn.js';
import { QueueKeys } from '../../src/queue/keys.js';
import { RequestStore } from '../../src/requests/index.js';
import { buttonValue, waitForEphemeral, waitForMessage, waitForUpdate } from '../support/cards.js';
import { ALICE, messageText, OPS, useStack } from '../support/stack.js';

const stack = useStack({ scenario: 'maintenance' });

describe('hardening found in review', () => {
  it('a channel sitrep is not in gets a private explanation, and nothing is queued or run', async () => {
    stack.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    await stack.slash('cordon node01', { user: ALICE });
    const e = await waitForEphemeral(stack, ALICE, /cannot post in this channel/);
    expect(messageText(e)).toMatch(/\/invite @sitrep/);
    expect((await stack.jobs()).filter((j) => j.kind === 'plan')).toEqual([]);
  });

  it("a Run button never bypasses approvers added to the policy after the card was posted", async () => {
    await stack.slash('cordon node01', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Confirm to run/.test(messageText(m)) && /cordon node01/.test(messageText(m)));
    stack.bot.services.policy = Policy.fromText(
      'rules:\n  - verbs: ["*"]\n    allow: ["*"]\n    approvals: 1\n    approvers: ["*"]\napprovalTtl: 15m\n',
      'tightened.yaml',
    );
    try {
      await stack.click(CardAction.Confirm, buttonValue(card, CardAction.Confirm)!, { user: ALICE, messageTs: card.ts });
      const refused = await waitForUpdate(stack, card.ts, /Refused|Failed/);
      expect(messageText(refused)).toMatch(/requires approval/);
      expect((await stack.core.readNode({ name: 'node01' })).spec?.unschedulable).toBeFalsy();
    } finally {
      stack.bot.services.policy = Policy.fromText(OPEN_POLICY_YAML, 'test policy');
    }
  });

  it('an unreadable job event does not block the events after it', async () => {
    await stack.redis.client().xadd(new QueueKeys(stack.prefix).events, '*', 'e', '{not json');
    await stack.slash('get nodes -l kubernetes.io/os=linux');
    const card = await waitForMessage(stack, (m) => /os=linux/.test(messageText(m)));
    await waitForUpdate(stack, card.ts, /Done/);
  });

  it('a card left stale by a bot that died mid-update is finished by the next bot', async () => {
    await stack.slash('get pods -n shop -l app=cart');
    const card = await waitForMessage(stack, (m) => /app=cart/.test(messageText(m)) && /^Done/.test(m.text ?? ''));
    const store = new RequestStore(stack.redis.client(), stack.prefix);
    const id = (await store.recentInChannel(OPS, 50)).find((r) => r.messageTs === card.ts)!.request.id;
    await stack.bot.stop();
    // What a dying bot leaves behind: the new state stored and marked, but never sent to Slack.
    await store.annotate(id, { failure: { code: 'sitrep_internal', message: 'state the dead bot never rendered' } });
    await store.markDirty(id, Date.now() - 60_000);
    await stack.restartBot().catch(() => undefined);
    await waitForUpdate(stack, card.ts, /state the dead bot never rendered/);
  });

  it('cluster text shown in Slack cannot ping people, link, or break out of its code block', () => {
    const shown = codeBlock('GET /x <!channel> <https://evil.example|Approve> ``` *bold* &');
    expect(shown).not.toContain('<!channel>');
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown.slice(3, -3)).not.toContain('```');
    expect(shown.startsWith('```\n') && shown.endsWith('\n```')).toBe(true);
  });
});
