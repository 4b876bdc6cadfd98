/**
 * The approval state machine as Redis Lua scripts. Each state change, the checks that guard it
 * (state, expiry, requester, approver set, distinct voters) and its audit entry happen in one
 * script, so two bot replicas clicking at once cannot both see "pending" and both enqueue.
 *
 * Hash fields are described in approval-record.ts. Times are milliseconds from the caller's clock.
 */

/** Shared helpers, prepended to every script below. */
const PRELUDE = `
-- Appends one audit entry. The id is derived from the caller's time so audit(sinceMs) can XRANGE
-- by time; it is kept increasing when a replica's clock is behind the last entry, and falls back
-- to a server id if the stream refuses ours (e.g. its last entry was deleted).
local function audit(stream, maxlen, now, fields)
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
  local ok = redis.pcall('XADD', stream, 'MAXLEN', '~', maxlen, id, unpack(fields))
  if type(ok) == 'table' and ok.err then
    redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', unpack(fields))
  end
end

local function audit_record(key, stream, maxlen, now, action, user, detail)
  local r = redis.call('HMGET', key, 'id', 'requestId', 'verb', 'cluster', 'namespace')
  audit(stream, maxlen, now, {
    'at', now, 'action', action, 'approvalId', r[1] or '', 'requestId', r[2] or '',
    'verb', r[3] or '', 'cluster', r[4] or '', 'namespace', r[5] or '', 'user', user, 'detail', detail,
  })
end

-- Moves a pending request to a final state; ended requests stay readable for retention ms, so a
-- late click still gets "already ended (by whom, when)" rather than "unknown".
local function finish(key, expiries, state, now, by, reason, retention)
  redis.call('HSET', key, 'state', state, 'endedAt', now, 'endedBy', by, 'reason', reason)
  redis.call('ZREM', expiries, redis.call('HGET', key, 'id'))
  if tonumber(retention) > 0 then redis.call('PEXPIRE', key, retention) end
end

-- Audits a refused click (detail says which click and why) and answers it with the reason and
-- the record, so the bot can say who may act instead.
local function refuse(key, stream, maxlen, now, user, detail, reason)
  audit_record(key, stream, maxlen, now, 'refused', user, detail)
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
 * KEYS: hash, expiries zset, audit stream, idempotency key (requestId + plan fingerprint).
 * ARGV: id, expiresAt, now, auditMaxLen, idempotencyTtlMs, requesterId, detail, field, value, ...
 * Returns {'created', id} or {'exists', existingId}.
 */
export const CREATE_SCRIPT = `${PRELUDE}
local existing = redis.call('GET', KEYS[4])
if existing then return {'exists', existing} end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[5])
audit_record(KEYS[1], KEYS[3], ARGV[4], ARGV[3], 'requested', ARGV[6], ARGV[7])
return {'created', ARGV[1]}
`;

/**
 * Stricter wins: a vote counts only from someone the approvers stored at creation AND the policy
 * in force now (ARGV[5], `*` or a JSON list) allow, and the count needed is the larger of the
 * stored one and the policy's now (ARGV[6]).
 * KEYS: hash, expiries zset, audit stream.
 * ARGV (after the request's deadline, see RedisScript): userId, now, auditMaxLen, retentionMs,
 * approvers now, approvals needed now.
 * Returns {outcome, detail, needed, hgetall}; outcome is unknown | ended | expired-now | refused |
 * recorded | approved. For recorded/approved, detail is the count so far.
 */
export const APPROVE_SCRIPT = `${PRELUDE}
local key, expiries, stream = KEYS[1], KEYS[2], KEYS[3]
local user, now, maxlen, retention, approversNow, neededNow = argv[1], argv[2], argv[3], argv[4], argv[5], tonumber(argv[6])
if redis.call('EXISTS', key) == 0 then return {'unknown'} end
local state = redis.call('HGET', key, 'state')
if state ~= 'pending' then
  audit_record(key, stream, maxlen, now, 'refused', user, 'approve: request already ' .. state)
  return {'ended', state, '', redis.call('HGETALL', key)}
end
if is_expired(key, now) then
  finish(key, expiries, 'expired', now, '', '', retention)
  audit_record(key, stream, maxlen, now, 'expired', 'sitrep', 'expired before approval by ' .. user)
  return {'expired-now', 'expired', '', redis.call('HGETALL', key)}
end
if user == redis.call('HGET', key, 'requesterId') then
  return refuse(key, stream, maxlen, now, user, 'approve: self-approval', 'self-approval')
end
if not is_approver(key, user) then
  return refuse(key, stream, maxlen, now, user, 'approve: not-an-approver', 'not-an-approver')
end
if not in_spec(approversNow, user) then
  return refuse(key, stream, maxlen, now, user, 'approve: not-an-approver under the policy now', 'not-an-approver-now')
end
local votes = cjson.decode(redis.call('HGET', key, 'approvals'))
for _, v in ipairs(votes) do
  if v.userId == user then
    return refuse(key, stream, maxlen, now, user, 'approve: already-approved-by-you', 'already-approved-by-you')
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
  finish(key, expiries, 'approved', now, user, '', retention)
  audit_record(key, stream, maxlen, now, 'approved', user, count .. '/' .. needed)
  return {'approved', count, string.format('%d', needed), redis.call('HGETALL', key)}
end
audit_record(key, stream, maxlen, now, 'approval', user, count .. '/' .. needed)
return {'recorded', count, string.format('%d', needed), redis.call('HGETALL', key)}
`;

/**
 * Reject (by an approver) or cancel (by the requester). A requester's Reject click is taken as
 * Cancel: they clearly want it stopped, and "rejected by the requester" would mislead the audit.
 * KEYS: hash, expiries zset, audit stream.
 * ARGV (after the request's deadline): mode (reject | cancel), userId, now, reason, auditMaxLen, retentionMs.
 * Returns {outcome, detail, '', hgetall}; outcome is unknown | ended | expired-now | refused | done.
 */
export const END_SCRIPT = `${PRELUDE}
local key, expiries, stream = KEYS[1], KEYS[2], KEYS[3]
local mode, user, now, reason, maxlen, retention = argv[1], argv[2], argv[3], argv[4], argv[5], argv[6]
if redis.call('EXISTS', key) == 0 then return {'unknown'} end
local state = redis.call('HGET', key, 'state')
if state ~= 'pending' then
  audit_record(key, stream, maxlen, now, 'refused', user, mode .. ': request already ' .. state)
  return {'ended', state, '', redis.call('HGETALL', key)}
end
if is_expired(key, now) then
  finish(key, expiries, 'expired', now, '', '', retention)
  audit_record(key, stream, maxlen, now, 'expired', 'sitrep', 'expired before ' .. mode .. ' by ' .. user)
  return {'expired-now', 'expired', '', redis.call('HGETALL', key)}
end
local requester = redis.call('HGET', key, 'requesterId')
if user == requester then
  finish(key, expiries, 'cancelled', now, user, reason, retention)
  audit_record(key, stream, maxlen, now, 'cancelled', user, reason)
  return {'done', 'cancelled', '', redis.call('HGETALL', key)}
end
if mode == 'cancel' then
  return refuse(key, stream, maxlen, now, user, 'cancel: not-the-requester', 'not-the-requester')
end
if not is_approver(key, user) then
  return refuse(key, stream, maxlen, now, user, 'reject: not-an-approver', 'not-an-approver')
end
finish(key, expiries, 'rejected', now, user, reason, retention)
audit_record(key, stream, maxlen, now, 'rejected', user, reason)
return {'done', 'rejected', '', redis.call('HGETALL', key)}
`;

/**
 * Expires due pending requests, each exactly once even with several sweepers: the state check and
 * the change are in one script.
 * KEYS: expiries zset, audit stream.
 * ARGV: now, batch size, auditMaxLen, retentionMs, hash key prefix (`<prefix>:approval:`).
 * Returns {number of ids looked at, {hgetall of each request expired now, ...}}.
 */
export const EXPIRE_SCRIPT = `${PRELUDE}
local expiries, stream = KEYS[1], KEYS[2]
local now, batch, maxlen, retention, hashPrefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ids = redis.call('ZRANGEBYSCORE', expiries, '-inf', now, 'LIMIT', 0, batch)
local out = {}
for _, id in ipairs(ids) do
  local key = hashPrefix .. id
  redis.call('ZREM', expiries, id)
  if redis.call('HGET', key, 'state') == 'pending' then
    finish(key, expiries, 'expired', now, '', '', retention)
    audit_record(key, stream, maxlen, now, 'expired', 'sitrep', 'no decision in time')
    table.insert(out, redis.call('HGETALL', key))
  end
end
return {#ids, out}
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
 * KEYS: hash, audit stream. ARGV: userId, now, auditMaxLen, detail. Returns 1, or 0 when unknown.
 */
export const REFUSE_SCRIPT = `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
audit_record(KEYS[1], KEYS[2], ARGV[3], ARGV[2], 'refused', ARGV[1], ARGV[4])
return 1
`;
