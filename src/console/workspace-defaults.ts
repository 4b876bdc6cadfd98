import type { SlackChannel, SlackUser, SlackUsergroup } from './slack-objects.js';

/**
 * The identity of the local workspace and its bot. The server and the platform simulator share
 * these so that the team id in a slash command matches the one auth.test reports, as in Slack.
 */
export const LocalWorkspace = {
  teamId: 'T0SITREP01',
  teamDomain: 'sitrep-local',
  teamName: 'sitrep (local)',
  appId: 'A0SITREP01',
  botUserId: 'U0SITREPBOT',
  botId: 'B0SITREP01',
  botName: 'sitrep',
  /** What the stand-in accepts unless told otherwise; not a secret, it only works on loopback. */
  botToken: 'xoxb-local-sitrep-token',
  /** The app-level token `apps.connections.open` accepts (Socket Mode); loopback only, like the bot token. */
  appToken: 'xapp-local-sitrep-token',
  /** The deprecated verification token Slack still puts in payloads. */
  verificationToken: 'local-verification-token',
} as const;

/** People for the demo: two on-call engineers, a lead, and a viewer who may only read. */
export const defaultUsers: readonly SlackUser[] = [
  { id: 'U0ALICE001', name: 'alice', realName: 'Alice Oncall', email: 'alice@example.com' },
  { id: 'U0BOB00001', name: 'bob', realName: 'Bob Backup', email: 'bob@example.com' },
  { id: 'U0CAROL001', name: 'carol', realName: 'Carol Lead', email: 'carol@example.com', isAdmin: true },
  { id: 'U0DAVE0001', name: 'dave', realName: 'Dave Viewer', email: 'dave@example.com' },
  // Guests: Slack marks them in users.info; sitrep never counts their approval unless a rule names them.
  { id: 'U0GUEST001', name: 'greta', realName: 'Greta Contractor (single-channel guest)', email: 'greta@contractor.example', isUltraRestricted: true },
  { id: 'U0GUEST002', name: 'gil', realName: 'Gil Vendor (multi-channel guest)', email: 'gil@vendor.example', isRestricted: true },
];

export const defaultChannels: readonly SlackChannel[] = [
  { id: 'C0OPS00001', name: 'ops', purpose: 'Cluster operations' },
  { id: 'C0INCIDENT', name: 'incidents', purpose: 'Live incidents' },
  { id: 'C0POSTMORT', name: 'postmortems', purpose: 'Postmortems' },
];

export const defaultUsergroups: readonly SlackUsergroup[] = [
  { id: 'S0ONCALL01', handle: 'oncall', name: 'On-call', users: ['U0ALICE001', 'U0BOB00001'] },
  { id: 'S0SRE00001', handle: 'sre', name: 'SRE', users: ['U0ALICE001', 'U0BOB00001', 'U0CAROL001'] },
];
