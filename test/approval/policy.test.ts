import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, isSitrepError } from '../../src/core/errors.js';
import { Policy, type PolicyRequestContext } from '../../src/approval/policy.js';

const dir = mkdtempSync(join(tmpdir(), 'sitrep-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function writePolicy(text: string, ext = 'yaml'): string {
  const path = join(dir, `policy-${++fileNo}.${ext}`);
  writeFileSync(path, text);
  return path;
}

/** The message of the ConfigError that loading `text` from a file throws. */
function loadError(text: string, ext = 'yaml'): { path: string; message: string } {
  const path = writePolicy(text, ext);
  try {
    Policy.fromFile(path);
  } catch (err) {
    expect(isSitrepError(err) && err.code).toBe(ErrorCode.PolicyInvalid);
    return { path, message: (err as Error).message };
  }
  throw new Error(`expected ${path} to be refused`);
}

const ALICE = 'U012ALICE';
const BOB = 'U034BOB';
const CAROL = 'U056CAROL';
const DAVE = 'U078DAVE';

const ctx = (verb: string, userId: string, extra: Partial<PolicyRequestContext> = {}): PolicyRequestContext => ({
  verb,
  userId,
  channelId: 'C0OPS',
  cluster: 'prod',
  ...extra,
});

/** The example policy of README.md's Policy section, as documented: the test keeps the docs true. */
const EXAMPLE = (() => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Policy'));
  return /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
})();

describe('default policy', () => {
  const policy = Policy.default();

  it('lets everyone read without approval', async () => {
    for (const verb of ['get', 'describe', 'logs', 'top', 'jobs', 'status', 'help', 'audit']) {
      const d = await policy.evaluate(ctx(verb, DAVE));
      expect(d, verb).toMatchObject({ allowed: true, approvals: 0 });
    }
  });

  it('is safe by default: without a policy file nothing that changes a cluster runs, for anyone', async () => {
    for (const verb of ['cordon', 'uncordon', 'drain', 'delete', 'scale', 'restart', 'rollout']) {
      for (const user of [ALICE, DAVE]) {
        const d = await policy.evaluate(ctx(verb, user, { namespace: 'default' }));
        expect(d, `${verb} by ${user}`).toMatchObject({ allowed: false, approvals: 0 });
        expect(d.reason).toBe('No policy configured: destructive verbs are off until SITREP_POLICY names who may run and approve them.');
      }
    }
  });

  it('allows incident verbs to everyone', async () => {
    expect(await policy.evaluate(ctx('incident.start', DAVE))).toMatchObject({ allowed: true, approvals: 0 });
    expect(await policy.evaluate(ctx('incident.resolve', DAVE))).toMatchObject({ allowed: true, approvals: 0 });
  });

  it('says what it does in one summary', () => {
    const text = policy.describe();
    expect(text).toContain('Policy: built-in policy. Approval requests expire after 15m.');
    expect(text).toContain('1. get, describe, logs, top, jobs, status, help, audit: anyone; no approval');
    expect(text).toContain('Other /k8s verbs are refused. Incident commands are open to everyone.');
  });

  it('is what fromEnv gives without SITREP_POLICY, and the file when it is set', async () => {
    expect(Policy.fromEnv({}).source).toBe('built-in policy');
    const path = writePolicy(EXAMPLE);
    const p = Policy.fromEnv({ SITREP_POLICY: path });
    expect(p.source).toBe(path);
    expect(p.ttlMs).toBe(15 * 60_000);
  });
});

describe('policy file', () => {
  it('names itself in what users read by the file name, never its path', async () => {
    const path = writePolicy(`groups:\n  leads: [U056CAROL]\nrules:\n  - verbs: [get]\n    allow: ["*"]\n  - verbs: [drain]\n    allow: [leads]\n    approvals: 1\n    approvers: [leads]\n`);
    const policy = Policy.fromFile(path);
    const reasons = [
      (await policy.evaluate(ctx('drain', DAVE))).reason,
      // Carol is the only lead: nobody else can approve her drain.
      (await policy.evaluate(ctx('drain', CAROL))).reason,
      (await policy.evaluate(ctx('cordon', CAROL))).reason,
      (await policy.evaluate(ctx('incident.note', DAVE))).reason,
      policy.describe(),
    ];
    for (const r of reasons) {
      expect(r).not.toContain(dirname(path));
    }
    expect(reasons[0]).toContain(`(rule 2 of the policy file ${basename(path)} (line 6))`);
    expect(reasons[1]).toContain(`Ask an admin to add approvers to the policy file ${basename(path)}.`);
    expect(reasons[2]).toContain(`ask an admin to add one to the policy file ${basename(path)}.`);
    expect(policy.source).toBe(path);
    const named = Policy.fromText('rules:\n  - verbs: [drain]\n    allow: [U0ALICE]\n', 'src/demo/demo-policy.ts', { label: 'demo policy' });
    expect((await named.evaluate(ctx('drain', DAVE))).reason).toBe('Not allowed: drain in cluster prod is for <@U0ALICE> (rule 1 of the demo policy (line 2)). Ask someone in <@U0ALICE> to run it.');
    expect(named.describe().split('\n')[0]).toBe('Policy: demo policy. Approval requests expire after 15m. First matching rule wins.');
  });

  it('loads the documented example and applies it', async () => {
    const path = writePolicy(EXAMPLE);
    const policy = Policy.fromFile(path);

    const drain = await policy.evaluate(ctx('drain', ALICE, { namespace: 'default' }));
    expect(drain).toMatchObject({ allowed: true, ruleIndex: 2, approvals: 1, approvers: [ALICE, BOB, CAROL], approversLabel: '@oncall', ttlMs: 15 * 60_000 });
    expect(drain.approverDescription).toBe('1 approval from @oncall (<@U012ALICE>, <@U034BOB>, <@U056CAROL>) other than the requester');
    expect(drain.reason).toBe(`Allowed by rule 3 of the policy file ${basename(path)} (line 9); needs 1 approval from @oncall (<@U012ALICE>, <@U034BOB>, <@U056CAROL>) other than the requester.`);

    const outsider = await policy.evaluate(ctx('drain', DAVE, { namespace: 'default' }));
    expect(outsider).toMatchObject({ allowed: false, ruleIndex: 2 });
    expect(outsider.reason).toBe(`Not allowed: drain in cluster prod, namespace default is for @oncall (rule 3 of the policy file ${basename(path)} (line 9)). Ask someone in @oncall to run it.`);

    expect(await policy.evaluate(ctx('get', DAVE))).toMatchObject({ allowed: true, approvals: 0, ruleIndex: 0 });
    expect(await policy.evaluate(ctx('cordon', BOB))).toMatchObject({ allowed: true, approvals: 0, ruleIndex: 1 });
    expect(await policy.evaluate(ctx('cordon', DAVE))).toMatchObject({ allowed: false });
  });

  it('reads JSON files as well', async () => {
    const path = writePolicy(JSON.stringify({ groups: { oncall: [ALICE, BOB] }, rules: [{ verbs: ['drain'], allow: ['oncall'], approvals: 1, approvers: ['oncall'] }] }, null, '\t'), 'json');
    const d = await Policy.fromFile(path).evaluate(ctx('drain', ALICE));
    expect(d).toMatchObject({ allowed: true, approvals: 1, approvers: [ALICE, BOB] });
  });

  it('refuses a /k8s verb no rule covers, naming the cluster, namespace and file', async () => {
    const path = writePolicy(`rules:\n  - verbs: [get]\n    allow: ["*"]\n`);
    const policy = Policy.fromFile(path);
    const d = await policy.evaluate(ctx('drain', ALICE, { namespace: 'default' }));
    expect(d.allowed).toBe(false);
    expect(d.reason).toBe(`No policy rule allows drain in cluster prod, namespace default; ask an admin to add one to the policy file ${basename(path)}.`);
    expect((await policy.evaluate(ctx('cordon', ALICE))).reason).toBe(`No policy rule allows cordon in cluster prod; ask an admin to add one to the policy file ${basename(path)}.`);
  });

  it('never blocks incident verbs it does not name, even under a "*" rule', async () => {
    const policy = Policy.fromText(
      `groups:\n  leads: [U056CAROL]\nrules:\n  - verbs: [incident.resolve]\n    allow: [leads]\n  - verbs: ["*"]\n    allow: [leads]\n`,
      'p.yaml',
    );
    expect(await policy.evaluate(ctx('incident.start', DAVE))).toMatchObject({ allowed: true, approvals: 0 });
    expect(await policy.evaluate(ctx('incident.note', DAVE))).toMatchObject({ allowed: true });
    const resolve = await policy.evaluate(ctx('incident.resolve', DAVE));
    expect(resolve.allowed).toBe(false);
    expect(resolve.reason).toContain('is for @leads (rule 1 of the policy file p.yaml (line 4))');
    expect(await policy.evaluate(ctx('incident.resolve', CAROL))).toMatchObject({ allowed: true });
    expect(await policy.evaluate(ctx('drain', DAVE))).toMatchObject({ allowed: false, ruleIndex: 1 });
  });

  it('governs all incident verbs with incident.*', async () => {
    const policy = Policy.fromText(`rules:\n  - verbs: ["incident.*"]\n    allow: [U012ALICE]\n`, 'p.yaml');
    expect(await policy.evaluate(ctx('incident.start', DAVE))).toMatchObject({ allowed: false });
    expect(await policy.evaluate(ctx('incident.start', ALICE))).toMatchObject({ allowed: true });
  });

  it('uses the first rule that covers the request and allows the user', async () => {
    const policy = Policy.fromText(
      `groups:
  oncall: [U012ALICE, U034BOB, U056CAROL]
  leads: [U056CAROL]
rules:
  - verbs: [drain]
    allow: [leads]
  - verbs: [drain, delete]
    allow: [oncall]
    approvals: 2
    approvers: [oncall]
  - verbs: [drain, delete]
    allow: ["*"]
`,
      'p.yaml',
    );
    expect(await policy.evaluate(ctx('drain', CAROL))).toMatchObject({ allowed: true, ruleIndex: 0, approvals: 0 });
    expect(await policy.evaluate(ctx('drain', ALICE))).toMatchObject({ allowed: true, ruleIndex: 1, approvals: 2 });
    // Rule 2 covers delete for Alice before rule 3 would let her delete alone.
    expect(await policy.evaluate(ctx('delete', ALICE))).toMatchObject({ allowed: true, ruleIndex: 1, approvals: 2 });
    expect(await policy.evaluate(ctx('delete', DAVE))).toMatchObject({ allowed: true, ruleIndex: 2, approvals: 0 });
  });

  it('restricts rules to clusters, namespaces and channels', async () => {
    const policy = Policy.fromText(
      `rules:
  - verbs: [drain, scale]
    allow: ["*"]
    clusters: ["staging-*"]
  - verbs: [scale]
    allow: ["*"]
    namespaces: [sandbox]
  - verbs: [restart]
    allow: ["*"]
    channels: [C0OPS]
`,
      '/etc/sitrep/policy.yaml',
    );
    expect(await policy.evaluate(ctx('drain', DAVE, { cluster: 'staging-eu' }))).toMatchObject({ allowed: true, ruleIndex: 0 });
    const prod = await policy.evaluate(ctx('drain', DAVE, { cluster: 'prod' }));
    expect(prod.reason).toBe('No policy rule allows drain in cluster prod; ask an admin to add one to the policy file policy.yaml.');

    expect(await policy.evaluate(ctx('scale', DAVE, { namespace: 'sandbox' }))).toMatchObject({ allowed: true, ruleIndex: 1 });
    expect(await policy.evaluate(ctx('scale', DAVE, { namespace: 'payments' }))).toMatchObject({ allowed: false });
    // A namespace-restricted rule never covers a cluster-scoped target.
    expect(await policy.evaluate(ctx('scale', DAVE))).toMatchObject({ allowed: false });

    expect(await policy.evaluate(ctx('restart', DAVE, { channelId: 'C0OPS' }))).toMatchObject({ allowed: true, ruleIndex: 2 });
    expect(await policy.evaluate(ctx('restart', DAVE, { channelId: 'C0RANDOM' }))).toMatchObject({ allowed: false });
  });

  it('refuses a request nobody but the requester could approve', async () => {
    const policy = Policy.fromText(
      `groups:\n  leads: [U056CAROL, U034BOB]\nrules:\n  - verbs: [delete]\n    allow: ["*"]\n    approvals: 2\n    approvers: [leads]\n`,
      'p.yaml',
    );
    const d = await policy.evaluate(ctx('delete', CAROL));
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/^Nobody can approve this: delete needs 2 approvals from @leads .* only 1 person other than you is in it/);
    expect((await policy.evaluate(ctx('delete', DAVE))).allowed).toBe(true);
  });

  it('tells who may approve, by decision or by rule', async () => {
    const policy = Policy.fromFile(writePolicy(EXAMPLE));
    const d = await policy.evaluate(ctx('drain', ALICE));
    expect(await policy.mayApprove(d, BOB)).toBe(true);
    expect(await policy.mayApprove(d, DAVE)).toBe(false);
    expect(await policy.mayApprove(2, CAROL)).toBe(true);
    expect(await policy.mayApprove(2, DAVE)).toBe(false);
    expect(await policy.mayApprove(1, BOB)).toBe(false); // cordon needs no approval at all
  });
});

describe('Slack user groups', () => {
  const text = `groups:
  oncall: [S0ONCALL, U099ERIN]
rules:
  - verbs: [drain]
    allow: [oncall]
    approvals: 1
    approvers: [S0SRE]
`;
  const members: Record<string, string[]> = { S0ONCALL: [ALICE, BOB], S0SRE: [BOB, CAROL] };

  it('resolves user groups through the resolver, once per group', async () => {
    const policy = Policy.fromText(text, 'p.yaml');
    const calls: string[] = [];
    const resolve = async (id: string) => {
      calls.push(id);
      return members[id] ?? [];
    };
    const d = await policy.evaluate(ctx('drain', ALICE), resolve);
    expect(d).toMatchObject({ allowed: true, approvals: 1, approvers: [BOB, CAROL] });
    expect(d.approverDescription).toBe('1 approval from <!subteam^S0SRE> (<@U034BOB>, <@U056CAROL>) other than the requester');
    expect(calls.sort()).toEqual(['S0ONCALL', 'S0SRE']);

    calls.length = 0;
    expect(await policy.evaluate(ctx('drain', 'U099ERIN'), resolve)).toMatchObject({ allowed: true });
    expect(calls).toEqual(['S0SRE']); // Erin is listed directly: no lookup needed to allow her

    expect(await policy.evaluate(ctx('drain', DAVE), resolve)).toMatchObject({ allowed: false });
    expect(await policy.mayApprove(0, CAROL, resolve)).toBe(true);
    expect(await policy.mayApprove(0, ALICE, resolve)).toBe(false);
  });

  it('says when a user group could not be checked', async () => {
    const d = await Policy.fromText(text, 'p.yaml').evaluate(ctx('drain', ALICE));
    expect(d.allowed).toBe(false);
    expect(d.reason).toContain('Slack user group S0ONCALL could not be checked');
  });

  it('fails closed, with a Slack error, when the lookup fails', async () => {
    const policy = Policy.fromText(text, 'p.yaml');
    await expect(policy.evaluate(ctx('drain', ALICE), async () => { throw new Error('ratelimited'); })).rejects.toMatchObject({
      code: ErrorCode.SlackApi,
      message: 'Slack user group S0ONCALL could not be read, so the policy cannot be checked. Try again in a minute.',
    });
  });
});

describe('policy file errors', () => {
  it('names the line of an unknown key and suggests the right one', () => {
    const { path, message } = loadError(`groups:\n  oncall: [U012ALICE, U034BOB]\nrules:\n  - verbs: [drain]\n    allow: [oncall]\n    aprovals: 1\n`);
    expect(message).toContain(`${path}:6:5: rules[0]: unknown key "aprovals". Did you mean "approvals"?`);
  });

  it('names the line of an unknown top-level key', () => {
    const { path, message } = loadError(`rules:\n  - verbs: [get]\n    allow: ["*"]\napprovalTTL: 15m\n`);
    expect(message).toContain(`${path}:4:1: unknown key "approvalTTL". Did you mean "approvalTtl"?`);
  });

  it('names the line and column of an unknown group', () => {
    const { path, message } = loadError(`groups:\n  oncall: [U012ALICE, U034BOB]\nrules:\n  - verbs: [drain]\n    allow: [oncall]\n    approvals: 1\n    approvers: [leads, oncal]\n`);
    expect(message).toContain(`${path}:7:17: rules[0].approvers[0]: unknown group "leads". Groups: oncall.`);
    expect(message).toContain(`${path}:7:24: rules[0].approvers[1]: unknown group "oncal". Did you mean "oncall"?`);
    expect(message).toMatch(/^Policy invalid \(2 problems\):/);
  });

  it('requires approvers when approvals is set', () => {
    const { path, message } = loadError(`rules:\n  - verbs: [drain]\n    allow: ["*"]\n    approvals: 1\n`);
    expect(message).toContain(`${path}:4:16: rules[0]: approvals: 1 needs approvers`);
  });

  it('refuses approvals out of range and approvals that can never be met', () => {
    expect(loadError(`rules:\n  - verbs: [drain]\n    allow: ["*"]\n    approvals: 11\n    approvers: ["*"]\n`).message).toMatch(
      /:4:16: rules\[0\]: approvals must be a whole number from 0 to 10$/m,
    );
    expect(loadError(`rules:\n  - verbs: [drain]\n    allow: ["*"]\n    approvals: 2\n    approvers: [U012ALICE]\n`).message).toMatch(/:4:16: rules\[0\]: approvals: 2 can never be met/);
  });

  it('refuses a bad approvalTtl', () => {
    expect(loadError(`rules:\n  - verbs: [get]\n    allow: ["*"]\napprovalTtl: soon\n`).message).toMatch(/:4:14: approvalTtl "soon" is not a duration; write e\.g\. 15m/);
    expect(loadError(`rules:\n  - verbs: [get]\n    allow: ["*"]\napprovalTtl: 2s\n`).message).toMatch(/:4:14: approvalTtl must be between 10s and 7d/);
  });

  it('points a missing key at the rule that lacks it', () => {
    const { path, message } = loadError(`rules:\n  - verbs: [get]\n  - allow: ["*"]\n`);
    expect(message).toContain(`${path}:2:5: rules[0]: allow is missing`);
    expect(message).toContain(`${path}:3:5: rules[1]: verbs is missing`);
  });

  it('rejects group members that are not Slack ids', () => {
    const { path, message } = loadError(`groups:\n  oncall: [U012ALICE, alice]\nrules:\n  - verbs: [get]\n    allow: [oncall]\n`);
    expect(message).toContain(`${path}:2:23: groups.oncall[1]: "alice" is not a Slack user id`);
  });

  it('reports YAML syntax errors with their line', () => {
    const { path, message } = loadError(`rules:\n  - verbs: [get\n    allow: ["*"]\n`);
    expect(message).toMatch(new RegExp(`${path.replace(/[.]/g, '\\.')}:\\d+:\\d+: not valid YAML/JSON`));
  });

  it('reports JSON errors with their line', () => {
    const { path, message } = loadError(`{\n  "rules": [\n    { "verbs": ["get"], "allow": ["*"], "approvals": -1 }\n  ]\n}\n`, 'json');
    expect(message).toContain(`${path}:3:54: rules[0]: approvals must be a whole number from 0 to 10`);
  });

  it('refuses an empty file and a missing file', () => {
    expect(loadError('').message).toMatch(/:1:1: the file is empty/);
    const missing = join(dir, 'nope.yaml');
    expect(() => Policy.fromFile(missing)).toThrow(`Policy file unreadable: ${missing} (ENOENT).`);
  });

  it('checks verbs against the known ones when given', () => {
    expect(() => Policy.fromText(`rules:\n  - verbs: [get, dran]\n    allow: ["*"]\n`, 'p.yaml', { knownVerbs: ['get', 'drain', 'cordon'] })).toThrow(
      'p.yaml:2:18: rules[0].verbs[1]: unknown verb "dran". Did you mean "drain"?',
    );
  });

  it('tells how to recover', () => {
    const path = writePolicy('rules: 3\n');
    try {
      Policy.fromFile(path);
      expect.unreachable();
    } catch (err) {
      expect((err as { hint?: string }).hint).toBe(`Fix ${path} and restart sitrep, or unset SITREP_POLICY to use the built-in policy.`);
    }
  });
});
