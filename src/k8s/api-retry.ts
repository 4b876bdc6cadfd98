import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable, ResponseContext, type ApiConstructor, type ApiType, type Configuration, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import { retryVerdict, type AttemptOutcome } from './transient-failure.js';

/** What sitrep's Kubernetes API retries wait: 250 ms, 500 ms, 1 s, 2 s, then 4 s, each plus up to half again. */
export const API_RETRY_BACKOFF: BackoffPolicy = { initialMs: 250, factor: 2, jitter: 0.5, capMs: 4000 };

/**
 * How long the calls made inside `withApiRetries` keep retrying. Outside any scope, a call gives
 * up after the client's `maxRetries` retries.
 */
export interface ApiRetryScope {
  /** Stop retrying when this aborts (a job's signal, a drain's deadline); then the last failure stands. */
  until?: AbortSignal;
  /** Retries of one call; `Infinity` retries until `until` aborts.
   * @defaultValue the client's maxRetries (5) */
  maxRetries?: number;
  /** Longest one attempt may wait for its answer, ms; one that takes longer is abandoned and retried as a timeout.
   * @defaultValue no limit but the call's own signal */
  attemptTimeoutMs?: number;
}

const scopes = new AsyncLocalStorage<ApiRetryScope>();

/** Retries of one call where neither its scope nor its client says otherwise. */
export const DEFAULT_MAX_RETRIES = 5;

/**
 * Runs `fn` with its Kubernetes API calls retried under `scope` (it reaches the calls through
 * the async context, so no call site needs a new parameter).
 */
export function withApiRetries<T>(scope: ApiRetryScope, fn: () => Promise<T>): Promise<T> {
  return scopes.run(scope, fn);
}

export interface ApiRetryOptions {
  /** Each retry is logged here at warn, with the method and API path (never the host). */
  logger?: Logger;
  /** Also the longest `Retry-After` waited (its `capMs`).
   * @defaultValue API_RETRY_BACKOFF (250 ms doubling to 4 s, plus up to 50% jitter) */
  backoff?: BackoffPolicy;
  /** Retries of one call where its scope does not say. client-go makes 10; 5 (7.75-11.6 s of
   * backoff, about 5 s where the server asks for `Retry-After: 1`) outlives a blip and still tells
   * the person waiting on a read that the cluster is down within seconds.
   * @defaultValue DEFAULT_MAX_RETRIES (5) */
  maxRetries?: number;
}

/** Resolves after `ms`, or early (false) when any signal aborts. */
function pause(ms: number, signals: readonly (AbortSignal | undefined)[]): Promise<boolean> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  if (live.some((s) => s.aborted)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      for (const s of live) s.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    for (const s of live) s.addEventListener('abort', onAbort, { once: true });
  });
}

/** An answer whose body was read to judge it, handed on with the same body. */
function replay(response: ResponseContext, text: string): ResponseContext {
  return new ResponseContext(response.httpStatusCode, response.headers, {
    text: () => Promise.resolve(text),
    binary: () => Promise.resolve(Buffer.from(text)),
    stream: () => new Response(text).body,
  });
}

/**
 * client-node's HTTP layer with client-go's retries of transient failures (transient-failure.ts
 * says which): waits `Retry-After` when the server names it (at most the backoff's `capMs`, 4 s by
 * default, where client-go would wait it out), else the backoff; never retries once
 * the call's own AbortSignal fired; logs each retry. Every attempt goes through `inner`, so the
 * metrics count each one.
 */
export class RetryingHttpLibrary implements HttpLibrary {
  constructor(
    private readonly inner: HttpLibrary,
    private readonly options: ApiRetryOptions = {},
  ) {}

  send(request: RequestContext): Observable<ResponseContext> {
    return new Observable(this.sendWithRetries(request));
  }

  private async sendWithRetries(request: RequestContext): Promise<ResponseContext> {
    const scope = scopes.getStore() ?? {};
    const signal = request.getSignal();
    const method = String(request.getHttpMethod());
    const path = new URL(request.getUrl()).pathname;
    const maxRetries = scope.maxRetries ?? this.options.maxRetries ?? DEFAULT_MAX_RETRIES;
    for (let retry = 0; ; retry++) {
      const { response, error } = await this.attempt(request, signal, scope.attemptTimeoutMs);
      if (signal?.aborted) return settle(response, error);
      let outcome: AttemptOutcome;
      let answer = response;
      if (response) {
        const status = response.httpStatusCode;
        const body = status === 429 || status >= 500 ? await response.body.text().catch(() => '') : undefined;
        if (body !== undefined) answer = replay(response, body);
        outcome = { status, ...(response.headers['retry-after'] !== undefined ? { retryAfter: response.headers['retry-after'] } : {}), ...(body !== undefined ? { body } : {}) };
      } else {
        outcome = { error };
      }
      const verdict = retryVerdict(path, outcome);
      if (!verdict.retry || retry >= maxRetries || scope.until?.aborted) return settle(answer, error);
      const policy = this.options.backoff ?? API_RETRY_BACKOFF;
      // A Retry-After is honoured up to the backoff's longest wait: an overloaded server asking for
      // an hour must not hold a read (or a plan a person waits on) for an hour per retry; the call
      // still ends after its retries or at its scope's deadline.
      const waitMs = verdict.afterMs !== undefined ? Math.min(verdict.afterMs, policy.capMs) : backoffDelay(policy, retry);
      this.options.logger?.warn({ method, path, retry: retry + 1, reason: verdict.reason, waitMs }, `Kubernetes API ${method} ${path} failed (${verdict.reason}); retrying in ${waitMs} ms`);
      if (!(await pause(waitMs, [signal, scope.until]))) return settle(answer, error);
    }
  }

  /** One attempt, abandoned after `timeoutMs` if set (then failing with code ETIMEDOUT, which is retried). */
  private async attempt(request: RequestContext, signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<{ response?: ResponseContext; error?: unknown }> {
    const timer = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
    if (timer) request.setSignal(signal ? AbortSignal.any([signal, timer]) : timer);
    try {
      return { response: await this.inner.send(request).toPromise() };
    } catch (error) {
      if (timer?.aborted && !signal?.aborted) {
        return { error: Object.assign(new Error(`no answer from the API server within ${timeoutMs} ms`), { code: 'ETIMEDOUT', cause: error }) };
      }
      return { error };
    } finally {
      if (timer && signal) request.setSignal(signal);
    }
  }
}

function settle(response: ResponseContext | undefined, error: unknown): ResponseContext {
  if (response) return response;
  throw error;
}

/**
 * An API client type whose instances send through RetryingHttpLibrary around whatever HTTP layer
 * `makeApiClient` gives them (client-node's fetch, or the metrics' counting one), so a KubeConfig
 * whose `makeApiClient` was replaced (src/ops/kube-metrics.ts) keeps its layer under the retries.
 */
export function retryingApi<T extends ApiType>(Api: ApiConstructor<T>, options: ApiRetryOptions): ApiConstructor<T> {
  // A plain function called with `new` that returns an object yields that object; a subclass of a
  // generic constructor type is not expressible in TypeScript, hence the cast.
  function RetryingApi(config: Configuration): T {
    return new Api({ ...config, httpApi: new RetryingHttpLibrary(config.httpApi, options) });
  }
  return RetryingApi as unknown as ApiConstructor<T>;
}
