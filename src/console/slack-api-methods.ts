import { randomBytes } from 'node:crypto';
import { type ApiArgs, blocksArg, bool, int, json, required, str } from './api-args.js';
import { checkMessageContent } from './message-content.js';
import { compareTs } from './message-ts.js';
import type { SlackChannel, SlackMessage, SlackUser } from './slack-objects.js';
import { SlackMethodFailure } from './slack-method-failure.js';
import type { Workspace } from './workspace.js';
import { LocalWorkspace } from './workspace-defaults.js';

/** One Web API method: parsed arguments in, the response body's fields (besides `ok`) out. */
export type MethodHandler = (args: ApiArgs) => Record<string, unknown>;

/**
 * The Web API methods sitrep uses, with Slack's arguments, result shapes and error strings.
 * `uploads` maps an upload URL's secret to its file id; the server owns the URL itself.
 */
export function slackApiMethods(ws: Workspace, uploads: Map<string, string>): Record<string, MethodHandler> {
  const id = LocalWorkspace;

  const permalink = (channel: string, message: SlackMessage) => {
    const base = `${ws.origin}/archives/${channel}/p${message.ts.replace('.', '')}`;
    const reply = message.thread_ts && message.thread_ts !== message.ts;
    return reply ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}` : base;
  };

  return {
    'api.test': (args) => ({ args }),

    'auth.test': () => ({
      url: `https://${id.teamDomain}.slack.com/`,
      team: id.teamName,
      user: id.botName,
      team_id: id.teamId,
      user_id: id.botUserId,
      bot_id: id.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const channel = required(str(args, 'channel'), 'channel_not_found');
      const text = str(args, 'text');
      const blocks = blocksArg(args);
      checkMessageContent(text, blocks, { requireContent: true });
      const metadata = json(args, 'metadata', 'invalid_metadata_format');
      const threadTs = str(args, 'thread_ts');
      const posted = ws.postMessage({
        channel,
        ...(text !== undefined ? { text } : {}),
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { threadTs } : {}),
        ...(bool(args, 'reply_broadcast') ? { replyBroadcast: true } : {}),
        ...(metadata !== undefined ? { metadata } : {}),
      });
      return { channel: posted.channel, ts: posted.message.ts, message: posted.message };
    },

    'chat.update': (args) => {
      const channel = required(str(args, 'channel'), 'channel_not_found');
      const ts = required(str(args, 'ts'), 'message_not_found');
      const text = str(args, 'text');
      const blocks = blocksArg(args);
      // Omitted text or blocks keep their old value (as in Slack); the result must still show something.
      const existing = ws.message(ws.resolveChannel(channel).id, ts);
      if (!existing) throw new SlackMethodFailure('message_not_found');
      checkMessageContent(text ?? existing.text, blocks ?? existing.blocks, { requireContent: true });
      const updated = ws.updateMessage(channel, ts, {
        ...(text !== undefined ? { text } : {}),
        ...(blocks ? { blocks } : {}),
      });
      return { channel: updated.channel, ts, text: updated.message.text, message: updated.message };
    },

    'chat.postEphemeral': (args) => {
      const channel = required(str(args, 'channel'), 'channel_not_found');
      const user = required(str(args, 'user'), 'user_not_found');
      const text = str(args, 'text');
      const blocks = blocksArg(args);
      checkMessageContent(text, blocks, { requireContent: true });
      const threadTs = str(args, 'thread_ts');
      const posted = ws.postEphemeral({
        channel, user,
        ...(text !== undefined ? { text } : {}),
        ...(blocks ? { blocks } : {}),
        ...(threadTs ? { threadTs } : {}),
      });
      return { message_ts: posted.message.ts };
    },

    'chat.delete': (args) => {
      const channel = required(str(args, 'channel'), 'channel_not_found');
      const ts = required(str(args, 'ts'), 'message_not_found');
      return ws.deleteMessage(channel, ts);
    },

    'chat.getPermalink': (args) => {
      const channel = ws.resolveChannel(required(str(args, 'channel'), 'channel_not_found')).id;
      const message = ws.message(channel, required(str(args, 'message_ts'), 'message_not_found'));
      if (!message) throw new SlackMethodFailure('message_not_found');
      return { channel, permalink: permalink(channel, message) };
    },

    'conversations.info': (args) => {
      const info = ws.resolveChannel(required(str(args, 'channel'), 'channel_not_found'));
      return { channel: channelObject(info, ws) };
    },

    // https://api.slack.com/methods/conversations.list: `types` defaults to public_channel;
    // DMs are listed only when asked for (im).
    'conversations.list': (args) => {
      const types = new Set((str(args, 'types') ?? 'public_channel').split(',').map((t) => t.trim()));
      const channels = ws.allChannels().filter((c) => (c.isIm ? types.has('im') : c.isPrivate ? types.has('private_channel') : types.has('public_channel')));
      return page(channels.map((c) => channelObject(c, ws)), args, 'channels', {});
    },

    'conversations.open': (args) => {
      const users = required(str(args, 'users'), 'users_list_not_supplied').split(',');
      if (users.length !== 1) throw new SlackMethodFailure('not_implemented');
      const channelId = ws.dmChannel(users[0]);
      return { channel: { id: channelId } };
    },

    'conversations.members': (args) => {
      const info = ws.resolveChannel(required(str(args, 'channel'), 'channel_not_found'));
      const members = ws.allUsers().map((u) => u.id).filter((u) => ws.isMember(info.id, u));
      return { members, response_metadata: { next_cursor: '' } };
    },

    'conversations.history': (args) => {
      const info = ws.resolveChannel(required(str(args, 'channel'), 'channel_not_found'));
      const newestFirst = ws.messages(info.id).reverse();
      return page(filterRange(newestFirst, args), args, 'messages', { pin_count: ws.pins(info.id).length });
    },

    'conversations.replies': (args) => {
      const info = ws.resolveChannel(required(str(args, 'channel'), 'channel_not_found'));
      const thread = ws.replies(info.id, required(str(args, 'ts'), 'thread_not_found'));
      if (!thread.length) throw new SlackMethodFailure('thread_not_found');
      return page(filterRange(thread, args), args, 'messages', {});
    },

    'users.info': (args) => {
      const user = ws.user(required(str(args, 'user'), 'user_not_found'));
      if (!user) throw new SlackMethodFailure('user_not_found');
      return { user: userObject(user) };
    },

    'users.list': () => ({ members: ws.allUsers().map(userObject), response_metadata: { next_cursor: '' } }),

    'usergroups.list': (args) => ({
      usergroups: ws.allUsergroups().map((g) => ({
        id: g.id, team_id: id.teamId, is_usergroup: true, name: g.name ?? g.handle, handle: g.handle,
        user_count: g.users.length, ...(bool(args, 'include_users') ? { users: g.users } : {}),
      })),
    }),

    'usergroups.users.list': (args) => {
      const group = ws.usergroup(required(str(args, 'usergroup'), 'no_such_subteam'));
      if (!group) throw new SlackMethodFailure('no_such_subteam');
      return { users: group.users };
    },

    'usergroups.users.update': (args) => {
      const users = required(str(args, 'users'), 'invalid_users').split(',').map((u) => u.trim()).filter(Boolean);
      for (const u of users) if (!ws.user(u)) throw new SlackMethodFailure('invalid_users');
      const group = ws.setUsergroupUsers(required(str(args, 'usergroup'), 'no_such_subteam'), users);
      if (!group) throw new SlackMethodFailure('no_such_subteam');
      return { usergroup: { id: group.id, team_id: id.teamId, handle: group.handle, name: group.name ?? group.handle, users: group.users, user_count: group.users.length } };
    },

    'pins.add': (args) => {
      ws.addPin(required(str(args, 'channel'), 'channel_not_found'), required(str(args, 'timestamp'), 'no_item_specified'));
      return {};
    },

    'reactions.add': (args) => {
      ws.addReaction(
        required(str(args, 'channel'), 'channel_not_found'),
        required(str(args, 'timestamp'), 'no_item_specified'),
        id.botUserId,
        required(str(args, 'name'), 'invalid_name'),
      );
      return {};
    },

    'files.getUploadURLExternal': (args) => {
      const filename = required(str(args, 'filename'), 'invalid_arguments');
      const length = int(args, 'length');
      if (length === undefined || length < 0) throw new SlackMethodFailure('invalid_arguments');
      const altText = str(args, 'alt_txt') ?? str(args, 'alt_text');
      const snippetType = str(args, 'snippet_type');
      const file = ws.createFile({ filename, length, ...(altText ? { altText } : {}), ...(snippetType ? { snippetType } : {}) });
      const secret = randomBytes(16).toString('base64url');
      uploads.set(secret, file.id);
      return { upload_url: `${ws.origin}/upload/v1/${secret}`, file_id: file.id };
    },

    'files.completeUploadExternal': (args) => {
      const files = json(args, 'files', 'invalid_arguments');
      if (!Array.isArray(files) || files.length === 0) throw new SlackMethodFailure('invalid_arguments');
      const list = files.map((f) => {
        if (typeof f !== 'object' || f === null || Array.isArray(f) || typeof f.id !== 'string') throw new SlackMethodFailure('invalid_arguments');
        return { id: f.id, ...(typeof f.title === 'string' ? { title: f.title } : {}) };
      });
      const channel = str(args, 'channel_id') ?? str(args, 'channels');
      const threadTs = str(args, 'thread_ts');
      const comment = str(args, 'initial_comment');
      const blocks = blocksArg(args);
      checkMessageContent(comment, blocks, { requireContent: false });
      const done = ws.completeUpload({
        files: list,
        ...(channel ? { channel } : {}),
        ...(threadTs ? { threadTs } : {}),
        ...(comment !== undefined ? { text: comment } : {}),
        ...(blocks ? { blocks } : {}),
      });
      return { files: done.files.map((f) => ({ id: f.id, title: f.title })) };
    },

    'files.info': (args) => {
      const file = ws.file(required(str(args, 'file'), 'file_not_found'));
      if (!file) throw new SlackMethodFailure('file_not_found');
      const { content: _content, ...object } = file;
      return { file: object };
    },
  };
}

function channelObject(c: SlackChannel, ws: Workspace): Record<string, unknown> {
  const created = ws.channel(c.id)?.created ?? 0;
  if (c.isIm) return { id: c.id, created, is_im: true, is_org_shared: false, user: c.imUser, is_open: true };
  return {
    id: c.id, name: c.name, name_normalized: c.name, created,
    is_channel: !c.isPrivate, is_group: Boolean(c.isPrivate), is_im: false, is_mpim: false,
    is_private: Boolean(c.isPrivate), is_archived: false, is_general: false, is_shared: false,
    is_ext_shared: false, is_org_shared: false, is_member: true,
    topic: { value: c.topic ?? '', creator: '', last_set: 0 },
    purpose: { value: c.purpose ?? '', creator: '', last_set: 0 },
  };
}

function userObject(u: SlackUser): Record<string, unknown> {
  const tz = u.tz ?? 'UTC';
  return {
    id: u.id, team_id: LocalWorkspace.teamId, name: u.name, deleted: Boolean(u.deleted),
    real_name: u.realName ?? u.name, tz, tz_label: tz, tz_offset: 0,
    is_admin: Boolean(u.isAdmin), is_owner: false, is_bot: Boolean(u.isBot), is_app_user: false,
    is_restricted: Boolean(u.isRestricted || u.isUltraRestricted), is_ultra_restricted: Boolean(u.isUltraRestricted),
    profile: {
      real_name: u.realName ?? u.name, display_name: u.displayName ?? u.name,
      real_name_normalized: u.realName ?? u.name, display_name_normalized: u.displayName ?? u.name,
      ...(u.email ? { email: u.email } : {}), team: LocalWorkspace.teamId,
    },
  };
}

/** `oldest` / `latest` / `inclusive`, as conversations.history and .replies apply them. */
function filterRange(messages: SlackMessage[], args: ApiArgs): SlackMessage[] {
  const oldest = str(args, 'oldest');
  const latest = str(args, 'latest');
  const inclusive = bool(args, 'inclusive') ?? false;
  return messages.filter((m) => {
    if (oldest && (inclusive ? compareTs(m.ts, oldest) < 0 : compareTs(m.ts, oldest) <= 0)) return false;
    if (latest && (inclusive ? compareTs(m.ts, latest) > 0 : compareTs(m.ts, latest) >= 0)) return false;
    return true;
  });
}

/** Cursor pagination; the cursor is an opaque offset, as opaque to the caller as Slack's. */
function page(items: readonly unknown[], args: ApiArgs, key: string, extra: Record<string, unknown>): Record<string, unknown> {
  const limit = Math.min(Math.max(int(args, 'limit') ?? 100, 1), 1000);
  const cursor = str(args, 'cursor');
  const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString().replace(/^offset:/, '')) || 0 : 0;
  const slice = items.slice(offset, offset + limit);
  const more = offset + limit < items.length;
  return {
    [key]: slice,
    has_more: more,
    ...extra,
    response_metadata: { next_cursor: more ? Buffer.from(`offset:${offset + limit}`).toString('base64url') : '' },
  };
}
