import type { V1Pod } from '@kubernetes/client-node';
import type { JobResult, Table } from '../src/core/job.js';
import { listAll } from '../src/k8s/list-all.js';
import { toSitrepError } from '../src/k8s/api-errors.js';
import { age, isPodReady, nodeRoles, nodeStatusText, podStatusText } from '../src/k8s/pod-facts.js';
import type { JobContext, ReadJob } from './job-context.js';
import { DEFAULT_NAMESPACE, GetResource, getVerb } from '../src/core/verbs/index.js';
import { tableText } from '../src/core/table-text.js';

/** `/k8s get nodes|pods|deployments|pdb|events`: a kubectl-like table. */
export const getJob: ReadJob<typeof getVerb> = {
  verb: getVerb,
  async run(args, ctx) {
    const ns = args.allNamespaces ? undefined : args.namespace ?? DEFAULT_NAMESPACE;
    const now = ctx.clock.now();
    const where = args.resource === 'nodes' ? '' : ns ? ` in namespace ${ns}` : ' in all namespaces';
    let table: Table;
    try {
      table = await TABLES[args.resource](ctx, { ns, node: args.node, selector: args.selector, now });
    } catch (err) {
      throw toSitrepError(err, ctx.cluster, `listing ${args.resource}`);
    }
    const title = `${table.rows.length} ${args.resource}${where}${args.node ? ` on ${args.node}` : ''}${args.selector ? ` matching ${args.selector}` : ''}`;
    return {
      ok: true,
      title,
      text: table.rows.length ? '' : `No ${args.resource} found${where}.`,
      table,
      ...(table.rows.length > 40 ? { file: { filename: `get-${args.resource}.txt`, content: tableText(table) } } : {}),
      changed: [],
      unchanged: [],
    } satisfies JobResult;
  },
};

type Query = { ns?: string; node?: string; selector?: string; now: number };

/** A table of namespaced objects: across all namespaces it gains kubectl's NAMESPACE column. */
function namespacedTable<T extends { metadata?: { namespace?: string } }>(q: Query, columns: string[], items: T[], row: (item: T) => string[]): Table {
  return {
    columns: q.ns ? columns : ['NAMESPACE', ...columns],
    rows: items.map((item) => (q.ns ? row(item) : [item.metadata?.namespace ?? '', ...row(item)])),
  };
}

/** One page's query, as the client's namespaced and all-namespaces list calls both take it. */
interface PageQuery {
  _continue?: string;
  limit: number;
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * Every item of a namespaced resource: in the query's namespace, or in all namespaces (`-A`),
 * page by page, as `kubectl get` lists them.
 */
function listScoped<T>(
  ctx: JobContext,
  q: Query,
  inNamespace: (page: PageQuery & { namespace: string }) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
  everywhere: (page: PageQuery) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
  fieldSelector?: string,
): Promise<{ items: T[] }> {
  return listAll((cont, limit) => {
    const page: PageQuery = { _continue: cont, limit, labelSelector: q.selector, ...(fieldSelector ? { fieldSelector } : {}) };
    return q.ns ? inNamespace({ ...page, namespace: q.ns }) : everywhere(page);
  }, { signal: ctx.signal });
}

const TABLES: Record<GetResource, (ctx: JobContext, q: Query) => Promise<Table>> = {
  async nodes(ctx, q) {
    const { items } = await listAll((cont, limit) => ctx.kube.core.listNode({ _continue: cont, limit, labelSelector: q.selector }), { signal: ctx.signal });
    return {
      columns: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
      rows: items.map((n) => [n.metadata?.name ?? '', nodeStatusText(n), nodeRoles(n), age(n.metadata?.creationTimestamp, q.now), n.status?.nodeInfo?.kubeletVersion ?? '']),
    };
  },
  async pods(ctx, q) {
    const fieldSelector = q.node ? `spec.nodeName=${q.node}` : undefined;
    const { items } = await listScoped(ctx, q, (p) => ctx.kube.core.listNamespacedPod(p), (p) => ctx.kube.core.listPodForAllNamespaces(p), fieldSelector);
    return namespacedTable(q, ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'NODE'], items, (p: V1Pod) => {
      const statuses = p.status?.containerStatuses ?? [];
      const ready = `${statuses.filter((s) => s.ready).length}/${p.spec?.containers.length ?? 0}`;
      const restarts = String(statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0));
      return [p.metadata?.name ?? '', ready, podStatusText(p), restarts, age(p.metadata?.creationTimestamp, q.now), p.spec?.nodeName ?? '<none>'];
    });
  },
  async deployments(ctx, q) {
    const { items } = await listScoped(ctx, q, (p) => ctx.kube.apps.listNamespacedDeployment(p), (p) => ctx.kube.apps.listDeploymentForAllNamespaces(p));
    return namespacedTable(q, ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], items, (d) => [
      d.metadata?.name ?? '',
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      String(d.status?.updatedReplicas ?? 0),
      String(d.status?.availableReplicas ?? 0),
      age(d.metadata?.creationTimestamp, q.now),
    ]);
  },
  async poddisruptionbudgets(ctx, q) {
    const { items } = await listScoped(ctx, q, (p) => ctx.kube.policy.listNamespacedPodDisruptionBudget(p), (p) => ctx.kube.policy.listPodDisruptionBudgetForAllNamespaces(p));
    return namespacedTable(q, ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'], items, (p) => [
      p.metadata?.name ?? '',
      p.spec?.minAvailable === undefined ? 'N/A' : String(p.spec.minAvailable),
      p.spec?.maxUnavailable === undefined ? 'N/A' : String(p.spec.maxUnavailable),
      String(p.status?.disruptionsAllowed ?? 0),
      age(p.metadata?.creationTimestamp, q.now),
    ]);
  },
  async events(ctx, q) {
    const fieldSelector = q.node ? `involvedObject.name=${q.node}` : undefined;
    const { items } = await listScoped(ctx, q, (p) => ctx.kube.core.listNamespacedEvent(p), (p) => ctx.kube.core.listEventForAllNamespaces(p), fieldSelector);
    const when = (e: (typeof items)[number]) => new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? 0).getTime();
    items.sort((a, b) => when(a) - when(b));
    return namespacedTable(q, ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], items, (e) => [
      age(new Date(when(e)), q.now),
      e.type ?? '',
      e.reason ?? '',
      `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
      (e.message ?? '').replace(/\s+/g, ' '),
    ]);
  },
};
