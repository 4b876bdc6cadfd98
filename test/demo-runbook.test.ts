import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardAction } from '../src/chat/render/operation-card.js';
import { visibleText, type SlackMessage } from '../src/console/index.js';
import { startDemo, type Demo } from '../src/demo/demo.js';
import { buttonValue } from './support/cards.js';
import { findKubectl } from './support/kubectl.js';
import { startTestRedis, type TestRedis } from './support/redis-server.js';

/**
 * The demo's runbook walkthrough as its banner tells a new user to do it, through the console's
 * own endpoints (the page's buttons post to them): Alice starts node-maintenance on node02, Bob
 * approves it, node02 is rebooted with the banner's kubectl line, Alice presses Done, and the
 * card ends Done with node02 back in service in a new boot.
 */
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const OPS = 'C0OPS00001';
const run = promisify(execFile);
const kubectl = findKubectl();

let redis: TestRedis;
let demo: Demo;
beforeAll(async () => {
  redis = await startTestRedis();
  demo = await startDemo({ port: 0, redisUrl: redis.url, timeScale: 0.02, editIntervalMs: 100, logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await demo?.stop();
  await redis?.stop();
});

async function post(path: string, body: object): Promise<void> {
  const res = (await (await fetch(`${demo.consoleUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { ok: boolean };
  expect(res.ok).toBe(true);
}
const card = (match: RegExp, timeoutMs = 30_000): Promise<SlackMessage> =>
  demo.slack.waitFor(() => demo.slack.workspace.messages(OPS).find((m) => /runbook node-maintenance/.test(visibleText(m)) && match.test(visibleText(m))), { timeoutMs });
const click = (m: SlackMessage, user: string, actionId: string) => post('/api/action', { user, channel: OPS, ts: m.ts, actionId, value: buttonValue(m, actionId) });

describe('the demo walkthrough', () => {
  it('runs node-maintenance on node02 as the banner says', async () => {
    const node = async () => (JSON.parse((await demo.sandbox.request('GET', '/api/v1/nodes/node02')).text) as { spec: { unschedulable?: boolean }; status: { nodeInfo: { bootID: string } } });
    const bootBefore = (await node()).status.nodeInfo.bootID;
    await post('/api/command', { user: ALICE, channel: OPS, text: '/k8s runbook node-maintenance node=node02' });
    await click(await card(/Approval needed/), BOB, CardAction.Approve);
    const manual = await card(/Done: step 3/, 60_000);
    expect((await node()).spec.unschedulable).toBe(true);
    if (kubectl) await run(kubectl, ['--kubeconfig', demo.sandbox.kubeconfigPath, 'create', '--raw', '/debug/sandbox/nodes/node02/reboot', '-f', '/dev/null']);
    else await demo.sandbox.rebootNode('node02');
    await click(manual, ALICE, CardAction.StepDone);
    const done = await card(/Runbook node-maintenance done: 6 steps/, 60_000);
    expect(visibleText(done)).toMatch(/node02 is Ready, boot [0-9a-f]{8} \(new\)/);
    expect((await node()).spec.unschedulable).toBeFalsy();
    expect((await node()).status.nodeInfo.bootID).not.toBe(bootBefore);
  }, 120_000);
});
