import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { defineVerb, VerbRunner } from './contract.js';
import { DEFAULT_NAMESPACE, namespaceArg, objectName } from './names.js';
import { ResourceKind } from './resource-kind.js';

/** Upper bound that catches a slipped finger (3000 for 30) without getting in anyone's way. */
export const MAX_REPLICAS = 10_000;

/**
 * `/k8s scale deployment|statefulset/NAME --replicas N`: set the replica count (an absolute
 * value, so a retried job does the same thing). `replicas` is a whole number, 0 to MAX_REPLICAS.
 */
export const ScaleArgsSchema = z.object({
  kind: z.enum([ResourceKind.Deployment, ResourceKind.StatefulSet]),
  name: objectName,
  replicas: z.number().int().min(0).max(MAX_REPLICAS),
  namespace: namespaceArg,
});
export type ScaleArgs = z.output<typeof ScaleArgsSchema>;

export const scaleVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'scale',
  risk: Risk.Destructive,
  runner: VerbRunner.Operation,
  args: ScaleArgsSchema,
  namespaceOf: (a) => a.namespace ?? DEFAULT_NAMESPACE,
  targetOf: (a) => `${a.kind}/${a.namespace ?? DEFAULT_NAMESPACE}/${a.name}`,
});
