import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text. */
  text: string;
}

export interface RawRequestOptions {
  /** A JSON body (objects are serialised; strings and buffers go as they are). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Bearer token to send; none sends no Authorization header (an anonymous request). */
  token?: string;
  /** Aborting it gives the request up: its connection is closed (Node's `signal` request option). */
  signal?: AbortSignal;
}

/**
 * One HTTP(S) request to the sandbox, trusting its CA: what tests and benchmarks use for raw API
 * calls, since fetch() cannot be told to trust a self-signed certificate.
 */
export function rawRequest(baseUrl: string, ca: string | undefined, method: string, path: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const url = new URL(path, baseUrl);
  const body = options.body === undefined ? undefined : typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
    ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    ...(options.headers ?? {}),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ...(ca ? { ca } : {}), ...(options.signal ? { signal: options.signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
