import { BadArgsError, ErrorCode, isSitrepError, type Risk, SlashCommand } from '../src/core/index.js';
import { takesNamespace, type CommandSpec, type JobMode } from './command-spec.js';
import { COMMON_K8S_FLAGS, HELP_FLAGS } from './common-flags.js';
import { looksLikeFlag, parseFlags } from './flags.js';
import { commandsOf, findCommand, normalizeCommand } from './registry.js';
import { suggest } from '../src/core/text/suggest.js';
import { type Token, tokenize } from './tokenize.js';
import { checkName, show } from './values.js';

export type ParsedCommand = {
  ok: true;
  command: SlashCommand;
  /** The canonical verb (aliases resolved): `restart` for `rollout restart`. */
  verb: string;
  risk: Risk;
  mode: JobMode;
  /** Verb-specific, plain JSON; the shape is the verb file's exported `…Args` type. */
  args: Record<string, unknown>;
  /** From `--cluster`; undefined means the caller's default. */
  cluster?: string;
  /**
   * The namespace the verb acts in (`-n`, else `default`), for policy matching; undefined for
   * cluster-scoped work and reads over all namespaces. Namespaced verbs also carry it in `args`.
   */
  namespace?: string;
  /** Exactly what the user typed after the slash command. */
  text: string;
};

export type ParseFailure = {
  ok: false;
  command: SlashCommand;
  verb?: string;
  /** `message`: what was wrong. `hint`: the right form (usage), and where to read more. */
  error: BadArgsError;
};

/** Longer than any real command; refusing early keeps every later step cheap. */
export const MAX_TEXT = 16_000;

/** Cluster names come from kubeconfig contexts and config: allow their usual characters only. */
const CLUSTER = /^[A-Za-z0-9][A-Za-z0-9._@:/-]{0,252}$/;

function usageHint(spec: CommandSpec): string {
  return `Usage: \`${spec.usage}\` · more: \`${spec.command} help ${spec.verb}\``;
}

function verbList(command: SlashCommand): string {
  return commandsOf(command).map((s) => `\`${s.verb}\``).join(', ');
}

function fail(command: SlashCommand, message: string, hint: string, verb?: string, code: typeof ErrorCode.BadArgs | typeof ErrorCode.UnknownVerb = ErrorCode.BadArgs): ParseFailure {
  return { ok: false, command, ...(verb === undefined ? {} : { verb }), error: new BadArgsError(message, { hint, code }) };
}

/**
 * kubectl lets global flags come before the verb (`-n shop get pods`); move /k8s's common flags
 * from the front to the end so the verb is first.
 */
function hoistLeadingCommonFlags(tokens: Token[]): Token[] {
  const moved: Token[] = [];
  let k = 0;
  while (k < tokens.length && looksLikeFlag(tokens[k]!)) {
    const v = tokens[k]!.value;
    const takesNext = v === '-n' || v === '--namespace' || v === '--cluster';
    const inline = /^(-n.+|--namespace=.*|--cluster=.*)$/s.test(v);
    if (!takesNext && !inline) break;
    const take = takesNext && k + 1 < tokens.length ? 2 : 1;
    moved.push(...tokens.slice(k, k + take));
    k += take;
  }
  return [...tokens.slice(k), ...moved];
}

function parseUnsafe(commandInput: SlashCommand | string, text: string): ParsedCommand | ParseFailure {
  const command = normalizeCommand(String(commandInput));
  if (command === undefined) {
    return fail(SlashCommand.K8s, `Unknown command ${show(String(commandInput))}: sitrep answers /k8s and /incident.`, 'Try `/k8s help` or `/incident help`.', undefined, ErrorCode.UnknownVerb);
  }
  const general = `Try \`${command} help\`. Verbs: ${verbList(command)}.`;
  if (text.length > MAX_TEXT) return fail(command, `Too long: ${text.length} characters (limit ${MAX_TEXT}).`, general);

  // Prose verbs (notes, titles) read quotes as text; the verb decides which reading applies.
  const strict = tokenize(text);
  const firstWord = strict.ok ? strict.tokens[0] : undefined;
  let tokenized = strict;
  if (!strict.ok || (firstWord && findCommand(command, firstWord.value)?.freeText)) {
    const prose = tokenize(text, { literalQuotes: true });
    const proseSpec = prose.ok && prose.tokens[0] ? findCommand(command, prose.tokens[0].value) : undefined;
    if (proseSpec?.freeText) tokenized = prose;
    else if (!strict.ok) {
      const spec = proseSpec ?? (prose.ok && prose.tokens[0]?.value.toLowerCase() === 'rollout' ? findCommand(command, 'restart') : undefined);
      return fail(command, strict.message, spec ? usageHint(spec) : general, spec?.verb);
    }
  }
  if (!tokenized.ok) return fail(command, tokenized.message, general);
  let tokens = tokenized.tokens;
  if (command === SlashCommand.K8s) tokens = hoistLeadingCommonFlags(tokens);

  const verbToken = tokens[0];
  if (!verbToken) {
    const example = command === SlashCommand.K8s ? '`/k8s get pods -n NS`' : '`/incident start TITLE`';
    return fail(command, `Missing verb: try ${example} or \`${command} help\`.`, general);
  }
  let rest = tokens.slice(1);
  let word = verbToken.value.toLowerCase();
  // `kubectl rollout restart deploy/web` habits: read `rollout restart` as `restart`.
  if (command === SlashCommand.K8s && word === 'rollout') {
    if (rest[0]?.value.toLowerCase() !== 'restart') {
      return fail(command, 'rollout: only `rollout restart` is supported here.', usageHint(findCommand(command, 'restart')!), 'restart');
    }
    word = 'restart';
    rest = rest.slice(1);
  }
  const spec = verbToken.quoted || looksLikeFlag(verbToken) ? undefined : findCommand(command, word);
  if (!spec) {
    const names = commandsOf(command).flatMap((s) => [s.verb, ...s.aliases]);
    const guess = looksLikeFlag(verbToken) ? undefined : suggest(word, names);
    const guessSpec = guess === undefined ? undefined : findCommand(command, guess);
    const other = command === SlashCommand.K8s ? SlashCommand.Incident : SlashCommand.K8s;
    const elsewhere = guess === undefined ? findCommand(other, word) : undefined;
    const message = looksLikeFlag(verbToken)
      ? `Missing verb before ${show(verbToken.display)}: e.g. \`${command} ${command === SlashCommand.K8s ? 'get pods' : 'note TEXT'} ${verbToken.display}\`.`
      : `Unknown verb ${show(verbToken.display)}.${guessSpec ? ` Did you mean \`${guessSpec.verb}\`?` : ''}${elsewhere ? ` \`${word}\` is a \`${other}\` verb.` : ''}`;
    return fail(command, message, guessSpec ? usageHint(guessSpec) : general, undefined, ErrorCode.UnknownVerb);
  }

  // `VERB --help` / `VERB -h`: that verb's help, whatever else was typed.
  const helpSpec = findCommand(command, 'help');
  for (const t of rest) {
    if (t.kind === 'text' && !t.quoted && t.value === '--') break;
    if (helpSpec && looksLikeFlag(t) && HELP_FLAGS.has(t.value.toLowerCase())) {
      return { ok: true, command, verb: helpSpec.verb, risk: helpSpec.risk, mode: helpSpec.mode, args: { verb: spec.verb }, text };
    }
  }

  const hint = usageHint(spec);
  try {
    const flagSpecs = command === SlashCommand.K8s ? [...spec.flags, ...COMMON_K8S_FLAGS] : spec.flags;
    const { positionals, flags } = parseFlags(rest, flagSpecs, { verb: spec.verb, ...(spec.freeText ? { freeText: true } : {}) });

    // Namespace and cluster first: names are checked before anything else reads them.
    const nsRaw = flags.text('namespace');
    const namespace = nsRaw === undefined ? undefined : checkName('namespace', nsRaw, 'label');
    const clusterRaw = flags.text('cluster');
    if (clusterRaw !== undefined && !CLUSTER.test(clusterRaw)) {
      throw new BadArgsError(`Bad cluster name ${show(clusterRaw)}: use the name from \`/k8s status\`.`);
    }

    const built = spec.build({ positionals, flags });
    // `-n` belongs to the args of verbs whose contract acts in a namespace; others ignore it, as kubectl does.
    const checked = spec.job.args.safeParse(namespace !== undefined && takesNamespace(spec.job) ? { ...(built as Record<string, unknown>), namespace } : built);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')} ` : '';
      throw new BadArgsError(`Bad arguments for ${spec.verb}: ${where}${issue?.message ?? 'invalid'}.`);
    }
    const args = checked.data;
    return {
      ok: true,
      command,
      verb: spec.verb,
      risk: spec.risk,
      mode: spec.mode,
      args,
      ...(clusterRaw === undefined ? {} : { cluster: clusterRaw }),
      ...(spec.job.namespaceOf(args) === undefined ? {} : { namespace: spec.job.namespaceOf(args) }),
      text,
    };
  } catch (err) {
    if (err instanceof BadArgsError) return fail(command, err.message, hint, spec.verb);
    throw err;
  }
}

/**
 * Reads one slash command. Never throws, for any input: bad input comes back as a ParseFailure
 * whose error says what was wrong and whose hint shows the right form. Runs in time linear in the
 * text (no backtracking regular expressions over user input).
 */
export function parseCommand(command: SlashCommand | string, text: string): ParsedCommand | ParseFailure {
  const cmd = normalizeCommand(typeof command === 'string' ? command : String(command)) ?? SlashCommand.K8s;
  try {
    return parseUnsafe(command, typeof text === 'string' ? text : String(text ?? ''));
  } catch (err) {
    // A bug of ours, not the user's typing: say so plainly rather than blame their input.
    const detail = isSitrepError(err) || err instanceof Error ? err.message : String(err);
    return fail(cmd, `Could not read that command (sitrep bug: ${detail.slice(0, 200)}).`, `Try \`${cmd} help\`.`);
  }
}
