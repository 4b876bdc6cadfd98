import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ApiError } from '../api-error.js';
import type { UserInfo } from '../auth/index.js';
import { Identity } from '../auth/user-info.js';

/** How the API server fails during an outage. */
export const OutageMode = {
  /** Sockets of incoming requests are destroyed (reset), and open watch streams and idle connections are dropped at the start. */
  Reset: 'reset',
  /** The listening socket is closed and every connection dropped: connections are refused, as when kube-apiserver is down. */
  Refuse: 'refuse',
  /** 503 `apiserver is shutting down` with `Retry-After: 1`, as a kube-apiserver that is stopping answers. */
  Unavailable: '503',
  /** 429 `Too many requests, please try again later.` with `Retry-After: 1`, as max-in-flight or priority-and-fairness answer. */
  TooManyRequests: '429',
} as const;
export type OutageMode = (typeof OutageMode)[keyof typeof OutageMode];

export interface ApiOutageOptions {
  /** How long the outage lasts, real milliseconds (a whole number above 0). */
  durationMs: number;
  /** Start after this many more accepted (201) Eviction POSTs instead of now.
   * @defaultValue 0 (now) */
  afterEvictions?: number;
  /** @defaultValue 'reset' */
  mode?: OutageMode;
}

/** What an outage does to the server it breaks. */
export interface OutageTarget {
  /** Destroys the sockets of open watch streams and of idle keep-alive connections. */
  dropConnections(): void;
  /** Closes the listening socket and every connection. */
  stopListening(): void;
  /** Listens again on the same address. */
  resumeListening(): Promise<void>;
}

const MODES = new Set<string>(Object.values(OutageMode));

/** Checks outage options (from code or from the admin endpoint's query), throwing a 400 ApiError that says what is wrong. */
export function outageOptions(raw: { durationMs?: unknown; afterEvictions?: unknown; mode?: unknown }): Required<ApiOutageOptions> {
  const whole = (v: unknown, name: string, min: number): number => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw ApiError.badRequest(`${name}: must be a whole number of at least ${min}, got ${JSON.stringify(v ?? null)}`);
    return n;
  };
  const mode = raw.mode ?? OutageMode.Reset;
  if (typeof mode !== 'string' || !MODES.has(mode)) throw ApiError.badRequest(`mode: must be one of ${[...MODES].join(', ')}, got ${JSON.stringify(mode)}`);
  return { durationMs: whole(raw.durationMs, 'durationMs', 1), afterEvictions: raw.afterEvictions === undefined ? 0 : whole(raw.afterEvictions, 'afterEvictions', 0), mode: mode as OutageMode };
}

/** A watch is a long-running request: the shutdown and in-flight filters let it through. */
function isLongRunning(req: IncomingMessage): boolean {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const watch = url.searchParams.get('watch');
  return watch === 'true' || watch === '1' || /^\/(api|apis\/[^/]+)\/[^/]+\/watch\//.test(url.pathname);
}

function destroy(socket: Socket): void {
  // A reset (RST), as a dropped connection looks to the client; plain destroy where the socket cannot.
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}

/**
 * A Kubernetes API outage, switched on for a while: what sitrep's retries and watches must
 * survive. The four modes are what clients meet on real clusters:
 * - `reset`: a load balancer or the apiserver dropping connections; open watches are cut at the
 *   start, so clients must list and watch again from their resourceVersion;
 * - `refuse`: the apiserver process down (nothing listens; every connection is gone);
 * - `503`: a stopping apiserver, from the WithWaitGroup filter
 *   (staging/src/k8s.io/apiserver/pkg/server/filters/waitgroup.go): a Status with reason
 *   ServiceUnavailable and `Retry-After: 1`; long-running requests (watches) are let through;
 * - `429`: max-in-flight (staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go, and
 *   priority-and-fairness alike): `Retry-After: 1` and the plain-text body of http.Error, not a
 *   Status; watches and system:masters are let through, as there.
 */
export class ApiOutage {
  private armed?: { left: number; durationMs: number; mode: OutageMode };
  private active?: { mode: OutageMode; timer: NodeJS.Timeout };
  private closed = false;

  constructor(private readonly target: OutageTarget, private readonly logger?: Logger) {}

  /** Schedules an outage (now, or after `afterEvictions` more accepted evictions); replaces one not yet started. */
  schedule(options: ApiOutageOptions): void {
    const o = outageOptions(options);
    if (o.afterEvictions === 0) this.start(o.durationMs, o.mode);
    else this.armed = { left: o.afterEvictions, durationMs: o.durationMs, mode: o.mode };
  }

  /** Called once each accepted Eviction's answer has been sent. */
  evictionAccepted(): void {
    if (!this.armed || --this.armed.left > 0) return;
    const { durationMs, mode } = this.armed;
    this.armed = undefined;
    this.start(durationMs, mode);
  }

  /** Connection-level modes: true when the request was cut off and must not be served. */
  cutsOff(req: IncomingMessage): boolean {
    if (this.active?.mode !== OutageMode.Reset) return false;
    destroy(req.socket);
    return true;
  }

  /** Answer-level modes, after authentication: true when the request was answered with the outage's error. */
  answers(req: IncomingMessage, res: ServerResponse, user: UserInfo | undefined): boolean {
    const mode = this.active?.mode;
    if (mode !== OutageMode.Unavailable && mode !== OutageMode.TooManyRequests) return false;
    if (isLongRunning(req)) return false;
    if (mode === OutageMode.TooManyRequests) {
      // "A system:master is so powerful that they should always get an answer."
      if (user?.groups.includes(Identity.Masters)) return false;
      const text = 'Too many requests, please try again later.\n';
      res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return true;
    }
    const text = `${JSON.stringify(new ApiError(503, 'ServiceUnavailable', 'apiserver is shutting down').toStatus())}\n`;
    res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  }

  /** Ends any outage at once and cancels a scheduled one (the server is closing). */
  close(): void {
    this.closed = true;
    this.armed = undefined;
    if (this.active) clearTimeout(this.active.timer);
    this.active = undefined;
  }

  private start(durationMs: number, mode: OutageMode): void {
    if (this.closed) return;
    if (this.active) {
      clearTimeout(this.active.timer);
      if (this.active.mode === OutageMode.Refuse && mode !== OutageMode.Refuse) void this.resume();
    }
    const wasRefusing = this.active?.mode === OutageMode.Refuse;
    this.active = { mode, timer: setTimeout(() => this.end(), durationMs) };
    this.logger?.info({ mode, durationMs }, 'sandbox: API outage starts');
    if (mode === OutageMode.Reset) this.target.dropConnections();
    else if (mode === OutageMode.Refuse && !wasRefusing) this.target.stopListening();
  }

  private end(): void {
    const mode = this.active?.mode;
    this.active = undefined;
    this.logger?.info({ mode }, 'sandbox: API outage ends');
    if (mode === OutageMode.Refuse) void this.resume();
  }

  private async resume(): Promise<void> {
    if (this.closed) return;
    try {
      await this.target.resumeListening();
    } catch (err) {
      this.logger?.error({ err }, 'sandbox: could not listen again after the outage');
    }
  }
}
