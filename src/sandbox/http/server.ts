import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from 'pino';
import { ApiError } from '../api-error.js';
import { pathAttributes, resourceAttributes, type ApiAuth, type RequestAttributes, type UserInfo } from '../auth/index.js';
import { resourceKey } from '../resources.js';
import type { Store } from '../store.js';
import type { RequestContext } from './context.js';
import { handleDelete } from './delete.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js';
import { ApiOutage, outageOptions, type ApiOutageOptions } from './api-outage.js';
import { handleEviction } from './eviction.js';
import { EvictionLog, type AcceptedEviction } from './eviction-log.js';
import { handleList, handleWatch } from './list-watch.js';
import { handleCreate, handleGet, handlePatch, handleUpdate } from './object-handlers.js';
import { handlePodLog } from './pod-log.js';
import { kubeVerb, RequestCounter, type RequestCounts } from './request-counter.js';
import { sendError, sendJson, sendText } from './respond.js';
import { handleReview } from './reviews.js';
import { parseRoute, type ResourceRoute, type Route } from './route.js';
import { handleScale } from './scale.js';
import { openApiV3Doc, openApiV3Root } from './openapi.js';

export interface ApiServerOptions {
  store: Store;
  /** The sandbox clock (ages in tables, deletion timestamps).
   * @defaultValue Date.now */
  now?: () => number;
  logger?: Logger;
  /** How often watches with allowWatchBookmarks get a BOOKMARK event.
   * @defaultValue 10000 */
  bookmarkIntervalMs?: number;
  /**
   * What POST /debug/sandbox/nodes/{name}/{reboot|down|up} does (cluster-admin only, as any
   * non-resource path `*` covers). Without it those paths are 404.
   * @defaultValue none */
  admin?: {
    /** `downMs` real milliseconds; undefined: the sandbox's default. */
    rebootNode(node: string, downMs?: number): void;
    setNodeDown(node: string): void;
    setNodeUp(node: string): void;
  };
  /** Serve https with this certificate and key (PEM) instead of plain http.
   * @defaultValue plain http */
  tls?: { cert: string; key: string };
  /**
   * Authentication (bearer tokens, anonymous) and RBAC authorization for every request. Without
   * it every request is allowed, as with --authorization-mode=AlwaysAllow.
   * @defaultValue none */
  auth?: ApiAuth;
  /**
   * kube-apiserver's --min-request-timeout: a watch without timeoutSeconds is closed by the
   * server after a random time between this and twice this many seconds (real time); 0 never.
   * @defaultValue 1800 */
  minRequestTimeoutSeconds?: number;
}

export interface ApiServer {
  readonly server: Server;
  /** Listens and resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  requests(): RequestCounts;
  resetRequests(): void;
  /** Every eviction accepted so far, oldest first. */
  evictions(): AcceptedEviction[];
  /** Breaks the API for a while, now or after some accepted evictions (api-outage.ts); also `POST /debug/sandbox/faults/outage`. */
  apiOutage(options: ApiOutageOptions): void;
  /** Ends open watches and closes the server and its connections. */
  close(): Promise<void>;
}

const METHOD_NOT_ALLOWED = () => ApiError.methodNotAllowed();

/** The simulated kube-apiserver over Node's http module: routing, discovery, verbs, subresources. */
export function createApiServer(options: ApiServerOptions): ApiServer {
  const { store, logger, auth } = options;
  const now = options.now ?? Date.now;
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 10_000;
  const minRequestTimeoutSeconds = options.minRequestTimeoutSeconds ?? 1800;
  const counter = new RequestCounter();
  const evictions = new EvictionLog();
  const connections = new Map<string, { socket: Socket; openedAt: number; requests: number }>();
  /** The latest moment the client had sent this request: when its connection opened if it is the connection's first, else when it arrived. */
  const sentBy = (req: IncomingMessage, arrived: number): number => {
    const c = connections.get(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    if (!c) return arrived;
    return c.requests++ === 0 ? c.openedAt : arrived;
  };
  const watches = new Set<() => void>();
  /** Sockets carrying a watch stream, which an outage cuts. */
  const watchSockets = new Set<Socket>();
  let serverAddress = '127.0.0.1:0';
  let bound: { port: number; host: string } | undefined;

  const trackWatch = (end: () => void) => {
    watches.add(end);
    return () => { watches.delete(end); };
  };

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const route = parseRoute(url.pathname);
    const method = req.method ?? 'GET';
    const user = auth?.authenticate(req);
    if (outage.answers(req, res, user)) return;
    const admitted = outage.admits(req, res, user, route.kind === 'resource' ? requestKind(route, method, url) : url.pathname);
    if (admitted !== true && !(await admitted)) return;
    if (auth && user) auth.require(attributesOf(user, route, method, url));
    switch (route.kind) {
      case 'health':
        counter.other();
        return sendText(res, 200, 'ok');
      case 'debug-requests':
        counter.other();
        if (method === 'DELETE' || method === 'POST') counter.reset();
        return sendJson(res, 200, counter.snapshot());
      case 'version':
        counter.discovery();
        return sendJson(res, 200, SERVER_VERSION);
      case 'api-versions':
        counter.discovery();
        return sendJson(res, 200, apiVersions(serverAddress));
      case 'api-groups':
        counter.discovery();
        return sendJson(res, 200, apiGroupList());
      case 'api-group':
        counter.discovery();
        return sendJson(res, 200, apiGroup(route.group, route.version));
      case 'resource-list':
        counter.discovery();
        return sendJson(res, 200, apiResourceList(route.group, route.version));
      case 'openapi':
        counter.discovery();
        return pageNotFound(res);
      case 'openapi-v3': {
        counter.discovery();
        const doc = route.path === '' ? openApiV3Root() : openApiV3Doc(route.path);
        return doc ? sendJson(res, 200, doc) : pageNotFound(res);
      }
      case 'sandbox-node':
        counter.other();
        return sandboxNode(res, route.node, route.action, method, url);
      case 'sandbox-fault':
        counter.other();
        return sandboxFault(res, route.fault, method, url);
      case 'page-not-found':
        counter.other();
        return pageNotFound(res);
      case 'unknown-resource':
        counter.other();
        return sendJson(res, 404, {
          kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
          message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404,
        });
      case 'resource':
        return resource(req, res, url, route, method, user);
    }
  }

  function sandboxNode(res: ServerResponse, node: string, action: string, method: string, url: URL): void {
    const admin = options.admin;
    if (!admin || !['reboot', 'down', 'up'].includes(action)) return pageNotFound(res);
    if (method !== 'POST') throw METHOD_NOT_ALLOWED();
    store.mustGet('nodes', undefined, node);
    const down = url.searchParams.get('downMs');
    if (action === 'reboot') admin.rebootNode(node, down !== null && /^\d+$/.test(down) ? Number(down) : undefined);
    else if (action === 'down') admin.setNodeDown(node);
    else admin.setNodeUp(node);
    sendJson(res, 202, { node, action });
  }

  function sandboxFault(res: ServerResponse, fault: string, method: string, url: URL): void {
    if (fault !== 'outage') return pageNotFound(res);
    if (method !== 'POST') throw METHOD_NOT_ALLOWED();
    const q = url.searchParams;
    const o = outageOptions({ durationMs: q.get('durationMs') ?? undefined, afterEvictions: q.get('afterEvictions') ?? undefined, mode: q.get('mode') ?? undefined, retryAfterSeconds: q.get('retryAfterSeconds') ?? undefined });
    // Answered before the outage starts, so the caller hears it was switched on.
    res.once('finish', () => outage.schedule(o));
    sendJson(res, 202, { fault, ...o });
  }

  /** Whether a resource request is a watch: `?watch=true` (or `1`), or the legacy `/watch/` path. */
  function isWatch(route: ResourceRoute, url: URL): boolean {
    const watchParam = url.searchParams.get('watch');
    return route.legacyWatch || watchParam === 'true' || watchParam === '1';
  }

  /**
   * A resource request's Kubernetes verb as its handler serves it (a watch on one object is a
   * watch of its collection) and what it names, `resource[/subresource]`: `create`, `pods/eviction`.
   */
  function verbAndResource(route: ResourceRoute, method: string, url: URL): { watch: boolean; verb: string; resource: string } {
    const watch = isWatch(route, url);
    const named = route.name !== undefined && !(watch && !route.subresource);
    return { watch, verb: kubeVerb(method, named, watch && method === 'GET'), resource: route.subresource ? `${route.type.resource}/${route.subresource}` : route.type.resource };
  }

  /** A resource request's `verb resource[/subresource]`, as the counter names it: `create pods/eviction`. */
  function requestKind(route: ResourceRoute, method: string, url: URL): string {
    const { verb, resource } = verbAndResource(route, method, url);
    return `${verb} ${resource}`;
  }

  /** The authorizer's view of a request: a resource request, or a path. */
  function attributesOf(user: UserInfo, route: Route, method: string, url: URL): RequestAttributes {
    if (route.kind !== 'resource') return pathAttributes(user, method, url.pathname);
    const t = route.type;
    const verb = kubeVerb(method, route.name !== undefined, isWatch(route, url) && method === 'GET');
    return resourceAttributes(user, { verb, group: t.group, version: t.version, resource: t.resource, subresource: route.subresource, namespace: route.namespace, name: route.name, path: url.pathname }, url.searchParams.get('fieldSelector'));
  }

  async function resource(req: IncomingMessage, res: ServerResponse, url: URL, route: ResourceRoute, method: string, user: UserInfo | undefined): Promise<void> {
    const { watch, verb, resource: what } = verbAndResource(route, method, url);
    if (watch && route.name && !route.subresource) {
      // A watch on one object is a collection watch on its name, as the real handler does it.
      url.searchParams.set('fieldSelector', [url.searchParams.get('fieldSelector'), `metadata.name=${route.name}`].filter(Boolean).join(','));
      route = { ...route, name: undefined };
    }
    const t = route.type;
    counter.resource(verb, what);
    if (verb === 'watch') {
      const socket = req.socket;
      watchSockets.add(socket);
      res.once('close', () => watchSockets.delete(socket));
    }
    const sent = sentBy(req, now());
    const evicted = (pod: { namespace: string; name: string; uid: string; node: string }) => {
      evictions.record({ ...pod, at: now(), sentBy: sent });
      // Counted toward a pending outage once the answer is on its way, so the client hears it. The
      // answer was sent just before this call and may be flushed already: then 'finish' has been
      // emitted and would never come (an outage armed after 20 evictions started after 190).
      if (res.writableFinished) outage.evictionAccepted();
      else res.once('finish', () => outage.evictionAccepted());
    };
    const ctx: RequestContext = { req, res, url, route, key: resourceKey(t), store, now, logger, trackWatch, bookmarkIntervalMs, minRequestTimeoutSeconds, evicted, ...(auth ? { auth } : {}), ...(user ? { user } : {}) };

    if (route.subresource) {
      const sub = t.subresources.find((s) => s.name === route.subresource)!;
      if (!sub.verbs.includes(verb)) throw METHOD_NOT_ALLOWED();
      switch (route.subresource) {
        case 'eviction':
          return handleEviction(ctx);
        case 'log':
          return handlePodLog(ctx);
        case 'scale':
          return handleScale(ctx);
        case 'status':
          if (verb === 'get') return handleGet(ctx);
          if (verb === 'update') return handleUpdate(ctx);
          return handlePatch(ctx);
      }
      throw METHOD_NOT_ALLOWED();
    }
    if (!t.verbs.includes(verb)) throw METHOD_NOT_ALLOWED();
    if (t.review) {
      if (verb === 'create' && route.name === undefined) return handleReview(ctx);
      throw METHOD_NOT_ALLOWED();
    }
    if (route.name === undefined) {
      if (verb === 'watch') return handleWatch(ctx);
      if (verb === 'list') return handleList(ctx);
      // Objects of a namespaced kind are created inside their namespace's path only.
      if (verb === 'create' && (!t.namespaced || route.namespace !== undefined)) return handleCreate(ctx);
      throw METHOD_NOT_ALLOWED();
    }
    switch (verb) {
      case 'get':
        return handleGet(ctx);
      case 'update':
        return handleUpdate(ctx);
      case 'patch':
        return handlePatch(ctx);
      case 'delete':
        return handleDelete(ctx);
    }
    throw METHOD_NOT_ALLOWED();
  }

  const handler: RequestListener = (req, res) => {
    if (outage.cutsOff(req, res)) return;
    const started = performance.now();
    dispatch(req, res)
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.end();
          return;
        }
        if (err instanceof ApiError) return sendError(res, err);
        logger?.error({ err, method: req.method, url: req.url }, 'sandbox API: handler failed');
        sendError(res, ApiError.internal(`Internal error occurred: ${(err as Error)?.message ?? String(err)}`));
      })
      .catch(() => res.destroy())
      .finally(() => {
        logger?.debug({ method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'sandbox API request');
      });
  };
  const server: Server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createServer(handler);
  // Every TCP connection from the moment it is accepted, keyed by the client's address and port
  // (the same on the TLS socket over it), with when it was opened: a request a client sends on a
  // new connection was on its way by then. Also what a `refuse` outage destroys: the HTTP server's
  // own list (closeAllConnections) misses one still in its TLS handshake, which then serves
  // keep-alive requests through the outage (the chaos suite saw evictions accepted during one).
  server.on('connection', (socket: Socket) => {
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    connections.set(key, { socket, openedAt: now(), requests: 0 });
    socket.once('close', () => connections.delete(key));
  });
  // Watches stay open for as long as clients want them.
  server.requestTimeout = 0;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  const listenOn = (port: number, host: string) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const outage = new ApiOutage(
    {
      dropConnections() {
        for (const s of [...watchSockets]) s.destroy();
        server.closeIdleConnections();
      },
      stopListening() {
        server.close();
        server.closeAllConnections();
        for (const { socket } of [...connections.values()]) socket.destroy();
      },
      async resumeListening() {
        if (bound) await listenOn(bound.port, bound.host);
      },
      queued: (what) => counter.queued(what),
      dequeued: (what, outcome) => counter.dequeued(what, outcome),
    },
    logger,
  );

  return {
    server,
    async listen(port, host) {
      const p = await listenOn(port, host);
      bound = { port: p, host };
      serverAddress = `${host}:${p}`;
      return p;
    },
    requests: () => counter.snapshot(),
    resetRequests: () => counter.reset(),
    evictions: () => evictions.list(),
    apiOutage: (options) => outage.schedule(options),
    close() {
      outage.close();
      for (const end of [...watches]) end();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function pageNotFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end('404 page not found\n');
}
