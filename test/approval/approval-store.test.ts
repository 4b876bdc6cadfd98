import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalStore, type CreateApprovalInput } from '../../src/approval/approval-store.js';
import { APPROVE_SCRIPT } from '../../src/approval/approval-scripts.js';
import { RedisScript } from '../../src/core/redis-script.js';
import { ErrorCode } from '../../src/core/errors.js';
import { randomId } from '../../src/core/ids.js';
import { fingerprintPlan, type Plan } from '../../src/core/plan.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

const ALICE = 'U012ALICE';
const BOB = 'U034BOB';
const CAROL = 'U056CAROL';
const DAVE = 'U078DAVE';
const T0 = Date.UTC(2025, 2, 14, 3, 0, 0);

function plan(): Plan {
  const base = {
    actions: [
      { kind: 'cordon' as const, target: 'node/node02' },
      { kind: 'evict' as const, target: 'pod/default/web-7d9f-abcde', owner: 'ReplicaSet/web-7d9f' },
    ],
    warnings: [],
  };
  return { v: 1, verb: 'drain', cluster: 'prod', target: 'node/node02', summary: 'Drain node02: cordon, evict 1 pod', skipped: [], fixed: {}, facts: {}, createdAt: T0, fingerprint: fingerprintPlan(base), ...base };
}

function input(extra: Partial<CreateApprovalInput> = {}): CreateApprovalInput {
  return {
    requestId: randomId('req'),
    verb: 'drain',
    cluster: 'prod',
    channelId: 'C0OPS',
    requesterId: ALICE,
    requiredApprovals: 1,
    approvers: [ALICE, BOB, CAROL],
    approversLabel: '@oncall',
    approverDescription: '1 approval from @oncall (<@U012ALICE>, <@U034BOB>, <@U056CAROL>) other than the requester',
    plan: plan(),
    ttlMs: 15 * 60_000,
    ...extra,
  };
}

let redis: TestRedis;
let client: Redis;
let now = T0;
const clock = { now: () => now };

/** A store with its own prefix, so tests never see each other's keys. */
function newStore(c: Redis = client, prefix = `t${randomId('p').slice(2, 10)}`) {
  return { store: new ApprovalStore(c, { prefix, clock }), prefix };
}

beforeAll(async () => {
  redis = await startTestRedis();
  client = redis.client();
});
afterAll(async () => {
  await redis?.stop();
});

describe('approval flow', () => {
  it('creates a pending request, records the card, and one approval completes it', async () => {
    now = T0;
    const { store } = newStore();
    const rec = await store.create(input({ namespace: 'default' }));
    expect(rec).toMatchObject({ state: 'pending', requesterId: ALICE, requiredApprovals: 1, approvers: [ALICE, BOB, CAROL], approvals: [], expiresAt: T0 + 15 * 60_000, namespace: 'default' });
    expect(rec.plan.summary).toBe('Drain node02: cordon, evict 1 pod');
    expect(rec.planFingerprint).toBe(rec.plan.fingerprint);
    expect(rec.messageTs).toBeUndefined();

    await store.setMessage(rec.id, 'C0OPS', '1710385200.000100');
    expect((await store.get(rec.id))?.messageTs).toBe('1710385200.000100');

    now = T0 + 60_000;
    const out = await store.approve(rec.id, BOB);
    expect(out.kind).toBe('approved');
    if (out.kind !== 'approved') return;
    expect(out.message).toBe('Approved by <@U034BOB>: drain on prod can run.');
    expect(out.record).toMatchObject({ state: 'approved', endedBy: BOB, endedAt: T0 + 60_000, approvals: [{ userId: BOB, at: T0 + 60_000 }] });
    expect(await store.get(rec.id)).toEqual(out.record);
  });

  it('answers a late click with who ended it and when', async () => {
    now = T0;
    const { store } = newStore();
    const rec = await store.create(input());
    await store.approve(rec.id, BOB);
    const late = await store.approve(rec.id, CAROL);
    expect(late).toMatchObject({ kind: 'ended', state: 'approved', justExpired: false });
    if (late.kind === 'ended') expect(late.message).toBe('This request already ended (approved by <@U034BOB> at 03:00:00 UTC).');
  });

  it('refuses self-approval and tells who to ask', async () => {
    const { store } = newStore();
    const rec = await store.create(input());
    const out = await store.approve(rec.id, ALICE);
    expect(out).toMatchObject({ kind: 'refused', reason: 'self-approval', message: 'You cannot approve your own request: a second person must approve it. Ask someone in @oncall; nothing runs until then.' });
    expect((await store.get(rec.id))?.state).toBe('pending');

    const anyone = await store.create(input({ approvers: '*', approversLabel: 'anyone else', approverDescription: undefined }));
    expect(await store.approve(anyone.id, ALICE)).toMatchObject({ kind: 'refused', message: 'You cannot approve your own request: a second person must approve it. Ask someone else; nothing runs until then.' });
    expect(await store.approve(anyone.id, DAVE)).toMatchObject({ kind: 'approved' });
  });

  it('refuses someone who is not an approver, naming who can approve', async () => {
    const { store } = newStore();
    const rec = await store.create(input());
    const out = await store.approve(rec.id, DAVE);
    expect(out).toMatchObject({ kind: 'refused', reason: 'not-an-approver' });
    if (out.kind === 'refused') {
      expect(out.message).toBe('You cannot approve this drain: it needs 1 approval from @oncall (<@U012ALICE>, <@U034BOB>, <@U056CAROL>) other than the requester.');
    }
    expect((await store.get(rec.id))?.approvals).toEqual([]);
  });

  it('counts distinct approvers only and completes on the second', async () => {
    now = T0;
    const { store } = newStore();
    const rec = await store.create(input({ requiredApprovals: 2 }));
    expect(await store.approve(rec.id, BOB)).toMatchObject({ kind: 'recorded', approvalsSoFar: 1, needed: 2, message: 'Approval recorded (1 of 2). Waiting for 1 more from @oncall.' });
    expect(await store.approve(rec.id, BOB)).toMatchObject({ kind: 'refused', reason: 'already-approved-by-you', message: 'You already approved this. It still needs 1 more from @oncall.' });
    const done = await store.approve(rec.id, CAROL);
    expect(done).toMatchObject({ kind: 'approved', message: 'Approved by <@U034BOB> and <@U056CAROL>: drain on prod can run.' });
    if (done.kind === 'approved') expect(done.record.approvals.map((v) => v.userId)).toEqual([BOB, CAROL]);
  });

  it('stricter wins: the policy now narrows who may approve and raises the count, never the reverse', async () => {
    now = T0;
    const { store } = newStore();
    const rec = await store.create(input({ approvers: [BOB, CAROL, DAVE], requiredApprovals: 1 }));
    // BOB has left the approvers since the request was made: refused, audited, not counted.
    expect(await store.approve(rec.id, BOB, { approvers: [CAROL, DAVE], required: 1 })).toMatchObject({ kind: 'refused', reason: 'not-an-approver-now' });
    // A newcomer allowed now but not at the request is refused too.
    expect(await store.approve(rec.id, 'U999NEW', { approvers: [CAROL, DAVE, 'U999NEW'], required: 1 })).toMatchObject({ kind: 'refused', reason: 'not-an-approver' });
    // The policy now needs two: CAROL alone no longer completes it.
    expect(await store.approve(rec.id, CAROL, { approvers: [CAROL, DAVE], required: 2 })).toMatchObject({ kind: 'recorded', approvalsSoFar: 1, needed: 2 });
    expect(await store.approve(rec.id, DAVE, { approvers: [CAROL, DAVE], required: 2 })).toMatchObject({ kind: 'approved' });
    const refusals = (await store.audit(T0 - 1)).filter((e) => e.action === 'refused').map((e) => e.detail);
    expect(refusals).toEqual(expect.arrayContaining(['approve: not-an-approver under the policy now', 'approve: not-an-approver']));
  });

  it('a vote given before the policy changed stops counting once its voter is no longer an approver', async () => {
    now = T0;
    const { store } = newStore();
    const rec = await store.create(input({ approvers: [BOB, CAROL, DAVE], requiredApprovals: 2 }));
    expect(await store.approve(rec.id, BOB)).toMatchObject({ kind: 'recorded', approvalsSoFar: 1 });
    // BOB is removed from the approvers; CAROL's vote is the first that still counts.
    expect(await store.approve(rec.id, CAROL, { approvers: [CAROL, DAVE], required: 2 })).toMatchObject({ kind: 'recorded', approvalsSoFar: 1, needed: 2 });
    expect(await store.approve(rec.id, DAVE, { approvers: [CAROL, DAVE], required: 2 })).toMatchObject({ kind: 'approved' });
  });

  it('refuses a request nobody can approve at creation', async () => {
    const { store } = newStore();
    await expect(store.create(input({ approvers: [ALICE], requiredApprovals: 1 }))).rejects.toMatchObject({ code: ErrorCode.ApprovalRefused });
  });

  it('returns the same request for a retried create of the same plan', async () => {
    const { store } = newStore();
    const first = await store.create(input({ requestId: 'req_same' }));
    const again = await store.create(input({ requestId: 'req_same' }));
    expect(again.id).toBe(first.id);
    expect((await store.audit(0)).filter((e) => e.action === 'requested')).toHaveLength(1);
  });
});

describe('reject, cancel, expire', () => {
  it('lets an approver reject, with a reason, and later clicks say so', async () => {
    now = T0;
    const { store } = newStore();
    const rec = await store.create(input());
    expect(await store.reject(rec.id, DAVE, 'no')).toMatchObject({ kind: 'refused', reason: 'not-an-approver', message: 'You cannot reject this drain: it needs 1 approval from @oncall (<@U012ALICE>, <@U034BOB>, <@U056CAROL>) other than the requester.' });
    now = T0 + 5_000;
    const out = await store.reject(rec.id, BOB, 'node02 runs the only etcd backup');
    expect(out).toMatchObject({ kind: 'done', state: 'rejected', message: 'Rejected by <@U034BOB>: node02 runs the only etcd backup. drain will not run.' });
    const late = await store.approve(rec.id, CAROL);
    expect(late).toMatchObject({ kind: 'ended', state: 'rejected', message: 'This request already ended (rejected by <@U034BOB> at 03:00:05 UTC: node02 runs the only etcd backup).' });
  });

  it('lets only the requester cancel; their Reject click cancels too', async () => {
    now = T0;
    const { store } = newStore();
    const rec = await store.create(input());
    expect(await store.cancel(rec.id, BOB)).toMatchObject({ kind: 'refused', reason: 'not-the-requester', message: 'Only <@U012ALICE> can cancel this request. An approver can reject it.' });
    expect(await store.cancel(rec.id, ALICE)).toMatchObject({ kind: 'done', state: 'cancelled', message: 'Cancelled by <@U012ALICE>. drain will not run.' });
    expect(await store.approve(rec.id, BOB)).toMatchObject({ kind: 'ended', state: 'cancelled', message: 'This request already ended (cancelled by <@U012ALICE> at 03:00:00 UTC).' });
    expect(await store.cancel(rec.id, ALICE)).toMatchObject({ kind: 'ended', state: 'cancelled' });

    const second = await store.create(input());
    expect(await store.reject(second.id, ALICE)).toMatchObject({ kind: 'done', state: 'cancelled' });
  });

  it('refuses an approval after expiry even before any sweep', async () => {
    now = T0;
    const { store } = newStore();
    const rec = await store.create(input({ ttlMs: 60_000 }));
    now = T0 + 60_000;
    const out = await store.approve(rec.id, BOB);
    expect(out).toMatchObject({ kind: 'ended', state: 'expired', justExpired: true, message: 'This request already ended (expired at 03:01:00 UTC with 0 of 1 approvals). Run the command again if it is still needed.' });
    expect(await store.expireDue()).toEqual([]);
    expect(await store.approve(rec.id, BOB)).toMatchObject({ kind: 'ended', state: 'expired', justExpired: false });
  });

  it('sweeps due requests exactly once, also with two sweepers at once', async () => {
    now = T0;
    const { store, prefix } = newStore();
    const other = new ApprovalStore(redis.client(), { prefix, clock });
    const due = await Promise.all(Array.from({ length: 30 }, () => store.create(input({ ttlMs: 60_000 }))));
    const later = await store.create(input({ ttlMs: 10 * 60_000 }));
    now = T0 + 61_000;
    const [a, b] = await Promise.all([store.expireDue(), other.expireDue()]);
    const swept = [...a, ...b].map((r) => r.id).sort();
    expect(swept).toEqual(due.map((r) => r.id).sort());
    expect([...a, ...b].every((r) => r.state === 'expired' && r.endedAt === now)).toBe(true);
    expect(await store.expireDue()).toEqual([]);
    expect((await store.get(later.id))?.state).toBe('pending');
    expect((await store.audit(0, 1000)).filter((e) => e.action === 'expired')).toHaveLength(30);
  });

  it('knows nothing of unknown or malformed ids', async () => {
    const { store } = newStore();
    expect(await store.approve('apr_AAAAAAAAAAAAAAAA', BOB)).toMatchObject({ kind: 'unknown' });
    expect(await store.approve('apr_x:../../etc', BOB)).toMatchObject({ kind: 'unknown' });
    expect(await store.reject('apr_AAAAAAAAAAAAAAAA', BOB)).toMatchObject({ kind: 'unknown' });
    expect(await store.get('nope')).toBeUndefined();
    await expect(store.setMessage('apr_AAAAAAAAAAAAAAAA', 'C1', '1.2')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });

  it('reports a corrupted record as a clear error', async () => {
    const { store, prefix } = newStore();
    const rec = await store.create(input());
    await client.hset(store.key(rec.id), 'state', 'maybe', 'approvals', '{oops');
    await expect(store.get(rec.id)).rejects.toMatchObject({ code: ErrorCode.Internal, message: expect.stringMatching(new RegExp(`^Approval ${rec.id} is corrupted in Redis \\(state: .*approvals: not JSON`)) });
  });
});

describe('exactly once', () => {
  it('50 concurrent clicks on many connections approve exactly once (1 approval needed)', async () => {
    now = T0;
    const { store, prefix } = newStore();
    const approvers = Array.from({ length: 25 }, (_, i) => `U${String(i).padStart(3, '0')}X`);
    const rec = await store.create(input({ approvers, requesterId: ALICE }));
    const stores = Array.from({ length: 50 }, () => new ApprovalStore(redis.client(), { prefix, clock }));
    // Every approver clicks twice, on two different connections.
    const outcomes = await Promise.all(stores.map((s, i) => s.approve(rec.id, approvers[i % 25])));
    expect(outcomes.filter((o) => o.kind === 'approved')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'ended' && o.state === 'approved')).toHaveLength(49);
    const final = await store.get(rec.id);
    expect(final?.approvals).toHaveLength(1);
    expect((await store.audit(0, 1000)).filter((e) => e.approvalId === rec.id && e.action === 'approved')).toHaveLength(1);
  });

  it('50 concurrent clicks approve exactly once, after two distinct approvers (2 needed)', async () => {
    now = T0;
    const { store, prefix } = newStore();
    const approvers = Array.from({ length: 25 }, (_, i) => `U${String(i).padStart(3, '0')}Y`);
    const rec = await store.create(input({ approvers, requiredApprovals: 2 }));
    const stores = Array.from({ length: 50 }, () => new ApprovalStore(redis.client(), { prefix, clock }));
    const outcomes = await Promise.all(stores.map((s, i) => s.approve(rec.id, approvers[i % 25])));
    const approved = outcomes.filter((o) => o.kind === 'approved');
    expect(approved).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'recorded')).toHaveLength(1);
    const final = await store.get(rec.id);
    expect(final?.state).toBe('approved');
    expect(new Set(final?.approvals.map((v) => v.userId)).size).toBe(2);
  });

  it('two bot processes clicking at once approve exactly once', async () => {
    now = T0;
    const { store, prefix } = newStore();
    const approvers = Array.from({ length: 20 }, (_, i) => `U${String(i).padStart(3, '0')}Z`);
    const rec = await store.create(input({ approvers, requiredApprovals: 2 }));
    const storeUrl = new URL('../../src/approval/approval-store.ts', import.meta.url).href;
    // Each replica: its own connections, one per click; the same people click in both replicas.
    const child = `
      import { Redis } from 'ioredis';
      import { ApprovalStore } from ${JSON.stringify(storeUrl)};
      const { URL_, PREFIX, ID, USERS, NOW } = process.env;
      const users = USERS.split(',');
      const conns = users.map(() => new Redis(URL_));
      const stores = conns.map((c) => new ApprovalStore(c, { prefix: PREFIX }));
      await conns[0].rpush(PREFIX + ':ready', '1');
      await conns[0].blpop(PREFIX + ':go', 30);
      const out = await Promise.all(stores.map((s, i) => s.approve(ID, users[i], { at: Number(NOW) })));
      process.stdout.write(JSON.stringify(out.map((o) => o.kind)));
      for (const c of conns) c.disconnect();
    `;
    const run = () =>
      new Promise<string[]>((resolve, reject) => {
        const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], {
          cwd: fileURLToPath(new URL('../..', import.meta.url)),
          env: { ...process.env, URL_: redis.url, PREFIX: prefix, ID: rec.id, USERS: approvers.join(','), NOW: String(T0 + 1000) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        p.stdout.on('data', (d: Buffer) => (out += d.toString()));
        p.stderr.on('data', (d: Buffer) => (err += d.toString()));
        p.on('error', reject);
        p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`child exited ${code}: ${err}`))));
      });
    const children = [run(), run()];
    // Release both replicas together once both are connected and ready.
    const waiter = redis.client();
    for (let i = 0; i < 2; i++) expect(await waiter.blpop(`${prefix}:ready`, 30)).not.toBeNull();
    await waiter.rpush(`${prefix}:go`, '1', '1');
    const kinds = (await Promise.all(children)).flat();
    expect(kinds).toHaveLength(40);
    expect(kinds.filter((k) => k === 'approved')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'recorded')).toHaveLength(1);
    const final = await store.get(rec.id);
    expect(final?.state).toBe('approved');
    expect(new Set(final?.approvals.map((v) => v.userId)).size).toBe(2);
  });
});

describe('audit stream', () => {
  it('records every request, vote, refusal and ending with who and what', async () => {
    now = T0;
    const { store } = newStore();
    const rec = await store.create(input({ namespace: 'default', requiredApprovals: 2 }));
    now = T0 + 1000;
    await store.approve(rec.id, ALICE);
    await store.approve(rec.id, DAVE);
    await store.approve(rec.id, BOB);
    now = T0 + 2000;
    await store.approve(rec.id, CAROL);
    await store.approve(rec.id, BOB);
    const second = await store.create(input());
    await store.reject(second.id, CAROL, 'wrong node');

    const entries = await store.audit(T0);
    expect(entries.map((e) => [e.action, e.user, e.detail])).toEqual([
      ['requested', ALICE, `1 approval from @oncall (<@U012ALICE>, <@U034BOB>, <@U056CAROL>) other than the requester; plan ${rec.planFingerprint}`],
      ['refused', ALICE, 'approve: self-approval'],
      ['refused', DAVE, 'approve: not-an-approver'],
      ['approval', BOB, '1/2'],
      ['approved', CAROL, '2/2'],
      ['refused', BOB, 'approve: request already approved'],
      ['requested', ALICE, expect.stringContaining('plan ')],
      ['rejected', CAROL, 'wrong node'],
    ]);
    expect(entries[0]).toMatchObject({ at: T0, approvalId: rec.id, requestId: rec.requestId, verb: 'drain', cluster: 'prod', namespace: 'default' });
    expect(entries[4].at).toBe(T0 + 2000);
    expect(entries[4].id.startsWith(`${T0 + 2000}-`)).toBe(true);

    // Reading from a time skips what came before it.
    expect((await store.audit(T0 + 2000)).map((e) => e.action)).toEqual(['approved', 'refused', 'requested', 'rejected']);
    expect(await store.audit(T0 + 1000, 2)).toHaveLength(2);
  });

  it('a bot that dies between a decision and its audit entry: the expiry sweep writes the entry once and drops the approval from the index', async () => {
    now = T0;
    const { store, prefix } = newStore();
    const rec = await store.create(input());
    now = T0 + 1000;
    // What store.approve runs first, under the approval's own hash tag; the bot dies before its
    // flush to the audit stream (another hash tag on a Redis Cluster).
    const key = store.key(rec.id);
    await new RedisScript(APPROVE_SCRIPT, { deadline: true }).run(client, [key, `${key}:outbox`, `${key}:seq`], [BOB, now, 100_000, 86_400_000, '*', 0]);
    expect((await store.get(rec.id))?.state).toBe('approved');
    expect((await store.audit(0)).map((e) => e.action)).toEqual(['requested']);
    expect(await client.zscore(store.expiriesKey, rec.id)).not.toBeNull();

    // Two bots sweep at once, after the approval's expiry time: the entry is written once.
    now = rec.expiresAt + 1;
    const swept = await Promise.all([store.expireDue(), new ApprovalStore(redis.client(), { prefix, clock }).expireDue()]);
    expect(swept.flat()).toEqual([]);
    expect((await store.audit(0)).map((e) => [e.action, e.user, e.at])).toEqual([['requested', ALICE, T0], ['approved', BOB, T0 + 1000]]);
    expect(await client.zscore(store.expiriesKey, rec.id)).toBeNull();
    expect((await store.get(rec.id))?.state).toBe('approved');
  });

  it('keeps ids increasing when a replica clock is behind', async () => {
    now = T0 + 10_000;
    const { store, prefix } = newStore();
    const behind = new ApprovalStore(client, { prefix, clock: { now: () => T0 } });
    await store.create(input());
    await behind.create(input());
    const entries = await store.audit(0);
    expect(entries.map((e) => e.at)).toEqual([T0 + 10_000, T0]);
    expect(entries[1].id).toBe(`${T0 + 10_000}-1`);
  });
});

describe('persistence', () => {
  it('keeps state across a kill -9, and an expiry that passed while Redis was down holds', async () => {
    const aof = await startTestRedis({ aof: true });
    try {
      now = T0;
      const c = aof.client();
      const store = new ApprovalStore(c, { prefix: 'sitrep', clock });
      const done = await store.create(input());
      expect((await store.approve(done.id, BOB)).kind).toBe('approved');
      const half = await store.create(input({ requiredApprovals: 2 }));
      expect((await store.approve(half.id, BOB)).kind).toBe('recorded');
      const soon = await store.create(input({ ttlMs: 60_000 }));
      const before = await Promise.all([done.id, half.id, soon.id].map((id) => store.get(id)));

      await aof.kill('SIGKILL');
      now = T0 + 5 * 60_000; // time passes while Redis is down
      await aof.restart();

      expect(await Promise.all([done.id, half.id, soon.id].map((id) => store.get(id)))).toEqual(before);
      expect(await store.approve(done.id, CAROL)).toMatchObject({ kind: 'ended', state: 'approved' });
      expect(await store.approve(soon.id, CAROL)).toMatchObject({ kind: 'ended', state: 'expired', justExpired: true });
      expect(await store.approve(half.id, CAROL)).toMatchObject({ kind: 'approved' });
      expect((await store.audit(0, 100)).map((e) => e.action)).toContain('approval');
    } finally {
      await aof.stop();
    }
  });
});
