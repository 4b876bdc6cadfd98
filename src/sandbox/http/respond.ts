import type { ServerResponse } from 'node:http';
import { ApiError } from '../api-error.js';

/** Writes a JSON body with the content type client-go and client-node expect. */
export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** An ApiError as the Status object the real API server answers with. */
export function sendError(res: ServerResponse, err: ApiError): void {
  // responsewriters.ErrorNegotiated: a Status asking to retry later also says so in Retry-After.
  const retry = err.details?.retryAfterSeconds;
  if (retry && retry > 0) res.setHeader('Retry-After', String(retry));
  sendJson(res, err.code, err.toStatus());
}

/** `Status` with status Success, as DELETE of most resources and eviction return it. */
export function successStatus(details?: Record<string, unknown>, code?: number): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    ...(code ? { code } : {}),
  };
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
