import { describe, expect, it } from 'vitest';
import { banner, suggestedNode, type Demo } from '../src/demo/demo.js';
import { SCENARIOS, startSandbox } from '../src/sandbox/index.js';

/**
 * The demo's banner tells a new user what to type. In every scenario the node it suggests draining
 * is one that scenario has (the `large` one has no node02), read from the running sandbox.
 */
describe("sitrep demo's banner", () => {
  for (const scenario of Object.keys(SCENARIOS)) {
    it(`${scenario}: suggests draining a node the cluster has`, async () => {
      const sandbox = await startSandbox({ scenario });
      try {
        const nodes = sandbox.store.peek('nodes').items.map((n) => n.metadata.name);
        const node = suggestedNode(sandbox, scenario);
        expect(nodes).toContain(node);
        const demo = { consoleUrl: 'http://localhost:3000', botUrl: 'http://127.0.0.1:1/slack/events', sandbox, redis: { url: 'redis://127.0.0.1:1', throwaway: true, pid: 1, port: 1 }, prefix: 'p' } as unknown as Demo;
        const text = banner(demo, scenario, 0.1);
        expect(text).toContain(`/k8s drain ${node}\n`);
        expect(text).toContain(`Watch ${node} empty`);
        // What to type names no other node (the paragraph before the Cluster, Redis, Node lines).
        const story = text.slice(0, text.indexOf('Cluster '));
        for (const other of story.match(/\b(?:node|worker|master|cp)[-\w]*\d\b/g) ?? []) expect(nodes, `the banner names ${other}`).toContain(other);
        if (scenario === 'maintenance') expect(node).toBe('node02');
      } finally {
        await sandbox.close();
      }
    });
  }
});
