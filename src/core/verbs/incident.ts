import { z } from 'zod';
import { INCIDENT_STATUSES } from '../incident-status.js';
import { SlashCommand } from '../request.js';
import { botVerb, type ArgsSchema } from './contract.js';
import { severity, slackId, timeZone } from './names.js';

/** Longest incident title, in characters. */
export const MAX_TITLE = 150;
/** Longest note or resolve summary, in characters. */
export const MAX_NOTE = 3000;
export const DEFAULT_SEVERITY = 3;

/** A Slack user name as typed after `@` when Slack did not escape it to an id. */
export const USER_NAME = /^[a-z0-9][a-z0-9._-]{0,79}$/i;
/** A Slack channel name as typed after `#` when Slack did not escape it to an id. */
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9._-]{0,79}$/;

/** Every /incident verb is answered by the bot and touches no cluster. */
const incidentVerb = <S extends ArgsSchema>(name: string, args: S) => botVerb(SlashCommand.Incident, name, args);

/**
 * `/incident start TITLE... [--sev 1..4] [--channel-only]`.
 * - `title`: Slack-formatted text (mentions as `<@U…>`, `&<>` escaped), up to MAX_TITLE characters.
 * - `sev`: 1 (worst) to 4; default DEFAULT_SEVERITY.
 * - `channelOnly`: run the incident in this channel instead of opening a new one.
 */
export const StartArgsSchema = z.object({
  title: z.string().min(1).max(MAX_TITLE * 2),
  sev: severity.default(DEFAULT_SEVERITY),
  channelOnly: z.boolean().default(false),
});
export const startVerb = incidentVerb('start', StartArgsSchema);

/** `/incident note TEXT...`: `text` Slack-formatted, up to MAX_NOTE characters. */
export const NoteArgsSchema = z.object({ text: z.string().min(1).max(MAX_NOTE * 2) });
export const noteVerb = incidentVerb('note', NoteArgsSchema);

/** `/incident sev 1..4`. */
export const SevArgsSchema = z.object({ sev: severity });
export const sevVerb = incidentVerb('sev', SevArgsSchema);

/**
 * `/incident commander @user`: exactly one of `userId` (Slack sent `<@U123|alice>`) and
 * `userName` (Slack sent plain `@alice`, which the bot resolves).
 */
export const CommanderArgsSchema = z
  .object({ userId: slackId.optional(), userName: z.string().regex(USER_NAME).optional() })
  .refine((a) => (a.userId === undefined) !== (a.userName === undefined), 'exactly one of userId and userName');
export const commanderVerb = incidentVerb('commander', CommanderArgsSchema);

/** `/incident status investigating|identified|monitoring|resolved`. */
export const IncidentStatusArgsSchema = z.object({ status: z.enum(INCIDENT_STATUSES) });
export const incidentStatusVerb = incidentVerb('status', IncidentStatusArgsSchema);

/** `/incident resolve [SUMMARY...]`: `summary` Slack-formatted, up to MAX_NOTE characters. */
export const ResolveArgsSchema = z.object({ summary: z.string().min(1).max(MAX_NOTE * 2).optional() });
export const resolveVerb = incidentVerb('resolve', ResolveArgsSchema);

/** `/incident timeline [--tz ZONE]`: `tz` an IANA zone; unset means UTC. */
export const TimelineArgsSchema = z.object({ tz: timeZone.optional() });
export const timelineVerb = incidentVerb('timeline', TimelineArgsSchema);

export const PostmortemFormat = { Markdown: 'md', Json: 'json' } as const;
export type PostmortemFormat = (typeof PostmortemFormat)[keyof typeof PostmortemFormat];

/**
 * `/incident postmortem [#channel] [--format md|json] [--tz ZONE] [--backups]`.
 * - `channelId` when Slack sent `<#C123|ops>`; `channelName` when it sent plain `#ops`. Neither: here.
 * - `format`: `md` (default) or `json`. `tz`: IANA zone; unset means UTC.
 * - `backups`: also upload the backups jobs took.
 */
export const PostmortemArgsSchema = z.object({
  channelId: slackId.optional(),
  channelName: z.string().regex(CHANNEL_NAME).optional(),
  format: z.enum([PostmortemFormat.Markdown, PostmortemFormat.Json]).default(PostmortemFormat.Markdown),
  tz: timeZone.optional(),
  backups: z.boolean().default(false),
});
export const postmortemVerb = incidentVerb('postmortem', PostmortemArgsSchema);

/** `/incident list [--open]`. */
export const ListArgsSchema = z.object({ open: z.boolean().default(false) });
export const listVerb = incidentVerb('list', ListArgsSchema);
