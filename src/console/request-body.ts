import type { IncomingMessage } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { ErrorCode, SitrepError } from '../core/errors.js';
import type { ApiArgs } from './api-args.js';

/** Largest request body the stand-in reads (file uploads included). @defaultValue 64 MiB */
export const MaxBodyBytes = 64 * 1024 * 1024;

/** A request body over the limit; the server answers 413. */
export class BodyTooLargeError extends SitrepError {
  constructor(maxBytes: number) {
    super(ErrorCode.BadArgs, `Request body over ${maxBytes} bytes.`);
  }
}

export async function readBody(req: IncomingMessage, maxBytes = MaxBodyBytes): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Web API arguments from any encoding Slack accepts: query string (GET), form fields,
 * a JSON object, or multipart form data (which @slack/web-api uses when an argument is binary).
 */
export async function parseApiArgs(contentType: string | undefined, body: Buffer, query: URLSearchParams): Promise<ApiArgs> {
  const args: ApiArgs = Object.fromEntries(query);
  const type = mediaType(contentType);
  if (body.length === 0) return args;
  if (type === 'application/json') {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) Object.assign(args, parsed);
    return args;
  }
  if (type === 'multipart/form-data') {
    const form = await multipart(contentType!, body);
    for (const [key, value] of form) args[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    return args;
  }
  // Slack treats anything else as form-encoded, which is also what the SDK sends.
  for (const [key, value] of Object.entries(parseQuery(body.toString('utf8')))) {
    args[key] = Array.isArray(value) ? value[value.length - 1] : value;
  }
  return args;
}

/**
 * The file bytes POSTed to an upload URL: the (first) file part of a multipart body, as
 * @slack/web-api sends it, or the raw body, as curl --data-binary sends it.
 */
export async function parseUploadBody(contentType: string | undefined, body: Buffer): Promise<Buffer> {
  if (mediaType(contentType) !== 'multipart/form-data') return body;
  const form = await multipart(contentType!, body);
  for (const [, value] of form) if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  const first = [...form.values()][0];
  return Buffer.from(typeof first === 'string' ? first : '');
}

/** Multipart parsing without a dependency: the fetch Response in Node parses form data. */
function multipart(contentType: string, body: Buffer): Promise<FormData> {
  return new Response(body, { headers: { 'content-type': contentType } }).formData();
}
