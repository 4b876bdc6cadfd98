import { randomBytes } from 'node:crypto';
import type { KObject } from '../object.js';
import { serviceAccountGroups, serviceAccountUsername, withAuthenticatedGroup, type UserInfo } from './user-info.js';

/** Looks up a ServiceAccount (the authenticator checks it still exists, as the SA token authenticator does). */
export type ServiceAccountLookup = (namespace: string, name: string) => KObject | undefined;

interface Issued {
  user: UserInfo;
  /** For service account tokens: the account (and its UID) the token is bound to. */
  serviceAccount?: { namespace: string; name: string; uid?: string };
}

/**
 * Bearer tokens, as a static token file (--token-auth-file) and bound service account tokens
 * (pkg/serviceaccount) authenticate them: an unknown token, or one whose ServiceAccount was
 * deleted (or recreated with another UID), does not authenticate, which the API answers with 401.
 * Tokens are opaque random strings; the sandbox does not sign JWTs.
 */
export class TokenAuthenticator {
  private readonly tokens = new Map<string, Issued>();

  constructor(private readonly serviceAccounts: ServiceAccountLookup) {}

  /** A new token for a user. Groups as given, plus system:authenticated. */
  issue(user: UserInfo, token = newToken()): string {
    this.tokens.set(token, { user: withAuthenticatedGroup(user) });
    return token;
  }

  /** A new token bound to an existing ServiceAccount. */
  issueForServiceAccount(sa: KObject, token = newToken()): string {
    const namespace = sa.metadata.namespace!;
    const name = sa.metadata.name;
    this.tokens.set(token, {
      user: withAuthenticatedGroup({ name: serviceAccountUsername(namespace, name), uid: sa.metadata.uid, groups: serviceAccountGroups(namespace) }),
      serviceAccount: { namespace, name, uid: sa.metadata.uid },
    });
    return token;
  }

  /** The user a bearer token stands for, or undefined when it does not authenticate. */
  authenticate(token: string): UserInfo | undefined {
    const issued = this.tokens.get(token);
    if (!issued) return undefined;
    const sa = issued.serviceAccount;
    if (sa) {
      const current = this.serviceAccounts(sa.namespace, sa.name);
      if (!current || (sa.uid && current.metadata.uid !== sa.uid)) return undefined;
    }
    return issued.user;
  }
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}
