import { ApiError } from '../api-error.js';
import type { RequestAttributes } from './request-attributes.js';

/** filters/authentication.go Unauthorized: errors.NewUnauthorized("Unauthorized"). */
export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/**
 * responsewriters.ForbiddenStatusError: `pods "x" is forbidden: User "u" cannot create resource
 * "pods/eviction" in API group "" in the namespace "shop"`, the authorizer's reason appended.
 */
export function forbidden(a: RequestAttributes, reason: string): ApiError {
  let msg: string;
  if (!a.resourceRequest) {
    msg = `User "${a.user.name}" cannot ${a.verb} path "${a.path}"`;
  } else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    msg = a.namespace
      ? `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" in the namespace "${a.namespace}"`
      : `User "${a.user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" at the cluster scope`;
  }
  // Avoid anything that looks like HTML, as the real writer's sanitizer does.
  msg = msg.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const why = reason ? `${msg}: ${reason}` : msg;
  if (!a.resource) return new ApiError(403, 'Forbidden', `forbidden: ${why}`, {});
  return ApiError.forbidden(a.resource, a.name, a.apiGroup, why);
}
