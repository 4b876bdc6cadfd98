import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCommand } from '../../commands/registry.js';
import { checkRunbookCommand, loadRunbookCatalog } from '../../src/chat/runbook-catalog.js';
import { ConfigError, ErrorCode } from '../../src/core/errors.js';
import { BUILT_IN_RUNBOOKS, parseRunbookText, PlanTime, type RunbookCatalog } from '../../src/runbooks/index.js';
import { ROOT, spawnSitrep } from '../ops/support/processes.js';

/**
 * Runbook files (issue 18): every mistake an admin can make is reported at start-up as
 * `file:line:column: what is wrong`, all at once, checked with the verbs' own grammar; the
 * built-ins load; a request's values are checked against each parameter's type.
 */

async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sitrep-runbooks-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** The problem lines a directory of runbooks fails with. */
async function problems(files: Record<string, string>): Promise<{ dir: string; lines: string[]; error: ConfigError }> {
  const dir = await dirWith(files);
  try {
    loadRunbookCatalog(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.code).toBe(ErrorCode.RunbookInvalid);
    return { dir, lines: e.message.split('\n').slice(1), error: e };
  }
  throw new Error('the runbooks loaded');
}

const GOOD = `description: Restart web and wait for it.
params:
  ns: { description: The namespace., type: namespace, default: shop }
steps:
  - run: restart deployment/web -n {{ns}}
  - wait: { deployment-available: web, namespace: "{{ns}}" }
    timeout: 5m
`;

describe('runbook files', () => {
  it('the built-ins load; node-replace is offered only where /k8s fence exists', () => {
    const catalog = loadRunbookCatalog();
    expect(catalog.get('node-maintenance')?.source).toBe('built-in');
    if (findCommand('/k8s', 'fence')) {
      expect(catalog.get('node-replace')).toBeDefined();
    } else {
      expect(catalog.unavailable).toEqual([{ name: 'node-replace', source: 'built-in', reason: 'steps[2]: run: Unknown verb "fence".' }]);
    }
  });

  it('a YAML syntax error, an unknown key and a missing description point at their line and column', async () => {
    const { dir, lines } = await problems({
      'broken.yaml': 'description: x\nsteps:\n  - run: cordon node01\n   manual: oops\n',
      'typo.yaml': 'description: x\nsteps:\n  - run: cordon node01\n    timout: 5m\n',
      'bare.yaml': 'steps:\n  - note: hello\n',
    });
    expect(lines).toContain(`${join(dir, 'bare.yaml')}:1:1: description is missing (description must be text)`);
    expect(lines.some((l) => l.startsWith(`${join(dir, 'broken.yaml')}:4:`) && /not valid YAML/.test(l))).toBe(true);
    expect(lines).toContain(`${join(dir, 'typo.yaml')}:4:5: steps[0]: unknown key "timout". Did you mean "timeout"? Allowed keys: name, run, wait, manual, note, if, timeout, plan`);
  });

  it('a run: line is read by the /k8s grammar: an unknown flag, a read verb, --cluster and --dry-run are refused at the run: value', async () => {
    const { dir, lines } = await problems({
      'steps.yaml': [
        'description: x',
        'params:',
        '  node: { description: n }',
        'steps:',
        '  - run: drain {{node}} --forcee',
        '  - run: get pods -A',
        '  - run: cordon {{node}} --cluster prod',
        '  - run: drain {{node}} --dry-run',
        '',
      ].join('\n'),
    });
    const at = (line: number) => lines.find((l) => l.startsWith(`${join(dir, 'steps.yaml')}:${line}:10: `));
    expect(at(5)).toMatch(/steps\[0\]: run: Unknown flag --forcee for drain\. Did you mean `--force`\? Usage: `\/k8s drain NODE/);
    expect(at(6)).toMatch(/steps\[1\]: run: `get` only reads; a step runs a verb that changes the cluster/);
    expect(at(7)).toMatch(/steps\[2\]: run: --cluster is not allowed in a step/);
    expect(at(8)).toMatch(/steps\[3\]: run: --dry-run is not allowed in a step/);
    expect(lines).toHaveLength(4);
  });

  it('placeholders must name a parameter; a step does one thing; conditions name one object; timeouts are durations', async () => {
    const { dir, lines } = await problems({
      'shape.yaml': [
        'description: x',
        'params:',
        '  node: { description: n }',
        'steps:',
        '  - run: cordon {{nod}}',
        '',
      ].join('\n'),
      'kinds.yaml': [
        'description: x',
        'steps:',
        '  - run: cordon node01',
        '    note: and a note',
        '  - wait: { node-ready: node01, pods-gone: node01 }',
        '  - wait: { pods-gone: node01 }',
        '    timeout: soon',
        '',
      ].join('\n'),
    });
    const file = (name: string) => join(dir, name);
    expect(lines).toContain(`${file('shape.yaml')}:5:10: steps[0].run: {{nod}} is not a parameter of this runbook. Did you mean "node"? Parameters: node.`);
    expect(lines).toContain(`${file('kinds.yaml')}:3:5: steps[0]: a step does one thing: run and note are two steps`);
    expect(lines).toContain(`${file('kinds.yaml')}:5:11: steps[1].wait: name one condition, not node-ready and pods-gone`);
    expect(lines).toContain(`${file('kinds.yaml')}:7:14: steps[2]: timeout "soon" is not a duration; write e.g. 90s, 20m or 1h`);
  });

  it('two files naming the same runbook are refused; a file named like a built-in replaces it', async () => {
    const { dir, lines } = await problems({ 'a.yaml': `name: web-restart\n${GOOD}`, 'b.yaml': `name: web-restart\n${GOOD}` });
    expect(lines).toEqual([`${join(dir, 'b.yaml')}:1:1: runbook web-restart is also defined in ${join(dir, 'a.yaml')}; runbook names must be unique`]);
    const catalog = loadRunbookCatalog(await dirWith({ 'node-maintenance.yaml': GOOD }));
    expect(catalog.get('node-maintenance')?.description).toBe('Restart web and wait for it.');
  });

  it('a missing SITREP_RUNBOOKS directory says so', () => {
    expect(() => loadRunbookCatalog('/nonexistent/runbooks')).toThrow(/SITREP_RUNBOOKS is not a readable directory: \/nonexistent\/runbooks \(ENOENT\)/);
  });
});

describe('starting a runbook with values', () => {
  const catalog: RunbookCatalog = loadRunbookCatalog();
  const maintenance = catalog.get('node-maintenance')!;

  it('fills every step; steps after a manual step or a wait are planned when reached', () => {
    const filled = catalog.instantiate(maintenance, { node: 'node02' });
    if (!filled.ok) throw new Error(filled.message);
    const steps = filled.instance.steps;
    expect(steps.map((s) => (s.kind === 'run' ? `${s.verb}:${s.plan}` : s.kind))).toEqual(['cordon:now', 'drain:now', 'manual', 'wait', `uncordon:${PlanTime.WhenReached}`, 'note']);
    expect(steps[1]).toMatchObject({ kind: 'run', args: { node: 'node02', deleteEmptyDirData: true, force: true, timeoutMs: 900_000 }, target: 'node/node02' });
    expect(steps[3]).toMatchObject({ kind: 'wait', args: { condition: { kind: 'node-ready', node: 'node02', newBootId: true }, timeoutMs: 1_200_000 } });
  });

  it('unknown, missing and malformed values are refused with the right form; a value cannot add a flag', () => {
    const no = (params: Record<string, string>) => {
      const r = catalog.instantiate(maintenance, params);
      if (r.ok) throw new Error('accepted');
      return `${r.message} ${r.hint}`;
    };
    expect(no({ nod: 'node02' })).toMatch(/has no parameter "nod". Did you mean "node"\? Parameters: node\. Usage: `\/k8s runbook node-maintenance node=NODE`/);
    expect(no({})).toMatch(/needs node=… \(The node to reboot\)/);
    expect(no({ node: '--force' })).toMatch(/node="--force" must be a Kubernetes object name/);
    expect(no({ node: 'node02 --disable-eviction' })).toMatch(/must be a Kubernetes object name/);
  });

  it('a runbook file may plan a step at approval even after a manual step, if it says so', () => {
    const parsed = parseRunbookText('description: x\nsteps:\n  - manual: do it\n  - run: cordon node01\n    plan: now\n  - run: uncordon node01\n', 'inline', { checkRun: checkRunbookCommand, defaultName: 'x' });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const r = loadRunbookCatalog().instantiate(parsed.runbook, {});
    expect(r.ok && r.instance.steps.map((s) => (s.kind === 'run' ? s.plan : s.kind))).toEqual(['manual', 'now', 'when-reached']);
  });
});

describe('the README documents the format with the two built-ins', () => {
  it('shows each built-in exactly as it ships', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const b of BUILT_IN_RUNBOOKS) expect(readme).toContain(`\`\`\`yaml\n${b.yaml}\`\`\``);
  });
});

describe('start-up', () => {
  it('a malformed runbook file stops `sitrep bot` with file:line:column and exit code 1, before it connects anywhere', async () => {
    const dir = await dirWith({ 'bad.yaml': 'description: x\nsteps:\n  - run: drian node01\n' });
    const bot = spawnSitrep(['bot'], { SLACK_SIGNING_SECRET: 'x'.repeat(32), SLACK_BOT_TOKEN: 'xoxb-test', SITREP_RUNBOOKS: dir, REDIS_URL: 'redis://127.0.0.1:1' });
    const { code } = await bot.exited;
    expect(code).toBe(1);
    expect(bot.output()).toContain(`${join(dir, 'bad.yaml')}:3:10: steps[0]: run: Unknown verb "drian". Did you mean \`drain\`?`);
    expect(bot.output()).toMatch(/Fix the runbook files in .* \(SITREP_RUNBOOKS\) and start sitrep again/);
    expect(bot.output()).not.toMatch(/\n\s+at /);
  }, 30_000);
});
