import { describe, expect, it } from 'vitest';
import { tokenize, type Token } from './tokenize.js';

function values(text: string): string[] {
  const r = tokenize(text);
  if (!r.ok) throw new Error(`tokenize failed: ${r.message}`);
  return r.tokens.map((t) => t.value);
}

function tokens(text: string): Token[] {
  const r = tokenize(text);
  if (!r.ok) throw new Error(`tokenize failed: ${r.message}`);
  return r.tokens;
}

describe('tokenize', () => {
  it.each([
    ['drain node02', ['drain', 'node02']],
    ['  get   pods\t-n\nshop  ', ['get', 'pods', '-n', 'shop']],
    ['note "two words" \'and more\'', ['note', 'two words', 'and more']],
    ['note "say \\"hi\\" \\\\ ok"', ['note', 'say "hi" \\ ok']],
    ['note "a\\nb"', ['note', 'a\\nb']],
    ['start “API down” now', ['start', 'API down', 'now']],
    ['start ‘single smart’', ['start', 'single smart']],
    ['note don’t panic', ['note', 'don’t', 'panic']],
    ["note don't panic", ['note', "don't", 'panic']],
    ['--pod-selector="app=web"', ['--pod-selector=app=web']],
    ['-l "env in (a,b)"', ['-l', 'env in (a,b)']],
    ['a""b', ['a""b']],
    ['""', ['']],
    ['note a&amp;b &lt;x&gt;', ['note', 'a&b', '<x>']],
    ['note "&lt;quoted&gt;"', ['note', '<quoted>']],
    ['drain <http://node02.example.com|node02.example.com>', ['drain', 'node02.example.com']],
    ['drain <http://node02.example.com>', ['drain', 'http://node02.example.com']],
    ['a < b > c', ['a', '<', 'b', '>', 'c']],
    ['zero\u200Bwidth\u00A0nbsp', ['zerowidth', 'nbsp']],
  ])('%j → %j', (text, expected) => {
    expect(values(text)).toEqual(expected);
  });

  it('reads Slack user mentions as user-id tokens', () => {
    const [, a, b] = tokens('commander <@U123ABC|alice> <@W999>');
    expect(a).toMatchObject({ kind: 'user', value: 'U123ABC', label: 'alice', display: '@alice', raw: '<@U123ABC|alice>' });
    expect(b).toMatchObject({ kind: 'user', value: 'W999', display: '@W999' });
  });

  it('reads channel references as channel-id tokens', () => {
    const [, c, d] = tokens('postmortem <#C0123|ops> <#G42|>');
    expect(c).toMatchObject({ kind: 'channel', value: 'C0123', label: 'ops', display: '#ops' });
    expect(d).toMatchObject({ kind: 'channel', value: 'G42' });
  });

  it('splits a mention glued to a word into its own token', () => {
    expect(tokens('ask<@U1|bob>now').map((t) => t.kind)).toEqual(['text', 'user', 'text']);
  });

  it('keeps a mention after "=" as the flag value', () => {
    expect(values('--to=<#C1|ops>')).toEqual(['--to=C1']);
  });

  it('defuses broadcast mentions so echoing them never pings', () => {
    const t = tokens('note <!here> <!channel> <!subteam^S1|@sre>');
    expect(t.slice(1).map((x) => x.value)).toEqual(['@here', '@channel', '@sre']);
    expect(t.map((x) => x.display).join(' ')).not.toContain('<!');
  });

  it('decodes & < > into plain text, and keeps the raw input and its spacing', () => {
    const [, t] = tokens('note &lt;!channel&gt;&amp;');
    expect(t!.value).toBe('<!channel>&');
    expect(t!.raw).toBe('&lt;!channel&gt;&amp;');
    const [a, b] = tokens('rolled  \u2014 back');
    expect([a!.raw, b!.spaceBefore, b!.raw, b!.start, b!.end]).toEqual(['rolled', '  ', '\u2014', 8, 9]);
  });

  it('shows a link whose label is another address with its real target', () => {
    expect(tokens('note see <https://evil.example/login|https://runbooks.internal/db>').slice(1).map((x) => x.value)).toEqual(['see', 'https://runbooks.internal/db (https://evil.example/login)']);
  });

  it('marks tokens that start with a quote, so they are never flags', () => {
    const t = tokens('"--force" --x="y"');
    expect(t[0]).toMatchObject({ value: '--force', quoted: true });
    expect(t[1]).toMatchObject({ value: '--x=y', quoted: false });
  });

  it.each([
    ['drain "node02', '"'],
    ["note 'abc", "'"],
    ['start “never closed', '"'],
    ['note "escaped at end \\"', '"'],
  ])('reports an unclosed quote in %j', (text, closer) => {
    const r = tokenize(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/^Unclosed quote/);
      expect(r.message).toContain(`Add the closing ${closer}`);
    }
  });

  it('reads quotes as text in literal mode (prose)', () => {
    const r = tokenize("note 'til \"then it's ok", { literalQuotes: true });
    expect(r.ok && r.tokens.map((t) => t.value)).toEqual(['note', "'til", '"then', "it's", 'ok']);
  });

  it('finishes a long run of quotes, dashes and brackets', () => {
    const text = '"\\'.repeat(2000) + '<'.repeat(3000) + '&amp'.repeat(1000) + "'".repeat(3000);
    const r = tokenize(text);
    expect(typeof r.ok).toBe('boolean');
  });
});
