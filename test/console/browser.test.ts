import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../../src/demo/demo.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';

/**
 * The demo as a person uses it: headless Chromium on the console page, typing commands and
 * clicking buttons, against the real bot, worker, Redis and sandbox cluster.
 */

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`Skipping the browser test: ${CHROMIUM} is missing (apt-get install chromium; .ci/run should install it).`);

const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const DOCS_SCREENSHOT = join(process.cwd(), 'docs', 'console-mid-drain.png');
const ALICE = 'U0ALICE001';
const BOB = 'U0BOB00001';
const CAROL = 'U0CAROL001';
const DRAIN = '/k8s drain node02 --delete-emptydir-data --force';
const WAIT = { timeout: 20_000 };

let redis: TestRedis;
let demo: Demo;
let browser: Browser;
let page: Page;
/** Script errors and console errors on the page (a CSP refusal shows up here too). */
const pageProblems: string[] = [];

async function shot(name: string): Promise<string> {
  const path = join(ARTIFACTS, `console-${name}.png`);
  // Screenshots show the page, not where the mouse happens to rest.
  await page.mouse.move(5, 5);
  await page.screenshot({ path });
  return path;
}

async function type(text: string): Promise<void> {
  const input = page.getByTestId('composer-input');
  await input.fill(text);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe('');
}

/** A message in the channel (not the thread pane) whose text matches. */
const channelMessage = (text: string | RegExp) => page.getByTestId('message-list').getByTestId('message').filter({ hasText: text });
const ephemeral = (text: string | RegExp) => page.getByTestId('message-list').getByTestId('ephemeral').filter({ hasText: text });

async function actAs(user: string): Promise<void> {
  await page.getByTestId('user-switcher').selectOption(user);
  // The page reconnects as the new user; wait until it shows their view, not the last one's.
  await page.locator(`body[data-me=${user}]`).waitFor(WAIT);
}

describe.skipIf(!haveChromium)('the local Slack console in a browser', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    redis = await startTestRedis();
    demo = await startDemo({ port: 0, redisUrl: redis.url, timeScale: 0.15, editIntervalMs: 250, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }) });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageProblems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') pageProblems.push(`console: ${m.text()}`); });
    // Nothing on the page may come from anywhere but the console itself.
    await page.route(/^(?!http:\/\/localhost:)/, (route) => route.abort());
    await page.goto(`${demo.consoleUrl}/?as=${ALICE}#ops`);
    await page.getByTestId('cluster-node').first().waitFor(WAIT);
  });

  afterEach(() => {
    expect(pageProblems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    await redis?.stop();
  });

  it('renders Block Kit and mrkdwn as Slack does, and a denied confirm sends nothing', async () => {
    await page.locator('[data-testid=channel-link][data-channel=postmortems]').click();
    demo.slack.workspace.postMessage({
      channel: 'C0POSTMORT',
      text: 'fallback text, not shown when there are blocks',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Render check :white_check_mark:', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: '*bold* _italic_ ~gone~ `code` <@U0BOB00001> <#C0INCIDENT|incidents> <https://example.com/runbook|the runbook> &lt;script&gt;x&lt;/script&gt; :rotating_light:\n```line one\n  line two```' } },
        { type: 'section', fields: [{ type: 'mrkdwn', text: '*Severity*\nSEV2' }, { type: 'mrkdwn', text: '*Status*\nresolved' }] },
        { type: 'divider' },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'context for <!subteam^S0ONCALL01>' }] },
        {
          type: 'actions',
          elements: [{
            type: 'button', action_id: 'render_check', value: 'v', style: 'danger', text: { type: 'plain_text', text: 'Delete it' },
            confirm: { title: { type: 'plain_text', text: 'Really?' }, text: { type: 'mrkdwn', text: 'This *cannot* be undone.' }, confirm: { type: 'plain_text', text: 'Delete' }, deny: { type: 'plain_text', text: 'Keep it' }, style: 'danger' },
          }],
        },
      ],
    });
    const m = channelMessage('Render check');
    await m.waitFor(WAIT);
    expect(await m.locator('.block-header').innerText()).toBe('Render check ✅');
    expect(await m.locator('strong').first().innerText()).toBe('bold');
    expect(await m.locator('em').first().innerText()).toBe('italic');
    expect(await m.locator('del').innerText()).toBe('gone');
    expect(await m.locator('code.inline-code').first().innerText()).toBe('code');
    expect(await m.locator('.mention[data-user=U0BOB00001]').innerText()).toBe('@bob');
    expect(await m.locator('.channel-mention').innerText()).toBe('#incidents');
    expect(await m.locator('a[href="https://example.com/runbook"]').innerText()).toBe('the runbook');
    expect(await m.locator('pre.code-block').innerText()).toBe('line one\n  line two');
    expect(await m.locator('.fields .field').allInnerTexts()).toEqual(['Severity\nSEV2', 'Status\nresolved']);
    expect(await m.locator('.block-context').innerText()).toBe('context for @oncall');
    expect(await m.locator('hr.block-divider').count()).toBe(1);
    // Escaped text stays text: no element came out of it.
    expect(await m.innerText()).toContain('<script>x</script>');
    expect(await m.locator('script').count()).toBe(0);
    expect(await m.innerText()).not.toContain('fallback text');

    const posts: string[] = [];
    page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
    const button = m.locator('[data-action-id=render_check]');
    expect(await button.getAttribute('class')).toContain('btn-danger');
    await button.click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'visible' });
    expect(await page.getByTestId('confirm-title').innerText()).toBe('Really?');
    expect(await page.getByTestId('confirm-text').innerText()).toBe('This cannot be undone.');
    expect(await page.getByTestId('confirm-ok').innerText()).toBe('Delete');
    await page.getByTestId('confirm-deny').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'hidden' });
    expect(posts).toEqual([]);
    page.removeAllListeners('request');
    await page.locator('[data-testid=channel-link][data-channel=ops]').click();
  });

  it('a drain: plan with warnings, self-approval refused, the other on-call approves, live progress, done', async () => {
    await page.locator(`body[data-me=${ALICE}]`).waitFor(WAIT);
    const node02 = page.locator('[data-testid=cluster-node][data-node=node02]');
    await expect.poll(() => node02.getAttribute('data-status'), WAIT).toBe('Ready');

    // Carol watches #ops in another tab: she sees the shared card live, never Alice's ephemerals.
    const carol = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await carol.goto(`${demo.consoleUrl}/?as=${CAROL}#ops`);
    await carol.locator(`body[data-me=${CAROL}]`).waitFor(WAIT);

    await type(DRAIN);
    const card = channelMessage('Approval needed');
    await card.waitFor(WAIT);
    const cardText = await card.innerText();
    expect(cardText).toMatch(/Warnings \(\d+\)/);
    expect(cardText).toMatch(/emptyDir/);
    expect(cardText).toContain('node02');
    await shot('approval-card');

    // Alice asked; Alice cannot approve. The button's confirm is a real modal first.
    await card.locator('[data-action-id=sitrep_approve]').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await page.getByTestId('confirm-title').innerText()).toBe('Approve despite warnings?');
    await page.getByTestId('confirm-ok').click();
    const refusal = ephemeral(/cannot approve your own request/i);
    await refusal.waitFor(WAIT);
    expect(await refusal.innerText()).toContain('Only visible to you');
    expect(await card.innerText()).toContain('Approval needed');
    await shot('self-approval-refused');
    await carol.getByTestId('message').filter({ hasText: 'Approval needed' }).waitFor(WAIT);
    expect(await carol.getByTestId('ephemeral').count()).toBe(0);
    await carol.close();

    // Bob sees the same card but not Alice's private refusal.
    await actAs(BOB);
    await card.waitFor(WAIT);
    expect(await ephemeral(/cannot approve/i).count()).toBe(0);
    await card.locator('[data-action-id=sitrep_approve]').click();
    await page.getByTestId('confirm-ok').click();

    const running = channelMessage('Running');
    await running.waitFor(WAIT);
    // For a telling picture, wait (briefly, and without failing) until some pods are out.
    await channelMessage(/Running[\s\S]*[1-9]\/\d/).waitFor({ timeout: 8000 }).catch(() => {});
    await expect.poll(() => node02.getAttribute('data-status'), WAIT).toBe('Ready,SchedulingDisabled');
    const midDrain = await shot('mid-drain');
    if ((await running.count()) > 0 && process.env.SITREP_UPDATE_DOCS_SCREENSHOT) {
      // Still running after the screenshot was taken, so the screenshot shows it mid-drain.
      copyFileSync(midDrain, DOCS_SCREENSHOT);
      expect(statSync(DOCS_SCREENSHOT).size).toBeLessThan(300 * 1024);
    }
    expect(await running.innerText()).toMatch(/approved by @bob/);

    const done = channelMessage(/Done/);
    await done.waitFor({ timeout: 40_000 });
    const doneText = await done.innerText();
    expect(doneText).toContain('node02');
    expect(doneText).toContain('evicted');
    // The panel shows node02 emptied of everything but its DaemonSet pods.
    await expect.poll(async () => Number(await node02.getAttribute('data-pods')), WAIT).toBe(3);
    expect(await node02.getByTestId('cluster-pod').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/^(calico-node|kube-proxy|node-exporter)-/)]));
    await shot('drain-done');
  });

  it('someone not on call is refused, only they see why, and nothing changes', async () => {
    await actAs(CAROL);
    await type('/k8s uncordon node02');
    const refusal = ephemeral(/Not allowed: uncordon/);
    await refusal.waitFor(WAIT);
    expect(await refusal.innerText()).toContain('Only visible to you');
    const node02 = page.locator('[data-testid=cluster-node][data-node=node02]');
    expect(await node02.getAttribute('data-status')).toBe('Ready,SchedulingDisabled');
  });

  it('an incident: start, a pinned remark, resolve, postmortem exported as a file that downloads', async () => {
    await actAs(ALICE);
    await page.locator('[data-testid=channel-link][data-channel=incidents]').click();
    await expect.poll(() => page.getByTestId('channel-title').innerText(), WAIT).toBe('# incidents');

    await type('/incident start Checkout errors after node02 maintenance --sev 2');
    const incidentCard = channelMessage('Checkout errors after node02 maintenance');
    await incidentCard.waitFor(WAIT);

    // People talk; a :pushpin: reaction puts the remark on the timeline (reaction_added to the bot).
    await type('checkout pods are back on node01, errors stopped');
    const remark = channelMessage('errors stopped');
    await remark.waitFor(WAIT);
    await remark.hover();
    await remark.locator('[data-testid=reaction-add][data-name=pushpin]').click();
    await remark.locator('[data-testid=reaction][data-name=pushpin]').waitFor(WAIT);

    await type('/incident resolve');
    await channelMessage(/resolved after/).waitFor(WAIT);

    await type('/incident postmortem');
    const summary = channelMessage(/Postmortem/i).filter({ has: page.getByTestId('thread-toggle') });
    await summary.waitFor(WAIT);
    await summary.getByTestId('thread-toggle').click();
    // The Markdown file; the timeline chart (a PNG) sits beside it in the thread.
    const fileLink = page.getByTestId('thread-pane').locator('[data-testid="file-link"][href$=".md"]');
    await fileLink.waitFor(WAIT);
    await page.getByTestId('thread-pane').locator('[data-testid="file-link"][href$=".png"]').waitFor(WAIT);
    await shot('postmortem');

    const href = await fileLink.getAttribute('href');
    expect(href).toMatch(/^\/files\/F[A-Z0-9]+\/postmortem-.+\.md$/);
    const res = await fetch(new URL(href!, demo.consoleUrl));
    expect(res.status).toBe(200);
    const markdown = await res.text();
    expect(markdown).toContain('# Postmortem: Checkout errors after node02 maintenance');
    expect(markdown).toContain('Incident started: Checkout errors after node02 maintenance');
    expect(markdown).toContain('Incident resolved');
    expect(markdown).toContain('errors stopped');

    const download = await fetch(new URL(`${href}?download=1`, demo.consoleUrl));
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename\*=UTF-8''postmortem-/);
    expect(await download.text()).toBe(markdown);
  });
});
