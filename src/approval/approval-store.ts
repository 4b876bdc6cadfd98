import type { RedisClient } from '../core/redis-client.js';
import { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.js';
import { ApprovalError, ErrorCode, SitrepError } from '../core/errors.js';
import { randomId } from '../core/ids.js';
import { PlanSchema, type Plan } from '../core/plan.js';
import {
  alreadyApprovedMessage,
  approvedMessage,
  doneMessage,
  endedMessage,
  notAnApproverMessage,
  notAnApproverNowMessage,
  notTheRequesterMessage,
  recordedMessage,
  selfApprovalMessage,
  unknownMessage,
} from './approval-messages.js';
import { APPROVAL_ID, ApprovalHashSchema, AuditEntrySchema, type ApprovalRecord, type AuditAction, type AuditEntry, type EndedState } from './approval-record.js';
import { APPROVE_SCRIPT, AUDIT_ONCE_SCRIPT, CREATE_SCRIPT, END_SCRIPT, EXPIRE_ONE_SCRIPT, REFUSE_SCRIPT, SET_MESSAGE_SCRIPT } from './approval-scripts.js';
import { KeyUnit, unitKey } from '../core/key-tags.js';
import type { ApproverSpec } from './approver-spec.js';
import { RedisScript } from '../core/redis-script.js';

export interface ApprovalStoreOptions {
  /**
   * Key prefix: `<prefix>:{apr:<id>}` (and its `:outbox`, `:seq`), `<prefix>:approval:expiries`,
   * `<prefix>:{audit}`: each script touches one approval's keys, one hash tag (core/key-tags.ts).
   * @defaultValue 'sitrep'
   */
  prefix?: string;
  /** @defaultValue systemClock */
  clock?: Clock;
  /**
   * How long an ended request stays in Redis, in ms, so a late click still hears who ended it.
   * @defaultValue 2592000000 (30 days)
   */
  retentionMs?: number;
  /**
   * Approximate cap on audit stream entries (XADD MAXLEN ~).
   * @defaultValue 100000
   */
  auditMaxLen?: number;
}

/** What the chat layer knows when it asks for approval (mostly from the PolicyDecision). */
export interface CreateApprovalInput {
  requestId: string;
  verb: string;
  cluster: string;
  namespace?: string;
  channelId: string;
  /** The card, if it is already posted; otherwise set later with setMessage(). */
  messageTs?: string;
  requesterId: string;
  /** PolicyDecision.approvals; at least 1 (a request that needs none is not created). */
  requiredApprovals: number;
  /** PolicyDecision.approvers. */
  approvers: ApproverSpec;
  /** PolicyDecision.approversLabel, e.g. `@oncall`. @defaultValue 'anyone else' or the listed ids */
  approversLabel?: string;
  /** PolicyDecision.approverDescription. @defaultValue derived from the count and label */
  approverDescription?: string;
  /** The plan shown on the card; what is approved is this plan (DESIGN.md invariant 3). */
  plan: Plan;
  /** @defaultValue plan.fingerprint */
  planFingerprint?: string;
  /** PolicyDecision.ttlMs. */
  ttlMs: number;
  /** @defaultValue clock.now() */
  now?: number;
}

const CreateInputSchema = z.object({
  requestId: z.string().min(1),
  verb: z.string().min(1),
  cluster: z.string().min(1),
  namespace: z.string().optional(),
  channelId: z.string().min(1),
  messageTs: z.string().optional(),
  requesterId: z.string().min(1),
  requiredApprovals: z.number().int().min(1).max(10),
  approvers: z.union([z.literal('*'), z.array(z.string().min(1))]),
  approversLabel: z.string().optional(),
  approverDescription: z.string().optional(),
  plan: PlanSchema,
  planFingerprint: z.string().min(1).optional(),
  ttlMs: z.number().int().positive(),
  now: z.number().int().nonnegative().optional(),
});

export type ApproveOutcome =
  /** Counted, not yet enough. */
  | { kind: 'recorded'; record: ApprovalRecord; approvalsSoFar: number; needed: number; message: string }
  /** THIS click completed it: the caller enqueues, exactly once across all replicas. */
  | { kind: 'approved'; record: ApprovalRecord; message: string }
  | { kind: 'refused'; reason: 'self-approval' | 'not-an-approver' | 'not-an-approver-now' | 'already-approved-by-you'; message: string; record: ApprovalRecord }
  /** Already final. `justExpired`: this call noticed the expiry (update the card). */
  | { kind: 'ended'; state: EndedState; message: string; record: ApprovalRecord; justExpired: boolean }
  | { kind: 'unknown'; message: string };

export type EndOutcome =
  /** THIS call ended it. A requester's reject is taken as cancel. */
  | { kind: 'done'; state: 'rejected' | 'cancelled'; message: string; record: ApprovalRecord }
  | { kind: 'refused'; reason: 'not-an-approver' | 'not-the-requester'; message: string; record: ApprovalRecord }
  | { kind: 'ended'; state: EndedState; message: string; record: ApprovalRecord; justExpired: boolean }
  | { kind: 'unknown'; message: string };

const ScriptReply = z.union([
  z.tuple([z.literal('unknown')]),
  z.tuple([z.string(), z.string(), z.string(), z.array(z.string())]),
]);
const ExpireReply = z.union([z.tuple([z.enum(['unknown', 'ended'])]), z.tuple([z.literal('expired'), z.array(z.string())])]);
/** An audit entry waiting in an approval's outbox (approval-scripts.ts PRELUDE). */
const OutboxEntry = z.object({ id: z.string(), at: z.union([z.string(), z.number()]), fields: z.array(z.union([z.string(), z.number()])) });
const AuditReply = z.array(z.tuple([z.string(), z.array(z.string())]));

const create = new RedisScript(CREATE_SCRIPT);
// A click's vote or ending is refused by Redis itself once the click's deadline passed (core/deadline.ts).
const approveScript = new RedisScript(APPROVE_SCRIPT, { deadline: true });
const endScript = new RedisScript(END_SCRIPT, { deadline: true });
const expireOneScript = new RedisScript(EXPIRE_ONE_SCRIPT);
// The id of the approval for this request and plan: the one already claimed, else ours (SET NX GET
// would do, but only from Redis 7.0).
const claimScript = new RedisScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`);
const auditOnceScript = new RedisScript(AUDIT_ONCE_SCRIPT);
const setMessageScript = new RedisScript(SET_MESSAGE_SCRIPT);
const refuseScript = new RedisScript(REFUSE_SCRIPT);

const EXPIRE_BATCH = 100;

function pairs(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

/**
 * Approval requests in Redis. Every change is one Lua script that checks and changes state and
 * appends the audit entry together, so any number of bot replicas may call it at once.
 */
export class ApprovalStore {
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly retentionMs: number;
  private readonly auditMaxLen: number;

  constructor(
    private readonly redis: RedisClient,
    options: ApprovalStoreOptions = {},
  ) {
    this.prefix = options.prefix ?? 'sitrep';
    this.clock = options.clock ?? systemClock;
    this.retentionMs = options.retentionMs ?? 30 * 86_400_000;
    this.auditMaxLen = options.auditMaxLen ?? 100_000;
  }

  /** One hash per approval: `<prefix>:{apr:<id>}`. */
  key(id: string): string {
    return unitKey(this.prefix, KeyUnit.Approval, id);
  }

  /** The approval's own keys, as its scripts take them: hash, audit outbox, outbox counter. */
  private keysOf(id: string): string[] {
    const key = this.key(id);
    return [key, `${key}:outbox`, `${key}:seq`];
  }

  /** Pending approvals by expiry time. */
  get expiriesKey(): string {
    return `${this.prefix}:approval:expiries`;
  }

  /** The audit stream. */
  get auditKey(): string {
    return unitKey(this.prefix, KeyUnit.Audit);
  }

  /**
   * Moves an approval's waiting audit entries to the audit stream, each once (AUDIT_ONCE_SCRIPT
   * marks its id), and once none wait and it has ended, drops it from the expiry index. Safe to
   * run again and from several bots at once: the sweep runs it for anything a dead bot left.
   */
  private async flush(id: string, state?: string): Promise<void> {
    const [, outbox] = this.keysOf(id);
    const raws = await this.redis.lrange(outbox!, 0, -1);
    // Three round trips whatever the number of entries (this is on the Approve click's path): the
    // entries sent together, in order on one connection; then, only once they are in, each taken
    // off the outbox, and the approval off the expiry index if it has ended.
    await Promise.all(
      raws.map((raw) => {
        const entry = OutboxEntry.parse(JSON.parse(raw));
        return auditOnceScript.run(this.redis, [this.auditKey, `${this.auditKey}:once:${entry.id}`], [this.auditMaxLen, entry.at, this.retentionMs || 30 * 86_400_000, ...entry.fields]);
      }),
    );
    const ended = async () => (state ?? (await this.redis.hget(this.key(id), 'state'))) !== 'pending';
    await Promise.all([...raws.map((raw) => this.redis.lrem(outbox!, 1, raw)), ended().then((yes) => (yes ? this.redis.zrem(this.expiriesKey, id) : 0))]);
  }

  /** Parses a hash read back from Redis; a corrupted record is an error that names it. */
  private parse(id: string, flat: readonly string[]): ApprovalRecord {
    const parsed = ApprovalHashSchema.safeParse(pairs(flat));
    if (!parsed.success) {
      const what = parsed.error.issues.map((i) => `${i.path.join('.') || 'record'}: ${i.message}`).join('; ');
      throw new SitrepError(ErrorCode.Internal, `Approval ${id} is corrupted in Redis (${what}). Run the command again; tell whoever runs sitrep.`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  /**
   * Records a pending request and its `requested` audit entry. Idempotent per requestId and plan
   * fingerprint: a retried delivery gets the existing request instead of a second card.
   */
  async create(input: CreateApprovalInput): Promise<ApprovalRecord> {
    const i = CreateInputSchema.parse(input);
    const now = i.now ?? this.clock.now();
    const id = randomId('apr');
    const fingerprint = i.planFingerprint ?? i.plan.fingerprint;
    if (i.approvers !== '*' && i.approvers.filter((a) => a !== i.requesterId).length < i.requiredApprovals) {
      throw new ApprovalError(ErrorCode.ApprovalRefused, `Nobody can approve this ${i.verb}: it needs ${i.requiredApprovals} approval(s) but only ${i.approvers.filter((a) => a !== i.requesterId).length} approver(s) other than the requester exist. Ask an admin to fix the policy.`);
    }
    const label = i.approversLabel ?? (i.approvers === '*' ? 'anyone else' : i.approvers.map((a) => `<@${a}>`).join(', '));
    const description = i.approverDescription ?? `${i.requiredApprovals} approval${i.requiredApprovals === 1 ? '' : 's'} from ${i.approvers === '*' ? 'anyone' : label} other than the requester`;
    const expiresAt = now + i.ttlMs;
    const fields: Record<string, string> = {
      v: '1',
      id,
      requestId: i.requestId,
      verb: i.verb,
      cluster: i.cluster,
      namespace: i.namespace ?? '',
      channelId: i.channelId,
      messageTs: i.messageTs ?? '',
      requesterId: i.requesterId,
      requiredApprovals: String(i.requiredApprovals),
      approvers: i.approvers === '*' ? '*' : JSON.stringify([...new Set(i.approvers)]),
      approversLabel: label,
      approverDescription: description,
      planFingerprint: fingerprint,
      plan: JSON.stringify(i.plan),
      createdAt: String(now),
      expiresAt: String(expiresAt),
      state: 'pending',
      approvals: '[]',
      endedBy: '',
      reason: '',
      endedAt: '',
    };
    // Four single-tag steps instead of one script (core/key-tags.ts), each safe to repeat: a
    // retried delivery, or the same one after a bot died between steps, takes the id the first
    // claimed and finishes what is missing. The expiry index is written before the record, so a
    // record that exists is always found by the expiry sweep (which also flushes its outbox).
    const idemKey = `${this.prefix}:approval:by-plan:${i.requestId}:${fingerprint}`;
    const winner = String(await claimScript.run(this.redis, [idemKey], [id, i.ttlMs + this.retentionMs]));
    if (winner === id) await this.redis.zadd(this.expiriesKey, expiresAt, id);
    else {
      // An earlier delivery claimed it: make sure its record exists (it may have died before).
      const existing = await this.redis.hget(this.key(winner), 'expiresAt');
      if (existing === null) await this.redis.zadd(this.expiriesKey, expiresAt, winner);
    }
    await create.run(this.redis, this.keysOf(winner), [now, i.requesterId, `${description}; plan ${fingerprint}`, ...Object.entries({ ...fields, id: winner }).flat()]);
    await this.flush(winner);
    const record = await this.get(winner);
    if (!record) throw new SitrepError(ErrorCode.Internal, `Approval ${winner} vanished right after it was created. Run the command again.`);
    return record;
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    if (!APPROVAL_ID.test(id)) return undefined;
    const hash = await this.redis.hgetall(this.key(id));
    if (Object.keys(hash).length === 0) return undefined;
    return this.parse(id, Object.entries(hash).flat());
  }

  /** Where the card is, so a sweeper or another replica can edit it. */
  async setMessage(id: string, channelId: string, messageTs: string): Promise<void> {
    const ok = APPROVAL_ID.test(id) ? await setMessageScript.run(this.redis, [this.key(id)], [channelId, messageTs]) : 0;
    if (ok !== 1) throw new SitrepError(ErrorCode.NotFound, `Approval ${id} not found; cannot attach its message.`);
  }

  /**
   * One approve click. `now` is what the policy in force at the click says (approvers and count);
   * it only ever narrows what the record allows: stricter wins.
   * @param now.approvers who may approve under the policy now; default: the record's own.
   * @param now.required approvals needed under the policy now; default 0 (the record's count).
   */
  async approve(id: string, userId: string, policyNow: { approvers?: ApproverSpec; required?: number; at?: number } = {}): Promise<ApproveOutcome> {
    if (!APPROVAL_ID.test(id)) return { kind: 'unknown', message: unknownMessage(this.retentionMs) };
    const now = policyNow.at ?? this.clock.now();
    const approversNow = policyNow.approvers === undefined || policyNow.approvers === '*' ? '*' : JSON.stringify(policyNow.approvers);
    const reply = ScriptReply.parse(
      await approveScript.run(this.redis, this.keysOf(id), [userId, now, this.auditMaxLen, this.retentionMs, approversNow, policyNow.required ?? 0]),
    );
    if (reply.length === 1) return { kind: 'unknown', message: unknownMessage(this.retentionMs) };
    await this.flush(id, pairs(reply[3]).state);
    const [outcome, detail, needed, flat] = reply;
    const record = this.parse(id, flat);
    switch (outcome) {
      case 'approved':
        return { kind: 'approved', record, message: approvedMessage(record) };
      case 'recorded':
        return { kind: 'recorded', record, approvalsSoFar: Number(detail), needed: Number(needed), message: recordedMessage(record, Number(detail), Number(needed)) };
      case 'refused': {
        const reason = z.enum(['self-approval', 'not-an-approver', 'not-an-approver-now', 'already-approved-by-you']).parse(detail);
        const message =
          reason === 'self-approval'
            ? selfApprovalMessage(record)
            : reason === 'not-an-approver'
              ? notAnApproverMessage(record, 'approve')
              : reason === 'not-an-approver-now'
                ? notAnApproverNowMessage(record)
                : alreadyApprovedMessage(record);
        return { kind: 'refused', reason, message, record };
      }
      default:
        return this.ended(outcome, record);
    }
  }

  private ended(outcome: string, record: ApprovalRecord): { kind: 'ended'; state: EndedState; message: string; record: ApprovalRecord; justExpired: boolean } {
    if (record.state === 'pending') throw new SitrepError(ErrorCode.Internal, `Approval ${record.id}: script answered ${outcome} for a pending request.`);
    return { kind: 'ended', state: record.state, message: endedMessage(record), record, justExpired: outcome === 'expired-now' };
  }

  private async end(mode: 'reject' | 'cancel', id: string, userId: string, reason: string, now: number): Promise<EndOutcome> {
    if (!APPROVAL_ID.test(id)) return { kind: 'unknown', message: unknownMessage(this.retentionMs) };
    const reply = ScriptReply.parse(
      await endScript.run(this.redis, this.keysOf(id), [mode, userId, now, reason, this.auditMaxLen, this.retentionMs]),
    );
    if (reply.length === 1) return { kind: 'unknown', message: unknownMessage(this.retentionMs) };
    await this.flush(id, pairs(reply[3]).state);
    const [outcome, detail, , flat] = reply;
    const record = this.parse(id, flat);
    switch (outcome) {
      case 'done':
        return { kind: 'done', state: z.enum(['rejected', 'cancelled']).parse(detail), message: doneMessage(record), record };
      case 'refused': {
        const why = z.enum(['not-an-approver', 'not-the-requester']).parse(detail);
        return { kind: 'refused', reason: why, message: why === 'not-an-approver' ? notAnApproverMessage(record, 'reject') : notTheRequesterMessage(record), record };
      }
      default:
        return this.ended(outcome, record);
    }
  }

  /** By someone who may approve; by the requester it counts as cancel. */
  reject(id: string, userId: string, reason = '', now: number = this.clock.now()): Promise<EndOutcome> {
    return this.end('reject', id, userId, reason.trim().slice(0, 500), now);
  }

  /**
   * Audits a click refused before the state machine saw it (another card, channel or team; a
   * guest; a policy that no longer allows the clicker). Returns false for an unknown approval.
   */
  async refuse(id: string, userId: string, detail: string, now: number = this.clock.now()): Promise<boolean> {
    if (!APPROVAL_ID.test(id)) return false;
    if ((await refuseScript.run(this.redis, this.keysOf(id), [userId, now, detail.slice(0, 500)])) !== 1) return false;
    await this.flush(id);
    return true;
  }

  /**
   * Audits a refusal that no approval record can carry (e.g. a worker refusing a forged or replayed
   * execution): one `refused` entry with what is known.
   */
  async auditRefusal(entry: { approvalId?: string; requestId: string; verb: string; cluster: string; user: string; detail: string }, now: number = this.clock.now()): Promise<void> {
    await this.auditEvent({ ...entry, action: 'refused' }, now);
  }

  /**
   * Appends an entry the approval scripts do not write themselves (a request's refusal or result)
   * to the audit stream `/k8s audit` reads. `detail` is plain text, cut at 500 characters.
   */
  async auditEvent(entry: { action: AuditAction; approvalId?: string; requestId: string; verb: string; cluster: string; user: string; detail: string }, now: number = this.clock.now()): Promise<void> {
    await this.redis.xadd(this.auditKey, 'MAXLEN', '~', String(this.auditMaxLen), '*',
      'at', String(now), 'action', entry.action, 'approvalId', entry.approvalId ?? '', 'requestId', entry.requestId,
      'verb', entry.verb, 'cluster', entry.cluster, 'namespace', '', 'user', entry.user, 'detail', entry.detail.slice(0, 500));
  }

  /** Only the requester may cancel. */
  cancel(id: string, userId: string, now: number = this.clock.now()): Promise<EndOutcome> {
    return this.end('cancel', id, userId, '', now);
  }

  /**
   * Marks pending requests past their expiry as expired and returns them (to update their cards).
   * Each is returned by exactly one call, however many bots sweep at once.
   */
  async expireDue(now: number = this.clock.now()): Promise<ApprovalRecord[]> {
    const expired: ApprovalRecord[] = [];
    // One approval at a time (each its own hash tag): the index read, then each due one expired by
    // a compare-and-set on its own record, its outbox flushed, and only then dropped from the index.
    // Ended approvals still listed were left by a bot that died before its flush: finished here.
    for (;;) {
      const due = await this.redis.zrangebyscore(this.expiriesKey, '-inf', now, 'LIMIT', 0, EXPIRE_BATCH);
      for (const id of due) {
        const reply = ExpireReply.parse(await expireOneScript.run(this.redis, this.keysOf(id), [now, this.retentionMs]));
        if (reply[0] === 'expired') expired.push(this.parse(id, reply[1]));
        await this.flush(id);
      }
      if (due.length < EXPIRE_BATCH) return expired;
    }
  }

  /** Audit entries at or after `sinceMs`, oldest first. */
  async audit(sinceMs: number, limit = 100): Promise<AuditEntry[]> {
    const start = `${Math.max(0, Math.floor(sinceMs))}-0`;
    const rows = AuditReply.parse(await this.redis.xrange(this.auditKey, start, '+', 'COUNT', limit));
    return rows.map(([id, flat]) => {
      const parsed = AuditEntrySchema.safeParse({ id, ...pairs(flat) });
      if (!parsed.success) throw new SitrepError(ErrorCode.Internal, `Audit entry ${id} is corrupted in Redis: ${parsed.error.message}`, { cause: parsed.error });
      return parsed.data;
    });
  }
}
