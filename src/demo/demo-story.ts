/**
 * What the demo's banner tells a new user to type, for the scenario they started: the walkthrough
 * of README.md for `maintenance`, seed 003's for `notready-rwo`, and for the others what their
 * cluster is there to show. Every command names `node`, a node the running sandbox has.
 *
 * The console remembers the person last picked in the user switcher (the browser's localStorage),
 * and nobody approves their own request, so each story says who types what.
 */

/** How to reboot (or bring back) a sandbox node from a shell, with the demo's kubeconfig. */
export function rebootCommand(kubeconfig: string, node: string): string {
  return `kubectl --kubeconfig ${kubeconfig} create --raw /debug/sandbox/nodes/${node}/reboot -f /dev/null`;
}

const AS_ALICE = `You are Alice, on call, in #ops (if the console shows someone else, the person you picked
  last time, pick Alice in the user switcher, top left).`;

/**
 * The lines of the banner between "Open … in your browser." and the Cluster line, indented by
 * two spaces, commands by six.
 */
export function demoStory(scenario: string, node: string, kubeconfig: string): string {
  switch (scenario) {
    case 'maintenance':
      return `  ${AS_ALICE} Type:
      /incident start "${node} kernel memory leak" --sev 2
      /k8s drain ${node}
  It is refused, as kubectl drain would refuse it: ${node} runs an emptyDir pod and a bare pod.
  Add the flags the card names:
      /k8s drain ${node} --delete-emptydir-data --force
  Switch to Bob and approve it. Watch ${node} empty in the cluster panel.
  Switch back to Alice for the rest of the maintenance (cordon, drain, reboot, wait, uncordon)
  as one plan:
      /k8s runbook node-maintenance node=${node}
  Bob approves it. At its reboot step, reboot ${node}, then press Done:
      ${rebootCommand(kubeconfig, node)}
  Then: /incident resolve  ·  /incident postmortem`;
    case 'notready-rwo':
      return `  ${AS_ALICE}
  ${node} stopped reporting 15 minutes ago; its pods are stuck Terminating. Type:
      /incident start "${node} down" --sev 2
      /k8s get pods -A --node ${node}
      /k8s fence ${node}
  Switch to Bob and approve it (approve a fence only when the machine is powered off; in the demo
  it is). Watch ${node}'s pods come back on the other nodes.
  Bring the machine back, and once ${node} is Ready, switch back to Alice and unfence it (Bob
  approves):
      ${rebootCommand(kubeconfig, node)}
      /k8s unfence ${node}
  Then: /incident resolve  ·  /incident postmortem`;
    case 'memory-pressure':
      return `  ${AS_ALICE}
  ${node} reports MemoryPressure and the other workers are about 85% memory-requested. Type:
      /k8s top nodes
      /k8s drain ${node}
  Read the plan's warnings on where its pods can go before anyone approves. To go ahead anyway,
  switch to Bob and approve it. Watch ${node} empty in the cluster panel.`;
    case 'local-storage':
      return `  ${AS_ALICE}
  ${node} is the only node, with MySQL and MinIO on local PersistentVolumes. Type:
      /k8s get pods -A
      /k8s drain ${node}
  Read what the plan says about that data and where the pods could go: this is the drain to
  refuse. Nothing changes until someone else (switch to Bob) approves it.`;
    default:
      return `  ${AS_ALICE} Type:
      /k8s get nodes
      /k8s drain ${node}
  Read the plan (if the drain is refused, it names the flags that override; add them and try
  again), then switch to Bob (top left) and approve it. Watch ${node} empty in the cluster panel.`;
  }
}
