/**
 * Slack's message markup, read back into plain text. What Slack sends sitrep (slash command text,
 * the text of a pinned message) is in Slack's wire format: `&lt;` for `<`, `<@U1|bob>` for a
 * mention, `<!channel>` for a broadcast, `<https://a|b>` for a link whose label may say anything.
 * sitrep stores plain text, so nothing it quotes can ping or link when shown again:
 *
 * | Slack sends                      | stored as                          |
 * |----------------------------------|------------------------------------|
 * | `&lt;` `&gt;` `&amp;`            | `<` `>` `&`                        |
 * | `<@U123\|bob>`, `<@U123>`        | `@bob`, `@U123`                    |
 * | `<#C123\|ops>`, `<#C123>`        | `#ops`, `#C123`                    |
 * | `<!channel>`, `<!here>`          | `@channel`, `@here`                |
 * | `<!subteam^S1\|@sre>`            | `@sre`                             |
 * | `<!date^1700000000^…\|fallback>` | `fallback`                         |
 * | `<https://x.io\|x.io>`           | `x.io` (the label tells the truth) |
 * | `<https://evil\|https://good>`   | `https://good (https://evil)`      |
 *
 * A link whose label is not its own target keeps both, the real target last, so a reader sees
 * where it goes. Every output escapes the plain text again for its own format.
 */

/** Longest `<…>` taken as a Slack entity; anything longer is text. */
const MAX_ENTITY = 2048;
const SLACK_ID = /^[A-Z0-9]{1,40}$/;
const URL_SCHEME = /^[a-z][a-z0-9+.-]{0,20}:/i;

/** Decodes the three entities Slack escapes (`&amp;` last, so `&amp;lt;` stays `&lt;`). */
export function decodeSlackEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(lt|gt|amp);/g, (_m, name: string) => (name === 'lt' ? '<' : name === 'gt' ? '>' : '&'));
}

/** Whether a link's label says where it goes: the URL itself, without its scheme, or a mailto's address. */
function labelIsTarget(url: string, label: string): boolean {
  const bare = url.replace(/^[a-z][a-z0-9+.-]*:(?:\/\/)?/i, '');
  return label === url || label === bare || `${label}/` === bare || label === bare.replace(/\/$/, '');
}

/** What a Slack entity (`@U1|bob`, `!here`, `https://a|b`: the text between `<` and `>`) reads as in plain text, or undefined when it is not one. */
export function slackEntityToPlain(inner: string): { kind: 'user' | 'channel' | 'text'; id?: string; label?: string; text: string } | undefined {
  const bar = inner.indexOf('|');
  const head = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : decodeSlackEntities(inner.slice(bar + 1));
  const sigil = head[0];
  if (sigil === '@' || sigil === '#') {
    const id = head.slice(1);
    if (!SLACK_ID.test(id)) return undefined;
    const name = label ? label.replace(/^[@#]/, '') : undefined;
    return { kind: sigil === '@' ? 'user' : 'channel', id, ...(name ? { label: name } : {}), text: `${sigil}${name || id}` };
  }
  if (sigil === '!') {
    // <!here>, <!channel>, <!subteam^S1|@team>, <!date^…|fallback>: the words, never the ping.
    const word = label ?? `@${head.slice(1).split('^')[0]}`;
    return { kind: 'text', text: word };
  }
  if (URL_SCHEME.test(head)) {
    const url = decodeSlackEntities(head);
    if (label === undefined || label === '') return { kind: 'text', text: url.replace(/^mailto:/i, '') };
    return { kind: 'text', text: labelIsTarget(url, label) ? label : `${label} (${url})` };
  }
  return undefined;
}

/**
 * A whole Slack message (a pinned message's text) as plain text: entities decoded, mentions and
 * broadcasts as `@name`, links with their real target. Linear in the text.
 */
export function slackToPlain(text: string): string {
  if (!text.includes('<') && !text.includes('&')) return text;
  let out = '';
  let i = 0;
  // The next '>' at or after the current '<', found again only once passed: text full of '<' stays linear.
  let close = -1;
  while (i < text.length) {
    const open = text.indexOf('<', i);
    if (open === -1) {
      out += decodeSlackEntities(text.slice(i));
      break;
    }
    out += decodeSlackEntities(text.slice(i, open));
    if (close !== Number.POSITIVE_INFINITY && close < open) {
      close = text.indexOf('>', open + 1);
      if (close === -1) close = Number.POSITIVE_INFINITY;
    }
    const inner = close - open <= MAX_ENTITY ? text.slice(open + 1, close) : undefined;
    const entity = inner !== undefined && !inner.includes('<') ? slackEntityToPlain(inner) : undefined;
    if (entity) {
      out += entity.text;
      i = close + 1;
    } else {
      out += '<';
      i = open + 1;
    }
  }
  return out;
}
