import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { defineVerb, VerbRunner } from './contract.js';
import { DEFAULT_NAMESPACE, namespaceArg, objectName } from './names.js';
import { ResourceKind } from './resource-kind.js';

/**
 * `/k8s restart deployment|statefulset|daemonset/NAME`: a rolling restart, as `kubectl rollout
 * restart` does (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/objectrestarter.go).
 */
export const RestartArgsSchema = z.object({
  kind: z.enum([ResourceKind.Deployment, ResourceKind.StatefulSet, ResourceKind.DaemonSet]),
  name: objectName,
  namespace: namespaceArg,
});
export type RestartArgs = z.output<typeof RestartArgsSchema>;

export const restartVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'restart',
  risk: Risk.Destructive,
  runner: VerbRunner.Operation,
  args: RestartArgsSchema,
  namespaceOf: (a) => a.namespace ?? DEFAULT_NAMESPACE,
  targetOf: (a) => `${a.kind}/${a.namespace ?? DEFAULT_NAMESPACE}/${a.name}`,
});
