import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../commands/registry.js';
import { parseCommand } from '../../commands/parse.js';
import { argsFor } from '../../src/core/verbs/contract.js';
import { OPERATION_JOBS, READ_JOBS, RUNBOOK_JOBS } from '../../jobs/registry.js';
import { selectDrainPods } from '../../src/k8s/drain-filters.js';
import {
  BOT_VERBS,
  botVerbKey,
  DrainArgsSchema,
  drainVerb,
  ErrorCode,
  JobError,
  MAX_REPLICAS,
  OPERATION_VERBS,
  READ_VERBS,
  RUNBOOK_STEP_VERBS,
  RUNBOOK_VERB,
  scaleVerb,
  topVerb,
  VerbRunner,
} from '../../src/core/index.js';

/**
 * One args contract per verb (src/core/verbs): what commands/ builds is exactly what jobs/ accepts.
 * Each test below is one of the disagreements the copies had, attacked from both sides.
 */
describe('one args contract per verb', () => {
  it('every chat verb names a contract, and every contract has exactly one job or bot-side handler', () => {
    for (const spec of COMMANDS) {
      expect(spec.job.name).toBe(spec.verb);
      expect(spec.schema).toBe(spec.job.args);
      if (spec.job.runner === VerbRunner.Read) expect(READ_JOBS[spec.verb as keyof typeof READ_JOBS].verb).toBe(spec.job);
      if (spec.job.runner === VerbRunner.Operation) expect(OPERATION_JOBS[spec.verb as keyof typeof OPERATION_JOBS].verb).toBe(spec.job);
      if (spec.job.runner === VerbRunner.Bot) expect(BOT_VERBS[botVerbKey(spec.job) as keyof typeof BOT_VERBS]).toBe(spec.job);
      if (spec.job.runner === VerbRunner.Runbook) expect(spec.job).toBe(RUNBOOK_VERB);
    }
    // Jobs only runbook steps ask for have a contract and a job each, and no chat verb.
    for (const [name, contract] of Object.entries(RUNBOOK_STEP_VERBS)) {
      expect(RUNBOOK_JOBS[name as keyof typeof RUNBOOK_JOBS].verb).toBe(contract);
      expect(COMMANDS.some((s) => s.verb === name)).toBe(false);
    }
    const contracts = new Set(COMMANDS.map((s) => s.job));
    for (const c of [...Object.values(READ_VERBS), ...Object.values(OPERATION_VERBS), ...Object.values(BOT_VERBS), RUNBOOK_VERB]) expect(contracts.has(c)).toBe(true);
    expect(contracts.size).toBe(COMMANDS.length);
  });

  it('a pod selector is grammar-checked on the worker too: a payload with a malformed one is refused before any call', () => {
    const parsed = parseCommand('/k8s', 'drain node02 --pod-selector "app in (web"');
    expect(parsed.ok).toBe(false);
    const refused = (() => {
      try {
        argsFor(drainVerb, { node: 'node02', podSelector: 'app in (web' });
      } catch (err) {
        return err;
      }
    })();
    expect(refused).toBeInstanceOf(JobError);
    expect((refused as JobError).code).toBe(ErrorCode.BadArgs);
    expect((refused as JobError).message).toMatch(/podSelector: must be a label selector/);
  });

  it('`top` takes the words kubectl takes and sends one value the worker accepts', () => {
    for (const text of ['top', 'top nodes', 'top node', 'top no']) {
      const parsed = parseCommand('/k8s', text);
      if (!parsed.ok) throw parsed.error;
      expect(parsed.args).toEqual({ resource: 'nodes' });
      expect(argsFor(topVerb, parsed.args)).toEqual({ resource: 'nodes' });
    }
    expect(() => argsFor(topVerb, { resource: 'no' })).toThrow(/resource/);
  });

  it('the replica cap is one constant: the command, the worker and the help agree on it', () => {
    const over = parseCommand('/k8s', `scale deployment/web --replicas ${MAX_REPLICAS + 1} -n shop`);
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.error.message).toContain(`0 to ${MAX_REPLICAS}`);
    const at = parseCommand('/k8s', `scale deployment/web --replicas ${MAX_REPLICAS} -n shop`);
    expect(at.ok).toBe(true);
    expect(() => argsFor(scaleVerb, { kind: 'deployment', name: 'web', replicas: MAX_REPLICAS + 1 })).toThrow(JobError);
    expect(COMMANDS.find((s) => s.verb === 'scale')!.details).toContain(String(MAX_REPLICAS));
  });

  it('`--ignore-daemonsets=false` reaches kubectl\'s DaemonSet filter under the one field name', () => {
    const parsed = parseCommand('/k8s', 'drain node02 --ignore-daemonsets=false');
    if (!parsed.ok) throw parsed.error;
    const args = argsFor(drainVerb, parsed.args);
    expect(args.ignoreDaemonsets).toBe(false);
    const dsPod = {
      metadata: { name: 'agent-x', namespace: 'kube-system', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'd1', controller: true }] },
      spec: { nodeName: 'node02', containers: [{ name: 'a' }] },
      status: { phase: 'Running' },
    };
    const strict = selectDrainPods([dsPod], { ...args, now: Date.now() }, { daemonSetExists: () => true });
    expect(strict.errors.map((e) => e.flag)).toEqual(['--ignore-daemonsets']);
    const lenient = selectDrainPods([dsPod], { ...DrainArgsSchema.parse({ node: 'node02' }), now: Date.now() }, { daemonSetExists: () => true });
    expect(lenient.errors).toEqual([]);
  });

  it('defaults live in the contract: what was not typed is filled in the same way by the bot and the worker', () => {
    const parsed = parseCommand('/k8s', 'drain node02');
    if (!parsed.ok) throw parsed.error;
    expect(parsed.args).toEqual(DrainArgsSchema.parse({ node: 'node02' }));
    expect(argsFor(drainVerb, { node: 'node02' })).toEqual(parsed.args);
  });
});
