import { z } from 'zod';
import { ConfigError } from './core/errors.js';
import { parseDuration } from './core/duration.js';
import { parseRedisUrl, REDIS_URL_FORMS } from './core/redis-url.js';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration; use e.g. 30s, 15m, 1h` });
        return z.NEVER;
      }
      return ms;
    });

/**
 * Every setting sitrep reads, from the environment, in one place. The README's configuration
 * table is generated from these descriptions (`npm run docs:config`).
 */
export const ConfigSchema = z.object({
  SLACK_SIGNING_SECRET: z.string().min(1).optional().describe('Signing secret of the Slack app (Basic Information page). Required for the bot.'),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'must be a bot token starting with xoxb-').optional().describe('Bot User OAuth token (`xoxb-…`). Required for the bot.'),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp-').optional().describe('App-level token (`xapp-…`, scope `connections:write`). Set: Socket Mode, no inbound HTTP. Unset: HTTP on PORT at /slack/events.'),
  SLACK_API_URL: z.string().url().default('https://slack.com/api/').describe('Base URL of the Slack Web API. Tests and the local console point it at a local server.'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port of the bot (Slack requests at /slack/events, plus /healthz, /readyz, /metrics).'),
  SITREP_OPS_PORT: z.coerce.number().int().min(0).max(65535).default(9090).describe('HTTP port of the worker for /healthz, /readyz and /metrics (0 picks a free port).'),
  REDIS_URL: z
    .string()
    .default('redis://127.0.0.1:6379')
    .superRefine((v, ctx) => {
      try {
        parseRedisUrl(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `${(err as Error).message.replace(/^REDIS_URL /, '')} Use one of: ${REDIS_URL_FORMS}` });
      }
    })
    .describe('Redis for queues, approvals, timelines: `redis://HOST:6379` (`rediss://` for TLS), a Redis Cluster as `redis+cluster://H1:P1,H2:P2`, or a Sentinel master set as `redis+sentinel://S1:26379,S2:26379/MASTERNAME`. Use `noeviction` and AOF in production.'),
  KUBECONFIG: z.string().optional().describe('Path of the kubeconfig the worker uses. Unset: in-cluster ServiceAccount, else ~/.kube/config.'),
  SITREP_CLUSTERS: z.string().optional().describe('Cluster names to kubeconfig contexts, `prod=prod-admin,staging=stg`. Unset: one cluster named after the current context.'),
  SITREP_DEFAULT_CLUSTER: z.string().optional().describe('Cluster used when a command has no `--cluster`. Unset: the first of SITREP_CLUSTERS.'),
  SITREP_POLICY: z.string().optional().describe('Path of the policy file (YAML or JSON) saying who may run and approve each verb. Unset: reads and /incident only; cordon, uncordon and destructive verbs are refused.'),
  SITREP_RUNBOOKS: z.string().optional().describe('Directory of runbook files (`*.yaml`) that `/k8s runbook` offers besides the built-ins (node-maintenance, node-replace); a file named like a built-in replaces it. A malformed file stops start-up with file:line:column. Unset: the built-ins only.'),
  SITREP_JOB_KEY: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional().describe('Key the bot signs executions with and workers check them against (HMAC-SHA256), 32+ random characters, the same in bot and workers. Required for bot, worker and all; `sitrep demo` makes its own.'),
  SITREP_JOB_KEY_PREVIOUS: z.string().min(32).optional().describe('The key before the last rotation: workers still accept executions signed with it (docs/operations.md, rotating the job key).'),
  SITREP_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('sitrep').describe('Prefix of every Redis key and queue, so several installations can share a Redis.'),
  SITREP_PIN_EMOJI: z.string().regex(/^[a-z0-9_+-]+$/).default('pushpin').describe('Reaction that adds a channel message to the open incident\'s timeline.'),
  SITREP_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4).describe('Jobs one worker runs at once. Jobs wait on the Kubernetes API, not the CPU, but a long drain holds its slot to the end; see Sizing in docs/operations.md.'),
  SITREP_SHUTDOWN_TIMEOUT: duration('30s').describe('How long a worker waits on SIGTERM for running jobs to reach a checkpoint.'),
  SITREP_JOB_HEARTBEAT: duration('2s').describe('How often a worker beats for each job it runs (worker). The bot watches the beats.'),
  SITREP_JOB_LOST_AFTER: duration('10s').describe('A running job whose worker has not beaten for this long is shown as lost on its card: "worker lost, resuming on another" (bot). At least twice SITREP_JOB_HEARTBEAT.'),
  SITREP_JOB_LOCK: duration('10s').describe('BullMQ lock on a running job (`lockDuration`, worker): renewed every half of it; a dead worker\'s jobs are free to move once it expires.'),
  SITREP_JOB_STALLED_INTERVAL: duration('5s').describe('How often workers hand jobs whose lock expired to a live worker (BullMQ `stalledInterval`). A killed worker\'s job resumes elsewhere within SITREP_JOB_LOCK + this, after its last lock renewal.'),
  SITREP_TIMELINE_RETENTION: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration; use e.g. 90d` });
        return z.NEVER;
      }
      return ms;
    })
    .describe('How long resolved incidents\' timelines are kept (e.g. `90d`). Unset: forever.'),
  SITREP_ALERTMANAGER_TOKEN: z.string().min(16, 'must be at least 16 characters').optional().describe('Bearer token Alertmanager sends to the bot\'s `POST /alertmanager` (receiver `http_config.authorization.credentials`). Unset (and no basic auth): no alert intake.'),
  SITREP_ALERTMANAGER_BASIC_AUTH: z.string().regex(/^[^:]+:.{12,}$/, 'must be user:password, the password at least 12 characters').optional().describe('`user:password` Alertmanager sends as basic auth to `POST /alertmanager` (receiver `http_config.basic_auth`), instead of a token.'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level.'),
});

export type Config = z.infer<typeof ConfigSchema>;
export type Role = 'bot' | 'worker' | 'all';

/**
 * Reads and validates the environment once. Problems are collected, not thrown one by one, so a
 * person fixing a deployment sees every missing or malformed variable in one start-up error.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, role: Role = 'all'): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in ConfigSchema.shape && v !== ''));
  const parsed = ConfigSchema.safeParse(input);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || '(env)'}: ${issue.message}`);
  }
  if (!input.SITREP_JOB_KEY) problems.push('SITREP_JOB_KEY: required: 32+ random characters shared by the bot and its workers, e.g. `openssl rand -hex 32` (docs/operations.md)');
  if (role !== 'worker') {
    if (!input.SLACK_SIGNING_SECRET) problems.push('SLACK_SIGNING_SECRET: required for the bot (Slack app > Basic Information > Signing Secret)');
    if (!input.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: required for the bot (Slack app > OAuth & Permissions > Bot User OAuth Token, xoxb-…)');
  }
  if (parsed.success && parsed.data.SITREP_JOB_LOST_AFTER < 2 * parsed.data.SITREP_JOB_HEARTBEAT) {
    problems.push('SITREP_JOB_LOST_AFTER: must be at least twice SITREP_JOB_HEARTBEAT, or one late beat shows a live worker as lost');
  }
  if (problems.length || !parsed.success) {
    throw new ConfigError(`Configuration is invalid:\n  ${problems.join('\n  ')}`, {
      hint: 'Set these environment variables (see the Configuration table in README.md) and start again.',
    });
  }
  return parsed.data;
}

/** `prod=ctx-a,staging=ctx-b` into a map of cluster name to kubeconfig context. */
export function parseClusters(text: string | undefined): Map<string, string> {
  const clusters = new Map<string, string>();
  if (!text) return clusters;
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, context] = part.split('=').map((s) => s.trim());
    if (!name || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      throw new ConfigError(`SITREP_CLUSTERS: "${part}" has an invalid cluster name; use lowercase letters, digits and "-"`, { hint: 'Example: SITREP_CLUSTERS=prod=prod-admin,staging=staging' });
    }
    clusters.set(name, context || name);
  }
  return clusters;
}

/** Markdown table of the variables, written from the schema's descriptions (for the README). */
export function configTable(): string {
  const rows = Object.entries(ConfigSchema.shape).map(([name, schema]) => {
    const def = (schema as z.ZodType).safeParse(undefined);
    const shown = def.success && def.data !== undefined ? `\`${String(env_default(name, def.data))}\`` : '';
    return `| \`${name}\` | ${shown} | ${(schema as z.ZodType).description ?? ''} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

function env_default(name: string, value: unknown): unknown {
  // Durations are stored in ms but written in the environment as text.
  const durations: Record<string, string> = { SITREP_SHUTDOWN_TIMEOUT: '30s', SITREP_JOB_HEARTBEAT: '2s', SITREP_JOB_LOST_AFTER: '10s', SITREP_JOB_LOCK: '10s', SITREP_JOB_STALLED_INTERVAL: '5s' };
  if (name in durations) return durations[name];
  return value;
}
