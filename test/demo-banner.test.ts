import { describe, expect, it } from 'vitest';
import { banner, suggestedNode, type Demo } from '../src/demo/demo.js';
import { SCENARIOS, startSandbox } from '../src/sandbox/index.js';

/**
 * The demo's banner tells a new user what to type, for the scenario they started. In every
 * scenario the node it names is one that scenario has (the `large` one has no node02), read from
 * the running sandbox; the story is the scenario's own (maintenance: drain then the runbook;
 * notready-rwo: fence and unfence the dead node); and whoever is asked to approve is not the one
 * who typed the request (the console remembers the person picked last).
 */

/** What each scenario's banner must tell the user to type, beyond what every banner says. */
const STORY: Record<string, (node: string) => RegExp[]> = {
  maintenance: (n) => [new RegExp(`/k8s drain ${n} --delete-emptydir-data --force\\n`), new RegExp(`/k8s runbook node-maintenance node=${n}\\n`), new RegExp(`/debug/sandbox/nodes/${n}/reboot -f /dev/null`), /Switch back to Alice/],
  'notready-rwo': (n) => [new RegExp(`/k8s fence ${n}\\n`), new RegExp(`/k8s unfence ${n}\\n`), new RegExp(`/debug/sandbox/nodes/${n}/reboot`), /switch back to Alice/],
  'memory-pressure': (n) => [/\/k8s top nodes\n/, new RegExp(`/k8s drain ${n}\\n`), /MemoryPressure/],
  'local-storage': (n) => [new RegExp(`/k8s drain ${n}\\n`), /local PersistentVolumes/],
};

describe("sitrep demo's banner", () => {
  for (const scenario of Object.keys(SCENARIOS)) {
    it(`${scenario}: tells this scenario's story, about a node the cluster has`, async () => {
      const sandbox = await startSandbox({ scenario });
      try {
        const nodes = sandbox.store.peek('nodes').items.map((n) => n.metadata.name);
        const node = suggestedNode(sandbox, scenario)!;
        expect(nodes).toContain(node);
        const demo = { consoleUrl: 'http://localhost:3000', botUrl: 'http://127.0.0.1:1/slack/events', sandbox, redis: { url: 'redis://127.0.0.1:1', throwaway: true, pid: 1, port: 1 }, prefix: 'p' } as unknown as Demo;
        const text = banner(demo, scenario, 0.1);
        // What to type names no other node (the paragraph before the Cluster, Redis, Node lines).
        const story = text.slice(0, text.indexOf('Cluster '));
        for (const other of story.match(/\b(?:node|worker|master|cp)[-\w]*\d\b/g) ?? []) expect(nodes, `the banner names ${other}`).toContain(other);
        expect(story).toMatch(/You are Alice/);
        expect(story).toMatch(/user switcher/);
        expect(story).toMatch(/[Ss]witch to Bob/);
        for (const line of (STORY[scenario] ?? ((n: string) => [new RegExp(`/k8s drain ${n}\\n`), new RegExp(`Watch ${n} empty`)]))(node)) expect(story).toMatch(line);
        // A second request comes from Alice again: Bob cannot approve what he asked for himself.
        const secondAsk = story.search(/runbook node-maintenance|unfence/);
        if (secondAsk >= 0) expect(story.slice(story.indexOf('witch to Bob'), secondAsk)).toMatch(/switch back to Alice/i);
        if (scenario === 'maintenance') expect(node).toBe('node02');
        if (scenario === 'notready-rwo') expect(node).toBe('node03');
      } finally {
        await sandbox.close();
      }
    });
  }
});
