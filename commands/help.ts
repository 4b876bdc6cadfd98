import { Risk, SlashCommand } from '../src/core/index.js';
import { JobMode, takesNamespace, type CommandSpec } from './command-spec.js';
import { COMMON_K8S_FLAGS } from './common-flags.js';
import { FlagType, type FlagSpec } from './flags.js';
import { commandsOf, findCommand, normalizeCommand } from './registry.js';
import { escapeMrkdwn } from '../src/core/text/mrkdwn.js';
import { suggest } from '../src/core/text/suggest.js';
import { show } from './values.js';

/**
 * Help, generated from the verb specs so it cannot drift from what the parser accepts.
 * Slack mrkdwn.
 */

const RISK_LABEL: Record<Risk, string> = {
  [Risk.Read]: 'read-only',
  [Risk.Change]: 'change: shows a plan, then runs once confirmed',
  [Risk.Destructive]: 'destructive: shows a plan, needs a second person to approve',
};

function flagLine(f: FlagSpec): string {
  const names = [f.short ? `-${f.short}` : undefined, `--${f.name}`].filter(Boolean).join(', ');
  const value = f.type === FlagType.Value ? ` ${f.valueName ?? 'VALUE'}` : f.type === FlagType.OptionalValue ? `[=${f.valueName ?? 'VALUE'}]` : '';
  const dflt = f.defaultText ? ` (default: ${f.defaultText})` : '';
  return `• \`${names}${value}\` ${f.description}${dflt}`;
}

function riskNote(spec: CommandSpec): string {
  if (spec.mode === JobMode.Bot) return spec.command === SlashCommand.Incident ? 'incident record' : 'answered by sitrep';
  if (spec.mode === JobMode.Runbook) return 'runbook: plans every step, needs approval as its most dangerous step, runs them in order';
  return RISK_LABEL[spec.risk];
}

/**
 * The common /k8s flags a verb's help lists: `-n` only where the verb acts in a namespace (drain
 * refuses it; cordon, top and the bot's verbs have no namespace), `--cluster` everywhere.
 */
function commonFlagsOf(spec: CommandSpec): readonly FlagSpec[] {
  return COMMON_K8S_FLAGS.filter((f) => f.name !== 'namespace' || takesNamespace(spec.job));
}

function verbHelp(spec: CommandSpec): string {
  const lines = [
    `*${spec.command} ${spec.verb}*: ${spec.summary}`,
    `\`${spec.usage}\``,
    `_${riskNote(spec)}_${spec.aliases.length ? ` · also: ${spec.aliases.map((a) => `\`${a}\``).join(', ')}` : ''}`,
    '',
    spec.details,
  ];
  const flags = spec.command === SlashCommand.K8s ? [...spec.flags, ...commonFlagsOf(spec)] : spec.flags;
  if (flags.length) lines.push('', '*Flags*', ...flags.map(flagLine));
  if (spec.examples.length) lines.push('', '*Examples*', ...spec.examples.map((e) => `\`${e}\``));
  return lines.join('\n');
}

const GROUPS: ReadonlyArray<{ title: string; match: (s: CommandSpec) => boolean }> = [
  { title: 'Look', match: (s) => s.mode === JobMode.Read },
  { title: 'Change (asks to confirm)', match: (s) => s.mode === JobMode.Plan && s.risk === Risk.Change },
  { title: 'Destructive (needs approval)', match: (s) => s.mode === JobMode.Plan && s.risk === Risk.Destructive },
  { title: 'Runbooks (a procedure approved once)', match: (s) => s.mode === JobMode.Runbook },
  { title: 'sitrep', match: (s) => s.mode === JobMode.Bot },
];

function overview(command: SlashCommand): string {
  const specs = commandsOf(command);
  const lines: string[] = [];
  if (command === SlashCommand.K8s) {
    for (const g of GROUPS) {
      const members = specs.filter(g.match);
      if (!members.length) continue;
      lines.push(`*${g.title}*`, ...members.map((s) => `• \`${s.usage}\` ${s.summary}`), '');
    }
    lines.push('Every verb takes `--cluster NAME`; those that act in a namespace take `-n NS`. `/k8s help VERB` for flags and examples.');
  } else {
    lines.push('*Incident*', ...specs.map((s) => `• \`${s.usage}\` ${s.summary}`), '', '`/incident help VERB` for flags and examples.');
  }
  return lines.join('\n');
}

/**
 * Help for a slash command (all verbs, grouped by risk) or for one verb (usage, flags, examples).
 * An unknown verb gets a did-you-mean and the list.
 */
export function helpText(command: SlashCommand, verb?: string): string {
  const cmd = normalizeCommand(String(command)) ?? SlashCommand.K8s;
  const asked = verb?.trim().toLowerCase().replace(/^\//, '');
  if (!asked) return overview(cmd);
  const spec = findCommand(cmd, asked === 'rollout' ? 'restart' : asked);
  if (spec) return verbHelp(spec);
  const names = commandsOf(cmd).flatMap((s) => [s.verb, ...s.aliases]);
  const guess = suggest(asked, names);
  const guessSpec = guess === undefined ? undefined : findCommand(cmd, guess);
  const head = `Unknown verb ${escapeMrkdwn(show(asked))}.${guessSpec ? ` Did you mean \`${guessSpec.verb}\`?` : ''}`;
  return `${head}\n\n${overview(cmd)}`;
}
