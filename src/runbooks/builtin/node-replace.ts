/**
 * The built-in `node-replace` runbook (seed 003: a dead node whose pods hold ReadWriteOnce
 * volumes): stop scheduling on it, move off what can move, fence it if it is still NotReady so
 * that its stuck pods are force-deleted and their volumes detach, then wait until every workload
 * that had a pod there is Ready elsewhere. README.md shows this text verbatim.
 */
export const NODE_REPLACE_YAML = `name: node-replace
description: Move everything off a node that is being replaced; fence it first if it is dead.
params:
  node:
    description: The node to take out of service.
steps:
  - run: cordon {{node}}
  - run: drain {{node}} --delete-emptydir-data --force --skip-wait-for-delete-timeout 60 --timeout 5m
  - run: fence {{node}}
    if: { node-not-ready: "{{node}}" }
  - name: wait-replacements
    wait: { replacements-ready: "{{node}}" }
    timeout: 15m
`;
