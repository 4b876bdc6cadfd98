import { apiGroups, RESOURCE_TYPES, type ResourceType } from '../resources.js';

/** What a request path names. Paths the real server would 404 as "page not found" map to `page-not-found`. */
export type Route =
  | { kind: 'health' }
  | { kind: 'version' }
  | { kind: 'api-versions' }
  | { kind: 'api-groups' }
  | { kind: 'api-group'; group: string; version: string }
  | { kind: 'resource-list'; group: string; version: string }
  | { kind: 'openapi' }
  | { kind: 'openapi-v3'; path: string }
  | { kind: 'debug-requests' }
  | { kind: 'sandbox-node'; node: string; action: string }
  | { kind: 'sandbox-fault'; fault: string }
  | { kind: 'unknown-resource' }
  | { kind: 'page-not-found' }
  | ResourceRoute;

export interface ResourceRoute {
  kind: 'resource';
  type: ResourceType;
  /** Set for namespaced paths (`/namespaces/x/pods`); for the Namespace object itself it is undefined. */
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The legacy `/watch/` path prefix was used. */
  legacyWatch: boolean;
}

const TYPES_BY_GV = new Map<string, Map<string, ResourceType>>();
for (const t of RESOURCE_TYPES) {
  const gv = `${t.group}/${t.version}`;
  let m = TYPES_BY_GV.get(gv);
  if (!m) TYPES_BY_GV.set(gv, (m = new Map()));
  m.set(t.resource, t);
}
const GROUP_VERSIONS = new Map(apiGroups().map((g) => [g.group, g.version]));

/** Maps a URL path to what it names, without looking at the store. */
export function parseRoute(path: string): Route {
  const segs = path.split('/').filter((s) => s !== '').map(safeDecode);
  if (segs.length === 0) return { kind: 'page-not-found' };
  const [first] = segs;
  if (segs.length === 1 && (first === 'healthz' || first === 'readyz' || first === 'livez')) return { kind: 'health' };
  if ((first === 'healthz' || first === 'readyz' || first === 'livez') && segs.length === 2) return { kind: 'health' };
  if (segs.length === 1 && first === 'version') return { kind: 'version' };
  if (first === 'openapi' && segs[1] === 'v3') return { kind: 'openapi-v3', path: segs.slice(2).join('/') };
  if (first === 'openapi') return { kind: 'openapi' };
  if (first === 'debug' && segs[1] === 'requests' && segs.length === 2) return { kind: 'debug-requests' };
  // The sandbox's own admin endpoints: /debug/sandbox/nodes/{name}/{reboot|down|up}.
  if (first === 'debug' && segs[1] === 'sandbox' && segs[2] === 'nodes' && segs.length === 5) return { kind: 'sandbox-node', node: segs[3], action: segs[4] };
  // /debug/sandbox/faults/{outage}: faults switched on from outside (the chaos suite).
  if (first === 'debug' && segs[1] === 'sandbox' && segs[2] === 'faults' && segs.length === 4) return { kind: 'sandbox-fault', fault: segs[3] };

  if (first === 'api') {
    if (segs.length === 1) return { kind: 'api-versions' };
    if (segs[1] !== 'v1') return { kind: 'page-not-found' };
    if (segs.length === 2) return { kind: 'resource-list', group: '', version: 'v1' };
    return resourceRoute('', 'v1', segs.slice(2));
  }
  if (first === 'apis') {
    if (segs.length === 1) return { kind: 'api-groups' };
    const group = segs[1];
    const version = GROUP_VERSIONS.get(group);
    if (!version) return { kind: 'page-not-found' };
    if (segs.length === 2) return { kind: 'api-group', group, version };
    if (segs[2] !== version) return { kind: 'page-not-found' };
    if (segs.length === 3) return { kind: 'resource-list', group, version };
    return resourceRoute(group, version, segs.slice(3));
  }
  return { kind: 'page-not-found' };
}

function resourceRoute(group: string, version: string, rest: string[]): Route {
  const types = TYPES_BY_GV.get(`${group}/${version}`);
  if (!types) return { kind: 'unknown-resource' };
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // `/namespaces/x/pods...` is namespaced; `/namespaces` and `/namespaces/x` name Namespace objects.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
    const t = types.get(rest[0]);
    if (!t || !t.namespaced || rest.length > 3) {
      // `/namespaces/x/status` and `/finalize` are subresources of the Namespace itself.
      return { kind: 'unknown-resource' };
    }
    return withSubresource(t, namespace, rest[1], rest[2], legacyWatch);
  }
  const t = types.get(rest[0]);
  if (!t || rest.length > 3) return { kind: 'unknown-resource' };
  // A namespaced object can only be named inside its namespace; `/api/v1/pods` alone lists all.
  if (t.namespaced && rest.length > 1) return { kind: 'unknown-resource' };
  return withSubresource(t, undefined, rest[1], rest[2], legacyWatch);
}

function withSubresource(t: ResourceType, namespace: string | undefined, name: string | undefined, sub: string | undefined, legacyWatch: boolean): Route {
  if (sub !== undefined && !t.subresources.some((s) => s.name === sub)) return { kind: 'unknown-resource' };
  return { kind: 'resource', type: t, namespace, name, subresource: sub, legacyWatch };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
