/**
 * The built-in `node-maintenance` runbook (seed 001's procedure: a node leaking kernel memory is
 * cordoned, drained, rebooted, waited for and put back). README.md shows this text verbatim.
 */
export const NODE_MAINTENANCE_YAML = `name: node-maintenance
description: Take a node out of service, reboot it, and put it back once it is Ready in a new boot.
params:
  node:
    description: The node to reboot.
steps:
  - run: cordon {{node}}
  - run: drain {{node}} --delete-emptydir-data --force --timeout 15m
  - name: reboot
    manual: Reboot {{node}} now (for example \`sudo systemctl reboot\` on the machine), then press Done.
  - name: wait-ready
    wait: { node-ready: "{{node}}", new-boot-id: true }
    timeout: 20m
  - run: uncordon {{node}}
  - note: "{{node}} maintenance finished: rebooted and back in service."
`;
