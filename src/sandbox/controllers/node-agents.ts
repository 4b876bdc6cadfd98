import { randomUUID } from 'node:crypto';

/** What happened to a node's kubelet. */
export type AgentChange = { node: string; up: boolean; rebooted: boolean };

/**
 * The kubelet processes themselves, which the API cannot show: whether each node's kubelet runs
 * (posts status, renews its Lease, starts and stops containers) and which boot it runs in.
 * Nodes are up unless a test or scenario takes them down; a reboot is down, a new boot ID, up.
 */
export class NodeAgents {
  private readonly down = new Set<string>();
  private readonly boots = new Map<string, string>();
  private readonly listeners = new Set<(c: AgentChange) => void>();

  isUp(node: string): boolean {
    return !this.down.has(node);
  }

  /** The boot the node runs in now (status.nodeInfo.bootID once the kubelet has posted it). */
  bootId(node: string, seen?: string): string {
    let id = this.boots.get(node);
    if (!id) {
      id = seen ?? randomUUID();
      this.boots.set(node, id);
    }
    return id;
  }

  /** The kubelet stops: no heartbeats, no pod changes. */
  setDown(node: string): void {
    if (this.down.has(node)) return;
    this.down.add(node);
    this.emit({ node, up: false, rebooted: false });
  }

  /** The kubelet runs again; `rebooted` means the machine booted anew (a new boot ID). */
  setUp(node: string, rebooted = false): void {
    if (rebooted) this.boots.set(node, randomUUID());
    if (!this.down.delete(node) && !rebooted) return;
    this.emit({ node, up: true, rebooted });
  }

  onChange(listener: (c: AgentChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(c: AgentChange): void {
    for (const l of [...this.listeners]) l(c);
  }
}
