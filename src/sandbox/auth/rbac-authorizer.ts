import type { KObject } from '../object.js';
import type { Store } from '../store.js';
import { ruleAllows, type PolicyRule } from './policy-rule.js';
import type { RequestAttributes } from './request-attributes.js';
import { Identity, type UserInfo } from './user-info.js';

export interface Decision {
  allowed: boolean;
  /** `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to Group "z"`, or why nothing applied. */
  reason: string;
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

const RBAC = 'rbac.authorization.k8s.io';

/** rule.go appliesToUser: a User by name, a Group by membership, a ServiceAccount by its username. */
function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.name === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.name === `system:serviceaccount:${ns}:${s.name}`;
    }
    default:
      return false;
  }
}

/** rule.go describeSubject: `User "alice"`, `ServiceAccount "name/namespace"`. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount "${s.name}/${s.namespace || bindingNamespace}"`;
  return `${s.kind} "${s.name}"`;
}

function refOf(binding: KObject): { kind?: string; name?: string } {
  return (binding.roleRef ?? {}) as { kind?: string; name?: string };
}

function rulesOf(role: KObject): PolicyRule[] {
  return Array.isArray(role.rules) ? (role.rules as PolicyRule[]) : [];
}

interface Visit {
  /** How the binding is described when it allows: the source's String(). */
  source: string;
  rules: PolicyRule[];
}

/**
 * The RBAC authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go with
 * pkg/registry/rbac/validation/rule.go VisitRulesFor): ClusterRoleBindings first, then the
 * request namespace's RoleBindings (to a Role there or a ClusterRole); the first rule that allows
 * wins. Never denies: no rule is "no opinion", with the errors met on the way (a binding to a
 * role that does not exist) as the reason. The system:masters group is allowed before RBAC is
 * asked, as kube-apiserver's privileged-group authorizer does.
 */
export class RbacAuthorizer {
  constructor(private readonly store: Store) {}

  authorize(a: RequestAttributes): Decision {
    if (a.user.groups.includes(Identity.Masters)) return { allowed: true, reason: '' };
    const errors: string[] = [];
    for (const v of this.visits(a.user, a.namespace, errors)) {
      if (v.rules.some((r) => ruleAllows(a, r))) return { allowed: true, reason: `RBAC: allowed by ${v.source}` };
    }
    return { allowed: false, reason: errors.length ? `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` : '' };
  }

  /** Every rule that applies to the user in a namespace (what SelfSubjectRulesReview lists). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const errors: string[] = [];
    const rules: PolicyRule[] = [];
    for (const v of this.visits(user, namespace, errors)) rules.push(...v.rules);
    return { rules, errors };
  }

  private *visits(user: UserInfo, namespace: string, errors: string[]): Generator<Visit> {
    for (const b of this.store.peek(`${RBAC}/clusterrolebindings`).items) {
      const subject = (b.subjects as Subject[] | undefined)?.find((s) => appliesTo(user, s, ''));
      if (!subject) continue;
      const role = this.role(b, '', errors);
      if (role) yield { source: `ClusterRoleBinding "${b.metadata.name}" of ${refOf(b).kind} "${refOf(b).name}" to ${describeSubject(subject, '')}`, rules: rulesOf(role) };
    }
    if (!namespace) return;
    for (const b of this.store.peek(`${RBAC}/rolebindings`, namespace).items) {
      const subject = (b.subjects as Subject[] | undefined)?.find((s) => appliesTo(user, s, namespace));
      if (!subject) continue;
      const role = this.role(b, namespace, errors);
      if (role) yield { source: `RoleBinding "${b.metadata.name}/${namespace}" of ${refOf(b).kind} "${refOf(b).name}" to ${describeSubject(subject, namespace)}`, rules: rulesOf(role) };
    }
  }

  /** GetRoleReferenceRules: the bound Role (in the binding's namespace) or ClusterRole. */
  private role(binding: KObject, namespace: string, errors: string[]): KObject | undefined {
    const ref = refOf(binding);
    if (ref?.kind === 'ClusterRole') {
      const r = this.store.get(`${RBAC}/clusterroles`, undefined, ref.name ?? '');
      if (!r) errors.push(`clusterrole.rbac.authorization.k8s.io "${ref.name}" not found`);
      return r;
    }
    if (ref?.kind === 'Role' && namespace) {
      const r = this.store.get(`${RBAC}/roles`, namespace, ref.name ?? '');
      if (!r) errors.push(`role.rbac.authorization.k8s.io "${ref.name}" not found`);
      return r;
    }
    errors.push(`unsupported role reference kind: "${ref?.kind}"`);
    return undefined;
  }
}
