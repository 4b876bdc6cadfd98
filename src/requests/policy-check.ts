import type { PolicyDecision } from '../approval/index.js';
import type { CommandRequest } from '../core/request.js';
import { policyVerb } from '../core/verbs/index.js';
import type { RequestDeps } from './deps.js';

/**
 * Asks the policy about a request: the same question at intake, at plan time and at every Run
 * click. `namespace` is the one the verb acts in, as its contract says (absent for nodes).
 */
export function evaluatePolicy(deps: Pick<RequestDeps, 'policy' | 'resolveGroup'>, request: CommandRequest): Promise<PolicyDecision> {
  return deps.policy.evaluate(
    { verb: policyVerb(request.command, request.verb), userId: request.userId, channelId: request.channelId, cluster: request.cluster, ...(request.namespace ? { namespace: request.namespace } : {}) },
    deps.resolveGroup,
  );
}
