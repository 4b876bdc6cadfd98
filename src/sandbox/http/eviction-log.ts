/** One eviction the sandbox accepted: answered 201 and not a dry run. */
export interface AcceptedEviction {
  namespace: string;
  name: string;
  /** The pod's metadata.uid: a pod recreated under the same name has another. */
  uid: string;
  /** The node the pod was bound to (spec.nodeName), '' if none. */
  node: string;
  /** When it was accepted, ms since the epoch (the sandbox clock). */
  at: number;
  /**
   * The latest moment the client had sent it: when the request arrived, or, for the first request
   * on a new connection, when that connection was opened. An eviction sent before some moment may
   * arrive and be accepted after it (under load by a second: TLS handshakes), so "did the client
   * ask after X?" is `sentBy > X`.
   */
  sentBy: number;
}

/**
 * Every eviction the sandbox accepted, in order: the cluster's own record, against which the
 * chaos suite and tests check "no pod evicted twice" by UID. A real API server has this in its
 * audit log; a second accepted eviction of a terminating pod is legal there too (it can ignore
 * its budget), so only a record like this shows a client that evicted twice.
 */
export class EvictionLog {
  private readonly entries: AcceptedEviction[] = [];

  record(entry: AcceptedEviction): void {
    this.entries.push(entry);
  }

  list(): AcceptedEviction[] {
    return [...this.entries];
  }
}
