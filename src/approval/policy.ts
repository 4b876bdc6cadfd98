import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { AlertRoute } from '../core/alert-route.js';
import { formatDuration } from '../core/duration.js';
import { ConfigError, ErrorCode, UnavailableError } from '../core/errors.js';
import { mentionList, type ApproverSpec } from './approver-spec.js';
import { DEFAULT_POLICY_SOURCE, DEFAULT_POLICY_YAML, NO_POLICY_MESSAGE } from './policy-default.js';
import { classifyEntry, entriesLabel, USERGROUP_ID, type PolicyEntry } from './policy-entry.js';
import { parsePolicyText, type ParsePolicyOptions } from './policy-file.js';

/** What the policy is asked: may this user run this verb here? */
export interface PolicyRequestContext {
  /** `/k8s` verbs as typed (`drain`); `/incident` verbs as `incident.<verb>` (`incident.start`). */
  verb: string;
  userId: string;
  channelId: string;
  cluster: string;
  /** Absent for cluster-scoped targets (nodes). */
  namespace?: string;
}

/** The answer, with everything the chat layer needs to show and to create the approval request. */
export interface PolicyDecision {
  allowed: boolean;
  /** Why, for the user; names the rule (1-based, with its line) that decided. */
  reason: string;
  /** 0-based index of the deciding rule; absent for the incident fallback and "no rule". */
  ruleIndex?: number;
  /** Approvals still needed from people other than the requester; 0 means run straight away. */
  approvals: number;
  /** Resolved Slack user ids who may approve, or `'*'` for anyone but the requester. */
  approvers: ApproverSpec;
  /** `1 approval from @oncall (<@U1>, <@U2>) other than the requester`, or `no approval needed`. */
  approverDescription: string;
  /** Short: `@oncall`, `anyone else`; used in "Ask someone in @oncall." */
  approversLabel: string;
  /**
   * Slack user ids the deciding rule names as approvers by id (directly or in one of the file's
   * groups), as opposed to `*` or a Slack user group. Guests may approve only if named here.
   */
  namedApprovers: string[];
  ttlMs: number;
}

/** Members of a Slack user group (`S…`); the chat layer passes one backed by usergroups.users.list. */
export type GroupResolver = (slackUserGroupId: string) => Promise<string[]>;

interface CompiledRule {
  index: number;
  line: number;
  verbs: string[];
  allow: PolicyEntry[];
  approvals: number;
  approvers: PolicyEntry[];
  clusters?: string[];
  namespaces?: string[];
  channels?: string[];
}

const INCIDENT_PREFIX = 'incident.';
/** How the policy names a runbook: `runbook.node-maintenance`, or `runbook.*` for every runbook. */
export const RUNBOOK_PREFIX = 'runbook.';

function isIncidentVerb(verb: string): boolean {
  return verb.startsWith(INCIDENT_PREFIX);
}

function verbMatches(pattern: string, verb: string): boolean {
  // "*" means every /k8s verb: incident bookkeeping is only ever governed by rules that name it,
  // and so are runbooks (without such a rule a runbook is judged as its most dangerous step).
  if (pattern === '*') return !isIncidentVerb(verb) && !verb.startsWith(RUNBOOK_PREFIX);
  if (pattern.endsWith('.*')) return verb.startsWith(pattern.slice(0, -1));
  return pattern === verb;
}

/** `*` anywhere in a pattern matches any run of characters (`prod-*`, `team-*-staging`). */
function globMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

function listMatches(patterns: string[] | undefined, value: string | undefined): boolean {
  if (!patterns) return true;
  // A cluster-scoped target has no namespace: only an unrestricted rule ("*") covers it.
  if (value === undefined) return patterns.includes('*');
  return patterns.some((p) => globMatches(p, value));
}

/**
 * Resolves entries to people for one evaluation. Slack user groups are looked up at most once,
 * and only when the cheaper entries did not already decide.
 */
class Members {
  readonly unresolved = new Set<string>();
  private readonly cache = new Map<string, Promise<string[]>>();

  constructor(private readonly resolve: GroupResolver | undefined) {}

  private usergroup(id: string): Promise<string[]> {
    let hit = this.cache.get(id);
    if (!hit) {
      const resolve = this.resolve;
      if (!resolve) {
        this.unresolved.add(id);
        hit = Promise.resolve([]);
      } else {
        hit = resolve(id).catch((err: unknown) => {
          throw new UnavailableError(ErrorCode.SlackApi, `Slack user group ${id} could not be read, so the policy cannot be checked. Try again in a minute.`, { cause: err });
        });
      }
      this.cache.set(id, hit);
    }
    return hit;
  }

  /** Direct ids first, then user groups: most checks never call Slack. */
  async includes(entries: readonly PolicyEntry[], userId: string): Promise<boolean> {
    const groups: string[] = [];
    for (const e of entries) {
      if (e.kind === 'anyone') return true;
      if (e.kind === 'user' && e.id === userId) return true;
      if (e.kind === 'usergroup') groups.push(e.id);
      if (e.kind === 'group') {
        for (const m of e.members) {
          if (m === userId) return true;
          if (USERGROUP_ID.test(m)) groups.push(m);
        }
      }
    }
    for (const g of groups) if ((await this.usergroup(g)).includes(userId)) return true;
    return false;
  }

  /** Every person the entries name, or `'*'`. */
  async expand(entries: readonly PolicyEntry[]): Promise<ApproverSpec> {
    if (entries.some((e) => e.kind === 'anyone')) return '*';
    const ids = new Set<string>();
    const add = async (id: string) => {
      if (USERGROUP_ID.test(id)) for (const m of await this.usergroup(id)) ids.add(m);
      else ids.add(id);
    };
    for (const e of entries) {
      if (e.kind === 'user' || e.kind === 'usergroup') await add(e.id);
      else if (e.kind === 'group') for (const m of e.members) await add(m);
    }
    return [...ids];
  }

  note(): string {
    if (!this.unresolved.size) return '';
    return ` (Slack user group ${[...this.unresolved].join(', ')} could not be checked: sitrep has no access to user groups here.)`;
  }
}

/** The Slack user ids entries name one by one: user entries and the members of the file's groups. */
function namedUsers(entries: readonly PolicyEntry[]): string[] {
  const ids = new Set<string>();
  for (const e of entries) {
    if (e.kind === 'user') ids.add(e.id);
    if (e.kind === 'group') for (const m of e.members) if (!USERGROUP_ID.test(m)) ids.add(m);
  }
  return [...ids];
}

/** A file's name for users: its base name only, never where it lives. */
function fileLabel(source: string): string {
  return `policy file ${basename(source)}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Who may request and approve each verb. Rules are tried in order; the first whose verbs, clusters,
 * namespaces and channels cover the request AND whose `allow` includes the user decides. When some
 * rule covers the request but none allows the user, the first covering rule is named in the refusal.
 */
export class Policy {
  readonly ttlMs: number;
  /** The file path, or `built-in policy`: where start-up errors point. */
  readonly source: string;
  /** The policy's name in messages users read: `built-in policy`, `policy file policy.yaml`; never a path. */
  readonly label: string;
  private readonly rules: CompiledRule[];
  private readonly builtIn: boolean;
  /** The `alerts:` routes, in file order (first match wins); empty: alerts go nowhere. */
  readonly alertRoutes: readonly AlertRoute[];

  private constructor(rules: CompiledRule[], ttlMs: number, source: string, builtIn: boolean, label: string, alertRoutes: readonly AlertRoute[] = []) {
    this.rules = rules;
    this.alertRoutes = alertRoutes;
    this.ttlMs = ttlMs;
    this.source = source;
    this.label = label;
    this.builtIn = builtIn;
  }

  /** Everyone reads; every verb that changes a cluster is refused with NO_POLICY_MESSAGE. */
  static default(): Policy {
    return Policy.compile(DEFAULT_POLICY_YAML, DEFAULT_POLICY_SOURCE, {}, true, DEFAULT_POLICY_SOURCE);
  }

  /** Throws ConfigError (sitrep_policy_invalid) with `path:line:col: problem` for each problem. */
  static fromFile(path: string, options: ParsePolicyOptions = {}): Policy {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError(`Policy file unreadable: ${path} (${reason}).`, {
        code: ErrorCode.PolicyInvalid,
        cause: err,
        hint: 'Fix SITREP_POLICY to point at a readable YAML or JSON file, or unset it to use the built-in policy.',
      });
    }
    return Policy.compile(text, path, options, false, fileLabel(path));
  }

  /** `options.label` names it in users' messages (default: `policy file` and the source's base name). */
  static fromText(text: string, sourceName: string, options: ParsePolicyOptions & { label?: string } = {}): Policy {
    return Policy.compile(text, sourceName, options, false, options.label ?? fileLabel(sourceName));
  }

  /** The policy SITREP_POLICY names, or the built-in one when it is unset or empty. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: ParsePolicyOptions = {}): Policy {
    const path = env.SITREP_POLICY?.trim();
    return path ? Policy.fromFile(path, options) : Policy.default();
  }

  private static compile(text: string, source: string, options: ParsePolicyOptions, builtIn: boolean, label: string): Policy {
    const { file, ruleLines } = parsePolicyText(text, source, options);
    const entries = (list: string[] | undefined): PolicyEntry[] =>
      (list ?? []).map((t) => {
        const e = classifyEntry(t, file.groups);
        // parsePolicyText has already rejected unknown entries; this guards the invariant.
        if (!e) throw new ConfigError(`Policy invalid: unknown entry ${JSON.stringify(t)} in ${source}`, { code: ErrorCode.PolicyInvalid });
        return e;
      });
    const rules = file.rules.map(
      (r, index): CompiledRule => ({
        index,
        line: ruleLines[index],
        verbs: r.verbs,
        allow: entries(r.allow),
        approvals: r.approvals,
        approvers: entries(r.approvers),
        ...(r.clusters ? { clusters: r.clusters } : {}),
        ...(r.namespaces ? { namespaces: r.namespaces } : {}),
        ...(r.channels ? { channels: r.channels } : {}),
      }),
    );
    return new Policy(rules, file.approvalTtl, source, builtIn, label, file.alerts);
  }

  private ruleName(rule: CompiledRule): string {
    return `rule ${rule.index + 1} of the ${this.label}${this.builtIn ? '' : ` (line ${rule.line})`}`;
  }

  private covers(rule: CompiledRule, ctx: PolicyRequestContext): boolean {
    return (
      rule.verbs.some((v) => verbMatches(v, ctx.verb)) &&
      listMatches(rule.clusters, ctx.cluster) &&
      listMatches(rule.namespaces, ctx.namespace) &&
      listMatches(rule.channels, ctx.channelId)
    );
  }

  private where(ctx: PolicyRequestContext): string {
    return `in cluster ${ctx.cluster}${ctx.namespace ? `, namespace ${ctx.namespace}` : ''}`;
  }

  private denied(reason: string, extra: Partial<PolicyDecision> = {}): PolicyDecision {
    return { allowed: false, reason, approvals: 0, approvers: [], approverDescription: '', approversLabel: '', namedApprovers: [], ttlMs: this.ttlMs, ...extra };
  }

  async evaluate(ctx: PolicyRequestContext, resolve?: GroupResolver): Promise<PolicyDecision> {
    const members = new Members(resolve);
    let covering: CompiledRule | undefined;
    for (const rule of this.rules) {
      if (!this.covers(rule, ctx)) continue;
      covering ??= rule;
      if (await members.includes(rule.allow, ctx.userId)) return this.decide(rule, ctx, members);
    }
    if (covering) {
      const who = entriesLabel(covering.allow);
      return this.denied(
        `Not allowed: ${ctx.verb} ${this.where(ctx)} is for ${who} (${this.ruleName(covering)}). Ask someone in ${who} to run it.${members.note()}`,
        { ruleIndex: covering.index },
      );
    }
    if (isIncidentVerb(ctx.verb)) {
      // Incident bookkeeping must never be blocked by a k8s policy: a file that says nothing about
      // incident verbs leaves them open to everyone.
      return { allowed: true, reason: `Allowed: no rule in the ${this.label} covers ${ctx.verb}, and incident commands are open to everyone.`, approvals: 0, approvers: [], approverDescription: 'no approval needed', approversLabel: '', namedApprovers: [], ttlMs: this.ttlMs };
    }
    if (this.builtIn) return this.denied(`${NO_POLICY_MESSAGE[0]!.toUpperCase()}${NO_POLICY_MESSAGE.slice(1)}.`);
    return this.denied(`No policy rule allows ${ctx.verb} ${this.where(ctx)}; ask an admin to add one to the ${this.label}.`);
  }

  private async decide(rule: CompiledRule, ctx: PolicyRequestContext, members: Members): Promise<PolicyDecision> {
    const name = this.ruleName(rule);
    if (rule.approvals === 0) {
      return { allowed: true, reason: `Allowed by ${name}; no approval needed.`, ruleIndex: rule.index, approvals: 0, approvers: [], approverDescription: 'no approval needed', approversLabel: '', namedApprovers: [], ttlMs: this.ttlMs };
    }
    const approvers = await members.expand(rule.approvers);
    const label = entriesLabel(rule.approvers);
    const needs = plural(rule.approvals, 'approval');
    let approverDescription: string;
    let approversLabel: string;
    if (approvers === '*') {
      approverDescription = `${needs} from anyone other than the requester`;
      approversLabel = 'anyone else';
    } else {
      // Listing the people behind a group saves the requester a trip to the Slack directory.
      const onlyPeople = rule.approvers.every((e) => e.kind === 'user');
      approverDescription = `${needs} from ${label}${onlyPeople || !approvers.length ? '' : ` (${mentionList(approvers)})`} other than the requester`;
      approversLabel = label;
      const others = approvers.filter((id) => id !== ctx.userId).length;
      if (others < rule.approvals) {
        return this.denied(
          `Nobody can approve this: ${ctx.verb} needs ${approverDescription}, and only ${plural(others, 'person')} other than you ${others === 1 ? 'is' : 'are'} in it (${name}). Ask an admin to add approvers to the ${this.label}.${members.note()}`,
          { ruleIndex: rule.index, approvals: rule.approvals, approvers, approverDescription, approversLabel },
        );
      }
    }
    return {
      allowed: true,
      reason: `Allowed by ${name}; needs ${approverDescription}.${members.note()}`,
      ruleIndex: rule.index,
      approvals: rule.approvals,
      approvers,
      approverDescription,
      approversLabel,
      namedApprovers: namedUsers(rule.approvers),
      ttlMs: this.ttlMs,
    };
  }

  /**
   * Whether `userId` may approve under a decision (its resolved approvers) or a rule (resolved now).
   * It does not know the requester; the approval store refuses self-approval.
   */
  async mayApprove(decisionOrRuleIndex: PolicyDecision | number, userId: string, resolve?: GroupResolver): Promise<boolean> {
    if (typeof decisionOrRuleIndex === 'number') {
      const rule = this.rules[decisionOrRuleIndex];
      if (!rule || rule.approvals === 0) return false;
      return new Members(resolve).includes(rule.approvers, userId);
    }
    const d = decisionOrRuleIndex;
    if (!d.allowed || d.approvals === 0) return false;
    return d.approvers === '*' || d.approvers.includes(userId);
  }

  /** A summary for `/k8s help` or status: one line per rule, in the order they are tried. */
  describe(): string {
    const lines = [`Policy: ${this.label}. Approval requests expire after ${formatDuration(this.ttlMs)}. First matching rule wins.`];
    for (const r of this.rules) {
      const scope = [
        r.clusters && `clusters ${r.clusters.join(', ')}`,
        r.namespaces && `namespaces ${r.namespaces.join(', ')}`,
        r.channels && `channels ${r.channels.map((c) => (c === '*' ? c : `<#${c}>`)).join(', ')}`,
      ].filter(Boolean);
      const verbs = r.verbs.map((v) => (v === '*' ? 'any other /k8s verb' : v)).join(', ');
      const approval = r.approvals === 0 ? 'no approval' : `${plural(r.approvals, 'approval')} from ${entriesLabel(r.approvers) === 'anyone' ? 'anyone else' : entriesLabel(r.approvers)}`;
      lines.push(`${r.index + 1}. ${verbs}: ${entriesLabel(r.allow)}; ${approval}${scope.length ? `; ${scope.join('; ')}` : ''}`);
    }
    const incidentCovered = this.rules.some((r) => r.verbs.some((v) => v.startsWith(INCIDENT_PREFIX)));
    const catchAll = this.rules.some((r) => r.verbs.includes('*') && !r.clusters && !r.namespaces && !r.channels);
    const incident = incidentCovered ? 'Incident verbs no rule names are open to everyone.' : 'Incident commands are open to everyone.';
    lines.push(catchAll ? incident : `Other /k8s verbs are refused. ${incident}`);
    return lines.join('\n');
  }
}
