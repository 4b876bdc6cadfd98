import { ApiError } from '../api-error.js';
import { apiVersionOf } from '../resources.js';
import type { KObject, StoreEvent } from '../store.js';
import type { RequestContext } from './context.js';
import { representation, sendList, type ListMeta } from './negotiate.js';
import { objectMatcher, type ObjectMatcher } from './selectors.js';
import { toTable } from './table.js';

function objectId(o: KObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** A continue token as apiserver/pkg/storage EncodeContinue makes it: the list's resourceVersion and the last key. */
interface ContinueToken {
  /** -1: continue at the latest state (what an expired token's 410 hands back). */
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (v.v !== 'meta.k8s.io/v1' || typeof v.start !== 'string') throw new Error('bad token');
    if (v.rv === 0 || typeof v.rv !== 'number') throw new Error('bad rv');
    return { rv: v.rv, start: v.start };
  } catch {
    throw ApiError.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/**
 * The page after a continue token, from the same snapshot as the first page (etcd serves it at
 * the token's revision). Once compaction has passed that revision the token is expired: 410 with
 * etcd3/errors.go's inconsistentContinue message and a token that continues at the latest state.
 */
function continuedItems(ctx: RequestContext, token: ContinueToken): readonly KObject[] {
  if (token.rv === -1) return ctx.store.peek(ctx.key, ctx.route.namespace).items;
  try {
    return ctx.store.listAt(ctx.key, ctx.route.namespace, token.rv);
  } catch (err) {
    if (err instanceof ApiError && err.code === 410) {
      err.listMeta = { continue: encodeContinue({ rv: -1, start: token.start }) };
    }
    throw err;
  }
}

function matcherOf(ctx: RequestContext): ObjectMatcher | undefined {
  const q = ctx.url.searchParams;
  return objectMatcher(q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined, ctx.key);
}

/** GET on a collection: selectors first, then limit/continue paging, then the representation. */
export function handleList(ctx: RequestContext): void {
  const q = ctx.url.searchParams;
  const matcher = matcherOf(ctx);
  // Parse Accept up front so a 406 comes before any work.
  representation(ctx.req.headers, ctx.url);
  // peek: the stored objects themselves; this path only serialises them (copying 2,000 pods would
  // cost more than the whole request).
  const cont = q.get('continue');
  const token = cont ? decodeContinue(cont) : undefined;
  const current = ctx.store.peek(ctx.key, ctx.route.namespace);
  const all = token ? continuedItems(ctx, token) : current.items;
  // The snapshot's resourceVersion stays the list's for every page of it.
  const resourceVersion = token && token.rv !== -1 ? String(token.rv) : current.resourceVersion;
  let items = matcher ? all.filter(matcher) : all.slice();
  if (token) {
    // Byte order of namespace/name, the order peek() returns (and etcd keys sort in).
    const from = items.findIndex((o) => objectId(o) > token.start);
    items = from < 0 ? [] : items.slice(from);
  }
  const limit = Number(q.get('limit') ?? 0);
  const meta: ListMeta = { resourceVersion };
  if (Number.isFinite(limit) && limit > 0 && items.length > limit) {
    const remaining = items.length - limit;
    items = items.slice(0, limit);
    meta.continue = encodeContinue({ rv: token?.rv === -1 ? -1 : Number(resourceVersion), start: objectId(items[items.length - 1]) });
    meta.remainingItemCount = remaining;
  }
  sendList(ctx, items, meta);
}

/**
 * A watch stream: newline-delimited JSON events over a chunked response. Selector changes are
 * turned into ADDED/DELETED as the watch cache does; a too-old resourceVersion becomes an ERROR
 * event carrying a 410 Expired Status, as the real server sends it for watches.
 */
export function handleWatch(ctx: RequestContext): void {
  const { req, res, url, store, key, route } = ctx;
  const q = url.searchParams;
  const matcher = matcherOf(ctx);
  const rep = representation(req.headers, url);
  const rvParam = q.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw ApiError.badRequest(`resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
  // handlers/get.go handleWatch: no timeoutSeconds means a random one in [minRequestTimeout, 2x).
  let timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
  if (!(timeoutSeconds > 0) && ctx.minRequestTimeoutSeconds > 0) timeoutSeconds = ctx.minRequestTimeoutSeconds * (1 + Math.random());
  const bookmarks = q.get('allowWatchBookmarks') === 'true' || q.get('allowWatchBookmarks') === '1';
  const sendInitialEvents = q.get('sendInitialEvents') === 'true';
  const apiVersion = apiVersionOf(route.type);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let firstTable = true;
  const render = (o: KObject): unknown => {
    if (rep.as === 'Table') {
      const t = toTable(key, [o], { includeObject: rep.includeObject, now: ctx.now(), version: rep.version, omitColumns: !firstTable, listMeta: { resourceVersion: o.metadata.resourceVersion } });
      firstTable = false;
      return t;
    }
    if (rep.as === 'PartialObjectMetadata') return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${rep.version}`, metadata: o.metadata };
    return o;
  };
  let ended = false;
  const write = (type: string, object: unknown) => {
    if (!ended) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>) => {
    write('BOOKMARK', { kind: route.type.kind, apiVersion, metadata: { resourceVersion: store.resourceVersion, ...(annotations ? { annotations } : {}) } });
  };

  const cleanups: (() => void)[] = [];
  const end = () => {
    if (ended) return;
    ended = true;
    for (const c of cleanups) c();
    res.end();
  };
  cleanups.push(ctx.trackWatch(end));
  res.on('close', end);
  req.on('close', () => { if (!res.writableFinished) end(); });

  const onEvent = (e: StoreEvent) => {
    if (ended) return;
    if (!matcher) {
      write(e.type, render(e.object));
      return;
    }
    const now = matcher(e.object);
    const before = e.previous !== undefined && matcher(e.previous);
    if (e.type === 'ADDED') { if (now) write('ADDED', render(e.object)); }
    else if (e.type === 'DELETED') { if (now || before) write('DELETED', render(e.object)); }
    else if (now && before) write('MODIFIED', render(e.object));
    else if (now) write('ADDED', render(e.object));
    else if (before) write('DELETED', render(e.object));
  };

  let fromRv: number;
  if (rvParam === '' || rvParam === '0' || sendInitialEvents) {
    // "Start at most recent": synthetic ADDED events for what exists now, then changes.
    const { items, resourceVersion } = store.peek(key, route.namespace);
    for (const o of items) if (!matcher || matcher(o)) write('ADDED', render(o));
    fromRv = Number(resourceVersion);
    if (sendInitialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    fromRv = Number(rvParam);
  }
  try {
    cleanups.push(store.watch(key, route.namespace, fromRv, onEvent));
  } catch (err) {
    if (err instanceof ApiError) {
      write('ERROR', err.toStatus());
      end();
      return;
    }
    throw err;
  }
  if (bookmarks) {
    const timer = setInterval(() => bookmark(), ctx.bookmarkIntervalMs);
    timer.unref();
    cleanups.push(() => clearInterval(timer));
  }
  if (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0) {
    const timer = setTimeout(() => {
      // The real server sends a last bookmark before it ends a watch on timeout, so informers resume cheaply.
      if (bookmarks) bookmark();
      end();
    }, timeoutSeconds * 1000);
    timer.unref();
    cleanups.push(() => clearTimeout(timer));
  }
}
