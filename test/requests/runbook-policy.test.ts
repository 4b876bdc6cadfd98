import { describe, expect, it } from 'vitest';
import { Policy } from '../../src/approval/index.js';
import { loadRunbookCatalog } from '../../src/chat/runbook-catalog.js';
import type { CommandRequest } from '../../src/core/request.js';
import { evaluatePolicy } from '../../src/requests/index.js';

/**
 * The policy and runbooks (issue 18): a runbook counts as its most dangerous step, every step must
 * be allowed to the requester, a rule that names the runbook decides instead, and `*` never
 * covers a runbook.
 */
const ALICE = 'U0ALICE001';
const DAVE = 'U0DAVE0001';

function runbookRequest(userId: string, node = 'node02'): CommandRequest {
  const catalog = loadRunbookCatalog();
  const filled = catalog.instantiate(catalog.get('node-maintenance')!, { node });
  if (!filled.ok) throw new Error(filled.message);
  return { v: 1, id: 'req_policy', command: '/k8s', text: `runbook node-maintenance node=${node}`, verb: 'runbook', args: { name: 'node-maintenance', params: { node }, procedure: filled.instance }, cluster: 'prod', userId, channelId: 'C1', receivedAt: Date.now() };
}

const ask = (yaml: string, userId = ALICE) => evaluatePolicy({ policy: Policy.fromText(yaml, 'p.yaml'), resolveGroup: async () => [] }, runbookRequest(userId));

const BASE = `groups:
  oncall: [U0ALICE001, U0BOB00001, U0CAROL001]
  leads: [U0CAROL001]
rules:
  - verbs: [cordon, uncordon]
    allow: [oncall]
  - verbs: [drain]
    allow: [oncall]
    approvals: 1
    approvers: [oncall]
`;

describe('a runbook under the policy', () => {
  it('counts as its most dangerous step: the drain, with its approvers and count', async () => {
    const d = await ask(BASE);
    expect(d).toMatchObject({ allowed: true, approvals: 1, approversLabel: '@oncall' });
    expect(d.reason).toMatch(/^Runbook node-maintenance counts as its most dangerous step, 2 \(`drain node02 --delete-emptydir-data --force --timeout 15m`\): Allowed by rule 2/);
  });

  it('is refused to someone who may not run one of its steps, naming the step', async () => {
    const d = await ask(`${BASE}  - verbs: [drain]\n    allow: ["*"]\n`, DAVE);
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/^Runbook node-maintenance, step 1 \(`cordon node02`\): Not allowed: cordon/);
  });

  it('a rule naming the runbook decides, stricter or looser; `*` does not cover runbooks', async () => {
    const named = await ask(`${BASE}  - verbs: [runbook.node-maintenance]\n    allow: [oncall]\n    approvals: 1\n    approvers: [leads]\n`);
    expect(named).toMatchObject({ allowed: true, approvals: 1, approversLabel: '@leads' });
    const all = await ask(`${BASE}  - verbs: [runbook.*]\n    allow: [oncall]\n`);
    expect(all).toMatchObject({ allowed: true, approvals: 0 });
    const star = await ask(`rules:\n  - verbs: ["*"]\n    allow: ["*"]\n`);
    expect(star.reason).toMatch(/counts as its most dangerous step/);
  });

  it('without a policy file, a runbook is refused like the verbs it runs', async () => {
    const d = await evaluatePolicy({ policy: Policy.default(), resolveGroup: async () => [] }, runbookRequest(ALICE));
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/step 1 \(`cordon node02`\)/);
  });
});
