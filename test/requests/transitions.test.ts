import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { CommandRequest } from '../../src/core/request.js';
import { allowed, RequestState, RequestStore, STEPS, type Step } from '../../src/requests/index.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

let redis: TestRedis;
let client: Redis;
let store: RequestStore;
let n = 0;

beforeAll(async () => {
  redis = await startTestRedis();
  client = redis.client();
  store = new RequestStore(client, 'tr');
});
afterAll(async () => {
  await redis?.stop();
});

async function requestIn(...steps: Step[]): Promise<string> {
  const request: CommandRequest = { v: 1, id: `req_t${++n}`, command: '/k8s', text: 'drain node02', verb: 'drain', args: { node: 'node02' }, cluster: 'c', userId: 'U1', channelId: 'C1', receivedAt: Date.now() };
  expect(await store.claim(request)).toBe(true);
  for (const step of steps) expect((await store.transition(request.id, step)).ok).toBe(true);
  return request.id;
}

const stateOf = async (id: string) => (await store.get(id))!.state;

describe('the request lifecycle: one transition table, every move a compare-and-set', () => {
  it('the table has no step out of a final state', () => {
    const final: RequestState[] = [RequestState.Done, RequestState.Failed, RequestState.Refused, RequestState.Rejected, RequestState.Expired, RequestState.Cancelled, RequestState.Drifted];
    for (const step of Object.keys(STEPS) as Step[]) for (const state of final) expect(allowed(step, state), `${step} from ${state}`).toBe(false);
  });

  it('Done → Running is refused: a late `started` event never reopens a finished request', async () => {
    const id = await requestIn('queuePlan', 'planReady', 'askApproval', 'approve', 'start', 'finish');
    const late = await store.transition(id, 'start', { workerId: 'w-late' });
    expect(late).toEqual({ ok: false, state: RequestState.Done });
    const record = (await store.get(id))!;
    expect(record.state).toBe(RequestState.Done);
    expect(record.workerId).toBeUndefined();
  });

  it('Approved written after Running is refused: a second approval step never moves a running job back', async () => {
    const id = await requestIn('queuePlan', 'planReady', 'askApproval', 'approve', 'start');
    expect(await store.transition(id, 'approve')).toEqual({ ok: false, state: RequestState.Running });
    expect(await stateOf(id)).toBe(RequestState.Running);
  });

  it('racing writers: the job finishing and a replayed start, 50 times in random order, always end Done', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, () => requestIn('queuePlan', 'planReady', 'askApproval', 'approve')));
    await Promise.all(
      ids.flatMap((id, i) => {
        const writers = [() => store.transition(id, 'finish'), () => store.transition(id, 'start'), () => store.transition(id, 'approve')];
        if (i % 2) writers.reverse();
        return writers.map((w) => w());
      }),
    );
    const states = await Promise.all(ids.map(stateOf));
    expect(new Set(states)).toEqual(new Set([RequestState.Done]));
  });

  it('racing approvals: of 50 concurrent approve steps exactly one moves the request', async () => {
    const id = await requestIn('queuePlan', 'planReady', 'askApproval');
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.transition(id, 'approve')));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(await stateOf(id)).toBe(RequestState.Approved);
  });

  it('a step on a request Redis no longer has is refused, not an error', async () => {
    expect(await store.transition('req_missing', 'start')).toEqual({ ok: false, state: undefined });
  });
});
