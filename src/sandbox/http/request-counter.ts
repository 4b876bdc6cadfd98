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
}

export class RequestCounter {
  private counts: RequestCounts = { total: 0, byVerb: {}, discovery: 0, other: 0 };

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

  snapshot(): RequestCounts {
    return { ...this.counts, byVerb: { ...this.counts.byVerb } };
  }

  reset(): void {
    this.counts = { total: 0, byVerb: {}, discovery: 0, other: 0 };
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
