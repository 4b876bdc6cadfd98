import { SlackLimits, truncate, truncateMrkdwn } from '../../core/text/limits.js';
import { cleanPlainText } from '../../core/text/slack-plain.js';

/** Minimal Block Kit builders: plain objects, as chat.postMessage takes them. */
export type Block = { type: string; [field: string]: unknown };

/**
 * Blocks whose text a builder had to cut to Slack's limits. Kept beside the blocks (not in them,
 * so nothing extra reaches Slack); render-request.ts asks `anyCut` and then uploads the whole.
 */
const CUT = new WeakSet<Block>();

const marked = (block: Block, cut: boolean): Block => {
  if (cut) CUT.add(block);
  return block;
};

export const section = (text: string): Block => {
  const fitted = truncateMrkdwn(text, SlackLimits.sectionText);
  return marked({ type: 'section', text: { type: 'mrkdwn', text: fitted } }, fitted !== text);
};
/** A header: plain_text, so quoted text in it is shown as typed and never parsed (slack-plain.ts). */
export const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: truncate(cleanPlainText(text), SlackLimits.headerText), emoji: true } });
export const context = (...texts: string[]): Block => {
  const shown = texts.slice(0, SlackLimits.contextElements).map((t) => truncateMrkdwn(t, SlackLimits.sectionText));
  return marked({ type: 'context', elements: shown.map((t) => ({ type: 'mrkdwn', text: t })) }, shown.length < texts.length || shown.some((t, i) => t !== texts[i]));
};
export const divider = (): Block => ({ type: 'divider' });
export const fields = (pairs: [string, string][]): Block => {
  const texts = pairs.slice(0, 10).map(([k, v]) => `*${k}*\n${v}`);
  const shown = texts.map((t) => truncateMrkdwn(t, 2000));
  return marked({ type: 'section', fields: shown.map((text) => ({ type: 'mrkdwn', text })) }, pairs.length > 10 || shown.some((t, i) => t !== texts[i]));
};

/** Whether any of these blocks had text cut to fit. */
export function anyCut(blocks: readonly Block[]): boolean {
  return blocks.some((b) => CUT.has(b));
}

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

/** Characters of text a block carries, as Slack counts them toward `msg_blocks_too_long`. */
export function blockTextLength(block: Block): number {
  let n = 0;
  const visit = (v: unknown): void => {
    if (typeof v === 'string') return;
    if (Array.isArray(v)) return v.forEach(visit);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') n += o.text.length;
      for (const [k, child] of Object.entries(o)) if (k !== 'text' || typeof child !== 'string') visit(child);
    }
  };
  visit(block);
  return n;
}

/**
 * Keeps a message within Slack's limits: at most 50 blocks, and at most `budget` characters of
 * text across them (Slack refuses more with `msg_blocks_too_long`). Sections past the budget are
 * left out, from the end; actions (the buttons) and the last block (who asked, where) always stay.
 * The note says what was left out; `cut` tells the caller to upload the whole in the thread.
 */
export function capMessage(blocks: Block[], note = 'Everything is in the thread.', budget: number = SlackLimits.messageBudget): { blocks: Block[]; cut: boolean } {
  const kept = blocks.map((b, i) => b.type === 'actions' || i === blocks.length - 1);
  // Room for the note saying what was left out.
  let used = blocks.reduce((n, b, i) => n + (kept[i] ? blockTextLength(b) : 0), 0) + 200;
  let keptAfter = kept.filter(Boolean).length;
  let dropped = 0;
  const out: Block[] = [];
  blocks.forEach((b, i) => {
    if (kept[i]) {
      keptAfter -= 1;
      out.push(b);
      return;
    }
    const size = blockTextLength(b);
    // Once one part is left out, so is everything after it: the message never skips a part and shows the next.
    const fits = dropped === 0 && used + size <= budget && out.length + 1 + keptAfter + 1 <= SlackLimits.blocks;
    if (fits) {
      used += size;
      out.push(b);
    } else {
      dropped += 1;
    }
  });
  if (!dropped) return { blocks: out, cut: false };
  const at = out.findIndex((b) => b.type === 'actions');
  const message = context(`_${dropped} more part${dropped === 1 ? '' : 's'} of this message left out to fit Slack. ${note}_`);
  out.splice(at === -1 ? out.length - 1 : at, 0, message);
  return { blocks: out, cut: true };
}
