// Block Kit and mrkdwn, rendered into DOM nodes (never into HTML strings, so nothing a message
// says can become markup). Faithful enough to read what the bot posts: sections, fields,
// context, dividers, headers, actions with buttons and confirm dialogs, code, mentions, links.
import { emoji } from './emoji.js';

/**
 * @typedef {object} RenderContext
 * @property {string} me                       the person the page acts as
 * @property {(id: string) => string} userName   handle for a user id
 * @property {(id: string) => string} channelName
 * @property {(id: string) => string} groupHandle
 * @property {(id: string) => void} openChannel
 * @property {(button: object, el: HTMLButtonElement) => void} onButton
 */

/** Element helper: `h('span', { class: 'x', 'data-testid': 'y' }, child, 'text')`. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Slack escapes exactly these three in message text. */
export function decodeEntities(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Text with :emoji: names turned into characters (plain_text with `emoji: true`, and mrkdwn). */
export function withEmoji(text) {
  return text.replace(/:([a-z0-9_+'-]+(?:::skin-tone-[2-6])?):/g, (all, name) => emoji(name) ?? all);
}

function safeHref(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : null;
}

// One pass over a line finds the earliest token of any kind; bold/italic/strike need a
// non-word character (or the line's edge) outside and non-space inside, as Slack requires.
const INLINE = new RegExp(
  [
    '`([^`\\n]+)`',
    '<([^<>\\n]+)>',
    '(?<![\\p{L}\\p{N}*])\\*(?!\\s)([^*\\n]+?)(?<!\\s)\\*(?![\\p{L}\\p{N}*])',
    '(?<![\\p{L}\\p{N}_])_(?!\\s)([^_\\n]+?)(?<!\\s)_(?![\\p{L}\\p{N}_])',
    '(?<![\\p{L}\\p{N}~])~(?!\\s)([^~\\n]+?)(?<!\\s)~(?![\\p{L}\\p{N}~])',
    ':([a-z0-9_+\'-]+(?:::skin-tone-[2-6])?):',
  ].join('|'),
  'gu',
);

function inline(text, ctx, out) {
  let last = 0;
  INLINE.lastIndex = 0;
  for (let m; (m = INLINE.exec(text)); ) {
    if (m.index > last) out.append(decodeEntities(text.slice(last, m.index)));
    last = m.index + m[0].length;
    if (m[1] !== undefined) out.append(h('code', { class: 'inline-code' }, decodeEntities(m[1])));
    else if (m[2] !== undefined) out.append(angle(m[2], ctx));
    else if (m[3] !== undefined) out.append(inlineInto(h('strong'), m[3], ctx));
    else if (m[4] !== undefined) out.append(inlineInto(h('em'), m[4], ctx));
    else if (m[5] !== undefined) out.append(inlineInto(h('del'), m[5], ctx));
    else if (m[6] !== undefined) {
      const ch = emoji(m[6]);
      out.append(ch ? h('span', { class: 'emoji', title: `:${m[6]}:` }, ch) : m[0]);
    }
    // A zero-length match cannot happen (every alternative consumes), so no lastIndex bump.
  }
  if (last < text.length) out.append(decodeEntities(text.slice(last)));
  return out;
}

function inlineInto(el, text, ctx) {
  // Nested markup re-uses the same global regex; keep the outer scan's position.
  const saved = INLINE.lastIndex;
  inline(text, ctx, el);
  INLINE.lastIndex = saved;
  return el;
}

/** `<@U…>`, `<#C…|name>`, `<!here>`, `<!subteam^S…|@handle>`, `<!date^…|fallback>`, `<url|label>`. */
function angle(body, ctx) {
  const bar = body.indexOf('|');
  const target = bar < 0 ? body : body.slice(0, bar);
  const label = bar < 0 ? undefined : decodeEntities(body.slice(bar + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return h('span', { class: id === ctx.me ? 'mention mention-me' : 'mention', 'data-user': id }, `@${ctx.userName(id) ?? label ?? id}`);
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const name = ctx.channelName(id) ?? label ?? id;
    return h('a', { class: 'mention channel-mention', href: `#${name}`, onclick: (e) => { e.preventDefault(); ctx.openChannel(id); } }, `#${name}`);
  }
  if (target.startsWith('!')) {
    const [kind, arg] = target.slice(1).split('^');
    if (kind === 'here' || kind === 'channel' || kind === 'everyone') return h('span', { class: 'mention mention-me' }, `@${kind}`);
    if (kind === 'subteam') return h('span', { class: 'mention' }, label ?? `@${ctx.groupHandle(arg) ?? arg}`);
    if (kind === 'date') return document.createTextNode(label ?? '');
    return document.createTextNode(label ?? `<${target}>`);
  }
  const href = safeHref(decodeEntities(target));
  if (!href) return document.createTextNode(label ?? decodeEntities(target));
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, label ?? decodeEntities(target));
}

/** Renders Slack mrkdwn: code blocks, quotes, then inline markup line by line. */
export function mrkdwn(text, ctx) {
  const root = h('div', { class: 'mrkdwn' });
  const parts = String(text ?? '').split('```');
  // An unmatched fence is literal text, as in Slack.
  if (parts.length % 2 === 0) parts.splice(parts.length - 2, 2, `${parts[parts.length - 2]}\`\`\`${parts[parts.length - 1]}`);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      root.append(h('pre', { class: 'code-block' }, decodeEntities(part.replace(/^\n/, '').replace(/\n$/, ''))));
      return;
    }
    const lines = part.split('\n');
    // Newlines around a code block belong to the fence, not to the text.
    if (i > 0 && lines[0] === '') lines.shift();
    if (i < parts.length - 1 && lines[lines.length - 1] === '') lines.pop();
    let quote = null;
    lines.forEach((line, j) => {
      const q = /^(?:&gt;|>)\s?(.*)$/.exec(line);
      if (q) {
        if (!quote) root.append((quote = h('blockquote')));
        else quote.append(h('br'));
        inline(q[1], ctx, quote);
        return;
      }
      quote = null;
      if (j > 0 && !/^(?:&gt;|>)/.test(lines[j - 1] ?? '')) root.append(h('br'));
      inline(line, ctx, root);
    });
  });
  return root;
}

/** A text object: `mrkdwn` or `plain_text`. */
export function textObject(t, ctx) {
  if (!t) return h('span');
  if (t.type === 'mrkdwn') return mrkdwn(t.text, ctx);
  return h('span', { class: 'plain' }, t.emoji === false ? t.text : withEmoji(t.text ?? ''));
}

function buttonEl(el, block, ctx) {
  const style = el.style === 'primary' ? 'btn-primary' : el.style === 'danger' ? 'btn-danger' : 'btn-default';
  const btn = h(
    'button',
    { class: `btn ${style}`, type: 'button', 'data-testid': 'block-button', 'data-action-id': el.action_id, 'data-value': el.value },
    el.text?.emoji === false ? el.text.text : withEmoji(el.text?.text ?? 'Button'),
  );
  btn.addEventListener('click', () => {
    if (el.url && safeHref(el.url)) window.open(el.url, '_blank', 'noopener');
    ctx.onButton({ actionId: el.action_id, blockId: block.block_id, value: el.value, confirm: el.confirm, url: el.url }, btn);
  });
  return btn;
}

function element(el, block, ctx) {
  switch (el?.type) {
    case 'button':
      return buttonEl(el, block, ctx);
    case 'image':
      // Remote images are never fetched; their alt text says what they show.
      return h('span', { class: 'image-alt', title: el.image_url ?? '' }, `[image: ${el.alt_text ?? ''}]`);
    case 'mrkdwn':
    case 'plain_text':
      return textObject(el, ctx);
    default:
      return h('span', { class: 'unsupported' }, `[${el?.type ?? 'element'}]`);
  }
}

function richText(block, ctx) {
  const styled = (e) => {
    let node;
    switch (e.type) {
      case 'text': node = document.createTextNode(e.text); break;
      case 'link': node = safeHref(e.url) ? h('a', { href: e.url, target: '_blank', rel: 'noopener noreferrer' }, e.text ?? e.url) : document.createTextNode(e.text ?? e.url); break;
      case 'user': node = angle(`@${e.user_id}`, ctx); break;
      case 'channel': node = angle(`#${e.channel_id}`, ctx); break;
      case 'usergroup': node = angle(`!subteam^${e.usergroup_id}`, ctx); break;
      case 'emoji': node = document.createTextNode(emoji(e.name) ?? `:${e.name}:`); break;
      case 'broadcast': node = h('span', { class: 'mention mention-me' }, `@${e.range}`); break;
      default: node = document.createTextNode('');
    }
    const s = e.style ?? {};
    if (s.code) node = h('code', { class: 'inline-code' }, node);
    if (s.bold) node = h('strong', {}, node);
    if (s.italic) node = h('em', {}, node);
    if (s.strike) node = h('del', {}, node);
    return node;
  };
  const part = (p) => {
    switch (p.type) {
      case 'rich_text_section': return h('div', {}, (p.elements ?? []).map(styled));
      case 'rich_text_preformatted': return h('pre', { class: 'code-block' }, (p.elements ?? []).map(styled));
      case 'rich_text_quote': return h('blockquote', {}, (p.elements ?? []).map(styled));
      case 'rich_text_list': return h(p.style === 'ordered' ? 'ol' : 'ul', {}, (p.elements ?? []).map((x) => h('li', {}, part(x))));
      default: return h('span', { class: 'unsupported' }, `[${p.type}]`);
    }
  };
  return h('div', { class: 'block block-rich-text' }, (block.elements ?? []).map(part));
}

function block(b, ctx) {
  switch (b.type) {
    case 'section': {
      const main = h('div', { class: 'section-main' });
      if (b.text) main.append(textObject(b.text, ctx));
      if (b.fields?.length) main.append(h('div', { class: 'fields' }, b.fields.map((f) => h('div', { class: 'field' }, textObject(f, ctx)))));
      const el = h('div', { class: 'block block-section', 'data-block-id': b.block_id }, main);
      if (b.accessory) el.append(h('div', { class: 'accessory' }, element(b.accessory, b, ctx)));
      return el;
    }
    case 'header':
      return h('div', { class: 'block block-header', 'data-block-id': b.block_id }, textObject(b.text, ctx));
    case 'divider':
      return h('hr', { class: 'block block-divider' });
    case 'context':
      return h('div', { class: 'block block-context', 'data-block-id': b.block_id }, (b.elements ?? []).map((e) => h('span', { class: 'context-el' }, element(e, b, ctx))));
    case 'actions':
      return h('div', { class: 'block block-actions', 'data-block-id': b.block_id }, (b.elements ?? []).map((e) => element(e, b, ctx)));
    case 'image':
      return h('div', { class: 'block block-image' }, b.title ? textObject(b.title, ctx) : null, h('span', { class: 'image-alt' }, `[image: ${b.alt_text ?? ''}]`));
    case 'rich_text':
      return richText(b, ctx);
    default:
      return h('div', { class: 'block unsupported' }, `[unsupported block: ${b.type}]`);
  }
}

/** A message's blocks, as Slack shows them (the `text` is then only the notification fallback). */
export function renderBlocks(blocks, ctx) {
  return h('div', { class: 'blocks' }, blocks.map((b) => block(b, ctx)));
}
