import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { CommandRequest } from '../../src/core/request.js';
import { allowed, RequestState, RequestStore, STEP_MOVES, STEPS, StepStatus, type Step, type StepMove } from '../../src/requests/index.js';
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

describe("a runbook's step cursor: every move a compare-and-set on step, attempt and status", () => {
  async function runningRunbook(): Promise<string> {
    const id = await requestIn('queuePlan', 'planReady', 'askApproval', 'approve');
    expect(await store.startRunbook(id, Date.now())).toBe(true);
    return id;
  }
  const cursorOf = async (id: string) => (await store.get(id))!.cursor!;
  const move = (id: string, m: StepMove, index: number, attempt = 1, to: { attempt?: number } = {}) => store.moveStep(id, m, { index, attempt }, { now: Date.now(), step: { status: STEP_MOVES[m].to }, ...to });

  it('starts on step 1, attempt 1, once; moves forward only from a step that is over', async () => {
    const id = await runningRunbook();
    expect(await store.startRunbook(id, Date.now())).toBe(false);
    expect(await cursorOf(id)).toMatchObject({ index: 0, attempt: 1, status: StepStatus.Reached });
    expect(await move(id, 'next', 0)).toBe(false); // not over yet
    expect(await move(id, 'plan', 0)).toBe(true);
    expect(await move(id, 'run', 0)).toBe(true);
    expect(await move(id, 'finish', 0)).toBe(true);
    expect(await move(id, 'next', 0)).toBe(true);
    expect(await cursorOf(id)).toMatchObject({ index: 1, attempt: 1, status: StepStatus.Reached });
  });

  it('a late or replayed event (an earlier step, an earlier attempt, a step already done) changes nothing', async () => {
    const id = await runningRunbook();
    await move(id, 'plan', 0);
    expect(await move(id, 'run', 0)).toBe(true);
    // A worker found drift: the step is planned again as attempt 2.
    expect(await move(id, 'plan', 0, 1, { attempt: 2 })).toBe(true);
    expect(await move(id, 'finish', 0, 1)).toBe(false); // attempt 1's result arrives late
    expect(await move(id, 'run', 0, 2)).toBe(true);
    expect(await move(id, 'finish', 0, 2)).toBe(true);
    expect(await move(id, 'run', 0, 2)).toBe(false); // Done → Running is refused
    await move(id, 'next', 0, 2);
    expect(await move(id, 'finish', 0, 2)).toBe(false); // the cursor is on step 2 now
    expect(await cursorOf(id)).toMatchObject({ index: 1, status: StepStatus.Reached });
  });

  it('racing replicas: of 50 concurrent moves to the next step exactly one moves; a finished runbook never moves', async () => {
    const id = await runningRunbook();
    await move(id, 'askManual', 0);
    await move(id, 'finish', 0);
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => move(id, 'next', 0)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await cursorOf(id)).index).toBe(1);
    expect((await store.transition(id, 'stopRunbook')).ok).toBe(true);
    expect(await move(id, 'plan', 1, 1)).toBe(false);
    expect(await stateOf(id)).toBe(RequestState.Cancelled);
  });

  it('once a cancel is recorded, the step the bot was about to start does not start (cancel and start cannot both win)', async () => {
    const id = await runningRunbook();
    await move(id, 'plan', 0);
    expect(await store.requestCancel(id, 'U0ALICE001', Date.now())).toBe(true);
    expect(await move(id, 'run', 0)).toBe(false);
    expect((await cursorOf(id)).status).toBe(StepStatus.Planning);
    // What stops a runbook at a boundary still moves.
    expect((await store.transition(id, 'stopRunbook')).ok).toBe(true);
  });

  it("a runbook holds all its targets or none, and frees them all when it ends", async () => {
    const other = await requestIn();
    expect((await store.lockTarget(other, { cluster: 'c', target: 'node/b' })).ok).toBe(true);
    const id = await requestIn();
    const busy = await store.lockTargets(id, [{ cluster: 'c', target: 'node/a' }, { cluster: 'c', target: 'node/b' }]);
    expect(busy).toEqual({ ok: false, holder: other, target: 'node/b' });
    expect((await store.locks.held('c')).map((h) => h.target)).toEqual(['node/b']);
    await store.transition(other, 'refuse');
    expect((await store.lockTargets(id, [{ cluster: 'c', target: 'node/a' }, { cluster: 'c', target: 'node/b' }])).ok).toBe(true);
    expect((await store.locks.held('c')).map((h) => h.requestId)).toEqual([id, id]);
    await store.transition(id, 'refuse');
    expect(await store.locks.held('c')).toEqual([]);
  });
});
