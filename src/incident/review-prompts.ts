import { formatDuration } from '../core/duration.js';
import { ActionOutcome, type PmAction, type PmReview, type Postmortem } from './postmortem-types.js';

/**
 * Questions for the review, drawn from what the timeline shows. Blameless: each states a fact
 * the timeline recorded and asks about the system (budgets, alerts, replicas), never about who.
 */

/** From this long between the start and the first action, ask how the team was alerted. */
export const SLOW_FIRST_ACTION_MS = 10 * 60_000;

/** The question a plan warning raises once it was approved through, by warning code. */
const WARNING_QUESTION: Readonly<Record<string, string>> = {
  'local-data': 'was the data safe?',
  'single-replica': 'how long was it down?',
  'pdb-blocks': 'was the budget right?',
  'capacity-shortfall': 'was there enough capacity?',
  'node-over-90': 'was there enough capacity?',
  'last-schedulable-node': 'could the pods still be scheduled?',
  'control-plane-node': 'did the control plane stay healthy?',
  'static-pods': 'did the static pods keep running?',
  'rwo-multi-attach': 'did the volumes attach to the new nodes?',
  'node-not-ready': 'what made the node not ready?',
  'node-pressure': 'what caused the node pressure?',
  'bare-pods': 'were the pods without a controller recreated?',
  'paused-rollout': 'was the paused rollout expected?',
  'scale-to-zero': 'was scaling to zero intended to take it offline?',
};

/** `node/node02` → `node02`, `pod/shop/web-1` → `shop/web-1`. */
export function shortName(target: string): string {
  const parts = target.split('/');
  return parts.length > 1 ? parts.slice(1).join('/') : target;
}

/**
 * Text quoted into a prompt from the cluster or a person, with its backticks made quotes: the
 * renderers keep sitrep's own backtick spans as code, so a quoted backtick would pair with one of
 * them and turn the rest of the sentence (a redaction marker, a link) into live Markdown.
 */
function untick(text: string): string {
  return text.replace(/`/g, "'");
}

function quote(text: string, max = 140): string {
  const one = untick(text).replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

/** The command as a code span; backticks inside would end it early. */
function cmd(a: PmAction): string {
  return `\`${untick(a.command)}\``;
}

/** "The drain of node02", or "`/k8s scale web 0`" when the job did not say what it was. */
function jobName(a: PmAction): string {
  if (a.verb && a.target) return `The ${untick(a.verb)} of ${untick(shortName(a.target))}`;
  return `${cmd(a)}`;
}

/** "PodDisruptionBudget web-pdb" when a block reason names one. */
function pdbIn(reason: string): string | undefined {
  const m = /PodDisruptionBudget\s+"?([A-Za-z0-9./_-]+)"?/i.exec(reason) ?? /\bpdb[\s/:]+"?([a-z0-9][a-z0-9.-]*)"?/i.exec(reason);
  return m ? `PodDisruptionBudget ${shortName(m[1]!.replace(/[.,;:]$/, ''))}` : undefined;
}

function ran(a: PmAction): boolean {
  return a.outcome === ActionOutcome.Finished || a.outcome === ActionOutcome.Failed || a.outcome === ActionOutcome.Running;
}

export function reviewPrompts(pm: Postmortem): PmReview {
  const review: PmReview = { rootCause: [], wentWell: [], wentWrong: [], lessons: [], followUps: [] };
  const { durations, actions } = pm;

  review.rootCause.push('What made the service fail? The timeline shows what was done, not why it was needed.');
  for (const a of actions) {
    if (a.outcome === ActionOutcome.Failed) {
      review.rootCause.push(`Why did ${jobName(a).replace(/^The /, 'the ')} fail? It reported: "${quote(a.outcomeText)}"${a.failureCode ? ` (${untick(a.failureCode)})` : ''}.`);
    }
  }

  if (durations.toMitigate) review.wentWell.push(`Impact was mitigated ${durations.toMitigate.text} after the incident started: what helped most?`);
  const finished = actions.filter((a) => a.outcome === ActionOutcome.Finished);
  if (finished.length > 0) {
    review.wentWell.push(`${finished.length} cluster action${finished.length === 1 ? '' : 's'} completed: ${finished.slice(0, 5).map((a) => `${cmd(a)}`).join(', ')}${finished.length > 5 ? ', …' : ''}. Which tools or runbooks made ${finished.length === 1 ? 'it' : 'them'} quick?`);
  }

  for (const a of pm.notRun) {
    if (a.outcome !== ActionOutcome.Rejected) continue;
    // The second pair of eyes doing its job is worth keeping, and worth checking it had what it needed.
    review.wentWell.push(`${cmd(a)} was stopped at approval${a.outcomeText ? ` ("${quote(a.outcomeText)}")` : ''}: did the plan show enough to decide?`);
  }

  if (durations.toDetect.ms >= SLOW_FIRST_ACTION_MS) {
    review.wentWrong.push(`The first sign came ${durations.toDetect.text} before anyone was alerted: which alert would have caught it sooner?`);
  }
  if (!durations.toFirstAction) {
    review.wentWrong.push('No action on the cluster was recorded: how was the impact mitigated, and should that be a sitrep command?');
  } else if (durations.toFirstAction.ms >= SLOW_FIRST_ACTION_MS) {
    review.wentWrong.push(`The first action came ${durations.toFirstAction.text} after the incident started: how were we alerted, and what did the first minutes go to?`);
  }
  for (const a of actions) {
    for (const b of a.blocked) {
      const pdb = pdbIn(b.reason);
      const times = b.times > 1 ? ` (blocked ${b.times} times)` : '';
      review.wentWrong.push(
        pdb
          ? `${jobName(a)} waited ${b.waited.text} on ${pdb}${times}: was the budget right?`
          : `${jobName(a)} waited ${b.waited.text} on ${b.target ? untick(shortName(b.target)) : 'a blocked step'}${times}: "${quote(b.reason)}" — what held it?`,
      );
    }
    if (a.outcome === ActionOutcome.Failed) review.wentWrong.push(`${jobName(a)} failed after ${a.duration?.text ?? 'an unknown time'}: what did the team do instead?`);
  }

  for (const a of pm.notRun) {
    if (a.outcome === ActionOutcome.Expired) review.wentWrong.push(`The approval for ${cmd(a)} expired: was an approver available?`);
  }

  for (const a of actions) {
    if (!ran(a)) continue;
    for (const w of a.warnings) {
      if (w.severity !== 'danger' && w.severity !== 'warning') continue;
      if (w.code === 'single-replica') continue; // asked below with what we know of the downtime
      review.lessons.push(`A plan warning was approved through: '${untick(w.code)}: ${quote(w.message)}' — ${WARNING_QUESTION[w.code] ?? 'was the risk understood at the time?'}`);
    }
  }

  for (const a of actions) {
    if (!ran(a)) continue;
    for (const w of a.warnings) {
      if (w.code !== 'single-replica') continue;
      const objects = w.objects.length > 0 ? w.objects : [''];
      for (const object of objects) {
        const name = object ? untick(shortName(object).split('/').pop()!) : 'A workload';
        const down = object ? a.unavailable.find((u) => u.target === object || shortName(u.target).endsWith(shortName(object))) : undefined;
        review.followUps.push(
          down
            ? `${name} had a single replica and was down for ~${formatDuration(down.ms)} during ${jobName(a).replace(/^The /, 'the ')}: should it run at least two?`
            : `${name} had a single replica when ${jobName(a).replace(/^The /, 'the ')} ran: was it down, for how long, and should it run at least two?`,
        );
      }
    }
  }
  for (const a of [...actions, ...pm.notRun]) {
    if (a.outcome === ActionOutcome.Running || a.outcome === ActionOutcome.AwaitingApproval || a.outcome === ActionOutcome.Approved) {
      review.followUps.push(`${cmd(a)} was ${a.outcome} when this was written: confirm how it ended.`);
    }
  }
  review.followUps.push('Give each follow-up an owner and a due date.');
  return review;
}
