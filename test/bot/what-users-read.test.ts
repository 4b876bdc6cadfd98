import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPolicy } from '../../src/demo/demo-policy.js';
import { waitForEphemeral } from '../support/cards.js';
import { ALICE, CAROL, messageText, startStack, type Stack } from '../support/stack.js';

/**
 * Help and errors match what sitrep does, as a user reads them in Slack (the real bot, the demo's
 * policy): what `top` shows, which flags a verb takes, what is supported when something is not,
 * and no source path in any refusal or in `/k8s status`.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance', policy: demoPolicy() });
});
afterAll(async () => {
  await stack?.stop();
});

/** The ephemeral text Slack shows for a command answered in its acknowledgement. */
async function answer(text: string, user = ALICE): Promise<string> {
  const res = await stack.slash(text, { user });
  expect(res.status).toBe(200);
  return (res.json as { text: string }).text;
}

describe('what users read', () => {
  it('an unsupported type says what is supported, not only the usage', async () => {
    const top = await answer('top pods');
    expect(top).toContain("Not supported: top pods. sitrep's top shows nodes only (`/k8s top nodes`: requests against allocatable).");
    expect(top).toContain('`/k8s describe pod NAME -n NS`');
    const get = await answer('get svc');
    expect(get).toContain('Not supported: get services. sitrep lists nodes, pods, deployments, pdb (PodDisruptionBudgets) and events.');
    expect(await answer('describe svc web')).toContain('describe works on nodes and pods, not services.');
  });

  it('help says top shows requests against allocatable, and offers -n only where it is taken', async () => {
    const top = await answer('help top');
    expect(top).toContain('CPU and memory requested on each node, against what it can allocate.');
    expect(top).not.toContain('--namespace');
    const drain = await answer('drain --help');
    expect(drain).not.toContain('--namespace');
    expect(drain).toContain('`-n` is refused');
    expect(await answer('drain node02 -n shop')).toContain('-n does not narrow a drain');
    expect(await answer('help get')).toContain('`-n, --namespace NS`');
  });

  it('a refusal names the rule of the demo policy, with no source path', async () => {
    await stack.slash('drain node02', { user: CAROL });
    const refusal = messageText(await waitForEphemeral(stack, CAROL, /Not allowed/));
    expect(refusal).toContain('(rule 3 of the demo policy (line 12))');
    expect(refusal).not.toMatch(/src\/|\.ts\b/);
  });

  it('/k8s status shows the policy once, by name', async () => {
    await stack.slash('status', { user: ALICE });
    const status = messageText(await waitForEphemeral(stack, ALICE, /sitrep status/));
    expect(status).toContain('Policy: demo policy. Approval requests expire after 15m.');
    expect(status).not.toMatch(/Policy:\*? Policy:/);
    expect(status).not.toMatch(/src\/|\.ts\b/);
  });
});
