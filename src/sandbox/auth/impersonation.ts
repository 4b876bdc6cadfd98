import type { IncomingHttpHeaders } from 'node:http';
import type { RbacAuthorizer } from './rbac-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';
import { forbidden } from './responses.js';
import { Identity, serviceAccountGroups, splitServiceAccountUsername, type UserInfo } from './user-info.js';

function headerValues(headers: IncomingHttpHeaders, name: string): string[] {
  const v = headers[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

/**
 * The impersonation filter (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation/
 * impersonation.go): `Impersonate-User` and `Impersonate-Group` (kubectl --as, --as-group) act as
 * another identity when the requester may `impersonate` users, service accounts and groups; the
 * result is in system:authenticated (or, for system:anonymous, system:unauthenticated). Throws
 * the 403 the filter answers with otherwise. Returns the requester when nothing is impersonated.
 */
export function impersonate(headers: IncomingHttpHeaders, requester: UserInfo, authorizer: RbacAuthorizer): UserInfo {
  const userHeader = headerValues(headers, 'impersonate-user')[0];
  const groupHeaders = headerValues(headers, 'impersonate-group');
  if (!userHeader && !groupHeaders.length) return requester;
  const check = (a: Omit<RequestAttributes, 'user' | 'path' | 'apiVersion' | 'subresource' | 'resourceRequest' | 'verb'>) => {
    const attrs: RequestAttributes = { ...a, user: requester, verb: 'impersonate', resourceRequest: true, path: '', apiVersion: 'v1', subresource: '' };
    const d = authorizer.authorize(attrs);
    if (!d.allowed) throw forbidden(attrs, d.reason);
  };
  let name = '';
  let groups: string[] = [];
  if (userHeader) {
    const sa = splitServiceAccountUsername(userHeader);
    if (sa) {
      check({ apiGroup: '', resource: 'serviceaccounts', namespace: sa.namespace, name: sa.name });
      if (!groupHeaders.length) groups = serviceAccountGroups(sa.namespace);
    } else {
      check({ apiGroup: '', resource: 'users', namespace: '', name: userHeader });
    }
    name = userHeader;
  }
  for (const g of groupHeaders) {
    check({ apiGroup: '', resource: 'groups', namespace: '', name: g });
    groups.push(g);
  }
  if (name !== Identity.Anonymous) {
    if (!groups.includes(Identity.AllAuthenticated) && !groups.includes(Identity.AllUnauthenticated)) groups.push(Identity.AllAuthenticated);
  } else if (!groups.includes(Identity.AllUnauthenticated)) {
    groups.push(Identity.AllUnauthenticated);
  }
  return { name, groups };
}
