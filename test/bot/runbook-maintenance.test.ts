import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { demoPolicy } from '../../src/demo/demo-policy.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import type { SlackMessage } from '../../src/console/index.js';
import { GRANT_TTL_MS, signGrant, type JobGrant } from '../../src/core/job-grant.js';
import type { JobPayload } from '../../src/core/job.js';
import { stepRequestId } from '../../src/core/runbook-step.js';
import { QueueKeys } from '../../src/queue/keys.js';
import { buttonValue, current, waitForApproval, waitForEphemeral, waitForMessage, waitForUpdate } from '../support/cards.js';
import { setMinAvailable } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { ALICE, BOB, CAROL, messageText, startStack, TEST_JOB_KEY, type Stack } from '../support/stack.js';
import { startWorkerChild, type WorkerChild } from '../support/worker-child.js';
import { clusterQueue } from '../../src/queue/cluster-queue.js';

/**
 * The built-in node-maintenance runbook over the real bot, real workers in their own processes,
 * real Redis and the sandbox (issue 18): planned whole, approved once, run step by step on one
 * card, surviving a worker killed mid-drain and a bot restarted between steps; a step whose
 * cluster drifted stops for its own approval; cancel stops at a step boundary and says what
 * state the cluster was left in; each step's execution is signed and runs once.
 */

let stack: Stack;
const children: WorkerChild[] = [];
const env = () => ({ KUBECONFIG: stack.workerKubeconfigPath, REDIS_URL: stack.redis.url, SITREP_PREFIX: stack.prefix, LOCK_MS: '3000', JOB_HEARTBEAT_MS: '300' });

beforeAll(async () => {
  // The demo's policy: Alice and Bob on call (destructive verbs need the other's approval), Carol reads.
  stack = await startStack({ scenario: 'maintenance', worker: false, policy: demoPolicy(), jobLostAfterMs: 1500 });
  children.push(await startWorkerChild(env()));
});
afterAll(async () => {
  for (const c of children) c.proc.kill('SIGKILL');
  await stack?.stop();
});

const node = (name: string) => stack.core.readNode({ name });
const workloadPodsOn = async (name: string) =>
  (await stack.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })).items
    .filter((p) => !p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet') && !p.metadata?.annotations?.['kubernetes.io/config.mirror'] && !p.metadata?.deletionTimestamp)
    .map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
const webMinAvailable = (n: number) => setMinAvailable(stack.sandbox, 'shop', 'web', n);
const text = (ts: string) => messageText(current(stack, ts));

async function runbookCard(nodeName: string): Promise<{ card: SlackMessage; approvalId: string; requestId: string }> {
  await stack.slash(`runbook node-maintenance node=${nodeName}`, { user: ALICE });
  const { card, approvalId } = await waitForApproval(stack, new RegExp(`runbook node-maintenance node=${nodeName}`));
  return { card, approvalId, requestId: (await stack.bot.services.approvals.get(approvalId))!.requestId };
}

describe('node-maintenance end to end', () => {
  let requestId = '';

  it('plans every step, is approved once, survives a worker killed mid-drain and a bot restarted between steps, waits for a new boot ID, and ends Done', async () => {
    const bootBefore = (await node('node02')).status?.nodeInfo?.bootID;
    await stack.slash('start "node02 kernel memory leak" --sev 3', { command: '/incident', user: ALICE });
    await waitForMessage(stack, (m) => /SEV3/.test(messageText(m)) && /node02 kernel memory leak/.test(messageText(m)));
    // The web PDB allows no disruption: the drain blocks on web's pod until it is put back.
    await webMinAvailable(3);
    const { card, approvalId, requestId: id } = await runbookCard('node02');
    requestId = id;
    const planText = messageText(card);
    // The whole procedure, each step's plan and warnings, and which steps are planned only when reached.
    for (const step of ['cordon node02', 'drain node02 --delete-emptydir-data --force', 'manual: Reboot node02 now', 'wait: node02 Ready with a new boot ID (up to 20m)', 'uncordon node02', 'note: node02 maintenance finished']) expect(planText).toContain(step);
    expect(planText).toMatch(/Cordon node02, then evict 4 pods/);
    expect(planText).toMatch(/Data on node02 will be lost/);
    expect(planText).toMatch(/5\.\* `uncordon node02`\n\s+planned when reached; runs without asking again only if that plan carries no warnings/);
    expect(planText).toMatch(/1 approval from @oncall/);
    // Nothing changed before approval; a second operation on node02 is refused while it waits.
    expect((await node('node02')).spec?.unschedulable).toBeFalsy();
    await stack.slash('cordon node02', { user: BOB });
    await waitForEphemeral(stack, BOB, /node\/node02 in cluster sandbox already has an operation pending or running: `\/k8s runbook node-maintenance node=node02`/);

    await stack.click(CardAction.Approve, approvalId, { user: ALICE, messageTs: card.ts });
    await waitForEphemeral(stack, ALICE, /cannot approve your own request/i);
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /2\.\* `drain node02[^\n]*\n[^]*:raised_hand: pod\/shop\/web/, 60_000);
    expect(text(card.ts)).toMatch(/:white_check_mark: \*1\.\* `cordon node02`\n\s+node02 cordoned/);

    // The worker dies mid-drain; another takes the step over from its checkpoints.
    const first = children[0]!;
    first.proc.kill('SIGKILL');
    await first.exited;
    // Until another worker takes the step up, the card says its worker was lost.
    await waitForUpdate(stack, card.ts, /2\.\* `drain node02[^\n]*\n[^]*Worker lost, resuming on another/, 30_000);
    children.push(await startWorkerChild(env()));
    await webMinAvailable(2);
    const manual = await waitForUpdate(stack, card.ts, /Done: step 3/, 90_000);
    expect(messageText(manual)).toMatch(/:white_check_mark: \*2\.\* `drain node02[^\n]*\n\s+Drained node02: 4 pods evicted/);
    expect(messageText(manual)).not.toMatch(/Worker lost/);
    expect(await workloadPodsOn('node02')).toEqual([]);
    expect((await node('node02')).spec?.unschedulable).toBe(true);

    // Between steps the bot restarts; the card and the step cursor are in Redis.
    await stack.restartBot();
    // Someone who neither asked nor may approve cannot press Done; an approver can.
    await stack.click(CardAction.StepDone, buttonValue(manual, CardAction.StepDone)!, { user: CAROL, messageTs: card.ts });
    await waitForEphemeral(stack, CAROL, /Only <@U0ALICE001>, who started this runbook, or one of its approvers/);
    await stack.click(CardAction.StepDone, buttonValue(manual, CardAction.StepDone)!, { user: BOB, messageTs: card.ts });
    // Done was pressed but node02 has not rebooted: the wait sees the same boot and keeps waiting.
    await waitForUpdate(stack, card.ts, /Waiting for node02 Ready with a new boot ID: node02 is Ready, boot [0-9a-f]{8} \(same as before\)/, 30_000);

    // The bot is down while node02 reboots and the wait ends: the new bot carries on from Redis.
    const waitJob = `${stepRequestId(requestId, 3, 1)}.execute`;
    await stack.restartBot({
      whileDown: async () => {
        await stack.sandbox.rebootNode('node02');
        const q = clusterQueue(stack.redis.client(), new QueueKeys(stack.prefix), 'sandbox');
        try {
          await eventually(async () => (await q.getJobState(waitJob)) === 'completed', { what: 'the wait to end while the bot is down', timeoutMs: 30_000 });
        } finally {
          await q.close();
        }
      },
    });
    const done = await waitForUpdate(stack, card.ts, /^Done|Done ·/, 60_000);
    const doneText = messageText(done);
    expect(doneText).toMatch(/Runbook node-maintenance done: 6 steps/);
    expect(doneText).toMatch(/:white_check_mark: \*3\.\* manual: Reboot node02[^\n]*\n\s+done by <@U0BOB00001>/);
    expect(doneText).toMatch(/:white_check_mark: \*4\.\* wait: node02 Ready with a new boot ID[^\n]*\n\s+node02 is Ready, boot [0-9a-f]{8} \(new\)/);
    expect(doneText).toMatch(/:white_check_mark: \*5\.\* `uncordon node02`\n\s+node02 schedulable/);
    expect(doneText).toContain(`approved by <@${BOB}>`);
    expect(doneText).toMatch(/:white_check_mark: \*6\.\* note: node02 maintenance finished[^\n]*\n\s+noted on the incident timeline/);
    // The incident's timeline has the whole procedure: approval, each step, the manual Done, the note.
    await stack.slash('timeline', { command: '/incident', user: ALICE });
    const timeline = JSON.stringify((await stack.slack.waitFor(() => stack.slack.calls('response_url').find((c) => /maintenance finished/.test(JSON.stringify(c.args))), { timeoutMs: 15_000 })).args);
    for (const line of ['Runbook node-maintenance started: 6 steps', 'Step 2 of node-maintenance done: Drained node02', 'Step 3 done by', 'node02 maintenance finished: rebooted and back in service.', 'Runbook node-maintenance done: 6 steps']) expect(timeline).toContain(line);
    const after = await node('node02');
    expect(after.spec?.unschedulable).toBeFalsy();
    expect(after.status?.nodeInfo?.bootID).not.toBe(bootBefore);

    // Every step that touches the cluster ran once, as a signed execution naming the runbook and its step.
    const executions = (await stack.jobs()).filter((j) => j.kind === 'execute' && j.grant?.runbook?.requestId === requestId);
    expect(executions.map((j) => `${j.grant!.runbook!.step}:${j.verb}`).sort()).toEqual(['0:cordon', '1:drain', '3:wait', '4:uncordon']);
    const evicted = doneText.match(/pod\/shop\/[a-z0-9-]+ evicted/g) ?? [];
    expect(evicted.length).toBeGreaterThan(0);
    expect(new Set(evicted).size).toBe(evicted.length);
    // The drain step really moved between workers.
    const events = await stack.redis.client().xrange(new QueueKeys(stack.prefix).events, '-', '+');
    const starters = new Set(events.map(([, f]) => JSON.parse(f[1]!)).filter((e) => e.requestId === stepRequestId(requestId, 1, 1) && e.body.type === 'started').map((e) => e.body.workerId));
    expect(starters).toEqual(new Set([first.workerId, children[1]!.workerId]));
  }, 240_000);

  it('a step whose cluster drifted after approval stops for approval of that step; cancel at the next boundary says what state the cluster was left in', async () => {
    const { card, approvalId } = await runbookCard('node01');
    // The cluster moves on while the card waits: a pod lands on node01.
    await stack.core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'late-arrival' }, spec: { nodeName: 'node01', containers: [{ name: 'sh', image: 'busybox:1.36' }] } } });
    await stack.sandbox.idle();
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });

    const asked = await waitForUpdate(stack, card.ts, /Approve step 2/, 60_000);
    const askedText = messageText(asked);
    expect(askedText).toMatch(/stopped: the cluster changed since it was approved; needs approval again/);
    expect(askedText).toMatch(/\+ evict pod\/shop\/late-arrival/);
    // Step 1 ran; step 2 changed nothing yet.
    expect((await node('node01')).spec?.unschedulable).toBe(true);
    expect(await workloadPodsOn('node01')).toContain('shop/late-arrival');

    const stepApproval = buttonValue(asked, CardAction.Approve)!;
    expect(stepApproval).not.toBe(approvalId);
    await stack.click(CardAction.Approve, stepApproval, { user: ALICE, messageTs: card.ts });
    await waitForEphemeral(stack, ALICE, /cannot approve your own request/i);
    await stack.click(CardAction.Approve, stepApproval, { user: BOB, messageTs: card.ts });
    const manual = await waitForUpdate(stack, card.ts, /Done: step 3/, 90_000);
    expect(messageText(manual)).toMatch(/:white_check_mark: \*2\.\* `drain node01/);
    expect(await workloadPodsOn('node01')).toEqual([]);

    await stack.click(CardAction.CancelRunbook, buttonValue(manual, CardAction.CancelRunbook)!, { user: ALICE, messageTs: card.ts });
    const cancelled = messageText(await waitForUpdate(stack, card.ts, /Cancelled/, 30_000));
    expect(cancelled).toMatch(/Cancelled at step 3 of 6 \(cancel pressed by <@U0ALICE001>\)/);
    expect(cancelled).toMatch(/node node01 is left cordoned and drained; `\/k8s uncordon node01` undoes it/);
    expect(cancelled).toMatch(/Not done\*\n• 3\. Reboot node01[^\n]*— not run\n• 4\. wait: node01[^\n]*— not run\n• 5\. uncordon node01 — not run/);
    expect(buttonValue(current(stack, card.ts), CardAction.StepDone)).toBeUndefined();
    // Nothing after the boundary ran, and node01 is free for the next operation.
    expect((await node('node01')).spec?.unschedulable).toBe(true);
    await stack.slash('uncordon node01', { user: ALICE });
    const undo = await waitForMessage(stack, (m) => /Confirm to run/.test(messageText(m)) && /uncordon node01/.test(messageText(m)));
    await stack.click(CardAction.Confirm, buttonValue(undo, CardAction.Confirm)!, { user: ALICE, messageTs: undo.ts });
    await waitForUpdate(stack, undo.ts, /Done/, 30_000);
  }, 180_000);
});

describe('recovery', () => {
  it('a bot that died between moving the cursor and queueing the next step is caught up by the sweep', async () => {
    const { card, approvalId, requestId } = await runbookCard('node03');
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /Done: step 3/, 90_000);
    // What a bot does when Done is pressed, up to the moment it died: the cursor moves past the
    // manual step onto the wait, and nothing queues the wait's job.
    const now = Date.now();
    expect(await stack.requests.moveStep(requestId, 'finish', { index: 2, attempt: 1 }, { now, step: { status: 'done', doneBy: ALICE } })).toBe(true);
    expect(await stack.requests.moveStep(requestId, 'next', { index: 2, attempt: 1 }, { now })).toBe(true);
    await waitForUpdate(stack, card.ts, /Waiting for node03 Ready with a new boot ID/, 30_000);
    await stack.sandbox.rebootNode('node03');
    const done = messageText(await waitForUpdate(stack, card.ts, /Runbook node-maintenance done: 6 steps/, 60_000));
    expect(done).toMatch(/:white_check_mark: \*5\.\* `uncordon node03`\n\s+node03 schedulable/);
    expect((await node('node03')).spec?.unschedulable).toBeFalsy();
  }, 120_000);
});

describe('each step is signed and checked like any execution', () => {
  /** Adds an execution straight to the queue, as anyone with Redis access could, and waits for the worker's verdict. */
  async function inject(payload: JobPayload): Promise<string> {
    const q = clusterQueue(stack.redis.client(), new QueueKeys(stack.prefix), 'sandbox');
    try {
      const job = await q.add(`execute:${payload.verb}`, payload, { jobId: `forged.${randomBytes(4).toString('hex')}` });
      return await eventually(async () => ((await job.getState()) === 'failed' ? (await q.getJob(job.id!))!.failedReason : undefined), { what: 'the worker to refuse the job', timeoutMs: 20_000 });
    } finally {
      await q.close();
    }
  }

  it('a step queued again is a replay; a step the approved procedure does not list, or signed for another step, is forged; nothing changes', async () => {
    const [cordon] = (await stack.jobs()).filter((j) => j.kind === 'execute' && j.verb === 'cordon' && j.grant?.runbook?.step === 0 && j.args.node === 'node02');
    expect(cordon?.grant?.requestId).toBe(stepRequestId(cordon!.grant!.runbook!.requestId, 0, 1));
    expect((await node('node02')).spec?.unschedulable).toBeFalsy();
    expect(await inject(cordon!)).toMatch(/already used/);
    expect((await node('node02')).spec?.unschedulable).toBeFalsy();

    // Signed with the real key, under the runbook's real approval, but a step the procedure does not hold.
    const parent = cordon!.grant!.runbook!;
    const forged = (verb: string, args: Record<string, unknown>, step: number): JobPayload => {
      const grant: JobGrant = { ...cordon!.grant!, requestId: stepRequestId(parent.requestId, step, 7), verb, args, issuedAt: Date.now(), expiresAt: Date.now() + GRANT_TTL_MS, runbook: { ...parent, step } };
      return { ...cordon!, requestId: grant.requestId, verb, args, grant, signature: signGrant(grant, TEST_JOB_KEY) };
    };
    expect(await inject(forged('cordon', { node: 'node03' }, 0))).toMatch(/is not an approval of this plan/);
    expect(await inject(forged('cordon', { node: 'node02' }, 2))).toMatch(/is not an approval of this plan/);
    // A step's grant whose request id names another step.
    const other: JobGrant = { ...cordon!.grant!, requestId: stepRequestId(parent.requestId, 4, 9), issuedAt: Date.now(), expiresAt: Date.now() + GRANT_TTL_MS };
    expect(await inject({ ...cordon!, requestId: other.requestId, grant: other, signature: signGrant(other, TEST_JOB_KEY) })).toMatch(/runbook step is not the one its request id names/);
    expect((await node('node02')).spec?.unschedulable).toBeFalsy();
    expect((await node('node03')).spec?.unschedulable).toBeFalsy();
  }, 60_000);
});
