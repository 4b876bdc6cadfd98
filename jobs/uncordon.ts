import { nodeNotReadyWarning, nodePressureWarning } from '../src/k8s/plan-warnings.js';
import type { PlanWarning } from '../src/core/plan.js';
import { uncordonVerb } from '../src/core/verbs/index.js';
import type { OperationJob } from './job-context.js';
import { createNodeStateJob } from './support/node-state.js';

/** `/k8s uncordon NODE`: spec.unschedulable = false. Warns when the node is not fit to take pods. */
export const uncordonJob: OperationJob<typeof uncordonVerb> = createNodeStateJob({
  verb: uncordonVerb,
  unschedulable: false,
  warnings(node) {
    const name = node.metadata?.name ?? '';
    return [
      nodeNotReadyWarning(node, `pods scheduled there after uncordon will not start. Fix the kubelet first (check \`/k8s describe node ${name}\`).`),
      nodePressureWarning(node, 'new pods placed there may be evicted again by the kubelet. Wait until the pressure clears.'),
    ].filter((w): w is PlanWarning => w !== undefined);
  },
});
