import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/backoff.js';
import { API_RETRY_BACKOFF } from '../../src/k8s/api-retry.js';
import { retryVerdict } from '../../src/k8s/transient-failure.js';

/** Errors as undici and Node raise them: a TypeError('fetch failed') whose cause carries the code. */
const fetchFailed = (code: string, message: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
const PODS = '/api/v1/namespaces/shop/pods';
const EVICTION = '/api/v1/namespaces/shop/pods/web-1/eviction';
const budgetRefusal = JSON.stringify({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: "Cannot evict pod as it would violate the pod's disruption budget.", reason: 'TooManyRequests',
  details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }] }, code: 429,
});

describe('which Kubernetes API failures are retried (client-go rest/request.go, with_retry.go checkWait)', () => {
  it.each([
    ['connection reset', fetchFailed('ECONNRESET', 'read ECONNRESET')],
    ['connection refused', fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6443')],
    ['EOF: the other side closed', fetchFailed('UND_ERR_SOCKET', 'other side closed')],
    ['socket hang up', new Error('request to https://10.0.0.1:6443/api/v1/pods failed, reason: socket hang up')],
    ['connect timeout', fetchFailed('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error')],
    ['headers timeout', fetchFailed('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error')],
    ['an attempt that got no answer in time', Object.assign(new Error('no answer from the API server within 30000 ms'), { code: 'ETIMEDOUT' })],
  ])('retries a call that got no answer: %s', (_what, error) => {
    expect(retryVerdict(PODS, { error })).toMatchObject({ retry: true });
    // Writes too: sitrep's are idempotent (UID preconditions, absolute patches).
    expect(retryVerdict(EVICTION, { error })).toMatchObject({ retry: true });
  });

  it.each([
    ['a name that does not resolve', fetchFailed('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example')],
    ['an expired certificate', fetchFailed('CERT_HAS_EXPIRED', 'certificate has expired')],
    ["the caller's own abort", new DOMException('This operation was aborted', 'AbortError')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'metadata')")],
  ])('does not retry what will not pass by itself: %s', (_what, error) => {
    expect(retryVerdict(PODS, { error })).toEqual({ retry: false });
  });

  it('retries 429 and 500 only with Retry-After, waiting what it says; 502, 503 and 504 always', () => {
    expect(retryVerdict(PODS, { status: 429, retryAfter: '1', body: 'Too many requests, please try again later.\n' })).toEqual({ retry: true, reason: 'HTTP 429', afterMs: 1000 });
    expect(retryVerdict(PODS, { status: 429, body: 'Too many requests' })).toEqual({ retry: false });
    expect(retryVerdict(PODS, { status: 503, retryAfter: '2' })).toEqual({ retry: true, reason: 'HTTP 503', afterMs: 2000 });
    expect(retryVerdict(PODS, { status: 503 })).toEqual({ retry: true, reason: 'HTTP 503' });
    expect(retryVerdict(PODS, { status: 504 })).toMatchObject({ retry: true });
    expect(retryVerdict(PODS, { status: 502 })).toMatchObject({ retry: true });
    expect(retryVerdict(PODS, { status: 500, retryAfter: '1' })).toMatchObject({ retry: true, afterMs: 1000 });
    // The eviction subresource's "more than one PodDisruptionBudget" is a bare 500: a real error.
    expect(retryVerdict(EVICTION, { status: 500, body: '{"kind":"Status","code":500}' })).toEqual({ retry: false });
  });

  it('never retries answers that are final: 4xx, and an Eviction refused by a PodDisruptionBudget (the drain waits that out)', () => {
    for (const status of [400, 401, 403, 404, 409, 410, 422]) expect(retryVerdict(PODS, { status })).toEqual({ retry: false });
    expect(retryVerdict(EVICTION, { status: 429, body: budgetRefusal })).toEqual({ retry: false });
    // "Still being processed" carries Retry-After: 10, and is still the budget's answer.
    expect(retryVerdict(EVICTION, { status: 429, retryAfter: '10', body: budgetRefusal })).toEqual({ retry: false });
    // An Eviction turned away by max-in-flight is not the budget: retried like any call.
    expect(retryVerdict(EVICTION, { status: 429, retryAfter: '1', body: 'Too many requests, please try again later.\n' })).toMatchObject({ retry: true, afterMs: 1000 });
  });

  it('backs off 250 ms doubling to a 4 s cap, each wait lengthened by up to half at random (wait.Backoff with Jitter 0.5)', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffDelay(API_RETRY_BACKOFF, n, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
    expect(backoffDelay(API_RETRY_BACKOFF, 0, () => 0.999)).toBe(375);
    expect(backoffDelay(API_RETRY_BACKOFF, 8, () => 0.999)).toBe(5998);
  });
});
