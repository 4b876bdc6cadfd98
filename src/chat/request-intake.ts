import type { ParsedCommand } from '../../commands/parse.js';
import { describeError, ErrorCode, UnavailableError } from '../core/errors.js';
import { isRedisUnavailable, withTimeout } from '../queue/redis-connection.js';
import { stableId } from '../core/ids.js';
import { JobKind } from '../core/job.js';
import type { CommandRequest } from '../core/request.js';
import { EventKind } from '../core/timeline-event.js';
import type { BotServices } from './bot-services.js';
import { isPermanentSlackError, slackErrorOf } from './message-poster.js';
import { RequestState } from './request-store.js';

/** The parts of a slash-command payload sitrep reads. */
export interface SlashPayload {
  command: string;
  text: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  team_id?: string;
  trigger_id?: string;
}

export type Reply = (message: { text: string; blocks?: unknown[] }) => Promise<void>;

/**
 * The request id of a slash command: the same Slack delivery (a retry carries the same
 * trigger_id) always maps to the same id, so a retried command is recognised and ignored.
 */
export function requestIdOf(body: SlashPayload, receivedAt: number): string {
  const anchor = body.trigger_id ?? `${body.channel_id}:${body.user_id}:${body.command}:${body.text}:${Math.floor(receivedAt / 60_000)}`;
  return stableId('req', body.team_id ?? '', anchor);
}

export function buildRequest(body: SlashPayload, parsed: ParsedCommand, services: Pick<BotServices, 'defaultCluster' | 'clock'>): CommandRequest {
  const receivedAt = services.clock.now();
  return {
    v: 1,
    id: requestIdOf(body, receivedAt),
    command: parsed.command,
    text: parsed.text,
    verb: parsed.verb,
    args: { ...parsed.args, ...(parsed.namespace ? { namespace: parsed.namespace } : {}) },
    cluster: parsed.cluster ?? services.defaultCluster,
    userId: body.user_id,
    userName: body.user_name,
    channelId: body.channel_id,
    teamId: body.team_id,
    receivedAt,
  };
}

/** Asks the policy about a stored request: the same question at intake, at plan time and at Run. */
export function evaluatePolicy(services: Pick<BotServices, 'policy' | 'resolveGroup'>, request: CommandRequest): ReturnType<BotServices['policy']['evaluate']> {
  return services.policy.evaluate(
    { verb: request.verb, userId: request.userId, channelId: request.channelId, cluster: request.cluster, namespace: typeof request.args.namespace === 'string' ? request.args.namespace : undefined },
    (group) => services.resolveGroup(group),
  );
}

/** Records a timeline event for the request if an incident is open in its channel. */
export async function recordOnIncident(services: BotServices, request: CommandRequest, event: { key: string; kind: string; at?: number; actor: string; text: string; data?: Record<string, unknown> }): Promise<string | undefined> {
  const incident = await services.incidents.openIn(request.channelId);
  if (!incident) return undefined;
  await services.timeline.append(incident.id, {
    v: 1,
    key: event.key,
    kind: event.kind,
    at: event.at ?? services.clock.now(),
    actor: event.actor,
    text: event.text,
    requestId: request.id,
    cluster: request.cluster,
    ...(event.data ? { data: event.data } : {}),
  });
  return incident.id;
}

/**
 * Everything after the acknowledgement: claim the request (a Slack retry stops here), check the
 * policy, note it on the incident, post its message and queue its job. Failures reach the user
 * as one ephemeral message through `reply`; nothing is left half-done (the job is queued last).
 */
export async function takeRequest(services: BotServices, body: SlashPayload, parsed: ParsedCommand, reply: Reply): Promise<void> {
  const request = buildRequest(body, parsed, services);
  const log = services.logger.child({ requestId: request.id, verb: request.verb });
  let cardScheduled = false;
  try {
    const known = await services.registry.clusters();
    if (known.length && !known.includes(request.cluster)) {
      await reply({ text: `:warning: Unknown cluster *${request.cluster}*. Known clusters: ${known.map((c) => `\`${c}\``).join(', ')}.\nUse \`--cluster NAME\`, or leave it out for \`${services.defaultCluster}\`.` });
      return;
    }
    const claimed = await withTimeout(services.requests.claim(request), 2000, () => new Error('Redis did not answer within 2s (ETIMEDOUT)'));
    if (!claimed) {
      log.info('duplicate delivery of a request; ignored');
      return;
    }
    const decision = await evaluatePolicy(services, request);
    const incidentId = await recordOnIncident(services, request, {
      key: `${request.id}:command`,
      kind: EventKind.Command,
      at: request.receivedAt,
      actor: request.userId,
      text: `${request.command} ${request.text}`,
      data: { text: `${request.command} ${request.text}`, allowed: decision.allowed },
    }).catch((err) => {
      log.warn({ err }, 'could not record the command on the incident timeline');
      return undefined;
    });
    if (incidentId) await services.requests.update(request.id, { incidentId });
    if (!decision.allowed) {
      await services.requests.update(request.id, { state: RequestState.Refused });
      await reply({ text: `:no_entry: ${decision.reason}` });
      return;
    }
    const kind = parsed.mode === 'plan' ? JobKind.Plan : JobKind.Read;
    // Post the request's one message first, so every later event has a message to edit, and so a
    // channel sitrep cannot post in is found out before anything runs.
    try {
      await services.poster.postFirst(request.id);
    } catch (err) {
      const code = slackErrorOf(err);
      if (code === 'not_in_channel' || code === 'channel_not_found') {
        throw new UnavailableError(ErrorCode.SlackApi, `sitrep cannot post in this channel (${code}), so it did not run \`${request.command} ${request.text}\`.`, {
          cause: err,
          hint: 'Invite it with `/invite @sitrep`, then run the command again. Nothing was queued or changed.',
        });
      }
      if (isPermanentSlackError(err)) throw new UnavailableError(ErrorCode.SlackApi, `Slack refused sitrep's message (${code}); nothing was queued or changed.`, { cause: err });
      // A transient failure (Slack 5xx, network): go on; the poster retries the message with the latest state.
      log.warn({ err }, 'first post failed; the poster will retry');
      services.poster.schedule(request.id);
    }
    cardScheduled = true;
    await services.producer.enqueue({
      v: 1,
      kind,
      verb: request.verb,
      requestId: request.id,
      cluster: request.cluster,
      args: request.args,
      requestedBy: request.userId,
      channelId: request.channelId,
    });
  } catch (caught) {
    const err = isRedisUnavailable(caught)
      ? new UnavailableError(ErrorCode.RedisUnavailable, 'Redis is unreachable, so sitrep cannot take this request.', {
          cause: caught,
          hint: 'Nothing was queued or changed. Check REDIS_URL and the Redis server, then run the command again.',
        })
      : caught;
    const d = describeError(err);
    log.warn({ err: caught, code: d.code }, 'request not taken');
    const failure = { code: d.code, message: d.message, ...(d.hint ? { hint: d.hint } : {}) };
    const stored = await services.requests.update(request.id, { state: RequestState.Failed, failure }).then(() => true, () => false);
    if (cardScheduled && stored) {
      // The request's message exists (or is on its way): the failure shows there, once.
      services.poster.schedule(request.id);
      return;
    }
    await reply({ text: `:x: ${d.message}${d.hint ? `\n${d.hint}` : ''}` });
  }
}
