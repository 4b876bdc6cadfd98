import type { IncomingMessage } from 'node:http';
import type { Store } from '../store.js';
import { seedBootstrapPolicy } from './bootstrap-policy.js';
import { impersonate } from './impersonation.js';
import { RbacAuthorizer, type Decision } from './rbac-authorizer.js';
import type { RequestAttributes } from './request-attributes.js';
import { forbidden, unauthorized } from './responses.js';
import { TokenAuthenticator } from './token-authenticator.js';
import { ANONYMOUS, Identity, type UserInfo } from './user-info.js';

const INSECURE_SUPERUSER: UserInfo = { name: 'system:unsecured', groups: [Identity.Masters, Identity.AllAuthenticated] };

export { forbidden, unauthorized } from './responses.js';
export { pathAttributes, resourceAttributes, type RequestAttributes } from './request-attributes.js';
export type { Decision } from './rbac-authorizer.js';
export type { UserInfo } from './user-info.js';
export { ANONYMOUS, serviceAccountUsername } from './user-info.js';

/**
 * Authentication and authorization in front of every request, in the real filter order:
 * authentication (bearer tokens; no credentials is system:anonymous; a bad token is 401),
 * impersonation, then the RBAC authorizer over the Roles and bindings stored in the cluster.
 */
export class ApiAuth {
  readonly tokens: TokenAuthenticator;
  readonly authorizer: RbacAuthorizer;

  /**
   * `insecurePort`: requests without credentials are system:unsecured in system:masters, as on
   * the insecure port kube-apiserver served before 1.20 (pkg/kubeapiserver/server/insecure_handler.go).
   */
  constructor(store: Store, private readonly options: { insecurePort?: boolean } = {}) {
    this.tokens = new TokenAuthenticator((ns, name) => store.get('serviceaccounts', ns, name));
    this.authorizer = new RbacAuthorizer(store);
    seedBootstrapPolicy(store);
  }

  /** The requesting user (after impersonation); throws the 401 or 403 to answer with. */
  authenticate(req: IncomingMessage): UserInfo {
    const header = req.headers.authorization;
    let user: UserInfo;
    if (!header) {
      user = this.options.insecurePort ? INSECURE_SUPERUSER : ANONYMOUS;
    } else {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const found = m ? this.tokens.authenticate(m[1]) : undefined;
      if (!found) throw unauthorized();
      user = found;
    }
    return impersonate(req.headers, user, this.authorizer);
  }

  authorize(a: RequestAttributes): Decision {
    return this.authorizer.authorize(a);
  }

  /** authorize, throwing the 403 the filter answers with when the request is not allowed. */
  require(a: RequestAttributes): void {
    const d = this.authorize(a);
    if (!d.allowed) throw forbidden(a, d.reason);
  }
}
