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
  /** Writes (POST, PUT, PATCH, DELETE) are served, then their connection is reset before the answer leaves: a write that took effect while its client heard nothing, as when a load balancer drops a connection mid-answer. Reads pass. */
  LostAnswer: 'lost-answer',
  /** Requests wait in a priority-and-fairness queue until the outage ends, then are served; one whose client gives up while it waits is never served, and one waiting 15 s is answered 429. Watches and system:masters pass. */
  Queued: 'queued',
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
  /** The `Retry-After` seconds that the 503 and 429 modes send (an overloaded server may ask for an hour).
   * @defaultValue 1 */
  retryAfterSeconds?: number;
}

/** What an outage does to the server it breaks. */
export interface OutageTarget {
  /** Destroys the sockets of open watch streams and of idle keep-alive connections. */
  dropConnections(): void;
  /** Closes the listening socket and every connection. */
  stopListening(): void;
  /** Listens again on the same address. */
  resumeListening(): Promise<void>;
  /** A request (`what`: its `verb resource`, or its path) entered the `queued` outage's queue. */
  queued(what: string): void;
  /** A queued request left the queue: to be served, withdrawn (its client gave up), or rejected (it waited too long). */
  dequeued(what: string, outcome: 'served' | 'withdrawn' | 'rejected'): void;
}

/**
 * How long a request may wait in a priority-and-fairness queue: a quarter of its deadline, which
 * is the server's --request-timeout (60 s) when the client set none (getRequestWaitContext,
 * staging/src/k8s.io/apiserver/pkg/server/filters/priority-and-fairness.go).
 */
export const QUEUE_WAIT_LIMIT_MS = 15_000;

const MODES = new Set<string>(Object.values(OutageMode));

/** Checks outage options (from code or from the admin endpoint's query), throwing a 400 ApiError that says what is wrong. */
export function outageOptions(raw: { durationMs?: unknown; afterEvictions?: unknown; mode?: unknown; retryAfterSeconds?: unknown }): Required<ApiOutageOptions> {
  const whole = (v: unknown, name: string, min: number): number => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw ApiError.badRequest(`${name}: must be a whole number of at least ${min}, got ${JSON.stringify(v ?? null)}`);
    return n;
  };
  const mode = raw.mode ?? OutageMode.Reset;
  if (typeof mode !== 'string' || !MODES.has(mode)) throw ApiError.badRequest(`mode: must be one of ${[...MODES].join(', ')}, got ${JSON.stringify(mode)}`);
  return {
    durationMs: whole(raw.durationMs, 'durationMs', 1),
    afterEvictions: raw.afterEvictions === undefined ? 0 : whole(raw.afterEvictions, 'afterEvictions', 0),
    mode: mode as OutageMode,
    retryAfterSeconds: raw.retryAfterSeconds === undefined ? 1 : whole(raw.retryAfterSeconds, 'retryAfterSeconds', 0),
  };
}

/** A watch is a long-running request: the shutdown and in-flight filters let it through. */
function isLongRunning(req: IncomingMessage): boolean {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const watch = url.searchParams.get('watch');
  return watch === 'true' || watch === '1' || /^\/(api|apis\/[^/]+)\/[^/]+\/watch\//.test(url.pathname);
}

/** max-in-flight's and priority-and-fairness's rejection: `Retry-After` and http.Error's plain text, not a Status. */
function tooManyRequests(res: ServerResponse, retryAfterSeconds: number): void {
  const text = 'Too many requests, please try again later.\n';
  res.writeHead(429, { 'Retry-After': String(retryAfterSeconds), 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
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
 * survive. The six modes are what clients meet on real clusters:
 * - `reset`: a load balancer or the apiserver dropping connections; open watches are cut at the
 *   start, so clients must list and watch again from their resourceVersion;
 * - `refuse`: the apiserver process down (nothing listens; every connection is gone);
 * - `503`: a stopping apiserver, from the WithWaitGroup filter
 *   (staging/src/k8s.io/apiserver/pkg/server/filters/waitgroup.go): a Status with reason
 *   ServiceUnavailable and `Retry-After: 1`; long-running requests (watches) are let through;
 * - `429`: max-in-flight (staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go, and
 *   priority-and-fairness alike): `Retry-After: 1` and the plain-text body of http.Error, not a
 *   Status; watches and system:masters are let through, as there;
 * - `lost-answer`: a write that reached the server and took effect, whose answer the client never
 *   heard (a connection dropped mid-answer), so a retry meets the write's own effect;
 * - `queued`: an overloaded server's priority-and-fairness queues
 *   (staging/src/k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/queueset/queueset.go): a
 *   request waits until the outage ends; one whose client cancels while it waits is ejected from
 *   the queue and never executed (`decisionCancel`); one waiting past QUEUE_WAIT_LIMIT_MS is
 *   rejected with the 429 above. Watches and system:masters (the exempt priority level) pass.
 */
export class ApiOutage {
  private armed?: { left: number; durationMs: number; mode: OutageMode; retryAfterSeconds: number };
  private active?: { mode: OutageMode; timer: NodeJS.Timeout; retryAfterSeconds: number };
  private closed = false;
  /** Releases of the requests waiting in the `queued` mode's queue. */
  private readonly waiting = new Set<() => void>();

  constructor(private readonly target: OutageTarget, private readonly logger?: Logger) {}

  /** Schedules an outage (now, or after `afterEvictions` more accepted evictions); replaces one not yet started. */
  schedule(options: ApiOutageOptions): void {
    const o = outageOptions(options);
    if (o.afterEvictions === 0) this.start(o.durationMs, o.mode, o.retryAfterSeconds);
    else this.armed = { left: o.afterEvictions, durationMs: o.durationMs, mode: o.mode, retryAfterSeconds: o.retryAfterSeconds };
  }

  /** Called once each accepted Eviction's answer has been sent. */
  evictionAccepted(): void {
    if (!this.armed || --this.armed.left > 0) return;
    const { durationMs, mode, retryAfterSeconds } = this.armed;
    this.armed = undefined;
    this.start(durationMs, mode, retryAfterSeconds);
  }

  /**
   * Connection-level modes: true when the request was cut off and must not be served. Under
   * `lost-answer` a write is served but its answer never leaves: the connection is reset instead.
   */
  cutsOff(req: IncomingMessage, res: ServerResponse): boolean {
    const mode = this.active?.mode;
    if (mode === OutageMode.LostAnswer && req.method !== 'GET' && req.method !== 'HEAD') {
      // Headers and body go out on the first write or end: reset the connection there instead.
      const lose = (() => {
        destroy(req.socket);
        return res;
      }) as unknown as ServerResponse['end'];
      res.write = lose as unknown as ServerResponse['write'];
      res.end = lose;
      return false;
    }
    if (mode !== OutageMode.Reset) return false;
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
      tooManyRequests(res, this.active!.retryAfterSeconds);
      return true;
    }
    const text = `${JSON.stringify(new ApiError(503, 'ServiceUnavailable', 'apiserver is shutting down').toStatus())}\n`;
    res.writeHead(503, { 'Retry-After': String(this.active!.retryAfterSeconds), 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  }

  /**
   * The `queued` mode, after authentication: resolves true when the request is to be served (at
   * once, or when the outage ends), false when it must not be: its client gave up while it waited
   * (nothing is sent), or it waited QUEUE_WAIT_LIMIT_MS (answered 429).
   */
  admits(req: IncomingMessage, res: ServerResponse, user: UserInfo | undefined, what: string): Promise<boolean> | true {
    if (this.active?.mode !== OutageMode.Queued || isLongRunning(req) || user?.groups.includes(Identity.Masters)) return true;
    const retryAfterSeconds = this.active.retryAfterSeconds;
    this.target.queued(what);
    return new Promise((resolve) => {
      const leave = (outcome: 'served' | 'withdrawn' | 'rejected') => {
        this.waiting.delete(release);
        res.off('close', gone);
        clearTimeout(limit);
        this.target.dequeued(what, outcome);
        resolve(outcome === 'served');
      };
      const release = () => leave('served');
      const gone = () => leave('withdrawn');
      const limit = setTimeout(() => {
        leave('rejected');
        tooManyRequests(res, retryAfterSeconds);
      }, QUEUE_WAIT_LIMIT_MS);
      this.waiting.add(release);
      res.once('close', gone);
    });
  }

  /** Ends any outage at once and cancels a scheduled one (the server is closing). */
  close(): void {
    this.closed = true;
    this.armed = undefined;
    if (this.active) clearTimeout(this.active.timer);
    this.active = undefined;
    this.releaseQueue();
  }

  /** Serves every request waiting in the queue (the `queued` outage is over). */
  private releaseQueue(): void {
    for (const release of [...this.waiting]) release();
  }

  private start(durationMs: number, mode: OutageMode, retryAfterSeconds: number): void {
    if (this.closed) return;
    if (this.active) {
      clearTimeout(this.active.timer);
      if (this.active.mode === OutageMode.Refuse && mode !== OutageMode.Refuse) void this.resume();
      if (mode !== OutageMode.Queued) this.releaseQueue();
    }
    const wasRefusing = this.active?.mode === OutageMode.Refuse;
    this.active = { mode, timer: setTimeout(() => this.end(), durationMs), retryAfterSeconds };
    this.logger?.info({ mode, durationMs }, 'sandbox: API outage starts');
    if (mode === OutageMode.Reset) this.target.dropConnections();
    else if (mode === OutageMode.Refuse && !wasRefusing) this.target.stopListening();
  }

  private end(): void {
    const mode = this.active?.mode;
    this.active = undefined;
    this.logger?.info({ mode }, 'sandbox: API outage ends');
    this.releaseQueue();
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
