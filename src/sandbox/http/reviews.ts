import { ApiError } from '../api-error.js';
import { resourceAttributes, pathAttributes, type RequestAttributes, type UserInfo } from '../auth/index.js';
import type { PolicyRule } from '../auth/policy-rule.js';
import { isPlainObject } from './body.js';
import { readObjectBody } from './object-handlers.js';
import type { RequestContext } from './context.js';
import { sendJson } from './respond.js';

// The review resources, answered and never stored: pkg/registry/authorization/
// selfsubjectaccessreview, subjectaccessreview, selfsubjectrulesreview (what `kubectl auth can-i`
// and `kubectl auth can-i --list` create) and pkg/registry/authentication/selfsubjectreview
// (`kubectl auth whoami`).

type Json = Record<string, unknown>;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The attributes an access review asks about, for `user`; 422 unless exactly one kind is given. */
function reviewAttributes(ctx: RequestContext, spec: Json, user: UserInfo): RequestAttributes {
  const res = isPlainObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nonRes = isPlainObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  if (!!res === !!nonRes) {
    const t = ctx.route.type;
    throw ApiError.invalid(t.kind, '', [{ field: 'spec.resourceAttributes', message: `Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified` }], t.group);
  }
  if (nonRes) return pathAttributes(user, str(nonRes.verb), str(nonRes.path));
  return resourceAttributes(user, {
    verb: str(res!.verb),
    group: str(res!.group),
    version: str(res!.version),
    resource: str(res!.resource),
    subresource: str(res!.subresource),
    namespace: str(res!.namespace),
    name: str(res!.name),
    path: '',
  }, null);
}

function answer(ctx: RequestContext, body: Json, status: Json): void {
  const t = ctx.route.type;
  sendJson(ctx.res, 201, { kind: t.kind, apiVersion: `${t.group}/${t.version}`, metadata: { ...(isPlainObject(body.metadata) ? body.metadata : {}), creationTimestamp: null }, spec: body.spec ?? {}, status });
}

function accessStatus(ctx: RequestContext, a: RequestAttributes): Json {
  const d = ctx.auth!.authorize(a);
  return { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) };
}

/** rules.go: the rules that apply, in the shape SelfSubjectRulesReview reports them. */
function rulesStatus(rules: PolicyRule[], errors: string[]): Json {
  const resourceRules = rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs }));
  return { resourceRules, nonResourceRules, incomplete: errors.length > 0, ...(errors.length ? { evaluationError: errors.join(', ') } : {}) };
}

/** POST to a review resource. Without authentication configured, everyone is allowed everything. */
export async function handleReview(ctx: RequestContext): Promise<void> {
  const body = await readObjectBody(ctx);
  const spec = isPlainObject(body.spec) ? body.spec : {};
  const user = ctx.user;
  const resource = ctx.route.type.resource;
  if (!ctx.auth || !user) {
    if (resource === 'selfsubjectreviews') return answer(ctx, body, { userInfo: { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] } });
    if (resource === 'selfsubjectrulesreviews') return answer(ctx, body, rulesStatus([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], []));
    return answer(ctx, body, { allowed: true });
  }
  switch (resource) {
    case 'selfsubjectaccessreviews':
      return answer(ctx, body, accessStatus(ctx, reviewAttributes(ctx, spec, user)));
    case 'subjectaccessreviews': {
      const subject: UserInfo = { name: str(spec.user), groups: Array.isArray(spec.groups) ? spec.groups.map(String) : [], ...(spec.uid ? { uid: str(spec.uid) } : {}) };
      return answer(ctx, body, accessStatus(ctx, reviewAttributes(ctx, spec, subject)));
    }
    case 'selfsubjectrulesreviews': {
      const { rules, errors } = ctx.auth.authorizer.rulesFor(user, str(spec.namespace));
      return answer(ctx, body, rulesStatus(rules, errors));
    }
    case 'selfsubjectreviews':
      return answer(ctx, body, { userInfo: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } });
  }
  throw ApiError.methodNotAllowed();
}
