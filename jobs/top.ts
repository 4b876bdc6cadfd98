import type { JobResult } from '../src/core/job.js';
import { toSitrepError } from '../src/k8s/api-errors.js';
import { listAll } from '../src/k8s/list-all.js';
import { isTerminal, nodeAllocatable, nodeStatusText, podRequests } from '../src/k8s/pod-facts.js';
import { formatCpu, humanBytes } from '../src/core/quantity.js';
import { topVerb } from '../src/core/verbs/index.js';
import type { ReadJob } from './job-context.js';

/**
 * `/k8s top nodes`: requests against allocatable per node, from the API alone. This is what the
 * scheduler sees (and what decides whether drained pods fit), so no metrics server is needed.
 */
export const topJob: ReadJob<typeof topVerb> = {
  verb: topVerb,
  async run(_args, ctx) {
    try {
      const [{ items: nodes }, { items: pods }] = await Promise.all([
        listAll((cont, limit) => ctx.kube.core.listNode({ _continue: cont, limit }), { signal: ctx.signal }),
        listAll((cont, limit) => ctx.kube.core.listPodForAllNamespaces({ _continue: cont, limit, fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' }), { signal: ctx.signal }),
      ]);
      const used = new Map<string, { cpu: number; memory: number; pods: number }>();
      for (const p of pods) {
        if (!p.spec?.nodeName || isTerminal(p)) continue;
        const r = podRequests(p);
        const u = used.get(p.spec.nodeName) ?? { cpu: 0, memory: 0, pods: 0 };
        used.set(p.spec.nodeName, { cpu: u.cpu + r.cpu, memory: u.memory + r.memory, pods: u.pods + 1 });
      }
      const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '-');
      const rows = nodes.map((n) => {
        const name = n.metadata?.name ?? '';
        const a = nodeAllocatable(n);
        const u = used.get(name) ?? { cpu: 0, memory: 0, pods: 0 };
        return [name, nodeStatusText(n), `${formatCpu(u.cpu)}/${formatCpu(a.cpu)}`, pct(u.cpu, a.cpu), `${humanBytes(u.memory)}/${humanBytes(a.memory)}`, pct(u.memory, a.memory), `${u.pods}/${a.pods}`];
      });
      const hot = rows.filter((r) => parseInt(r[3], 10) >= 90 || parseInt(r[5], 10) >= 90).map((r) => r[0]);
      return {
        ok: true,
        title: `requests vs allocatable on ${nodes.length} nodes`,
        text: hot.length ? `:warning: Over 90% requested: ${hot.join(', ')}. Pods evicted onto these may not fit.` : '',
        table: { columns: ['NODE', 'STATUS', 'CPU REQ/ALLOC', 'CPU%', 'MEMORY REQ/ALLOC', 'MEMORY%', 'PODS'], rows },
        changed: [],
        unchanged: [],
      } satisfies JobResult;
    } catch (err) {
      throw toSitrepError(err, ctx.cluster, 'reading node capacity');
    }
  },
};
