import type { SlackChannel, SlackEphemeral, SlackMessage, SlackUser, SlackUsergroup } from './slack-objects.js';
import type { Workspace, WorkspaceChange } from './workspace.js';
import { LocalWorkspace } from './workspace-defaults.js';

/**
 * What the console page receives over its event stream: first one `state` with everything it
 * may show to one person, then small updates. Updates always carry the message as it is now
 * (read back from the workspace), not the change that produced it, so a page that missed nothing
 * holds exactly what a Slack client would show, and thread counts and file shares stay right.
 */
export type FeedEvent =
  | { type: 'state'; state: ConsoleState }
  | { type: 'message'; channel: string; message: SlackMessage }
  | { type: 'deleted'; channel: string; ts: string }
  | { type: 'ephemeral'; channel: string; message: SlackEphemeral }
  | { type: 'ephemeral_deleted'; channel: string; ts: string };

/** Everything one person sees when the page (re)connects. */
export interface ConsoleState {
  /** The person the page acts as. */
  me: string;
  team: { id: string; name: string; domain: string };
  bot: { userId: string; name: string };
  users: SlackUser[];
  usergroups: SlackUsergroup[];
  channels: SlackChannel[];
  /** Per channel id: top-level messages and thread replies together, oldest first. */
  messages: Record<string, SlackMessage[]>;
  /** Per channel id: the ephemeral messages `me` has received there, oldest first. */
  ephemerals: Record<string, SlackEphemeral[]>;
  /** Whether the page should poll the cluster panel. */
  cluster: boolean;
}

/** The whole visible workspace for `me`; DMs are left out (the page shows channels only). */
export function consoleState(workspace: Workspace, me: string, cluster: boolean): ConsoleState {
  const channels = workspace.allChannels().filter((c) => !c.isIm);
  const messages: Record<string, SlackMessage[]> = {};
  const ephemerals: Record<string, SlackEphemeral[]> = {};
  for (const c of channels) {
    messages[c.id] = allMessages(workspace, c.id);
    ephemerals[c.id] = workspace.ephemerals(c.id, me);
  }
  return {
    me,
    team: { id: LocalWorkspace.teamId, name: LocalWorkspace.teamName, domain: LocalWorkspace.teamDomain },
    bot: { userId: LocalWorkspace.botUserId, name: LocalWorkspace.botName },
    users: workspace.allUsers().filter((u) => !u.deleted),
    usergroups: workspace.allUsergroups(),
    channels,
    messages,
    ephemerals,
    cluster,
  };
}

/** Top-level history plus every thread's replies, in ts order, each message once. */
function allMessages(workspace: Workspace, channel: string): SlackMessage[] {
  const byTs = new Map<string, SlackMessage>();
  for (const m of workspace.messages(channel)) {
    byTs.set(m.ts, m);
    if (m.reply_count) for (const r of workspace.replies(channel, m.ts)) byTs.set(r.ts, r);
  }
  return [...byTs.values()].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
}

/** The page events one workspace change means for `me` (none for changes `me` cannot see). */
export function feedEventsFor(workspace: Workspace, change: WorkspaceChange, me: string): FeedEvent[] {
  const current = (channel: string, ts: string): FeedEvent[] => {
    const message = workspace.message(channel, ts);
    return message ? [{ type: 'message', channel, message }] : [];
  };
  // A reply changes its parent too (reply count, latest reply), which the workspace does not
  // report as a change of its own.
  const withParent = (channel: string, message: SlackMessage): FeedEvent[] => {
    const events = current(channel, message.ts);
    if (message.thread_ts && message.thread_ts !== message.ts) events.push(...current(channel, message.thread_ts));
    return events;
  };
  switch (change.kind) {
    case 'message_posted':
    case 'message_updated':
      return withParent(change.channel, change.message);
    case 'message_deleted': {
      const events: FeedEvent[] = [{ type: 'deleted', channel: change.channel, ts: change.ts }];
      const parent = change.previous.thread_ts;
      if (parent && parent !== change.ts) events.push(...current(change.channel, parent));
      return events;
    }
    case 'ephemeral_posted':
    case 'ephemeral_updated':
      return change.user === me ? [{ type: 'ephemeral', channel: change.channel, message: change.message }] : [];
    case 'ephemeral_deleted':
      return change.user === me ? [{ type: 'ephemeral_deleted', channel: change.channel, ts: change.ts }] : [];
    case 'reaction_added':
    case 'pin_added':
    case 'file_shared':
      return current(change.channel, change.ts);
    case 'file_uploaded':
      // Not visible until it is shared into a channel.
      return [];
  }
}
