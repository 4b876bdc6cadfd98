import { createHash } from 'node:crypto';
import { ApiError } from '../api-error.js';
import type { KObject } from '../store.js';
import type { RequestContext } from './context.js';
import { sendText } from './respond.js';

const MESSAGES = [
  'GET /healthz 200 0.4ms',
  'GET /api/orders 200 12.1ms',
  'POST /api/orders 201 31.7ms',
  'cache refresh finished in 84ms (412 keys)',
  'GET /api/users/42 200 5.3ms',
  'connection pool: 8 active, 2 idle',
  'GET /metrics 200 1.9ms',
  'worker heartbeat ok',
  'GET /api/orders?page=2 200 14.0ms',
  'slow query: SELECT * FROM orders WHERE status = $1 (212ms)',
];

/**
 * Deterministic fake log lines for one container: the same pod, container and generation always
 * give the same lines, so tests and demos can assert on them.
 */
function fakeLines(pod: KObject, container: string, previous: boolean): string[] {
  const seed = createHash('sha256').update(`${pod.metadata.namespace}/${pod.metadata.name}/${container}/${previous ? 'previous' : 'current'}`).digest();
  const started = Date.parse(pod.status?.startTime ?? pod.metadata.creationTimestamp ?? '2025-01-01T00:00:00Z');
  const lines: string[] = [`${new Date(started).toISOString()} INFO starting ${container} (pod ${pod.metadata.name})`];
  let t = started;
  for (let i = 0; i < 20; i++) {
    t += 1000 + seed[i % seed.length] * 37;
    const level = seed[(i + 7) % seed.length] % 17 === 0 ? 'WARN' : 'INFO';
    lines.push(`${new Date(t).toISOString()} ${level} ${MESSAGES[seed[i % seed.length] % MESSAGES.length]}`);
  }
  if (previous) lines.push(`${new Date(t + 500).toISOString()} ERROR fatal: out of memory, exiting`);
  return lines;
}

/** GET pods/{name}/log: plain text, `container`, `tailLines`, `previous`, `timestamps`; `follow` returns what there is. */
export function handlePodLog(ctx: RequestContext): void {
  const { store, route, url } = ctx;
  const pod = store.mustGet('pods', route.namespace, route.name!);
  const q = url.searchParams;
  const names: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const initNames: string[] = (pod.spec?.initContainers ?? []).map((c: { name: string }) => c.name);
  let container = q.get('container') ?? '';
  if (!container) {
    const defaulted = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (names.length === 1) container = names[0];
    else if (defaulted && names.includes(defaulted)) container = defaulted;
    else throw ApiError.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]${initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : ''}`);
  }
  if (!names.includes(container) && !initNames.includes(container)) {
    throw ApiError.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  }
  const previous = q.get('previous') === 'true';
  const status = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s: { name?: string }) => s.name === container) as
    | { restartCount?: number; state?: { waiting?: { reason?: string } } }
    | undefined;
  if (previous && !(status?.restartCount ?? 0)) {
    throw ApiError.badRequest(`previous terminated container "${container}" in pod "${pod.metadata.name}" not found`);
  }
  if (!previous && (!status || status.state?.waiting)) {
    const reason = status?.state?.waiting?.reason ?? 'ContainerCreating';
    throw ApiError.badRequest(`container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`);
  }
  let lines = fakeLines(pod, container, previous);
  const tail = q.get('tailLines');
  if (tail !== null && /^\d+$/.test(tail)) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
  // The kubelet's own RFC 3339 nano timestamp in front of what the app printed.
  if (q.get('timestamps') === 'true') lines = lines.map((l) => `${l.slice(0, l.indexOf(' ')).replace(/Z$/, '000000Z')} ${l}`);
  sendText(ctx.res, 200, lines.map((l) => `${l}\n`).join(''));
}
