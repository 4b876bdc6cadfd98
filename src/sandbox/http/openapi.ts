import { apiGroups, RESOURCE_TYPES } from '../resources.js';

/**
 * A minimal OpenAPI v3 discovery: enough for kubectl's field-validation check (`kubectl apply`,
 * `kubectl create -f`), which looks for a PATCH operation tagged with the kind's
 * x-kubernetes-group-version-kind that takes a `fieldValidation` query parameter. With it kubectl
 * leaves validation to the server instead of downloading schemas. No schemas are served, so
 * `kubectl explain` has nothing to show.
 */
const HASH = 'SANDBOX0000000000000000000000000000000000000000000000000000000001';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiV3Root(): Record<string, unknown> {
  const paths: Record<string, unknown> = { [gvPath('', 'v1')]: { serverRelativeURL: `/openapi/v3/api/v1?hash=${HASH}` } };
  for (const g of apiGroups()) paths[gvPath(g.group, g.version)] = { serverRelativeURL: `/openapi/v3/${gvPath(g.group, g.version)}?hash=${HASH}` };
  return { paths };
}

const QUERY = (name: string) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } });

/** The OpenAPI v3 document of one group version, or undefined when the sandbox does not serve it. */
export function openApiV3Doc(path: string): Record<string, unknown> | undefined {
  const served = [{ group: '', version: 'v1' }, ...apiGroups()].find((g) => gvPath(g.group, g.version) === path);
  if (!served) return undefined;
  const paths: Record<string, unknown> = {};
  for (const t of RESOURCE_TYPES) {
    if (t.group !== served.group || t.version !== served.version) continue;
    const prefix = `/${gvPath(t.group, t.version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}`;
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const params = [QUERY('dryRun'), QUERY('fieldManager'), QUERY('fieldValidation')];
    paths[prefix] = {
      post: { operationId: `create${t.kind}`, 'x-kubernetes-action': 'post', 'x-kubernetes-group-version-kind': gvk, parameters: params, responses: {} },
    };
    paths[`${prefix}/{name}`] = {
      put: { operationId: `replace${t.kind}`, 'x-kubernetes-action': 'put', 'x-kubernetes-group-version-kind': gvk, parameters: params, responses: {} },
      patch: { operationId: `patch${t.kind}`, 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': gvk, parameters: [...params, QUERY('force')], responses: {} },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.1' },
    paths,
    components: { schemas: {} },
  };
}
