import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../core/clock.js';
import { withBlockIds } from './block-kit-validation.js';
import { MessageTs } from './message-ts.js';
import type {
  Block, Json, SlackChannel, SlackEphemeral, SlackFileObject, SlackMessage, SlackUser, SlackUsergroup,
} from './slack-objects.js';
import { SlackMethodFailure } from './slack-method-failure.js';
import { LocalWorkspace, defaultChannels, defaultUsergroups, defaultUsers } from './workspace-defaults.js';

/** What changed in the workspace; the browser console renders from this stream. */
export type WorkspaceChange =
  | { kind: 'message_posted'; channel: string; message: SlackMessage }
  | { kind: 'message_updated'; channel: string; message: SlackMessage; previous: SlackMessage }
  | { kind: 'message_deleted'; channel: string; ts: string; previous: SlackMessage }
  | { kind: 'ephemeral_posted'; channel: string; user: string; message: SlackEphemeral }
  | { kind: 'ephemeral_updated'; channel: string; user: string; message: SlackEphemeral; previous: SlackEphemeral }
  | { kind: 'ephemeral_deleted'; channel: string; user: string; ts: string }
  | { kind: 'file_uploaded'; file: SlackFileObject }
  | { kind: 'file_shared'; file: SlackFileObject; channel: string; ts: string }
  | { kind: 'reaction_added'; channel: string; ts: string; user: string; name: string }
  | { kind: 'pin_added'; channel: string; ts: string; user: string };

export interface WorkspaceOptions {
  /** `http://127.0.0.1:PORT` of the server, for file URLs and permalinks. */
  origin: string;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** @defaultValue defaultUsers (alice, bob, carol, dave) */
  users?: readonly SlackUser[];
  /** @defaultValue defaultChannels (#ops, #incidents, #postmortems) */
  channels?: readonly SlackChannel[];
  /** @defaultValue defaultUsergroups (@oncall, @sre) */
  usergroups?: readonly SlackUsergroup[];
}

/** New message content; `blocks: undefined` means none (post) or keep the old ones (update). */
export interface MessageContent {
  text?: string;
  blocks?: Block[];
}

interface ChannelState {
  info: SlackChannel;
  created: number;
  /** History and thread replies together, in ts order (ts only grows, so append keeps order). */
  messages: SlackMessage[];
  ephemerals: SlackEphemeral[];
}

interface StoredFile {
  object: SlackFileObject;
  declaredLength: number;
  content?: Buffer;
}

/** A file with its bytes, for downloads and tests. */
export interface WorkspaceFile extends SlackFileObject {
  content: Buffer | undefined;
}

const FILETYPES: Record<string, { filetype: string; mimetype: string; pretty: string }> = {
  md: { filetype: 'markdown', mimetype: 'text/markdown', pretty: 'Markdown (raw)' },
  markdown: { filetype: 'markdown', mimetype: 'text/markdown', pretty: 'Markdown (raw)' },
  json: { filetype: 'json', mimetype: 'application/json', pretty: 'JSON' },
  txt: { filetype: 'text', mimetype: 'text/plain', pretty: 'Plain Text' },
  log: { filetype: 'text', mimetype: 'text/plain', pretty: 'Plain Text' },
  yaml: { filetype: 'yaml', mimetype: 'application/x-yaml', pretty: 'YAML' },
  yml: { filetype: 'yaml', mimetype: 'application/x-yaml', pretty: 'YAML' },
  csv: { filetype: 'csv', mimetype: 'text/csv', pretty: 'CSV' },
  html: { filetype: 'html', mimetype: 'text/html', pretty: 'HTML' },
  png: { filetype: 'png', mimetype: 'image/png', pretty: 'PNG' },
  pdf: { filetype: 'pdf', mimetype: 'application/pdf', pretty: 'PDF' },
};

/**
 * The in-memory Slack workspace behind the Web API stand-in: channels with history and threads,
 * per-user ephemeral messages, files, reactions and pins. It enforces what Slack enforces on the
 * model (unknown channel, message not found, cannot edit someone else's message) and emits one
 * `change` per mutation. Getters hand out copies, so a caller cannot change history by accident.
 */
export class Workspace extends EventEmitter<{ change: [WorkspaceChange] }> {
  readonly identity = LocalWorkspace;
  readonly origin: string;
  private readonly clock: Clock;
  private readonly ts: MessageTs;
  private readonly users = new Map<string, SlackUser>();
  private readonly usergroups = new Map<string, SlackUsergroup>();
  private readonly channels = new Map<string, ChannelState>();
  private readonly files = new Map<string, StoredFile>();
  private fileSeq = 0;

  constructor(options: WorkspaceOptions) {
    super();
    this.origin = options.origin.replace(/\/$/, '');
    this.clock = options.clock ?? systemClock;
    this.ts = new MessageTs(this.clock);
    this.users.set(LocalWorkspace.botUserId, { id: LocalWorkspace.botUserId, name: LocalWorkspace.botName, realName: 'sitrep', isBot: true });
    for (const u of options.users ?? defaultUsers) this.users.set(u.id, { ...u });
    for (const g of options.usergroups ?? defaultUsergroups) this.usergroups.set(g.id, { ...g, users: [...g.users] });
    for (const c of options.channels ?? defaultChannels) this.addChannel(c);
  }

  // ---- directory -------------------------------------------------------------------------

  addChannel(channel: SlackChannel): void {
    this.channels.set(channel.id, { info: { ...channel }, created: Math.floor(this.clock.now() / 1000), messages: [], ephemerals: [] });
  }

  user(id: string): SlackUser | undefined {
    const u = this.users.get(id);
    return u && { ...u };
  }

  allUsers(): SlackUser[] {
    return [...this.users.values()].map((u) => ({ ...u }));
  }

  usergroup(id: string): SlackUsergroup | undefined {
    const g = this.usergroups.get(id);
    return g && { ...g, users: [...g.users] };
  }

  /** Replaces a user group's members, as usergroups.users.update does (a Slack admin's change). */
  setUsergroupUsers(id: string, users: readonly string[]): SlackUsergroup | undefined {
    const g = this.usergroups.get(id);
    if (!g) return undefined;
    g.users = [...users];
    return { ...g, users: [...g.users] };
  }

  allUsergroups(): SlackUsergroup[] {
    return [...this.usergroups.values()].map((g) => ({ ...g, users: [...g.users] }));
  }

  channel(ref: string): (SlackChannel & { created: number }) | undefined {
    const state = this.findChannel(ref);
    return state && { ...state.info, created: state.created };
  }

  allChannels(): SlackChannel[] {
    return [...this.channels.values()].map((c) => ({ ...c.info }));
  }

  /** Is this user in the channel? Channels without a member list admit everyone. */
  isMember(channelId: string, userId: string): boolean {
    const state = this.channels.get(channelId);
    if (!state) return false;
    if (userId === LocalWorkspace.botUserId) return true;
    if (state.info.isIm) return state.info.imUser === userId;
    return state.info.members === undefined || state.info.members.includes(userId);
  }

  /**
   * The channel a `channel` argument names: an id, `#name` or `name`, or a user id, which (as
   * in Slack) means the bot's DM with that user, opened on first use.
   */
  resolveChannel(ref: string | undefined): SlackChannel {
    const state = ref ? this.findChannel(ref) ?? this.openDm(ref) : undefined;
    if (!state) throw new SlackMethodFailure('channel_not_found');
    return { ...state.info };
  }

  private findChannel(ref: string): ChannelState | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^#/, '');
    for (const c of this.channels.values()) if (!c.info.isIm && c.info.name === name) return c;
    return undefined;
  }

  private openDm(userId: string): ChannelState | undefined {
    const user = this.users.get(userId);
    if (!user || user.isBot) return undefined;
    const id = `D${userId.slice(1)}`;
    if (!this.channels.has(id)) this.addChannel({ id, name: user.name, isIm: true, imUser: userId });
    return this.channels.get(id);
  }

  /** The DM channel id for a user (opening it), as conversations.open returns. */
  dmChannel(userId: string): string {
    const state = this.openDm(userId);
    if (!state) throw new SlackMethodFailure('user_not_found');
    return state.info.id;
  }

  private state(channelId: string): ChannelState {
    const state = this.channels.get(channelId);
    if (!state) throw new SlackMethodFailure('channel_not_found');
    return state;
  }

  // ---- messages --------------------------------------------------------------------------

  /** Top-level history, oldest first (thread replies only when broadcast), as people see it. */
  messages(channel: string): SlackMessage[] {
    const state = this.findChannel(channel);
    if (!state) return [];
    return state.messages.filter(isTopLevel).map((m) => structuredClone(m));
  }

  /** A thread: the parent first, then replies oldest first. Empty if there is no such message. */
  replies(channel: string, threadTs: string): SlackMessage[] {
    const state = this.findChannel(channel);
    const parent = state?.messages.find((m) => m.ts === threadTs);
    if (!state || !parent) return [];
    const root = parent.thread_ts ?? parent.ts;
    return state.messages.filter((m) => m.ts === root || m.thread_ts === root).map((m) => structuredClone(m));
  }

  /** Any message, top-level or reply. */
  message(channel: string, ts: string): SlackMessage | undefined {
    const m = this.findChannel(channel)?.messages.find((x) => x.ts === ts);
    return m && structuredClone(m);
  }

  postMessage(input: MessageContent & {
    channel: string;
    /** The author; the bot unless a (simulated) person types. */
    user?: string;
    threadTs?: string;
    replyBroadcast?: boolean;
    files?: SlackFileObject[];
    metadata?: Json;
  }): { channel: string; message: SlackMessage } {
    const info = this.resolveChannel(input.channel);
    const state = this.state(info.id);
    const author = input.user ?? LocalWorkspace.botUserId;
    if (!this.users.has(author)) throw new SlackMethodFailure('user_not_found');
    let parent: SlackMessage | undefined;
    if (input.threadTs) {
      parent = state.messages.find((m) => m.ts === input.threadTs);
      if (!parent) throw new SlackMethodFailure('thread_not_found');
      // A reply to a reply joins the same thread, as in Slack.
      if (parent.thread_ts && parent.thread_ts !== parent.ts) parent = state.messages.find((m) => m.ts === parent!.thread_ts);
      if (!parent) throw new SlackMethodFailure('thread_not_found');
    }
    const message: SlackMessage = {
      type: 'message',
      ts: this.ts.next(),
      text: input.text ?? '',
      user: author,
      team: LocalWorkspace.teamId,
      ...(author === LocalWorkspace.botUserId ? { bot_id: LocalWorkspace.botId, app_id: LocalWorkspace.appId } : {}),
      ...(input.blocks ? { blocks: withBlockIds(input.blocks, newBlockId) } : {}),
      ...(input.files ? { files: structuredClone(input.files), upload: true } : {}),
      ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
    };
    if (parent) {
      message.thread_ts = parent.ts;
      message.parent_user_id = parent.user;
      if (input.replyBroadcast) message.subtype = 'thread_broadcast';
      parent.thread_ts = parent.ts;
      parent.reply_count = (parent.reply_count ?? 0) + 1;
      parent.reply_users = [...new Set([...(parent.reply_users ?? []), author])];
      parent.reply_users_count = parent.reply_users.length;
      parent.latest_reply = message.ts;
    }
    state.messages.push(message);
    this.emitChange({ kind: 'message_posted', channel: info.id, message: structuredClone(message) });
    return { channel: info.id, message: structuredClone(message) };
  }

  /**
   * chat.update semantics: text replaces when given; blocks replace when given (an empty array
   * removes them) and are kept otherwise. Only the bot's own messages may be edited by the bot.
   */
  updateMessage(channel: string, ts: string, content: MessageContent, editor: string = LocalWorkspace.botUserId): { channel: string; message: SlackMessage } {
    const info = this.resolveChannel(channel);
    const state = this.state(info.id);
    const message = state.messages.find((m) => m.ts === ts);
    if (!message) throw new SlackMethodFailure('message_not_found');
    if (message.user !== editor) throw new SlackMethodFailure('cant_update_message');
    const previous = structuredClone(message);
    if (content.text !== undefined) message.text = content.text;
    if (content.blocks !== undefined) {
      if (content.blocks.length === 0) delete message.blocks;
      else message.blocks = withBlockIds(content.blocks, newBlockId);
    }
    message.edited = { user: editor, ts: this.ts.next() };
    this.emitChange({ kind: 'message_updated', channel: info.id, message: structuredClone(message), previous });
    return { channel: info.id, message: structuredClone(message) };
  }

  deleteMessage(channel: string, ts: string, actor: string = LocalWorkspace.botUserId): { channel: string; ts: string } {
    const info = this.resolveChannel(channel);
    const state = this.state(info.id);
    const index = state.messages.findIndex((m) => m.ts === ts);
    if (index < 0) throw new SlackMethodFailure('message_not_found');
    const message = state.messages[index];
    if (message.user !== actor) throw new SlackMethodFailure('cant_delete_message');
    state.messages.splice(index, 1);
    if (message.thread_ts && message.thread_ts !== message.ts) {
      const parent = state.messages.find((m) => m.ts === message.thread_ts);
      if (parent) {
        const rest = state.messages.filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts);
        parent.reply_count = rest.length;
        parent.reply_users = [...new Set(rest.map((m) => m.user))];
        parent.reply_users_count = parent.reply_users.length;
        if (rest.length) parent.latest_reply = rest[rest.length - 1].ts;
        else delete parent.latest_reply;
      }
    }
    this.emitChange({ kind: 'message_deleted', channel: info.id, ts, previous: structuredClone(message) });
    return { channel: info.id, ts };
  }

  // ---- ephemeral -------------------------------------------------------------------------

  /** Ephemeral messages one user sees in a channel, oldest first. */
  ephemerals(channel: string, user: string): SlackEphemeral[] {
    const state = this.findChannel(channel);
    return (state?.ephemerals ?? []).filter((e) => e.recipient === user).map((e) => structuredClone(e));
  }

  postEphemeral(input: MessageContent & { channel: string; user: string; threadTs?: string }): { channel: string; message: SlackEphemeral } {
    const info = this.resolveChannel(input.channel);
    if (!this.users.has(input.user)) throw new SlackMethodFailure('user_not_found');
    if (!this.isMember(info.id, input.user)) throw new SlackMethodFailure('user_not_in_channel');
    const message: SlackEphemeral = {
      type: 'message',
      ts: this.ts.next(),
      recipient: input.user,
      text: input.text ?? '',
      user: LocalWorkspace.botUserId,
      bot_id: LocalWorkspace.botId,
      ...(input.blocks ? { blocks: withBlockIds(input.blocks, newBlockId) } : {}),
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    };
    this.state(info.id).ephemerals.push(message);
    this.emitChange({ kind: 'ephemeral_posted', channel: info.id, user: input.user, message: structuredClone(message) });
    return { channel: info.id, message: structuredClone(message) };
  }

  /** Rewrites an ephemeral message in place (only a response_url can do this in Slack). */
  replaceEphemeral(channel: string, user: string, ts: string, content: MessageContent): SlackEphemeral {
    const state = this.state(this.resolveChannel(channel).id);
    const message = state.ephemerals.find((e) => e.recipient === user && e.ts === ts);
    if (!message) throw new SlackMethodFailure('message_not_found');
    const previous = structuredClone(message);
    message.text = content.text ?? '';
    if (content.blocks?.length) message.blocks = withBlockIds(content.blocks, newBlockId);
    else delete message.blocks;
    message.replaced = true;
    this.emitChange({ kind: 'ephemeral_updated', channel: state.info.id, user, message: structuredClone(message), previous });
    return structuredClone(message);
  }

  deleteEphemeral(channel: string, user: string, ts: string): void {
    const state = this.state(this.resolveChannel(channel).id);
    const index = state.ephemerals.findIndex((e) => e.recipient === user && e.ts === ts);
    if (index < 0) throw new SlackMethodFailure('message_not_found');
    state.ephemerals.splice(index, 1);
    this.emitChange({ kind: 'ephemeral_deleted', channel: state.info.id, user, ts });
  }

  // ---- reactions and pins ----------------------------------------------------------------

  addReaction(channel: string, ts: string, user: string, name: string): void {
    const info = this.resolveChannel(channel);
    const message = this.state(info.id).messages.find((m) => m.ts === ts);
    if (!message) throw new SlackMethodFailure('message_not_found');
    const clean = name.replace(/^:|:$/g, '');
    if (!/^[a-z0-9_+'-]+(::skin-tone-[2-6])?$/.test(clean)) throw new SlackMethodFailure('invalid_name');
    const reactions = (message.reactions ??= []);
    let reaction = reactions.find((r) => r.name === clean);
    if (reaction?.users.includes(user)) throw new SlackMethodFailure('already_reacted');
    if (!reaction) reactions.push((reaction = { name: clean, users: [], count: 0 }));
    reaction.users.push(user);
    reaction.count = reaction.users.length;
    this.emitChange({ kind: 'reaction_added', channel: info.id, ts, user, name: clean });
  }

  addPin(channel: string, ts: string, user: string = LocalWorkspace.botUserId): void {
    const info = this.resolveChannel(channel);
    const message = this.state(info.id).messages.find((m) => m.ts === ts);
    if (!message) throw new SlackMethodFailure('message_not_found');
    if (message.pinned_to?.includes(info.id)) throw new SlackMethodFailure('already_pinned');
    message.pinned_to = [...(message.pinned_to ?? []), info.id];
    this.emitChange({ kind: 'pin_added', channel: info.id, ts, user });
  }

  /** Pinned messages of a channel, oldest first. */
  pins(channel: string): SlackMessage[] {
    const state = this.findChannel(channel);
    return (state?.messages ?? []).filter((m) => m.pinned_to?.includes(state!.info.id)).map((m) => structuredClone(m));
  }

  // ---- files -----------------------------------------------------------------------------

  /** Step 1 of an upload: reserve an id; the bytes arrive at the upload URL later. */
  createFile(input: { filename: string; length: number; title?: string; altText?: string; snippetType?: string; user?: string }): SlackFileObject {
    const id = `F${String(++this.fileSeq).padStart(9, '0')}${randomBytes(2).toString('hex').toUpperCase()}`;
    const ext = /\.([A-Za-z0-9]+)$/.exec(input.filename)?.[1]?.toLowerCase() ?? '';
    const type = (input.snippetType ? FILETYPES[input.snippetType] : undefined) ?? FILETYPES[ext] ?? { filetype: 'binary', mimetype: 'application/octet-stream', pretty: 'Binary' };
    const user = input.user ?? LocalWorkspace.botUserId;
    const now = Math.floor(this.clock.now() / 1000);
    const name = encodeURIComponent(input.filename);
    const object: SlackFileObject = {
      id,
      created: now,
      timestamp: now,
      name: input.filename,
      title: input.title ?? input.filename,
      mimetype: type.mimetype,
      filetype: type.filetype,
      pretty_type: type.pretty,
      user,
      size: input.length,
      mode: 'hosted',
      is_external: false,
      is_public: false,
      url_private: `${this.origin}/files-pri/${LocalWorkspace.teamId}-${id}/${name}`,
      url_private_download: `${this.origin}/files-pri/${LocalWorkspace.teamId}-${id}/download/${name}`,
      permalink: `${this.origin}/files/${user}/${id}/${name}`,
      permalink_public: `${this.origin}/files/${user}/${id}/${name}`,
      channels: [],
      ...(input.altText ? { alt_txt: input.altText } : {}),
    };
    this.files.set(id, { object, declaredLength: input.length });
    return structuredClone(object);
  }

  /** Step 2: the bytes. Only once per file, as Slack's upload URLs are single-use. */
  receiveUpload(fileId: string, content: Buffer): SlackFileObject {
    const stored = this.files.get(fileId);
    if (!stored) throw new SlackMethodFailure('file_not_found');
    if (stored.content) throw new SlackMethodFailure('already_uploaded');
    stored.content = content;
    stored.object.size = content.length;
    this.emitChange({ kind: 'file_uploaded', file: structuredClone(stored.object) });
    return structuredClone(stored.object);
  }

  /**
   * Step 3: complete the upload, set titles, and share the files into a channel (or thread) in
   * one message carrying `initial_comment` as its text. Without a channel they stay private.
   */
  completeUpload(input: MessageContent & {
    files: { id: string; title?: string }[];
    channel?: string;
    threadTs?: string;
  }): { files: SlackFileObject[]; message?: { channel: string; message: SlackMessage } } {
    const stored = input.files.map((f) => {
      const s = this.files.get(f.id);
      if (!s || !s.content) throw new SlackMethodFailure('file_not_found');
      return { s, title: f.title };
    });
    const info = input.channel ? this.resolveChannel(input.channel) : undefined;
    for (const { s, title } of stored) if (title) s.object.title = title;
    if (!info) return { files: stored.map(({ s }) => structuredClone(s.object)) };
    const posted = this.postMessage({
      channel: info.id,
      text: input.text ?? '',
      ...(input.blocks ? { blocks: input.blocks } : {}),
      ...(input.threadTs ? { threadTs: input.threadTs } : {}),
      files: stored.map(({ s }) => s.object),
    });
    for (const { s } of stored) {
      const obj = s.object;
      obj.channels = [...new Set([...obj.channels, info.id])];
      obj.is_public = !info.isPrivate && !info.isIm;
      const share = { ts: posted.message.ts, channel_name: info.name, ...(posted.message.thread_ts ? { thread_ts: posted.message.thread_ts } : {}) };
      obj.shares = { public: { ...(obj.shares?.public ?? {}), [info.id]: [...(obj.shares?.public?.[info.id] ?? []), share] } };
      this.emitChange({ kind: 'file_shared', file: structuredClone(obj), channel: info.id, ts: posted.message.ts });
    }
    // The message carries the files as they are after sharing, as history shows them.
    const message = this.findChannel(info.id)!.messages.find((m) => m.ts === posted.message.ts)!;
    message.files = stored.map(({ s }) => structuredClone(s.object));
    return { files: stored.map(({ s }) => structuredClone(s.object)), message: { channel: info.id, message: structuredClone(message) } };
  }

  /** A file with its bytes (undefined content until the upload arrives). */
  file(id: string): WorkspaceFile | undefined {
    const s = this.files.get(id);
    return s && { ...structuredClone(s.object), content: s.content };
  }

  allFiles(): SlackFileObject[] {
    return [...this.files.values()].map((s) => structuredClone(s.object));
  }

  private emitChange(change: WorkspaceChange): void {
    this.emit('change', change);
  }
}

function isTopLevel(m: SlackMessage): boolean {
  return !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast';
}

/** Slack-style short block ids (Slack generates 4–5 url-safe characters). */
function newBlockId(): string {
  return randomBytes(4).toString('base64url').slice(0, 5);
}
