import { z } from 'zod';
import { formatDuration, parseDuration } from '../core/duration.js';
import { RUNBOOK_NAME, RUNBOOK_PARAM_NAME, WAIT_MAX_TIMEOUT_MS } from '../core/verbs/index.js';

/**
 * The shape of a runbook file (YAML or JSON), as people write it. Mistakes are reported with the
 * file, line and column by parse-runbook.ts; the checks that need the verbs' grammar (a `run:` line)
 * or the parameters (a `{{placeholder}}`) happen there too.
 */

/** The most steps a runbook may have: more would not fit one Slack card. */
export const MAX_STEPS = 30;

/** The keys of a condition (a `wait:` or an `if:`), each naming the object it is about. */
export const CONDITION_KEYS = ['node-ready', 'node-not-ready', 'pods-gone', 'replacements-ready', 'deployment-available', 'pdb-allows-disruptions'] as const;
export type ConditionKey = (typeof CONDITION_KEYS)[number];
/** Conditions about a namespaced object, which take `namespace:`. */
const NAMESPACED: readonly ConditionKey[] = ['deployment-available', 'pdb-allows-disruptions'];

const text = (what: string, max: number) =>
  z.string({ error: `${what} must be text` }).min(1, { error: `${what} must not be empty` }).max(max, { error: `${what} is longer than ${max} characters` });

export const ConditionYamlSchema = z
  .strictObject({
    'node-ready': text('node-ready', 253).optional(),
    'new-boot-id': z.boolean({ error: 'new-boot-id must be true or false' }).optional(),
    'node-not-ready': text('node-not-ready', 253).optional(),
    'pods-gone': text('pods-gone', 253).optional(),
    'replacements-ready': text('replacements-ready', 253).optional(),
    'deployment-available': text('deployment-available', 253).optional(),
    'pdb-allows-disruptions': text('pdb-allows-disruptions', 253).optional(),
    namespace: text('namespace', 63).optional(),
  }, { error: `a condition is a map such as { node-ready: "{{node}}" }` })
  .superRefine((c, ctx) => {
    const kinds = CONDITION_KEYS.filter((k) => c[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: kinds.length ? `name one condition, not ${kinds.join(' and ')}` : `name the condition: one of ${CONDITION_KEYS.join(', ')}` });
      return;
    }
    if (c['new-boot-id'] !== undefined && kinds[0] !== 'node-ready') ctx.addIssue({ code: 'custom', path: ['new-boot-id'], message: 'new-boot-id goes with node-ready only' });
    if (c.namespace !== undefined && !NAMESPACED.includes(kinds[0]!)) ctx.addIssue({ code: 'custom', path: ['namespace'], message: `namespace goes with ${NAMESPACED.join(' or ')} only` });
  });
export type ConditionYaml = z.output<typeof ConditionYamlSchema>;

const STEP_KINDS = ['run', 'wait', 'manual', 'note'] as const;

export const StepYamlSchema = z
  .strictObject({
    /** A short label for the card; defaults to the step's verb or kind. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, { error: 'name must be a short lowercase label such as reboot or wait-ready' }).optional(),
    /** A sitrep verb with its flags, as typed after /k8s: `drain {{node}} --force`. */
    run: text('run', 1000).optional(),
    wait: ConditionYamlSchema.optional(),
    /** What a person does and then marks done with the card's button. */
    manual: text('manual', 500).optional(),
    /** A line for the incident's timeline. */
    note: text('note', 1000).optional(),
    /** Run the step only if this holds when the step is reached. */
    if: ConditionYamlSchema.optional(),
    timeout: z.union([z.string(), z.number()], { error: 'timeout must be a duration such as 20m' }).optional(),
    /** When the step's plan is made: at approval (`now`) or only when it is reached. */
    plan: z.enum(['now', 'when-reached'], { error: 'plan must be now or when-reached' }).optional(),
  }, { error: 'a step is a map with one of run:, wait:, manual: or note:' })
  .superRefine((s, ctx) => {
    const kinds = STEP_KINDS.filter((k) => s[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: kinds.length ? `a step does one thing: ${kinds.join(' and ')} are two steps` : 'a step needs one of run:, wait:, manual: or note:' });
      return;
    }
    const kind = kinds[0];
    if (s.if !== undefined && kind !== 'run') ctx.addIssue({ code: 'custom', path: ['if'], message: 'if: goes with run: steps only' });
    if (s.plan !== undefined && kind !== 'run') ctx.addIssue({ code: 'custom', path: ['plan'], message: 'plan: goes with run: steps only' });
    if (s.timeout !== undefined) {
      if (kind !== 'wait') ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'timeout: goes with wait: steps only (a run: step takes its verb\'s own --timeout)' });
      const ms = parseDuration(String(s.timeout));
      if (ms === undefined) ctx.addIssue({ code: 'custom', path: ['timeout'], message: `timeout ${JSON.stringify(s.timeout)} is not a duration; write e.g. 90s, 20m or 1h` });
      else if (ms < 1000 || ms > WAIT_MAX_TIMEOUT_MS) ctx.addIssue({ code: 'custom', path: ['timeout'], message: `timeout must be between 1s and ${formatDuration(WAIT_MAX_TIMEOUT_MS)}` });
    }
  });
export type StepYaml = z.output<typeof StepYamlSchema>;

/** What a parameter's value must be. `name`: a Kubernetes object name; `namespace`; `integer`. */
export const ParamType = { Name: 'name', Namespace: 'namespace', Integer: 'integer' } as const;
export type ParamType = (typeof ParamType)[keyof typeof ParamType];

export const ParamYamlSchema = z.strictObject({
  description: text('description', 200),
  type: z.enum([ParamType.Name, ParamType.Namespace, ParamType.Integer], { error: 'type must be name, namespace or integer' }).default(ParamType.Name),
  default: z.union([z.string(), z.number()], { error: 'default must be a value such as node01 or 3' }).optional(),
}, { error: 'a parameter is a map such as { description: The node to maintain }' });
export type ParamYaml = z.output<typeof ParamYamlSchema>;

export const RunbookFileSchema = z.strictObject({
  /** Defaults to the file's name without .yaml. */
  name: z.string().regex(RUNBOOK_NAME, { error: 'name must be lowercase letters, digits and -, starting with a letter' }).optional(),
  description: text('description', 300),
  params: z
    .record(z.string().regex(RUNBOOK_PARAM_NAME, { error: 'parameter names are lowercase letters, digits, - and _, starting with a letter' }), ParamYamlSchema, { error: 'params must be a map of name: { description: … }' })
    .default({}),
  steps: z.array(StepYamlSchema, { error: 'steps must be a list' }).min(1, { error: 'steps must hold at least one step' }).max(MAX_STEPS, { error: `a runbook has at most ${MAX_STEPS} steps` }),
}, { error: 'a runbook file is a map with description: and steps:' });
export type RunbookFile = z.output<typeof RunbookFileSchema>;

/** The keys each level of the file accepts, for did-you-mean on unknown keys. */
export function knownKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  if (path.length === 0) return Object.keys(RunbookFileSchema.shape);
  if (path.length === 2 && path[0] === 'params') return Object.keys(ParamYamlSchema.shape);
  if (path.length === 2 && path[0] === 'steps') return Object.keys(StepYamlSchema.shape);
  if (path.length === 3 && path[0] === 'steps' && (path[2] === 'wait' || path[2] === 'if')) return Object.keys(ConditionYamlSchema.shape);
  return undefined;
}
