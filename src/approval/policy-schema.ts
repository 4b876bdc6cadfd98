import { z } from 'zod';
import { formatDuration, parseDuration } from '../core/duration.js';
import { didYouMeanSuffix } from '../core/text/did-you-mean.js';
import { AlertRouteSchema, AlertRoutesSchema } from '../core/alert-route.js';
import { classifyEntry, GROUP_NAME, USER_ID, USERGROUP_ID } from './policy-entry.js';

/** Bounds on `approvalTtl`: shorter cannot be clicked in time, longer outlives the plan it shows. */
const MIN_TTL_MS = 10_000;
const MAX_TTL_MS = 7 * 86_400_000;
export const DEFAULT_TTL_MS = 15 * 60_000;
export const MAX_APPROVALS = 10;

/**
 * A verb name or pattern: `drain`, `incident.start`, `incident.*`, or `*` (every /k8s verb;
 * incident verbs are only matched by names that start with `incident.`).
 */
const VERB_PATTERN = /^(\*|[a-z][a-z0-9-]*(\.([a-z][a-z0-9-]*|\*))?)$/;

const nonEmptyList = (what: string) =>
  z
    .array(z.string({ error: `each ${what} entry must be a string` }).min(1, { error: `${what} entries must not be empty` }), {
      error: `${what} must be a list, e.g. ${what}: ["*"]`,
    })
    .min(1, { error: `${what} must name at least one entry (use ["*"] for all)` });

export const PolicyRuleSchema = z.strictObject({
  verbs: z
    .array(z.string().regex(VERB_PATTERN, { error: 'a verb is a lowercase name such as drain, incident.start, incident.* or *' }), {
      error: 'verbs must be a list, e.g. verbs: [drain, delete]',
    })
    .min(1, { error: 'verbs must name at least one verb' }),
  allow: nonEmptyList('allow'),
  approvals: z
    .number({ error: `approvals must be a whole number from 0 to ${MAX_APPROVALS}` })
    .int({ error: `approvals must be a whole number from 0 to ${MAX_APPROVALS}` })
    .min(0, { error: `approvals must be a whole number from 0 to ${MAX_APPROVALS}` })
    .max(MAX_APPROVALS, { error: `approvals must be a whole number from 0 to ${MAX_APPROVALS}` })
    .default(0),
  approvers: nonEmptyList('approvers').optional(),
  clusters: nonEmptyList('clusters').optional(),
  namespaces: nonEmptyList('namespaces').optional(),
  channels: nonEmptyList('channels').optional(),
});
export type PolicyRuleInput = z.infer<typeof PolicyRuleSchema>;

const GroupMember = z.string().refine((s) => USER_ID.test(s) || USERGROUP_ID.test(s), {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a Slack user id (U…/W…) or user group id (S…); in Slack, open the profile, ⋮, Copy member ID`,
});

export const PolicyFileSchema = z.strictObject({
  groups: z
    .record(z.string().regex(GROUP_NAME, { error: 'group names are lowercase letters, digits, "-" and "_", starting with a letter' }), z.array(GroupMember).min(1, { error: 'a group must list at least one member' }), {
      error: 'groups must be a map of name: [Slack user ids]',
    })
    .default({}),
  rules: z.array(PolicyRuleSchema, { error: 'rules must be a list of rules' }).min(1, { error: 'rules must hold at least one rule; without rules every /k8s command is refused' }),
  approvalTtl: z
    .union([z.string(), z.number()], { error: 'approvalTtl must be a duration such as 15m or 1h' })
    .transform((value, ctx) => {
      const ms = parseDuration(String(value));
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `approvalTtl ${JSON.stringify(value)} is not a duration; write e.g. 15m, 1h or 90s` });
        return z.NEVER;
      }
      if (ms < MIN_TTL_MS || ms > MAX_TTL_MS) {
        ctx.addIssue({ code: 'custom', message: `approvalTtl must be between ${formatDuration(MIN_TTL_MS)} and ${formatDuration(MAX_TTL_MS)}` });
        return z.NEVER;
      }
      return ms;
    })
    .default(DEFAULT_TTL_MS),
  /** Where Alertmanager's alerts go and whether they open incidents (src/alerts). */
  alerts: AlertRoutesSchema.default([]),
});
export type PolicyFile = z.infer<typeof PolicyFileSchema>;

/** The keys each level of the file accepts, for did-you-mean on unknown keys. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  if (path.length === 0) return Object.keys(PolicyFileSchema.shape);
  if (path.length === 2 && path[0] === 'rules') return Object.keys(PolicyRuleSchema.shape);
  if (path.length === 2 && path[0] === 'alerts') return Object.keys(AlertRouteSchema.shape);
  return undefined;
}

/** A problem found after the shapes are right: it still needs a path, to be shown with its line. */
export interface PolicyProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Checks that need the whole file: entries naming groups that exist, approvals that can be met,
 * verbs that exist (when the caller knows them).
 */
export function crossCheck(file: PolicyFile, knownVerbs?: readonly string[]): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const groupNames = Object.keys(file.groups);
  const verbSet = knownVerbs ? new Set(knownVerbs) : undefined;

  file.rules.forEach((rule, i) => {
    for (const field of ['allow', 'approvers'] as const) {
      rule[field]?.forEach((text, j) => {
        if (classifyEntry(text, file.groups)) return;
        const known = groupNames.length ? ` Groups: ${groupNames.join(', ')}.` : ' No groups are defined; add them under groups:.';
        problems.push({
          path: ['rules', i, field, j],
          message: `unknown group ${JSON.stringify(text)}.${didYouMeanSuffix(text, groupNames)}${known} Entries are "*", a group name, a Slack user id (U…) or user group id (S…)`,
        });
      });
    }
    if (rule.approvals > 0 && !rule.approvers) {
      problems.push({ path: ['rules', i, 'approvals'], message: `approvals: ${rule.approvals} needs approvers: say who may approve, e.g. approvers: [oncall] or ["*"]` });
    }
    if (rule.approvals > 0 && rule.approvers) {
      // Only a list of known people can be counted here; "*" and Slack user groups resolve later.
      const ids = new Set<string>();
      let countable = true;
      for (const text of rule.approvers) {
        const entry = classifyEntry(text, file.groups);
        if (!entry || entry.kind === 'anyone' || entry.kind === 'usergroup') countable = false;
        else if (entry.kind === 'user') ids.add(entry.id);
        else {
          for (const m of entry.members) {
            if (USERGROUP_ID.test(m)) countable = false;
            else ids.add(m);
          }
        }
      }
      if (countable && ids.size < rule.approvals) {
        problems.push({
          path: ['rules', i, 'approvals'],
          message: `approvals: ${rule.approvals} can never be met: approvers name only ${ids.size} ${ids.size === 1 ? 'person' : 'people'}; add approvers or lower approvals`,
        });
      }
    }
    if (verbSet) {
      rule.verbs.forEach((verb, j) => {
        // Runbooks are named by file, loaded after the policy: any `runbook.NAME` is accepted here.
        if (verb === '*' || verb.endsWith('.*') || verb.startsWith('runbook.') || verbSet.has(verb)) return;
        problems.push({ path: ['rules', i, 'verbs', j], message: `unknown verb ${JSON.stringify(verb)}.${didYouMeanSuffix(verb, verbSet)} Verbs: ${[...verbSet].join(', ')}` });
      });
    }
  });
  return problems;
}
