import { restartVerb } from '../../src/core/index.js';
import { defineCommand } from '../command-spec.js';
import { ResourceKind, takeOnlyTarget } from '../resource.js';

export const restart = defineCommand(restartVerb, {
  aliases: [],
  summary: 'Rolling restart of a deployment, statefulset or daemonset (needs approval).',
  usage: '/k8s restart deployment|statefulset|daemonset/NAME [-n NS]',
  details: 'Replaces every pod, a few at a time, following the rollout strategy. Same as `kubectl rollout restart`. Types: deployment (deploy), statefulset (sts), daemonset (ds).',
  examples: ['/k8s restart deployment/web -n shop', '/k8s restart sts/db -n data', '/k8s rollout restart deploy web'],
  flags: [],
  build({ positionals }) {
    const { kind, name } = takeOnlyTarget(positionals, { verb: 'restart', kinds: [ResourceKind.Deployment, ResourceKind.StatefulSet, ResourceKind.DaemonSet], missing: 'restart needs a deployment, statefulset or daemonset, e.g. deployment/web.', only: 'one deployment, statefulset or daemonset' });
    return { kind, name };
  },
});
