import type { RunbookInstance } from '../runbooks/index.js';
import type { StepRecord } from './request-store.js';
import { StepStatus } from './transitions.js';

/** What a node was left as by the runbook's steps that ran, and how to undo it. */
const NODE_EFFECT: Record<string, { state: string; undo?: string }> = {
  cordon: { state: 'cordoned', undo: 'uncordon' },
  drain: { state: 'cordoned and drained', undo: 'uncordon' },
  uncordon: { state: 'schedulable' },
  fence: { state: 'fenced (out-of-service taint)', undo: 'unfence' },
  unfence: { state: 'unfenced' },
};

/** How a runbook left the cluster, in lines for its card and timeline. */
export interface RunbookOutcome {
  /** One line per step that changed something: what it changed (a manual step: done by hand). */
  changed: string[];
  /** One line per step that did not run, was skipped, or failed. */
  unchanged: string[];
  /** Where each node a step changed is now, with the command that undoes it. */
  left: string[];
}

/**
 * What state the cluster was left in when a runbook ended, from its steps' own results: what
 * each step that ran changed, which steps did not run, and each node's last state with the
 * command to undo it (a node left cordoned says `/k8s uncordon NODE`).
 */
export function runbookOutcome(procedure: RunbookInstance, steps: readonly (StepRecord | undefined)[]): RunbookOutcome {
  const changed: string[] = [];
  const unchanged: string[] = [];
  const nodes = new Map<string, string>();
  procedure.steps.forEach((step, i) => {
    const r = steps[i];
    const n = `${i + 1}. ${step.text}`;
    if (r?.status === StepStatus.Done) {
      // Waits, notes and steps with nothing to do changed nothing: they are in neither list.
      if (r.result?.changed.length) changed.push(`${n} — ${r.result.changed.join(', ')}`);
      else if (r.doneBy) changed.push(`${n} — done by hand`);
      const node = step.kind === 'run' && typeof step.args.node === 'string' ? step.args.node : undefined;
      if (node && step.kind === 'run' && NODE_EFFECT[step.verb]) nodes.set(node, step.verb);
    } else if (r?.status === StepStatus.Skipped) {
      unchanged.push(`${n} — skipped${r.note ? `: ${r.note}` : ''}`);
    } else if (r?.status === StepStatus.Failed) {
      // A step that failed partway may have changed its node (a drain cordons before it evicts).
      const node = step.kind === 'run' && typeof step.args.node === 'string' ? step.args.node : undefined;
      if (node && step.kind === 'run' && NODE_EFFECT[step.verb] && r.result?.changed.length) nodes.set(node, step.verb);
      unchanged.push(`${n} — failed${r.failure ? `: ${r.failure.message}` : r.result ? `: ${r.result.title}` : ''}${r.result?.changed.length ? ` (it changed: ${r.result.changed.join(', ')})` : ''}`);
    } else {
      unchanged.push(`${n} — not run`);
    }
  });
  const left = [...nodes].map(([node, verb]) => {
    const e = NODE_EFFECT[verb]!;
    return `node ${node} is left ${e.state}${e.undo ? `; \`/k8s ${e.undo} ${node}\` undoes it` : ''}`;
  });
  return { changed, unchanged, left };
}
