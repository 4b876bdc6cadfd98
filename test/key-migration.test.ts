import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { ApprovalStore } from '../src/approval/approval-store.js';
import { fingerprintPlan, type Plan } from '../src/core/plan.js';
import type { CommandRequest } from '../src/core/request.js';
import { IncidentStore } from '../src/incident/incident-store.js';
import { Timeline } from '../src/incident/timeline.js';
import { migrateKeys } from '../src/queue/key-migration.js';
import { RequestStore } from '../src/requests/index.js';
import { startTestRedis, type TestRedis } from './support/redis-server.js';

/**
 * Upgrading to the hash-tagged keys (issue 20): `sitrep migrate-keys` renames what an earlier
 * sitrep wrote, so its incidents, timelines, audit, requests and approvals read again.
 */

let server: TestRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
});
afterAll(async () => {
  await server?.stop();
});

/** The names sitrep gave these keys before hash tags, as an older install left them. */
async function asWrittenBefore(prefix: string): Promise<void> {
  for (const key of await redis.keys(`${prefix}:{*`)) {
    const old = key
      .replace(/^([^:]+):\{req:([^}]+)\}$/, '$1:request:$2')
      .replace(/^([^:]+):\{apr:([^}]+)\}$/, '$1:approval:$2')
      .replace(/^([^:]+):\{inc:([^}]+)\}/, '$1:incident:$2')
      .replace(/^([^:]+):\{audit\}$/, '$1:audit')
      .replace(/^([^:]+):\{cl:([^}]+)\}:target-lock(s?)(.*)$/, (_, p, c, s, t) => (s ? `${p}:target-locks:${c}` : `${p}:target-lock:${c}${t}`));
    if (old !== key && !/:outbox$|:seq$|:once:/.test(key)) await redis.rename(key, old);
    else await redis.del(key);
  }
}

describe('sitrep migrate-keys', () => {
  it('renames what an older sitrep wrote, so its incident, timeline, audit, request, approval and target lock read again; twice is harmless', async () => {
    const prefix = 'mig';
    const incidents = new IncidentStore(redis, { prefix });
    const timeline = new Timeline(redis, { prefix });
    const approvals = new ApprovalStore(redis, { prefix });
    const requests = new RequestStore(redis, prefix);
    const incident = await incidents.start({ channelId: 'C1', title: 'API down', startedBy: 'U1' });
    await timeline.append(incident.id, { v: 1, key: 'n1', kind: 'note', at: Date.now(), actor: 'U1', text: 'restarted the pods' });
    const request: CommandRequest = { v: 1, id: 'req_old0000000000000', command: '/k8s', text: 'drain node02', verb: 'drain', args: { node: 'node02' }, cluster: 'prod', userId: 'U1', channelId: 'C1', receivedAt: Date.now() };
    const base = { actions: [{ kind: 'cordon' as const, target: 'node/node02' }], warnings: [] };
    const plan: Plan = { v: 1, verb: 'drain', cluster: 'prod', target: 'node/node02', summary: 'Drain node02', skipped: [], fixed: {}, facts: {}, createdAt: Date.now(), fingerprint: fingerprintPlan(base), ...base };
    const approval = await approvals.create({ requestId: request.id, verb: 'drain', cluster: 'prod', channelId: 'C1', requesterId: 'U1', requiredApprovals: 1, approvers: '*', plan, ttlMs: 60_000 });
    expect(await requests.claim(request)).toBe(true);
    expect((await requests.lockTarget(request.id, { cluster: 'prod', target: 'node/node02' })).ok).toBe(true);
    await asWrittenBefore(prefix);
    expect(await incidents.get(incident.id)).toBeUndefined();

    const dry = await migrateKeys(redis, prefix, { dryRun: true });
    expect(dry.renamed.length).toBeGreaterThanOrEqual(8);
    expect(await incidents.get(incident.id)).toBeUndefined();

    const done = await migrateKeys(redis, prefix);
    expect(done.renamed.map(([from]) => from).sort()).toEqual(dry.renamed.map(([from]) => from).sort());
    expect((await incidents.openIn('C1'))?.title).toBe('API down');
    expect((await timeline.read(incident.id)).map((e) => e.text)).toEqual([expect.stringMatching(/Incident started: API down/), 'restarted the pods']);
    expect((await approvals.get(approval.id))?.state).toBe('pending');
    expect((await approvals.audit(0)).map((e) => e.action)).toEqual(['requested']);
    expect((await requests.get(request.id))?.request.text).toBe('drain node02');
    expect((await requests.lockTarget('req_other00000000000', { cluster: 'prod', target: 'node/node02' })).ok).toBe(false);

    expect(await migrateKeys(redis, prefix)).toEqual({ renamed: [], kept: [], queueKeys: 0 });
  });
});
