import { z } from 'zod';

/** A label value pattern: exact, or with `*` for any run of characters (`prod-*`). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * One route of the policy file's `alerts:` section: alerts whose labels match go to `channel`,
 * and open an incident there (or join the open one) when `incident` is true. First match wins.
 */
export const AlertRouteSchema = z.strictObject({
  /** Label → pattern; every one must match (`severity: critical`, `cluster: prod-*`). Empty: every alert. */
  match: z
    .record(z.string().regex(LABEL_NAME, { error: 'label names are letters, digits and _, as in Prometheus' }), z.string({ error: 'a label pattern is a string, e.g. severity: critical' }), {
      error: 'match must map label names to patterns, e.g. match: { severity: critical, cluster: prod-* }',
    })
    .default({}),
  channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, { error: 'channel must be a Slack channel id (C…), as in the channel details, not #name' }),
  /** Open an incident in the channel for a firing alert (or join the one open there). */
  incident: z.boolean({ error: 'incident must be true or false' }).default(false),
  /** Severity of the incident it opens. Unset: from the alert's `severity` label (critical → 1, error/high → 2, warning → 3, else 4). */
  sev: z.number().int().min(1).max(4, { error: 'sev must be 1 to 4' }).optional(),
});
export type AlertRoute = z.infer<typeof AlertRouteSchema>;
export type AlertRouteInput = z.input<typeof AlertRouteSchema>;

export const AlertRoutesSchema = z.array(AlertRouteSchema, { error: 'alerts must be a list of routes: - match: {…}, channel: C…, incident: true' });
