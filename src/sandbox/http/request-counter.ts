/** Requests served, for benchmarks that report API calls per operation. */
export interface RequestCounts {
  /** Resource requests (discovery, health and /debug not included). */
  total: number;
  /** By `verb resource` as Kubernetes names them: `list pods`, `create pods/eviction`, `patch nodes`. */
  byVerb: Record<string, number>;
  /** Discovery, /version and /openapi requests (kubectl makes many; they are counted apart). */
  discovery: number;
  /** /healthz, /readyz, /livez and /debug requests. */
  other: number;
  /** Requests waiting now in the priority-and-fairness queue of a `queued` outage (api-outage.ts), by `verb resource` as in byVerb. Not cleared by a reset. */
  waiting: Record<string, number>;
  /** Requests that left that queue unserved because their client gave up (closed the connection) while they waited, by `verb resource`. */
  withdrawn: Record<string, number>;
}

export class RequestCounter {
  private counts: RequestCounts = { total: 0, byVerb: {}, discovery: 0, other: 0, waiting: {}, withdrawn: {} };

  resource(verb: string, resource: string): void {
    const k = `${verb} ${resource}`;
    this.counts.total++;
    this.counts.byVerb[k] = (this.counts.byVerb[k] ?? 0) + 1;
  }

  discovery(): void {
    this.counts.discovery++;
  }

  other(): void {
    this.counts.other++;
  }

  /** A request (`verb resource`) entered the queue of a `queued` outage. */
  queued(what: string): void {
    this.counts.waiting[what] = (this.counts.waiting[what] ?? 0) + 1;
  }

  /** A queued request left the queue: to be served, given up by its client (withdrawn), or rejected after waiting too long. */
  dequeued(what: string, outcome: 'served' | 'withdrawn' | 'rejected'): void {
    const left = (this.counts.waiting[what] ?? 1) - 1;
    if (left > 0) this.counts.waiting[what] = left;
    else delete this.counts.waiting[what];
    if (outcome === 'withdrawn') this.counts.withdrawn[what] = (this.counts.withdrawn[what] ?? 0) + 1;
  }

  snapshot(): RequestCounts {
    return { ...this.counts, byVerb: { ...this.counts.byVerb }, waiting: { ...this.counts.waiting }, withdrawn: { ...this.counts.withdrawn } };
  }

  reset(): void {
    // Requests still waiting are still waiting: only the tallies start again.
    this.counts = { total: 0, byVerb: {}, discovery: 0, other: 0, waiting: this.counts.waiting, withdrawn: {} };
  }
}

/** The Kubernetes verb of a resource request (what RBAC and audit logs call it). */
export function kubeVerb(method: string, hasName: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
