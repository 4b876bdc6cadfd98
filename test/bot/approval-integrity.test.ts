import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { NO_POLICY_MESSAGE, Policy } from '../../src/approval/index.js';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { sendSlashCommand, type SlackMessage } from '../../src/console/index.js';
import { sealDecision } from '../../src/core/decision-seal.js';
import { GRANT_TTL_MS, signGrant, type JobGrant } from '../../src/core/job-grant.js';
import type { JobPayload } from '../../src/core/job.js';
import { fingerprintPlan } from '../../src/core/plan.js';
import { QueueKeys } from '../../src/queue/keys.js';
import { buttonValue, current, waitForApproval, waitForEphemeral, waitForMessage, waitForUpdate } from '../support/cards.js';
import { replicasOf, setReplicas as setReplicasByHand } from '../support/cluster-edits.js';
import { eventually } from '../support/eventually.js';
import { ALICE, BOB, CAROL, DAVE, messageText, OPS, SIGNING_SECRET, startStack, TEST_JOB_KEY, type Stack } from '../support/stack.js';
import { clusterQueue } from '../../src/queue/cluster-queue.js';

/**
 * Two-person approval attacked as an attacker would (issue 13): each test performs the attack over
 * real signed HTTP and real Redis, and asserts that nothing changed in the sandbox and that the
 * user saw a clear refusal.
 */

const GUEST = 'U0GUEST001';
const INCIDENTS = 'C0INCIDENT';

/** Approvers named one by one, a Slack user group, and a guest named on purpose. */
const POLICY = (approvers: string) => `groups:
  oncall: [U0ALICE001, U0BOB00001, U0CAROL001]
rules:
  - verbs: [get, describe, logs, top, jobs, status, help, audit]
    allow: ["*"]
  - verbs: [cordon, uncordon]
    allow: ["*"]
  - verbs: [drain, delete, scale, restart]
    allow: ["*"]
    approvals: 1
    approvers: ${approvers}
approvalTtl: 15m
`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', policy: Policy.fromText(POLICY('["*"]'), 'integrity policy'), membershipCacheMs: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

const replicas = (name: string) => replicasOf(stack.sandbox, 'shop', name);
const setReplicas = (name: string, n: number) => setReplicasByHand(stack.sandbox, 'shop', name, n);
const uncordonByHand = (node: string) => stack.sandbox.request('PATCH', `/api/v1/nodes/${node}`, { body: { spec: { unschedulable: false } }, headers: { 'content-type': 'application/merge-patch+json' } });
const unschedulable = async (node: string) => Boolean((await stack.core.readNode({ name: node })).spec?.unschedulable);

const approvalCard = (text: RegExp) => waitForApproval(stack, text);

async function cancel(approvalId: string, card: SlackMessage): Promise<void> {
  await stack.click(CardAction.Cancel, approvalId, { user: ALICE, messageTs: card.ts });
  await waitForUpdate(stack, card.ts, /cancelled/i);
}

async function auditDetails(): Promise<string[]> {
  return (await stack.bot.services.approvals.audit(0, 1000)).filter((e) => e.action === 'refused').map((e) => e.detail);
}

describe('1. drift on any field is drift', () => {
  it('a scale approved as 2 -> 3 does not run after someone else scaled to 9: untouched, and a new card shows the difference', async () => {
    expect(await replicas('catalog')).toBe(2);
    await stack.slash('scale deployment/catalog --replicas 3 -n shop', { user: ALICE });
    const { card, approvalId } = await approvalCard(/scale deployment\/catalog/);
    expect(messageText(card)).toMatch(/from 2 to 3/);
    await setReplicas('catalog', 9);
    await eventually(async () => (await replicas('catalog')) === 9, { what: 'kubectl scale to 9' });
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
    const stopped = await waitForUpdate(stack, card.ts, /Failed|changed since the plan was approved/, 30_000);
    expect(messageText(stopped)).toMatch(/replicas deployment\/shop\/catalog: 2 -&gt; 9/);
    expect(messageText(stopped)).toMatch(/Nothing was changed/);
    const replan = await approvalCard(/scale deployment\/catalog/);
    expect(replan.card.ts).not.toBe(card.ts);
    expect(messageText(replan.card)).toMatch(/from 9 to 3/);
    expect(await replicas('catalog')).toBe(9);
    await cancel(replan.approvalId, replan.card);
    await setReplicas('catalog', 2);
  });
});

describe('2. the policy is the one in force at the click', () => {
  it('a bot restarted with a stricter policy refuses the approver the old one allowed; a vote from someone the new one allows counts', async () => {
    await stack.slash('scale deployment/cart --replicas 3 -n shop', { user: ALICE });
    const { card, approvalId } = await approvalCard(/scale deployment\/cart/);
    await stack.restartBot({ policy: Policy.fromText(POLICY('[U0CAROL001]'), 'stricter policy') });
    try {
      await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
      const refused = await waitForEphemeral(stack, BOB, /policy in force now no longer lets you approve/);
      expect(messageText(refused)).toMatch(/cannot approve/);
      expect(messageText(current(stack, card.ts))).toMatch(/Approval needed/);
      expect(await replicas('cart')).toBe(2);
      await stack.click(CardAction.Approve, approvalId, { user: CAROL, messageTs: card.ts });
      await waitForUpdate(stack, card.ts, /^Done|Done ·/, 60_000);
      expect(await replicas('cart')).toBe(3);
      expect(await auditDetails()).toContain('approve: not-an-approver under the policy now');
    } finally {
      await stack.restartBot({ policy: Policy.fromText(POLICY('["*"]'), 'integrity policy') });
      await setReplicas('cart', 2);
    }
  });

  it('a Slack user group is read at the click: a member removed since is refused, a member added since is refused too', async () => {
    stack.bot.services.policy = Policy.fromText(POLICY('[S0ONCALL01]'), 'group policy');
    try {
      await stack.slash('scale deployment/web --replicas 4 -n shop', { user: ALICE });
      const { card, approvalId } = await approvalCard(/scale deployment\/web/);
      // An admin moves Bob out of @oncall and Dave in.
      stack.slack.workspace.setUsergroupUsers('S0ONCALL01', [ALICE, DAVE]);
      await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: card.ts });
      await waitForEphemeral(stack, BOB, /no longer lets you approve/);
      await stack.click(CardAction.Approve, approvalId, { user: DAVE, messageTs: card.ts });
      await waitForEphemeral(stack, DAVE, /cannot approve/);
      expect(messageText(current(stack, card.ts))).toMatch(/Approval needed/);
      expect(await replicas('web')).toBe(3);
      await cancel(approvalId, card);
    } finally {
      stack.slack.workspace.setUsergroupUsers('S0ONCALL01', [ALICE, BOB]);
      stack.bot.services.policy = Policy.fromText(POLICY('["*"]'), 'integrity policy');
    }
  });
});

describe('3. a click belongs to its card', () => {
  it('the approval id clicked from another channel, another message, another team or another enterprise is refused and audited', async () => {
    await stack.slash('drain node03 --delete-emptydir-data --force', { user: ALICE });
    const { card, approvalId } = await approvalCard(/drain node03/);
    const elsewhere = [
      { channel: INCIDENTS, messageTs: card.ts },
      { messageTs: `${Number(card.ts) + 1}.000000` },
      { messageTs: card.ts, teamId: 'T0OTHER001' },
      { messageTs: card.ts, enterpriseId: 'E0OTHER001' },
    ];
    const told = (channel: string) => stack.slack.workspace.ephemerals(channel, BOB).filter((e) => /does not belong to this request's card/.test(messageText(e))).length;
    for (const where of elsewhere) {
      const channel = where.channel ?? OPS;
      const before = told(channel);
      const res = await stack.click(CardAction.Approve, approvalId, { user: BOB, ...where });
      expect(res.status).toBe(200);
      await eventually(() => told(channel) > before, { what: `the refusal of a click from ${JSON.stringify(where)}` });
    }
    expect(messageText(current(stack, card.ts))).toMatch(/Approval needed/);
    const refusals = await auditDetails();
    for (const what of [/channel C0INCIDENT/, /click on message/, /team T0OTHER001/, /enterprise E0OTHER001/]) expect(refusals.some((d) => what.test(d)), String(what)).toBe(true);
    expect((await stack.core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node03' })).items.some((p) => p.metadata?.namespace === 'shop')).toBe(true);
    await cancel(approvalId, card);
  });

  it('a click from an old copy of the card, drawn for a plan since replaced and shown again, is refused; the card as it is now counts', async () => {
    await stack.slash('scale deployment/web --replicas 5 -n shop', { user: ALICE });
    const { card: old, approvalId } = await approvalCard(/scale deployment\/web/);
    const approval = (await stack.bot.services.approvals.get(approvalId))!;
    // The plan waiting is replaced behind the card (here by hand in Redis) and the card drawn again with it.
    const body = { ...approval.plan, warnings: [...approval.plan.warnings, { code: 'replaced', severity: 'warning' as const, message: 'A plan drawn since the first card.', objects: [] }] };
    const replaced = { ...body, fingerprint: fingerprintPlan(body) };
    await stack.redis.client().hset(stack.bot.services.approvals.key(approvalId), 'plan', JSON.stringify(replaced), 'planFingerprint', replaced.fingerprint);
    await stack.redis.client().hset(stack.requests.keys.request(approval.requestId), 'plan', JSON.stringify(replaced));
    stack.bot.services.lifecycle.deps.changed(approval.requestId);
    await waitForUpdate(stack, old.ts, /A plan drawn since the first card/);
    // Bob's Slack still shows the first card: his click approves what he saw, which is not what waits.
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: old.ts, message: old });
    const refused = await waitForEphemeral(stack, BOB, /Stale card/);
    expect(messageText(refused)).toMatch(/nothing was counted or run/);
    expect((await stack.bot.services.approvals.get(approvalId))!.approvals).toHaveLength(0);
    expect((await auditDetails()).some((d) => d.includes(`the card showed plan ${approval.planFingerprint}, but plan ${replaced.fingerprint} is the one waiting`))).toBe(true);
    // From the card as it is now, the same click counts.
    await stack.click(CardAction.Approve, approvalId, { user: BOB, messageTs: old.ts });
    await waitForUpdate(stack, old.ts, /approved by <@U0BOB00001>/);
    await waitForUpdate(stack, old.ts, /Done|Failed|changed since the plan was approved/, 60_000);
    await setReplicas('web', 3);
  });

  it('a slash command from a team this installation does not serve is refused', async () => {
    const res = await stack.slash('drain node01', { user: ALICE, teamId: 'T0OTHER001' });
    expect(JSON.stringify(res.json)).toMatch(/does not serve your Slack workspace/);
    expect(await unschedulable('node01')).toBe(false);
  });
});

describe('4. Redis is not the authority', () => {
  const queue = () => clusterQueue(stack.redis.client(), new QueueKeys(stack.prefix), 'sandbox');

  /** Adds an execution straight to the queue, as anyone with Redis access could, and waits for the worker's verdict. */
  async function inject(payload: JobPayload): Promise<string> {
    const q = queue();
    try {
      const job = await q.add(`execute:${payload.verb}`, payload, { jobId: `forged.${randomBytes(4).toString('hex')}` });
      return await eventually(async () => ((await job.getState()) === 'failed' ? (await q.getJob(job.id!))!.failedReason : undefined), { what: 'the worker to refuse the job', timeoutMs: 20_000 });
    } finally {
      await q.close();
    }
  }

  async function cordonPlan(node: string) {
    const { OPERATION_JOBS } = await import('../../jobs/registry.js');
    const { makeJobContext } = await import('../jobs/support/job-context.js');
    const { createKubeClients, loadKubeConfig } = await import('../../src/k8s/kube-clients.js');
    const kube = createKubeClients('sandbox', loadKubeConfig({ kubeconfigPath: stack.sandbox.kubeconfigPath }));
    return OPERATION_JOBS.cordon.plan({ node }, makeJobContext({ kube, redis: stack.redis.client(), jobId: `plan-${randomBytes(3).toString('hex')}` }));
  }

  const base = (requestId: string, node: string): Omit<JobPayload, 'approvedPlan'> => ({ v: 1, kind: 'execute', verb: 'cordon', requestId, cluster: 'sandbox', args: { node }, requestedBy: ALICE, channelId: OPS });
  /** A grant as the bot signs it, with the requester's Run sealed, as the bot seals it at the click. */
  const grantFor = (p: Omit<JobPayload, 'approvedPlan'>, fingerprint: string, extra: Partial<JobGrant> = {}): JobGrant => ({
    v: 1, requestId: p.requestId, cluster: p.cluster, verb: p.verb, args: p.args, planFingerprint: fingerprint, confirmedBy: ALICE, issuedAt: Date.now(), expiresAt: Date.now() + GRANT_TTL_MS,
    seal: sealDecision({ v: 1, requestId: extra.requestId ?? p.requestId, subject: fingerprint, confirmedBy: ALICE, at: Date.now() }, TEST_JOB_KEY),
    ...extra,
  });

  it('an unsigned execution, one signed with another key, and an altered one are refused as forged, audited, and change nothing', async () => {
    const plan = await cordonPlan('node01');
    const unsigned = { ...base('req_forged1', 'node01'), approvedPlan: plan };
    expect(await inject(unsigned)).toMatch(/not signed by the bot/);
    const p2 = base('req_forged2', 'node01');
    const g2 = grantFor(p2, plan.fingerprint);
    expect(await inject({ ...p2, approvedPlan: plan, grant: g2, signature: signGrant(g2, 'not-the-job-key-0123456789abcdef0123') })).toMatch(/signature does not match/);
    const p3 = base('req_forged3', 'node02');
    const g3 = grantFor(p3, plan.fingerprint);
    // The grant was for node02; the payload was changed to cordon node01.
    expect(await inject({ ...p3, args: { node: 'node01' }, approvedPlan: plan, grant: g3, signature: signGrant(g3, TEST_JOB_KEY) })).toMatch(/its arguments is not the one the bot signed|signature does not match/);
    // Signed, but with no decision sealed at a click (or one sealed for another plan): not the bot's.
    const p4 = base('req_forged4', 'node01');
    const { seal: _none, ...g4 } = grantFor(p4, plan.fingerprint);
    expect(await inject({ ...p4, approvedPlan: plan, grant: g4, signature: signGrant(g4, TEST_JOB_KEY) })).toMatch(/carries no decision sealed by the bot/);
    const p5 = base('req_forged5', 'node01');
    const g5 = { ...grantFor(p5, plan.fingerprint), seal: sealDecision({ v: 1, requestId: 'req_forged5', subject: 'another-plan', confirmedBy: ALICE, at: Date.now() }, TEST_JOB_KEY) };
    expect(await inject({ ...p5, approvedPlan: plan, grant: g5, signature: signGrant(g5, TEST_JOB_KEY) })).toMatch(/sealed decision is for another plan/);
    expect(await unschedulable('node01')).toBe(false);
    const refusals = await auditDetails();
    expect(refusals.filter((d) => /req_forged[12345]/.test(d))).toHaveLength(5);
  });

  it('an expired grant, and one for another cluster, are refused', async () => {
    const plan = await cordonPlan('node01');
    const p = base('req_expired', 'node01');
    const g = grantFor(p, plan.fingerprint, { issuedAt: Date.now() - 2 * GRANT_TTL_MS, expiresAt: Date.now() - GRANT_TTL_MS });
    expect(await inject({ ...p, approvedPlan: plan, grant: g, signature: signGrant(g, TEST_JOB_KEY) })).toMatch(/waited for a worker longer than its approval allows/);
    const other = grantFor(p, plan.fingerprint, { requestId: 'req_prod', cluster: 'prod' });
    expect(await inject({ ...p, requestId: 'req_prod', approvedPlan: plan, grant: other, signature: signGrant(other, TEST_JOB_KEY) })).toMatch(/its cluster is not the one the bot signed/);
    expect(await unschedulable('node01')).toBe(false);
  });

  it('a genuine execution queued again later, or its finished job retried in BullMQ, is a replay: refused, and nothing runs twice', async () => {
    await stack.slash('cordon node01', { user: ALICE });
    const card = await waitForMessage(stack, (m) => /Confirm to run/.test(messageText(m)) && /cordon node01/.test(messageText(m)));
    await stack.click(CardAction.Confirm, buttonValue(card, CardAction.Confirm)!, { user: ALICE, messageTs: card.ts });
    await waitForUpdate(stack, card.ts, /^Done|Done ·/, 30_000);
    expect(await unschedulable('node01')).toBe(true);
    const genuine = (await stack.jobs()).find((j) => j.kind === 'execute' && j.verb === 'cordon' && j.args.node === 'node01')!;
    expect(genuine.signature).toMatch(/^[0-9a-f]{64}$/);
    // Someone uncordons by hand; replaying the approved cordon must not cordon it again.
    await uncordonByHand('node01');
    await eventually(async () => !(await unschedulable('node01')), { what: 'node01 uncordoned by hand' });
    expect(await inject(genuine)).toMatch(/already used/);
    expect(await unschedulable('node01')).toBe(false);
    expect((await auditDetails()).some((d) => /already used/.test(d))).toBe(true);
    // The same BullMQ job put back in the queue (Job.retry, a dashboard's Retry button): same id
    // and timestamp as the run that finished, and still refused.
    const q = queue();
    try {
      const done = (await q.getJobs(['completed'])).find((j) => j.data.kind === 'execute' && j.data.verb === 'cordon' && j.data.args.node === 'node01')!;
      await done.retry('completed');
      const reason = await eventually(async () => ((await done.getState()) === 'failed' ? (await q.getJob(done.id!))!.failedReason : undefined), { what: 'the retried job refused', timeoutMs: 20_000 });
      expect(reason).toMatch(/already used/);
    } finally {
      await q.close();
    }
    expect(await unschedulable('node01')).toBe(false);
  });
});

describe('5. one operation per target', () => {
  it('a second drain of the same node is refused with a pointer to the first; once the first ends, it may be asked again', async () => {
    await stack.slash('drain node01 --delete-emptydir-data --force', { user: ALICE });
    const first = await approvalCard(/drain node01/);
    await stack.slash('drain node01 --delete-emptydir-data --force --timeout 5m', { user: CAROL });
    const refused = await waitForEphemeral(stack, CAROL, /already has an operation pending or running/);
    expect(messageText(refused)).toMatch(/drain node01 --delete-emptydir-data --force/);
    expect(messageText(refused)).toMatch(/<@U0ALICE001>/);
    await cancel(first.approvalId, first.card);
    await stack.slash('drain node01 --delete-emptydir-data --force --timeout 6m', { user: CAROL });
    const second = await approvalCard(/drain node01 .*--timeout 6m/);
    await stack.click(CardAction.Cancel, second.approvalId, { user: CAROL, messageTs: second.card.ts });
    await waitForUpdate(stack, second.card.ts, /cancelled/i);
  });

  it('a drain while a scale of a deployment with pods on that node is pending is allowed, and its card says the other is pending', async () => {
    await stack.slash('scale deployment/web --replicas 5 -n shop', { user: ALICE });
    const scale = await approvalCard(/scale deployment\/web --replicas 5/);
    await stack.slash('drain node02 --delete-emptydir-data --force', { user: CAROL });
    const drain = await approvalCard(/drain node02/);
    expect(messageText(drain.card)).toMatch(/Also pending or running in cluster \*sandbox\*: .*`\/k8s scale deployment\/web --replicas 5 -n shop` by <@U0ALICE001> \(awaiting-approval\)/);
    await cancel(scale.approvalId, scale.card);
    await stack.click(CardAction.Cancel, drain.approvalId, { user: CAROL, messageTs: drain.card.ts });
    await waitForUpdate(stack, drain.card.ts, /cancelled/i);
  });
});

describe('6. signed timestamps, both ways', () => {
  it('a correctly signed request dated an hour ahead (or an hour ago) is refused with 401 and runs nothing', async () => {
    for (const offset of [3600, -3600]) {
      const res = await sendSlashCommand(stack.bot.url, SIGNING_SECRET, {
        command: '/k8s',
        text: 'cordon node03',
        userId: ALICE,
        channelId: OPS,
        responseUrl: stack.slack.responseUrlFor(OPS, ALICE),
        timestamp: Math.floor(Date.now() / 1000) + offset,
      });
      expect(res.status, String(offset)).toBe(401);
    }
    expect(await unschedulable('node03')).toBe(false);
  });
});

describe('7. retries do nothing twice', () => {
  it('a duplicated signed /incident postmortem uploads its file once', async () => {
    await stack.slash('start "retry check" --sev 3', { command: '/incident', user: ALICE, channel: INCIDENTS });
    await waitForMessage(stack, (m) => /retry check/.test(messageText(m)), 30_000, INCIDENTS);
    const files = () => stack.slack.workspace.allFiles().filter((f) => /^postmortem-.*\.md$/.test(f.name ?? '')).length;
    const before = files();
    const triggerId = `${Date.now()}.${randomBytes(4).toString('hex')}`;
    await Promise.all([0, 1, 2].map((retryNum) => stack.slash('postmortem', { command: '/incident', user: ALICE, channel: INCIDENTS, triggerId, ...(retryNum ? { retryNum } : {}) })));
    await eventually(() => files() > before, { what: 'the postmortem upload' });
    await stack.bot.services.poster.idle();
    await eventually(() => stack.slack.calls('response_url').filter((c) => /Postmortem of/.test(JSON.stringify(c.args))).length >= 1, { what: 'the reply' });
    expect(files()).toBe(before + 1);
    await stack.slash('resolve', { command: '/incident', user: ALICE, channel: INCIDENTS });
  });
});

describe('8. safe by default', () => {
  it('without a policy file: reads and incidents work; cordon and every destructive verb are refused with the rule', async () => {
    stack.bot.services.policy = Policy.default();
    try {
      const said = () => stack.slack.workspace.ephemerals(OPS, ALICE).filter((e) => messageText(e).includes(`${NO_POLICY_MESSAGE[0]!.toUpperCase()}${NO_POLICY_MESSAGE.slice(1)}`)).length;
      const before = said();
      const texts = ['cordon node03', 'drain node03', 'scale deployment/web --replicas 4 -n shop', 'delete pod web-1 -n shop', 'restart deployment/web -n shop'];
      for (const [i, text] of texts.entries()) {
        await stack.slash(text, { user: ALICE });
        await eventually(() => said() >= before + i + 1, { what: `the refusal of ${text}` });
      }
      expect(await unschedulable('node03')).toBe(false);
      await stack.slash('get nodes', { user: DAVE });
      await waitForMessage(stack, (m) => /get nodes/.test(messageText(m)) && /^Done/.test(m.text ?? ''));
    } finally {
      stack.bot.services.policy = Policy.fromText(POLICY('["*"]'), 'integrity policy');
    }
  });

  it('a guest never approves under `*` or a user group; a guest the policy names by id may', async () => {
    await stack.slash('scale deployment/catalog --replicas 3 -n shop', { user: ALICE });
    const a = await approvalCard(/scale deployment\/catalog --replicas 3/);
    await stack.click(CardAction.Approve, a.approvalId, { user: GUEST, messageTs: a.card.ts });
    await waitForEphemeral(stack, GUEST, /Guests cannot approve/);
    expect(messageText(current(stack, a.card.ts))).toMatch(/Approval needed/);
    expect(await replicas('catalog')).toBe(2);
    await cancel(a.approvalId, a.card);

    stack.bot.services.policy = Policy.fromText(POLICY('[U0GUEST001, U0BOB00001]'), 'guest named');
    try {
      await stack.slash('scale deployment/catalog --replicas 3 -n shop', { user: ALICE });
      const b = await approvalCard(/scale deployment\/catalog --replicas 3/);
      await stack.click(CardAction.Approve, b.approvalId, { user: GUEST, messageTs: b.card.ts });
      await waitForUpdate(stack, b.card.ts, /^Done|Done ·/, 60_000);
      expect(await replicas('catalog')).toBe(3);
    } finally {
      stack.bot.services.policy = Policy.fromText(POLICY('["*"]'), 'integrity policy');
      await setReplicas('catalog', 2);
    }
  });
});
