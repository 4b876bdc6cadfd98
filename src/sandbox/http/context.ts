import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ApiAuth, UserInfo } from '../auth/index.js';
import { ApiError } from '../api-error.js';
import { resourceKey } from '../resources.js';
import type { Store } from '../store.js';
import type { ResourceRoute } from './route.js';

/** Everything a resource handler needs for one request. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  route: ResourceRoute;
  /** Store key of the route's resource (`pods`, `apps/deployments`). */
  key: string;
  store: Store;
  now: () => number;
  logger?: Logger;
  /** Called for each open watch so the server can end them on close. */
  trackWatch: (end: () => void) => () => void;
  bookmarkIntervalMs: number;
  /** Watches without timeoutSeconds end after a random time in [this, 2x this) seconds; 0 never. */
  minRequestTimeoutSeconds: number;
  /** Authentication and authorization, when the server has them (the sandbox always does). */
  auth?: ApiAuth;
  /** Who is asking (after impersonation), when the server authenticates. */
  user?: UserInfo;
  /** Called when an Eviction is accepted (not on dry runs), with the pod. */
  evicted?: (pod: { namespace: string; name: string; uid: string; node: string }) => void;
}

export function contextKey(route: ResourceRoute): string {
  return resourceKey(route.type);
}

/** `?dryRun=All` (the only value the API accepts); anything else is a 400 as on a real server. */
export function isDryRun(url: URL, fromBody?: string[]): boolean {
  return dryRunOf([...url.searchParams.getAll('dryRun'), ...(fromBody ?? [])]);
}

/** Whether dryRun values ask for a dry run; 400 for any value but `All`. */
export function dryRunOf(values: readonly string[]): boolean {
  for (const v of values) {
    if (v !== 'All') throw new ApiError(400, 'BadRequest', `dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return values.length > 0;
}

/** The namespace must exist before anything is created in it. */
export function requireNamespace(store: Store, namespace: string): void {
  if (!store.get('namespaces', undefined, namespace)) throw ApiError.notFound('namespaces', namespace);
}
