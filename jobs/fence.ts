import { ErrorCode, JobError } from '../src/core/errors.js';
import { fenceVerb } from '../src/core/verbs/index.js';
import type { OperationJob } from './job-context.js';
import { analyzeFence, type FenceAnalysis } from './support/fence-analysis.js';
import { FenceRun } from './support/fence-run.js';
import { PodBackup } from './support/pod-backup.js';
import { summarizeFence } from './support/fence-summary.js';
import { assertNoDrift, backupOnce, readStart, rethrow } from './support/operation.js';

export interface FenceJobOptions {
  /** Least milliseconds between progress reports.
   * @defaultValue 250 */
  progressIntervalMs?: number;
}

/**
 * `/k8s fence NODE`: non-graceful node shutdown. Plans read-only (fence-analysis.ts); executes by
 * re-planning, refusing drift (a heartbeat, another boot, other pods or attachments), backing up
 * every pod, PVC, PV and VolumeAttachment concerned, then FenceRun's steps (taint, follow).
 */
export function createFenceJob(options: FenceJobOptions = {}): OperationJob<typeof fenceVerb> {
  return {
    verb: fenceVerb,

    async plan(args, ctx) {
      try {
        return (await analyzeFence(ctx, args)).plan;
      } catch (err) {
        rethrow(err, ctx, `planning the fence of ${args.node}`);
      }
    },

    async execute(args, approved, ctx) {
      const start = await readStart(ctx);
      let analysis: FenceAnalysis;
      try {
        analysis = await analyzeFence(ctx, args);
      } catch (err) {
        rethrow(err, ctx, `re-checking the fence of ${args.node}`);
      }
      if (analysis.plan.refusal) {
        throw new JobError(ErrorCode.OperationRefused, `Fence of ${args.node} refused, nothing changed: ${analysis.plan.refusal.message}`, {
          hint: 'Make sure the machine is off, then ask again.',
        });
      }
      assertNoDrift(approved, analysis.plan, { resumed: start.resumed });
      await start.begin();
      try {
        // Backup once per job, before the taint; a resumed job keeps the original.
        await backupOnce(ctx, `fence-${args.node}`, () => backupObjects(analysis));
      } catch (err) {
        rethrow(err, ctx, `backing up before the fence of ${args.node}`);
      }
      const bootId = typeof approved.fixed.bootId === 'string' ? approved.fixed.bootId : undefined;
      const run = new FenceRun(ctx, args, analysis, { startedAt: start.startedAt, ...(bootId ? { bootId } : {}), progressIntervalMs: options.progressIntervalMs ?? 250 });
      const outcome = await run.run();
      return summarizeFence(args, analysis, outcome, ctx.clock.now() - start.startedAt);
    },
  };
}

/** The job the registry runs. */
export const fenceJob = createFenceJob();

/**
 * Manifests saved before the taint (incident 003: back up PV and PVC before touching anything):
 * the node, every pod that goes with its PVCs and PVs, and every VolumeAttachment on the node
 * with its PV and claim.
 */
function backupObjects(a: FenceAnalysis): unknown[] {
  const backup = new PodBackup(a.view).add(a.node.metadata?.uid, a.node, 'Node', 'v1').pods(a.going);
  for (const va of a.attachments) {
    const pvName = va.spec?.source?.persistentVolumeName;
    backup.add(va.metadata?.uid, va, 'VolumeAttachment', 'storage.k8s.io/v1');
    const pv = a.view.pvs.find((v) => v.metadata?.name === pvName);
    if (pv) backup.add(pv.metadata?.uid, pv, 'PersistentVolume', 'v1');
    const pvc = a.view.pvcs.find((c) => c.spec?.volumeName === pvName);
    if (pvc) backup.add(pvc.metadata?.uid, pvc, 'PersistentVolumeClaim', 'v1');
  }
  return backup.manifests();
}
