import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { pdbsCovering } from '../../src/k8s/pdb-facts.js';
import { watchPodDisruptionBudgets } from '../../src/k8s/pdb-watch.js';
import type { KubeClients } from '../../src/k8s/kube-clients.js';
import type { WatchedList } from '../../src/k8s/watched-list.js';

/** What a pod refused by a budget waits on: the budgets' watch (when there is one) and whether one reopened. */
export interface BudgetWait {
  /** Lists whose changes may end the wait (empty without a watch). */
  lists: WatchedList<V1PodDisruptionBudget>[];
  /** Whether a budget covering the pod shows a new status that allows a disruption (taking it: call once per wake). */
  reopened(): boolean;
}

/**
 * When an eviction refused by a PodDisruptionBudget (429) may pass: kubectl sleeps 5 s after each
 * 429 and asks again (evictPods in staging/src/k8s.io/kubectl/pkg/drain/drain.go), so every batch
 * of a PDB-gated chain costs up to 5 s beyond the time its replacements take to become Ready.
 * sitrep asks again at that interval at the latest, and sooner: as soon as a budget that covers
 * the pod has a new status with disruptions allowed, which the disruption controller writes the
 * moment a replacement is Ready; as many waiting pods wake as that status allows. One watch of
 * every budget, started at a run's first 429, so a drain that is never refused makes no extra
 * request. Without the watch (RBAC that does not grant `watch` on poddisruptionbudgets, or the
 * API refusing it) the interval alone applies.
 */
export class BudgetWatch {
  private list?: WatchedList<V1PodDisruptionBudget>;
  private starting?: Promise<WatchedList<V1PodDisruptionBudget> | undefined>;
  /** Disruptions a budget's status allows that no waiting pod has taken yet, by budget UID, for that status. */
  private readonly tickets = new Map<string, { version: string; left: number }>();

  constructor(
    private readonly kube: KubeClients,
    private readonly signal: AbortSignal,
    private readonly onRecover: (what: string, err?: unknown) => void,
  ) {}

  /**
   * Called right after `pod`'s eviction was refused. The statuses known now are what a reopening
   * must differ from: one the watch already had may predate the refusal. A watch that starts here
   * lists after the refusal, so whatever it shows is news.
   */
  async afterRefusal(pod: V1Pod): Promise<BudgetWait> {
    const fresh = !this.list;
    const list = this.list ?? (await this.start());
    if (!list) return { lists: [], reopened: () => false };
    const seen = new Map(fresh ? [] : pdbsCovering(pod, list.values()).map((b) => [b.metadata?.uid, b.metadata?.resourceVersion]));
    return {
      lists: [list],
      reopened: () => pdbsCovering(pod, list.values()).some((b) => seen.get(b.metadata?.uid) !== b.metadata?.resourceVersion && this.take(b)),
    };
  }

  /**
   * Takes one of the disruptions a budget's status allows, if any is left: a status that allows 2
   * wakes 2 waiting pods, not all of them, so the rest do not each collect another 429.
   */
  private take(budget: V1PodDisruptionBudget): boolean {
    const uid = budget.metadata?.uid ?? '';
    const version = budget.metadata?.resourceVersion ?? '';
    let t = this.tickets.get(uid);
    if (t?.version !== version) this.tickets.set(uid, (t = { version, left: budget.status?.disruptionsAllowed ?? 0 }));
    if (t.left <= 0) return false;
    t.left--;
    return true;
  }

  private start(): Promise<WatchedList<V1PodDisruptionBudget> | undefined> {
    this.starting ??= watchPodDisruptionBudgets(this.kube, { signal: this.signal, onRecover: this.onRecover }).then(
      (list) => (this.list = list),
      (err: unknown) => {
        this.onRecover('no PodDisruptionBudget watch; retrying refused evictions at the interval only', err);
        return undefined;
      },
    );
    return this.starting;
  }

  close(): void {
    this.list?.close();
  }
}
