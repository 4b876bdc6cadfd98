/**
 * The Slack objects the local workspace holds, in the snake_case wire shape the Web API returns,
 * so a handler can hand them out as JSON without a mapping layer that could drift from Slack's.
 */

/** A JSON value as Slack sends and stores it (blocks, metadata). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One Block Kit block; kept as plain JSON because Slack stores what the app sent. */
export type Block = { [key: string]: Json };

/** A person (or bot) in the workspace, as configured for the stand-in. */
export interface SlackUser {
  id: string;
  /** The handle, e.g. `alice`. */
  name: string;
  realName?: string;
  displayName?: string;
  email?: string;
  isBot?: boolean;
  isAdmin?: boolean;
  /** IANA zone, e.g. `Europe/Berlin`. @defaultValue 'UTC' */
  tz?: string;
  deleted?: boolean;
  /** A multi-channel guest (users.info `is_restricted`). */
  isRestricted?: boolean;
  /** A single-channel guest (users.info `is_ultra_restricted`). */
  isUltraRestricted?: boolean;
}

/** A conversation: public or private channel, or a DM (`D…`) the stand-in opens on demand. */
export interface SlackChannel {
  id: string;
  /** Without the `#`. */
  name: string;
  isPrivate?: boolean;
  isIm?: boolean;
  /** The other party of a DM. */
  imUser?: string;
  /** User ids in the channel; undefined means everyone, which suits a demo workspace. */
  members?: string[];
  topic?: string;
  purpose?: string;
}

/** A user group (`S…`), which policies may name as approvers. */
export interface SlackUsergroup {
  id: string;
  /** Mention handle without the `@`, e.g. `oncall`. */
  handle: string;
  name?: string;
  users: string[];
}

export interface SlackReaction {
  name: string;
  users: string[];
  count: number;
}

/** A file as Slack lists it (no content; download it from `url_private` or `permalink`). */
export interface SlackFileObject {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  size: number;
  mode: 'hosted' | 'snippet';
  is_external: false;
  is_public: boolean;
  url_private: string;
  url_private_download: string;
  permalink: string;
  permalink_public: string;
  channels: string[];
  shares?: { public?: Record<string, { ts: string; thread_ts?: string; channel_name: string }[]> };
  alt_txt?: string;
}

/** A message in a channel's history or a thread. */
export interface SlackMessage {
  type: 'message';
  ts: string;
  text: string;
  user: string;
  team: string;
  blocks?: Block[];
  bot_id?: string;
  app_id?: string;
  subtype?: 'thread_broadcast' | 'bot_message' | 'tombstone';
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users?: string[];
  reply_users_count?: number;
  latest_reply?: string;
  edited?: { user: string; ts: string };
  files?: SlackFileObject[];
  upload?: boolean;
  reactions?: SlackReaction[];
  pinned_to?: string[];
  metadata?: Json;
}

/** A message only one user sees; never in history, cannot be edited with chat.update. */
export interface SlackEphemeral {
  type: 'message';
  ts: string;
  /** The one user who sees it. */
  recipient: string;
  text: string;
  blocks?: Block[];
  user: string;
  bot_id?: string;
  thread_ts?: string;
  /** Set when a response_url with `replace_original` rewrote it. */
  replaced?: boolean;
}
