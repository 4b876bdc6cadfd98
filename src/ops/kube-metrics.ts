import clientNodePackage from '@kubernetes/client-node/package.json' with { type: 'json' };
import {
  createConfiguration,
  IsomorphicFetchHttpLibrary,
  Observable,
  ServerConfiguration,
  setHeaderMiddleware,
  type ApiConstructor,
  type ApiType,
  type HttpLibrary,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { kubeRequestOf } from './kube-request.js';
import type { KubeCall } from './metrics.js';

/**
 * The HTTP layer of client-node's generated API clients, timing and counting every request
 * before handing it to the library's own fetch. Errors pass through unchanged.
 */
export class CountingHttpLibrary implements HttpLibrary {
  constructor(
    private readonly observe: (call: KubeCall) => void,
    private readonly inner: HttpLibrary = new IsomorphicFetchHttpLibrary(),
  ) {}

  send(request: RequestContext): Observable<ResponseContext> {
    const started = performance.now();
    const { verb, group, resource } = kubeRequestOf(String(request.getHttpMethod()), request.getUrl());
    const seconds = () => (performance.now() - started) / 1000;
    const result = this.inner
      .send(request)
      .toPromise()
      .then(
        (response) => {
          this.observe({ verb, group, resource, code: String(response.httpStatusCode), seconds: seconds() });
          return response;
        },
        (err: unknown) => {
          this.observe({ verb, group, resource, code: 'network', seconds: seconds() });
          throw err;
        },
      );
    return new Observable(result);
  }
}

/** The User-Agent client-node 2's own `makeApiClient` sends, so API server audit logs read the same with metrics on. */
const USER_AGENT = `kubernetes-client-javascript/${clientNodePackage.version}`;

/**
 * Makes every API client this KubeConfig creates from now on report its requests to `observe`.
 *
 * client-node has no option on `makeApiClient` for an HTTP library, so this replaces
 * `makeApiClient` on this one instance with the same construction (server from the current
 * cluster, the KubeConfig as authentication, its User-Agent) plus a counting HTTP library. Callers keep
 * using `createKubeClients` unchanged. Watches (`new Watch(kc)`) fetch on their own and are not
 * counted: they are long-lived streams, not calls.
 */
export function instrumentKubeConfig(kc: KubeConfig, observe: (call: KubeCall) => void): KubeConfig {
  const httpApi = new CountingHttpLibrary(observe);
  kc.makeApiClient = <T extends ApiType>(apiClientType: ApiConstructor<T>): T => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    const config = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      httpApi,
      middleware: [setHeaderMiddleware('User-Agent', USER_AGENT)],
    });
    return new apiClientType(config);
  };
  return kc;
}
