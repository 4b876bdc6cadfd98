/**
 * What people do in a chaos trial and what they see: requests, approvals and the cards they end
 * with, watched as people see them (bench/card-watch.ts); and the drain most faults strike (Alice
 * asks for `/k8s drain node-001`, Bob approves it), checked against the sandbox's own record of
 * accepted evictions.
 */
import { CardAction } from '../src/chat/render/operation-card.js';
import { buttonValue } from '../test/support/cards.js';
import { visibleText, type SlackEphemeral } from '../src/console/index.js';
import { OPS } from '../bench/process-stack.js';
import { untilReady } from '../bench/image.js';
import type { CardVersion } from '../bench/card-watch.js';
import { APPROVER, NODE, REQUESTER, type World } from './world.js';

export interface ApprovalCard {
  requestId: string;
  /** The card's message ts in #ops. */
  ts: string;
  /** The Approve button's value, the approval it belongs to. */
  approvalId: string;
}

/** A finished card: Done or Failed. */
export const FINISHED = /^(Done|Failed)\b/m;

/** `user`'s `/k8s TEXT`, planned and waiting on its card for an approval. */
export async function requestApproval(w: World, user: string, text: string, timeoutMs = 30_000): Promise<ApprovalCard> {
  const since = Date.now();
  const { requestId, status } = await w.stack.slash(text, { user });
  if (status !== 200) throw new Error(`/k8s ${text} answered HTTP ${status}`);
  const card = await w.stack.cards.nextCard(user, since, timeoutMs);
  const ready = await w.stack.cards.until(OPS, card.ts, (v) => buttonValue(v.message, CardAction.Approve) !== undefined || FINISHED.test(v.text), timeoutMs);
  const approvalId = buttonValue(ready.message, CardAction.Approve);
  if (!approvalId) throw new Error(`the card of /k8s ${text} has no Approve button: ${firstLine(ready.text)}`);
  return { requestId, ts: card.ts, approvalId };
}

/** Alice's `/k8s drain node-001`, planned and waiting on its card for an approval. */
export function requestDrain(w: World): Promise<ApprovalCard> {
  return requestApproval(w, REQUESTER, `drain ${NODE}`);
}

/** Bob clicks Approve on the card, as Slack sends the click. */
export async function approve(w: World, card: ApprovalCard): Promise<void> {
  const res = await w.stack.click(CardAction.Approve, card.approvalId, { user: APPROVER, messageTs: card.ts });
  if (res.status !== 200) throw new Error(`the Approve click answered HTTP ${res.status}`);
}

/** Resolves once the sandbox has accepted at least `n` evictions (the drain is under way). */
export async function evictionsReach(w: World, n: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (w.sandbox.evictions().length < n) {
    if (Date.now() > deadline) throw new Error(`the drain evicted ${w.sandbox.evictions().length} pods in ${timeoutMs / 1000} s, not the ${n} the fault waits for`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The card's finished version (Done or Failed). A card that never finishes fails with what the
 * sandbox shows besides the card's last text: a drain stuck in the worker (evictions stopped) and
 * a card stuck in the bot (evictions went on) read alike on the card alone.
 */
export async function finished(w: World, card: { ts: string }, timeoutMs: number): Promise<CardVersion> {
  try {
    return await w.stack.cards.until(OPS, card.ts, (v) => FINISHED.test(v.text), timeoutMs);
  } catch (err) {
    const evictions = w.sandbox.evictions();
    const last = evictions.at(-1);
    throw new Error(
      `${(err as Error).message}; the sandbox accepted ${podsEvicted(w)} evictions (${evictions.length} requests, the last ${last ? `${Math.round((Date.now() - last.sentBy) / 1000)} s ago` : 'never'}), ${workloadLeft(w).length} workload pods left on ${NODE}`,
    );
  }
}

/** Pods the sandbox accepted an eviction of more than once, by UID (`ns/name ×2`). */
export function evictedTwice(w: World): string[] {
  const byUid = new Map<string, { ref: string; n: number }>();
  for (const e of w.sandbox.evictions()) {
    const seen = byUid.get(e.uid) ?? { ref: `${e.namespace}/${e.name}`, n: 0 };
    seen.n++;
    byUid.set(e.uid, seen);
  }
  return [...byUid.values()].filter((s) => s.n > 1).map((s) => `${s.ref} ×${s.n}`);
}

/** Distinct pods (UIDs) the sandbox accepted an eviction of. */
export function podsEvicted(w: World): number {
  return new Set(w.sandbox.evictions().map((e) => e.uid)).size;
}

/** Workload pods still on node-001 (DaemonSet pods stay by design). */
export function workloadLeft(w: World): string[] {
  return w.sandbox.store
    .list('pods')
    .items.filter((p) => p.spec?.nodeName === NODE && !p.metadata.deletionTimestamp && !p.metadata.ownerReferences?.some((o: { kind?: string }) => o.kind === 'DaemonSet'))
    .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
}

/**
 * The checks of a drain that should have finished whole: the card says Done with "N pods
 * evicted", N is what the sandbox accepted, no pod went twice, node-001 holds no workload pod.
 * Returns what is wrong, or nothing.
 */
export function drainProblems(w: World, final: CardVersion): string[] {
  const problems: string[] = [];
  if (!/^Done\b/m.test(final.text)) problems.push(`the card ended "${firstLine(final.text)}", not Done`);
  const said = /(\d+) pods? evicted/.exec(final.text);
  const evicted = podsEvicted(w);
  if (!said) problems.push(`the card gives no count of pods evicted: ${firstLine(final.text)}`);
  else if (Number(said[1]) !== evicted) problems.push(`the card says ${said[1]} pods evicted, the sandbox accepted ${evicted}`);
  const twice = evictedTwice(w);
  if (twice.length) problems.push(`evicted twice: ${twice.slice(0, 5).join(', ')}${twice.length > 5 ? ` and ${twice.length - 5} more` : ''}`);
  const left = workloadLeft(w);
  if (left.length) problems.push(`${left.length} workload pods still on ${NODE}, e.g. ${left[0]}`);
  return problems;
}

/**
 * Bob approves Carol's pending `cordon node-002` after a Redis fault (`after`, e.g. "the
 * restart"), as a load balancer would send it: to a bot that says it is ready. The cordon must end
 * Done with node-002 unschedulable. Returns what is wrong, or nothing; throws if the click itself
 * is refused.
 */
export async function approvedCordonProblems(w: World, pending: ApprovalCard, after: string): Promise<string[]> {
  const bot = w.stack.bots[0]!;
  await untilReady(bot.url.replace(/\/slack\/events$/, '/readyz'), bot.proc, bot.name, 30_000);
  const res = await w.stack.click(CardAction.Approve, pending.approvalId, { user: APPROVER, messageTs: pending.ts });
  if (res.status !== 200) throw new Error(`the Approve click after ${after} answered HTTP ${res.status}`);
  const cordon = await finished(w, pending, 60_000).catch((err: Error) => err);
  if (cordon instanceof Error) return [`the cordon approved after ${after} never finished: ${cordon.message}`];
  if (!/^Done\b/m.test(cordon.text)) return [`the cordon approved after ${after} ended "${firstLine(cordon.text)}"`];
  if (!w.sandbox.store.get('nodes', undefined, 'node-002')?.spec?.unschedulable) return ['the cordon said Done but node-002 is schedulable'];
  return [];
}

/** `user`'s `/k8s get nodes` ends Done listing the nodes; else what went wrong. */
export async function newRequestWorks(w: World, user: string): Promise<string | undefined> {
  const since = Date.now();
  const { status } = await w.stack.slash('get nodes', { user });
  if (status !== 200) return `a new /k8s get nodes answered HTTP ${status}`;
  const card = await w.stack.cards.nextCard(user, since, 30_000).catch(() => undefined);
  if (!card) return 'a new /k8s get nodes got no card';
  const end = await w.stack.cards.until(OPS, card.ts, (v) => FINISHED.test(v.text), 60_000).catch((err: Error) => err);
  if (end instanceof Error) return `a new /k8s get nodes never finished: ${end.message}`;
  return /^Done\b/m.test(end.text) && /node-002/.test(end.text) ? undefined : `a new /k8s get nodes ended "${firstLine(end.text)}"`;
}

/** The first ephemeral to `user` in #ops matching `re` after now; how long it took, or why not. */
export function ephemeralTo(w: World, user: string, re: RegExp, timeoutMs: number): Promise<{ ms: number; text: string } | { missing: string }> {
  const t0 = Date.now();
  const seen: string[] = [];
  return new Promise((resolve) => {
    const on = (e: { channel: string; user: string; message: SlackEphemeral }) => {
      if (e.channel !== OPS || e.user !== user) return;
      const text = visibleText(e.message);
      seen.push(firstLine(text));
      if (!re.test(text)) return;
      done({ ms: Date.now() - t0, text });
    };
    const timer = setTimeout(() => done({ missing: seen.length ? `told only: ${seen.join(' / ')}` : 'told nothing' }), timeoutMs);
    const done = (r: { ms: number; text: string } | { missing: string }) => {
      clearTimeout(timer);
      w.stack.slack.off('ephemeral', on);
      resolve(r);
    };
    w.stack.slack.on('ephemeral', on);
  });
}

export function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim())?.slice(0, 200) ?? '';
}
