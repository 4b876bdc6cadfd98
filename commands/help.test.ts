import { describe, expect, it } from 'vitest';
import { SlashCommand } from '../src/core/index.js';
import { helpText } from './help.js';
import { parseCommand } from './parse.js';
import { COMMANDS, commandsOf, findCommand } from './registry.js';

describe('helpText', () => {
  it('lists every /k8s verb with its usage', () => {
    const text = helpText(SlashCommand.K8s);
    for (const spec of commandsOf(SlashCommand.K8s)) {
      expect(text).toContain(`\`${spec.usage}\``);
    }
    expect(text).toContain('*Destructive (needs approval)*');
  });

  it('lists every /incident verb with its usage', () => {
    const text = helpText(SlashCommand.Incident);
    for (const spec of commandsOf(SlashCommand.Incident)) expect(text).toContain(`\`${spec.usage}\``);
  });

  it('explains drain: usage, the daemonset default, flags and examples', () => {
    const text = helpText(SlashCommand.K8s, 'drain');
    expect(text).toContain('`/k8s drain NODE [--delete-emptydir-data]');
    expect(text).toContain('`--ignore-daemonsets` leave DaemonSet pods on the node (default: true in sitrep)');
    expect(text).toContain('`--ignore-daemonsets=false`');
    expect(text).toContain('`--timeout DURATION` give up after this long (default: 10m)');
    expect(text).toContain('`--dry-run[=client|server|none]`');
    // drain refuses -n (it evicts pods of every namespace), so its help does not offer it.
    expect(text).not.toContain('--namespace');
    expect(text).toContain('(`-n` is refused)');
    expect(text).toContain('`--cluster NAME`');
    expect(text).toContain('*Examples*\n`/k8s drain node02`');
    expect(text).toContain('needs a second person to approve');
  });

  it('offers -n exactly to the verbs that act in a namespace, and the parser agrees', () => {
    for (const spec of commandsOf(SlashCommand.K8s)) {
      const offered = helpText(SlashCommand.K8s, spec.verb).includes('`-n, --namespace NS`');
      const example = spec.examples[0]!.split(' ').slice(1).join(' ');
      const parsed = parseCommand(SlashCommand.K8s, `${example} -n shop`);
      // Offered: -n reaches the verb's args. Not offered: refused, or has no namespace to act in.
      if (offered) expect(parsed.ok && parsed.args.namespace, spec.verb).toBe('shop');
      else expect(!parsed.ok || parsed.args.namespace === undefined, spec.verb).toBe(true);
    }
    expect(helpText(SlashCommand.K8s, 'get')).toContain('`-n, --namespace NS`');
    expect(helpText(SlashCommand.K8s, 'top')).not.toContain('--namespace');
  });

  it('top says what it shows: requests against allocatable, not live use', () => {
    const text = helpText(SlashCommand.K8s, 'top');
    expect(text).toContain('CPU and memory requested on each node, against what it can allocate.');
    expect(text).toContain('It is not live use');
    expect(text).not.toMatch(/CPU and memory use\b/);
  });

  it('finds verbs by alias and the rollout habit', () => {
    expect(helpText(SlashCommand.K8s, 'log')).toContain('*/k8s logs*');
    expect(helpText(SlashCommand.K8s, 'rollout')).toContain('*/k8s restart*');
    expect(helpText(SlashCommand.Incident, 'pm')).toContain('*/incident postmortem*');
  });

  it('answers an unknown verb with did-you-mean and the list', () => {
    const text = helpText(SlashCommand.K8s, 'dran');
    expect(text.startsWith('Unknown verb "dran". Did you mean `drain`?')).toBe(true);
    expect(text).toContain('`/k8s cordon NODE`');
    expect(helpText(SlashCommand.K8s, 'zzzzzz').startsWith('Unknown verb "zzzzzz".\n')).toBe(true);
  });

  it('escapes what it echoes', () => {
    expect(helpText(SlashCommand.K8s, '<!channel>')).not.toContain('<!channel>');
  });

  it('every example in every help parses to its own verb', () => {
    for (const spec of COMMANDS) {
      expect(spec.examples.length).toBeGreaterThan(0);
      for (const example of spec.examples) {
        const [command, ...rest] = example.split(' ');
        const r = parseCommand(command!, rest.join(' '));
        expect(r.ok ? r.verb : r.error.message, example).toBe(spec.verb);
      }
    }
  });

  it('registry: verbs and aliases are unique per command and found by findCommand', () => {
    for (const command of [SlashCommand.K8s, SlashCommand.Incident]) {
      const words = commandsOf(command).flatMap((s) => [s.verb, ...s.aliases]);
      expect(new Set(words).size).toBe(words.length);
      for (const spec of commandsOf(command)) {
        expect(findCommand(command, spec.verb)).toBe(spec);
        expect(spec.summary).not.toContain('\n');
        expect(spec.usage.startsWith(`${command} ${spec.verb}`)).toBe(true);
      }
    }
  });
});
