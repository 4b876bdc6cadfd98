/**
 * The approval state machine as Redis Lua scripts. Each state change, the checks that guard it
 * (state, expiry, requester, approver set, distinct voters) and its audit entry happen in one
 * script, so two bot replicas clicking at once cannot both see "pending" and both enqueue.
 *
 * Hash fields are described in approval-record.ts. Times are milliseconds from the caller's clock.
 */

/**
 * Appends one audit entry to the audit stream, once: the entry's id (`<approvalId>:<n>`) is marked
 * first, and only an id new to the marks is added, so a flush retried after a crash, or two bots
 * flushing the same outbox at once, store it once. The stream id is derived from the entry's time
 * so audit(sinceMs) can XRANGE by time; it is kept increasing when a replica's clock is behind the
 * last entry, and falls back to a server id if the stream refuses ours (its last entry was deleted).
 * KEYS: audit stream, this entry's mark (both under the audit tag, core/key-tags.ts).
 * ARGV: maxlen, now, markTtlMs, field, value, ... Returns 1 when added, 0 when it was already there.
 */
export const AUDIT_ONCE_SCRIPT = `
local stream, mark = KEYS[1], KEYS[2]
local maxlen, now = ARGV[1], ARGV[2]
if not redis.call('SET', mark, '1', 'NX', 'PX', ARGV[3]) then return 0 end
local id = now .. '-0'
local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
if #last > 0 then
  local lid = last[1][1]
  local dash = string.find(lid, '-', 1, true)
  local lms = string.sub(lid, 1, dash - 1)
  if tonumber(lms) >= tonumber(now) then
    id = lms .. '-' .. string.format('%d', tonumber(string.sub(lid, dash + 1)) + 1)
  end
end
local ok = redis.pcall('XADD', stream, 'MAXLEN', '~', maxlen, id, unpack(ARGV, 4))
if type(ok) == 'table' and ok.err then
  redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', unpack(ARGV, 4))
end
return 1
`;

/**
 * Shared helpers, prepended to every script below. Each script touches one approval's keys only
 * (its hash, its audit outbox, the outbox's counter: one hash tag, core/key-tags.ts), so it runs on
 * a Redis Cluster. What used to be written to the shared audit stream and expiry index in the same
 * script is split off:
 * - audit entries go to the approval's outbox here, in the same script as the change they record,
 *   and ApprovalStore.flush moves them to the audit stream right after (AUDIT_ONCE_SCRIPT, once
 *   per entry however often it is flushed). A bot that dies in between leaves them in the outbox;
 *   the expiry sweep flushes it (the approval is still in the expiry index, see below).
 * - the expiry index entry is removed by the store after the change, only once the outbox is
 *   flushed; until then the sweep finds the approval, sees it ended, and finishes both.
 */
const PRELUDE = `
local function audit_record(key, outbox, seq, now, action, user, detail)
  local r = redis.call('HMGET', key, 'id', 'requestId', 'verb', 'cluster', 'namespace')
  local n = redis.call('INCR', seq)
  redis.call('RPUSH', outbox, cjson.encode({
    id = (r[1] or '') .. ':' .. string.format('%d', n), at = now,
    fields = {'at', now, 'action', action, 'approvalId', r[1] or '', 'requestId', r[2] or '',
      'verb', r[3] or '', 'cluster', r[4] or '', 'namespace', r[5] or '', 'user', user, 'detail', detail},
  }))
end

-- Moves a pending request to a final state; ended requests stay readable for retention ms, so a
-- late click still gets "already ended (by whom, when)" rather than "unknown".
local function finish(key, outbox, seq, state, now, by, reason, retention)
  redis.call('HSET', key, 'state', state, 'endedAt', now, 'endedBy', by, 'reason', reason)
  if tonumber(retention) > 0 then
    redis.call('PEXPIRE', key, retention)
    redis.call('PEXPIRE', seq, retention)
  end
end

-- Audits a refused click (detail says which click and why) and answers it with the reason and
-- the record, so the bot can say who may act instead.
local function refuse(key, outbox, seq, now, user, detail, reason)
  audit_record(key, outbox, seq, now, 'refused', user, detail)
  return {'refused', reason, '', redis.call('HGETALL', key)}
end

local function is_expired(key, now)
  return tonumber(now) >= tonumber(redis.call('HGET', key, 'expiresAt'))
end

local function in_spec(approvers, user)
  if approvers == '*' then return true end
  for _, a in ipairs(cjson.decode(approvers)) do
    if a == user then return true end
  end
  return false
end

local function is_approver(key, user)
  return in_spec(redis.call('HGET', key, 'approvers'), user)
end
`;

/**
 * Creates the approval unless it exists (a retried delivery after the idempotency key named its id).
 * KEYS: hash, outbox, outbox counter. ARGV: now, requesterId, detail, field, value, ...
 * Returns 'created' or 'exists'.
 */
export const CREATE_SCRIPT = `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
audit_record(KEYS[1], KEYS[2], KEYS[3], ARGV[1], 'requested', ARGV[2], ARGV[3])
return 'created'
`;

/**
 * Stricter wins: a vote counts only from someone the approvers stored at creation AND the policy
 * in force now (ARGV[5], `*` or a JSON list) allow, and the count needed is the larger of the
 * stored one and the policy's now (ARGV[6]).
 * KEYS: hash, outbox, outbox counter.
 * ARGV (after the request's deadline, see RedisScript): userId, now, (unused), retentionMs,
 * approvers now, approvals needed now.
 * Returns {outcome, detail, needed, hgetall}; outcome is unknown | ended | expired-now | refused |
 * recorded | approved. For recorded/approved, detail is the count so far.
 */
export const APPROVE_SCRIPT = `${PRELUDE}
local key, outbox, seq = KEYS[1], KEYS[2], KEYS[3]
local user, now, maxlen, retention, approversNow, neededNow = argv[1], argv[2], argv[3], argv[4], argv[5], tonumber(argv[6])
if redis.call('EXISTS', key) == 0 then return {'unknown'} end
local state = redis.call('HGET', key, 'state')
if state ~= 'pending' then
  audit_record(key, outbox, seq, now, 'refused', user, 'approve: request already ' .. state)
  return {'ended', state, '', redis.call('HGETALL', key)}
end
if is_expired(key, now) then
  finish(key, outbox, seq, 'expired', now, '', '', retention)
  audit_record(key, outbox, seq, now, 'expired', 'sitrep', 'expired before approval by ' .. user)
  return {'expired-now', 'expired', '', redis.call('HGETALL', key)}
end
if user == redis.call('HGET', key, 'requesterId') then
  return refuse(key, outbox, seq, now, user, 'approve: self-approval', 'self-approval')
end
if not is_approver(key, user) then
  return refuse(key, outbox, seq, now, user, 'approve: not-an-approver', 'not-an-approver')
end
if not in_spec(approversNow, user) then
  return refuse(key, outbox, seq, now, user, 'approve: not-an-approver under the policy now', 'not-an-approver-now')
end
local votes = cjson.decode(redis.call('HGET', key, 'approvals'))
for _, v in ipairs(votes) do
  if v.userId == user then
    return refuse(key, outbox, seq, now, user, 'approve: already-approved-by-you', 'already-approved-by-you')
  end
end
table.insert(votes, {userId = user, at = tonumber(now)})
redis.call('HSET', key, 'approvals', cjson.encode(votes))
local needed = math.max(tonumber(redis.call('HGET', key, 'requiredApprovals')), neededNow)
local counted = 0
for _, v in ipairs(votes) do
  if in_spec(approversNow, v.userId) then counted = counted + 1 end
end
local count = string.format('%d', counted)
if counted >= needed then
  finish(key, outbox, seq, 'approved', now, user, '', retention)
  audit_record(key, outbox, seq, now, 'approved', user, count .. '/' .. needed)
  return {'approved', count, string.format('%d', needed), redis.call('HGETALL', key)}
end
audit_record(key, outbox, seq, now, 'approval', user, count .. '/' .. needed)
return {'recorded', count, string.format('%d', needed), redis.call('HGETALL', key)}
`;

/**
 * Reject (by an approver) or cancel (by the requester). A requester's Reject click is taken as
 * Cancel: they clearly want it stopped, and "rejected by the requester" would mislead the audit.
 * KEYS: hash, outbox, outbox counter.
 * ARGV (after the request's deadline): mode (reject | cancel), userId, now, reason, (unused), retentionMs.
 * Returns {outcome, detail, '', hgetall}; outcome is unknown | ended | expired-now | refused | done.
 */
export const END_SCRIPT = `${PRELUDE}
local key, outbox, seq = KEYS[1], KEYS[2], KEYS[3]
local mode, user, now, reason, maxlen, retention = argv[1], argv[2], argv[3], argv[4], argv[5], argv[6]
if redis.call('EXISTS', key) == 0 then return {'unknown'} end
local state = redis.call('HGET', key, 'state')
if state ~= 'pending' then
  audit_record(key, outbox, seq, now, 'refused', user, mode .. ': request already ' .. state)
  return {'ended', state, '', redis.call('HGETALL', key)}
end
if is_expired(key, now) then
  finish(key, outbox, seq, 'expired', now, '', '', retention)
  audit_record(key, outbox, seq, now, 'expired', 'sitrep', 'expired before ' .. mode .. ' by ' .. user)
  return {'expired-now', 'expired', '', redis.call('HGETALL', key)}
end
local requester = redis.call('HGET', key, 'requesterId')
if user == requester then
  finish(key, outbox, seq, 'cancelled', now, user, reason, retention)
  audit_record(key, outbox, seq, now, 'cancelled', user, reason)
  return {'done', 'cancelled', '', redis.call('HGETALL', key)}
end
if mode == 'cancel' then
  return refuse(key, outbox, seq, now, user, 'cancel: not-the-requester', 'not-the-requester')
end
if not is_approver(key, user) then
  return refuse(key, outbox, seq, now, user, 'reject: not-an-approver', 'not-an-approver')
end
finish(key, outbox, seq, 'rejected', now, user, reason, retention)
audit_record(key, outbox, seq, now, 'rejected', user, reason)
return {'done', 'rejected', '', redis.call('HGETALL', key)}
`;

/**
 * Expires one request if it is still pending (the sweep found it due in the expiry index): the
 * state check and the change are in one script, so with several sweepers each is expired once.
 * KEYS: hash, outbox, outbox counter. ARGV: now, retentionMs.
 * Returns {'expired', hgetall} for THIS call's expiry, {'ended'} when it had ended already,
 * {'unknown'} when there is no such request (gone by retention, or never created).
 */
export const EXPIRE_ONE_SCRIPT = `${PRELUDE}
local key, outbox, seq = KEYS[1], KEYS[2], KEYS[3]
local state = redis.call('HGET', key, 'state')
if not state then return {'unknown'} end
if state ~= 'pending' then return {'ended'} end
finish(key, outbox, seq, 'expired', ARGV[1], '', '', ARGV[2])
audit_record(key, outbox, seq, ARGV[1], 'expired', 'sitrep', 'no decision in time')
return {'expired', redis.call('HGETALL', key)}
`;

/** KEYS: hash. ARGV: channelId, messageTs. Returns 1, or 0 when the request does not exist. */
export const SET_MESSAGE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'channelId', ARGV[1], 'messageTs', ARGV[2])
return 1
`;

/**
 * Audits a click refused before it reached the state machine (from another card, channel or team;
 * by a guest; under a policy that no longer allows it). Changes nothing else.
 * KEYS: hash, outbox, outbox counter. ARGV: userId, now, detail. Returns 1, or 0 when unknown.
 */
export const REFUSE_SCRIPT = `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
audit_record(KEYS[1], KEYS[2], KEYS[3], ARGV[2], 'refused', ARGV[1], ARGV[3])
return 1
`;
