import { isSchedulableTarget } from '../src/k8s/capacity.js';
import { lastSchedulableWarning } from '../src/k8s/plan-warnings.js';
import { cordonVerb } from '../src/core/verbs/index.js';
import type { OperationJob } from './job-context.js';
import { createNodeStateJob } from './support/node-state.js';

/** `/k8s cordon NODE`: spec.unschedulable = true. Warns when it is the last node that takes pods. */
export const cordonJob: OperationJob<typeof cordonVerb> = createNodeStateJob({
  verb: cordonVerb,
  unschedulable: true,
  warnings(node, nodes) {
    const name = node.metadata?.name ?? '';
    if (!isSchedulableTarget(node)) return [];
    const others = nodes.filter((n) => n.metadata?.name !== name && isSchedulableTarget(n)).map((n) => n.metadata?.name ?? '');
    const w = lastSchedulableWarning({ destinations: others }, name, 0);
    return w ? [w] : [];
  },
});
