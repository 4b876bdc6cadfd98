import type { UserInfo } from './user-info.js';

/** What an authorizer is asked about one request (k8s.io/apiserver/pkg/authorization/authorizer.Attributes). */
export interface RequestAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection, impersonate; for paths: get, post, put, … */
  verb: string;
  resourceRequest: boolean;
  /** The URL path, for non-resource requests. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** The attributes of a non-resource request (/healthz, /api, /openapi/v3): the method lowercased and the path. */
export function pathAttributes(user: UserInfo, method: string, path: string): RequestAttributes {
  return { user, verb: method.toLowerCase(), resourceRequest: false, path, apiGroup: '', apiVersion: '', resource: '', subresource: '', namespace: '', name: '' };
}

export interface ResourceRequest {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path: string;
}

/**
 * The attributes of a resource request as request.RequestInfoFactory derives them: a list or
 * watch narrowed to one name by `fieldSelector=metadata.name=x` is about that name, and a
 * Namespace object is in its own namespace.
 */
export function resourceAttributes(user: UserInfo, r: ResourceRequest, fieldSelector: string | null): RequestAttributes {
  let name = r.name ?? '';
  if (!name && (r.verb === 'list' || r.verb === 'watch') && fieldSelector) {
    const m = /(?:^|,)metadata\.name==?([^,]+)(?:,|$)/.exec(fieldSelector);
    if (m) name = m[1];
  }
  let namespace = r.namespace ?? '';
  if (!namespace && r.resource === 'namespaces' && r.name) namespace = r.name;
  return { user, verb: r.verb, resourceRequest: true, path: r.path, apiGroup: r.group, apiVersion: r.version, resource: r.resource, subresource: r.subresource ?? '', namespace, name };
}
