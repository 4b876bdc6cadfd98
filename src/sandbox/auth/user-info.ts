/** An authenticated (or anonymous) identity, as k8s.io/apiserver/pkg/authentication/user.Info holds it. */
export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** Well-known names and groups (k8s.io/apiserver/pkg/authentication/user). */
export const Identity = {
  Anonymous: 'system:anonymous',
  AllAuthenticated: 'system:authenticated',
  AllUnauthenticated: 'system:unauthenticated',
  Masters: 'system:masters',
  ServiceAccounts: 'system:serviceaccounts',
} as const;

/** The identity of a request that presented no credentials (--anonymous-auth=true, the default). */
export const ANONYMOUS: UserInfo = { name: Identity.Anonymous, groups: [Identity.AllUnauthenticated] };

/** `system:serviceaccount:<namespace>:<name>` (serviceaccount.MakeUsername). */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** serviceaccount.SplitUsername, or undefined when the name is not a service account's. */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  return m ? { namespace: m[1], name: m[2] } : undefined;
}

/** serviceaccount.MakeGroupNames. */
export function serviceAccountGroups(namespace: string): string[] {
  return [Identity.ServiceAccounts, `${Identity.ServiceAccounts}:${namespace}`];
}

/** group.AuthenticatedGroupAdder: every authenticated user is in system:authenticated. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(Identity.AllAuthenticated)) return user;
  return { ...user, groups: [...user.groups, Identity.AllAuthenticated] };
}
