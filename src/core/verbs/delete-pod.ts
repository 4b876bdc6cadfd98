import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { defineVerb, VerbRunner } from './contract.js';
import { DEFAULT_NAMESPACE, namespaceArg, objectName } from './names.js';
import { ResourceKind } from './resource-kind.js';
import { MAX_GRACE_SECONDS } from './drain.js';

/**
 * `/k8s delete pod NAME [--force] [--grace-period N]`: delete one pod.
 * - `gracePeriod`: seconds; -1 means the pod's own terminationGracePeriodSeconds. Default -1.
 * - `force`: delete at once (grace 0) without waiting for the kubelet to confirm. Default false.
 */
export const DeletePodArgsSchema = z.object({
  kind: z.literal(ResourceKind.Pod),
  name: objectName,
  force: z.boolean().default(false),
  gracePeriod: z.number().int().min(-1).max(MAX_GRACE_SECONDS).default(-1),
  namespace: namespaceArg,
});
export type DeletePodArgs = z.output<typeof DeletePodArgsSchema>;

export const deletePodVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'delete',
  risk: Risk.Destructive,
  runner: VerbRunner.Operation,
  args: DeletePodArgsSchema,
  namespaceOf: (a) => a.namespace ?? DEFAULT_NAMESPACE,
  targetOf: (a) => `pod/${a.namespace ?? DEFAULT_NAMESPACE}/${a.name}`,
});
