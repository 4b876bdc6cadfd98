import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/**
 * Web API method -> the bot scopes it needs (docs.slack.dev/reference/methods). A method the code
 * calls that is missing here fails the test, so a new call cannot ship without its scope.
 */
const SCOPES_OF: Record<string, string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  // files.getUploadURLExternal + files.completeUploadExternal
  filesUploadV2: ['files:write'],
  'pins.add': ['pins:write'],
  'users.list': ['users:read'],
  'users.info': ['users:read'],
  'usergroups.users.list': ['usergroups:read'],
  // The pinned-by-reaction message is read back; public and private channels.
  'conversations.history': ['channels:history', 'groups:history'],
  // Default types=public_channel.
  'conversations.list': ['channels:read'],
  // Channel names in postmortems; a private channel (groups:read, not asked for) shows as its id.
  'conversations.info': ['channels:read'],
  'auth.test': [],
};
const EVENT_SCOPES: Record<string, string[]> = { reaction_added: ['reactions:read'] };

const chatSource = readdirSync(join(root, 'src', 'chat'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => readFileSync(join(root, 'src', 'chat', f), 'utf8'))
  .join('\n');

function calledMethods(): string[] {
  const found = new Set<string>();
  for (const m of chatSource.matchAll(/\bclient\.((?:[a-z]+\.)+[a-zA-Z]+)\(/g)) found.add(m[1]);
  for (const m of chatSource.matchAll(/\bclient\.(filesUploadV2|apiCall)\(/g)) found.add(m[1]);
  return [...found].sort();
}

type Manifest = {
  features: { slash_commands: { command: string; url?: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url?: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url?: string }; socket_mode_enabled: boolean };
};
const http = parse(readFileSync(join(root, 'deploy', 'slack-app-manifest.yaml'), 'utf8')) as Manifest;
const socket = parse(readFileSync(join(root, 'deploy', 'slack-app-manifest.socket-mode.yaml'), 'utf8')) as Manifest;

describe('Slack app manifest', () => {
  it('every Web API method the bot calls has a known scope', () => {
    const methods = calledMethods();
    expect(methods).toEqual(expect.arrayContaining(['chat.postMessage', 'filesUploadV2']));
    expect(methods.filter((m) => !(m in SCOPES_OF))).toEqual([]);
  });

  it('asks for exactly the bot scopes those methods, the subscribed events and slash commands need', () => {
    const events = [...chatSource.matchAll(/app\.event\('([a-z_]+)'/g)].map((m) => m[1]);
    expect(events.filter((e) => !(e in EVENT_SCOPES))).toEqual([]);
    const needed = new Set(['commands', ...calledMethods().flatMap((m) => SCOPES_OF[m]), ...events.flatMap((e) => EVENT_SCOPES[e])]);
    for (const manifest of [http, socket]) {
      expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
      expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...events].sort());
    }
  });

  it('declares the commands the bot handles, all at /slack/events over HTTP, none in Socket Mode', () => {
    const handled = /for \(const name of \[([^\]]+)\]\)\s*\{\s*app\.command/.exec(chatSource)?.[1].match(/\/[a-z0-9]+/g);
    expect(handled).toEqual(['/k8s', '/incident']);
    expect(chatSource).toContain("endpoints: '/slack/events'");
    expect(http.features.slash_commands.map((c) => c.command)).toEqual(handled);
    expect(socket.features.slash_commands.map((c) => c.command)).toEqual(handled);
    const urls = [...http.features.slash_commands.map((c) => c.url), http.settings.event_subscriptions.request_url, http.settings.interactivity.request_url];
    for (const url of urls) expect(url).toBe('https://YOUR-HOST/slack/events');
    expect(http.settings).toMatchObject({ socket_mode_enabled: false, interactivity: { is_enabled: true } });
    expect(socket.settings).toMatchObject({ socket_mode_enabled: true, interactivity: { is_enabled: true } });
    expect(JSON.stringify(socket)).not.toContain('YOUR-HOST');
  });
});
