import type { KObject, Store } from '../store.js';
import { rfc3339 } from './pod-util.js';

export const EventType = { Normal: 'Normal', Warning: 'Warning' } as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export interface EventRecorderOptions {
  /** Events kept before the oldest are removed (the API server expires them after an hour).
   * @defaultValue 5000 */
  maxEvents?: number;
}

/**
 * Records core/v1 Events the way client-go's recorder does: in the involved object's namespace,
 * named `<object>.<hex nanos>`, and aggregated (same object, reason, message, source → count+1
 * and lastTimestamp moved) instead of a new object per repeat.
 */
export class EventRecorder {
  private readonly seen = new Map<string, string>();
  private readonly order: { key: string; namespace: string; name: string }[] = [];
  private readonly maxEvents: number;
  private seq = 0;

  constructor(private readonly store: Store, options: EventRecorderOptions = {}) {
    this.maxEvents = options.maxEvents ?? 5000;
  }

  /**
   * Records an Event as the new recorder does (client-go tools/events, event_broadcaster.go
   * recordToSink; kube-scheduler uses it): `eventTime`, `reportingController`/`reportingInstance`
   * and `action` set, the deprecated `count`/`firstTimestamp`/`lastTimestamp`/`source` left empty.
   * An isomorphic event (same regarding object, action, reason and controller: getKey leaves the
   * note out) does not make a new object: its `series` counts the repeats (2 on the first repeat)
   * and moves `series.lastObservedTime`, which is what `kubectl get events` shows (printEvent in
   * pkg/printers/internalversion/printers.go reads the series when it is set).
   */
  recordSeries(controller: string, instance: string, obj: KObject, type: EventType, reason: string, action: string, note: string): void {
    const namespace = obj.metadata.namespace ?? 'default';
    const aggKey = `series|${obj.metadata.uid}|${controller}|${action}|${reason}`;
    const now = new Date().toISOString().replace('Z', '000Z');
    const existing = this.seen.get(aggKey);
    if (existing) {
      try {
        this.store.mutate('events', namespace, existing, (e) => {
          const series = e.series as { count: number } | undefined;
          e.series = { count: (series?.count ?? 1) + 1, lastObservedTime: now };
          e.message = note;
        });
        return;
      } catch {
        this.seen.delete(aggKey);
      }
    }
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const name = `${obj.metadata.name}.${nanos.toString(16)}`;
    try {
      this.store.create('events', {
        metadata: { name, namespace },
        involvedObject: { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: obj.apiVersion, resourceVersion: obj.metadata.resourceVersion },
        reason,
        message: note,
        source: {},
        firstTimestamp: null,
        lastTimestamp: null,
        type,
        eventTime: now,
        action,
        reportingComponent: controller,
        reportingInstance: instance,
      });
    } catch {
      return;
    }
    this.remember(aggKey, namespace, name);
  }

  record(component: string, obj: KObject, type: EventType, reason: string, message: string, host?: string): void {
    const namespace = obj.metadata.namespace ?? 'default';
    const aggKey = `${obj.metadata.uid}|${component}|${type}|${reason}|${message}`;
    const now = rfc3339();
    const existing = this.seen.get(aggKey);
    if (existing) {
      try {
        this.store.mutate('events', namespace, existing, (e) => {
          e.count = ((e.count as number | undefined) ?? 1) + 1;
          e.lastTimestamp = now;
        });
        return;
      } catch {
        this.seen.delete(aggKey); // removed by someone (kubectl delete events): start a new one
      }
    }
    const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const name = `${obj.metadata.name}.${nanos.toString(16)}`;
    try {
      this.store.create('events', {
        metadata: { name, namespace },
        involvedObject: {
          kind: obj.kind,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name,
          uid: obj.metadata.uid,
          apiVersion: obj.apiVersion,
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        source: host ? { component, host } : { component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: component,
        reportingInstance: host ?? '',
      });
    } catch {
      return; // an event is best effort, never a reason to fail a reconcile
    }
    this.remember(aggKey, namespace, name);
  }

  private remember(aggKey: string, namespace: string, name: string): void {
    this.seen.set(aggKey, name);
    this.order.push({ key: aggKey, namespace, name });
    while (this.order.length > this.maxEvents) {
      const old = this.order.shift()!;
      this.seen.delete(old.key);
      try {
        this.store.remove('events', old.namespace, old.name);
      } catch {
        // already gone
      }
    }
  }
}
