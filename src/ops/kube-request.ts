/** A Kubernetes API request in RBAC's terms: what a Role rule has to grant for it to pass. */
export interface KubeRequest {
  verb: string;
  /** API group; '' is the core group (`/api/v1`). */
  group: string;
  /** Resource plural, with `/subresource` when there is one; for non-resource URLs, the path. */
  resource: string;
  namespace?: string;
  name?: string;
}

/**
 * Reads an API server URL the way the API server's request-info resolver does, so that metrics
 * (and the RBAC test) name requests as RBAC and audit logs do: `GET …/pods?watch=true` is
 * `watch`, `POST …/pods/x/eviction` is `create pods/eviction`, `PATCH …/deployments/x/scale` is
 * `patch deployments/scale` in group `apps`.
 */
export function kubeRequestOf(method: string, url: string | URL): KubeRequest {
  const u = typeof url === 'string' ? new URL(url, 'http://localhost') : url;
  const parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const m = method.toUpperCase();
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1];
    rest = parts.slice(3);
  } else {
    return { verb: m.toLowerCase(), group: '', resource: u.pathname };
  }
  if (rest.length === 0) return { verb: 'get', group, resource: u.pathname };
  let namespace: string | undefined;
  // `namespaces/NS/RESOURCE…` is a namespaced request; `namespaces` or `namespaces/NS` alone is the Namespace object.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  const watch = ['true', '1'].includes(u.searchParams.get('watch') ?? '');
  let verb: string;
  switch (m) {
    case 'GET':
    case 'HEAD':
      verb = watch ? 'watch' : name === undefined ? 'list' : 'get';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      verb = m.toLowerCase();
  }
  return {
    verb,
    group,
    resource: subresource ? `${resource}/${subresource}` : resource,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
  };
}
