import { SlackLimits, truncate } from '../../core/text/limits.js';

/** Minimal Block Kit builders: plain objects, as chat.postMessage takes them. */
export type Block = { type: string; [field: string]: unknown };

export const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SlackLimits.sectionText) } });
export const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: truncate(text, SlackLimits.headerText), emoji: true } });
export const context = (...texts: string[]): Block => ({
  type: 'context',
  elements: texts.slice(0, SlackLimits.contextElements).map((t) => ({ type: 'mrkdwn', text: truncate(t, SlackLimits.sectionText) })),
});
export const divider = (): Block => ({ type: 'divider' });
export const fields = (pairs: [string, string][]): Block => ({
  type: 'section',
  fields: pairs.slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: truncate(`*${k}*\n${v}`, 2000) })),
});

export interface ButtonOptions {
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string; confirm: string; deny: string; style?: 'primary' | 'danger' };
}

export const button = (b: ButtonOptions): Block => ({
  type: 'button',
  action_id: b.actionId,
  text: { type: 'plain_text', text: b.text, emoji: true },
  value: b.value,
  ...(b.style ? { style: b.style } : {}),
  ...(b.confirm
    ? {
        confirm: {
          title: { type: 'plain_text', text: truncate(b.confirm.title, 100) },
          text: { type: 'mrkdwn', text: truncate(b.confirm.text, 300) },
          confirm: { type: 'plain_text', text: b.confirm.confirm },
          deny: { type: 'plain_text', text: b.confirm.deny },
          ...(b.confirm.style ? { style: b.confirm.style } : {}),
        },
      }
    : {}),
});

export const actions = (blockId: string, elements: Block[]): Block => ({ type: 'actions', block_id: blockId, elements });

/** Keeps a message within Slack's block limit, replacing the overflow with a note. */
export function capBlocks(blocks: Block[], note = 'More in the thread.'): Block[] {
  if (blocks.length <= SlackLimits.blocks) return blocks;
  return [...blocks.slice(0, SlackLimits.blocks - 1), context(`_${blocks.length - SlackLimits.blocks + 1} more blocks left out. ${note}_`)];
}
