import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadArgsError, isDns1123Label, isDns1123Subdomain, SlashCommand } from '../src/core/index.js';
import { helpText } from './help.js';
import { parseCommand } from './parse.js';
import { COMMANDS } from './registry.js';
import { tokenize } from './tokenize.js';

const COMMANDS_ARB = fc.constantFrom<string>(SlashCommand.K8s, SlashCommand.Incident, 'k8s', '/nope', '');

/** Words the grammar knows, plus the characters that make tokenizers and flag parsers fall over. */
const VOCAB = [
  ...new Set([
    ...COMMANDS.flatMap((s) => [s.verb, ...s.aliases]),
    ...COMMANDS.flatMap((s) => s.flags.flatMap((f) => [`--${f.name}`, `--${f.name}=`, ...(f.short ? [`-${f.short}`] : [])])),
    '-n', '--namespace', '--cluster', '-A', '-l', '-c', '-p', '-h', '--help', '--', '-', '---', '—', '–',
    'node02', 'Node_02', 'web-1', 'deploy/web', 'deployment/web', 'sts/db', 'ds/x', 'pod/', '/x', 'po', 'no', 'pdb', 'ev',
    'rollout', 'restart', '0', '-1', '3', '1e3', '99999999999999999999', 'true', 'false', 'client', 'server',
    'app=web', 'env in (a,b)', '!canary', 'Asia/Shanghai', 'UTC', 'Mars/Olympus', '#ops', '@alice',
    '"', "'", '“', '”', '‘', '’', '\\', '\\"', '=', '<', '>', '&amp;', '&lt;', '&gt;', '&',
    '<@U123|alice>', '<@U1>', '<#C123|ops>', '<!here>', '<http://a.b|a.b>', '<', '|', '\u200b', '\u00a0',
  ]),
];

const SOUP = fc
  .array(fc.oneof(fc.constantFrom(...VOCAB), fc.string({ maxLength: 6 })), { maxLength: 25 })
  .chain((words) => fc.array(fc.constantFrom(' ', '  ', '', '\t', '\n'), { minLength: words.length, maxLength: words.length }).map((seps) => words.map((w, i) => w + seps[i]).join('')));

function checkResult(command: string, text: string): void {
  const r = parseCommand(command, text);
  if (r.ok) {
    expect(typeof r.verb).toBe('string');
    expect(JSON.parse(JSON.stringify(r.args))).toEqual(r.args);
    return;
  }
  expect(r.error).toBeInstanceOf(BadArgsError);
  expect(r.error.message.length).toBeGreaterThan(0);
  expect(r.error.hint?.length ?? 0).toBeGreaterThan(0);
  expect(r.error.message).not.toMatch(/sitrep bug/);
}

/** Every field that names a Kubernetes object, in every verb's args. */
function namesIn(args: Record<string, unknown>): { label: string[]; subdomain: string[] } {
  const subdomain = ['node', 'name', 'pod'].map((k) => args[k]).filter((v): v is string => typeof v === 'string');
  const label = ['container'].map((k) => args[k]).filter((v): v is string => typeof v === 'string');
  return { label, subdomain };
}

describe('parseCommand never throws', () => {
  it('for arbitrary strings', () => {
    fc.assert(
      fc.property(COMMANDS_ARB, fc.string({ maxLength: 300, unit: 'binary' }), (command, text) => {
        checkResult(command, text);
      }),
      { numRuns: 1000 },
    );
  });

  it('for token soups made of real verbs, flags, quotes and Slack markup', () => {
    fc.assert(
      fc.property(COMMANDS_ARB, SOUP, (command, text) => {
        checkResult(command, text);
      }),
      { numRuns: 1500 },
    );
  });

  it('for soups that start with a real verb', () => {
    const verbFirst = fc.tuple(fc.constantFrom(...COMMANDS), SOUP).map(([spec, soup]) => [spec.command, `${spec.verb} ${soup}`] as const);
    fc.assert(
      fc.property(verbFirst, ([command, text]) => {
        checkResult(command, text);
      }),
      { numRuns: 1500 },
    );
  });

  it('helpText never throws either', () => {
    fc.assert(
      fc.property(COMMANDS_ARB, fc.option(fc.string({ maxLength: 100 })), (command, verb) => {
        expect(helpText(command as SlashCommand, verb ?? undefined).length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('ok results are safe to act on', () => {
  it('every name, container and namespace passes DNS-1123', () => {
    const verbFirst = fc.tuple(fc.constantFrom(...COMMANDS.filter((s) => s.command === SlashCommand.K8s)), SOUP).map(([spec, soup]) => `${spec.verb} ${soup}`);
    let okCount = 0;
    fc.assert(
      fc.property(verbFirst, (text) => {
        const r = parseCommand(SlashCommand.K8s, text);
        if (!r.ok) return;
        okCount += 1;
        const { label, subdomain } = namesIn(r.args);
        for (const n of subdomain) expect(isDns1123Subdomain(n), n).toBe(true);
        for (const n of label) expect(isDns1123Label(n), n).toBe(true);
        if (r.namespace !== undefined) expect(isDns1123Label(r.namespace), r.namespace).toBe(true);
        // The verb's schema is the contract jobs rely on: the args must satisfy it.
        const spec = COMMANDS.find((s) => s.command === r.command && s.verb === r.verb)!;
        expect(spec.schema.safeParse(r.args).success).toBe(true);
      }),
      { numRuns: 2500 },
    );
    // The property must actually be exercised, not vacuously true.
    expect(okCount).toBeGreaterThan(50);
  });
});

describe('long adversarial inputs finish (the test timeout is the limit)', () => {
  const patterns: Array<[string, string]> = [
    ['quotes', '"'.repeat(10_000)],
    ['escaped quotes', 'note "'.concat('\\"'.repeat(5_000))],
    ['dashes', '-'.repeat(10_000)],
    ['dash words', 'drain node02 '.concat('--force '.repeat(1_250))],
    ['angle brackets', '<'.repeat(10_000)],
    ['unclosed mentions', '<@U1'.repeat(2_500)],
    ['many mentions', 'note '.concat('<@U1|a>'.repeat(1_400))],
    ['ampersands', '&amp'.repeat(2_500)],
    ['smart quotes', '“'.repeat(5_000).concat('’'.repeat(5_000))],
    ['single quotes', "note '".concat("a'".repeat(5_000))],
    ['selector', `get pods -l ${'a,'.repeat(5_000)}`],
    ['selector parens', `get pods -l "x in (${'a,'.repeat(500)}"`],
    ['long name', `drain ${'a'.repeat(10_000)}`],
    ['long dotted name', `drain ${'a.'.repeat(5_000)}!`],
    ['long flag', `drain node02 --${'x'.repeat(10_000)}`],
    ['long short flags', `get pods -${'A'.repeat(10_000)}`],
    ['duration', `drain node02 --timeout ${'1h'.repeat(5_000)}`],
    ['zone', `timeline --tz ${'A/'.repeat(5_000)}`],
    ['whitespace', ' \u00a0\t'.repeat(3_500)],
    ['zero width', '\u200b'.repeat(10_000)],
    ['too long', 'x'.repeat(20_000)],
  ];
  it.each(patterns)('%s', (_name, text) => {
    for (const command of [SlashCommand.K8s, SlashCommand.Incident]) checkResult(command, text);
    expect(tokenize(text).ok === true || tokenize(text).ok === false).toBe(true);
  });
});
