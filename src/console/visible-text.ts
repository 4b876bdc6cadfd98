import type { Block } from './slack-objects.js';

type TextObject = { type?: string; text?: string };
type Element = { type?: string; text?: TextObject | string; elements?: Element[]; confirm?: { title?: TextObject; text?: TextObject; confirm?: TextObject; deny?: TextObject }; url?: string; alt_text?: string };

function textOf(t: TextObject | string | undefined): string[] {
  if (t === undefined) return [];
  return [typeof t === 'string' ? t : (t.text ?? '')];
}

function elementText(e: Element): string[] {
  const out = [...textOf(e.text)];
  if (e.confirm) out.push(...textOf(e.confirm.title), ...textOf(e.confirm.text), ...textOf(e.confirm.confirm), ...textOf(e.confirm.deny));
  if (e.url) out.push(e.url);
  if (e.alt_text) out.push(e.alt_text);
  for (const child of e.elements ?? []) out.push(...elementText(child));
  return out;
}

/**
 * What a person sees of a message, one line per piece, as Slack receives it (mrkdwn, still
 * escaped): the fallback `text` (notifications, screen readers), then every block's text, fields,
 * context elements, button labels and confirm dialogs. Ids and values the user never sees
 * (action_id, block_id, button values) are left out, so an assertion on it is an assertion on
 * what a user reads.
 */
export function visibleText(message: { text?: string; blocks?: readonly unknown[] }): string {
  const lines = [...textOf(message.text)];
  for (const raw of (message.blocks ?? []) as (Block & { text?: TextObject; fields?: TextObject[]; elements?: Element[]; accessory?: Element; title?: TextObject })[]) {
    lines.push(...textOf(raw.text), ...textOf(raw.title));
    for (const f of raw.fields ?? []) lines.push(...textOf(f));
    for (const e of raw.elements ?? []) lines.push(...elementText(e));
    if (raw.accessory) lines.push(...elementText(raw.accessory));
  }
  return lines.filter((l) => l !== '').join('\n');
}
