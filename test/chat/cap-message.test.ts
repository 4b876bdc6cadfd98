import { describe, expect, it } from 'vitest';
import { actions, anyCut, button, capMessage, context, section } from '../../src/chat/render/blocks.js';
import { checkMessageContent } from '../../src/console/message-content.js';
import type { Block as SlackBlock } from '../../src/console/slack-objects.js';

describe('a message within Slack\'s limits', () => {
  it('leaves out whole parts past the budget, from the end, keeps the buttons and the last line, and says so', () => {
    const parts = Array.from({ length: 8 }, (_, i) => section(`part ${i} ${'x'.repeat(2900)}`));
    const blocks = [...parts, actions('approval:a', [button({ actionId: 'approve', text: 'Approve', value: 'a' })]), context('requested by <@U1>')];
    // As it was: Slack refuses it.
    expect(() => checkMessageContent('t', blocks as unknown as SlackBlock[], { requireContent: true })).toThrow(/msg_blocks_too_long/);
    const capped = capMessage(blocks);
    expect(capped.cut).toBe(true);
    expect(() => checkMessageContent('t', capped.blocks as unknown as SlackBlock[], { requireContent: true })).not.toThrow();
    const types = capped.blocks.map((b) => b.type);
    expect(types.slice(-3)).toEqual(['context', 'actions', 'context']);
    expect(JSON.stringify(capped.blocks.at(-3))).toMatch(/5 more parts of this message left out to fit Slack/);
    expect(JSON.stringify(capped.blocks)).toContain('part 0');
    expect(JSON.stringify(capped.blocks)).not.toContain('part 7');
  });

  it('a section cut to 3,000 characters closes its code block and is marked cut', () => {
    const s = section(`\`\`\`\n${'y'.repeat(5000)}\n\`\`\``);
    const text = (s.text as { text: string }).text;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text.endsWith('```')).toBe(true);
    expect(anyCut([s])).toBe(true);
    expect(anyCut([section('short')])).toBe(false);
  });
});
