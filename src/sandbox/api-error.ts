/**
 * An error the API server answers with a `Status` object, with the reasons and codes the real
 * kube-apiserver uses so that kubectl and client-node print what they would on a real cluster.
 */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  /** ListMeta of the Status (an expired continue token's 410 carries a fresh token in it). */
  listMeta?: { continue?: string };

  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: this.listMeta ?? {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }

  /** `pods "web-0" not found`. `resource` is the plural, `group` the API group ('' for core). */
  static notFound(resource: string, name: string, group = ''): ApiError {
    return new ApiError(404, 'NotFound', `${qualified(resource, group)} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });
  }

  static alreadyExists(resource: string, name: string, group = ''): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualified(resource, group)} "${name}" already exists`, { name, ...(group ? { group } : {}), kind: resource });
  }

  static conflict(resource: string, name: string, group = '', why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(resource, group)} "${name}": ${why}`, { name, ...(group ? { group } : {}), kind: resource });
  }

  /**
   * 422 as errors.NewInvalid words it: `Deployment.apps "web" is invalid: spec.replicas: Invalid
   * value: -1: must be greater than or equal to 0`; several errors are bracketed and comma-joined
   * (an aggregate). Each cause carries its field error's reason (FieldValueInvalid, …Required, …).
   */
  static invalid(kind: string, name: string, causes: (Required<Pick<StatusCause, 'field' | 'message'>> & { reason?: string })[], group = ''): ApiError {
    const parts = causes.map((c) => `${c.field}: ${c.message}`);
    const text = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
    return new ApiError(422, 'Invalid', `${qualified(kind, group)} "${name}" is invalid: ${text}`, {
      name,
      ...(group ? { group } : {}),
      kind,
      causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
    });
  }

  /** 403 as errors.NewForbidden: `pods "x" is forbidden: <why>` (no name: `pods is forbidden: …`). */
  static forbidden(resource: string, name: string, group: string, why: string): ApiError {
    const what = name ? `${qualified(resource, group)} "${name}"` : qualified(resource, group);
    return new ApiError(403, 'Forbidden', `${what} is forbidden: ${why}`, { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource });
  }

  static badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  }

  static gone(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  }

  static methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
    return new ApiError(405, 'MethodNotAllowed', message);
  }

  /**
   * negotiation.NewUnsupportedMediaTypeError: 415 listing what the endpoint accepts, no details.
   * @param accepted the media types the endpoint takes, in the server's order
   */
  static unsupportedMediaType(accepted: readonly string[]): ApiError {
    return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  }

  /** errors.NewInternalError: pass the full message (`Internal error occurred: …`). */
  static internal(message: string): ApiError {
    const cause = message.replace(/^Internal error occurred: /, '');
    return new ApiError(500, 'InternalError', message, { causes: [{ message: cause }] });
  }
}

function qualified(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}
