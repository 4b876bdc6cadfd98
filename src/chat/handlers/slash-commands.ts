import type { App, SlashCommand as SlackSlashCommand } from '@slack/bolt';
import { helpText } from '../../../commands/help.js';
import { parseCommand, type ParsedCommand } from '../../../commands/parse.js';
import { withRequestDeadlines } from '../../core/deadline.js';
import { describeError, ErrorCode, isExpectedFailure } from '../../core/errors.js';
import { showControls } from '../../core/text/controls.js';
import { escapeMrkdwn } from '../../core/text/mrkdwn.js';
import { JobKind } from '../../core/job.js';
import { botVerbKey, type BotVerbKey } from '../../core/verbs/index.js';
import { argsFor } from '../../core/verbs/contract.js';
import { redisFailure, REQUEST_DEADLINE_MS } from '../../queue/redis-connection.js';
import { settledRespond } from '../respond-fetch.js';
import { evaluatePolicy, TEAM_UNKNOWN_MESSAGE } from '../../requests/index.js';
import type { BotServices } from '../bot-services.js';
import { postFirstCard } from '../card-first-post.js';
import { runbookCommand } from '../runbook-command.js';
import { problemBlocks } from '../render/request-card.js';
import { buildRequest } from '../slash-request.js';
import type { BotReply, BotVerb } from '../verbs/bot-verb.js';
import { BOT_VERB_HANDLERS } from '../verbs/registry.js';

type Respond = (message: object) => Promise<unknown>;

export interface SlashCommandOptions {
  /** Hook for metrics: called once per slash command with its ack latency. */
  onAck?: (info: { command: string; verb: string; outcome: string; ms: number }) => void;
}

function ephemeral(reply: { text: string; blocks?: unknown[] }) {
  return { response_type: 'ephemeral' as const, text: reply.text, ...(reply.blocks ? { blocks: reply.blocks as never } : {}) };
}

async function reply(respond: Respond, r: BotReply): Promise<void> {
  await respond({ response_type: r.inChannel ? 'in_channel' : 'ephemeral', text: r.text, ...(r.blocks ? { blocks: r.blocks } : {}) });
}

/**
 * `/k8s` and `/incident`: parse, acknowledge within milliseconds, then hand the request to the
 * lifecycle (jobs) or answer it (bot-side verbs). Bad input is answered in the ack itself.
 */
export function registerSlashCommands(app: App, services: BotServices, options: SlashCommandOptions = {}): void {
  for (const name of ['/k8s', '/incident']) {
    app.command(name, async ({ command, ack, respond: boltRespond }) => {
      const respond = settledRespond(boltRespond, services.logger, { command: command.command, userId: command.user_id });
      const t0 = performance.now();
      // Intake: control and bidi-override characters become visible escapes before anything reads the text.
      const parsed = parseCommand(command.command, showControls(command.text ?? ''));
      const acked = (outcome: string) => options.onAck?.({ command: command.command, verb: parsed.ok ? parsed.verb : (parsed.verb ?? 'unknown'), outcome, ms: performance.now() - t0 });
      if (!services.slackTeam) {
        // Until Slack said which workspace this is, a command cannot be placed: refused, not waved through.
        await ack(ephemeral(problemBlocks(TEAM_UNKNOWN_MESSAGE)));
        acked('team_unknown');
        return;
      }
      const foreign = foreignTeam(services, command);
      if (foreign) {
        await ack(ephemeral(problemBlocks('This sitrep does not serve your Slack workspace, so it did nothing.', 'Ask the admins of the workspace that installed it.')));
        acked('foreign_team');
        services.logger.warn({ code: ErrorCode.ForeignClick, userId: command.user_id, teamId: command.team_id }, `refused a slash command: ${foreign}`);
        await services.approvals.auditRefusal({ requestId: '', verb: `${command.command} ${parsed.ok ? parsed.verb : ''}`.trim(), cluster: '', user: command.user_id, detail: `slash command: ${foreign}` }).catch(() => {});
        return;
      }
      if (!parsed.ok) {
        await ack(ephemeral(problemBlocks(parsed.error.message, parsed.error.hint)));
        acked('bad_args');
        return;
      }
      if (parsed.verb === 'help') {
        await ack(ephemeral({ text: helpText(parsed.command, typeof parsed.args.verb === 'string' ? parsed.args.verb : undefined) }));
        acked('help');
        return;
      }
      await ack();
      acked('accepted');
      try {
        // A Redis write of this request that the bot gave up on is refused by Redis itself, so
        // "nothing was queued or changed" stays true when Redis answers late (core/deadline.ts).
        await withRequestDeadlines(() => services.clock.now(), REQUEST_DEADLINE_MS, () =>
          parsed.mode === 'bot' ? answer(services, command, parsed, respond) : parsed.mode === 'runbook' ? runbookCommand(services, command, parsed, respond) : take(services, command, parsed, respond),
        );
      } catch (err) {
        const d = describeError(redisFailure(err, 'do this now', 'Nothing was queued or changed. Try again in a minute; if Redis stays down, whoever runs sitrep should check REDIS_URL and the Redis server.') ?? err);
        // "No open incident" and the like are the user's to fix (they are told); only a bug is a warning.
        services.logger[isExpectedFailure(err) ? 'info' : 'warn']({ err, code: d.code, verb: parsed.verb }, 'command failed');
        await reply(respond, { text: `:x: ${escapeMrkdwn(d.message)}${d.hint ? `\n${d.hint}` : ''}` }).catch((e) => services.logger.warn({ err: e }, 'could not tell the user'));
      }
    });
  }
}

/** Why a slash command comes from a team or enterprise this installation does not serve, or undefined. */
function foreignTeam(services: BotServices, command: SlackSlashCommand): string | undefined {
  const team = services.slackTeam!;
  if (command.team_id !== team.teamId) return `team ${command.team_id}, not ${team.teamId}`;
  if ((command.enterprise_id || undefined) !== team.enterpriseId) return `enterprise ${command.enterprise_id || 'none'}, not ${team.enterpriseId ?? 'none'}`;
  return undefined;
}

/** A read or an operation: the lifecycle's intake step; the card shows the rest. */
async function take(services: BotServices, command: SlackSlashCommand, parsed: ParsedCommand, respond: Respond): Promise<void> {
  const request = buildRequest(command, parsed, services);
  const outcome = await services.lifecycle.intake(request, {
    jobKind: parsed.mode === 'plan' ? JobKind.Plan : JobKind.Read,
    postCard: (id) => postFirstCard(services, id, `${request.command} ${request.text}`),
  });
  switch (outcome.kind) {
    case 'unknown-cluster':
      return reply(respond, { text: `:warning: Unknown cluster *${escapeMrkdwn(request.cluster)}*. Known clusters: ${outcome.known.map((c) => `\`${escapeMrkdwn(c)}\``).join(', ')}.\nUse \`--cluster NAME\`, or leave it out for \`${escapeMrkdwn(services.defaultCluster)}\`.` });
    case 'refused':
      return reply(respond, { text: `:no_entry: ${outcome.reason}` });
    case 'failed':
      if (!outcome.cardShown) return reply(respond, { text: `:x: ${escapeMrkdwn(outcome.message)}${outcome.hint ? `\n${outcome.hint}` : ''}` });
      return;
    default:
      return;
  }
}

/**
 * A bot-side verb: claimed like any request (a Slack retry of the same delivery does nothing
 * twice), checked against the policy, then answered by its handler.
 */
async function answer(services: BotServices, command: SlackSlashCommand, parsed: ParsedCommand, respond: Respond): Promise<void> {
  const request = buildRequest(command, parsed, services);
  if (!(await services.requests.claim(request, { listed: false }))) {
    services.logger.info({ requestId: request.id, verb: request.verb }, 'duplicate delivery of a command; ignored');
    return;
  }
  const decision = await evaluatePolicy(services, request);
  if (!decision.allowed) {
    await services.requests.transition(request.id, 'refuse', { failure: { code: ErrorCode.PolicyDenied, message: decision.reason } });
    return reply(respond, { text: `:no_entry: ${decision.reason}` });
  }
  const handler = BOT_VERB_HANDLERS[botVerbKey({ command: parsed.command, name: parsed.verb }) as BotVerbKey] as BotVerb;
  const result = await handler.run(argsFor(handler.verb, parsed.args), { services, userId: command.user_id, channelId: command.channel_id, triggerId: command.trigger_id });
  await services.requests.transition(request.id, 'answer');
  await reply(respond, result);
}
