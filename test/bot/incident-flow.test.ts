import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardAction } from '../../src/chat/render/operation-card.js';
import { buttonValue, waitForEphemeral, waitForMessage, waitForUpdate } from '../support/cards.js';
import { sendEvent } from '../../src/console/index.js';
import { eventually } from '../support/eventually.js';
import { ALICE, BOB, CAROL, messageText, OPS, SIGNING_SECRET, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ scenario: 'maintenance' });
});
afterAll(async () => {
  await stack?.stop();
});

async function uploaded(name: RegExp): Promise<string> {
  const file = await stack.slack.waitFor(() => {
    const f = stack.slack.workspace.allFiles().find((x) => name.test(x.name ?? ''));
    return f && stack.slack.workspace.file(f.id)?.content ? stack.slack.workspace.file(f.id) : undefined;
  }, { timeoutMs: 20_000 });
  return file.content!.toString('utf8');
}

describe('an incident, recorded as it happens', () => {
  it('start, drain requested/approved/run, note, resolve, postmortem: every event in order, actors and durations right', async () => {
    const t0 = Date.now();
    await stack.slash('start "node02 kernel memory leak" --sev 2', { command: '/incident', user: CAROL });
    const card = await waitForMessage(stack, (m) => /SEV2/.test(messageText(m)) && /node02 kernel memory leak/.test(messageText(m)));
    await stack.slack.waitFor(() => stack.slack.workspace.pins(OPS).find((m) => m.ts === card.ts), { timeoutMs: 10_000 });

    // First as a newcomer types it: refused by its plan (node02 runs an emptyDir pod and a bare pod).
    await stack.slash('drain node02', { user: ALICE });
    await waitForMessage(stack, (m) => /^Refused/.test(m.text ?? '') && /drain node02/.test(messageText(m)));
    await stack.slash('drain node02 --delete-emptydir-data --force', { user: ALICE });
    const approval = await waitForMessage(stack, (m) => /Approval needed/.test(m.text ?? '') && /drain node02/.test(messageText(m)));
    await stack.click(CardAction.Approve, buttonValue(approval, CardAction.Approve)!, { user: BOB, messageTs: approval.ts });
    await waitForUpdate(stack, approval.ts, /^Done/, 60_000);
    // The card can say Done a moment before the result is on the timeline (the bot applies the
    // job's result, then appends it): the note below must come after it, as in the order checked.
    const open = await stack.bot.services.incidents.openIn(OPS);
    await eventually(async () => (await stack.bot.services.timeline.read(open!.id)).some((e) => /^Finished/.test(e.text)), { what: 'the drain finished on the timeline' });

    await stack.slash('note "drained node02; rebooting it to clear the kmem leak"', { command: '/incident', user: ALICE });
    // A note is for everyone on the incident: said in the channel, not only to its author.
    const note = await waitForMessage(stack, /noted on .*drained node02; rebooting it/);
    expect(messageText(note)).toContain(`<@${ALICE}> noted on`);
    expect(stack.slack.workspace.ephemerals(OPS, ALICE).some((e) => /noted on/i.test(messageText(e)))).toBe(false);
    await stack.slash('status monitoring', { command: '/incident', user: CAROL });
    // As a person would: the next command after the channel shows the change.
    await waitForMessage(stack, (m) => /Status is now \*monitoring\*/.test(m.text ?? ''));
    await stack.slash('resolve "node02 rebooted, workloads healthy"', { command: '/incident', user: CAROL });
    await waitForUpdate(stack, card.ts, /resolved/);

    await stack.slash('postmortem --format md', { command: '/incident', user: CAROL });
    const md = await uploaded(/^postmortem-.*\.md$/);
    const t1 = Date.now();

    // Every event, in the order it happened, with who did it.
    const order = [
      /Incident (started|opened)|started/i,
      /\/k8s drain node02/,
      /Plan/,
      /Approval requested/i,
      /Approved by/i,
      /Started drain/i,
      /Finished|Drained node02/i,
      /drained node02; rebooting/,
      /monitoring/,
      /resolved/i,
    ];
    const timelineSection = md.slice(md.search(/## Timeline/i));
    let cursor = 0;
    for (const re of order) {
      const rest = timelineSection.slice(cursor);
      const at = rest.search(re);
      expect(at, `expected ${re} after position ${cursor} in the timeline:\n${timelineSection.slice(0, 4000)}`).toBeGreaterThanOrEqual(0);
      cursor += at + 1;
    }
    expect(md).toMatch(/Commander/);
    // The refused drain is not an action on the cluster: it is listed as refused, with why.
    const notRun = md.slice(md.indexOf('## Requested, not run'), md.indexOf('## Read-only commands'));
    expect(notRun).toMatch(/`\/k8s drain node02` by Alice Oncall at .*: \*\*refused\*\*: Refused by its plan: .*local storage/);
    // People by name (users.info), never as raw ids.
    for (const who of ['Alice Oncall', 'Bob Backup', 'Carol Lead']) expect(md).toContain(who);
    for (const id of [ALICE, BOB, CAROL]) expect(md).not.toContain(id);

    // Key times fall inside the run of this test; durations are consistent with them.
    const json = JSON.parse(await (async () => {
      await stack.slash('postmortem --format json --tz Asia/Shanghai', { command: '/incident', user: CAROL });
      return uploaded(/^postmortem-.*\.json$/);
    })());
    const started = json.keyTimes.started.at as number;
    const resolved = json.keyTimes.resolved.at as number;
    expect(started).toBeGreaterThanOrEqual(t0 - 1000);
    expect(resolved).toBeLessThanOrEqual(t1 + 1000);
    // Durations run from when the impact began: the incident's start, or an earlier sign from the cluster.
    expect(json.keyTimes.began.at).toBeLessThanOrEqual(started);
    expect(json.durations.toResolve.ms).toBe(resolved - json.keyTimes.began.at);
    expect(json.durations.toMitigate.ms).toBeLessThanOrEqual(json.durations.toResolve.ms);
    expect(json.actions.length).toBeGreaterThanOrEqual(1);
  });

  it('a second start in the same channel says which incident is open; bad arguments get a clear message', async () => {
    await stack.slash('start "api errors" --sev 3', { command: '/incident', user: ALICE });
    await waitForMessage(stack, (m) => /api errors/.test(messageText(m)));
    await stack.slash('start "another one"', { command: '/incident', user: BOB });
    const e = await waitForEphemeral(stack, BOB, /already open/);
    expect(messageText(e)).toContain('api errors');
    const bad = await stack.slash('sev 7', { command: '/incident', user: BOB });
    expect((bad.json as { text: string }).text).toMatch(/sev|severity/i);
    await stack.slash('resolve', { command: '/incident', user: ALICE });
    // Wait for this resolve (the second of the file) to finish before the next test starts one.
    const resolves = () => stack.slack.calls('response_url').filter((c) => /resolved after/.test(JSON.stringify(c.args))).length;
    await stack.slack.waitFor(() => (resolves() >= 2 ? true : undefined), { timeoutMs: 15_000 });
  });

  it('a :pushpin: reaction adds a channel message to the timeline, stamped with the message\'s own time', async () => {
    await stack.slash('start "disk pressure on node03" --sev 3', { command: '/incident', user: ALICE });
    await waitForMessage(stack, (m) => /disk pressure on node03/.test(messageText(m)));
    const said = stack.slack.workspace.postMessage({ channel: OPS, user: BOB, text: 'node03 /var is at 97%, image GC is not keeping up' }).message;
    // The pin comes later than the message: wait until the clock has moved past it.
    await eventually(() => Date.now() > Number(said.ts) * 1000 + 2, { what: 'the clock to pass the message' });
    const res = await sendEvent(stack.bot.url, SIGNING_SECRET, { type: 'reaction_added', user: CAROL, reaction: 'pushpin', item: { type: 'message', channel: OPS, ts: said.ts }, item_user: BOB });
    expect(res.status).toBe(200);
    // Bolt acks an event before its handler runs: wait for the entry itself.
    const incident = await stack.bot.services.incidents.openIn(OPS);
    const pinned = await eventually(async () => (await stack.bot.services.timeline.read(incident!.id)).find((e) => /image GC/.test(e.text)), { what: 'the pinned message on the timeline' });
    expect(pinned.at).toBe(Math.round(Number(said.ts) * 1000));
    expect(pinned.actor).toBe(BOB);
    await stack.slash('timeline', { command: '/incident', user: ALICE });
    const timeline = await stack.slack.waitFor(() => stack.slack.calls('response_url').find((c) => /image GC is not keeping up/.test(JSON.stringify(c.args))), { timeoutMs: 15_000 });
    // People by name (users.info), not as mentions that would ping them again.
    expect(JSON.stringify(timeline.args)).toContain("Bob Backup");
    await stack.slash('resolve', { command: '/incident', user: ALICE });
  });

  it('a timeline too long for a message goes up as a Markdown file naming people, as the postmortem does', async () => {
    await eventually(async () => (await stack.bot.services.incidents.openIn(OPS)) === undefined, { what: 'the previous incident resolved' });
    await stack.slash('start "etcd latency" --sev 3', { command: '/incident', user: ALICE });
    await waitForMessage(stack, (m) => /etcd latency/.test(messageText(m)));
    const incident = (await stack.bot.services.incidents.openIn(OPS))!;
    const words = 'fsync p99 on the etcd members is over 100 ms and the apiserver is slow to answer watches; '.repeat(5);
    for (let i = 0; i < 8; i++) await stack.slash(`note "${i}: ${words}"`, { command: '/incident', user: i % 2 ? BOB : ALICE });
    await eventually(async () => (await stack.bot.services.timeline.read(incident.id)).filter((e) => e.kind === 'incident.note').length === 8, { what: 'the eight notes on the timeline' });
    await stack.slash('timeline', { command: '/incident', user: ALICE });
    const md = await uploaded(new RegExp(`^${incident.id}-timeline\\.md$`));
    expect(md).toMatch(/Alice Oncall .*0: fsync/);
    expect(md).toMatch(/Bob Backup .*1: fsync/);
    for (const id of [ALICE, BOB]) expect(md).not.toContain(id);
    await stack.slash('resolve', { command: '/incident', user: ALICE });
  });
});

