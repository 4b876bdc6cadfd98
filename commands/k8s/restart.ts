import { z } from 'zod';
import { Risk, SlashCommand } from '../../src/core/index.js';
import { defineCommand, JobMode } from '../command-spec.js';
import { noMore, ResourceKind, takeTarget } from '../resource.js';
import { objectName } from '../schemas.js';

/**
 * `/k8s restart deployment/NAME`: a rolling restart, as `kubectl rollout restart` does (sets the
 * pod template's restartedAt annotation). `/k8s rollout restart ...` is read the same way.
 *
 * Args: `{ kind: 'deployment' | 'statefulset' | 'daemonset', name }`; the namespace is the
 * command's top-level `namespace`.
 */
export const RestartArgsSchema = z.object({
  kind: z.enum([ResourceKind.Deployment, ResourceKind.StatefulSet, ResourceKind.DaemonSet]),
  name: objectName,
});
export type RestartArgs = z.infer<typeof RestartArgsSchema>;

export const restart = defineCommand({
  command: SlashCommand.K8s,
  verb: 'restart',
  aliases: [],
  risk: Risk.Destructive,
  mode: JobMode.Plan,
  summary: 'Rolling restart of a deployment, statefulset or daemonset (needs approval).',
  usage: '/k8s restart deployment|statefulset|daemonset/NAME [-n NS]',
  details: 'Replaces every pod, a few at a time, following the rollout strategy. Same as `kubectl rollout restart`. Types: deployment (deploy), statefulset (sts), daemonset (ds).',
  examples: ['/k8s restart deployment/web -n shop', '/k8s restart sts/db -n data', '/k8s rollout restart deploy web'],
  flags: [],
  schema: RestartArgsSchema,
  build({ positionals }) {
    const { kind, name, rest } = takeTarget(positionals, {
      verb: 'restart',
      kinds: [ResourceKind.Deployment, ResourceKind.StatefulSet, ResourceKind.DaemonSet],
      missing: 'restart needs a deployment, statefulset or daemonset, e.g. deployment/web.',
    });
    noMore('restart', rest, 'one deployment, statefulset or daemonset');
    return { kind, name };
  },
  isNamespaced: () => true,
});
