import type { IncomingMessage } from 'node:http';
import { ApiError } from '../api-error.js';

/** The real API server refuses bodies over 3 MiB; so do we, so a runaway client cannot eat memory. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (err) => { if (!failed) { failed = true; reject(err); } });
  });
}

/** The media type without parameters, lower-cased: `application/json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a JSON request body. Errors read like the real server's (it reports the decoder's
 * complaint inside a 400 BadRequest).
 */
export function parseJson(body: Buffer, what = 'body'): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw ApiError.badRequest(`the ${what} of the request was empty`);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw ApiError.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

/**
 * The body of a create or update must be JSON (or YAML-free JSON). client-go's typed clients send
 * protobuf for built-in kinds; the sandbox cannot decode arbitrary protobuf objects, so it answers
 * 415 as a server does for a media type it does not take.
 */
export function requireJsonBody(contentType: string | undefined): void {
  const t = mediaType(contentType);
  if (t === '' || t === 'application/json' || t === '*/*') return;
  throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json`, {
    causes: [{ message: `unsupported media type ${JSON.stringify(t)}` }],
  });
}

/** Like parseJson, but the top level must be an object (a Kubernetes object or options). */
export function parseJsonObject(body: Buffer, what = 'body'): Record<string, unknown> {
  const v = parseJson(body, what);
  if (!isPlainObject(v)) throw ApiError.badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  return v;
}
