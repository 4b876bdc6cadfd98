import { formatDuration } from '../../src/core/duration.js';
import { ErrorCode } from '../../src/core/errors.js';
import type { JobResult } from '../../src/core/job.js';
import type { FenceArgs } from '../../src/core/verbs/index.js';
import { OUT_OF_SERVICE_TEXT } from '../../src/k8s/out-of-service.js';
import type { FenceAnalysis } from './fence-analysis.js';
import type { FenceOutcome } from './fence-run.js';

/**
 * What a fence did: the taint, each pod the pod GC force-deleted, each volume detached, each
 * workload Ready again; and what is still pending and why, when `--timeout` came first (the taint
 * stays: the cluster goes on cleaning up). `ok` only when everything it followed finished.
 */
export function summarizeFence(args: FenceArgs, analysis: FenceAnalysis, outcome: FenceOutcome, tookMs: number): JobResult {
  const node = args.node;
  const { follow } = outcome;
  const changed: string[] = [];
  const unchanged: string[] = [];
  const pending: string[] = [];
  if (outcome.tainted) changed.push(`node/${node} tainted ${OUT_OF_SERVICE_TEXT}`);
  else unchanged.push(`node/${node} was already out of service`);
  for (const p of follow.pods) {
    if (outcome.podsGone.has(p.uid)) changed.push(`${p.ref} force-deleted (pod GC)`);
    else pending.push(`${p.namespace}/${p.name} still on ${node}`);
  }
  for (const a of follow.attachments) {
    if (outcome.attachmentsGone.has(a.uid)) changed.push(`${a.ref} detached (PV ${a.pv})`);
    else pending.push(`volume ${a.pv} still attached to ${node} (${a.ref})`);
  }
  for (const r of outcome.replacements) {
    if (r.ready) changed.push(`${r.replacement.label}: ${r.detail}`);
    else pending.push(`${r.replacement.label}: ${r.detail}`);
  }
  for (const s of analysis.plan.skipped) unchanged.push(`${s.target} left alone: ${s.reason}`);
  for (const p of pending) unchanged.push(`pending: ${p}`);

  const gone = outcome.podsGone.size;
  const detached = outcome.attachmentsGone.size;
  const whole = outcome.replacements.filter((r) => r.ready).length;
  const counts = `${gone} pod${gone === 1 ? '' : 's'} force-deleted, ${detached} volume${detached === 1 ? '' : 's'} detached, ${whole} workload${whole === 1 ? '' : 's'} Ready again`;
  const back = `When the machine is back (Ready, with a new boot ID): \`/k8s unfence ${node}\`.`;
  if (outcome.complete) {
    return {
      ok: true,
      title: `Fenced ${node}: ${counts} in ${formatDuration(tookMs)}`,
      text: `${node} is out of service (\`${OUT_OF_SERVICE_TEXT}\`): nothing runs there until it is unfenced. ${back}`,
      changed,
      unchanged,
    };
  }
  return {
    ok: false,
    code: ErrorCode.Timeout,
    title: `Fence of ${node}: not finished after ${formatDuration(args.timeoutMs)} (${counts})`,
    text: [
      `${node} is out of service (the taint stays; the cluster goes on cleaning up). Still pending:`,
      ...pending.slice(0, 20).map((p) => `• ${p}`),
      `Follow it with \`/k8s get pods -A --node ${node}\` and \`/k8s describe pod\`. ${back}`,
    ].join('\n'),
    changed,
    unchanged,
  };
}
