import { z } from 'zod';
import { SlashCommand } from '../request.js';
import { Risk } from '../risk.js';
import { clusterScoped, defineVerb, VerbRunner } from './contract.js';
import { DEFAULT_NAMESPACE, labelSelector, namespaceArg, objectName } from './names.js';

/** What `get` lists, as Kubernetes resource plurals. */
export const GetResource = {
  Nodes: 'nodes',
  Pods: 'pods',
  Deployments: 'deployments',
  PodDisruptionBudgets: 'poddisruptionbudgets',
  Events: 'events',
} as const;
export type GetResource = (typeof GetResource)[keyof typeof GetResource];

/**
 * `/k8s get nodes|pods|deployments|pdb|events`: a table.
 * - `resource`: what to list.
 * - `allNamespaces`: `-A`; always false for nodes.
 * - `node`: only pods on this node (pods only).
 * - `selector`: label selector from `-l`.
 * - `namespace`: from `-n`; default `default`.
 */
export const GetArgsSchema = z.object({
  resource: z.enum([GetResource.Nodes, GetResource.Pods, GetResource.Deployments, GetResource.PodDisruptionBudgets, GetResource.Events]),
  allNamespaces: z.boolean().default(false),
  node: objectName.optional(),
  selector: labelSelector.optional(),
  namespace: namespaceArg,
});
export type GetArgs = z.output<typeof GetArgsSchema>;

export const getVerb = defineVerb({
  command: SlashCommand.K8s,
  name: 'get',
  risk: Risk.Read,
  runner: VerbRunner.Read,
  args: GetArgsSchema,
  namespaceOf: (a) => (a.resource === GetResource.Nodes || a.allNamespaces ? clusterScoped() : (a.namespace ?? DEFAULT_NAMESPACE)),
});
