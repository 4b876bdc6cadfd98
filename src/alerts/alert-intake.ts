import { createHash } from 'node:crypto';
import type { RedisClient } from '../core/redis-client.js';
import type { Clock } from '../core/clock.js';
import { ErrorCode, IncidentError } from '../core/errors.js';
import { EventKind, type TimelineEvent } from '../core/timeline-event.js';
import { redisDown, type Incident, type IncidentStore, type Timeline } from '../incident/index.js';
import type { AlertDecision, AlertView } from './decide.js';

/** The timeline actor of alerts. */
export const ALERT_ACTOR = 'alertmanager';

export interface AlertIntakeOptions {
  redis: RedisClient;
  incidents: IncidentStore;
  timeline: Timeline;
  clock: Clock;
  /** @defaultValue 'sitrep' */
  prefix?: string;
  /** Cluster whose events an alert-opened incident watches when its alerts name none. */
  defaultCluster: string;
}

/** What applying a decision did, for the chat layer to render. */
export interface AlertOutcome {
  decision: AlertDecision;
  /** The incident the alerts are on (opened now or already open in the channel). */
  incident?: Incident;
  /** True when this notification opened the incident. */
  opened: boolean;
  /** Timeline entries that were new (a repeated notification adds none). */
  recorded: number;
}

/**
 * Applies alert decisions to incidents and timelines, idempotently: a firing alert is recorded
 * once per (fingerprint, startsAt) and its resolution once, so Alertmanager's repeats
 * (repeat_interval) and retries add nothing; an incident is opened at most once per channel
 * (IncidentStore.start refuses a second). Also keeps the Slack ts of each group's card, so the
 * chat layer edits one card per group and channel instead of posting again.
 */
export class AlertIntake {
  private readonly prefix: string;

  constructor(private readonly o: AlertIntakeOptions) {
    this.prefix = o.prefix ?? 'sitrep';
  }

  async apply(d: AlertDecision): Promise<AlertOutcome> {
    let incident = await this.o.incidents.openIn(d.channel);
    let opened = false;
    // An alert still firing after a person resolved its incident (a repeat, before the alert
    // clears) is not a new problem: only an alert never recorded opens an incident.
    const firing = d.alerts.filter((a) => a.status === 'firing');
    const unseen = (await Promise.all(firing.map((a) => this.recordedOn(a)))).some((id) => id === undefined);
    if (!incident && d.incident && unseen) {
      try {
        incident = await this.o.incidents.start({ channelId: d.channel, title: d.incident.title, severity: d.incident.severity, startedBy: ALERT_ACTOR, at: this.o.clock.now() });
        opened = true;
      } catch (err) {
        // Another bot replica (or the same notification delivered twice at once) opened it first.
        if (!(err instanceof IncidentError && err.code === ErrorCode.IncidentExists)) throw err;
        incident = await this.o.incidents.openIn(d.channel);
      }
    }
    let recorded = 0;
    if (incident) {
      await this.o.incidents.watchCluster(incident.id, d.cluster ?? this.o.defaultCluster, incident.startedAt);
      for (const a of d.alerts) {
        for (const e of entriesOf(a, d.cluster)) if ((await this.o.timeline.append(incident.id, e)).appended) recorded++;
        await this.remember(a, incident.id);
      }
    } else {
      // Resolved after a person closed the incident: the resolution still belongs on its timeline.
      for (const a of d.alerts.filter((x) => x.status === 'resolved')) {
        const id = await this.recordedOn(a);
        if (id) for (const e of entriesOf(a, d.cluster)) if ((await this.o.timeline.append(id, e)).appended) recorded++;
      }
    }
    return { decision: d, ...(incident ? { incident } : {}), opened, recorded };
  }

  /** One firing of one alert: the same fingerprint firing again later is a new problem. */
  private alertKey(a: AlertView): string {
    return `${this.prefix}:alert-incident:${a.fingerprint}:${a.startsAt}`;
  }

  /** Which incident an alert's firing was recorded on, kept 30 days. */
  private async remember(a: AlertView, incidentId: string): Promise<void> {
    try {
      await this.o.redis.set(this.alertKey(a), incidentId, 'PX', 30 * 86_400_000);
    } catch (err) {
      throw redisDown(err, 'remember the alert');
    }
  }

  private async recordedOn(a: AlertView): Promise<string | undefined> {
    try {
      return (await this.o.redis.get(this.alertKey(a))) ?? undefined;
    } catch (err) {
      throw redisDown(err, 'look up the alert');
    }
  }

  private cardKey(channel: string, groupKey: string): string {
    return `${this.prefix}:alert-card:${channel}:${createHash('sha256').update(groupKey).digest('hex').slice(0, 32)}`;
  }

  /** The Slack ts of the group's card in the channel, if one was posted. */
  async cardTs(channel: string, groupKey: string): Promise<string | undefined> {
    try {
      const v = await this.o.redis.get(this.cardKey(channel, groupKey));
      return v && v !== 'posting' ? v : undefined;
    } catch (err) {
      throw redisDown(err, 'read the alert card');
    }
  }

  /**
   * Claims the right to post the group's first card (for 30 s): false when another delivery is
   * posting it or it exists, so two deliveries at once post one card.
   */
  async claimCard(channel: string, groupKey: string): Promise<boolean> {
    try {
      return (await this.o.redis.set(this.cardKey(channel, groupKey), 'posting', 'PX', 30_000, 'NX')) === 'OK';
    } catch (err) {
      throw redisDown(err, 'claim the alert card');
    }
  }

  /** Records the posted card; kept 30 days (Alertmanager forgets resolved groups long before). */
  async saveCard(channel: string, groupKey: string, ts: string): Promise<void> {
    try {
      await this.o.redis.set(this.cardKey(channel, groupKey), ts, 'PX', 30 * 86_400_000);
    } catch (err) {
      throw redisDown(err, 'save the alert card');
    }
  }

  /** Gives up a claim whose post failed, so the next delivery tries again. */
  async releaseCard(channel: string, groupKey: string): Promise<void> {
    await this.o.redis.eval("if redis.call('GET', KEYS[1]) == 'posting' then return redis.call('DEL', KEYS[1]) end return 0", 1, this.cardKey(channel, groupKey)).catch(() => {});
  }
}

/** The timeline entries of one alert: its firing (at startsAt) and, once resolved, its resolution (at endsAt). */
export function entriesOf(a: AlertView, cluster?: string): TimelineEvent[] {
  const data = {
    fingerprint: a.fingerprint,
    name: a.name,
    summary: a.summary,
    ...(a.severity ? { severity: a.severity } : {}),
    labels: a.labels,
    links: a.links,
  };
  const base = { v: 1 as const, actor: ALERT_ACTOR, ...(cluster ? { cluster } : {}) };
  const where = [a.subject.node, a.subject.namespace && a.subject.pod ? `${a.subject.namespace}/${a.subject.pod}` : a.subject.namespace].filter(Boolean).join(', ');
  const out: TimelineEvent[] = [
    { ...base, key: `alert:${a.fingerprint}:${a.startsAt}:firing`, kind: EventKind.AlertFiring, at: a.startsAt, text: `Alert firing: ${a.name}${where ? ` (${where})` : ''}: ${a.summary}`, data },
  ];
  if (a.status === 'resolved') {
    out.push({ ...base, key: `alert:${a.fingerprint}:${a.startsAt}:resolved`, kind: EventKind.AlertResolved, at: a.endsAt ?? a.startsAt, text: `Alert resolved: ${a.name}${where ? ` (${where})` : ''}`, data });
  }
  return out;
}
