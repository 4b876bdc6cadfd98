import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AlertIntake, decideAlerts, WebhookPayloadSchema, type AlertOutcome, type SuggestionProvider } from '../../alerts/index.js';
import { SitrepError, UnavailableError } from '../../core/errors.js';
import type { BotServices } from '../bot-services.js';
import { alertCard } from '../render/alert-card.js';
import { postIncidentCard, refreshCard } from '../verbs/incident-support.js';

/** How Alertmanager proves it is Alertmanager: its receiver's `http_config` authorization or basic_auth. */
export interface AlertmanagerAuth {
  /** `Authorization: Bearer TOKEN` (SITREP_ALERTMANAGER_TOKEN). */
  bearerToken?: string;
  /** `user:password` for basic auth (SITREP_ALERTMANAGER_BASIC_AUTH). */
  basicAuth?: string;
}

/** Largest body accepted; Alertmanager's max_alerts keeps real ones far smaller. */
const MAX_BODY = 1024 * 1024;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether the request carries the configured credentials (either one, when both are set). */
export function authorized(header: string | undefined, auth: AlertmanagerAuth): boolean {
  if (!header) return false;
  const [scheme, value = ''] = header.split(/\s+/, 2);
  if (auth.bearerToken && /^bearer$/i.test(scheme ?? '') && same(value, auth.bearerToken)) return true;
  if (auth.basicAuth && /^basic$/i.test(scheme ?? '')) return same(Buffer.from(value, 'base64').toString('utf8'), auth.basicAuth);
  return false;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export interface AlertmanagerRouteOptions {
  auth: AlertmanagerAuth;
  /** Sitrep commands suggested on alert cards; others can add theirs (a runbook for a node). */
  suggestions: () => readonly SuggestionProvider[];
}

/**
 * `POST /alertmanager`: Alertmanager's webhook receiver. Checks the credentials, parses the
 * version 4 payload, routes it by the policy's `alerts:` section (read now, so a reloaded policy
 * applies), opens or joins incidents, records the alerts on their timelines and posts or edits
 * one card per group and channel. Answers only when all of that is done: a 5xx makes Alertmanager
 * retry, and every step is idempotent, so a retry or a repeat (repeat_interval) duplicates nothing.
 */
export function alertmanagerRoute(services: BotServices, options: AlertmanagerRouteOptions) {
  const intake = new AlertIntake({ redis: services.redis, incidents: services.incidents, timeline: services.timeline, clock: services.clock, prefix: services.keys.prefix, defaultCluster: services.defaultCluster });
  return {
    path: '/alertmanager',
    method: 'POST',
    handler: (req: IncomingMessage, res: ServerResponse): void => {
      void handle(req, res).catch((err) => {
        services.logger.error({ err }, 'alertmanager webhook failed');
        if (!res.headersSent) reply(res, 500, { error: 'sitrep_internal', message: 'sitrep failed to take the alerts; Alertmanager will retry.' });
      });
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorized(req.headers.authorization, options.auth)) {
      reply(res, 401, { error: 'unauthorized', message: 'Alertmanager must send the credentials sitrep is configured with (SITREP_ALERTMANAGER_TOKEN as a bearer token, or SITREP_ALERTMANAGER_BASIC_AUTH).' }, { 'WWW-Authenticate': 'Bearer realm="sitrep", Basic realm="sitrep"' });
      return;
    }
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      reply(res, 413, { error: 'too_large', message: `Alert payload larger than ${MAX_BODY} bytes; lower max_alerts in the receiver.` });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      reply(res, 400, { error: 'bad_payload', message: 'Body is not JSON: expected Alertmanager webhook version 4.' });
      return;
    }
    const parsed = WebhookPayloadSchema.safeParse(json);
    if (!parsed.success) {
      const why = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      reply(res, 400, { error: 'bad_payload', message: `Not an Alertmanager webhook (version 4) payload: ${why}` });
      return;
    }
    const { decisions, unrouted } = decideAlerts(parsed.data, services.policy.alertRoutes, options.suggestions());
    if (unrouted > 0) services.logger.info({ unrouted, groupKey: parsed.data.groupKey }, 'alerts matched no route in the policy file; add one under alerts:');
    try {
      const outcomes: AlertOutcome[] = [];
      for (const d of decisions) {
        const outcome = await intake.apply(d);
        outcomes.push(outcome);
        await showCard(outcome);
      }
      reply(res, 200, { ok: true, routed: decisions.map((d) => d.channel), unrouted, incidents: outcomes.flatMap((o) => (o.incident ? [o.incident.id] : [])) });
    } catch (err) {
      const message = err instanceof SitrepError ? err.message : 'sitrep could not record the alerts';
      services.logger.warn({ err }, 'alertmanager webhook: alerts not recorded; Alertmanager will retry');
      reply(res, err instanceof UnavailableError ? 503 : 500, { error: (err as { code?: string }).code ?? 'sitrep_internal', message });
    }
  }

  /** Posts the group's card once, then edits it; an opened incident gets its pinned card too. */
  async function showCard(o: AlertOutcome): Promise<void> {
    const { decision: d } = o;
    if (o.opened && o.incident) {
      await postIncidentCard(services, o.incident, 'alertmanager').catch((err) => services.logger.warn({ err }, 'posting the incident card failed'));
    }
    const card = alertCard(d, o.incident, o.opened);
    const ts = await intake.cardTs(d.channel, d.groupKey);
    if (ts) {
      await services.client.chat.update({ channel: d.channel, ts, text: card.text, blocks: card.blocks });
    } else if (await intake.claimCard(d.channel, d.groupKey)) {
      try {
        const posted = await services.client.chat.postMessage({ channel: d.channel, text: card.text, blocks: card.blocks });
        if (posted.ts) await intake.saveCard(d.channel, d.groupKey, posted.ts);
      } catch (err) {
        await intake.releaseCard(d.channel, d.groupKey);
        throw err;
      }
    }
    if (o.incident && !o.opened) {
      const fresh = await services.incidents.get(o.incident.id);
      if (fresh) await refreshCard(services, fresh);
    }
  }
}
