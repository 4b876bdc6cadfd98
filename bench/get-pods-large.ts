/**
 * `/k8s get pods -A` against the sandbox's `large` scenario (2,000 pods), end to end (not a test):
 * from sending the signed slash command to the final table being posted to the stand-in Slack.
 * Target (issue 3): within 2 s.
 */
import { median, ms } from './support.js';
import { messageText, OPS, startStack } from '../test/support/stack.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const stack = await startStack({ scenario: 'large', params: { nodes: 20, podsPerNode: 100 }, editIntervalMs: 1000 });
try {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const marker = `-l bench!=run${i}`;
    const t0 = performance.now();
    await stack.slash(`get pods -A ${marker}`);
    await stack.slack.waitFor(() => stack.slack.workspace.messages(OPS).find((m) => /^Done/.test(m.text ?? '') && messageText(m).includes(`run${i}`)), { timeoutMs: 30_000 });
    times.push(performance.now() - t0);
  }
  const last = stack.slack.workspace.messages(OPS).at(-1)!;
  console.log(`get pods -A on 2,000 pods, command to final message: median ${ms(median(times))} over ${RUNS} runs (${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
  console.log(`final message: ${last.text}`);
} finally {
  await stack.stop();
}
