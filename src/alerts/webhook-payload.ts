import { z } from 'zod';

/**
 * Alertmanager's webhook body, version 4 (prometheus/alertmanager notify/webhook/webhook.go
 * `Message`, embedding template/template.go `Data` and `Alert`). Unknown fields are kept out,
 * missing optional ones defaulted; times are RFC 3339 strings, `endsAt` is 0001-01-01 for an
 * alert that has no end yet.
 */
export const WebhookAlertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: z.record(z.string(), z.string()).default({}),
  annotations: z.record(z.string(), z.string()).default({}),
  startsAt: z.string(),
  endsAt: z.string().default('0001-01-01T00:00:00Z'),
  generatorURL: z.string().default(''),
  fingerprint: z.string().min(1),
});
export type WebhookAlert = z.infer<typeof WebhookAlertSchema>;

export const WebhookPayloadSchema = z.object({
  version: z.literal('4', { error: 'only Alertmanager webhook version 4 is understood' }),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().default(''),
  groupLabels: z.record(z.string(), z.string()).default({}),
  commonLabels: z.record(z.string(), z.string()).default({}),
  commonAnnotations: z.record(z.string(), z.string()).default({}),
  externalURL: z.string().default(''),
  alerts: z.array(WebhookAlertSchema),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;

/** ms since the epoch of an Alertmanager time, undefined for the zero time (no end yet). */
export function alertTime(text: string): number | undefined {
  const t = Date.parse(text);
  return Number.isFinite(t) && t > 0 ? t : undefined;
}
